"""The one e-mail adapter: every e-mail is stored; with SMTP configured a job delivers it."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from dps.extensions import db
from dps.jobs.outbox import schedule
from dps.models.messaging import EmailMessage


def send_email(to: str, subject: str, body: str, dedupe_key: str | None = None) -> EmailMessage:
    """Store the e-mail (the outbox) in the caller's transaction and, with SMTP, queue delivery."""
    if dedupe_key:
        existing = db.session.scalar(
            select(EmailMessage).where(EmailMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing
    smtp = bool(current_app.config.get("MAIL_SERVER"))
    email = EmailMessage(
        to_address=to,
        subject=subject[:200],
        body=body,
        status="queued" if smtp else "stored",
        dedupe_key=dedupe_key,
    )
    db.session.add(email)
    if smtp:
        db.session.flush()
        schedule("deliver_email", email.id)
    return email
