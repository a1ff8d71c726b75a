"""Changing a DPS's categories, zones and partner authorities.

Categories, zones and partners can only change while the DPS is a draft: once published,
providers apply against them. Zone flags (hard to serve, rural) describe the market, not the
scope, so they may change at any time.
"""

from __future__ import annotations

import re

from sqlalchemy import exists, func, or_, select

from dps.extensions import db
from dps.models.dps import Category, DynamicPurchasingSystem, Zone
from dps.models.organisation import Organisation, OrganisationKind, User
from dps.models.provider import ApplicationScope, MembershipScope
from dps.services import audit
from dps.services.dps_setup import SetupError

_NOT_CODE = re.compile(r"[^a-z0-9]+")


def _draft(dps_id: int, what: str) -> DynamicPurchasingSystem:
    dps = db.session.get(DynamicPurchasingSystem, dps_id)
    if dps is None:
        raise SetupError("No such DPS.")
    if dps.status != "draft":
        raise SetupError(f"You can only change {what} while the DPS is a draft.")
    return dps


def _code_for(name: str, taken: set[str]) -> str:
    """A stable code from the name: lower case, underscores, unique in the DPS."""
    base = _NOT_CODE.sub("_", name.lower()).strip("_")[:34] or "item"
    code, number = base, 2
    while code in taken:
        code = f"{base}_{number}"
        number += 1
    return code


def _clean_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise SetupError(f"Enter the name of the {what}.", "name")
    if len(name) > 120:
        raise SetupError(f"The name of the {what} must be 120 characters or fewer.", "name")
    return name


# Categories -------------------------------------------------------------------------------


def _category(dps: DynamicPurchasingSystem, category_id: int) -> Category:
    for category in dps.categories:
        if category.id == category_id:
            return category
    raise SetupError("No such category.")


def _check_category_name(dps: DynamicPurchasingSystem, name: str, keep_id: int | None) -> None:
    for category in dps.categories:
        if category.id != keep_id and category.name.lower() == name.lower():
            raise SetupError(f"There is already a category called {category.name}.", "name")


def add_category(actor: User, dps_id: int, name: str, description: str = "") -> Category:
    dps = _draft(dps_id, "categories")
    name = _clean_name(name, "category")
    _check_category_name(dps, name, None)
    category = Category(
        code=_code_for(name, {c.code for c in dps.categories}),
        name=name,
        description=(description or "").strip()[:500],
        position=max((c.position for c in dps.categories), default=-1) + 1,
    )
    dps.categories.append(category)
    db.session.flush()
    audit.record(
        "dps.category_added", "dps", dps.id, {"category": category.code, "name": name}, actor
    )
    db.session.commit()
    return category


def update_category(
    actor: User, dps_id: int, category_id: int, name: str, description: str = ""
) -> Category:
    dps = _draft(dps_id, "categories")
    category = _category(dps, category_id)
    name = _clean_name(name, "category")
    _check_category_name(dps, name, category.id)
    before = {"name": category.name, "description": category.description}
    category.name = name
    category.description = (description or "").strip()[:500]
    audit.record(
        "dps.category_changed",
        "dps",
        dps.id,
        {"category": category.code, "before": before, "name": name},
        actor,
    )
    db.session.commit()
    return category


def remove_category(actor: User, dps_id: int, category_id: int) -> None:
    dps = _draft(dps_id, "categories")
    category = _category(dps, category_id)
    _refuse_if_used(ApplicationScope.category_id, MembershipScope.category_id, category.id)
    dps.categories.remove(category)
    db.session.delete(category)
    audit.record(
        "dps.category_removed",
        "dps",
        dps.id,
        {"category": category.code, "name": category.name},
        actor,
    )
    db.session.commit()


def _refuse_if_used(application_column, membership_column, item_id: int) -> None:
    used = db.session.scalar(
        select(
            or_(
                exists().where(application_column == item_id),
                exists().where(membership_column == item_id),
            )
        )
    )
    if used:
        raise SetupError("Providers have already applied for it, so it cannot be removed.")


# Zones ------------------------------------------------------------------------------------


def _zone(dps: DynamicPurchasingSystem, zone_id: int) -> Zone:
    for zone in dps.zones:
        if zone.id == zone_id:
            return zone
    raise SetupError("No such zone.")


def _check_zone_name(dps: DynamicPurchasingSystem, name: str, keep_id: int | None) -> None:
    for zone in dps.zones:
        if zone.id != keep_id and zone.name.lower() == name.lower():
            raise SetupError(f"There is already a zone called {zone.name}.", "name")


