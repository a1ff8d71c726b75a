"""Settled evaluation data for the results tests: consensus marks, submitted marks and price
reviews written straight to the database on top of `evaluation_world`."""

from __future__ import annotations

from decimal import Decimal

from dps.extensions import db
from dps.models import Tender
from dps.models.evaluation import ConsensusMark, Mark, PriceReview
from dps.state.clock import now
from tests.conftest import app_ctx
from tests.dps import tender_factories as f


def settle(
    app,
    world,
    marks: dict[tuple[int, int], tuple[int | None, ...]],
    prices: dict[tuple[int, int], str | tuple[str, str] | tuple[str, str, str]],
    *,
    capacity: str = "2000",
    reasons: dict[tuple[int, int, int], str] | None = None,
    individual: bool = True,
) -> None:
    """marks[(bidder index, lot index)] = consensus marks per question (None = not moderated);
    prices[...] = "25.00" (checked) or (price, status) or (price, status, decision reason).
    Each consensus mark also gets two submitted individual marks with rationales."""
    reasons = reasons or {}
    with app_ctx(app):
        moderator = f.user(world.officer).id
        markers = [f.user(email).id for email in world.evaluators]
        for (bidder, lot), values in marks.items():
            bid_id = world.bid_ids[(world.bidder_org_ids[bidder], world.lot_ids[lot])]
            for number, (question_id, mark) in enumerate(
                zip(world.question_ids, values, strict=True), start=1
            ):
                if mark is None:
                    continue
                if individual:
                    for index, marker in enumerate(markers):
                        db.session.add(
                            Mark(
                                tender_id=world.tender_id,
                                bid_id=bid_id,
                                question_id=question_id,
                                marker_id=marker,
                                mark=Decimal(mark),
                                rationale=f"Marker {index + 1} on Q{number}: clear plan.",
                                submitted_at=now(),
                            )
                        )
                db.session.add(
                    ConsensusMark(
                        tender_id=world.tender_id,
                        bid_id=bid_id,
                        question_id=question_id,
                        mark=Decimal(mark),
                        reason=reasons.get((bidder, lot, number), ""),
                        moderator_id=moderator,
                    )
                )
        for (bidder, lot), value in prices.items():
            bid_id = world.bid_ids[(world.bidder_org_ids[bidder], world.lot_ids[lot])]
            price, status, reason = (
                (value, "checked", None) if isinstance(value, str) else (*value, None)[:3]
            )
            db.session.add(
                PriceReview(
                    tender_id=world.tender_id,
                    bid_id=bid_id,
                    status=status,
                    hourly_price=Decimal(price),
                    capacity_hours=Decimal(capacity),
                    decision_reason=reason,
                )
            )
        db.session.commit()


def set_tender(app, tender_id: int, **values) -> None:
    with app_ctx(app):
        tender = db.session.get(Tender, tender_id)
        for name, value in values.items():
            setattr(tender, name, value)
        db.session.commit()


def names(world) -> list[str]:
    return [f"Care Provider {chr(65 + i)} Ltd" for i in range(len(world.bidder_org_ids))]
