"""Deciding applications: the queue and its clock, extension, clarification, admit and reject."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import (
    Application,
    AuditEvent,
    Clarification,
    EmailMessage,
    InsurancePolicy,
    Membership,
    Message,
)
from dps.services import decisions
from dps.state.application import MEMBERSHIP_TRANSITIONS
from dps.state.clock import LONDON, set_fixed
from dps.state.machine import TransitionError
from tests.dps import stage1_factories as make

# Monday 2 November 2026, 10am in London: the decision is due 10 working days later, Monday 16th.
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture
def world(ctx):
    set_fixed(MONDAY)
    officer = make.officer()
    dps = make.published_dps(officer)
    provider = make.provider("Acme Care Ltd")
    return officer, dps, provider


def _inbox(organisation_id):
    return db.session.scalars(
        select(Message).where(Message.organisation_id == organisation_id).order_by(Message.id)
    ).all()


def _audit(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_queue_shows_received_due_days_left_and_overdue(world):
    officer, dps, provider = world
    fresh = make.application(dps, provider)
    old = make.application(
        dps, make.provider("Old Care Ltd"), submitted_at=datetime(2026, 10, 1, 9, tzinfo=LONDON)
    )
    rows = decisions.queue(officer.organisation_id, today=date(2026, 11, 11))
    assert [row.application_id for row in rows] == [old.id, fresh.id]  # due date first
    late, on_time = rows
    assert late.clock.received_on == date(2026, 10, 1)
    assert late.clock.due_on == date(2026, 10, 15)
    assert late.clock.overdue and late.clock.working_days_left == -19
    assert late.clock.words.startswith("Overdue: the decision was due by Thursday 15 October 2026")
    assert on_time.clock.due_on == date(2026, 11, 16)
    assert on_time.clock.working_days_left == 3 and not on_time.clock.overdue
    assert on_time.clock.words == "Decision due by Monday 16 November 2026: 3 working days left"
    assert on_time.scope_count == 3 and on_time.provider_name == "Acme Care Ltd"
    on_the_day = decisions.queue(officer.organisation_id, today=date(2026, 11, 16))[1]
    assert not on_the_day.clock.overdue
    assert on_the_day.clock.words.endswith("today is the last working day")


def test_bank_holidays_are_not_working_days(world):
    officer, dps, provider = world
    # Received Friday 18 December 2026: Christmas Day and Boxing Day (moved to Monday 28th)
    # and New Year's Day are not counted.
    application = make.application(
        dps, provider, submitted_at=datetime(2026, 12, 18, 15, tzinfo=LONDON)
    )
    assert application.decision_due_on == date(2027, 1, 6)
    row = decisions.queue(officer.organisation_id, today=date(2026, 12, 24))[0]
    assert row.clock.working_days_left == 6  # 29, 30, 31 December, 4, 5, 6 January


def test_the_queue_filters_by_status_and_dps_and_sorts_by_due_date(world):
    officer, dps, provider = world
    other_dps = make.published_dps(officer, reference="NCC-DPS-02")
    first = make.application(dps, provider, submitted_at=datetime(2026, 10, 20, tzinfo=LONDON))
    second = make.application(other_dps, make.provider("Beta Care Ltd"))
    decided = make.application(dps, make.provider("Gamma Care Ltd"), status="rejected")
    organisation_id = officer.organisation_id
    assert [r.application_id for r in decisions.queue(organisation_id)] == [first.id, second.id]
    assert [r.application_id for r in decisions.queue(organisation_id, sort="-due")] == [
        second.id,
        first.id,
    ]
    assert [r.application_id for r in decisions.queue(organisation_id, dps_id=other_dps.id)] == [
        second.id
    ]
    assert [r.application_id for r in decisions.queue(organisation_id, status="rejected")] == [
        decided.id
    ]
    assert len(decisions.queue(organisation_id, status="all")) == 3


def test_officers_of_another_authority_see_nothing_and_decide_nothing(world):
    officer, dps, provider = world
    application = make.application(dps, provider)
    stranger = make.officer("Elsewhere Council")
    assert decisions.queue(stranger.organisation_id) == []
    assert decisions.get_application(application.id, stranger.organisation_id) is None
    assert decisions.get_application(application.id, officer.organisation_id) is not None
    with pytest.raises(decisions.DecisionError, match="no such application"):
        decisions.reject(application.id, stranger, "Not ours")
    assert db.session.get(Application, application.id).status == "submitted"


def test_extension_is_refused_without_a_reason(world):
    officer, dps, provider = world
    application = make.application(dps, provider)
    for reason in ("", "   "):
        with pytest.raises(TransitionError, match="Give a reason"):
            decisions.extend(application.id, officer, reason)
    refreshed = db.session.get(Application, application.id)
    assert refreshed.decision_due_on == date(2026, 11, 16) and not refreshed.extended
    assert _audit("application.extended") == []


def test_extension_does_not_exist_under_the_procurement_act(world):
    officer, _, provider = world
    dps = make.published_dps(officer, regime="pa2023_dynamic_market", reference="NCC-DM-01")
    application = make.application(dps, provider)
    with pytest.raises(TransitionError, match="has no extension of the decision period"):
        decisions.extend(application.id, officer, "Waiting for a CQC inspection report")
    assert db.session.get(Application, application.id).decision_due_on == date(2026, 11, 16)


def test_extension_gives_15_working_days_once_and_tells_the_provider(world):
    officer, dps, provider = world
    application = make.application(dps, provider)
    decisions.extend(application.id, officer, "Checking references with two other councils")
    refreshed = db.session.get(Application, application.id)
    assert refreshed.decision_due_on == date(2026, 11, 23) and refreshed.extended
    assert refreshed.extension_reason == "Checking references with two other councils"
    (message,) = _inbox(provider.id)
    assert "Monday 23 November 2026" in message.body and "two other councils" in message.body
    assert message.sender_label == "Test Council"
    assert db.session.scalar(select(EmailMessage).where(EmailMessage.subject == message.subject))
    assert len(_audit("application.extended")) == 1
    with pytest.raises(TransitionError, match="already been extended"):
        decisions.extend(application.id, officer, "Again")


def test_clarification_keeps_the_clock_running_and_reaches_the_provider(world):
    officer, dps, provider = world
    application = make.application(dps, provider)
    with pytest.raises(TransitionError, match="Give a reason"):
        decisions.request_clarification(application.id, officer, "  ")
    decisions.request_clarification(
        application.id, officer, "Please send your CQC registration certificate."
    )
    refreshed = db.session.get(Application, application.id)
    assert refreshed.status == "clarification"
    assert refreshed.decision_due_on == date(2026, 11, 16)  # PCR 2015: no pause
    (clarification,) = db.session.scalars(select(Clarification)).all()
    assert clarification.question == "Please send your CQC registration certificate."
    assert clarification.asked_by_id == officer.id
    (message,) = _inbox(provider.id)
    assert "CQC registration certificate" in message.body
    assert "We still aim to decide by Monday 16 November 2026" in message.body
    assert db.session.scalar(select(EmailMessage).where(EmailMessage.subject == message.subject))
    assert len(_audit("application.clarification_requested")) == 1
    # While waiting for the answer the officer may still decide.
    row = decisions.queue(officer.organisation_id, today=date(2026, 11, 17))[0]
    assert row.status == "clarification" and row.clock.overdue


def test_admitting_two_of_three_zones(world):
    officer, dps, provider = world
    application = make.application(
        dps, provider, insurance=[("public_liability", date(2027, 6, 30))]
    )
    by_zone = {scope.zone.code: scope.id for scope in application.scopes}
    decisions.admit(
        application.id,
        officer,
        [by_zone["ashfield"], by_zone["broxtowe"]],
        reason="Mansfield is covered by the provider's other branch, which is not registered.",
    )
    refreshed = db.session.get(Application, application.id)
    assert refreshed.status == "admitted" and refreshed.decided_by_id == officer.id
    assert {s.zone.code: s.outcome for s in refreshed.scopes} == {
        "ashfield": "admitted",
        "broxtowe": "admitted",
        "mansfield": "rejected",
    }
    membership = db.session.scalar(select(Membership))
    assert membership.status == "active" and membership.organisation_id == provider.id
    assert sorted(s.zone.code for s in membership.scopes) == ["ashfield", "broxtowe"]
    assert all(s.application_id == application.id for s in membership.scopes)
    policy = db.session.scalar(select(InsurancePolicy))
    assert policy.organisation_id == provider.id
    (message,) = _inbox(provider.id)
    assert message.subject == f"Decision on your application: {application.reference}"
    admitted_part, _, refused_part = message.body.partition("You are not admitted for:")
    assert "Generic home care in Ashfield" in admitted_part
    assert "Generic home care in Broxtowe" in admitted_part
    assert "Generic home care in Mansfield" in refused_part
    assert "other branch" in message.body
    email = db.session.scalar(select(EmailMessage).where(EmailMessage.subject == message.subject))
    assert email.to_address.startswith("acme-") and "Mansfield" in email.body
    (record,) = _audit("application.admitted")
    assert "Generic home care in Mansfield" in record.detail and record.actor_user_id == officer.id


def test_partial_admission_needs_reasons_and_nothing_is_saved_without(world):
    officer, dps, provider = world
    application = make.application(dps, provider)
    first = application.scopes[0].id
    with pytest.raises(decisions.DecisionError, match="Give the reasons for not admitting"):
        decisions.admit(application.id, officer, [first])
    with pytest.raises(TransitionError, match="Choose at least one service and zone"):
        decisions.admit(application.id, officer, [])
    with pytest.raises(decisions.DecisionError, match="Choose only from"):
        decisions.admit(application.id, officer, [first, 999_999])
    assert db.session.get(Application, application.id).status == "submitted"
    assert db.session.scalar(select(Membership)) is None
    assert _inbox(provider.id) == []


def test_a_second_application_adds_to_the_same_membership(world):
    officer, dps, provider = world
    first = make.application(dps, provider, scopes=[("generic_home_care", "ashfield")])
    decisions.admit(first.id, officer, [first.scopes[0].id])
    second = make.application(
        dps, provider, scopes=[("generic_home_care", "ashfield"), ("night_care", "gedling")]
    )
    decisions.admit(second.id, officer, [s.id for s in second.scopes])
    memberships = db.session.scalars(select(Membership)).all()
    assert len(memberships) == 1
    assert sorted((s.category.code, s.zone.code) for s in memberships[0].scopes) == [
        ("generic_home_care", "ashfield"),
        ("night_care", "gedling"),
    ]


def test_rejection_needs_reasons_and_tells_the_provider(world):
    officer, dps, provider = world
    application = make.application(dps, provider)
    with pytest.raises(TransitionError, match="Give a reason"):
        decisions.reject(application.id, officer, "")
    decisions.reject(application.id, officer, "You answered yes to a mandatory exclusion ground.")
    refreshed = db.session.get(Application, application.id)
    assert refreshed.status == "rejected"
    assert {s.outcome for s in refreshed.scopes} == {"rejected"}
    assert db.session.scalar(select(Membership)) is None
    (message,) = _inbox(provider.id)
    assert "has not been successful" in message.body
    assert "mandatory exclusion ground" in message.body and "Mansfield" in message.body
    assert len(_audit("application.rejected")) == 1


def test_a_decided_application_cannot_be_decided_again(world):
    officer, dps, provider = world
    application = make.application(dps, provider)
    decisions.reject(application.id, officer, "Incomplete evidence")
    with pytest.raises(TransitionError, match="when it is rejected"):
        decisions.admit(application.id, officer, [application.scopes[0].id], reason="x")
    with pytest.raises(TransitionError, match="when it is rejected"):
        decisions.request_clarification(application.id, officer, "A question")
    with pytest.raises(TransitionError, match="when it is rejected"):
        decisions.extend(application.id, officer, "More time")
    assert db.session.scalar(select(Membership)) is None


@pytest.mark.skipif(
    ("removed", "readmit") not in MEMBERSHIP_TRANSITIONS,
    reason="MEMBERSHIP_TRANSITIONS has no ('removed', 'readmit') row yet",
)
def test_a_removed_member_admitted_again_starts_afresh(world):
    officer, dps, provider = world
    membership = make.member(dps, provider, scopes=[("night_care", "gedling")], status="removed")
    application = make.application(dps, provider, scopes=[("generic_home_care", "ashfield")])
    decisions.admit(application.id, officer, [application.scopes[0].id])
    refreshed = db.session.get(Membership, membership.id)
    assert refreshed.status == "active"
    assert [(s.category.code, s.zone.code) for s in refreshed.scopes] == [
        ("generic_home_care", "ashfield")
    ]
