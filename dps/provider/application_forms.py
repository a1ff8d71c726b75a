"""Forms for the provider's application to join a DPS.

Questionnaire pages are built from the DPS's questionnaire JSON; their answers are checked by
the same rules the service applies (application_sections.answer_problems).
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from dps.auth.forms import COMPANIES_HOUSE, CQC_PROVIDER, upper
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


class DateInputField(Field):
    """A GOV.UK date input (day, month, year boxes sharing one name) giving a `date` or None.

    Messages follow the GOV.UK date input pattern; `what` names the date in them.
    """

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, what: str = "The date", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        parts = [str(value).strip() for value in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            raise ValueError(f"{self.what} must include a {' and '.join(missing)}")
        if not all(part.isdigit() and len(part) <= 4 for part in parts):
            raise ValueError(f"{self.what} must be a real date, like 27 3 2027")
        day, month, year = (int(part) for part in parts)
        if year < 1000:
            raise ValueError(f"{self.what}: the year must include 4 numbers")
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"{self.what} must be a real date, like 27 3 2027")
        self.data = date(year, month, day)


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class OrganisationForm(BaseForm):
    legal_name = StringField(
        "Legal name of your organisation",
        description="As registered with Companies House or the Charity Commission",
        validators=[
            InputRequired(message="Enter your organisation's legal name"),
            Length(max=200, message="Legal name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    companies_house_number = StringField(
        "Companies House number (if you have one)",
        description="8 characters, like 01234567 or SC123456",
        filters=[upper],
        validators=[
            Optional(),
            Length(max=8, message="Companies House number is 8 characters"),
            COMPANIES_HOUSE,
        ],
        widget=GovTextInput(),
    )
    submit = submit("Save and continue")


class CqcForm(BaseForm):
    cqc_provider_id = StringField(
        "CQC provider ID",
        description="Like 1-101234567. It is on your CQC registration certificate.",
        filters=[upper],
        validators=[
            InputRequired(message="Enter your CQC provider ID"),
            Length(max=20, message="CQC provider ID is too long"),
            CQC_PROVIDER,
        ],
        widget=GovTextInput(),
    )
    cqc_location_ids = StringField(
        "CQC location IDs",
        description="Like 1-123456789. If you have more than one, separate them with commas.",
        validators=[
            InputRequired(message="Enter at least one CQC location ID"),
            Length(max=300, message="Enter at most 20 CQC location IDs"),
        ],
        widget=GovTextInput(),
    )
    cqc_rating = RadioField(
        "What is your current overall CQC rating?",
        choices=[(rating, rating) for rating in CQC_RATINGS],
        validate_choice=False,
        validators=[
            InputRequired(message="Select your current CQC rating"),
            AnyOf(list(CQC_RATINGS), message="Select your current CQC rating"),
        ],
        widget=GovRadioInput(),
    )
    cqc_rating_date = DateInputField(
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
    size = RadioField(
        "How many people work for your organisation?",
        choices=[(key.value, label) for key, label in SIZE_LABELS.items()],
        validate_choice=False,
        validators=[
            InputRequired(message="Select the size of your organisation"),
            AnyOf(
                [key.value for key in SIZE_LABELS], message="Select the size of your organisation"
            ),
        ],
        widget=GovRadioInput(),
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
            fields[field_name(qid)] = FileField(
                question["text"] + (" (optional)" if question.get("optional") else ""),
                description=FILE_HINT,
                validators=[AllowedUpload(required=False)],
                widget=GovFileInput(),
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
    insurer = StringField(
        "Name of the insurer",
        validators=[
            InputRequired(message="Enter the name of the insurer"),
            Length(max=200, message="Insurer must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    cover = StringField(
        "Amount of cover",
        description="The limit of indemnity in pounds, for example 5000000",
        validators=[InputRequired(message="Enter the amount of cover"), _cover_is_money],
        widget=GovTextInput(),
    )
    expires_on = DateInputField(
        "Expiry date",
        description="For example, 31 3 2027",
        what="The expiry date",
        validators=[],
        id="expires_on-day",
    )
    certificate = FileField(
        "Insurance certificate (optional)",
        description=FILE_HINT,
        validators=[AllowedUpload(required=False)],
        widget=GovFileInput(),
    )
    submit = submit("Add this policy")

    def validate_expires_on(self, field) -> None:
        if field.data is None and not field.errors:
            raise ValidationError("Enter the expiry date")

    def cover_amount(self) -> Decimal:
        return parse_cover(self.cover.data)


class DeclarationForm(BaseForm):
    declaration_name = StringField(
        "Your full name",
        description="Typing your name here signs the declaration.",
        validators=[
            InputRequired(message="Enter your full name to sign the declaration"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
        widget=GovTextInput(),
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
    document = FileField(
        "Supporting file (optional)",
        description=FILE_HINT,
        validators=[AllowedUpload(required=False)],
        widget=GovFileInput(),
    )
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
