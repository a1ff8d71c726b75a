"""Loading what a tender's results need in a fixed number of SELECTs, whatever the bids.

One query each for the tender, lots, questions, submitted bids (with their organisation names),
price reviews, consensus marks and the submitted markers' rationales; missing price reviews are
created first when the price checks module is there.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.bid import Bid
from dps.models.evaluation import ConsensusMark, Mark, PriceReview
from dps.models.organisation import Organisation
from dps.models.tender import Lot, QualityQuestion, Tender


class ResultsError(Exception):
    """The results cannot be built (no such tender)."""


@dataclass(frozen=True)
class BidRow:
    id: int
    lot_id: int
    organisation_id: int
    name: str
    submitted_at: datetime | None


@dataclass
class Loaded:
    """Everything the results need, loaded with one SELECT per kind."""

    tender: Tender
    lots: list[Lot]
    questions: list[QualityQuestion]
    bids: list[BidRow]
    reviews: dict[int, PriceReview]
    consensus: dict[int, dict[int, ConsensusMark]]
    rationales: dict[tuple[int, int], list[str]]


def _load_reviews(tender_id: int) -> dict[int, PriceReview]:
    rows = db.session.scalars(select(PriceReview).where(PriceReview.tender_id == tender_id))
    return {review.bid_id: review for review in rows}


def _reviews(tender: Tender, bid_ids: set[int]) -> dict[int, PriceReview]:
    """The price reviews, creating the missing ones when the price checks module exists."""
    reviews = _load_reviews(tender.id)
    if bid_ids - set(reviews) and tender.opened_at is not None:
        if importlib.util.find_spec("dps.services.price_review") is not None:
            from dps.services import price_review

            ensure = getattr(price_review, "ensure_reviews", None)
            if ensure is not None:
                ensure(tender.id)
                reviews = _load_reviews(tender.id)
    return reviews


def _unique_names(rows: list[tuple[int, str]]) -> dict[int, str]:
    """Organisation names, made unique (the engine's sentences key bidders by name)."""
    counts: dict[str, int] = defaultdict(int)
    for _, name in dict(rows).items():
        counts[name] += 1
    return {
        org_id: name if counts[name] == 1 else f"{name} (organisation {org_id})"
        for org_id, name in rows
    }


def load(tender_id: int) -> Loaded:
    tender = db.session.get(Tender, tender_id)
    if tender is None:
        raise ResultsError("No such tender.")
    lots = list(
        db.session.scalars(select(Lot).where(Lot.tender_id == tender_id).order_by(Lot.number))
    )
    questions = list(
        db.session.scalars(
            select(QualityQuestion)
            .where(QualityQuestion.tender_id == tender_id)
            .order_by(QualityQuestion.number)
        )
    )
    raw = db.session.execute(
        select(Bid.id, Bid.lot_id, Bid.organisation_id, Organisation.name, Bid.submitted_at)
        .join(Organisation, Organisation.id == Bid.organisation_id)
        .where(Bid.tender_id == tender_id, Bid.status == "submitted")
        .order_by(Bid.lot_id, Organisation.name, Bid.id)
    ).all()
    names = _unique_names([(row.organisation_id, row.name) for row in raw])
    bids = [
        BidRow(
            row.id, row.lot_id, row.organisation_id, names[row.organisation_id], row.submitted_at
        )
        for row in raw
    ]
    reviews = _reviews(tender, {bid.id for bid in bids})
    consensus: dict[int, dict[int, ConsensusMark]] = defaultdict(dict)
    for mark in db.session.scalars(
        select(ConsensusMark).where(ConsensusMark.tender_id == tender_id)
    ):
        consensus[mark.bid_id][mark.question_id] = mark
    rationales: dict[tuple[int, int], list[str]] = defaultdict(list)
    for row in db.session.execute(
        select(Mark.bid_id, Mark.question_id, Mark.rationale)
        .where(Mark.tender_id == tender_id, Mark.submitted_at.is_not(None))
        .order_by(Mark.marker_id, Mark.id)
    ):
        if row.rationale and row.rationale.strip():
            rationales[(row.bid_id, row.question_id)].append(row.rationale.strip())
    return Loaded(tender, lots, questions, bids, reviews, consensus, rationales)
