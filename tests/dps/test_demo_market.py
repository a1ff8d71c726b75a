"""The demo's stage 1 and 2 market: loaded by the real services, in every state, safe to load
twice, with an intact audit chain and valid open data; and a demo provider can finish a bid.

Each test loads the whole demo (about 20 seconds), so the checks are grouped in three tests.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from dps.demo import DEMO_DOMAIN, DEMO_PASSWORD
from dps.demo_market import DEMO_DPS_REFERENCE
from dps.extensions import db
from dps.models import (
    Application,
    Bid,
    Category,
    CqcRating,
    DynamicPurchasingSystem,
    Invitation,
    Membership,
    MembershipScope,
    Organisation,
    Tender,
    User,
    Zone,
)
from dps.models.tender import TenderClarification
from dps.ocds.export import packages
from dps.ocds.validate import validate_package
from dps.services import audit, bids, opening
from dps.state import clock
from dps.state.application import OPEN_STATES
from tests.conftest import app_ctx, csrf_token, sign_in

PROVIDER = f"provider@{DEMO_DOMAIN}"
OFFICER = f"officer@{DEMO_DOMAIN}"
# A Sunday just after midnight, after the New Year bank holidays: the awkward moment to load.
AWKWARD_MOMENT = datetime(2027, 1, 3, 0, 20, tzinfo=UTC)


def _load(app) -> str:
    result = app.test_cli_runner().invoke(args=["dps", "demo"])
    assert result.exit_code == 0, result.output
    return result.output


def _dps() -> DynamicPurchasingSystem:
    return db.session.scalar(
        select(DynamicPurchasingSystem).where(
            DynamicPurchasingSystem.reference == DEMO_DPS_REFERENCE
        )
    )


def _tender(title_start: str) -> Tender:
    return db.session.scalar(select(Tender).where(Tender.title.startswith(title_start)))


def _org_of(email: str) -> int:
    return db.session.scalar(select(User.organisation_id).where(User.email == email))


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_the_demo_market_tells_the_whole_story_and_loads_once(app):
    clock.set_fixed(AWKWARD_MOMENT)
    output = _load(app)
    assert re.search(r"\d+ applications, \d+ members, 3 tenders, \d+ bids", output), output
    with app_ctx(app):
        dps = _dps()
        assert dps.status == "published" and dps.published_at < AWKWARD_MOMENT
        assert len(dps.partners) == 2
        applications = db.session.scalars(
            select(Application).where(Application.dps_id == dps.id)
        ).all()
        states = {}
        for application in applications:
            states[application.status] = states.get(application.status, 0) + 1
        assert 60 <= len(applications) <= 75
        assert states["admitted"] > len(applications) / 2
        assert states["rejected"] == 2
        assert states["clarification"] >= 1 and states["draft"] >= 1
        overdue = [a for a in applications if a.overdue_flagged_at and a.status in OPEN_STATES]
        assert len(overdue) >= 1
        assert any(a.extended and a.status in OPEN_STATES for a in applications)
        assert any(a.kind == "variation" and a.status == "submitted" for a in applications)
        admitted = [a for a in applications if a.status == "admitted"]
        assert any(s.outcome == "rejected" for a in admitted for s in a.scopes)  # in part
        for application in applications:  # nothing happens before it could have
            assert application.created_at <= AWKWARD_MOMENT
            if application.submitted_at:
                assert dps.published_at < application.submitted_at < AWKWARD_MOMENT
            if application.decided_at:
                assert application.submitted_at < application.decided_at < AWKWARD_MOMENT
        provider2 = _org_of(f"provider2@{DEMO_DOMAIN}")
        assert [a.status for a in applications if a.organisation_id == provider2] == ["submitted"]
        applied = {a.organisation_id for a in applications}
        providers = db.session.scalars(
            select(Organisation.id).where(Organisation.kind == "provider")
        ).all()
        assert len(set(providers) - applied) >= 3  # some have not applied at all

        memberships = db.session.scalars(
            select(Membership).where(Membership.dps_id == dps.id)
        ).all()
        suspended = [m for m in memberships if m.status == "suspended"]
        assert len(suspended) == 1
        assert suspended[0].status_reason.startswith("Insurance expired")
        thin = db.session.scalar(
            select(func.count(MembershipScope.id))
            .join(Zone, Zone.id == MembershipScope.zone_id)
            .join(Category, Category.id == MembershipScope.category_id)
            .where(Zone.code == "bassetlaw_north_rural", Category.code == "generic_home_care")
        )
        assert 1 <= thin <= 2
        ratings = {r.rating for r in db.session.scalars(select(CqcRating))}
        assert {"Good", "Outstanding", "Requires improvement"} <= ratings
        own = db.session.scalar(
            select(Membership).where(Membership.organisation_id == _org_of(PROVIDER))
        )
        own_zones = {(s.category.code, s.zone.code) for s in own.scopes}
        assert {("generic_home_care", "ashfield"), ("generic_home_care", "mansfield")} <= own_zones

        home = _tender("Generic home care")
        assert home.status == "published"
        assert home.published_at < AWKWARD_MOMENT < home.clarification_deadline < home.closing_at
        assert len(home.lots) == 7
        assert sum(lot.hours_per_week for lot in home.lots) == Decimal("20137")
        assert (home.quality_weight, home.price_weight) == (Decimal(60), Decimal(40))
        assert home.max_lots_per_provider == 2 and home.ask_call_length_rates
        assert 3 <= len(home.questions) <= 4
        assert [q.marked_by for q in home.questions].count("panel") == 1
        home_bids = db.session.scalars(select(Bid).where(Bid.tender_id == home.id)).all()
        assert 35 <= len(home_bids) <= 45
        by_status = {s: sum(b.status == s for b in home_bids) for s in ("draft", "submitted")}
        assert by_status["draft"] >= 15 and by_status["submitted"] >= 15
        assert {b.lot_id for b in home_bids if b.status == "submitted"} == {
            lot.id for lot in home.lots
        }
        assert any(len(b.versions) == 2 for b in home_bids)  # one bid replaced
        answered = db.session.scalars(
            select(TenderClarification).where(TenderClarification.tender_id == home.id)
        ).all()
        assert [(c.to_all, c.answered_at is not None) for c in answered] == [(True, True)]

        night = _tender("Night care")
        assert night.status == "in_evaluation"
        assert night.closing_at < AWKWARD_MOMENT and night.opened_at is not None
        assert night.opening_requested_by_id != night.opened_by_id
        submitted = [
            b
            for b in db.session.scalars(select(Bid).where(Bid.tender_id == night.id))
            if b.status == "submitted"
        ]
        assert 8 <= len(submitted) <= 12
        assert all(b.submitted_at < night.closing_at for b in submitted)
        officer = db.session.scalar(select(User).where(User.email == OFFICER))
        opened = opening.read_bids(night.id, officer)
        assert len(opened) == len(submitted)
        prices = sorted(b.price_total for b in opened)
        # One bidder cut its price to abnormally low (dps.demo_evaluation); the rest are usual.
        assert Decimal("20") < prices[0] < night.benchmark_rate * Decimal("0.9"), prices
        assert all(Decimal("24") < price < Decimal("32") for price in prices[1:]), prices
        assert len(set(prices)) > len(prices) / 2  # realistic spread, not one figure

        assert audit.verify().ok
        built = packages()
        assert len(built) == 4  # the DPS and its three tenders (one awarded)
        for name, package in built:
            assert validate_package(package) == [], name
        before = _row_counts()

    again = _load(app)
    assert "nothing to add" in again
    with app_ctx(app):
        assert _row_counts() == before
        assert audit.verify().ok


def test_drafts_show_realistic_breakdowns_and_the_national_living_wage_warning(app):
    _load(app)
    with app_ctx(app):
        home = _tender("Generic home care")
        findings, totals = [], []
        for bid in db.session.scalars(select(Bid).where(Bid.tender_id == home.id)):
            view = bids.bid_view(home.id, bid.lot_id, bid.organisation_id)
            assessment = view.assessment
            findings += [f.code for f in assessment.findings]
            if bid.status == "submitted":
                assert view.problems == {}
                totals.append(assessment.breakdown.total_rounded)
                assert Decimal(view.content["cost_inputs"]["basic_pay"]) >= Decimal("12.71")
        assert findings.count("below_nlw") >= 2
        assert all(Decimal("24") < total < Decimal("32") for total in totals), totals


def test_a_demo_provider_finds_its_draft_and_submits_it(app):
    _load(app)
    with app_ctx(app):
        home = _tender("Generic home care")
        organisation_id = _org_of(PROVIDER)
        invitation = db.session.scalar(
            select(Invitation).where(
                Invitation.tender_id == home.id, Invitation.organisation_id == organisation_id
            )
        )
        assert invitation is not None
        lots = {lot.title: lot.id for lot in home.lots}
        own_bids = {
            b.lot_id: b.status
            for b in db.session.scalars(select(Bid).where(Bid.organisation_id == organisation_id))
        }
        assert own_bids == {lots["Ashfield"]: "draft"}  # nothing yet for Mansfield
        tender_id, lot_id = home.id, lots["Ashfield"]

    client = app.test_client()
    assert sign_in(client, PROVIDER, DEMO_PASSWORD).status_code == 302
    listing = client.get("/provider/tenders").get_data(as_text=True)
    assert "Generic home care" in listing and "Night care" not in listing
    page = client.get(f"/provider/tenders/{tender_id}").get_data(as_text=True)
    assert "Ashfield" in page and "Mansfield" in page
    bid_url = f"/provider/tenders/{tender_id}/lots/{lot_id}/bid"
    assert client.get(bid_url).status_code == 200
    response = client.post(
        bid_url + "/capacity",
        data={"capacity_hours": "150", "csrf_token": csrf_token(client, bid_url + "/capacity")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    response = client.post(
        bid_url + "/partners/done",
        data={"csrf_token": csrf_token(client, bid_url + "/partners")},
    )
    assert response.status_code == 302
    response = client.post(
        bid_url + "/check", data={"csrf_token": csrf_token(client, bid_url + "/check")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert "/receipts/1" in response.headers["Location"]

    assert "Application APP-" in client.get("/provider/inbox").get_data(as_text=True)

    officer = app.test_client()
    assert sign_in(officer, OFFICER, DEMO_PASSWORD).status_code == 302
    queue = officer.get("/officer/applications").get_data(as_text=True)
    assert "Overdue" in queue
    with app_ctx(app):
        dps = _dps()
        pages = [
            f"/officer/applications/{a.id}"
            for a in db.session.scalars(
                select(Application).where(
                    Application.dps_id == dps.id, Application.status != "draft"
                )
            )
        ]
        pages += [f"/officer/members/{m.id}" for m in db.session.scalars(select(Membership))]
        for tender in db.session.scalars(select(Tender)):
            pages += [
                f"/officer/tenders/{tender.id}{tail}"
                for tail in ("", "/opening", "/clarifications", "/invitations")
            ]
            pages.append(f"/opportunities/{tender.reference}")
        pages += ["/officer/members", "/officer/tenders", "/officer/inbox", "/opportunities"]
        pages.append(f"/dps/{dps.reference}")
    for page in pages:
        assert officer.get(page).status_code == 200, page
