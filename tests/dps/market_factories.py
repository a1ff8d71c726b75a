"""A small hand-built market for the dashboard tests: members with sizes and CQC ratings,
checked bid prices on an opened tender (and a sealed one that must not count), contracts and
applications decided either side of their due date (one of them late only in London time).

    world = market_world(app, make_user)

Every number the tests expect is worked out in the comments below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models import Bid, Lot, Tender
from dps.models.award import Contract
from dps.models.dps import Zone
from dps.models.evaluation import PriceReview
from dps.models.provider import CqcRating
from dps.state import clock
from tests.conftest import app_ctx
from tests.dps import stage1_factories as s1
from tests.dps import tender_factories as f
from tests.dps.evaluation_factories import evaluation_world

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # a Monday in British Summer Time
# Prices checked on the opened tender: lot 1 (Ashfield), lot 2 (Bassetlaw and Broxtowe).
LOT1_PRICES = ("25.00", "26.00", "27.00", "28.00")  # median 26.50; 2 under the 26.50 benchmark
LOT2_PRICES = ("24.00", "30.00", "31.00", "35.01")  # median 30.50; 1 under the benchmark
# Active members: Alpha (micro), Beta (small), Gamma (large), Epsilon (medium); Delta is
# suspended and counts nowhere.
MEMBERS = (
    (
        "Alpha Home Care",
        "micro",
        "active",
        [
            ("generic_home_care", "ashfield"),
            ("generic_home_care", "bassetlaw"),
            ("dementia", "ashfield"),
        ],
        [("Good", date(2024, 1, 10)), ("Outstanding", date(2025, 9, 1))],
    ),
    (
        "Beta Care",
        "small",
        "active",
        [("generic_home_care", "ashfield")],
        [("Requires improvement", date(2025, 2, 1))],
    ),
    (
        "Gamma Care Group",
        "large",
        "active",
        [("generic_home_care", "ashfield"), ("generic_home_care", "broxtowe")],
        [],
    ),
    (
        "Delta Dementia",
        "micro",
        "suspended",
        [("dementia", "bassetlaw")],
        [("Inadequate", date(2025, 5, 1))],
    ),
    (
        "Epsilon Care",
        "medium",
        "active",
        [("generic_home_care", "bassetlaw_north_rural")],
        [("Good", date(2025, 3, 3))],
    ),
)
# (status, due on, decided at): decided 3, on time 2 (one at 23:30 London on its due date),
# late 1 (00:30 London the day after), 1 waiting past its date, 1 waiting within it; the draft
# counts nowhere.
APPLICATIONS = (
    ("admitted", date(2026, 5, 20), datetime(2026, 5, 20, 22, 30, tzinfo=UTC)),
    ("rejected", date(2026, 5, 20), datetime(2026, 5, 20, 23, 30, tzinfo=UTC)),
    ("admitted", date(2026, 5, 25), datetime(2026, 5, 18, 10, 0, tzinfo=UTC)),
    ("submitted", date(2026, 5, 29), None),
    ("clarification", date(2026, 6, 10), None),
    ("draft", None, None),
)


@dataclass
class MarketWorld:
    dps_id: int
    tender_id: int
    officer: str
    outsider: str
    zone_ids: dict[str, int]
    category_ids: dict[str, int]


def market_world(app, make_user) -> MarketWorld:
    clock.set_fixed(NOW)
    evaluation = evaluation_world(app, make_user, bidders=4, lots=2)
    with app_ctx(app):
        tender = db.session.get(Tender, evaluation.tender_id)
        dps = tender.dps
        zones = {zone.code: zone.id for zone in dps.zones}
        categories = {category.code: category.id for category in dps.categories}
        lot1, lot2 = (db.session.get(Lot, lot_id) for lot_id in evaluation.lot_ids)
        lot2.zones.append(db.session.get(Zone, zones["broxtowe"]))  # lot 2 covers two zones
        for lot, prices in ((lot1, LOT1_PRICES), (lot2, LOT2_PRICES)):
            for org_id, price in zip(evaluation.bidder_org_ids, prices, strict=True):
                add_review(evaluation.bid_ids[(org_id, lot.id)], price)
        # A closed, unopened tender: a stray price row on it must never be counted.
        sealed_id = f.make_tender(evaluation.officer, status="closed", lots=1)
        sealed_bid = f.make_bid(
            sealed_id, 1, evaluation.bidder_org_ids[0], f.user(evaluation.officer).id
        )
        add_review(sealed_bid, "1.00")
        for name, size, status, scopes, ratings in MEMBERS:
            organisation = s1.provider(name)
            organisation.size = size
            s1.member(dps, organisation, scopes=scopes, status=status)
            for rating, rated_on in ratings:
                db.session.add(
                    CqcRating(organisation_id=organisation.id, rating=rating, rated_on=rated_on)
                )
        applicant = s1.provider("Applicant Care")
        for status, due_on, decided_at in APPLICATIONS:
            application = s1.application(dps, applicant, status=status, commit=False)
            application.decision_due_on = due_on
            application.decided_at = decided_at
        # Contracts: lot 1 100 h, lot 2 50 h (25 h to each of its zones); one ended last year.
        bidders = evaluation.bidder_org_ids
        add_contract(tender, lot1, bidders[0], "100", date(2027, 4, 1), date(2030, 3, 31))
        add_contract(tender, lot2, bidders[1], "50", date(2027, 4, 1), date(2030, 3, 31))
        add_contract(tender, lot1, bidders[2], "999", date(2024, 4, 1), date(2025, 3, 31))
        db.session.commit()
        return MarketWorld(
            dps.id, tender.id, evaluation.officer, evaluation.outsider_officer, zones, categories
        )


def add_review(bid_id: int, price: str) -> None:
    bid = db.session.get(Bid, bid_id)
    db.session.add(
        PriceReview(
            tender_id=bid.tender_id, bid_id=bid.id, hourly_price=Decimal(price), findings="[]"
        )
    )
    db.session.flush()


def add_contract(tender, lot, org_id, hours, start_on, end_on) -> None:
    number = db.session.scalar(select(db.func.count(Contract.id))) + 1
    db.session.add(
        Contract(
            tender_id=tender.id,
            lot_id=lot.id,
            organisation_id=org_id,
            reference=f"C-{tender.id}-{number}",
            start_on=start_on,
            end_on=end_on,
            hourly_rate=Decimal("26.00"),
            hours_per_week=Decimal(hours),
        )
    )
    db.session.flush()
