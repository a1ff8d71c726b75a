"""Finding DPSs: which an officer may work on, and what the public pages show.

Officers see the DPSs their authority leads or is a partner in; the public sees published ones
and, for each category and zone, the providers admitted and active.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from dps.extensions import db
from dps.models.dps import DynamicPurchasingSystem, Zone, dps_partner
from dps.models.organisation import Organisation, OrganisationKind, User
from dps.models.provider import Membership, MembershipScope

# Who may see what ---------------------------------------------------------------------------


def _involving(organisation_id: int | None):
    """DPSs the organisation leads or is a partner in."""
    partner_of = select(dps_partner.c.dps_id).where(
        dps_partner.c.organisation_id == organisation_id
    )
    return or_(
        DynamicPurchasingSystem.lead_authority_id == organisation_id,
        DynamicPurchasingSystem.id.in_(partner_of),
    )


def visible_to(user: User) -> list[DynamicPurchasingSystem]:
    """The DPSs an officer works on: those their authority leads or is a partner in."""
    if user.organisation_id is None:
        return []
    return list(
        db.session.scalars(
            select(DynamicPurchasingSystem)
            .where(_involving(user.organisation_id))
            .order_by(DynamicPurchasingSystem.created_at.desc(), DynamicPurchasingSystem.id)
        )
    )


def for_officer(user: User, dps_id: int) -> DynamicPurchasingSystem | None:
    """The DPS if the officer's authority leads it or is a partner; None otherwise."""
    if user.organisation_id is None:
        return None
    return db.session.scalar(
        select(DynamicPurchasingSystem).where(
            DynamicPurchasingSystem.id == dps_id, _involving(user.organisation_id)
        )
    )


def other_authorities(user: User) -> list[Organisation]:
    """Authorities other than the officer's own: the possible partners."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.kind == OrganisationKind.AUTHORITY,
                Organisation.id != user.organisation_id,
            )
            .order_by(Organisation.name)
        )
    )


def published_by_reference(reference: str) -> DynamicPurchasingSystem | None:
    return db.session.scalar(
        select(DynamicPurchasingSystem).where(
            func.upper(DynamicPurchasingSystem.reference) == reference.upper(),
            DynamicPurchasingSystem.status == "published",
        )
    )


@dataclass(frozen=True)
class Admitted:
    """Who is admitted where: names per (category id, zone id), and how many members."""

    cells: dict[tuple[int, int], list[str]]
    member_count: int


def admitted_providers(dps_id: int) -> Admitted:
    """Active members per category and zone, in one query.

    Suspended and removed members are left out: the public list shows who may be invited.
    """
    rows = db.session.execute(
        select(
            MembershipScope.category_id,
            MembershipScope.zone_id,
            Organisation.id,
            Organisation.name,
        )
        .join(Membership, MembershipScope.membership_id == Membership.id)
        .join(Organisation, Membership.organisation_id == Organisation.id)
        .where(Membership.dps_id == dps_id, Membership.status == "active")
        .order_by(func.lower(Organisation.name), Organisation.id)
    )
    cells: dict[tuple[int, int], list[str]] = {}
    members: set[int] = set()
    for category_id, zone_id, organisation_id, name in rows:
        cells.setdefault((category_id, zone_id), []).append(name)
        members.add(organisation_id)
    return Admitted(cells, len(members))


def zone_tree(dps: DynamicPurchasingSystem) -> list[tuple[Zone, list[Zone]]]:
    """Districts in order, each with its localities."""
    children: dict[int, list[Zone]] = {}
    for zone in dps.zones:
        if zone.parent_id is not None:
            children.setdefault(zone.parent_id, []).append(zone)
    return [(zone, children.get(zone.id, [])) for zone in dps.zones if zone.parent_id is None]
