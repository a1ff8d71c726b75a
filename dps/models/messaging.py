"""Documents, the organisation inbox, the e-mail outbox and the background-job outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.types import UTCDateTime
from dps.state.clock import now


class Document(db.Model):
    """A stored file: kept outside static/ under a generated name, with its SHA-256."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(80), unique=True)
    purpose: Mapped[str] = mapped_column(String(40), default="evidence")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Message(db.Model):
    """A message in an organisation's inbox on the platform."""

    __tablename__ = "inbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sender_label: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    document: Mapped[Document | None] = relationship()


class EmailMessage(db.Model):
    """Every e-mail the platform sends; without SMTP this table is the outbox people can read."""

    __tablename__ = "email_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="stored")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxJob(db.Model):
    """A background job written in the same transaction as the change that needs it.

    The row is handed to rq after commit; if Redis is down it waits here until the worker or
    `flask dps tick` drains the outbox.
    """

    __tablename__ = "outbox_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(80))
    args: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


class LoginFailure(db.Model):
    """A failed sign-in, kept to slow down an address that keeps guessing."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    ip_address: Mapped[str] = mapped_column(String(64), index=True)
    email: Mapped[str] = mapped_column(String(254))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
