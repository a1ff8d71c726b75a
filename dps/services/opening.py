"""Closing tenders on time and opening their sealed bids: an explicit, audited event.

Before opening, officers see only how many bids each lot has received. Opening needs the
closing time to have passed and, where the tender says so, two different officers: one asks,
another confirms. Any attempt to read a bid before then is refused and recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from dps.extensions import db
from dps.models.bid import Bid
from dps.models.dps import DynamicPurchasingSystem, dps_partner
from dps.models.organisation import User
from dps.models.tender import Lot, Tender
from dps.services import audit, inbox, sealing
from dps.services.notices import link
from dps.state.clock import format_london, now
from dps.state.machine import TransitionError, fire
from dps.state.tender import TENDER_TRANSITIONS


class OpeningError(Exception):
    """A step of the opening that cannot be taken now, in words for the officer."""


def officer_tender(actor: User, tender_id: int) -> Tender | None:
    """The tender if the officer's authority leads its DPS or is a partner; else None (404)."""
    if actor.organisation_id is None:
        return None
    partner_of = select(dps_partner.c.dps_id).where(
        dps_partner.c.organisation_id == actor.organisation_id
    )
    return db.session.scalar(
        select(Tender)
        .join(DynamicPurchasingSystem, Tender.dps_id == DynamicPurchasingSystem.id)
        .where(
            Tender.id == tender_id,
            or_(
                DynamicPurchasingSystem.lead_authority_id == actor.organisation_id,
                DynamicPurchasingSystem.id.in_(partner_of),
            ),
        )
    )


def _tender_for(actor: User, tender_id: int) -> Tender:
    tender = officer_tender(actor, tender_id)
    if tender is None:
        raise OpeningError("No such tender.")
    return tender


# Closing ---------------------------------------------------------------------------------


def _close(tender: Tender) -> None:
    """Fire "close", record it and tell the lead authority; the caller commits."""
    fire(TENDER_TRANSITIONS, tender, "close")
    counts = {f"lot {row.number}": row.submitted for row in bid_counts(tender.id)}
    audit.record(
        "tender.closed",
        "tender",
        tender.id,
        {"reference": tender.reference, "closing_at": tender.closing_at, "bids": counts},
    )
    total = sum(counts.values())
    inbox.post(
        tender.dps.lead_authority_id,
        f"Tender closed: {tender.reference}",
        f"{tender.reference} {tender.title} closed at {format_london(tender.closing_at)} "
        f"with {total} bid{'' if total == 1 else 's'}. The bids stay sealed until they are "
        f"opened: {link('officer.tender_opening', tender_id=tender.id)}",
        current_app.config["SERVICE_NAME"],
        dedupe_key=f"tender:{tender.id}:closed",
    )


def close_due_tenders() -> int:
    """For `flask dps tick`: close every published tender whose closing time has passed."""
    due = db.session.scalars(
        select(Tender)
        .where(Tender.status == "published", Tender.closing_at <= now())
        .order_by(Tender.closing_at, Tender.id)
    ).all()
    for tender in due:
        _close(tender)
        db.session.commit()
    return len(due)


def _close_if_due(tender: Tender) -> None:
    """Close a tender the tick has not reached yet, so officers never wait for the clock."""
    if tender.status == "published" and tender.closing_at and tender.closing_at <= now():
        _close(tender)


# Counting and reading ----------------------------------------------------------------------


@dataclass(frozen=True)
class LotCount:
    lot_id: int
    number: int
    title: str
    submitted: int


def bid_counts(tender_id: int) -> list[LotCount]:
    """How many bids each lot has received: the only thing anyone may see before opening."""
    counts = dict(
        db.session.execute(
            select(Bid.lot_id, func.count(Bid.id))
            .where(Bid.tender_id == tender_id, Bid.status == "submitted")
            .group_by(Bid.lot_id)
        ).all()
    )
    lots = db.session.scalars(select(Lot).where(Lot.tender_id == tender_id).order_by(Lot.number))
    return [LotCount(lot.id, lot.number, lot.title, counts.get(lot.id, 0)) for lot in lots]


@dataclass(frozen=True)
class OpenedBid:
    bid_id: int
    lot_id: int
    lot_number: int
    organisation_id: int
    organisation_name: str
    version: int
    receipt_reference: str
    submitted_at: datetime
    content: dict[str, Any]
    price_total: Decimal | None


def _submitted_bids(tender_id: int) -> list[Bid]:
    return list(
        db.session.scalars(
            select(Bid)
            .join(Lot, Bid.lot_id == Lot.id)
            .where(Bid.tender_id == tender_id, Bid.status == "submitted")
            .options(selectinload(Bid.versions), selectinload(Bid.organisation))
            .order_by(Lot.number, Bid.submitted_at, Bid.id)
        )
    )


def read_bids(tender_id: int, actor: User) -> list[OpenedBid]:
    """The submitted bids, decrypted. Before opening: refused and audited (SealedError)."""
    tender = officer_tender(actor, tender_id)
    if tender is None:
        raise OpeningError("No such tender.")
    bids = _submitted_bids(tender_id)
    if tender.opened_at is None and not bids:
        # No bid to refuse, but the attempt itself is still on record.
        audit.record(
            "bid.read_refused",
            "tender",
            tender.id,
            {"tender": tender.reference, "status": tender.status},
            actor=actor,
        )
        db.session.commit()
        raise sealing.SealedError(
            "Bids stay sealed until the tender has been opened after its closing time."
        )
    opened = []
    for bid in bids:
        version = bid.current_version
        if version is None:
            continue
        content = sealing.open_for_officer(
            tender, bid.id, bid.organisation_id, actor, version.ciphertext
        )
        opened.append(
            OpenedBid(
                bid_id=bid.id,
                lot_id=bid.lot_id,
                lot_number=bid.lot.number,
                organisation_id=bid.organisation_id,
                organisation_name=bid.organisation.name,
                version=version.version,
                receipt_reference=version.receipt_reference,
                submitted_at=version.submitted_at,
                content=content,
                price_total=price_total(tender, content, bid.lot),
            )
        )
    return opened


