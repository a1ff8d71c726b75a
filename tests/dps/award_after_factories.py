"""An approved award made straight from the models (no proposal or letters code needed): the
evaluation world's tender, a hand-built results snapshot, and an AwardDecision in any state.

    world = awarded_world(app, make_user, status="standstill", ends_in=timedelta(days=3))

Lot n is won by bidder n-1 (bidder A wins lot 1, bidder B lot 2), at the prices in PRICES.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models import Lot, Tender
from dps.models.award import AwardDecision
from dps.services.results_types import BidResult, LotResult, TenderResults
from dps.state.clock import now
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.evaluation_factories import EvaluationWorld, evaluation_world

PRICES = ("27.10", "27.22", "27.34", "27.46")


@dataclass(frozen=True)
class AwardWorld:
    world: EvaluationWorld
    award_id: int
    reference: str

    @property
    def tender_id(self) -> int:
        return self.world.tender_id


def snapshot(tender_id: int, bidder_org_ids: list[int], bid_ids: dict) -> TenderResults:
    """Results where lot n is won by bidder n-1; every other bidder ranked lower."""
    tender = db.session.get(Tender, tender_id)
    lots = []
    for index, lot in enumerate(tender.lots):
        winner = bidder_org_ids[index % len(bidder_org_ids)]
        bids = []
        order = [winner] + [org for org in bidder_org_ids if org != winner]
        for position, org_id in enumerate(order, start=1):
            price = Decimal(PRICES[bidder_org_ids.index(org_id) % len(PRICES)])
            bids.append(
                BidResult(
                    bid_id=bid_ids[(org_id, lot.id)],
                    organisation_id=org_id,
                    organisation_name=f"Care Provider {chr(65 + bidder_org_ids.index(org_id))} Ltd",
                    quality_score=Decimal("60") - position,
                    price=price,
                    price_score=Decimal("30"),
                    combined=Decimal("90") - position,
                    position=position,
                    excluded=False,
                    exclusion_reasons=(),
                    won=org_id == winner,
                    reason="Highest combined score" if org_id == winner else "Ranked lower",
                )
            )
        lots.append(
            LotResult(
                lot_id=lot.id,
                number=lot.number,
                title=lot.title,
                hours_per_week=lot.hours_per_week,
                providers_to_appoint=lot.providers_to_appoint,
                bids=tuple(bids),
                winner_bid_ids=(bid_ids[(winner, lot.id)],),
            )
        )
    return TenderResults(
        tender_id=tender.id,
        reference=tender.reference,
        title=tender.title,
        quality_weight=tender.quality_weight,
        price_weight=tender.price_weight,
        lots=tuple(lots),
        ready=True,
    )


def awarded_world(
    app,
    make_user,
    *,
    status: str = "standstill",
    ends_in: timedelta | None = timedelta(days=3),
    bidders: int = 3,
    lots: int = 2,
) -> AwardWorld:
    world = evaluation_world(app, make_user, bidders=bidders, lots=lots)
    with app_ctx(app):
        results = snapshot(world.tender_id, world.bidder_org_ids, world.bid_ids)
        tender = db.session.get(Tender, world.tender_id)
        if status not in ("proposed", "withdrawn"):
            tender.status = "awarded"
        award = AwardDecision(
            tender_id=world.tender_id,
            status=status,
            results=json.dumps(results.to_dict()),
            proposed_by_id=f.user(world.officer).id,
            proposed_at=now() - timedelta(days=2),
            approved_by_id=None if status == "proposed" else f.user(world.officer2).id,
            approved_at=None if status == "proposed" else now() - timedelta(days=1),
            letters_sent_at=None if status in ("proposed", "approved") else now(),
            standstill_applies=ends_in is not None,
            standstill_ends_at=now() + ends_in if ends_in is not None else None,
        )
        db.session.add(award)
        db.session.commit()
        return AwardWorld(world=world, award_id=award.id, reference=tender.reference)


def lot_ids(tender_id: int) -> list[int]:
    return list(
        db.session.scalars(select(Lot.id).where(Lot.tender_id == tender_id).order_by(Lot.number))
    )
