"""The database connection drops while a bid is submitted: the bidder gets a clear 503 page and
there is afterwards one whole submission (version, receipt, audit row) or none, never a half one.

On SQLite the drop is simulated (the COMMIT, or an INSERT inside the submission, raises
OperationalError). On PostgreSQL the session's backend is really killed with pg_terminate_backend
from a second connection just before the COMMIT or the INSERT is sent.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from dps.extensions import db
from dps.models import AuditEvent, Bid, BidVersion, Message, OutboxJob, Role
from dps.services import audit, bids
from tests.conftest import app_ctx, csrf_token
from tests.dps.services.test_bids import full_content
from tests.dps.stage2_factories import invite, make_tender, organisation_id

# Where the connection dies: (the SQL the drop happens at, a name for the test id).
POINTS = {
    "at the commit": "COMMIT",
    "at the version insert": "INSERT INTO bid_version",
    "at the audit insert": "INSERT INTO audit_event",
}


class Drop:
    """Engine hooks that kill the connection once, at the first statement matching `where`."""

    def __init__(self, app, where: str) -> None:
        self.app, self.where, self.armed, self.fired = app, where, False, 0
        with app.app_context():
            self.engine = db.engine
        self.postgres = self.engine.dialect.name == "postgresql"
        self.killer = create_engine(self.engine.url) if self.postgres else None

    def _kill(self, connection) -> None:
        self.armed = False
        self.fired += 1
        if self.postgres:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with self.killer.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                other.commit()
        else:
            raise OperationalError(self.where, {}, Exception("server closed the connection"))

    def before_execute(self, connection, cursor, statement, parameters, context, executemany):
        if self.armed and statement.lstrip().upper().startswith(self.where.upper()):
            self._kill(connection)

    def on_commit(self, connection) -> None:
        if self.armed and self.where == "COMMIT":
            self._kill(connection)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.before_execute)
        event.listen(self.engine, "commit", self.on_commit)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self.before_execute)
        event.remove(self.engine, "commit", self.on_commit)
        if self.killer is not None:
            self.killer.dispose()


@pytest.fixture
def ready_bid(app, login):
    """Acme, invited to lot 1, with a complete draft bid ready to submit."""
    client = login(Role.PROVIDER, organisation="Acme Care Ltd")
    with app_ctx(app):
        ids = make_tender()
        org = organisation_id(client.email)
        invite(ids.tender_id, org, [ids.lot_ids[0]])
        bid = bids.start_or_resume_bid(ids.tender_id, ids.lot_ids[0], org, actor=None)
        bids.save_draft(bid.id, org, None, full_content(ids))
        bid_id = bid.id
    url = f"/provider/tenders/{ids.tender_id}/lots/{ids.lot_ids[0]}/bid/check"
    return client, url, bid_id


def _stored(app, bid_id: int) -> dict:
    with app_ctx(app):
        bid = db.session.get(Bid, bid_id)
        versions = db.session.scalars(select(BidVersion).where(BidVersion.bid_id == bid_id)).all()
        submitted_audit = db.session.scalar(
            select(func.count(AuditEvent.seq)).where(
                AuditEvent.action == "bid.submitted", AuditEvent.object_id == str(bid_id)
            )
        )
        return {
            "status": bid.status,
            "submitted_version": bid.submitted_version,
            "versions": [(v.version, v.receipt_reference, v.digest) for v in versions],
            "audit": submitted_audit,
            "receipts": db.session.scalar(select(func.count(Message.id))),
            "outbox": db.session.scalar(select(func.count(OutboxJob.id))),
            "chain_ok": audit.verify().ok,
        }


def _assert_whole_or_nothing(state: dict, before: dict) -> None:
    if state["versions"]:
        assert len(state["versions"]) == 1
        number, reference, digest = state["versions"][0]
        assert number == 1 and reference and digest
        assert state["status"] == "submitted" and state["submitted_version"] == 1
        assert state["audit"] == 1 and state["receipts"] >= 1
    else:
        assert state["status"] == "draft" and state["submitted_version"] in (None, 0)
        assert state["audit"] == 0
        assert state["receipts"] == before["receipts"] and state["outbox"] == before["outbox"]
    assert state["chain_ok"]


@pytest.mark.parametrize("where", list(POINTS.values()), ids=list(POINTS))
def test_a_dropped_connection_during_submission_leaves_all_or_nothing(app, ready_bid, where):
    client, url, bid_id = ready_bid
    token = csrf_token(client, url)
    before = _stored(app, bid_id)
    with Drop(app, where) as drop:
        drop.armed = True
        response = client.post(url, data={"csrf_token": token})
    assert drop.fired == 1, f"the drop at {where!r} never happened"
    text_ = response.get_data(as_text=True)
    assert response.status_code == 503, text_[:1000]
    assert "Sorry, the service is unavailable" in text_
    assert "nothing from this step was saved" in text_
    assert "Traceback" not in text_
    state = _stored(app, bid_id)
    _assert_whole_or_nothing(state, before)
    assert state["versions"] == []  # the drop came before the commit finished: nothing kept

    # The bidder tries again and gets exactly one submission with a receipt.
    again = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert again.status_code == 302, again.get_data(as_text=True)[:1000]
    assert client.get(again.location).status_code == 200
    state = _stored(app, bid_id)
    _assert_whole_or_nothing(state, before)
    assert len(state["versions"]) == 1


def test_pages_work_again_straight_after_a_drop(app, ready_bid):
    """The pool hands out a live connection after the drop: the next page is an ordinary 200."""
    client, url, _ = ready_bid
    token = csrf_token(client, url)
    with Drop(app, "COMMIT") as drop:
        drop.armed = True
        assert client.post(url, data={"csrf_token": token}).status_code == 503
    for path in (url, "/provider/tenders", "/"):
        assert client.get(path).status_code == 200, path


def test_a_drop_while_reading_gives_the_503_page_not_a_traceback(app, ready_bid):
    client, url, _ = ready_bid
    with Drop(app, "SELECT") as drop:
        drop.armed = True
        response = client.get(url)
    assert drop.fired == 1
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)
    assert client.get(url).status_code == 200