def price_total(tender: Tender, content: dict[str, Any], lot=None) -> Decimal | None:
    """The bid's hourly price as the engine works it out from its cost breakdown (the content's
    cost_inputs, through `bids.breakdown`, as the bidder saw it); None if it cannot be priced."""
    if not isinstance(content.get("cost_inputs"), dict):
        return None
    from dps.services.bids import breakdown  # bids' receipts import the inbox, not this module

    try:
        priced = breakdown(content, tender, lot).breakdown
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError):
        return None
    return priced.total_rounded if priced is not None else None


# Opening -----------------------------------------------------------------------------------


def _refuse(tender: Tender, actor: User, reason: str) -> OpeningError:
    """Record a refused opening (committed, so it stays on record) and return the error."""
    audit.record(
        "tender.opening_refused",
        "tender",
        tender.id,
        {"reference": tender.reference, "status": tender.status, "reason": reason},
        actor=actor,
    )
    db.session.commit()
    return OpeningError(reason)


def _before_closing_message(tender: Tender) -> str:
    when = format_london(tender.closing_at) if tender.closing_at else "its closing time"
    return f"Bids cannot be opened before the closing time, {when}. They stay sealed until then."


def _check_can_start(tender: Tender, actor: User) -> None:
    _close_if_due(tender)
    if tender.status == "published":
        raise _refuse(tender, actor, _before_closing_message(tender))
    if tender.status != "closed":
        if tender.opened_at is not None:
            raise OpeningError("The bids have already been opened.")
        raise _refuse(tender, actor, f"A {tender.status} tender cannot be opened.")


def _open(tender: Tender, actor: User) -> None:
    try:
        fire(TENDER_TRANSITIONS, tender, "open", actor=actor)
    except TransitionError as error:
        raise _refuse(tender, actor, str(error)) from None
    requested_by = db.session.get(User, tender.opening_requested_by_id or actor.id)
    audit.record(
        "tender.opened",
        "tender",
        tender.id,
        {
            "reference": tender.reference,
            "opened_by": actor.email,
            "opened_at": tender.opened_at,
            "requested_by": requested_by.email,
            "requested_at": tender.opening_requested_at or tender.opened_at,
            "two_officers": tender.opening_needs_two_officers,
            "bids": {f"lot {row.number}": row.submitted for row in bid_counts(tender.id)},
        },
        actor=actor,
    )


def request_opening(tender_id: int, actor: User) -> Tender:
    """The first officer asks to open; with a one-officer opening this opens the bids."""
    tender = _tender_for(actor, tender_id)
    _check_can_start(tender, actor)
    if not tender.opening_needs_two_officers:
        tender.opening_requested_by_id = actor.id
        tender.opening_requested_at = now()
        _open(tender, actor)
        db.session.commit()
        return tender
    if tender.opening_requested_by_id is not None:
        if tender.opening_requested_by_id == actor.id:
            raise OpeningError(
                "You have already asked to open the bids. A different officer must confirm."
            )
        raise OpeningError("Another officer has already asked to open the bids: confirm it.")
    tender.opening_requested_by_id = actor.id
    tender.opening_requested_at = now()
    audit.record(
        "tender.opening_requested",
        "tender",
        tender.id,
        {"reference": tender.reference, "requested_at": tender.opening_requested_at},
        actor=actor,
    )
    db.session.commit()
    return tender


def confirm_opening(tender_id: int, actor: User) -> Tender:
    """Open the bids: a second, different officer where the tender needs two."""
    tender = _tender_for(actor, tender_id)
    _check_can_start(tender, actor)
    _open(tender, actor)
    db.session.commit()
    return tender


def start_evaluation(tender_id: int, actor: User) -> Tender:
    tender = _tender_for(actor, tender_id)
    try:
        fire(TENDER_TRANSITIONS, tender, "start_evaluation", actor=actor)
    except TransitionError as error:
        raise OpeningError(str(error)) from None
    audit.record(
        "tender.evaluation_started",
        "tender",
        tender.id,
        {"reference": tender.reference},
        actor=actor,
    )
    db.session.commit()
    from dps.services.price_review import ensure_reviews  # price_review imports this module

    ensure_reviews(tender.id)  # every tender entering evaluation gets its price checks
    return tender


@dataclass(frozen=True)
class OpeningState:
    """What the opening page shows: where the tender stands and who has done what."""

    tender: Tender
    counts: list[LotCount]
    requested_by: User | None
    opened_by: User | None

    @property
    def total(self) -> int:
        return sum(row.submitted for row in self.counts)


def opening_state(tender: Tender) -> OpeningState:
    """Closes the tender first if its time has passed (so the page never shows a stale state)."""
    if tender.status == "published" and tender.closing_at and tender.closing_at <= now():
        _close(tender)
        db.session.commit()
    requested = (
        db.session.get(User, tender.opening_requested_by_id)
        if tender.opening_requested_by_id
        else None
    )
    opened = db.session.get(User, tender.opened_by_id) if tender.opened_by_id else None
    return OpeningState(tender, bid_counts(tender.id), requested, opened)
