"""Jobs for tenders: invitations and notices to every invitee (ids only, safe to run twice).

Each organisation gets one inbox message and each of its people one e-mail; the dedupe keys
make a rerun (a retry after a crash, a second worker) send nothing twice.
"""

from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import select

from dps.extensions import db
from dps.jobs.context import app_context
from dps.models.audit import AuditEvent
from dps.models.tender import Invitation, Tender
from dps.services.notices import link, tell_organisation
from dps.state.clock import format_london


def _sender(tender: Tender) -> str:
    return tender.dps.lead_authority.name


def invitation_text(tender: Tender, lot_ids: list[int]) -> tuple[str, str]:
    """The subject and body of an invitation to one organisation."""
    lots = [lot for lot in tender.lots if lot.id in set(lot_ids)]
    lot_lines = "\n".join(
        f"- Lot {lot.number}: {lot.title} ({', '.join(z.label for z in lot.zones)})" for lot in lots
    )
    subject = f"Invitation to tender: {tender.title} ({tender.reference})"
    paragraphs = [
        f"{_sender(tender)} invites you to bid for {tender.title} ({tender.reference}), a "
        f"call-off under {tender.dps.title}, because you are admitted to "
        f"{tender.category.name} in these lots:\n{lot_lines}"
    ]
    if tender.clarification_deadline:
        paragraphs.append(f"Ask any questions by {format_london(tender.clarification_deadline)}.")
    paragraphs.append(
        f"The closing time is {format_london(tender.closing_at)}. Bids after the closing time "
        "are refused, so leave time to submit."
    )
    paragraphs.append(
        f"Read the tender: {link('public.opportunity', reference=tender.reference)}\n"
        "Sign in to ask questions and bid: "
        f"{current_app.config['PUBLIC_URL'].rstrip('/')}/provider/tenders"
    )
    body = "\n\n".join(paragraphs)
    return subject, body


def send_invitations(tender_id: int) -> int:
    """Tell every invited organisation about the tender; returns how many were told."""
    with app_context():
        tender = db.session.get(Tender, tender_id)
        if tender is None or tender.published_at is None:
            return 0
        invitations = db.session.scalars(
            select(Invitation).where(Invitation.tender_id == tender_id).order_by(Invitation.id)
        ).all()
        for invitation in invitations:
            subject, body = invitation_text(tender, json.loads(invitation.lot_ids))
            tell_organisation(
                invitation.organisation_id,
                subject,
                body,
                _sender(tender),
                dedupe_key=f"invite:{tender_id}:{invitation.organisation_id}",
            )
            db.session.commit()  # each organisation's messages are kept even if a later one fails
        return len(invitations)


def notify_invitees(tender_id: int, audit_seq: int) -> int:
    """Post the notice recorded in audit row `audit_seq` (its detail's subject and body) to
    every invitee of the tender, e.g. a changed deadline; returns how many were told."""
    with app_context():
        tender = db.session.get(Tender, tender_id)
        event = db.session.get(AuditEvent, audit_seq)
        if tender is None or event is None:
            return 0
        if event.object_type == "tender" and event.object_id != str(tender_id):
            return 0  # a notice about another tender
        detail = json.loads(event.detail or "{}")
        subject, body = detail.get("subject"), detail.get("body")
        if not subject or not body:
            return 0
        organisation_ids = db.session.scalars(
            select(Invitation.organisation_id)
            .where(Invitation.tender_id == tender_id)
            .order_by(Invitation.organisation_id)
        ).all()
        for organisation_id in organisation_ids:
            tell_organisation(
                organisation_id,
                subject,
                body,
                _sender(tender),
                dedupe_key=f"notice:{tender_id}:{audit_seq}:{organisation_id}",
            )
            db.session.commit()
        return len(organisation_ids)
