"""Provider routes: invited tenders and bids (registered on the provider blueprint).

Every bid URL goes through `bids.bid_view`, which refuses (404) a tender the organisation is not
invited to, a lot not in its invitation and a lot not in the tender. The service checks and
seals what is typed; these views only move it between the forms and the service.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from dps.provider.bid_forms import ConfirmForm
from dps.provider.routes import bp
from dps.services import bids, documents
from dps.services.bid_content import CALL_LENGTHS, ROLES, BidError, word_count
from dps.state.clock import now
from dps.state.tender import BID_LABELS, TENDER_LABELS

BID = "/tenders/<int:tender_id>/lots/<int:lot_id>/bid"


def org_id() -> int:
    return current_user.organisation_id


def load_bid(tender_id: int, lot_id: int, started: bool = True) -> bids.BidView:
    """The bid page's data, or 404; a section of a bid not yet started goes to its overview."""
    try:
        view = bids.bid_view(tender_id, lot_id, org_id())
    except bids.BidNotFound:
        abort(404)
    closed_page = not view.editable and request.method == "GET"
    if started and (view.bid is None or closed_page):
        abort(redirect(url_for("provider.bid", tender_id=tender_id, lot_id=lot_id)))
    return view


def to_overview(view: bids.BidView):
    return redirect(url_for("provider.bid", tender_id=view.tender.id, lot_id=view.lot.id))


def show_errors(form, error: BidError, field_for) -> list[str]:
    """Put the service's messages beside their fields; return those that belong to no field."""
    loose = []
    for key, message in error.errors.items():
        name = field_for(key)
        if name and name in form._fields:
            form._fields[name].errors = [message]
        else:
            loose.append(message)
    form._errors = None  # WTForms caches form.errors
    if not error.errors:
        loose.append(error.message)
    return loose


def page_context(view: bids.BidView) -> dict:
    return {
        "view": view,
        "tender": view.tender,
        "lot": view.lot,
        "time_left": bids.time_left_words(view.tender.closing_at, now()),
        "bid_labels": BID_LABELS,
    }


# --- invited tenders ---------------------------------------------------------------------------


@bp.route("/tenders")
def tenders():
    return render_template(
        "provider/bids/tenders.html",
        invited=bids.tenders_for(org_id()),
        tender_labels=TENDER_LABELS,
        bid_labels=BID_LABELS,
    )


@bp.route("/tenders/<int:tender_id>")
def tender(tender_id: int):
    entry = bids.invited_tender(tender_id, org_id())
    if entry is None:
        abort(404)
    return render_template(
        "provider/bids/tender.html",
        entry=entry,
        tender=entry.tender,
        time_left=bids.time_left_words(entry.tender.closing_at, now()),
        tender_labels=TENDER_LABELS,
        bid_labels=BID_LABELS,
        questions_url=f"/provider/tenders/{tender_id}/questions",
    )


@bp.route("/tenders/<int:tender_id>/documents/<int:item_id>")
def tender_document(tender_id: int, item_id: int):
    found = bids.tender_document(tender_id, org_id(), item_id)
    if found is None:
        abort(404)
    return send_file(**documents.send_args(found))


# --- the bid -----------------------------------------------------------------------------------


def _section_url(view: bids.BidView, key: str) -> str:
    """The page of the bid where a problem (keyed by the part of the bid) is put right."""
    where = {"tender_id": view.tender.id, "lot_id": view.lot.id}
    part, _, rest = key.partition(".")
    if part == "answers" and rest.isdigit():
        return url_for("provider.answer", question_id=int(rest), **where)
    endpoint = {
        "cost_inputs": "provider.costs",
        "call_rates": "provider.call_rates",
        "capacity_hours": "provider.capacity",
        "subcontractors": "provider.partners",
    }
    return url_for(endpoint.get(part, "provider.bid"), **where)


def _status(done: bool, started: bool, problem: str = "Incomplete") -> dict:
    if done:
        return {"text": "Completed"}
    if started:
        return {"tag": {"text": problem, "classes": "govuk-tag--yellow"}}
    return {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}}


