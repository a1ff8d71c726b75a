"""Contracts to uplift, made straight from the models on an awarded tender:

- C1: lot 1, bidder A, at exactly its winning bid's price (basic pay 12.80);
- C2: lot 2, bidder B, at a negotiated 30.00 (its bid says about 27.2): scaled by the engine's %;
- C3: lot 2, a provider with no bid (e.g. a novation): the tender's template scaled to 25.00;
- OLD: lot 1, bidder C, ending before the effective date: not live, never uplifted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dps.extensions import db
from dps.models.award import Contract
from dps.models.organisation import Organisation
from evaluation.costs import UKHCA_STYLE_2026, calculate
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.award_after_factories import awarded_world, lot_ids
from tests.dps.evaluation_factories import costs

EFFECTIVE = date(2027, 4, 1)


def bid_inputs(index: int) -> dict[str, Decimal]:
    """Bidder `index`'s cost inputs as sealed by evaluation_world."""
    pay = f"{Decimal('12.80') + Decimal(index) / 20:.2f}"
    return {name: Decimal(value) for name, value in costs(pay, "0.28", "0.03").items()}


def bid_rate(index: int) -> Decimal:
    return calculate(UKHCA_STYLE_2026, bid_inputs(index)).total_rounded


@dataclass(frozen=True)
class UpliftWorld:
    officer: str
    officer2: str
    outsider: str
    bidders: list[str]
    extra_provider: str
    contract_ids: dict[str, int]  # "C1", "C2", "C3", "OLD"
    org_ids: dict[str, int]  # same keys: the contract's provider


def uplift_world(app, make_user) -> UpliftWorld:
    award = awarded_world(app, make_user, status="concluded", ends_in=None)
    world = award.world
    extra = make_user("provider", email="novated@carez.example", organisation="Care Provider Z Ltd")
    with app_ctx(app):
        lots = lot_ids(world.tender_id)
        extra_org = f.user(extra).organisation_id
        a, b, c = world.bidder_org_ids[:3]
        rows = {
            "C1": (lots[0], a, bid_rate(0), date(2030, 3, 31)),
            "C2": (lots[1], b, Decimal("30.00"), date(2030, 3, 31)),
            "C3": (lots[1], extra_org, Decimal("25.00"), date(2029, 3, 31)),
            "OLD": (lots[0], c, Decimal("26.00"), date(2027, 3, 31)),
        }
        ids, orgs = {}, {}
        for key, (lot_id, org_id, rate, end_on) in rows.items():
            contract = Contract(
                tender_id=world.tender_id,
                lot_id=lot_id,
                organisation_id=org_id,
                reference=f"{award.reference}-{key}",
                start_on=date(2026, 4, 1),
                end_on=end_on,
                hourly_rate=rate,
                hours_per_week=Decimal("100.00"),
            )
            db.session.add(contract)
            db.session.flush()
            ids[key], orgs[key] = contract.id, org_id
        db.session.commit()
        assert db.session.get(Organisation, extra_org) is not None
    return UpliftWorld(
        officer=world.officer,
        officer2=world.officer2,
        outsider=world.outsider_officer,
        bidders=world.bidders,
        extra_provider=extra,
        contract_ids=ids,
        org_ids=orgs,
    )
