"""E-mail through the adapter, jobs through the outbox and a real rq worker."""

import socket
import time

import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

from dps.extensions import db, queue
from dps.models import EmailMessage, OutboxJob
from dps.services.mail import send_email
from tests.conftest import app_ctx


class Collect(MessageHandler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp(app):
    handler = Collect()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield handler
    app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    controller.stop()


def test_without_smtp_e_mails_wait_in_the_outbox(app):
    with app_ctx(app):
        send_email("a@example.com", "Hello", "Body")
        db.session.commit()
        email = db.session.scalar(db.select(EmailMessage))
        assert email.status == "stored"
        assert db.session.scalar(db.select(db.func.count(OutboxJob.id))) == 0


def test_with_smtp_a_worker_delivers_each_e_mail_once(app, smtp, run_jobs):
    with app_ctx(app):
        send_email("a@example.com", "Your application", "We have your application.")
        send_email("b@example.com", "Second", "Another.")
        db.session.commit()
    assert run_jobs() == 2
    deadline = time.monotonic() + 5
    while len(smtp.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(m["To"] for m in smtp.messages) == ["a@example.com", "b@example.com"]
    assert smtp.messages[0]["Subject"] in {"Your application", "Second"}
    # Running the same jobs again sends nothing more.
    with app_ctx(app):
        assert {e.status for e in db.session.scalars(db.select(EmailMessage))} == {"sent"}
        from dps.jobs.mail import deliver_email

        for email in db.session.scalars(db.select(EmailMessage)).all():
            deliver_email(email.id)
    time.sleep(0.2)
    assert len(smtp.messages) == 2


def test_a_dedupe_key_stores_one_e_mail(app):
    with app_ctx(app):
        first = send_email("a@example.com", "Receipt", "1", dedupe_key="receipt:1")
        db.session.commit()
        second = send_email("a@example.com", "Receipt", "1", dedupe_key="receipt:1")
        assert first.id == second.id


def test_when_redis_is_down_jobs_wait_in_the_outbox_then_run(app, smtp, run_jobs, monkeypatch):
    from dps.jobs.outbox import dispatch_pending

    with app_ctx(app):
        send_email("late@example.com", "Later", "Sent once Redis is back.")
        db.session.commit()
        real_connection, real_queue = queue._connection, queue._queue
        queue._connection = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
        queue._queue = None
        try:
            assert dispatch_pending() == 0
            job = db.session.scalar(db.select(OutboxJob))
            assert job.enqueued_at is None and job.attempts == 1 and job.last_error
        finally:
            queue._connection, queue._queue = real_connection, real_queue
    assert run_jobs() == 1
    deadline = time.monotonic() + 5
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m["To"] for m in smtp.messages] == ["late@example.com"]


def test_healthz_reports_database_and_redis(app, monkeypatch):
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }
    monkeypatch.setattr(queue, "ping", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["redis"] == "unreachable"


def test_tick_drains_the_outbox(app, smtp):
    with app_ctx(app):
        send_email("tick@example.com", "Tick", "Body")
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["dps", "tick"])
    assert result.exit_code == 0 and "jobs_enqueued 1" in result.output