def _tasks(view: bids.BidView) -> list[dict]:
    """The bid's task list: one item per question, then the price, capacity and partners."""
    problems, content = view.problems, view.content
    tasks = []
    for question in view.tender.questions:
        key = f"answers.{question.id}"
        tasks.append(
            {
                "title": {"text": f"Question {question.number}"},
                "hint": {"text": question.text},
                "href": _section_url(view, key),
                "status": _status(
                    key not in problems,
                    str(question.id) in content["answers"],
                    "Over the word limit",
                ),
            }
        )
    sections = [("cost_inputs", "Cost breakdown", bool(content["cost_inputs"]))]
    if view.tender.ask_call_length_rates:
        sections.append(("call_rates", "Call-length rates", bool(content["call_rates"])))
    sections += [
        ("capacity_hours", "Capacity", False),
        ("subcontractors", "Subcontractors and consortium partners", False),
    ]
    for key, title, started in sections:
        tasks.append(
            {
                "title": {"text": title},
                "href": _section_url(view, key),
                "status": _status(key not in problems, started),
            }
        )
    return tasks


@bp.route(BID)
def bid(tender_id: int, lot_id: int):
    view = load_bid(tender_id, lot_id, started=False)
    tasks = _tasks(view) if view.bid else []
    return render_template(
        "provider/bids/bid.html", form=ConfirmForm(), tasks=tasks, **page_context(view)
    )


@bp.route(BID + "/start", methods=["POST"])
def start_bid(tender_id: int, lot_id: int):
    view = load_bid(tender_id, lot_id, started=False)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            bids.start_or_resume_bid(tender_id, lot_id, org_id(), actor=current_user)
        except BidError as error:
            flash(error.message)
    return to_overview(view)


@bp.route(BID + "/check", methods=["GET", "POST"])
def check(tender_id: int, lot_id: int):
    view = load_bid(tender_id, lot_id)
    form = ConfirmForm()
    problems = None
    if request.method == "POST" and form.validate_on_submit():
        bid_id = view.bid.id
        try:
            version = bids.submit(bid_id, org_id(), current_user)
        except BidError as error:
            problems = error.errors or {"": error.message}
        else:
            return redirect(url_for("provider.bid_receipt", bid_id=bid_id, version=version.version))
    if problems is None:
        problems = view.problems
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/bids/check.html",
        form=form,
        problems=problems,
        assessment=view.assessment,
        problem_links=[(message, _section_url(view, key)) for key, message in problems.items()],
        word_counts={
            q.id: word_count(view.content["answers"].get(str(q.id), ""))
            for q in view.tender.questions
        },
        roles=ROLES,
        zone_names=dict(view.facts.zones),
        lengths=CALL_LENGTHS,
        submitted=request.method == "POST",
        **page_context(view),
    ), status


@bp.route(BID + "/withdraw", methods=["GET", "POST"])
def withdraw(tender_id: int, lot_id: int):
    view = load_bid(tender_id, lot_id)
    if view.bid.status != "submitted":
        return to_overview(view)
    form = ConfirmForm()
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            version = bids.withdraw(view.bid.id, org_id(), current_user)
        except BidError as error:
            problem = error.message
        else:
            flash(
                f"Your bid {version.receipt_reference} is withdrawn. It will not be evaluated "
                "unless you submit it again before the closing time."
            )
            return to_overview(view)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "provider/bids/withdraw.html", form=form, problem=problem, **page_context(view)
    ), status


@bp.route("/bids/<int:bid_id>/receipts/<int:version>")
def bid_receipt(bid_id: int, version: int):
    found = bids.receipt(bid_id, org_id(), version)
    if found is None:
        abort(404)
    return render_template(
        "provider/bids/receipt.html",
        version=found,
        bid=found.bid,
        received=bids.receipt_time(found.submitted_at),
        closing=bids.receipt_time(found.bid.tender.closing_at),
    )


# The pages that write each part of the bid register on the blueprint too.
from dps.provider import bid_sections  # noqa: E402, F401
