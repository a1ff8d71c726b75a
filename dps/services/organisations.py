"""Contracting authorities: the lead council and its partners."""

from __future__ import annotations

from sqlalchemy import select

from dps.extensions import db
from dps.models.organisation import Organisation, OrganisationKind, User
from dps.services import audit


def authorities() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.AUTHORITY)
            .order_by(Organisation.is_lead_authority.desc(), Organisation.name)
        )
    )


def add_partner(actor: User, name: str, contact_email: str) -> Organisation:
    partner = Organisation(
        kind=OrganisationKind.AUTHORITY, name=name, legal_name=name, contact_email=contact_email
    )
    db.session.add(partner)
    db.session.flush()
    audit.record("authority.partner_added", "organisation", partner.id, {"name": name}, actor=actor)
    db.session.commit()
    return partner
