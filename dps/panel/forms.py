"""The panel's marking form: the marks as labelled choices and a reason, in everyday words."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import TextAreaField
from wtforms.validators import Length, StopValidation

from dps.fields import ChoiceRadioField
from dps.forms import BaseForm

MAX_REASON = 5000
SAVE = "save"
SUBMIT = "submit"
ACTIONS = (SAVE, SUBMIT)


class MarkChoice(ChoiceRadioField):
    """The mark may be left empty when saving for later; a value not on the list is refused."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()
        if self.data in (None, ""):
            return  # "Save and come back later" may keep only the reason; submitting needs a mark
        super().pre_validate(form)


class MarkForm(BaseForm):
    mark = MarkChoice(
        "How good is this answer?",
        invalid_message="Choose one of the marks on the list",
    )
    rationale = TextAreaField(
        "Why did you give this mark?",
        description="Say in your own words what was good or what was missing. "
        "Other people on the panel and the council will read this.",
        validators=[
            Length(
                max=MAX_REASON,
                message=f"Your reason is too long: keep it under {MAX_REASON:,} characters",
            )
        ],
        widget=GovTextArea(),
    )

    def __init__(self, scale: list[dict], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = scale
        self.mark.choices = [(str(entry["mark"]), choice_label(entry)) for entry in scale]

    def radio_items(self) -> list[dict]:
        """Each mark in large text, with its everyday description underneath."""
        items = []
        for entry in self.scale:
            item = {"label": {"classes": "app-panel-text govuk-!-font-weight-bold"}}
            if entry.get("descriptor"):
                item["hint"] = {"text": entry["descriptor"], "classes": "app-panel-text"}
            items.append(item)
        return items


def choice_label(entry: dict) -> str:
    """ "Excellent — 5", or just the number when the scale has no words for it."""
    label = str(entry.get("label") or "").strip()
    mark = entry["mark"]
    return f"{label} — {mark}" if label and label != str(mark) else str(mark)


# What the marking service asks for on submitting, in the words of the panel's buttons.
PLAIN_SUBMIT_ERRORS = {
    "mark": "Choose how good this answer is before you say you are happy with the mark",
    "rationale": "Tell us why you gave this mark before you say you are happy with it",
}

ALREADY_HAPPY = (
    "You have already said you are happy with the mark for this answer, so it cannot be changed now"
)


def chosen_action(values) -> str | None:
    """Which button was pressed: "save" or "submit" (None for anything else)."""
    action = values.get("action")
    return action if action in ACTIONS else None
