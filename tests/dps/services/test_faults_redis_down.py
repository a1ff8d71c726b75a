"""Redis unreachable: pages and bid submission still work, the receipt e-mail job waits in the
outbox (never lost, never half-sent), and once Redis is back a worker sends it exactly once."""

from __future__ import annotations

import time
from contextlib import contextmanager

import redis
from sqlalchemy import func, select

from dps.extensions import db, queue
from dps.models import BidVersion, EmailMessage, OutboxJob
from tests.conftest import app_ctx, csrf_token
from tests.dps.services.test_faults_db_drop import ready_bid  # noqa: F401 - a shared fixture
from tests.dps.services.test_jobs_and_mail import smtp  # noqa: F401 - a shared fixture


@contextmanager
def redis_down():
    """Point the job queue at a closed port (port 1 refuses at once), then put it back."""
    real_connection, real_queue = queue._connection, queue._queue
    queue._connection = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    queue._queue = None
    try:
        yield
    finally:
        queue._connection, queue._queue = real_connection, real_queue


def _outbox(app) -> list[tuple[str, bool, int]]:
    with app_ctx(app):
        return [
            (job.job_name, job.enqueued_at is not None, job.attempts)
            for job in db.session.scalars(select(OutboxJob).order_by(OutboxJob.id))
        ]


def test_with_redis_down_pages_and_submission_work_and_jobs_run_later(
    app,
    ready_bid,  # noqa: F811
    smtp,  # noqa: F811
    run_jobs,
):
    client, url, bid_id = ready_bid
    with redis_down():
        assert not queue.ping()
        for path in ("/", "/provider/tenders", url, url.removesuffix("/check")):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json["redis"] == "unreachable"
        response = client.post(url, data={"csrf_token": csrf_token(client, url)})
        assert response.status_code == 302, response.get_data(as_text=True)[:1000]
        receipt = client.get(response.location)
        assert receipt.status_code == 200 and "Bid submitted" in receipt.get_data(as_text=True)
        waiting = _outbox(app)
        assert waiting, "the receipt e-mail should have been put in the outbox"
        assert all(not enqueued for _, enqueued, _ in waiting)
        assert all(attempts >= 1 for *_, attempts in waiting)
        assert "deliver_email" in {name for name, *_ in waiting}
    with app_ctx(app):
        assert db.session.scalar(select(func.count(BidVersion.id))) == 1
        assert {e.status for e in db.session.scalars(select(EmailMessage))} == {"queued"}
        to = db.session.scalar(select(EmailMessage.to_address))
    assert smtp.messages == []

    # Redis is back: dispatch_pending hands the jobs over and a worker runs each once.
    assert run_jobs() == len(waiting)
    assert all(enqueued for _, enqueued, _ in _outbox(app))
    deadline = time.monotonic() + 5
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m["To"] for m in smtp.messages] == [to]
    with app_ctx(app):
        assert {e.status for e in db.session.scalars(select(EmailMessage))} == {"sent"}
    assert run_jobs() == 0  # nothing left, nothing sent twice
    assert len(smtp.messages) == 1


def test_signing_in_and_browsing_need_no_redis(app, make_user):
    from dps.models import Role
    from tests.conftest import sign_in

    email = make_user(Role.PROVIDER, organisation="Birch Homecare Ltd")
    client = app.test_client()
    with redis_down():
        assert sign_in(client, email).status_code == 302
        for path in ("/", "/provider/tenders", "/accessibility", "/cookies"):
            assert client.get(path).status_code == 200, path
