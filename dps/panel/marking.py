"""The panel member's marking pages: one answer per page in plain words, the marks as labelled
choices, save for later or say "I'm happy with this mark", then straight on to the next one.

Panel members never see a care company's name or any price: the pages show only the labels and
the answer text that dps.services.marking hands out, with the lot named as its area.
"""

from __future__ import annotations

import re

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from dps.extensions import db
from dps.models.tender import Lot, QualityQuestion
from dps.panel.forms import (
    ALREADY_HAPPY,
    PLAIN_SUBMIT_ERRORS,
    SUBMIT,
    MarkForm,
    choice_label,
    chosen_action,
)
from dps.panel.routes import bp
from dps.services import marking

_LABEL = re.compile(r"^Bidder (?P<letter>[A-Z]+)(?:, lot (?P<lot>\d+))?$")
DONE = marking.SUBMITTED


# Plain words ----------------------------------------------------------------------------------


def lot_areas(tender_id: int) -> dict[int, str]:
    """Lot number → the area it covers ("Bassetlaw"), the way people know the place."""
    areas = {}
    for lot in db.session.scalars(select(Lot).where(Lot.tender_id == tender_id)):
        names = [zone.name for zone in lot.zones]
        title = lot.title.split(":", 1)[-1].strip() if ":" in lot.title else lot.title
        areas[lot.number] = " and ".join(names) if names else title
    return areas


def plain_label(label: str, areas: dict[int, str]) -> dict:
    """ "Bidder C, lot 2" → {"company": "Care company C", "area": "Bassetlaw"}."""
    match = _LABEL.match(label)
    if match is None:
        return {"company": label.replace("Bidder", "Care company"), "area": ""}
    lot = match.group("lot")
    area = areas.get(int(lot), "") if lot else ""
    return {"company": f"Care company {match.group('letter')}", "area": area}


def answer_title(label: str, areas: dict[int, str]) -> str:
    words = plain_label(label, areas)
    return f"Answer from {words['company']}" + (f" for {words['area']}" if words["area"] else "")


def _own_choice(view: marking.AnswerView) -> str | None:
    if view.own is None or view.own.mark is None:
        return None
    return str(int(view.own.mark))


def _mark_words(mark, scale: list[dict]) -> str:
    """A mark as its label ("Good — 4"), for marks already given."""
    if mark is None:
        return "No mark chosen yet"
    for entry in scale:
        if str(entry["mark"]) == str(int(mark)):
            return choice_label(entry)
    return str(int(mark))


# Declaration first ----------------------------------------------------------------------------


def _declaration_needed(tender_id: int):
    """Send the member to the declaration page (task A's), or explain that one is needed."""
    if "panel.declare" in current_app.view_functions:
        return redirect(url_for("panel.declare", tender_id=tender_id))
    return render_template("panel/declaration_needed.html"), 200


# Pages ----------------------------------------------------------------------------------------


@bp.route("/how-marking-works")
def how_it_works():
    return render_template("panel/how_it_works.html")


@bp.route("/tenders/<int:tender_id>/questions/<int:question_id>")
def question(tender_id: int, question_id: int):
    try:
        answers = marking.answers_for(current_user.id, tender_id, question_id)
    except marking.DeclarationNeeded:
        return _declaration_needed(tender_id)
    except marking.MarkingNotFound:
        abort(404)
    if not answers:
        abort(404)
    question_row = db.session.get(QualityQuestion, question_id)  # access checked just above
    areas = lot_areas(tender_id)
    waiting = [ref for ref in answers if ref.status != DONE]
    return render_template(
        "panel/question.html",
        question=question_row,
        tender=question_row.tender,
        good_answer=question_row.plain_guidance or question_row.guidance,
        answers=[(ref, plain_label(ref.label, areas)) for ref in answers],
        done=len(answers) - len(waiting),
        start=(waiting[0] if waiting else answers[0]).bid_id,
        started=any(ref.status != marking.NOT_STARTED for ref in answers),
    )


