"""The conflict-of-interest declaration, shared by the evaluator's and the panel member's pages:
one checkbox per bidding organisation (names only, never prices), a text box for each ticked
one, and an explicit "none" the first time. Only the wording differs between the two areas."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import Length

from dps.forms import BaseForm
from dps.services import evaluation_assignments as assignments

NONE = "none"


@dataclass(frozen=True)
class Wording:
    legend: str
    add_legend: str
    hint: str
    nature_label: str  # with {name}
    nature_hint: str
    none_label: str
    nothing_ticked: str
    nothing_new: str
    missing_nature: str  # with {name}
    button: str
    done: str


EVALUATOR = Wording(
    legend="Do you have a conflict of interest with any of these bidders?",
    add_legend="Add a conflict of interest",
    hint="For example: you, a close relative or a friend work for them, own part of them, have "
    "worked for them in the last three years, or are close to someone who runs them. A declared "
    "conflict keeps you away from that bidder's answers.",
    nature_label="What is the conflict with {name}?",
    nature_hint="A sentence or two is enough.",
    none_label="I have no conflict of interest with any of them",
    nothing_ticked="Select the bidders you have a conflict with, or select that you have none",
    nothing_new="Select a bidder you have not declared a conflict with yet",
    missing_nature="Describe the conflict with {name}",
    button="Submit declaration",
    done="Your declaration of conflicts of interest has been recorded.",
)
PANEL = Wording(
    legend="Do you know any of these organisations?",
    add_legend="Tell us about another organisation you know",
    hint="These are the care companies that want to do this work. Tick any you know. For "
    "example, they look after you or someone close to you, or you work or used to work there. "
    "If you tick one, you will not be asked to mark what it wrote.",
    nature_label="How do you know {name}?",
    nature_hint="For example: they care for my mum.",
    none_label="No, I do not know any of them",
    nothing_ticked="Tick the organisations you know, or tick 'No, I do not know any of them'",
    nothing_new="Tick an organisation you have not told us about yet",
    missing_nature="Tell us how you know {name}",
    button="Send my answer",
    done="Thank you. We have recorded your answer.",
)


class _DeclarationBase(BaseForm):
    organisations: dict[str, str]
    wording: Wording

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        ticked = [value for value in (self.known.data or []) if value]
        if not ticked:
            none_offered = any(value == NONE for value, _ in self.known.choices)
            message = self.wording.nothing_ticked if none_offered else self.wording.nothing_new
            self.known.errors = [message]
            return False
        allowed = {value for value, _ in self.known.choices}
        if any(value not in allowed for value in ticked):
            self.known.errors = ["Choose from the organisations listed"]
            return False
        if NONE in ticked and len(ticked) > 1:
            self.known.errors = [f"Select '{self.wording.none_label}' only on its own"]
            return False
        for value in ticked:
            if value == NONE:
                continue
            nature = self[f"nature_{value}"]
            if not (nature.data or "").strip() and not nature.errors:
                nature.errors = [
                    *nature.errors,
                    self.wording.missing_nature.format(name=self.organisations[value]),
                ]
                valid = False
        return valid

    def conflicts(self) -> dict[int, str]:
        return {
            int(value): self[f"nature_{value}"].data
            for value in self.known.data or []
            if value and value != NONE
        }


def declaration_form(state: assignments.DeclarationState, wording: Wording) -> BaseForm:
    """A form for the bidders not declared yet; "none" is offered only the first time."""
    choices = [(str(org_id), name) for org_id, name in state.open_bidders]
    if state.declaration is None:
        choices.append((NONE, wording.none_label))
    legend = wording.legend if state.declaration is None else wording.add_legend

    class DeclarationForm(_DeclarationBase):
        known = SelectMultipleField(legend, choices=choices, validate_choice=False)

    for org_id, name in state.open_bidders:
        setattr(
            DeclarationForm,
            f"nature_{org_id}",
            TextAreaField(
                wording.nature_label.format(name=name),
                description=wording.nature_hint,
                validators=[
                    Length(
                        max=assignments.MAX_NATURE,
                        message=f"Keep this to {assignments.MAX_NATURE} characters or fewer",
                    )
                ],
                widget=GovTextArea(),
            ),
        )
    form = DeclarationForm()
    form.organisations = dict(choices)
    form.wording = wording
    return form


def declaration_page(blueprint: str, template: str, wording: Wording, tender_id: int):
    """GET/POST of a marker's declaration: Post/Redirect/Get to the area's dashboard."""
    try:
        state = assignments.declaration_state(current_user.id, tender_id)
    except assignments.NotFound:
        abort(404)
    can_add = state.declaration is None or bool(state.open_bidders)
    form = declaration_form(state, wording) if can_add else None
    if form is not None and form.validate_on_submit():
        try:
            assignments.declare(current_user.id, tender_id, form.conflicts())
        except assignments.NotFound:
            abort(404)
        except assignments.AssignmentError as error:
            form.known.errors = [str(error)]
        else:
            flash(wording.done)
            return redirect(url_for(f"{blueprint}.dashboard"))
    posted = request.method == "POST"
    status = 400 if posted and (form is None or form.errors) else 200
    return render_template(
        template, state=state, form=form, wording=wording, none_value=NONE
    ), status
