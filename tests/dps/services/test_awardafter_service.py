"""After the award: the tick ends a due standstill (and not an early one), a challenge holds the
contracts until lifted, contracts are validated against the approved results, and the last one
concludes the award."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from dps.cli import tick_once
from dps.extensions import db
from dps.models import Organisation
from dps.models.audit import AuditEvent
from dps.models.award import AwardDecision, Contract
from dps.models.messaging import Message
from dps.services import award_after
from dps.services.award_after import AwardAfterError
from dps.state import clock
from dps.state.clock import LONDON, now
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.award_after_factories import awarded_world, lot_ids


def _award(world) -> AwardDecision:
    return db.session.get(AwardDecision, world.award_id)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def _contract(world, lot_number: int, bidder: int, **values):
    defaults = {
        "lot_id": lot_ids(world.tender_id)[lot_number - 1],
        "organisation_id": world.world.bidder_org_ids[bidder],
        "start_on": date(2027, 4, 1),
        "end_on": date(2030, 3, 31),
        "hourly_rate": "27.10",
        "hours_per_week": "500",
        "reference": f"{world.reference}-C{lot_number}-1",
    }
    return award_after.record_contract(
        world.tender_id, f.user(world.world.officer), **{**defaults, **values}
    )


def test_awardafter_tick_ends_a_due_standstill_and_not_an_early_one(app, make_user):
    clock.set_fixed(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    world = awarded_world(app, make_user, status="standstill")
    with app_ctx(app):
        ends = datetime(2026, 11, 13, 23, 59, 59, tzinfo=LONDON)  # midnight ending Friday
        _award(world).standstill_ends_at = ends
        db.session.commit()
        for early in (ends - timedelta(days=1), ends, ends + timedelta(milliseconds=500)):
            clock.set_fixed(early)
            assert tick_once()["standstills_ended"] == 0
            assert award_after.end_due_standstills() == 0
            assert _award(world).status == "standstill"

        clock.set_fixed(datetime(2026, 11, 14, 0, 0, 1, tzinfo=LONDON))
        assert tick_once()["standstills_ended"] == 1
        db.session.expire_all()
        assert _award(world).status == "standstill_over"
        assert "award.standstill_ended" in _actions()
        lead = _award(world).tender.dps.lead_authority_id
        subjects = db.session.scalars(
            select(Message.subject).where(Message.organisation_id == lead)
        ).all()
        assert f"Standstill over: {world.reference}" in subjects
        assert tick_once()["standstills_ended"] == 0  # only once


def test_awardafter_challenge_holds_contracts_until_lifted(app, make_user):
    world = awarded_world(app, make_user, status="standstill_over", ends_in=-timedelta(days=1))
    with app_ctx(app):
        officer = f.user(world.world.officer)
        award_after.record_challenge(world.tender_id, officer, "Provider C asked the court.")
        award = _award(world)
        assert award.status == "challenged"
        assert award.challenge_details == "Provider C asked the court."
        assert award.challenge_recorded_by_id == officer.id
        with pytest.raises(AwardAfterError, match="challenged"):
            _contract(world, 1, 0)
        assert db.session.scalar(select(Contract.id)) is None
        with pytest.raises(AwardAfterError, match="already|only be recorded"):
            award_after.record_challenge(world.tender_id, officer, "Again")

        award_after.lift_challenge(world.tender_id, officer, "The claim was withdrawn.")
        assert _award(world).status == "standstill_over"
        assert _contract(world, 1, 0).reference == f"{world.reference}-C1-1"
        actions = _actions()
        assert actions.index("award.challenged") < actions.index("award.challenge_lifted")
        assert "contract.recorded" in actions


def test_awardafter_challenge_during_standstill_and_its_refusals(app, make_user):
    world = awarded_world(app, make_user, status="standstill")
    with app_ctx(app):
        officer = f.user(world.world.officer)
        with pytest.raises(AwardAfterError, match="Enter the details"):
            award_after.record_challenge(world.tender_id, officer, "   ")
        with pytest.raises(AwardAfterError, match="not challenged"):
            award_after.lift_challenge(world.tender_id, officer, "Nothing to lift")
        award_after.record_challenge(world.tender_id, officer, "Letter before claim received.")
        assert _award(world).status == "challenged"
        with pytest.raises(AwardAfterError, match="Enter why"):
            award_after.lift_challenge(world.tender_id, officer, "")
        outsider = f.user(world.world.outsider_officer)
        with pytest.raises(AwardAfterError, match="no award"):
            award_after.lift_challenge(world.tender_id, outsider, "Not mine")
        assert _award(world).status == "challenged"


def test_awardafter_no_challenge_or_contract_before_approval(app, make_user):
    world = awarded_world(app, make_user, status="proposed")
    with app_ctx(app):
        with pytest.raises(AwardAfterError, match="only be recorded"):
            award_after.record_challenge(world.tender_id, f.user(world.world.officer), "Early")
        with pytest.raises(AwardAfterError, match="approved"):
            _contract(world, 1, 0)


def test_awardafter_contracts_refused_before_the_standstill_ends(app, make_user):
    world = awarded_world(app, make_user, status="standstill", ends_in=timedelta(days=2))
    with app_ctx(app):
        with pytest.raises(AwardAfterError, match="once the standstill period ends"):
            _contract(world, 1, 0)
        clock.set_fixed(now() + timedelta(days=3))
        _contract(world, 1, 0)  # a due standstill is ended on the spot, without the tick
        assert _award(world).status == "standstill_over"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"end_on": date(2027, 4, 1)}, "The end date must be after the start date"),
        ({"end_on": date(2026, 1, 1)}, "The end date must be after the start date"),
        ({"start_on": None}, "Enter the start date"),
        ({"hourly_rate": "0"}, "The hourly rate must be more than 0"),
        ({"hourly_rate": "-3"}, "The hourly rate must be more than 0"),
        ({"hourly_rate": "twenty"}, "The hourly rate must be a number"),
        ({"hourly_rate": "27.105"}, "up to 2 decimal places"),
        ({"hourly_rate": "NaN"}, "The hourly rate must be a number"),
        ({"hourly_rate": ""}, "Enter the hourly rate"),
        ({"hours_per_week": "0"}, "The hours a week must be more than 0"),
        ({"hours_per_week": "1e9"}, "or less"),
        ({"reference": " "}, "Enter the contract reference"),
        ({"reference": "X" * 41}, "40 characters or fewer"),
    ],
)
def test_awardafter_contract_validation(app, make_user, values, message):
    world = awarded_world(app, make_user, status="standstill_over", ends_in=None)
    with app_ctx(app):
        with pytest.raises(AwardAfterError, match=message):
            _contract(world, 1, 0, **values)
        assert db.session.scalar(select(Contract.id)) is None


def test_awardafter_only_winners_of_the_lot_get_contracts(app, make_user):
    world = awarded_world(app, make_user, status="standstill_over", ends_in=None)
    with app_ctx(app):
        with pytest.raises(AwardAfterError, match="did not win that lot"):
            _contract(world, 1, 1)  # bidder B won lot 2, not lot 1
        with pytest.raises(AwardAfterError, match="did not win that lot"):
            _contract(world, 1, 2)  # bidder C won nothing
        _contract(world, 1, 0)
        with pytest.raises(AwardAfterError, match="already recorded"):
            _contract(world, 1, 0, reference="OTHER-1")
        with pytest.raises(AwardAfterError, match="already used"):
            _contract(world, 2, 1, reference=f"{world.reference}-C1-1")  # lot 1's reference


def test_awardafter_defaults_come_from_the_lot_and_the_approved_price(app, make_user):
    world = awarded_world(app, make_user, status="standstill_over", ends_in=None)
    with app_ctx(app):
        lot = _award(world).tender.lots[1]
        lot.providers_to_appoint = 3
        lot.hours_per_week = Decimal("500")
        db.session.commit()
        slots = award_after.slots(_award(world))
        assert [(s.lot.number, s.organisation_name) for s in slots] == [
            (1, "Care Provider A Ltd"),
            (2, "Care Provider B Ltd"),
        ]
        assert [s.hourly_rate for s in slots] == [Decimal("27.10"), Decimal("27.22")]
        assert [s.hours_per_week for s in slots] == [Decimal("500.00"), Decimal("166.67")]
        assert slots[1].reference == f"{world.reference}-C2-1"
        assert slots[0].start_on == date(2027, 4, 1)


def test_awardafter_last_contract_concludes_the_award(app, make_user):
    world = awarded_world(app, make_user, status="standstill_over", ends_in=None)
    with app_ctx(app):
        first = _contract(world, 1, 0, hourly_rate="£27.10", hours_per_week="1,250.5")
        assert first.hourly_rate == Decimal("27.10")
        assert first.hours_per_week == Decimal("1250.50")
        assert _award(world).status == "standstill_over"
        _contract(
            world,
            2,
            1,
            start_on=date(2027, 6, 1),
            end_on=date(2029, 5, 31),
            reference=f"{world.reference}-C2-1",
        )
        award = _award(world)
        assert award.status == "concluded"
        assert award.concluded_at is not None
        assert _actions().count("contract.recorded") == 2
        assert "award.concluded" in _actions()
        with pytest.raises(AwardAfterError, match="concluded"):
            award_after.record_challenge(world.tender_id, f.user(world.world.officer), "Late")
        names = {
            c.lot.number: (db.session.get(Organisation, c.organisation_id).name, c.start_on)
            for c in db.session.scalars(select(Contract))
        }
        assert names == {
            1: ("Care Provider A Ltd", date(2027, 4, 1)),
            2: ("Care Provider B Ltd", date(2027, 6, 1)),
        }


def test_awardafter_follows_the_real_approval_and_letters(app, make_user, monkeypatch, run_jobs):
    """The joined path: task G's propose, approve and letter jobs, then the tick and contracts."""
    from dps.services import awards
    from tests.dps.award_after_factories import snapshot
    from tests.dps.evaluation_factories import evaluation_world

    clock.set_fixed(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))  # a Tuesday
    world = evaluation_world(app, make_user, bidders=3, lots=2)
    with app_ctx(app):
        results = snapshot(world.tender_id, world.bidder_org_ids, world.bid_ids)
    monkeypatch.setattr(awards, "results_for", lambda tender_id: results)
    with app_ctx(app):
        awards.propose(world.tender_id, f.user(world.officer))
        awards.approve(world.tender_id, f.user(world.officer2))
    run_jobs()
    with app_ctx(app):
        award = db.session.scalar(select(AwardDecision))
        assert award.status == "standstill"
        with pytest.raises(AwardAfterError, match="once the standstill period ends"):
            award_after.record_contract(
                world.tender_id,
                f.user(world.officer),
                lot_id=lot_ids(world.tender_id)[0],
                organisation_id=world.bidder_org_ids[0],
                start_on=date(2027, 4, 1),
                end_on=date(2030, 3, 31),
                hourly_rate="27.10",
                hours_per_week="500",
                reference="REAL-C1",
            )
        clock.set_fixed(award.standstill_ends_at + timedelta(days=1))
        assert tick_once()["standstills_ended"] == 1
        for number, bidder in ((1, 0), (2, 1)):
            award_after.record_contract(
                world.tender_id,
                f.user(world.officer),
                lot_id=lot_ids(world.tender_id)[number - 1],
                organisation_id=world.bidder_org_ids[bidder],
                start_on=date(2027, 4, number),
                end_on=date(2030, 3, 31),
                hourly_rate="27.10",
                hours_per_week="500",
                reference=f"REAL-C{number}",
            )
        db.session.expire_all()
        assert db.session.scalar(select(AwardDecision)).status == "concluded"