def _next_after(tender_id: int, question_id: int, bid_id: int) -> str:
    """The next answer still to be marked after this one (going round), else the finished page."""
    answers = marking.answers_for(current_user.id, tender_id, question_id)
    ids = [ref.bid_id for ref in answers]
    start = ids.index(bid_id) + 1 if bid_id in ids else 0
    for ref in answers[start:] + answers[:start]:
        if ref.status != DONE:
            return url_for(
                "panel.answer", tender_id=tender_id, question_id=question_id, bid_id=ref.bid_id
            )
    return url_for("panel.finished", tender_id=tender_id, question_id=question_id)


@bp.route(
    "/tenders/<int:tender_id>/questions/<int:question_id>/answers/<int:bid_id>",
    methods=["GET", "POST"],
)
def answer(tender_id: int, question_id: int, bid_id: int):
    try:
        view = marking.answer_view(current_user.id, tender_id, question_id, bid_id)
    except marking.DeclarationNeeded:
        return _declaration_needed(tender_id)
    except marking.MarkingNotFound:
        abort(404)
    own_submitted = view.own is not None and view.own.submitted_at is not None
    if request.method == "POST":
        form = MarkForm(view.scale)
    else:
        form = MarkForm(
            view.scale,
            data={"mark": _own_choice(view), "rationale": view.own.rationale if view.own else ""},
        )
    if request.method == "POST":
        if not form.validate_on_submit():
            return _answer_page(view, form, 400, own_submitted)
        submit = chosen_action(request.form) == SUBMIT
        try:
            marking.save_mark(
                current_user.id,
                tender_id,
                question_id,
                bid_id,
                form.mark.data or None,
                form.rationale.data or "",
                submit,
            )
        except marking.DeclarationNeeded:
            return _declaration_needed(tender_id)
        except marking.MarkingNotFound:
            abort(404)
        except marking.MarkingError as error:
            target = getattr(form, error.field or "", None) or form.mark
            if own_submitted:  # sent twice, or from an old window
                message = ALREADY_HAPPY
            else:
                message = PLAIN_SUBMIT_ERRORS.get(error.field or "") if submit else None
            target.errors = [*target.errors, message or error.message]
            return _answer_page(view, form, 400, own_submitted)
        if submit:
            flash(f"Thank you. Your mark for answer {view.position} is saved.")
            return redirect(_next_after(tender_id, question_id, bid_id))
        flash("Your mark is saved. You can come back to it at any time.")
        return redirect(url_for("panel.dashboard"))
    return _answer_page(view, form, 200, own_submitted)


def _answer_page(view, form, status: int, own_submitted: bool = False):
    areas = lot_areas(view.tender_id)
    return render_template(
        "panel/answer.html",
        view=view,
        form=form,
        title=answer_title(view.label, areas),
        own_submitted=own_submitted,
        own_words=_mark_words(view.own.mark, view.scale) if view.own else "",
        others=[(other, _mark_words(other.mark, view.scale)) for other in view.others],
        good_answer=view.plain_guidance or view.guidance,
    ), status


@bp.route("/tenders/<int:tender_id>/questions/<int:question_id>/finished")
def finished(tender_id: int, question_id: int):
    try:
        answers = marking.answers_for(current_user.id, tender_id, question_id)
    except marking.DeclarationNeeded:
        return _declaration_needed(tender_id)
    except marking.MarkingNotFound:
        abort(404)
    waiting = [ref for ref in answers if ref.status != DONE]
    return render_template(
        "panel/finished.html",
        question=db.session.get(QualityQuestion, question_id),
        total=len(answers),
        waiting=waiting,
        next_url=url_for(
            "panel.answer", tender_id=tender_id, question_id=question_id, bid_id=waiting[0].bid_id
        )
        if waiting
        else None,
    )
