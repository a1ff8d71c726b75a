"""The base form: every text field is cleaned of control characters before validation."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value):
    """Drop control characters (NUL breaks PostgreSQL) and surrounding spaces."""
    if isinstance(value, str):
        return _CONTROL.sub("", value).strip()
    return value


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options["filters"] = [clean_text, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **options)


def submit(label: str = "Continue") -> SubmitField:
    return SubmitField(label, widget=GovSubmitInput())


class PasswordStrength:
    """At least the configured length, and not only letters or only digits."""

    def __call__(self, form, field):
        from flask import current_app

        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        value = field.data or ""
        if len(value) < minimum:
            raise ValidationError(f"Password must be {minimum} characters or more")
        if len(value) > 200:
            raise ValidationError("Password must be 200 characters or fewer")
        if value.isalpha() or value.isdigit():
            raise ValidationError("Password must mix letters with numbers or symbols")
