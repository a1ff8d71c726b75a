"""Price checks of opened bids and the abnormally-low explanation procedure.

Every submitted bid of an opened tender gets one PriceReview: the engine's hourly price and
viability findings. A price below the National Living Wage is rejected by the rule; an abnormally
low one is never rejected without first asking the bidder to explain (dps/state/price_review.py).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dps.extensions import db
from dps.models.bid import Bid
from dps.models.evaluation import PriceReview
from dps.models.messaging import Document
from dps.models.organisation import User
from dps.models.tender import Lot, Tender
from dps.services import audit, bids, inbox, sealing, uploads
from dps.services.bid_content import Assessment
from dps.services.notices import link, tell_organisation
from dps.services.opening import officer_tender
from dps.state.clock import format_london, now
from dps.state.machine import TransitionError, fire
from dps.state.price_review import PRICE_REVIEW_TRANSITIONS, SETTLED


class PriceReviewError(Exception):
    """A price-check step that cannot be taken, in words for the person who tried it."""


# Checking ---------------------------------------------------------------------------------


def open_bid_content(tender: Tender, bid: Bid) -> dict[str, Any]:
    """The bid's current submitted content; refused (SealedError) before the opening.

    Used by the system (a job has no user), so the check on the opening is made here as well
    as in sealing.open_for_officer.
    """
    if tender.opened_at is None:
        raise sealing.SealedError(
            "Bids stay sealed until the tender has been opened after its closing time."
        )
    version = bid.current_version
    if version is None:
        raise sealing.SealedError("This bid has no submitted version.")
    return sealing.open_for_officer(tender, bid.id, bid.organisation_id, None, version.ciphertext)


def _capacity(content: dict[str, Any]) -> Decimal | None:
    try:
        value = Decimal(str(content.get("capacity_hours")))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _review_for(tender: Tender, bid: Bid) -> PriceReview:
    """Run the engine on one bid and say what its price check found (not yet added)."""
    content = open_bid_content(tender, bid)
    assessment = bids.breakdown(content, tender, bid.lot)
    review = PriceReview(tender_id=tender.id, bid_id=bid.id, capacity_hours=_capacity(content))
    if assessment.breakdown is None:
        findings = [
            {
                "code": "not_calculable",
                "severity": "fail",
                "line_id": None,
                "message": assessment.error or "The cost breakdown cannot be calculated.",
            }
        ]
    else:
        review.hourly_price = assessment.breakdown.total_rounded
        findings = [finding.to_dict() for finding in assessment.findings]
    review.findings = json.dumps(findings)
    fails = [item["message"] for item in findings if item["severity"] == "fail"]
    if fails:
        review.status = "rejected"
        review.decision_reason = " ".join(fails)
        review.decided_at = now()
    elif any(item["code"] == "abnormally_low" for item in findings):
        review.status = "low"
    else:
        review.status = "checked"
    return review


def ensure_reviews(tender_id: int) -> None:
    """Create the missing price checks for the submitted bids of an opened tender (idempotent)."""
    tender = db.session.get(Tender, tender_id)
    if tender is None or tender.opened_at is None:
        return
    reviewed = select(PriceReview.bid_id).where(PriceReview.tender_id == tender_id)
    missing = db.session.scalars(
        select(Bid)
        .where(Bid.tender_id == tender_id, Bid.status == "submitted", Bid.id.not_in(reviewed))
        .options(selectinload(Bid.versions), selectinload(Bid.lot))
        .order_by(Bid.id)
    ).all()
    created = []
    for bid in missing:
        if bid.current_version is None:
            continue
        review = _review_for(tender, bid)
        db.session.add(review)
        created.append(review)
    if not created:
        return
    db.session.flush()
    for review in created:
        if review.status == "rejected":
            audit.record(
                "price.rejected_nlw",
                "price_review",
                review.id,
                {"bid_id": review.bid_id, "reason": review.decision_reason},
            )
    counts = Counter(review.status for review in created)
    audit.record(
        "price.checked",
        "tender",
        tender.id,
        {"reference": tender.reference, "bids": len(created), **dict(sorted(counts.items()))},
    )
    db.session.commit()


# Reading (officers) ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    review: PriceReview
    bid: Bid

    @property
    def findings(self) -> list[dict[str, Any]]:
        return json.loads(self.review.findings or "[]")

    @property
    def key_findings(self) -> list[dict[str, Any]]:
        return [item for item in self.findings if item["severity"] in ("fail", "flag")]


@dataclass(frozen=True)
class LotReviews:
    lot: Lot
    rows: list[ReviewRow]


def _tender_for(actor: User, tender_id: int) -> Tender:
    tender = officer_tender(actor, tender_id)
    if tender is None or tender.opened_at is None:
        raise PriceReviewError("No such tender.")
    return tender


def reviews_by_lot(actor: User, tender_id: int) -> tuple[Tender, list[LotReviews]]:
    """Every bid's price check, lot by lot (the checks are made first if any is missing)."""
    tender = _tender_for(actor, tender_id)
    ensure_reviews(tender.id)
    rows = db.session.execute(
        select(PriceReview, Bid)
        .join(Bid, PriceReview.bid_id == Bid.id)
        .where(PriceReview.tender_id == tender.id)
        .options(selectinload(Bid.organisation))
        .order_by(Bid.lot_id, PriceReview.hourly_price, Bid.id)
    ).all()
    by_lot: dict[int, list[ReviewRow]] = {}
    for review, bid in rows:
        by_lot.setdefault(bid.lot_id, []).append(ReviewRow(review, bid))
    lots = sorted(tender.lots, key=lambda lot: lot.number)
    return tender, [LotReviews(lot, by_lot.get(lot.id, [])) for lot in lots]


