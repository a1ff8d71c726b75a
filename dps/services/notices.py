"""Telling an organisation something: a message in its inbox and an e-mail to each of its people."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select
from werkzeug.routing import BuildError

from dps.extensions import db
from dps.models.organisation import User
from dps.services import inbox
from dps.services.mail import send_email
from dps.state.clock import format_date


def link(endpoint: str, fallback: str | None = None, **values) -> str:
    """A full address for an e-mail; works inside a request and in `flask dps tick` alike.

    ``fallback`` names a page without arguments to use if ``endpoint`` is not registered.
    """
    adapter = current_app.url_map.bind("localhost")
    try:
        path = adapter.build(endpoint, values)
    except BuildError:
        if fallback is None:
            raise
        path = adapter.build(fallback, {})
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


long_date = format_date  # GOV.UK style: "Friday 5 December 2026"


def short_date(day: date) -> str:
    """For tables: "5 Dec 2026"."""
    return f"{day.day} {day:%b %Y}"


def tell_organisation(
    organisation_id: int,
    subject: str,
    body: str,
    sender_label: str,
    dedupe_key: str,
) -> None:
    """Post to the inbox and e-mail every enabled user, in the caller's transaction.

    The dedupe key makes a repeat (a retried tick, a double submit) send nothing twice.
    """
    inbox.post(organisation_id, subject, body, sender_label, dedupe_key=dedupe_key)
    users = db.session.scalars(
        select(User).where(User.organisation_id == organisation_id, User.is_enabled.is_(True))
    )
    footer = (
        "\n\nYou can also read this message in your inbox on "
        + current_app.config["SERVICE_NAME"]
        + "."
    )
    for user in users:
        send_email(user.email, subject, body + footer, dedupe_key=f"{dedupe_key}:u{user.id}")
