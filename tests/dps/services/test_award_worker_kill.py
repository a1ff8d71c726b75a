"""A real rq worker process (`flask dps worker`) killed with SIGKILL in the middle of the letter
batch: the tick's sweeper and a second worker still make every letter exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from rq.registry import StartedJobRegistry

from dps.extensions import db, queue
from dps.jobs.outbox import dispatch_pending
from dps.models import EmailMessage, Message, OutboxJob, User
from dps.models.award import AwardLetter
from dps.models.messaging import Document
from dps.services import awards
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.award_factories import hand_results
from tests.dps.evaluation_factories import evaluation_world

ROOT = Path(__file__).resolve().parents[3]
BIDDERS = 12


def _worker_env(app) -> dict[str, str]:
    redis_url = app.config.get("REDIS_URL") or f"unix://{queue.connection.socket_file}"
    env = dict(os.environ)
    env.update(
        COMMISSION_ENV="test",
        COMMISSION_INSTANCE=app.instance_path,
        DATABASE_URL=app.config["DATABASE_URL"],
        REDIS_URL=redis_url,
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
        RQ_QUEUE=app.config["RQ_QUEUE"],
        PYTHONUNBUFFERED="1",
    )
    env.pop("MAIL_SERVER", None)
    return env


def _log(worker: subprocess.Popen) -> str:
    if not worker.log.closed:
        worker.log.flush()
    return Path(worker.log.name).read_text(errors="replace")[-2000:]


def _worker(app, *extra: str) -> subprocess.Popen:
    """A real worker process; its output goes to a file (a full pipe would stall it)."""
    log = tempfile.NamedTemporaryFile(
        prefix="award-worker-", suffix=".log", dir=app.instance_path, delete=False
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "dps", "worker", *extra],
        cwd=ROOT,
        env=_worker_env(app),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill reaches the work-horse too
    )
    process.log = log
    return process


def _made(app) -> int:
    with app_ctx(app):
        return db.session.scalar(
            db.select(db.func.count(AwardLetter.id)).where(AwardLetter.status == "made")
        )


@pytest.fixture
def approved(app, make_user, monkeypatch):
    world = evaluation_world(app, make_user, bidders=BIDDERS, lots=1)
    results = hand_results(app, world)
    monkeypatch.setattr(awards, "results_for", lambda tender_id: results)
    with app_ctx(app):
        awards.propose(world.tender_id, f.user(world.officer))
        awards.approve(world.tender_id, f.user(world.officer2))
        assert dispatch_pending() == BIDDERS
    return world


def _letter_in_progress(app, started: StartedJobRegistry) -> int | None:
    """The letter a worker is making right now (its rq job started, the letter not made)."""
    job_ids = started.get_job_ids(cleanup=False)
    outbox_ids = [int(job_id.split(":")[0].removeprefix("outbox-")) for job_id in job_ids]
    if not outbox_ids:
        return None
    with app_ctx(app):
        keys = db.session.scalars(db.select(OutboxJob.key).where(OutboxJob.id.in_(outbox_ids)))
        letter_ids = [int(key.split(":")[1]) for key in keys]
        return db.session.scalar(
            db.select(AwardLetter.id).where(
                AwardLetter.id.in_(letter_ids), AwardLetter.status == "pending"
            )
        )


def test_award_letters_survive_a_worker_killed_mid_batch(app, approved):
    worker = _worker(app)
    in_progress = None
    try:
        deadline = time.monotonic() + 120
        started = StartedJobRegistry(queue=queue.queue)
        while time.monotonic() < deadline and in_progress is None:
            if worker.poll() is not None:
                pytest.fail("the worker stopped: " + _log(worker))
            if _made(app) >= 2:
                in_progress = _letter_in_progress(app, started)
            time.sleep(0.005)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work-horse, mid-job
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        worker.log.close()
    assert in_progress is not None, "no letter was being made when the time ran out"
    assert _made(app) < BIDDERS, "the kill came after the last letter"
    with app_ctx(app):
        # Killed mid-job the letter's transaction rolled back (it may just have committed).
        cut_off = db.session.get(AwardLetter, in_progress).status == "pending"
        assert awards.award_for(approved.tender_id).status == "approved"

    # The tick finds the letter whose worker died (its rq job still says "started", and rq
    # would not notice for minutes) and queues it again; a second real worker drains the queue.
    app.config["AWARD_LETTER_STALE_SECONDS"] = 0
    try:
        result = app.test_cli_runner().invoke(args=["dps", "tick"])
        assert result.exit_code == 0, result.output
    finally:
        app.config.pop("AWARD_LETTER_STALE_SECONDS", None)
    if cut_off:  # its rq job still says "started": only the sweeper brings it back
        assert "award_letters_requeued 0" not in result.output
        assert "jobs_enqueued 0" not in result.output
    second = _worker(app, "--burst")
    try:
        second.wait(timeout=180)
    finally:
        if second.poll() is None:
            os.killpg(second.pid, signal.SIGKILL)
            second.wait(timeout=10)
        second.log.close()
    assert second.returncode == 0, _log(second)

    with app_ctx(app):
        letters = db.session.scalars(db.select(AwardLetter)).all()
        assert len(letters) == BIDDERS
        assert {letter.status for letter in letters} == {"made"}
        assert sorted(letter.organisation_id for letter in letters) == sorted(
            approved.bidder_org_ids
        )
        for organisation_id in approved.bidder_org_ids:
            documents = db.session.scalar(
                db.select(db.func.count(Document.id)).where(
                    Document.organisation_id == organisation_id,
                    Document.purpose == "award_letter",
                )
            )
            messages = db.session.scalar(
                db.select(db.func.count(Message.id)).where(
                    Message.organisation_id == organisation_id
                )
            )
            assert (documents, messages) == (1, 1)
        emails = db.session.scalars(db.select(EmailMessage.to_address)).all()
        users = db.session.scalars(
            db.select(User.email).where(User.organisation_id.in_(approved.bidder_org_ids))
        ).all()
        assert sorted(emails) == sorted(users)  # one e-mail to each bidder's user, no more
        assert awards.award_for(approved.tender_id).status == "standstill"
