"""The marking form: a mark on the question's scale, a rationale, and save or submit. The rules
(whole number on the scale, rationale required to submit) live in dps.services.marking."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea
from wtforms import RadioField, TextAreaField

from dps.forms import BaseForm, submit


class MarkForm(BaseForm):
    mark = RadioField("Your mark", choices=[], validate_choice=False, widget=GovRadioInput())
    rationale = TextAreaField(
        "Why you gave this mark",
        description="Say what in the answer led you to this mark, using the descriptors. "
        "The moderator and the other markers will read it. Up to 5,000 characters.",
        widget=GovTextArea(),
    )
    save = submit("Save and come back later")
    submit_mark = submit("Submit this mark")

    def set_scale(self, scale: list[dict]) -> None:
        """Radios labelled "5 — Excellent: descriptor", in the scale's order (0 first)."""
        self.mark.choices = [
            (str(step["mark"]), f"{step['mark']} — {step['label']}: {step['descriptor']}")
            for step in sorted(scale, key=lambda step: step["mark"])
        ]
