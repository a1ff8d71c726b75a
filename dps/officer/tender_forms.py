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

from dps.forms import BaseForm, submit
from dps.officer.tender_fields import (
    Checkboxes,
    DateInput,
    Radio,
    TimeInput,
    WholeNumber,
)
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


def _text(label: str, message: str, limit: int, **kwargs) -> StringField:
    return StringField(
        label,
        validators=[
            InputRequired(message=message),
            Length(max=limit, message=f"{label} must be {limit:,} characters or fewer"),
        ],
        widget=GovTextInput(),
        **kwargs,
    )


def _area(label: str, limit: int, required: str | None = None, **kwargs) -> TextAreaField:
    validators = [InputRequired(message=required)] if required else [Optional()]
    validators.append(Length(max=limit, message=f"{label} must be {limit:,} characters or fewer"))
    return TextAreaField(label, validators=validators, widget=GovTextArea(), **kwargs)


class NewTenderForm(BaseForm):
    scope = Radio("Which service is this tender for?", message="Select the service", choices=[])
    title = _text("Title", "Enter a title for the tender", 200)
    reference = StringField(
        "Reference (optional)",
        description="Leave blank and we will make one, like NCC-DPS-2026-T001",
        validators=[Optional(), Length(max=40, message="Reference must be 40 characters or fewer")],
        widget=GovTextInput(),
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
    zone_ids = Checkboxes("Zones in this lot", message="Select at least one zone", choices=[])
    hours_per_week = StringField(
        "Estimated hours of care a week",
        description="For example, 1250",
        validators=[InputRequired(message="Enter the estimated hours of care a week")],
        widget=GovTextInput(),
    )
    contract_start_on = DateInput(
        "Contract start date", what="contract start date", description="For example, 1 10 2026"
    )
    contract_end_on = DateInput(
        "Contract end date", what="contract end date", description="For example, 30 9 2029"
    )
    providers_to_appoint = WholeNumber(
        "How many providers will be appointed to this lot?",
        what="the number of providers to appoint",
        default="1",
    )
    submit = submit("Save lot")

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "zone_ids": self.zone_ids.ids,
            "hours_per_week": self.hours_per_week.data,
            "contract_start_on": self.contract_start_on.data,
            "contract_end_on": self.contract_end_on.data,
            "providers_to_appoint": self.providers_to_appoint.number,
        }


class QuestionForm(BaseForm):
    text = _area("Question", 5000, required="Enter the question")
    guidance = _area("Guidance for bidders and evaluators (optional)", 10000)
    plain_guidance = _area(
        "Guidance in plain English for the Experts by Experience panel",
        10000,
        description="Needed when the panel marks this question: what a good answer tells them",
    )
    marked_by = Radio(
        "Who marks this question?",
        message="Select who marks this question",
        choices=list(MARKED_BY.items()),
        default="officer",
    )
    weight = StringField(
        "Weight",
        description="Its share of the quality marks against the other questions, like 20",
        validators=[InputRequired(message="Enter the weight")],
        widget=GovTextInput(),
    )
    word_limit = WholeNumber("Word limit", what="the word limit", default="500")
    max_mark = WholeNumber(
        "Maximum mark",
        what="the maximum mark",
        default="5",
        description="The scale runs from 0 to this mark; 5 gives the usual 0 to 5 scale",
    )
    min_mark = WholeNumber(
        "Minimum acceptable mark (optional)",
        what="the minimum acceptable mark",
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
            "word_limit": self.word_limit.number,
            "max_mark": self.max_mark.number,
            "min_mark": self.min_mark.number,
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
    template = Radio(
        "Which cost breakdown must bidders fill in?",
        message="Select the cost breakdown bidders must fill in",
        choices=[(code, template.title) for code, template in PRICE_MODELS.items()],
    )
    call_length_rates = Radio(
        "Ask bidders for rates for 15, 30, 45 and 60-minute visits as well?",
        message="Select yes if bidders must give call-length rates",
        choices=YES_NO,
        default="no",
    )
    submit = submit("Save and continue")


class RulesForm(BaseForm):
    quality_weight = StringField(
        "Quality weighting (%)",
        description="For example, 60",
        validators=[InputRequired(message="Enter the quality weighting")],
        widget=GovTextInput(),
    )
    price_weight = StringField(
        "Price weighting (%)",
        description="Quality and price must add up to 100",
        validators=[InputRequired(message="Enter the price weighting")],
        widget=GovTextInput(),
    )
    max_lots_per_provider = WholeNumber(
        "The most lots one provider may win (optional)",
        what="the most lots one provider may win",
        required=False,
        description="Leave blank for no limit",
    )
    tie_break = Radio(
        "How are equal scores decided?",
        message="Select how equal scores are decided",
        choices=list(TIE_BREAKS.items()),
    )
    submit = submit("Save and continue")


class TimetableForm(BaseForm):
    clarification_deadline_date = DateInput(
        "Clarification deadline: date",
        what="clarification deadline date",
        description="The last day bidders can ask questions, for example 20 3 2026",
    )
    clarification_deadline_time = TimeInput(
        "Clarification deadline: time", what="clarification deadline time"
    )
    closing_date = DateInput(
        "Closing date", what="closing date", description="For example, 27 3 2026"
    )
    closing_time = TimeInput("Closing time", what="closing time")
    evaluation_on = DateInput(
        "Evaluation date", what="evaluation date", description="When marking starts"
    )
    award_on = DateInput(
        "Award date", what="award date", description="When the award letters are expected to go out"
    )
    contract_start_on = DateInput("Contract start date", what="contract start date")
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

    def _instant(self, date_field: DateInput, time_field: TimeInput) -> datetime | None:
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
    title = StringField(
        "Title (optional)",
        description="For example, Service specification. Leave blank to use the file's name",
        validators=[Optional(), Length(max=200, message="Title must be 200 characters or fewer")],
        widget=GovTextInput(),
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
