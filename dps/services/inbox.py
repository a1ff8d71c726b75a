"""The in-app inbox of each organisation."""

from __future__ import annotations

from sqlalchemy import func, select

from dps.extensions import db
from dps.models.messaging import Message
from dps.state.clock import now


def insert_once(model, values: dict):
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING the row, in the caller's
    transaction: one statement instead of a SELECT then an INSERT, and no IntegrityError when
    another transaction writes the same key at the same moment. None if the key is taken (then
    the caller reads the row that holds it); NotImplemented on a database without the clause."""
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return NotImplemented
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[model.dedupe_key])
        .returning(model)
    )
    return db.session.scalars(statement).first()


def post(
    organisation_id: int,
    subject: str,
    body: str,
    sender_label: str,
    document_id: int | None = None,
    dedupe_key: str | None = None,
) -> Message:
    """Add a message in the caller's transaction; a repeated dedupe_key returns the first one."""
    values = {
        "organisation_id": organisation_id,
        "subject": subject[:200],
        "body": body,
        "sender_label": sender_label,
        "document_id": document_id,
        "dedupe_key": dedupe_key,
    }
    if dedupe_key:
        inserted = insert_once(Message, values)
        if inserted is not None and inserted is not NotImplemented:
            return inserted
        existing = db.session.scalar(select(Message).where(Message.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    message = Message(**values)
    db.session.add(message)
    return message


def unread_count(organisation_id: int) -> int:
    return db.session.scalar(
        select(func.count(Message.id)).where(
            Message.organisation_id == organisation_id, Message.read_at.is_(None)
        )
    )


def messages_for(organisation_id: int) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.organisation_id == organisation_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
        )
    )


def open_message(organisation_id: int, message_id: int) -> Message | None:
    """The message if it is the organisation's (else None: callers answer 404); marks it read."""
    message = db.session.scalar(
        select(Message).where(Message.id == message_id, Message.organisation_id == organisation_id)
    )
    if message is not None and message.read_at is None:
        message.read_at = now()
        db.session.commit()
    return message
