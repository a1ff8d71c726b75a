"""Forms for building a tender: one per task page. They check what was typed; the rules of a
tender (weights adding up, the timetable, zones of the DPS) are the service's."""

from __future__ import annotations

from datetime import datetime

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from dps.fields import (
    ChoiceCheckboxesField,
    ChoiceRadioField,
    DateField,
    TimeField,
    WholeNumberField,
    text_field,
)
from dps.forms import BaseForm, submit
from dps.services.tender_rules import (
    MARKED_BY,
    PRICE_MODELS,
    TIE_BREAKS,
    TenderError,
    london_instant,
)
from dps.services.uploads import ACCEPT, AllowedUpload
from dps.state.clock import to_london

YES_NO = [("yes", "Yes"), ("no", "No")]


def add_error(form: BaseForm, error: TenderError) -> None:
    """Show a service's refusal beside its field (or at the top when it names none)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None and error.field in ("closing", "clarification_deadline"):
        field = getattr(form, f"{error.field}_date", None)
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _date(label: str, what: str, **kwargs) -> DateField:
    """A required date; `what` names it inside a sentence ("contract start date")."""
    return DateField(label, what=_capital(what), required=f"Enter the {what}", **kwargs)


def _whole_number(label: str, what: str, required: bool = True, **kwargs) -> WholeNumberField:
    """`what` names the number inside a sentence ("the word limit")."""
    return WholeNumberField(
        label,
        invalid_message=f"{_capital(what)} must be a whole number, like 5",
        required=f"Enter {what}" if required else None,
        **kwargs,
    )


def _text(label: str, message: str, limit: int, **kwargs) -> StringField:
    return text_field(
        label,
        required=message,
        max_length=limit,
        too_long=f"{label} must be {limit:,} characters or fewer",
        **kwargs,
    )


def _figure(label: str, required: str, description: str) -> StringField:
    """A number typed as people write it ("1,250", "62.5"): the service reads and checks it."""
    return StringField(
        label,
        description=description,
        validators=[InputRequired(message=required)],
        widget=GovTextInput(),
    )


def _area(label: str, limit: int, required: str | None = None, **kwargs) -> TextAreaField:
    validators = [InputRequired(message=required)] if required else [Optional()]
    validators.append(Length(max=limit, message=f"{label} must be {limit:,} characters or fewer"))
    return TextAreaField(label, validators=validators, widget=GovTextArea(), **kwargs)


class NewTenderForm(BaseForm):
    scope = ChoiceRadioField(
        "Which service is this tender for?", required="Select the service", choices=[]
    )
    title = _text("Title", "Enter a title for the tender", 200)
    reference = text_field(
        "Reference (optional)",
        description="Leave blank and we will make one, like NCC-DPS-2026-T001",
        required=None,
        max_length=40,
        too_long="Reference must be 40 characters or fewer",
    )
    submit = submit("Create tender")

    def set_choices(self, pairs) -> None:
        several = len({dps.id for dps, _category in pairs}) > 1
        self.scope.choices = [
            (
                f"{dps.id}:{category.id}",
                f"{category.name} ({dps.title})" if several else category.name,
            )
            for dps, category in pairs
        ]

    @property
    def ids(self) -> tuple[int, int]:
        dps_id, category_id = self.scope.data.split(":")
        return int(dps_id), int(category_id)


class DetailsForm(BaseForm):
    title = _text("Title", "Enter a title for the tender", 200)
    description = _area(
        "Description",
        20000,
        description="What is being bought, for whom and why: bidders and the public read this",
    )
    submit = submit("Save and continue")


class LotForm(BaseForm):
    title = _text("Name of the lot", "Enter a name for the lot", 200)
    zone_ids = ChoiceCheckboxesField(
        "Zones in this lot", required="Select at least one zone", coerce=int, choices=[]
    )
    hours_per_week = _figure(
        "Estimated hours of care a week",
        "Enter the estimated hours of care a week",
        "For example, 1250",
    )
    contract_start_on = _date(
        "Contract start date", "contract start date", description="For example, 1 10 2026"
    )
    contract_end_on = _date(
        "Contract end date", "contract end date", description="For example, 30 9 2029"
    )
    providers_to_appoint = _whole_number(
        "How many providers will be appointed to this lot?",
        "the number of providers to appoint",
        default=1,
    )
    submit = submit("Save lot")

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "zone_ids": self.zone_ids.data,
            "hours_per_week": self.hours_per_week.data,
            "contract_start_on": self.contract_start_on.data,
            "contract_end_on": self.contract_end_on.data,
            "providers_to_appoint": self.providers_to_appoint.data,
        }


class QuestionForm(BaseForm):
    text = _area("Question", 5000, required="Enter the question")
    guidance = _area("Guidance for bidders and evaluators (optional)", 10000)
    plain_guidance = _area(
        "Guidance in plain English for the Experts by Experience panel",
        10000,
        description="Needed when the panel marks this question: what a good answer tells them",
    )
    marked_by = ChoiceRadioField(
        "Who marks this question?",
        required="Select who marks this question",
        choices=list(MARKED_BY.items()),
        default="officer",
    )
    weight = _figure(
        "Weight",
        "Enter the weight",
        "Its share of the quality marks against the other questions, like 20",
    )
    word_limit = _whole_number("Word limit", "the word limit", default=500)
    max_mark = _whole_number(
        "Maximum mark",
        "the maximum mark",
        default=5,
        description="The scale runs from 0 to this mark; 5 gives the usual 0 to 5 scale",
    )
    min_mark = _whole_number(
        "Minimum acceptable mark (optional)",
        "the minimum acceptable mark",
        required=False,
        description="A bid marked below this on this question is excluded",
    )
    submit = submit("Save question")

    def values(self) -> dict:
        return {
            "text": self.text.data,
            "guidance": self.guidance.data or "",
            "plain_guidance": self.plain_guidance.data or "",
            "marked_by": self.marked_by.data,
            "weight": self.weight.data,
            "word_limit": self.word_limit.data,
            "max_mark": self.max_mark.data,
            "min_mark": self.min_mark.data,
        }


def scale_form(max_mark: int) -> type[BaseForm]:
    """A form with a name and a descriptor for each mark from 0 to max_mark."""
    fields = {}
    for mark in range(max_mark + 1):
        fields[f"mark_{mark}_label"] = _text(
            f"Name of mark {mark}", f"Enter a name for mark {mark}", 60
        )
        fields[f"mark_{mark}_descriptor"] = _area(
            f"What earns mark {mark}", 2000, required=f"Describe what earns mark {mark}"
        )
    fields["submit"] = submit("Save scale")
    return type("ScaleForm", (BaseForm,), fields)


class PriceModelForm(BaseForm):
    template = ChoiceRadioField(
        "Which cost breakdown must bidders fill in?",
        required="Select the cost breakdown bidders must fill in",
        choices=[(code, template.title) for code, template in PRICE_MODELS.items()],
    )
    call_length_rates = ChoiceRadioField(
        "Ask bidders for rates for 15, 30, 45 and 60-minute visits as well?",
        required="Select yes if bidders must give call-length rates",
        choices=YES_NO,
        default="no",
    )
    benchmark_rate = StringField(
        "Benchmark hourly rate (optional)",
        description="Your cost of care per hour, in pounds, like 26.50. A price below 90% of it "
        "is abnormally low: you ask the bidder to explain it. Leave blank for no benchmark.",
        validators=[Optional(), Length(max=20, message="Enter the rate like 26.50")],
        widget=GovTextInput(),
    )
    submit = submit("Save and continue")


class RulesForm(BaseForm):
    quality_weight = _figure(
        "Quality weighting (%)", "Enter the quality weighting", "For example, 60"
    )
    price_weight = _figure(
        "Price weighting (%)", "Enter the price weighting", "Quality and price must add up to 100"
    )
    max_lots_per_provider = _whole_number(
        "The most lots one provider may win (optional)",
        "the most lots one provider may win",
        required=False,
        description="Leave blank for no limit",
    )
    tie_break = ChoiceRadioField(
        "How are equal scores decided?",
        required="Select how equal scores are decided",
        choices=list(TIE_BREAKS.items()),
    )
    submit = submit("Save and continue")


class TimetableForm(BaseForm):
    clarification_deadline_date = _date(
        "Clarification deadline: date",
        "clarification deadline date",
        description="The last day bidders can ask questions, for example 20 3 2026",
    )
    clarification_deadline_time = TimeField(
        "Clarification deadline: time", what="clarification deadline time"
    )
    closing_date = _date("Closing date", "closing date", description="For example, 27 3 2026")
    closing_time = TimeField("Closing time", what="closing time")
    evaluation_on = _date("Evaluation date", "evaluation date", description="When marking starts")
    award_on = _date(
        "Award date", "award date", description="When the award letters are expected to go out"
    )
    contract_start_on = _date("Contract start date", "contract start date")
    submit = submit("Save and continue")

    def fill(self, tender) -> None:
        """Show the saved timetable in UK time."""
        for name, instant in (
            ("clarification_deadline", tender.clarification_deadline),
            ("closing", tender.closing_at),
        ):
            if instant is not None:
                local = to_london(instant)
                self[f"{name}_date"].data = local.date()
                self[f"{name}_time"].data = local.strftime("%H:%M")
        self.evaluation_on.data = tender.evaluation_on
        self.award_on.data = tender.award_on
        self.contract_start_on.data = tender.contract_start_on

    def _instant(self, date_field: DateField, time_field: TimeField) -> datetime | None:
        try:
            return london_instant(date_field.data, time_field.time)
        except ValueError:
            time_field.errors = [
                *time_field.errors,
                f"That {time_field.what} does not exist in the UK that day because the clocks "
                "go forward: choose another time",
            ]
            return None

    def values(self) -> dict | None:
        """The timetable as aware instants and dates, or None (with errors shown) if a time
        falls in the hour the clocks skip."""
        clarification = self._instant(
            self.clarification_deadline_date, self.clarification_deadline_time
        )
        closing = self._instant(self.closing_date, self.closing_time)
        if clarification is None or closing is None:
            return None
        return {
            "clarification_deadline": clarification,
            "closing_at": closing,
            "evaluation_on": self.evaluation_on.data,
            "award_on": self.award_on.data,
            "contract_start_on": self.contract_start_on.data,
        }


class DocumentForm(BaseForm):
    title = text_field(
        "Title (optional)",
        description="For example, Service specification. Leave blank to use the file's name",
        required=None,
        max_length=200,
        too_long="Title must be 200 characters or fewer",
    )
    file = FileField(
        "Upload a file",
        description="PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), PNG or JPEG",
        validators=[AllowedUpload()],
        widget=GovFileInput(),
        render_kw={"accept": ACCEPT},
    )
    submit = submit("Attach document")


class ConfirmForm(BaseForm):
    """A button with a CSRF token: publish, copy, remove."""

    submit = submit("Confirm")
