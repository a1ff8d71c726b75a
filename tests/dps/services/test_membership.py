"""Membership over ten years: status changes, CQC ratings, re-confirmation and the clock's ticks."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import (
    Application,
    AuditEvent,
    CqcRating,
    EmailMessage,
    InsurancePolicy,
    Membership,
    Message,
)
from dps.services import audit, membership
from dps.state.clock import LONDON, set_fixed
from dps.state.machine import TransitionError
from tests.dps import stage1_factories as make

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


# ---- suspension, reinstatement, removal --------------------------------------------------------


def test_suspend_reinstate_and_remove_tell_the_provider_and_are_audited(world):
    officer, dps, provider = world
    member = make.member(dps, provider)
    membership.suspend(member.id, officer, "Insurance certificate not received")
    assert db.session.get(Membership, member.id).status == "suspended"
    membership.reinstate(member.id, officer, "Certificate received")
    membership.suspend(member.id, officer, "Second lapse")
    membership.remove(member.id, officer, "Contract terminated for poor performance")
    refreshed = db.session.get(Membership, member.id)
    assert refreshed.status == "removed"
    assert refreshed.status_reason == "Contract terminated for poor performance"
    subjects = [m.subject for m in _inbox(provider.id)]
    assert subjects == [
        "Your membership is suspended",
        "Your membership is active again",
        "Your membership is suspended",
        "You have been removed from the DPS",
    ]
    assert db.session.scalar(select(db.func.count(EmailMessage.id))) == 4
    assert [e.action for e in _audit("membership.suspend")] == ["membership.suspend"] * 2
    assert len(_audit("membership.remove")) == 1
    assert audit.verify().ok


def test_status_changes_need_a_reason_and_follow_the_table(world):
    officer, dps, provider = world
    member = make.member(dps, provider)
    with pytest.raises(TransitionError, match="Give a reason"):
        membership.suspend(member.id, officer, " ")
    with pytest.raises(TransitionError, match="cannot reinstate when it is active"):
        membership.reinstate(member.id, officer, "Why not")
    membership.remove(member.id, officer, "Asked to leave")
    with pytest.raises(TransitionError, match="cannot suspend when it is removed"):
        membership.suspend(member.id, officer, "Too late")
    with pytest.raises(membership.MembershipError):
        membership.change_status(member.id, officer, "promote", "No such thing")
    assert len(_inbox(provider.id)) == 1


def test_an_officer_of_another_authority_cannot_change_a_membership(world):
    _, dps, provider = world
    member = make.member(dps, provider)
    stranger = make.officer("Elsewhere Council")
    with pytest.raises(membership.MembershipError, match="no such membership"):
        membership.suspend(member.id, stranger, "Not mine")
    assert membership.get_membership(member.id, stranger.organisation_id) is None
    assert db.session.get(Membership, member.id).status == "active"


# ---- CQC ratings -----------------------------------------------------------------------------


def test_an_inadequate_rating_proposes_suspension_to_an_officer(world):
    officer, dps, provider = world
    member = make.member(dps, provider)
    membership.record_cqc_rating(provider.id, officer, "Inadequate", date(2026, 10, 20))
    refreshed = db.session.get(Membership, member.id)
    assert refreshed.status == "active"  # only proposed: an officer decides
    assert refreshed.suspension_proposed == "CQC rated Inadequate on Tuesday 20 October 2026"
    rows = membership.members_of(dps.id)
    assert rows[0].cqc_rating.rating == "Inadequate"
    (record,) = _audit("organisation.cqc_rating_recorded")
    assert str(member.id) in record.detail
    # Acting on it clears the proposal.
    membership.suspend(member.id, officer, refreshed.suspension_proposed)
    assert db.session.get(Membership, member.id).suspension_proposed is None


def test_an_older_rating_does_not_override_a_newer_one(world):
    officer, dps, provider = world
    member = make.member(dps, provider)
    membership.record_cqc_rating(provider.id, officer, "Inadequate", date(2026, 10, 20))
    membership.record_cqc_rating(provider.id, officer, "Good", date(2024, 1, 5))
    assert db.session.get(Membership, member.id).suspension_proposed is not None
    membership.record_cqc_rating(provider.id, officer, "Requires improvement", date(2026, 10, 30))
    assert db.session.get(Membership, member.id).suspension_proposed is None
    assert [r.rating for r in membership.ratings_of(provider.id)] == [
        "Requires improvement",
        "Inadequate",
        "Good",
    ]


def test_a_proposal_can_be_dismissed_with_a_reason(world):
    officer, dps, provider = world
    member = make.member(dps, provider)
    membership.record_cqc_rating(provider.id, officer, "Inadequate", date(2026, 10, 20))
    with pytest.raises(membership.MembershipError, match="Give a reason"):
        membership.dismiss_suspension_proposal(member.id, officer, "")
    membership.dismiss_suspension_proposal(member.id, officer, "Rating under appeal; re-check")
    assert db.session.get(Membership, member.id).suspension_proposed is None
    assert len(_audit("membership.suspension_proposal_dismissed")) == 1


@pytest.mark.parametrize(
    "rating, rated_on, message",
    [
        ("Excellent", date(2026, 10, 1), "Choose the CQC rating"),
        ("Good", date(2026, 11, 3), "today or in the past"),
    ],
)
def test_bad_ratings_are_refused(world, rating, rated_on, message):
    officer, _, provider = world
    with pytest.raises(membership.MembershipError, match=message):
        membership.record_cqc_rating(provider.id, officer, rating, rated_on)
    assert db.session.scalar(select(CqcRating)) is None


# ---- re-confirmation of the self-declaration ---------------------------------------------------


def test_reconfirmation_asks_every_active_member_and_lists_non_responders(world):
    officer, dps, provider = world
    beta = make.provider("Beta Care Ltd")
    gamma = make.provider("Gamma Care Ltd")
    suspended = make.provider("Delta Care Ltd")
    for org in (provider, beta, gamma):
        make.member(dps, org)
    make.member(dps, suspended, status="suspended")
    request = membership.request_reconfirmation(
        dps.id, officer, date(2026, 11, 30), "Please re-confirm your answers for 2026."
    )
    asked = db.session.scalars(select(Message).where(Message.subject.like("Please re-confirm%")))
    assert sorted(m.organisation_id for m in asked) == sorted([provider.id, beta.id, gamma.id])
    message = _inbox(beta.id)[0]
    assert f"/provider/reconfirmations/{request.id}" in message.body
    assert "Monday 30 November 2026" in message.subject
    assert [m.organisation.name for m in membership.non_responders(request.id)] == [
        "Acme Care Ltd",
        "Beta Care Ltd",
        "Gamma Care Ltd",
    ]
    beta_user = beta.users[0]
    membership.confirm(request.id, beta.id, beta_user)
    membership.confirm(request.id, beta.id, beta_user)  # twice changes nothing
    assert [m.organisation.name for m in membership.non_responders(request.id)] == [
        "Acme Care Ltd",
        "Gamma Care Ltd",
    ]
    assert len(_audit("organisation.self_declaration_reconfirmed")) == 1
    assert [name for _, name in membership.responses(request.id)] == ["Beta Care Ltd"]
    # A member admitted after the request was not asked.
    set_fixed(datetime(2026, 11, 10, tzinfo=LONDON))
    make.member(dps, make.provider("Late Care Ltd"))
    assert len(membership.non_responders(request.id)) == 2


def test_only_members_may_confirm_and_the_date_must_be_ahead(world):
    officer, dps, provider = world
    make.member(dps, provider)
    with pytest.raises(membership.ReconfirmationError, match="in the future"):
        membership.request_reconfirmation(dps.id, officer, date(2026, 11, 2), "Today is too soon")
    with pytest.raises(membership.ReconfirmationError, match="Enter a message"):
        membership.request_reconfirmation(dps.id, officer, date(2026, 12, 1), "  ")
    request = membership.request_reconfirmation(dps.id, officer, date(2026, 12, 1), "Please")
    outsider = make.provider("Outsider Care Ltd")
    with pytest.raises(membership.ReconfirmationError, match="no such request"):
        membership.confirm(request.id, outsider.id, outsider.users[0])
    assert membership.reconfirmation_for(request.id, outsider.id) is None
    assert membership.reconfirmation_for(request.id, provider.id) is not None


# ---- the clock: overdue decisions ------------------------------------------------------------


def test_mark_overdue_flags_each_application_once_and_tells_the_lead_authority(world):
    officer, dps, provider = world
    due_soon = make.application(dps, provider)  # due Monday 16 November
    late = make.application(
        dps, make.provider("Old Care Ltd"), submitted_at=datetime(2026, 10, 1, tzinfo=LONDON)
    )
    make.application(
        dps,
        make.provider("Done Care Ltd"),
        submitted_at=datetime(2026, 10, 1, tzinfo=LONDON),
        status="admitted",
    )
    assert membership.mark_overdue(date(2026, 11, 2)) == 1
    assert db.session.get(Application, late.id).overdue_flagged_at is not None
    assert db.session.get(Application, due_soon.id).overdue_flagged_at is None
    (message,) = _inbox(officer.organisation_id)
    assert message.subject == "1 application overdue for a decision"
    assert late.reference in message.body and "Old Care Ltd" in message.body
    assert membership.mark_overdue(date(2026, 11, 2)) == 0  # once only
    assert membership.mark_overdue(date(2026, 11, 16)) == 0  # due today is not overdue
    assert membership.mark_overdue(date(2026, 11, 17)) == 1
    assert len(_inbox(officer.organisation_id)) == 2
    assert len(_audit("application.overdue")) == 2


# ---- the clock: insurance ------------------------------------------------------------------


def test_insurance_warning_30_days_before_expiry_once_per_policy(world):
    _, dps, provider = world
    make.member(dps, provider, insurance=[("public_liability", date(2026, 12, 31))])
    assert membership.insurance_warnings(date(2026, 11, 30)) == 0  # 31 days before
    assert membership.insurance_warnings(date(2026, 12, 1)) == 1  # 30 days before
    assert membership.insurance_warnings(date(2026, 12, 2)) == 0
    (message,) = _inbox(provider.id)
    assert message.subject == "Your public liability insurance expires on Thursday 31 December 2026"
    assert "will be suspended" in message.body
    assert db.session.scalar(select(InsurancePolicy)).warned_at is not None
    assert db.session.scalar(select(EmailMessage).where(EmailMessage.subject == message.subject))


def test_no_warning_when_renewed_or_not_a_member_or_not_required(world):
    _, dps, provider = world
    make.member(
        dps,
        provider,
        insurance=[
            ("public_liability", date(2026, 12, 31)),
            ("public_liability", date(2027, 12, 31)),
        ],
    )
    outsider = make.provider("Outsider Care Ltd")
    db.session.add(
        InsurancePolicy(
            organisation_id=outsider.id,
            insurance_type="public_liability",
            insurer="X",
            cover=1,
            expires_on=date(2026, 12, 20),
        )
    )
    db.session.add(
        InsurancePolicy(
            organisation_id=provider.id,
            insurance_type="motor",
            insurer="X",
            cover=1,
            expires_on=date(2026, 12, 20),
        )
    )
    db.session.commit()
    assert membership.insurance_warnings(date(2026, 12, 10)) == 0


def test_the_warning_period_is_the_dps_setting(world):
    _, dps, provider = world
    dps.insurance_warning_days = 60
    db.session.commit()
    make.member(dps, provider, insurance=[("employers_liability", date(2026, 12, 31))])
    assert membership.insurance_warnings(date(2026, 11, 1)) == 1


def test_expired_insurance_suspends_the_member_the_day_after_expiry(world):
    _, dps, provider = world
    member = make.member(
        dps,
        provider,
        insurance=[
            ("public_liability", date(2026, 12, 31)),
            ("employers_liability", date(2027, 5, 1)),
        ],
    )
    assert membership.suspend_expired_insurance(date(2026, 12, 31)) == 0
    assert membership.suspend_expired_insurance(date(2027, 1, 1)) == 1
    refreshed = db.session.get(Membership, member.id)
    assert refreshed.status == "suspended"
    assert (
        refreshed.status_reason
        == "Insurance expired: Public liability on Thursday 31 December 2026"
    )
    assert _inbox(provider.id)[-1].subject == "Your membership is suspended"
    (record,) = _audit("membership.suspend")
    assert record.actor_label == "system"
    assert membership.suspend_expired_insurance(date(2027, 1, 2)) == 0


def test_a_renewed_policy_or_the_setting_off_means_no_suspension(world):
    officer, dps, provider = world
    make.member(
        dps,
        provider,
        insurance=[
            ("public_liability", date(2026, 12, 31)),
            ("public_liability", date(2027, 12, 31)),
        ],
    )
    other_dps = make.published_dps(
        officer, reference="NCC-DPS-02", suspend_on_insurance_expiry=False
    )
    beta = make.provider("Beta Care Ltd")
    make.member(other_dps, beta, insurance=[("public_liability", date(2026, 12, 31))])
    assert membership.suspend_expired_insurance(date(2027, 1, 5)) == 0
    assert {m.status for m in db.session.scalars(select(Membership))} == {"active"}
