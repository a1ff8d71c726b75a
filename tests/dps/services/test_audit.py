"""The audit log is a hash chain: any row altered, inserted or deleted is caught."""

import json

from click.testing import CliRunner
from sqlalchemy import text

from dps.extensions import db
from dps.models import AuditEvent
from dps.services import audit


def _append(n: int) -> None:
    for index in range(n):
        audit.record("test.action", "thing", index, {"index": index, "note": "café ✓"})
    db.session.commit()


def test_a_fresh_chain_verifies(ctx):
    _append(5)
    result = audit.verify()
    assert result.ok and result.rows_checked == 5
    rows = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert all(
        later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:], strict=False)
    )


def test_altering_a_row_through_raw_sql_is_caught(ctx):
    _append(5)
    db.session.execute(
        text("UPDATE audit_event SET detail = :d WHERE seq = 3"), {"d": json.dumps({"index": 99})}
    )
    db.session.commit()
    result = audit.verify()
    assert not result.ok and result.seq == 3
    assert "does not match" in result.problem


def test_deleting_a_row_is_caught(ctx):
    _append(5)
    db.session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    db.session.commit()
    result = audit.verify()
    assert not result.ok and result.seq == 2


def test_deleting_the_newest_rows_is_caught(ctx):
    _append(5)
    db.session.execute(text("DELETE FROM audit_event WHERE seq >= 4"))
    db.session.commit()
    result = audit.verify()
    assert not result.ok and result.seq == 4


def test_inserting_a_forged_row_is_caught(ctx):
    _append(3)
    last = db.session.get(AuditEvent, 3)
    db.session.execute(text("UPDATE audit_event SET seq = 10 WHERE seq = 3"))
    db.session.expunge_all()
    db.session.add(
        AuditEvent(
            seq=3,
            occurred_at=last.occurred_at,
            actor_user_id=None,
            actor_label="forger",
            actor_role="admin",
            action="x",
            object_type="y",
            object_id="z",
            ip_address=None,
            detail="{}",
            prev_hash="f" * 64,
            hash="e" * 64,
        )
    )
    db.session.commit()
    result = audit.verify()
    assert not result.ok and result.seq == 3


def test_audit_verify_command(app):
    with app.app_context():
        _append(2)
        db.session.remove()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dps", "audit-verify"])
    assert result.exit_code == 0 and result.output.startswith("OK: 2 audit rows")
    with app.app_context():
        db.session.execute(text("UPDATE audit_event SET action = 'changed' WHERE seq = 1"))
        db.session.commit()
        db.session.remove()
    result = runner.invoke(args=["dps", "audit-verify"])
    assert result.exit_code == 1 and "ALTERED at row 1" in result.output
    assert isinstance(runner, CliRunner)


def test_a_rolled_back_change_leaves_no_audit_row(ctx):
    audit.record("test.rolled_back", "thing", 1)
    db.session.rollback()
    _append(1)
    assert audit.verify().ok
    assert db.session.scalar(db.select(db.func.count(AuditEvent.seq))) == 1
