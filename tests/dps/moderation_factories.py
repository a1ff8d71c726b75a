"""Submitted marks made directly (as if markers had marked), for the moderation tests."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models import Bid, Mark, User
from dps.state.clock import now


def user_id(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


def add_mark(
    tender_id: int,
    bid_id: int,
    question_id: int,
    marker: str,
    mark: str | int | None,
    rationale: str = "",
    submitted: bool = True,
) -> int:
    """One marker's mark for one answer; the caller commits."""
    row = Mark(
        tender_id=tender_id,
        bid_id=bid_id,
        question_id=question_id,
        marker_id=user_id(marker),
        mark=None if mark is None else Decimal(str(mark)),
        rationale=rationale or f"Rationale by {marker}: mark {mark}.",
        submitted_at=now() if submitted else None,
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def mark_everything(tender_id: int, question_ids: list[int], markers: list[str]) -> None:
    """Every answer of every submitted bid marked by each marker (3, then 4, then 5, ...)."""
    bids = db.session.scalars(
        select(Bid.id).where(Bid.tender_id == tender_id, Bid.status == "submitted")
    ).all()
    for bid_id in bids:
        for question_id in question_ids:
            for offset, marker in enumerate(markers):
                add_mark(tender_id, bid_id, question_id, marker, min(3 + offset, 5))
    db.session.commit()
