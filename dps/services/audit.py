"""Appending to and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select, update

from dps.extensions import db
from dps.models.audit import GENESIS_HASH, AuditEvent, AuditHead
from dps.state.clock import now

HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_user_id",
    "actor_label",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "ip_address",
    "detail",
)


def _canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_digest(prev_hash: str, values: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and this row's canonical content."""
    content = {
        key: _canonical_time(values[key]) if key == "occurred_at" else values[key]
        for key in HASHED_FIELDS
    }
    payload = prev_hash + json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _actor(actor) -> tuple[int | None, str, str]:
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if actor is None:
        return None, "system", "system"
    return actor.id, actor.email, actor.role


def record(
    action: str,
    object_type: str,
    object_id: object,
    detail: dict[str, Any] | None = None,
    actor=None,
) -> AuditEvent:
    """Append one audit row in the caller's transaction (the caller commits).

    Updating the head row first takes the write lock, so concurrent appenders queue up and the
    chain never forks.
    """
    seq, prev_hash = db.session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash)
    ).one()
    actor_id, actor_label, actor_role = _actor(actor)
    values = {
        "seq": seq,
        "occurred_at": now(),
        "actor_user_id": actor_id,
        "actor_label": actor_label,
        "actor_role": actor_role,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "ip_address": request.remote_addr if has_request_context() else None,
        "detail": json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), default=str),
    }
    digest = row_digest(prev_hash, values)
    event = AuditEvent(**values, prev_hash=prev_hash, hash=digest)
    db.session.add(event)
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest))
    return event


def ensure_head() -> None:
    """Create the head row if the database is new (idempotent)."""
    if db.session.get(AuditHead, 1) is None:
        db.session.add(AuditHead(id=1, seq=0, last_hash=GENESIS_HASH))
        db.session.commit()


@dataclass(frozen=True)
class Verification:
    ok: bool
    rows_checked: int
    problem: str | None = None
    seq: int | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.rows_checked} audit rows, chain intact"
        return f"ALTERED at row {self.seq}: {self.problem}"


def verify(batch_size: int = 2000) -> Verification:
    """Walk the chain in order; report the first row altered, inserted or deleted."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return Verification(False, checked, f"row {expected_seq} is missing", expected_seq)
            if row.prev_hash != prev_hash:
                return Verification(False, checked, "previous-hash link broken", row.seq)
            values = {key: getattr(row, key) for key in HASHED_FIELDS}
            if row_digest(prev_hash, values) != row.hash:
                return Verification(False, checked, "content does not match its hash", row.seq)
            prev_hash = row.hash
            expected_seq += 1
            checked += 1
            last_seq = row.seq
        db.session.expunge_all()
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != last_seq or head.last_hash != prev_hash):
        return Verification(False, checked, "rows after this one were deleted", last_seq + 1)
    return Verification(True, checked)
