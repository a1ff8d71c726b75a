"""Forms for the provider's application to join a DPS.

Questionnaire pages are built from the DPS's questionnaire JSON; their answers are checked by
the same rules the service applies (application_sections.answer_problems).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from dps.fields import (
    ChoiceRadioField,
    DateField,
    companies_house_field,
    cqc_provider_field,
    full_name_field,
    text_field,
)
from dps.forms import BaseForm, submit
from dps.models.organisation import SIZE_LABELS
from dps.services.application_details import CategoryChoice, parse_location_ids
from dps.services.application_sections import (
    CQC_RATINGS,
    EXPLANATION_MAX_WORDS,
    NOT_RATED,
    YES_NO,
    ApplicationError,
    Section,
    answer_problems,
    field_name,
)
from dps.services.uploads import ALLOWED, AllowedUpload

FILE_HINT = (
    "A "
    + ", ".join(kind.label for kind in ALLOWED[:-1])
    + f" or {ALLOWED[-1].label} file, smaller than 10 MB"
)
YES_NO_CHOICES = list(YES_NO.items())
MAX_COVER = Decimal("999999999999.99")


def _file_field(label: str) -> FileField:
    """A file the provider may leave out; what is chosen is checked by its content."""
    return FileField(
        label,
        description=FILE_HINT,
        validators=[AllowedUpload(required=False)],
        widget=GovFileInput(),
    )


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class OrganisationForm(BaseForm):
    legal_name = text_field(
        "Legal name of your organisation",
        description="As registered with Companies House or the Charity Commission",
        required="Enter your organisation's legal name",
        max_length=200,
        too_long="Legal name must be 200 characters or fewer",
    )
    companies_house_number = companies_house_field(
        "Companies House number (if you have one)", "8 characters, like 01234567 or SC123456"
    )
    submit = submit("Save and continue")


class CqcForm(BaseForm):
    cqc_provider_id = cqc_provider_field(
        "CQC provider ID",
        "Like 1-101234567. It is on your CQC registration certificate.",
        required="Enter your CQC provider ID",
    )
    cqc_location_ids = text_field(
        "CQC location IDs",
        description="Like 1-123456789. If you have more than one, separate them with commas.",
        required="Enter at least one CQC location ID",
        max_length=300,
        too_long="Enter at most 20 CQC location IDs",
    )
    cqc_rating = ChoiceRadioField(
        "What is your current overall CQC rating?",
        choices=[(rating, rating) for rating in CQC_RATINGS],
        required="Select your current CQC rating",
    )
    cqc_rating_date = DateField(
        "Date of the rating",
        description="The date on your CQC report, for example 27 3 2025. Leave blank if you "
        "are not yet rated.",
        what="The date of the rating",
        id="cqc_rating_date-day",
    )
    submit = submit("Save and continue")

    def validate_cqc_rating_date(self, field) -> None:
        rated = self.cqc_rating.data in CQC_RATINGS and self.cqc_rating.data != NOT_RATED
        if rated and field.data is None and not field.errors:
            raise ValidationError("Enter the date of the rating")

    def location_ids(self) -> list[str]:
        return parse_location_ids(self.cqc_location_ids.data)


class SizeForm(BaseForm):
    size = ChoiceRadioField(
        "How many people work for your organisation?",
        choices=[(key.value, label) for key, label in SIZE_LABELS.items()],
        required="Select the size of your organisation",
    )
    submit = submit("Save and continue")


def scopes_form(choices: list[CategoryChoice]) -> type[BaseForm]:
    """One group of zone checkboxes per category."""
    fields = {
        f"category_{choice.category.id}": SelectMultipleField(
            choice.category.name,
            description=choice.category.description,
            choices=[(str(zone.id), zone.name) for zone in choice.zones],
            coerce=str,
            validate_choice=False,
            widget=GovCheckboxesInput(),
        )
        for choice in choices
    }
    fields["submit"] = submit("Save and continue")

    def wanted(self) -> set[tuple[int, int]]:
        pairs = set()
        for choice in choices:
            for value in self[f"category_{choice.category.id}"].data or []:
                if str(value).isdigit():
                    pairs.add((choice.category.id, int(value)))
        return pairs

    fields["wanted"] = wanted
    return type("ScopesForm", (BaseForm,), fields)


def questions_form(section: Section) -> type[BaseForm]:
    """The fields of one questionnaire section, named by field_name(question id, part)."""
    fields: dict = {}
    for question in section.questions:
        qid, kind = question["id"], question["type"]
        if kind in ("pass_fail", "yes_no_evidence"):
            fields[field_name(qid)] = RadioField(
                question["text"],
                choices=YES_NO_CHOICES,
                validate_choice=False,
                widget=GovRadioInput(),
            )
        if kind == "yes_no_evidence":
            when = YES_NO[question.get("evidence_on", "yes")]
            fields[field_name(qid, "explanation")] = TextAreaField(
                "Give details",
                description=f"Only if you answered {when}: tell us what happened and what you "
                f"have done about it (up to {EXPLANATION_MAX_WORDS} words).",
                validators=[Length(max=20_000, message="Details are too long")],
                widget=GovTextArea(),
            )
        elif kind == "information":
            fields[field_name(qid)] = TextAreaField(
                question["text"],
                validators=[Length(max=50_000, message="Your answer is too long")],
                widget=GovCharacterCount(),
            )
        elif kind == "file":
            fields[field_name(qid)] = _file_field(
                question["text"] + (" (optional)" if question.get("optional") else "")
            )
    fields["submit"] = submit("Save and continue")
    fields["section"] = section
    fields["validate"] = _validate_questions
    fields["answers"] = _answers
    fields["files"] = _files
    return type("QuestionsForm", (BaseForm,), fields)


def _answer_from(form, question: dict) -> dict:
    qid = question["id"]
    if question["type"] == "information":
        return {"text": form[field_name(qid)].data or ""}
    answer = {"answer": form[field_name(qid)].data}
    if question["type"] == "yes_no_evidence":
        answer["explanation"] = form[field_name(qid, "explanation")].data or ""
    return answer


def _validate_questions(self, extra_validators=None) -> bool:
    valid = BaseForm.validate(self, extra_validators)
    for question in self.section.questions:
        if question["type"] == "file":
            continue
        for part, message in answer_problems(question, _answer_from(self, question)).items():
            field = self[field_name(question["id"], part)]
            if not field.errors:
                field.errors = [*field.errors, message]
                valid = False
    return valid


def _answers(self) -> dict[str, dict]:
    return {
        question["id"]: _answer_from(self, question)
        for question in self.section.questions
        if question["type"] != "file"
    }


def _files(self) -> dict:
    """The files chosen on this page that passed their checks."""
    chosen = {}
    if "csrf_token" in self._fields and self.csrf_token.errors:
        return chosen
    for question in self.section.questions:
        if question["type"] == "file":
            field = self[field_name(question["id"])]
            if field.data and not field.errors:
                chosen[question["id"]] = field.data
    return chosen


def parse_cover(text: str | None) -> Decimal:
    cleaned = (text or "").replace("£", "").replace(",", "").replace(" ", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValidationError("Enter the amount of cover as a number, like 5000000") from error
    if not amount.is_finite() or amount <= 0:
        raise ValidationError("Enter the amount of cover as a number, like 5000000")
    if amount > MAX_COVER:
        raise ValidationError("Enter an amount of cover less than £1,000,000,000,000")
    return amount


def _cover_is_money(form, field) -> None:
    if field.data:
        parse_cover(field.data)


class InsuranceForm(BaseForm):
    insurance_type = RadioField(
        "Type of insurance",
        choices=[],
        validate_choice=False,
        validators=[InputRequired(message="Select the type of insurance")],
        widget=GovRadioInput(),
    )
    insurer = text_field(
        "Name of the insurer",
        required="Enter the name of the insurer",
        max_length=200,
        too_long="Insurer must be 200 characters or fewer",
    )
    cover = StringField(
        "Amount of cover",
        description="The limit of indemnity in pounds, for example 5000000",
        validators=[InputRequired(message="Enter the amount of cover"), _cover_is_money],
        widget=GovTextInput(),
    )
    expires_on = DateField(
        "Expiry date",
        description="For example, 31 3 2027",
        what="The expiry date",
        required="Enter the expiry date",
        id="expires_on-day",
    )
    certificate = _file_field("Insurance certificate (optional)")
    submit = submit("Add this policy")

    def cover_amount(self) -> Decimal:
        return parse_cover(self.cover.data)


class DeclarationForm(BaseForm):
    declaration_name = full_name_field(
        "Your full name",
        description="Typing your name here signs the declaration.",
        required="Enter your full name to sign the declaration",
    )
    submit = submit("Accept and send application")


class ClarificationAnswerForm(BaseForm):
    answer = TextAreaField(
        "Your answer",
        validators=[
            InputRequired(message="Enter your answer"),
            Length(max=20_000, message="Your answer must be 20,000 characters or fewer"),
        ],
        widget=GovTextArea(),
    )
    document = _file_field("Supporting file (optional)")
    submit = submit("Send answer")


def show_error(form, error: ApplicationError) -> None:
    """Put a service's message beside its field (or the first field when it names none)."""
    names = [name for name in form._fields if name not in ("csrf_token", "submit")]
    field = form[error.field if error.field in names else names[0]]
    field.errors = [*field.errors, error.message]


def show_refused(form, message: str) -> None:
    """Put an upload refusal beside the (first) file field."""
    files = [name for name, field in form._fields.items() if isinstance(field, FileField)]
    show_error(form, ApplicationError(message, files[0] if files else None))
