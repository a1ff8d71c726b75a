"""The market dashboard's figures on a small hand-built world (tests/dps/market_factories.py),
its filters, and that it costs the same number of statements however big the market is."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from dps.extensions import db
from dps.models import DynamicPurchasingSystem, User
from dps.models.provider import CqcRating
from dps.services import market, market_exports
from tests.conftest import app_ctx
from tests.dps import stage1_factories as s1
from tests.dps.market_factories import market_world


@pytest.fixture
def world(app, make_user):
    return market_world(app, make_user)


def build(world, **args):
    dps = db.session.get(DynamicPurchasingSystem, world.dps_id)
    filters, categories, zones = market.parse_filters(dps.id, args)
    return market.build(dps, filters, categories, zones)


def by_label(rows):
    return {row.zone.label: row for row in rows}


def test_market_grid_totals_sizes_and_ratings(app, world):
    with app_ctx(app):
        view = build(world)
        z, c = world.zone_ids, world.category_ids
        assert view.grid == {
            (z["ashfield"], c["generic_home_care"]): 3,
            (z["ashfield"], c["dementia"]): 1,
            (z["bassetlaw"], c["generic_home_care"]): 1,
            (z["broxtowe"], c["generic_home_care"]): 1,
            (z["bassetlaw_north_rural"], c["generic_home_care"]): 1,
        }  # Delta (suspended) counts nowhere
        assert view.zone_totals == {
            z["ashfield"]: 3,  # Alpha counts once for two services
            z["bassetlaw"]: 1,
            z["broxtowe"]: 1,
            z["bassetlaw_north_rural"]: 1,
        }
        assert view.sizes == [("micro", 1), ("small", 1), ("medium", 1), ("large", 1)]
        assert (view.providers, view.micro_and_small, view.micro_and_small_percent) == (
            4,
            2,
            Decimal("50.0"),
        )
        assert view.ratings == [
            ("Outstanding", 1),  # Alpha's latest, not its older Good
            ("Good", 1),
            ("Requires improvement", 1),
            ("Inadequate", 0),  # Delta is suspended
            ("Not recorded", 1),
        ]


def test_market_prices_come_from_opened_tenders_only(app, world):
    with app_ctx(app):
        prices = by_label(build(world).prices)
        assert set(prices) == {"Ashfield", "Bassetlaw", "Broxtowe"}  # not the sealed tender's
        ashfield = prices["Ashfield"]
        assert (ashfield.bids, ashfield.lowest, ashfield.median, ashfield.highest) == (
            4,
            Decimal("25.00"),
            Decimal("26.50"),
            Decimal("28.00"),
        )
        assert ashfield.below_benchmark == 2 and ashfield.benchmark == "£26.50"
        for label in ("Bassetlaw", "Broxtowe"):  # lot 2 covers both
            row = prices[label]
            assert (row.bids, row.lowest, row.median, row.highest, row.below_benchmark) == (
                4,
                Decimal("24.00"),
                Decimal("30.50"),
                Decimal("35.01"),
                1,
            )


def test_market_median_of_an_odd_number_of_bids(app, world):
    with app_ctx(app):
        from dps.models.evaluation import PriceReview

        review = db.session.scalar(
            db.select(PriceReview).where(PriceReview.hourly_price == Decimal("28.00"))
        )
        db.session.delete(review)
        db.session.commit()
        ashfield = by_label(build(world).prices)["Ashfield"]
        assert (ashfield.bids, ashfield.median, ashfield.highest) == (
            3,
            Decimal("26.00"),
            Decimal("27.00"),
        )


def test_market_contracted_hours_and_decisions(app, world):
    with app_ctx(app):
        view = build(world)
        hours = {row.zone.label: (row.contracts, row.hours_per_week) for row in view.hours}
        assert hours == {
            "Ashfield": (1, Decimal("100.00")),  # the ended 999-hour contract is left out
            "Bassetlaw": (1, Decimal("25.00")),
            "Broxtowe": (1, Decimal("25.00")),
        }
        decisions = view.decisions
        assert decisions.target_days == 10
        assert (decisions.decided, decisions.on_time, decisions.late) == (3, 2, 1)
        assert (decisions.open_overdue, decisions.open_in_time) == (1, 1)
        assert decisions.on_time_percent == Decimal("66.7")


@pytest.mark.parametrize(
    "threshold, thin",
    [
        (None, 10),  # the default 3: every zone but Ashfield (11 zones in all)
        ("2", 10),
        ("1", 7),  # only the zones nobody serves
        ("4", 11),
    ],
)
def test_market_thin_zone_threshold(app, world, threshold, thin):
    with app_ctx(app):
        args = {} if threshold is None else {"threshold": threshold}
        view = build(world, **args)
        assert view.filters.threshold == int(threshold or 3)
        assert len(view.thin_zones) == thin
        labels = {zone.label for zone in view.thin_zones}
        assert ("Ashfield" in labels) == (thin == 11)
        assert "Bassetlaw: North Bassetlaw villages" in labels or threshold == "1"


def test_market_filters_by_category_and_zone(app, world):
    with app_ctx(app):
        c, z = world.category_ids, world.zone_ids
        dementia = build(world, category=str(c["dementia"]))
        assert dementia.zone_totals == {z["ashfield"]: 1}
        assert dementia.sizes[0] == ("micro", 1) and dementia.providers == 1
        assert dementia.shown_categories == [(c["dementia"], "Dementia care")]
        assert dementia.prices == [] and dementia.hours == []  # the tender is generic care
        assert dementia.decisions.decided == 0  # the applications ask for generic care only

        bassetlaw = build(world, zone=str(z["bassetlaw"]))  # with its villages
        assert bassetlaw.zone_totals == {z["bassetlaw"]: 1, z["bassetlaw_north_rural"]: 1}
        assert bassetlaw.providers == 2  # Alpha and Epsilon
        assert [zone.label for zone in bassetlaw.shown_zones] == [
            "Bassetlaw",
            "Bassetlaw: North Bassetlaw villages",
        ]
        assert [row.zone.label for row in bassetlaw.prices] == ["Bassetlaw"]
        assert [row.zone.label for row in bassetlaw.hours] == ["Bassetlaw"]
        ashfield = build(world, zone=str(z["ashfield"]))
        assert ashfield.decisions.decided == 3  # the applications ask for Ashfield


@pytest.mark.parametrize(
    "args, field",
    [
        ({"threshold": "0"}, "threshold"),
        ({"threshold": "three"}, "threshold"),
        ({"threshold": "1000"}, "threshold"),
        ({"threshold": "٣"}, "threshold"),
        ({"category": "999999"}, "category"),
        ({"zone": "-1"}, "zone"),
        ({"zone": "x" * 500}, "zone"),
    ],
)
def test_market_bad_filters_are_refused_with_a_message(app, world, args, field):
    with app_ctx(app):
        with pytest.raises(market.MarketError) as raised:
            build(world, **args)
        assert raised.value.field == field and str(raised.value)


def test_market_zone_of_another_dps_is_refused(app, world):
    with app_ctx(app):
        other = s1.published_dps(s1.officer("Test Council"), reference="OTHER-DPS")
        with pytest.raises(market.MarketError):
            build(world, zone=str(other.zones[0].id))


def _statements(app, world) -> int:
    count = [0]

    def counter(*_args):
        count[0] += 1

    with app_ctx(app):
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            build(world)
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
    return count[0]


def test_market_statement_count_does_not_grow_with_the_market(app, world):
    small = _statements(app, world)
    with app_ctx(app):
        dps = db.session.get(DynamicPurchasingSystem, world.dps_id)
        for number in range(25):
            organisation = s1.provider(f"Extra Care {number:02d}")
            s1.member(dps, organisation, scopes=[("generic_home_care", "gedling")])
            db.session.add(
                CqcRating(organisation_id=organisation.id, rating="Good", rated_on=date(2025, 1, 1))
            )
            s1.application(dps, organisation, status="admitted", commit=False)
        db.session.commit()
    assert build_providers(app, world) == 29
    assert _statements(app, world) == small <= 11  # 10, and work_mem on PostgreSQL


def build_providers(app, world) -> int:
    with app_ctx(app):
        return build(world).providers


def test_market_exports_read_back_with_formulas_neutralised(app, world):
    with app_ctx(app):
        dps = db.session.get(DynamicPurchasingSystem, world.dps_id)
        s1.member(dps, s1.provider("=HYPERLINK(1)"), scopes=[("generic_home_care", "gedling")])
        actor = db.session.scalar(db.select(User).where(User.email == world.officer))
        view = build(world)

        body, mimetype = market_exports.export(actor, view, "prices", "csv")
        assert mimetype.startswith("text/csv")
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows[0][:5] == [
            "Zone",
            "Bids",
            "Lowest (£ an hour)",
            "Median (£ an hour)",
            "Highest (£ an hour)",
        ]
        assert rows[1][:5] == ["Ashfield", "4", "25.00", "26.50", "28.00"]

        body, _ = market_exports.export(actor, view, "providers", "xlsx")
        sheet = load_workbook(io.BytesIO(body)).active
        table = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert table[0][0] == "Zone" and table[0][-1] == "Providers in the zone"
        assert table[1][0] == "Ashfield" and table[1][-1] == 3
        assert isinstance(table[1][1], int)  # numbers stay numbers

        body, _ = market_exports.export(actor, dps.id, "membership", "csv")
        members = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        names = [row["Provider"] for row in members]
        assert "'=HYPERLINK(1)" in names and "=HYPERLINK(1)" not in names
        alpha = next(row for row in members if row["Provider"] == "Alpha Home Care")
        assert alpha["Latest CQC rating"] == "Outstanding" and alpha["Size"] == "Micro"
        assert "Generic home care: Ashfield" in alpha["Services and zones"]
        delta = next(row for row in members if row["Provider"] == "Delta Dementia")
        assert delta["Status"] != alpha["Status"]

        body, _ = market_exports.export(actor, dps.id, "applications", "xlsx", target_days=10)
        sheet = load_workbook(io.BytesIO(body)).active
        header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert len(rows) == 5  # not the draft
        on_time = [row[header.index("Decided on time")] for row in rows]
        assert sorted(value or "" for value in on_time) == ["", "", "No", "Yes", "Yes"]
        assert {row[header.index("Target (working days)")] for row in rows} == {10}


def test_market_never_decrypts_a_bid(app, world, monkeypatch):
    from dps.services import sealing

    def refuse(*_args, **_kwargs):
        raise AssertionError("the dashboard must not decrypt bids")

    for name in ("_decrypt", "_tender_key", "open_for_officer", "open_for_bidder"):
        monkeypatch.setattr(sealing, name, refuse)
    with app_ctx(app):
        assert len(build(world).prices) == 3
        actor = db.session.scalar(db.select(User).where(User.email == world.officer))
        for name in ("prices", "membership", "applications"):
            source = build(world) if name == "prices" else world.dps_id
            market_exports.export(actor, source, name, "xlsx", target_days=10)


def test_market_xlsx_keeps_formulas_as_text(app, world):
    with app_ctx(app):
        dps = db.session.get(DynamicPurchasingSystem, world.dps_id)
        s1.member(dps, s1.provider("@SUM(A1)"), scopes=[("generic_home_care", "gedling")])
        actor = db.session.scalar(db.select(User).where(User.email == world.officer))
        body, _ = market_exports.export(actor, dps.id, "membership", "xlsx")
        sheet = load_workbook(io.BytesIO(body)).active
        cells = [row[0] for row in sheet.iter_rows(min_row=2)]
        risky = next(cell for cell in cells if "SUM" in str(cell.value))
        assert risky.value == "'@SUM(A1)" and risky.data_type == "s"
