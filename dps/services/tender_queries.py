"""What the tender pages read, and who may see which tender: queries only, nothing changes.

`dps.services.tenders` re-exports these, so callers need only that module.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import or_, select

from dps.extensions import db
from dps.models.dps import Category, DynamicPurchasingSystem, dps_partner
from dps.models.messaging import Message
from dps.models.organisation import Organisation, User
from dps.models.provider import Membership, MembershipScope
from dps.models.tender import Invitation, Lot, Tender, lot_zone
from dps.services.tender_parts import find
from dps.state.clock import now

OPEN_STATUS = "published"


# ---------------------------------------------------------------------------------------------
# Who may work on which tender: officers of the DPS's lead authority or of a partner


def _dps_ids_of(organisation_id: int | None):
    partner_of = select(dps_partner.c.dps_id).where(
        dps_partner.c.organisation_id == organisation_id
    )
    return select(DynamicPurchasingSystem.id).where(
        or_(
            DynamicPurchasingSystem.lead_authority_id == organisation_id,
            DynamicPurchasingSystem.id.in_(partner_of),
        )
    )


def works_on(user: User, dps_id: int) -> bool:
    if user.organisation_id is None:
        return False
    return bool(
        db.session.scalar(
            _dps_ids_of(user.organisation_id).where(DynamicPurchasingSystem.id == dps_id)
        )
    )


def for_officer(user: User, tender_id: int) -> Tender | None:
    """The tender if the officer's authority leads its DPS or is a partner; None otherwise."""
    if user.organisation_id is None:
        return None
    return db.session.scalar(
        select(Tender).where(
            Tender.id == tender_id, Tender.dps_id.in_(_dps_ids_of(user.organisation_id))
        )
    )


# ---------------------------------------------------------------------------------------------
# What the pages read


def invitees(tender: Tender) -> dict[int, list[int]]:
    """Organisation id -> the lots it may bid for: active members admitted to the tender's
    category in at least one zone of a lot. One query."""
    rows = db.session.execute(
        select(Membership.organisation_id, Lot.id)
        .join(MembershipScope, MembershipScope.membership_id == Membership.id)
        .join(lot_zone, lot_zone.c.zone_id == MembershipScope.zone_id)
        .join(Lot, Lot.id == lot_zone.c.lot_id)
        .where(
            Lot.tender_id == tender.id,
            Membership.dps_id == tender.dps_id,
            Membership.status == "active",
            MembershipScope.category_id == tender.category_id,
        )
        .distinct()
    ).all()
    lots: dict[int, set[int]] = defaultdict(set)
    for organisation_id, lot_id in rows:
        lots[organisation_id].add(lot_id)
    order = {lot.id: lot.number for lot in tender.lots}
    return {org: sorted(ids, key=order.__getitem__) for org, ids in sorted(lots.items())}


def tenders_for(user: User) -> list[Tender]:
    """Every tender under the DPSs the officer's authority works on, newest first."""
    return list(
        db.session.scalars(
            select(Tender)
            .where(Tender.dps_id.in_(_dps_ids_of(user.organisation_id)))
            .order_by(Tender.created_at.desc(), Tender.id.desc())
        )
    )


def open_dps_categories(user: User) -> list[tuple[DynamicPurchasingSystem, Category]]:
    """(DPS, category) pairs the officer can build a tender for: categories of open DPSs."""
    rows = db.session.execute(
        select(DynamicPurchasingSystem, Category)
        .join(Category, Category.dps_id == DynamicPurchasingSystem.id)
        .where(
            DynamicPurchasingSystem.status == "published",
            DynamicPurchasingSystem.id.in_(_dps_ids_of(user.organisation_id)),
        )
        .order_by(DynamicPurchasingSystem.title, Category.position)
    ).all()
    return [(dps, category) for dps, category in rows]


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    organisation: Organisation
    lots: list[Lot]
    told: bool  # the invitation is in the organisation's inbox

    @property
    def lot_words(self) -> str:
        return ", ".join(f"Lot {lot.number}: {lot.title}" for lot in self.lots)


def invitations_of(tender_id: int) -> list[InvitationRow]:
    """The invitation list as recorded at publication, with whether each has been delivered."""
    tender = find(tender_id)
    if tender is None:
        return []
    lots = {lot.id: lot for lot in tender.lots}
    rows = db.session.execute(
        select(Invitation, Organisation)
        .join(Organisation, Organisation.id == Invitation.organisation_id)
        .where(Invitation.tender_id == tender_id)
        .order_by(Organisation.name)
    ).all()
    told = set(
        db.session.scalars(
            select(Message.dedupe_key).where(Message.dedupe_key.like(f"invite:{tender_id}:%"))
        )
    )
    return [
        InvitationRow(
            invitation,
            organisation,
            [lots[i] for i in json.loads(invitation.lot_ids) if i in lots],
            f"invite:{tender_id}:{organisation.id}" in told,
        )
        for invitation, organisation in rows
    ]


def invitee_names(tender: Tender) -> list[str]:
    """Who publishing now would invite (names, A to Z)."""
    invited = invitees(tender)
    if not invited:
        return []
    return list(
        db.session.scalars(
            select(Organisation.name)
            .where(Organisation.id.in_(list(invited)))
            .order_by(Organisation.name)
        )
    )


def open_opportunities() -> list[Tender]:
    """Published tenders still open for bids, closing soonest first."""
    return list(
        db.session.scalars(
            select(Tender)
            .where(Tender.status == OPEN_STATUS, Tender.closing_at > now())
            .order_by(Tender.closing_at, Tender.reference)
        )
    )


def public_tender(reference: str) -> Tender | None:
    """A tender the public may see: anything once published, never a draft or a cancelled one
    that was never published."""
    tender = db.session.scalar(select(Tender).where(Tender.reference == reference))
    if tender is None or tender.published_at is None:
        return None
    return tender
