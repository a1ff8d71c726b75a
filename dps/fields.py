"""GOV.UK form fields shared by every area's forms, each refusing odd input with a message in
words ("The start date must include a month") instead of WTForms' defaults ("Not a valid
choice", "Not a valid integer value"), and a few factories for fields many forms repeat."""

from __future__ import annotations

import re
from datetime import date, time

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import (
    EmailField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, StopValidation

from dps.forms import clean_text
from dps.services.application_details import COMPANIES_HOUSE_RE, CQC_ID_RE
from dps.state.clock import now, to_london

# Validators and filters --------------------------------------------------------------------

EMAIL = [
    InputRequired(message="Enter your e-mail address"),
    Length(max=254, message="E-mail address must be 254 characters or fewer"),
    Email(
        message="Enter an e-mail address in the correct format, like name@example.com",
        check_deliverability=False,
    ),
]
COMPANIES_HOUSE = Regexp(
    COMPANIES_HOUSE_RE,
    message="Enter a Companies House number of 8 characters, like 01234567 or SC123456",
)
CQC_PROVIDER = Regexp(CQC_ID_RE, message="Enter a CQC provider ID in the format 1-101234567")


def upper(value):
    """A filter: capitals without spaces, for references and registration numbers."""
    return value.upper().replace(" ", "") if isinstance(value, str) else value


# Field factories ---------------------------------------------------------------------------


def text_field(
    label: str, *, required: str | None, max_length: int, too_long: str, **kwargs
) -> StringField:
    """A one-line text input: `required` is the message when it is left empty (None: optional)."""
    return StringField(
        label,
        validators=[
            InputRequired(message=required) if required else Optional(),
            Length(max=max_length, message=too_long),
        ],
        widget=GovTextInput(),
        **kwargs,
    )


def full_name_field(label: str = "Full name", *, required: str, **kwargs) -> StringField:
    return text_field(
        label,
        required=required,
        max_length=200,
        too_long="Name must be 200 characters or fewer",
        **kwargs,
    )


def email_field(label: str = "E-mail address") -> EmailField:
    return EmailField(label, validators=EMAIL, widget=GovTextInput())


def companies_house_field(label: str, description: str) -> StringField:
    """Optional: not every care provider is a company."""
    return StringField(
        label,
        description=description,
        filters=[upper],
        validators=[
            Optional(),
            Length(max=8, message="Companies House number is 8 characters"),
            COMPANIES_HOUSE,
        ],
        widget=GovTextInput(),
    )


def cqc_provider_field(label: str, description: str, required: str | None = None) -> StringField:
    return StringField(
        label,
        description=description,
        filters=[upper],
        validators=[
            InputRequired(message=required) if required else Optional(),
            Length(max=20, message="CQC provider ID is too long"),
            CQC_PROVIDER,
        ],
        widget=GovTextInput(),
    )


# Choices -----------------------------------------------------------------------------------


class ChoiceMessage:
    """Radios, selects and checkboxes that say what to do instead of "Not a valid choice".

    `required` is the message when nothing is chosen; `invalid_message` the one when what came
    back is not among the choices (by default the same words as `required`).
    """

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        required: str | None = None,
        invalid_message: str | None = None,
        **kwargs,
    ):
        if required:
            validators = [InputRequired(message=required), *(validators or ())]
        super().__init__(label, validators, **kwargs)
        if not (invalid_message or required):
            raise TypeError("a choice field needs the words for a wrong choice")
        self.invalid_message = invalid_message or required

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # one message, not the same one twice
        try:
            super().pre_validate(form)
        except ValueError:
            raise StopValidation(self.invalid_message) from None


class ChoiceRadioField(ChoiceMessage, RadioField):
    widget = GovRadioInput()


class ChoiceSelectField(ChoiceMessage, SelectField):
    widget = GovSelect()


class ChoiceCheckboxesField(ChoiceMessage, SelectMultipleField):
    widget = GovCheckboxesInput()


# Numbers, dates and times ------------------------------------------------------------------


class _TypedIn:
    """A field read from what was typed: one message for a typing mistake, and `required`
    (the message when it was left empty; None when it may be)."""

    required: str | None = None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the message is already there
        if self.data is None and self.required:
            raise StopValidation(self.required)


_WHOLE_NUMBER = re.compile(r"\d{1,7}|\d{1,3}(?:,\d{3}){1,2}")  # up to 9,999,999


class WholeNumberField(_TypedIn, IntegerField):
    """A whole number typed in a text box ("1250" or "1,250"); `.data` is the int, or None when
    left blank (a posted form never keeps the saved value)."""

    widget = GovTextInput()

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        invalid_message: str,
        required: str | None = None,
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message
        self.required = required

    def process_formdata(self, valuelist):
        text = clean_text(valuelist[0]) if valuelist else ""
        self.data = None
        if not text:
            return
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValueError(self.invalid_message)
        self.data = int(text.replace(",", ""))


def _this_year() -> int:
    return to_london(now()).year


class DateField(_TypedIn, Field):
    """A GOV.UK date input: day, month and year boxes sharing the field's name; `.data` is a
    date or None.

    `what` begins each message ("The expiry date must be a real date"); `required` is the
    message when all three boxes are empty (None: the date is optional); `join_missing` joins
    the missing parts in "must include a day and month".
    """

    widget = GovDateInput()

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        what: str,
        required: str | None = None,
        join_missing: str = " and ",
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.what = what
        self.required = required
        self.join_missing = join_missing

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        parts = [clean_text(str(value)) for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts  # always three: the widget shows back day, month and year
        self.data = None
        if len(valuelist) > 3:
            raise ValueError(f"{self.what} must be a real date")
        if not any(parts):
            return
        missing = [
            name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part
        ]
        if missing:
            raise ValueError(f"{self.what} must include a {self.join_missing.join(missing)}")
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise ValueError(
                f"{self.what} must be a real date, in numbers, like 27 3 {_this_year()}"
            )
        day, month, year = parts
        if len(year) != 4 or year.startswith("0"):
            raise ValueError(f"The year must include 4 numbers, like {_this_year()}")
        try:
            self.data = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise ValueError(f"{self.what} must be a real date") from None


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


def parse_time(text: str, *, midnight: bool = True) -> time | None:
    """ "17:00", "5pm", "5:30pm", "9.15am", "midday": a wall-clock time, or None.

    With `midnight=False`, 00:00 ("12am", "0:00", "midnight") is refused: a deadline at
    "midnight" on a day is read both ways.
    """
    text = (text or "").strip().lower()
    if text in ("midday", "noon", "12 noon", "12noon"):
        return time(12, 0)
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if minute > 59:
        return None
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix.startswith("p") else 0)
    elif match.group(2) is None or hour > 23:
        return None
    if not midnight and (hour, minute) == (0, 0):
        return None
    return time(hour, minute)


class TimeField(StringField):
    """A time typed as people write it; `.time` is the wall-clock time once validated.

    `what` names the time inside a sentence ("Enter the closing time").
    """

    widget = GovTextInput()

    def __init__(self, label, *, what: str, **kwargs):
        kwargs.setdefault(
            "description", "Use the 24-hour clock, like 17:00, or am and pm, like 5pm"
        )
        super().__init__(label, **kwargs)
        self.what = what
        self.time: time | None = None

    def pre_validate(self, form):
        text = (self.data or "").strip()
        if not text:
            raise StopValidation(f"Enter the {self.what}")
        self.time = parse_time(text)
        if self.time is None:
            raise StopValidation(
                f"Enter the {self.what} in the 24-hour clock, like 17:00, or with am or pm, "
                "like 5pm"
            )