def open_count(lots: list[LotReviews]) -> int:
    """How many price checks are not settled yet."""
    return sum(1 for lot in lots for row in lot.rows if row.review.status not in SETTLED)


@dataclass(frozen=True)
class ReviewDetail:
    tender: Tender
    row: ReviewRow
    assessment: Assessment | None


def review_detail(actor: User, tender_id: int, bid_id: int) -> ReviewDetail:
    """One bid's price check with the engine's breakdown line by line."""
    tender = _tender_for(actor, tender_id)
    ensure_reviews(tender.id)
    review = _officer_review(tender, bid_id)
    content = open_bid_content(tender, review.bid)
    return ReviewDetail(
        tender, ReviewRow(review, review.bid), bids.breakdown(content, tender, review.bid.lot)
    )


def _officer_review(tender: Tender, bid_id: int, lock: bool = False) -> PriceReview:
    query = select(PriceReview).where(
        PriceReview.tender_id == tender.id, PriceReview.bid_id == bid_id
    )
    if lock:
        query = query.with_for_update()
    review = db.session.scalar(query)
    if review is None:
        raise PriceReviewError("No such price check.")
    return review


def officer_attachment(actor: User, tender_id: int, bid_id: int, document_id: int) -> Document:
    tender = _tender_for(actor, tender_id)
    review = _officer_review(tender, bid_id)
    for document in review.attachments:
        if document.id == document_id:
            return document
    raise PriceReviewError("No such document.")


# The procedure -----------------------------------------------------------------------------


def _fire(review: PriceReview, event: str, **context: Any) -> None:
    try:
        fire(PRICE_REVIEW_TRANSITIONS, review, event, **context)
    except TransitionError as error:
        raise PriceReviewError(str(error)) from None


