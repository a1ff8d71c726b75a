"""Clarification questions: asked by invitees before the deadline, answered to all
(anonymised) or privately with a reason; deadline changes told to every invitee."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import AuditEvent, EmailMessage, Message, OutboxJob, Role, Tender
from dps.services import tender_clarifications as clarifications
from dps.services.audit import verify
from dps.state import clock
from tests.conftest import app_ctx
from tests.dps import tender_factories as f

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, GMT
CLARIFY_BY = T0 + timedelta(days=7)
CLOSING = T0 + timedelta(days=14)


@pytest.fixture
def world(app, make_user):
    clock.set_fixed(T0)
    officer = make_user(Role.OFFICER, email="officer@council.example")
    outsider = make_user(Role.OFFICER, email="officer@elsewhere.example", organisation="Elsewhere")
    acme = make_user(Role.PROVIDER, email="sam@acme.example", organisation="Acme Care Ltd")
    bingham = make_user(Role.PROVIDER, email="jo@bingham.example", organisation="Bingham Care")
    stranger = make_user(Role.PROVIDER, email="al@stranger.example", organisation="Stranger Ltd")
    with app_ctx(app):
        tender_id = f.make_tender(
            officer, closing_at=CLOSING, clarification_deadline=CLARIFY_BY, reference="T-CLAR-1"
        )
        acme_id = f.invite(tender_id, "Acme Care Ltd")
        bingham_id = f.invite(tender_id, "Bingham Care")
        stranger_id = f.organisation_id("Stranger Ltd")
        lead_id = db.session.get(Tender, tender_id).dps.lead_authority_id
    return SimpleNamespace(
        officer=officer,
        outsider=outsider,
        acme=acme,
        bingham=bingham,
        stranger=stranger,
        tender_id=tender_id,
        acme_id=acme_id,
        bingham_id=bingham_id,
        stranger_id=stranger_id,
        lead_id=lead_id,
    )


def _ask(world, text="Does the rate include travel time?", email=None, org=None):
    return clarifications.ask(
        world.tender_id, org or world.acme_id, f.user(email or world.acme), text
    ).id


def _audit(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
    )


def test_an_invitee_asks_and_the_lead_authority_is_told(app, world):
    with app_ctx(app):
        question_id = _ask(world)
        (message,) = db.session.scalars(
            select(Message).where(Message.organisation_id == world.lead_id)
        ).all()
        assert "T-CLAR-1" in message.subject and "travel time" in message.body
        assert f"/officer/tenders/{world.tender_id}/clarifications/{question_id}" in message.body
        (event,) = _audit("tender.clarification_asked")
        assert event.actor_label == world.acme
        pending = clarifications.own_pending(world.tender_id, world.acme_id)
        assert [q.id for q in pending] == [question_id]
        assert clarifications.own_pending(world.tender_id, world.bingham_id) == []


def test_only_invitees_can_ask(app, world):
    with app_ctx(app):
        assert clarifications.provider_tender(world.tender_id, world.stranger_id) is None
        assert clarifications.provider_tender(world.tender_id, None) is None
        with pytest.raises(clarifications.ClarificationError, match="Only invited providers"):
            _ask(world, email=world.stranger, org=world.stranger_id)


def test_questions_are_refused_after_the_clarification_deadline_by_server_time(app, world):
    clock.set_fixed(CLARIFY_BY - timedelta(seconds=1))
    with app_ctx(app):
        _ask(world)
    clock.set_fixed(CLARIFY_BY)
    with app_ctx(app):
        with pytest.raises(clarifications.ClarificationError) as error:
            _ask(world)
        assert str(error.value) == (
            "The deadline for clarification questions was 9am on Monday 9 March 2026. "
            "You can no longer ask questions about this tender."
        )
        assert error.value.field == "question"
        assert len(_audit("tender.clarification_asked")) == 1


@pytest.mark.parametrize(
    "text, message",
    [("   ", "Enter your question"), ("x" * 5001, "5,000 characters or fewer")],
)
def test_an_empty_or_huge_question_is_refused(app, world, text, message):
    with app_ctx(app):
        with pytest.raises(clarifications.ClarificationError, match=message):
            _ask(world, text)


def test_an_answer_to_all_is_anonymised_and_told_to_every_invitee(app, world, run_jobs):
    with app_ctx(app):
        question_id = _ask(world, "Acme Care Ltd pays 12.50 an hour. Is that enough?")
        question = db.session.get(clarifications.TenderClarification, question_id)
        default = clarifications.default_wording(question)
        assert default == "[provider name removed] pays 12.50 an hour. Is that enough?"
        clarifications.answer(
            question_id,
            f.user(world.officer),
            "Basic pay must cover the National Living Wage.",
            to_all=True,
        )
        question = db.session.get(clarifications.TenderClarification, question_id)
        assert question.published_question == default and question.to_all
        (event,) = _audit("tender.clarification_answered")
        detail = json.loads(event.detail)
        assert "Acme" not in event.detail
        assert detail["subject"] == "New clarification answer: T-CLAR-1"
        assert "National Living Wage" in detail["body"]
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.job_name == "notify_invitees"))
        assert json.loads(job.args) == [world.tender_id, event.seq]
        for org in (world.acme_id, world.bingham_id):
            (entry,) = clarifications.qa_log(world.tender_id, org)
            assert entry.number == 1 and not entry.private
            assert entry.question == default
        assert clarifications.qa_log(world.tender_id)[0].answer.startswith("Basic pay")
    run_jobs()
    with app_ctx(app):
        for org in (world.acme_id, world.bingham_id):
            message = db.session.scalar(
                select(Message).where(
                    Message.organisation_id == org, Message.subject.like("New clarification%")
                )
            )
            assert message is not None and "Acme" not in message.body
        emails = db.session.scalars(
            select(EmailMessage.to_address).where(EmailMessage.subject.like("New clarification%"))
        ).all()
        assert sorted(emails) == [world.bingham, world.acme]


def test_the_officer_may_reword_the_question(app, world):
    with app_ctx(app):
        question_id = _ask(world, "We at Acme run 3 branches; can we bid per branch?")
        clarifications.answer(
            question_id,
            f.user(world.officer),
            "No: one bid per lot.",
            to_all=True,
            published_question="Can a provider with several branches bid once per branch?",
        )
        (entry,) = clarifications.qa_log(world.tender_id, world.bingham_id)
        assert entry.question == "Can a provider with several branches bid once per branch?"


def test_a_private_answer_needs_a_reason_and_reaches_only_the_asker(app, world):
    with app_ctx(app):
        question_id = _ask(world, "Our CQC report is attached: does it meet your threshold?")
        officer = f.user(world.officer)
        with pytest.raises(clarifications.ClarificationError) as error:
            clarifications.answer(question_id, officer, "Yes.", to_all=False, private_reason=" ")
        assert error.value.field == "private_reason"
        clarifications.answer(
            question_id,
            officer,
            "Yes, it does.",
            to_all=False,
            private_reason="It is about the provider's own CQC report.",
        )
        assert clarifications.qa_log(world.tender_id, world.bingham_id) == []
        assert clarifications.qa_log(world.tender_id) == []
        (entry,) = clarifications.qa_log(world.tender_id, world.acme_id)
        assert entry.private and entry.number is None and entry.answer == "Yes, it does."
        (event,) = _audit("tender.clarification_answered")
        assert json.loads(event.detail)["private_reason"].startswith("It is about")
        assert (
            db.session.scalar(select(OutboxJob).where(OutboxJob.job_name == "notify_invitees"))
            is None
        )
        assert db.session.scalar(
            select(Message).where(
                Message.organisation_id == world.acme_id,
                Message.dedupe_key == f"tender-clarification:{question_id}:answer",
            )
        )
        assert not db.session.scalar(
            select(Message).where(Message.organisation_id == world.bingham_id)
        )
        assert db.session.scalar(select(EmailMessage.to_address)) == world.acme


def test_the_log_numbers_public_answers_in_order_and_never_names_the_asker(app, world):
    with app_ctx(app):
        first = _ask(world, "Question one?")
        second = _ask(world, "Question two?", email=world.bingham, org=world.bingham_id)
        third = _ask(world, "Private one?")
        officer = f.user(world.officer)
        clarifications.answer(second, officer, "Answer two.", to_all=True)
        clarifications.answer(third, officer, "Private.", to_all=False, private_reason="Own data")
        clock.set_fixed(T0 + timedelta(hours=1))
        clarifications.answer(first, officer, "Answer one.", to_all=True)
        log = clarifications.qa_log(world.tender_id, world.acme_id)
        assert [(e.number, e.question) for e in log] == [
            (1, "Question two?"),
            (None, "Private one?"),
            (2, "Question one?"),
        ]
        assert all(not hasattr(e, "organisation_id") for e in log)


def test_answers_are_refused_twice_for_outsiders_and_after_closing(app, world):
    with app_ctx(app):
        question_id = _ask(world)
        with pytest.raises(clarifications.ClarificationError, match="No such question"):
            clarifications.answer(question_id, f.user(world.outsider), "A", to_all=True)
        with pytest.raises(clarifications.ClarificationError, match="Enter the answer"):
            clarifications.answer(question_id, f.user(world.officer), "  ", to_all=True)
        clarifications.answer(question_id, f.user(world.officer), "A", to_all=True)
        with pytest.raises(clarifications.ClarificationError, match="already been answered"):
            clarifications.answer(question_id, f.user(world.officer), "B", to_all=True)
        late_id = _ask(world, "Late?")
        tender = db.session.get(Tender, world.tender_id)
        tender.status = "closed"
        db.session.commit()
        with pytest.raises(clarifications.ClarificationError, match="tender has closed"):
            clarifications.answer(late_id, f.user(world.officer), "B", to_all=True)


def test_changing_deadlines_notifies_every_invitee(app, world, run_jobs):
    new_closing = CLOSING + timedelta(days=7)
    new_clarify = CLARIFY_BY + timedelta(days=7)
    with app_ctx(app):
        clarifications.change_deadlines(
            world.tender_id,
            f.user(world.officer),
            closing_at=new_closing,
            clarification_deadline=new_clarify,
            reason="More time after question 3.",
        )
        tender = db.session.get(Tender, world.tender_id)
        assert tender.closing_at == new_closing and tender.clarification_deadline == new_clarify
        (event,) = _audit("tender.deadlines_changed")
        detail = json.loads(event.detail)
        assert detail["subject"] == "Deadlines changed: T-CLAR-1"
        assert "from 9am on Monday 16 March 2026 to 9am on Monday 23 March 2026" in detail["body"]
        assert "More time after question 3." in detail["body"]
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.job_name == "notify_invitees"))
        assert json.loads(job.args) == [world.tender_id, event.seq]
        assert verify().ok
    run_jobs()
    with app_ctx(app):
        told = db.session.scalars(
            select(Message.organisation_id).where(Message.subject == "Deadlines changed: T-CLAR-1")
        ).all()
        assert sorted(told) == sorted([world.acme_id, world.bingham_id])


@pytest.mark.parametrize(
    "change, message, field",
    [
        ({}, "Change the closing time or the clarification deadline", "closing"),
        ({"closing_at": CLOSING}, "Change the closing time", "closing"),
        ({"closing_at": T0 - timedelta(minutes=1)}, "must be in the future", "closing"),
        (
            {"closing_at": T0 + timedelta(days=9)},
            "at least 10 days after the tender was published, so no earlier than "
            "9am on Thursday 12 March 2026",
            "closing",
        ),
        (
            {"clarification_deadline": T0 - timedelta(minutes=1)},
            "must be in the future",
            "clarification",
        ),
        (
            {"clarification_deadline": CLOSING},
            "must be before the closing time",
            "clarification",
        ),
        (
            {
                "closing_at": T0 + timedelta(days=10),
                "clarification_deadline": T0 + timedelta(days=11),
            },
            "must be before the closing time",
            "clarification",
        ),
    ],
)
def test_deadline_changes_keep_the_rules(app, world, change, message, field):
    with app_ctx(app):
        with pytest.raises(clarifications.ClarificationError, match=message) as error:
            clarifications.change_deadlines(
                world.tender_id, f.user(world.officer), reason="Because", **change
            )
        assert error.value.field == field
        tender = db.session.get(Tender, world.tender_id)
        assert tender.closing_at == CLOSING and tender.clarification_deadline == CLARIFY_BY
        assert _audit("tender.deadlines_changed") == []


def test_the_minimum_period_allows_a_shorter_closing_that_keeps_it(app, world):
    with app_ctx(app):
        clarifications.change_deadlines(
            world.tender_id,
            f.user(world.officer),
            closing_at=T0 + timedelta(days=10),
            reason="Urgent need",
        )
        assert db.session.get(Tender, world.tender_id).closing_at == T0 + timedelta(days=10)


def test_deadlines_change_only_while_published_with_a_reason_by_the_right_authority(app, world):
    with app_ctx(app):
        officer = f.user(world.officer)
        later = CLOSING + timedelta(days=1)
        with pytest.raises(clarifications.ClarificationError, match="Give the reason"):
            clarifications.change_deadlines(world.tender_id, officer, closing_at=later, reason="")
        with pytest.raises(clarifications.ClarificationError, match="No such tender"):
            clarifications.change_deadlines(
                world.tender_id, f.user(world.outsider), closing_at=later, reason="x"
            )
        tender = db.session.get(Tender, world.tender_id)
        tender.status = "closed"
        db.session.commit()
        with pytest.raises(clarifications.ClarificationError, match="only be changed while"):
            clarifications.change_deadlines(world.tender_id, officer, closing_at=later, reason="x")