def add_zone(
    actor: User,
    dps_id: int,
    name: str,
    parent_id: int | None = None,
    *,
    hard_to_serve: bool = False,
    rural: bool = False,
) -> Zone:
    """Add a district (no parent) or a locality inside a district."""
    dps = _draft(dps_id, "zones")
    name = _clean_name(name, "zone")
    _check_zone_name(dps, name, None)
    parent = None
    if parent_id:
        parent = _zone(dps, parent_id)
        if parent.parent_id is not None:
            raise SetupError(
                "A locality must be inside a district, not another locality.", "parent"
            )
    if parent is None:
        position = max((z.position for z in dps.zones), default=-1) + 1
    else:
        family = [z.position for z in dps.zones if z.id == parent.id or z.parent_id == parent.id]
        position = max(family) + 1
        for zone in dps.zones:  # make room after the district's last locality
            if zone.position >= position:
                zone.position += 1
    zone = Zone(
        code=_code_for(name, {z.code for z in dps.zones}),
        name=name,
        parent=parent,
        hard_to_serve=hard_to_serve,
        rural=rural,
        position=position,
    )
    dps.zones.append(zone)
    db.session.flush()
    audit.record(
        "dps.zone_added",
        "dps",
        dps.id,
        {
            "zone": zone.code,
            "name": name,
            "parent": parent.code if parent else None,
            "hard_to_serve": hard_to_serve,
            "rural": rural,
        },
        actor,
    )
    db.session.commit()
    return zone


def update_zone(
    actor: User,
    dps_id: int,
    zone_id: int,
    *,
    name: str | None = None,
    hard_to_serve: bool,
    rural: bool,
) -> Zone:
    """Change a zone's flags (at any time) and its name (while the DPS is a draft)."""
    dps = db.session.get(DynamicPurchasingSystem, dps_id)
    if dps is None:
        raise SetupError("No such DPS.")
    zone = _zone(dps, zone_id)
    before = {"name": zone.name, "hard_to_serve": zone.hard_to_serve, "rural": zone.rural}
    if name is not None and name.strip() != zone.name:
        _draft(dps_id, "the names of zones")
        name = _clean_name(name, "zone")
        _check_zone_name(dps, name, zone.id)
        zone.name = name
    zone.hard_to_serve = hard_to_serve
    zone.rural = rural
    audit.record(
        "dps.zone_changed",
        "dps",
        dps.id,
        {
            "zone": zone.code,
            "before": before,
            "name": zone.name,
            "hard_to_serve": hard_to_serve,
            "rural": rural,
        },
        actor,
    )
    db.session.commit()
    return zone


def remove_zone(actor: User, dps_id: int, zone_id: int) -> None:
    dps = _draft(dps_id, "zones")
    zone = _zone(dps, zone_id)
    if any(z.parent_id == zone.id for z in dps.zones):
        raise SetupError(f"Remove the localities in {zone.name} first.")
    _refuse_if_used(ApplicationScope.zone_id, MembershipScope.zone_id, zone.id)
    dps.zones.remove(zone)
    db.session.delete(zone)
    audit.record("dps.zone_removed", "dps", dps.id, {"zone": zone.code, "name": zone.name}, actor)
    db.session.commit()


# Partners ---------------------------------------------------------------------------------


def set_partners(actor: User, dps_id: int, partner_ids: list[int]) -> list[Organisation]:
    """Replace the partner authorities; the lead is never its own partner."""
    dps = _draft(dps_id, "the partner authorities")
    wanted = set(partner_ids) - {dps.lead_authority_id}
    partners = (
        list(
            db.session.scalars(
                select(Organisation)
                .where(Organisation.id.in_(wanted), Organisation.kind == OrganisationKind.AUTHORITY)
                .order_by(func.lower(Organisation.name))
            )
        )
        if wanted
        else []
    )
    if len(partners) != len(wanted):
        raise SetupError("Choose partners from the list.", "partner_ids")
    if actor.organisation_id not in {dps.lead_authority_id, *(p.id for p in partners)}:
        raise SetupError(
            "You cannot remove your own organisation: you would lose access to this DPS.",
            "partner_ids",
        )
    before = sorted(p.name for p in dps.partners)
    dps.partners = partners
    audit.record(
        "dps.partners_changed",
        "dps",
        dps.id,
        {"before": before, "after": [p.name for p in partners]},
        actor,
    )
    db.session.commit()
    return partners
