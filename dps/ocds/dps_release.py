"""The release for a DPS: who runs it, what it buys where, how to get on, and who is on it."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from dps.extensions import db
from dps.models import Application, DynamicPurchasingSystem, Membership, Zone
from dps.models.dps import Category
from dps.ocds import entries
from dps.ocds.awards import AwardData, award_entries, release_tags
from dps.ocds.entries import ItemData, Parties
from dps.ocds.packaging import (
    DPS_STAGES,
    dps_technique,
    latest,
    ocid,
    package_of,
    party,
    release_id,
    service_class,
    zone_class,
)
from dps.ocds.selection import selection_summary
from dps.services.dps_setup import REGIME_SETUP, questionnaire_of
from dps.state.clock import to_london


def _active_memberships(dps_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.dps_id == dps_id, Membership.status == "active")
            .order_by(Membership.admitted_at, Membership.id)
        )
    )


def membership_awards(dps: DynamicPurchasingSystem) -> list[AwardData]:
    """Each active member's place on the DPS, as an award of its categories and zones.

    Suspended and removed members are left out, as on the public DPS page.
    """
    awards = []
    for membership in _active_memberships(dps.id):
        categories: dict[int, Category] = {}
        zones: dict[int, list[Zone]] = defaultdict(list)
        for scope in membership.scopes:
            categories[scope.category_id] = scope.category
            zones[scope.category_id].append(scope.zone)
        items = tuple(
            ItemData(
                id=category.code,
                description=category.name,
                service=service_class(category),
                zones=tuple(zone_class(zone) for zone in sorted(zones[category.id], key=_position)),
            )
            for category in sorted(categories.values(), key=_position)
        )
        awards.append(
            AwardData(
                id=f"membership-{membership.id}",
                status="active",
                suppliers=(party(membership.organisation),),
                date=membership.admitted_at,
                title=f"Admission to {dps.title}",
                items=items,
                contract_start_on=to_london(membership.admitted_at).date(),
                contract_end_on=dps.ends_on,
            )
        )
    return awards


def _position(row: Category | Zone) -> tuple[int, int]:
    return (row.position, row.id)


def last_change(dps: DynamicPurchasingSystem) -> datetime:
    """When what the release shows last changed: publication, admissions, status changes."""
    admitted, changed = db.session.execute(
        select(func.max(Membership.admitted_at), func.max(Membership.status_changed_at)).where(
            Membership.dps_id == dps.id
        )
    ).one()
    applied = db.session.scalar(
        select(func.max(Application.submitted_at)).where(Application.dps_id == dps.id)
    )
    return latest(dps.published_at, admitted, changed, applied)


def _requests(dps_id: int) -> int:
    """Applications to join received (submitted, whatever became of them)."""
    return db.session.scalar(
        select(func.count(Application.id)).where(
            Application.dps_id == dps_id, Application.submitted_at.is_not(None)
        )
    )


def _tender(dps: DynamicPurchasingSystem, lead: dict, status: str) -> dict:
    all_zones = tuple(zone_class(zone) for zone in dps.zones)
    items = [
        entries.item_entry(
            ItemData(
                id=category.code,
                description=category.description or category.name,
                service=service_class(category),
                zones=all_zones,
            )
        )
        for category in dps.categories
    ]
    return entries.compact(
        {
            "id": dps.reference,
            "title": dps.title or None,
            "description": dps.description or None,
            "status": status,
            "procuringEntity": lead,
            "items": items,
            "mainProcurementCategory": "services",
            "procurementMethod": "selective",
            "procurementMethodDetails": REGIME_SETUP[dps.regime].short_name,
            "eligibilityCriteria": selection_summary(
                questionnaire_of(dps), dps.conditions_of_membership
            ),
            "submissionMethod": ["electronicSubmission"],
            "tenderPeriod": entries.period(
                entries.instant(dps.published_at) if dps.published_at else None,
                entries.day_end(dps.ends_on),
            ),
            "contractPeriod": entries.period(
                entries.day_start(dps.starts_on), entries.day_end(dps.ends_on)
            ),
            "techniques": dps_technique(dps),
        }
    )


def dps_release(dps: DynamicPurchasingSystem) -> dict:
    process_id = ocid("dps", dps.reference)
    status, _, stage_tag = DPS_STAGES.get(dps.status, DPS_STAGES["published"])
    as_of = last_change(dps)
    parties = Parties()
    lead = parties.add(party(dps.lead_authority), "buyer", "procuringEntity")
    for partner in dps.partners:
        parties.add(party(partner), "buyer")
    tender = _tender(dps, lead, status)
    award_list = award_entries(membership_awards(dps), parties)
    requests = {
        "id": "requests",
        "measure": "requests",
        "value": _requests(dps.id),
        "notes": "Applications to join the DPS received.",
        "date": entries.instant(as_of),
    }
    return entries.compact(
        {
            "ocid": process_id,
            "id": release_id(process_id, dps.status, as_of),
            "date": entries.instant(as_of),
            "tag": release_tags(stage_tag, award_list, []),
            "initiationType": "tender",
            "language": "en",
            "parties": parties.entries(),
            "buyer": lead,
            "tender": tender,
            "bids": {"statistics": [requests]},
            "awards": award_list,
        }
    )


def dps_release_package(dps: DynamicPurchasingSystem) -> dict:
    """The DPS's release package (one release: the process as it stands)."""
    return package_of(dps_release(dps), "dps", dps.reference)
