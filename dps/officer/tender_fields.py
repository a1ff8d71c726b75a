"""GOV.UK form fields the tender forms share: radios, checkboxes, whole numbers, dates and
times, each refusing odd input with a GOV.UK-style message instead of WTForms' defaults."""

from __future__ import annotations

import re
from datetime import date, time

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, StopValidation


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class Radio(RadioField):
    """Radios whose "not a valid choice" reads like the GOV.UK message for choosing nothing."""

    def __init__(self, label, *, message: str, **kwargs):
        kwargs.setdefault("widget", GovRadioInput())
        super().__init__(label, validators=[InputRequired(message=message)], **kwargs)
        self.message = message

    def pre_validate(self, form):
        if self.data not in {str(value) for value, _label in self.choices}:
            raise StopValidation(self.message)


class Checkboxes(SelectMultipleField):
    """Checkboxes of ids; anything that is not one of the choices gets the field's message."""

    widget = GovCheckboxesInput()

    def __init__(self, label, *, message: str, **kwargs):
        super().__init__(label, coerce=str, **kwargs)
        self.message = message

    def pre_validate(self, form):
        values = self.data or []
        allowed = {str(value) for value, _label in self.choices}
        if not values or any(value not in allowed for value in values):
            raise StopValidation(self.message)

    @property
    def ids(self) -> list[int]:
        return [int(value) for value in self.data or [] if value.isdigit()]


class WholeNumber(StringField):
    """A whole number typed in a text box; `.number` is the int, or None when left blank."""

    widget = GovTextInput()

    def __init__(self, label, *, what: str, required: bool = True, **kwargs):
        super().__init__(label, **kwargs)
        self.what = what
        self.required = required
        self.number: int | None = None

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else ""  # a posted form never keeps saved values

    def pre_validate(self, form):
        text = str(self.data if self.data is not None else "").strip().replace(",", "")
        self.number = None
        if not text:
            if self.required:
                raise StopValidation(f"Enter {self.what}")
            return
        if not re.fullmatch(r"\d{1,7}", text):
            raise StopValidation(f"{_capital(self.what)} must be a whole number, like 5")
        self.number = int(text)


class DateInput(Field):
    """A GOV.UK date input (day, month, year boxes with one name); `.data` is a date or None."""

    widget = GovDateInput()

    def __init__(self, label, *, what: str, required: bool = True, **kwargs):
        super().__init__(label, **kwargs)
        self.what = what
        self.required = required
        self.problem: str | None = None

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        parts = [str(value).strip() for value in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        self.problem = None
        day, month, year = parts
        if not any(parts):
            return
        missing = [
            name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value
        ]
        if missing:
            self.problem = f"{_capital(self.what)} must include a {' and '.join(missing)}"
            return
        if not all(value.isdigit() and len(value) <= 4 for value in parts) or len(year) != 4:
            self.problem = f"{_capital(self.what)} must be a real date, like 27 3 2026"
            return
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            self.problem = f"{_capital(self.what)} must be a real date, like 27 3 2026"

    def pre_validate(self, form):
        if self.problem:
            raise StopValidation(self.problem)
        if self.data is None and self.required:
            raise StopValidation(f"Enter the {self.what}")


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


def parse_time(text: str) -> time | None:
    """ "17:00", "5pm", "5:30pm", "9.15am", "midday": a wall-clock time, or None."""
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
    return time(hour, minute)


class TimeInput(StringField):
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
