"""The one e-mail adapter: every e-mail is stored; with SMTP configured a job delivers it."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from dps.extensions import db
from dps.jobs.outbox import schedule
from dps.models.messaging import EmailMessage
from dps.services.inbox import insert_once


def send_email(to: str, subject: str, body: str, dedupe_key: str | None = None) -> EmailMessage:
    """Store the e-mail (the outbox) in the caller's transaction and, with SMTP, queue delivery."""
    smtp = bool(current_app.config.get("MAIL_SERVER"))
    values = {
        "to_address": to,
        "subject": subject[:200],
        "body": body,
        "status": "queued" if smtp else "stored",
        "dedupe_key": dedupe_key,
    }
    email = None
    if dedupe_key:
        email = insert_once(EmailMessage, values)  # one statement; None: the key is taken
        if email is None or email is NotImplemented:
            existing = db.session.scalar(
                select(EmailMessage).where(EmailMessage.dedupe_key == dedupe_key)
            )
            if existing is not None:
                return existing
            email = None
    if email is None:
        email = EmailMessage(**values)
        db.session.add(email)
        if smtp:
            db.session.flush()
    if smtp:
        schedule("deliver_email", email.id)
    return email
