"""Delivering stored e-mails over SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage as MimeMessage

from flask import current_app

from dps.extensions import db
from dps.models.messaging import EmailMessage
from dps.state.clock import now


def deliver_email(email_id: int) -> None:
    """Send one stored e-mail; sent ones are skipped, so a rerun never sends twice."""
    email = db.session.get(EmailMessage, email_id)
    if email is None or email.status == "sent":
        return
    config = current_app.config
    mime = MimeMessage()
    mime["From"] = config["MAIL_FROM"]
    mime["To"] = email.to_address
    mime["Subject"] = email.subject
    mime["Message-ID"] = f"<commission-{email.id}@{config['MAIL_FROM'].split('@')[-1]}>"
    mime.set_content(email.body)
    email.attempts += 1
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(mime)
    except (OSError, smtplib.SMTPException) as exc:
        email.status = "failed"
        email.last_error = str(exc)[:500]
        db.session.commit()
        raise
    email.status = "sent"
    email.sent_at = now()
    db.session.commit()