def request_explanation(
    actor: User, tender_id: int, bid_id: int, text: str, due_at: datetime | None
) -> PriceReview:
    """Ask the bidder to explain an abnormally low price by a deadline."""
    tender = _tender_for(actor, tender_id)
    review = _officer_review(tender, bid_id, lock=True)
    _fire(review, "request_explanation", actor=actor, text=text, due_at=due_at)
    audit.record(
        "price.explanation_requested",
        "price_review",
        review.id,
        {"bid_id": bid_id, "due_at": review.response_due_at, "request": review.request_text},
        actor=actor,
    )
    tell_organisation(
        review.bid.organisation_id,
        f"Explain your price: {tender.reference}",
        f"{tender.reference} {tender.title}, lot {review.bid.lot.number}: your hourly price "
        f"£{review.hourly_price} is abnormally low compared with the cost of care. Before any "
        f"decision, explain how your price covers your costs by "
        f"{format_london(review.response_due_at)}.\n\n{review.request_text}\n\n"
        f"Answer here: {link('provider.price_explanation', review_id=review.id)}",
        current_app.config["SERVICE_NAME"],
        dedupe_key=f"price_review:{review.id}:requested",
    )
    db.session.commit()
    return review


def decide(actor: User, tender_id: int, bid_id: int, decision: str, reason: str) -> PriceReview:
    """Accept or reject the explanation (or reject after an unanswered deadline), with reasons."""
    if decision not in ("accept", "reject"):
        raise PriceReviewError("Choose whether to accept or reject the price.")
    tender = _tender_for(actor, tender_id)
    review = _officer_review(tender, bid_id, lock=True)
    before = review.status
    _fire(review, decision, actor=actor, reason=reason)
    audit.record(
        f"price.explanation_{'accepted' if decision == 'accept' else 'rejected'}",
        "price_review",
        review.id,
        {"bid_id": bid_id, "from": before, "reason": review.decision_reason},
        actor=actor,
    )
    db.session.commit()
    return review


# The bidder's side -----------------------------------------------------------------------


def provider_review(organisation_id: int | None, review_id: int) -> PriceReview | None:
    """The review if a request was sent to this organisation's bid; else None (404)."""
    if organisation_id is None:
        return None
    return db.session.scalar(
        select(PriceReview)
        .join(Bid, PriceReview.bid_id == Bid.id)
        .where(
            PriceReview.id == review_id,
            Bid.organisation_id == organisation_id,
            PriceReview.requested_at.is_not(None),
        )
    )


def answer(actor: User, review_id: int, text: str, files: list) -> PriceReview:
    """The bidder's explanation, with optional attachments, before the deadline."""
    review = provider_review(actor.organisation_id, review_id)
    if review is None:
        raise PriceReviewError("No such request.")
    db.session.refresh(review, with_for_update=True)
    _fire(review, "receive", actor=actor, text=text)
    try:
        for storage in files:
            if storage:
                review.attachments.append(
                    uploads.accept_upload(
                        storage,
                        organisation_id=actor.organisation_id,
                        uploaded_by_id=actor.id,
                        purpose="price_explanation",
                    )
                )
    except uploads.UploadRefused as refused:
        db.session.rollback()
        raise PriceReviewError(refused.message) from None
    db.session.flush()
    tender = review.tender
    audit.record(
        "price.explanation_received",
        "price_review",
        review.id,
        {"bid_id": review.bid_id, "attachments": [d.original_name for d in review.attachments]},
        actor=actor,
    )
    inbox.post(
        tender.dps.lead_authority_id,
        f"Price explanation received: {tender.reference}",
        f"{review.bid.organisation.name} has explained its price for {tender.reference}, lot "
        f"{review.bid.lot.number}. Decide whether to accept it: "
        f"{link('officer.price_check', tender_id=tender.id, bid_id=review.bid_id)}",
        review.bid.organisation.name,
        dedupe_key=f"price_review:{review.id}:received",
    )
    db.session.commit()
    return review


def open_requests(organisation_id: int | None) -> list[PriceReview]:
    """Requests for an explanation still waiting for this organisation's answer."""
    if organisation_id is None:
        return []
    return list(
        db.session.scalars(
            select(PriceReview)
            .join(Bid, PriceReview.bid_id == Bid.id)
            .where(
                Bid.organisation_id == organisation_id,
                PriceReview.status == "explanation_requested",
                PriceReview.response_due_at > now(),
            )
            .order_by(PriceReview.response_due_at)
        )
    )
