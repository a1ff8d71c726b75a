"""The award decision and its letters: propose, approve by a second officer, one letter per
bidder made exactly once by rq jobs, read back from the PDF, standstill in both regimes."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
import redis
from pypdf import PdfReader

from dps.extensions import db, queue
from dps.jobs.award_jobs import make_award_letter, sweep_award_letters
from dps.models import AuditEvent, EmailMessage, Message, OutboxJob, Tender
from dps.models.award import AwardDecision, AwardLetter
from dps.models.messaging import Document
from dps.services import awards
from dps.services.award_letters import lot_heading
from dps.services.documents import storage_path
from dps.state import clock
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.award_factories import hand_results
from tests.dps.evaluation_factories import evaluation_world

# Tuesday 3 March 2026, 10:00 UK time (GMT).
APPROVED_AT = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
PCR_END = datetime(2026, 3, 13, 23, 59, 59, tzinfo=UTC)
PA_END = datetime(2026, 3, 12, 23, 59, 59, tzinfo=UTC)


@pytest.fixture
def world(app, make_user, monkeypatch):
    built = evaluation_world(app, make_user, bidders=4, lots=2)
    results = hand_results(app, built)
    monkeypatch.setattr(awards, "results_for", lambda tender_id: results)
    built.results = results
    return built


def _set(app, world, regime="pcr2015_dps", voluntary=True):
    with app_ctx(app):
        tender = db.session.get(Tender, world.tender_id)
        tender.dps.regime = regime
        tender.voluntary_standstill = voluntary
        db.session.commit()


def _propose_and_approve(app, world):
    with app_ctx(app):
        awards.propose(world.tender_id, f.user(world.officer))
        clock.set_fixed(APPROVED_AT)
        awards.approve(world.tender_id, f.user(world.officer2))


def _pdf_text(document_id: int) -> str:
    document = db.session.get(Document, document_id)
    reader = PdfReader(io.BytesIO(storage_path(document).read_bytes()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_award_proposal_needs_ready_results(app, make_user, monkeypatch):
    world = evaluation_world(app, make_user, bidders=2, lots=1)
    not_ready = hand_results(app, world, ready=False)
    monkeypatch.setattr(awards, "results_for", lambda tender_id: not_ready)
    with app_ctx(app):
        with pytest.raises(awards.AwardError, match="not ready: 2 answers lack a consensus mark"):
            awards.propose(world.tender_id, f.user(world.officer))
        with pytest.raises(awards.NotFound):
            awards.propose(world.tender_id, f.user(world.outsider_officer))
        assert db.session.scalar(db.select(db.func.count(AwardDecision.id))) == 0


def test_award_proposal_stores_the_snapshot_and_the_audit_record(app, world):
    with app_ctx(app):
        award = awards.propose(world.tender_id, f.user(world.officer))
        assert award.status == "proposed"
        assert json.loads(award.results) == world.results.to_dict()
        event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event.action == "award.proposed" and event.actor_label == world.officer
        with pytest.raises(awards.AwardError, match="already been proposed"):
            awards.propose(world.tender_id, f.user(world.officer2))


def test_award_approval_by_the_proposer_is_refused(app, world):
    with app_ctx(app):
        awards.propose(world.tender_id, f.user(world.officer))
        with pytest.raises(awards.AwardError) as refused:
            awards.approve(world.tender_id, f.user(world.officer))
        assert "You proposed this award, so you cannot approve it" in str(refused.value)
        award = awards.award_for(world.tender_id)
        assert award.status == "proposed" and award.approved_by_id is None
        assert db.session.get(Tender, world.tender_id).status == "in_evaluation"
        assert db.session.scalar(db.select(db.func.count(AwardLetter.id))) == 0


def test_award_withdrawn_proposal_can_be_proposed_again(app, world):
    with app_ctx(app):
        awards.propose(world.tender_id, f.user(world.officer))
        with pytest.raises(awards.AwardError, match="Give a reason"):
            awards.withdraw(world.tender_id, f.user(world.officer), "  ")
        awards.withdraw(world.tender_id, f.user(world.officer), "Moderation of Q2 reopened")
        assert awards.award_for(world.tender_id).status == "withdrawn"
        with pytest.raises(awards.AwardError, match="no proposed award"):
            awards.approve(world.tender_id, f.user(world.officer2))
        again = awards.propose(world.tender_id, f.user(world.officer2))
        assert again.status == "proposed" and again.proposed_by_id == f.user(world.officer2).id


def test_award_approval_queues_one_letter_job_per_bidder(app, world):
    _propose_and_approve(app, world)
    with app_ctx(app):
        award = awards.award_for(world.tender_id)
        assert award.status == "approved" and award.approved_by_id == f.user(world.officer2).id
        assert db.session.get(Tender, world.tender_id).status == "awarded"
        letters = db.session.scalars(db.select(AwardLetter).order_by(AwardLetter.id)).all()
        assert sorted(letter.organisation_id for letter in letters) == sorted(world.bidder_org_ids)
        assert {letter.status for letter in letters} == {"pending"}
        keys = set(db.session.scalars(db.select(OutboxJob.key)))
        assert keys == {f"award_letter:{letter.id}" for letter in letters}
        event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event.action == "award.approved" and event.actor_label == world.officer2
        assert json.loads(event.detail)["letters"] == 4


def test_award_letters_hold_the_right_scores_winner_and_standstill(app, world, run_jobs):
    _propose_and_approve(app, world)
    assert run_jobs() == 4
    with app_ctx(app):
        award = awards.award_for(world.tender_id)
        # PCR 2015: sent Tuesday 3 March, the 10th day is Friday 13 March.
        assert award.status == "standstill"
        assert award.standstill_ends_at == datetime(2026, 3, 13, 23, 59, 59, tzinfo=UTC)
        results = world.results
        for letter in db.session.scalars(db.select(AwardLetter)):
            assert letter.status == "made" and letter.document_id and letter.message_id
            text = _pdf_text(letter.document_id)
            assert "midnight at the end of Friday 13 March 2026" in text
            for lot in results.lots:
                own = next(b for b in lot.bids if b.organisation_id == letter.organisation_id)
                winner = next(b for b in lot.bids if b.won)
                assert lot_heading(lot.number, lot.title) in text
                assert f"{own.combined:.2f}" in text and f"{own.price_score:.2f}" in text
                for question in own.questions:
                    assert f"{question.points:.2f}" in text
                if winner.organisation_id != letter.organisation_id:
                    assert f"Winning bid: {winner.organisation_name}" in text
                    assert f"{winner.combined:.2f}" in text
                    assert "Why the winning bid scored higher" in text
                else:
                    assert "Your bid was successful" in text


def test_award_batch_run_twice_makes_no_duplicates(app, world, run_jobs):
    _propose_and_approve(app, world)
    run_jobs()
    with app_ctx(app):
        counts = (
            db.session.scalar(db.select(db.func.count(Document.id))),
            db.session.scalar(db.select(db.func.count(Message.id))),
            db.session.scalar(db.select(db.func.count(EmailMessage.id))),
        )
        assert counts == (4, 4, 4)
        letter_ids = list(db.session.scalars(db.select(AwardLetter.id)))
        for letter_id in letter_ids:  # the whole batch again, by hand and through rq
            assert make_award_letter(letter_id) == "already made"
            queue.enqueue(make_award_letter, letter_id)
    run_jobs()
    with app_ctx(app):
        assert (
            db.session.scalar(db.select(db.func.count(Document.id))),
            db.session.scalar(db.select(db.func.count(Message.id))),
            db.session.scalar(db.select(db.func.count(EmailMessage.id))),
        ) == counts
        emails = list(db.session.scalars(db.select(EmailMessage.to_address)))
        assert sorted(emails) == sorted(world.bidders)


def test_award_approval_succeeds_with_redis_down_and_the_tick_drains_it(app, world, run_jobs):
    with app_ctx(app):
        awards.propose(world.tender_id, f.user(world.officer))
        real_connection, real_queue = queue._connection, queue._queue
        queue._connection = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
        queue._queue = None
        try:
            client = app.test_client()
            from tests.conftest import csrf_token, sign_in

            sign_in(client, world.officer2)
            url = f"/officer/tenders/{world.tender_id}/award"
            token = csrf_token(client, url)
            response = client.post(url, data={"csrf_token": token, "action": "approve"})
            assert response.status_code == 302
            award = awards.award_for(world.tender_id)
            assert award.status == "approved"
            jobs = db.session.scalars(db.select(OutboxJob)).all()
            assert len(jobs) == 4 and all(job.enqueued_at is None for job in jobs)
            assert sweep_award_letters() == 0  # Redis down: nothing to do yet
        finally:
            queue._connection, queue._queue = real_connection, real_queue
    result = app.test_cli_runner().invoke(args=["dps", "tick"])
    assert result.exit_code == 0 and "jobs_enqueued 4" in result.output
    run_jobs()
    with app_ctx(app):
        assert {letter.status for letter in db.session.scalars(db.select(AwardLetter))} == {"made"}
        assert awards.award_for(world.tender_id).status == "standstill"


@pytest.mark.parametrize(
    ("regime", "voluntary", "status", "ends"),
    [
        # PCR 2015, letters Tuesday 3 March: 10th day Friday 13 March.
        ("pcr2015_dps", True, "standstill", PCR_END),
        # A PCR 2015 DPS call-off may skip standstill: over as soon as the letters are out.
        ("pcr2015_dps", False, "standstill_over", None),
        # PA 2023: 8 working days counting Tuesday 3 March: Thursday 12 March.
        ("pa2023_dynamic_market", True, "standstill", PA_END),
        # PA 2023 always has one, whatever the tender says.
        ("pa2023_dynamic_market", False, "standstill", PA_END),
    ],
)
def test_award_standstill_end_is_stored_for_each_regime(
    app, world, run_jobs, regime, voluntary, status, ends
):
    _set(app, world, regime, voluntary)
    _propose_and_approve(app, world)
    with app_ctx(app):
        award = awards.award_for(world.tender_id)
        assert award.standstill_applies is (ends is not None)
        assert award.standstill_ends_at == ends
    run_jobs()
    with app_ctx(app):
        award = awards.award_for(world.tender_id)
        assert award.status == status and award.standstill_ends_at == ends
        letter = db.session.scalars(db.select(AwardLetter)).first()
        text = _pdf_text(letter.document_id)
        if ends is None:
            assert "There is no standstill period for this award" in text
        else:
            assert f"midnight at the end of {ends:%A} {ends.day} {ends:%B %Y}" in text
        if regime == "pa2023_dynamic_market":
            assert "Assessment summary" in text


def test_award_a_failing_letter_is_marked_failed_and_can_be_retried(app, world, monkeypatch):
    _propose_and_approve(app, world)
    from dps.jobs import award_jobs

    def broken(data):
        raise OSError("disk full")

    monkeypatch.setattr(award_jobs, "render_letter", broken)
    with app_ctx(app):
        letter_id = db.session.scalars(db.select(AwardLetter.id).order_by(AwardLetter.id)).first()
        with pytest.raises(OSError):
            make_award_letter(letter_id)
        letter = db.session.get(AwardLetter, letter_id)
        assert letter.status == "failed" and letter.last_error == "OSError: disk full"
        assert db.session.scalar(db.select(db.func.count(Message.id))) == 0
        assert awards.failed_letters(letter.award)[0].id == letter_id
        monkeypatch.undo()
        awards.retry_letter(world.tender_id, letter_id, f.user(world.officer))
        assert db.session.get(AwardLetter, letter_id).status == "pending"
        assert db.session.scalar(
            db.select(OutboxJob).where(OutboxJob.key == f"award_letter:{letter_id}:1")
        )
        with pytest.raises(awards.AwardError, match="Only a failed letter"):
            awards.retry_letter(world.tender_id, letter_id, f.user(world.officer))
        assert make_award_letter(letter_id) == "made"
        assert db.session.get(AwardLetter, letter_id).attempts == 2


def test_award_sweeper_requeues_a_lost_job_and_finishes_the_batch(app, world, run_jobs):
    _propose_and_approve(app, world)
    app.config["AWARD_LETTER_STALE_SECONDS"] = 0
    try:
        with app_ctx(app):
            from dps.jobs.outbox import dispatch_pending

            dispatch_pending()
            queue.connection.flushdb()  # every queued job lost
            assert sweep_award_letters() == 4
            assert sweep_award_letters() == 0  # the new jobs are queued, not lost
        run_jobs()
        with app_ctx(app):
            assert awards.award_for(world.tender_id).status == "standstill"
            assert db.session.scalar(db.select(db.func.count(Message.id))) == 4
    finally:
        app.config.pop("AWARD_LETTER_STALE_SECONDS", None)


def test_award_a_transient_failure_is_retried_by_rq_with_back_off(
    app, world, run_jobs, monkeypatch
):
    from rq.job import Job

    from dps.jobs import award_jobs

    _propose_and_approve(app, world)

    def flaky(data):
        raise ConnectionError("storage unavailable")

    monkeypatch.setattr(award_jobs, "render_letter", flaky)
    run_jobs()
    with app_ctx(app):
        letters = db.session.scalars(db.select(AwardLetter)).all()
        # Not failed yet: rq will try again later (Retry with growing intervals).
        assert {letter.status for letter in letters} == {"pending"}
        assert {letter.last_error for letter in letters} == {"ConnectionError: storage unavailable"}
        row = db.session.scalars(db.select(OutboxJob)).first()
        job = Job.fetch(f"outbox-{row.id}", connection=queue.connection)
        assert job.get_status().value == "scheduled" and job.retries_left == 4


def test_award_tick_starts_the_standstill_if_the_last_two_letters_raced(app, world, run_jobs):
    _propose_and_approve(app, world)
    run_jobs()
    with app_ctx(app):
        award = awards.award_for(world.tender_id)
        award.status = "approved"  # as if the last two jobs each saw the other unfinished
        db.session.commit()
        assert sweep_award_letters() == 0
        assert awards.award_for(world.tender_id).status == "standstill"
        actions = db.session.scalars(
            db.select(AuditEvent.action).where(AuditEvent.action == "award.letters_done")
        ).all()
        assert len(actions) == 2  # the jobs' own record and the sweeper's
