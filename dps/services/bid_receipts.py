"""What a bidder is told when a bid is received or withdrawn: receipts in the inbox and by
e-mail, naming the lot, the reference, the time and the digest, never what the bid says."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from dps.extensions import db
from dps.models.bid import Bid, BidVersion
from dps.models.organisation import User
from dps.models.tender import Lot, Tender
from dps.services import inbox
from dps.services.mail import send_email
from dps.state.clock import format_london_date, to_london

RECEIPT_SENDER = "Commission bid receipts"


def reference(tender: Tender, lot: Lot, organisation_id: int, version: int) -> str:
    """BID-<tender reference>-L<lot>-<organisation id>-v<version>, at most 40 characters."""
    text = f"BID-{tender.reference}-L{lot.number}-{organisation_id}-v{version}"
    if len(text) > 40:  # a long tender reference: fall back to its id
        text = f"BID-T{tender.id}-L{lot.number}-{organisation_id}-v{version}"
    return text


def receipt_time(moment: datetime) -> str:
    """A receipt's time in UK time to the second: "3:05:09pm on Monday 2 March 2026"."""
    local = to_london(moment)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}:{local.minute:02d}:{local.second:02d}{suffix} on {format_london_date(local)}"


def _lot_words(bid: Bid) -> str:
    return f"lot {bid.lot.number} ({bid.lot.title}) of tender {bid.tender.reference}"


def send_receipt(bid: Bid, version: BidVersion, replacing: bool) -> None:
    verb = "replacement bid" if replacing else "bid"
    subject = f"Receipt for your {verb}: {bid.tender.reference} lot {bid.lot.number}"
    body = (
        f"We received your {verb} for {_lot_words(bid)}: {bid.tender.title}.\n\n"
        f"Receipt reference: {version.receipt_reference}\n"
        f"Received: {receipt_time(version.submitted_at)} (UK time)\n"
        f"SHA-256 digest of what you submitted: {version.digest}\n\n"
        "Your bid is sealed: no one at the council can read it before the closing time. You can "
        f"replace or withdraw it until {receipt_time(bid.tender.closing_at)}.\n"
        "Keep this receipt: the digest proves exactly what you submitted."
    )
    _tell(bid, subject, body, f"bid-receipt:{version.receipt_reference}")


def _tell(bid: Bid, subject: str, body: str, dedupe_key: str) -> None:
    """Inbox message and an e-mail to each enabled person in the bidding organisation."""
    inbox.post(bid.organisation_id, subject, body, RECEIPT_SENDER, dedupe_key=dedupe_key)
    people = db.session.scalars(
        select(User).where(User.organisation_id == bid.organisation_id, User.is_enabled.is_(True))
    )
    footer = f"\n\nThis message is also in your inbox on {current_app.config['SERVICE_NAME']}."
    for person in people:
        send_email(person.email, subject, body + footer, dedupe_key=f"{dedupe_key}:u{person.id}")


def send_withdrawal(bid: Bid, version: BidVersion) -> None:
    subject = f"Bid withdrawn: {bid.tender.reference} lot {bid.lot.number}"
    body = (
        f"Your bid {version.receipt_reference} for {_lot_words(bid)} was withdrawn at "
        f"{receipt_time(version.withdrawn_at)} (UK time). It will not be evaluated. You can "
        f"submit again before {receipt_time(bid.tender.closing_at)}."
    )
    _tell(bid, subject, body, f"bid-withdrawn:{version.receipt_reference}")


def time_left_words(closing_at: datetime | None, at: datetime) -> str:
    """'6 days and 4 hours left', '35 minutes left'; 'Closed' once the time has passed."""
    if closing_at is None:
        return "No closing time set"
    seconds = int((closing_at - at).total_seconds())
    if seconds <= 0:
        return "Closed"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60

    def unit(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    if days:
        parts = [unit(days, "day")] + ([unit(hours, "hour")] if hours else [])
    elif hours:
        parts = [unit(hours, "hour")] + ([unit(minutes, "minute")] if minutes else [])
    elif minutes:
        parts = [unit(minutes, "minute")]
    else:
        return "Less than a minute left"
    return " and ".join(parts) + " left"
