"""Saving the organisation, CQC, size, services-and-zones and insurance sections of an
application. Each save checks what it is given, writes an audit record and commits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models.dps import Category, Zone
from dps.models.organisation import ProviderSize, User
from dps.models.provider import (
    Application,
    ApplicationScope,
    InsurancePolicy,
    Membership,
    MembershipScope,
)
from dps.services import audit, uploads
from dps.services.application_sections import (
    CQC_RATINGS,
    NOT_RATED,
    ApplicationError,
    ApplicationNotFound,
    draft_for,
    insurance_types,
)
from dps.state.clock import now, to_london

COMPANIES_HOUSE_RE = re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6})$")
CQC_ID_RE = re.compile(r"^1-\d{8,11}$")


# --- Organisation, CQC and size --------------------------------------------------------------


def save_organisation(
    application_id: int,
    organisation_id: int,
    actor: User,
    *,
    legal_name: str,
    companies_house_number: str | None,
) -> Application:
    application = draft_for(application_id, organisation_id)
    legal_name = (legal_name or "").strip()
    number = (companies_house_number or "").replace(" ", "").upper() or None
    if not legal_name:
        raise ApplicationError("Enter your organisation's legal name", "legal_name")
    if len(legal_name) > 200:
        raise ApplicationError("Legal name must be 200 characters or fewer", "legal_name")
    if number and not COMPANIES_HOUSE_RE.match(number):
        raise ApplicationError(
            "Enter a Companies House number of 8 characters, like 01234567 or SC123456",
            "companies_house_number",
        )
    application.legal_name = legal_name
    application.companies_house_number = number
    _saved(application, actor, "organisation")
    return application


def parse_location_ids(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", (text or "").upper()) if part]


def save_cqc(
    application_id: int,
    organisation_id: int,
    actor: User,
    *,
    provider_id: str,
    location_ids: list[str],
    rating: str,
    rated_on: date | None,
) -> Application:
    application = draft_for(application_id, organisation_id)
    provider_id = (provider_id or "").replace(" ", "").upper()
    if not CQC_ID_RE.match(provider_id):
        raise ApplicationError(
            "Enter a CQC provider ID in the format 1-101234567", "cqc_provider_id"
        )
    if not location_ids:
        raise ApplicationError("Enter at least one CQC location ID", "cqc_location_ids")
    wrong = [item for item in location_ids if not CQC_ID_RE.match(item)]
    if wrong:
        raise ApplicationError(
            f"Enter each CQC location ID in the format 1-123456789 ({wrong[0]} is not)",
            "cqc_location_ids",
        )
    joined = ", ".join(dict.fromkeys(location_ids))
    if len(joined) > 300:
        raise ApplicationError("Enter at most 20 CQC location IDs", "cqc_location_ids")
    if rating not in CQC_RATINGS:
        raise ApplicationError("Select your current CQC rating", "cqc_rating")
    if rating == NOT_RATED:
        rated_on = None
    elif rated_on is None:
        raise ApplicationError("Enter the date of your CQC rating", "cqc_rating_date")
    elif rated_on > to_london(now()).date():
        raise ApplicationError("The date of your CQC rating must be in the past", "cqc_rating_date")
    application.cqc_provider_id = provider_id
    application.cqc_location_ids = joined
    application.cqc_rating = rating
    application.cqc_rating_date = rated_on
    _saved(application, actor, "cqc")
    return application


def save_size(application_id: int, organisation_id: int, actor: User, size: str) -> Application:
    application = draft_for(application_id, organisation_id)
    if size not in {item.value for item in ProviderSize}:
        raise ApplicationError("Select the size of your organisation", "size")
    application.size = size
    _saved(application, actor, "size")
    return application


def _saved(application: Application, actor: User, section: str) -> None:
    audit.record(
        "application.section_saved", "application", application.id, {"section": section}, actor
    )
    db.session.commit()


# --- Services and zones ----------------------------------------------------------------------


@dataclass
class CategoryChoice:
    category: Category
    zones: list[Zone] = field(default_factory=list)


def held_scopes(dps_id: int, organisation_id: int) -> set[tuple[int, int]]:
    """(category id, zone id) pairs the organisation's membership already holds."""
    rows = db.session.execute(
        select(MembershipScope.category_id, MembershipScope.zone_id)
        .join(Membership, Membership.id == MembershipScope.membership_id)
        .where(
            Membership.dps_id == dps_id,
            Membership.organisation_id == organisation_id,
            Membership.status != "removed",
        )
    )
    return {(category_id, zone_id) for category_id, zone_id in rows}


def scope_choices(application: Application) -> list[CategoryChoice]:
    """Each category with the zones the provider may ask for (not those already held)."""
    held = held_scopes(application.dps_id, application.organisation_id)
    choices = []
    for category in application.dps.categories:
        zones = [zone for zone in application.dps.zones if (category.id, zone.id) not in held]
        if zones:
            choices.append(CategoryChoice(category, zones))
    return choices


def save_scopes(
    application_id: int,
    organisation_id: int,
    actor: User,
    wanted: set[tuple[int, int]],
) -> Application:
    """Replace the categories x zones asked for; at least one, and none already held."""
    application = draft_for(application_id, organisation_id)
    offered = {
        (choice.category.id, zone.id)
        for choice in scope_choices(application)
        for zone in choice.zones
    }
    wanted = set(wanted)
    if not wanted:
        raise ApplicationError("Select at least one service and zone", "services")
    if not wanted <= offered:
        raise ApplicationError("Select only the services and zones listed", "services")
    current = {(scope.category_id, scope.zone_id): scope for scope in application.scopes}
    for pair, scope in current.items():
        if pair not in wanted:
            application.scopes.remove(scope)
    for category_id, zone_id in sorted(wanted - set(current)):
        application.scopes.append(ApplicationScope(category_id=category_id, zone_id=zone_id))
    db.session.flush()
    audit.record(
        "application.section_saved",
        "application",
        application.id,
        {"section": "services", "scopes": len(wanted)},
        actor=actor,
    )
    db.session.commit()
    return application


# --- Insurance (the rules for a complete section are in application_sections) ---------


def add_insurance(
    application_id: int,
    organisation_id: int,
    actor: User,
    *,
    insurance_type: str,
    insurer: str,
    cover: Decimal,
    expires_on: date,
    certificate=None,
) -> InsurancePolicy:
    """Record a policy; the cover must reach the DPS minimum and it must not have expired."""
    application = draft_for(application_id, organisation_id)
    kinds = {kind["code"]: kind for kind in insurance_types(application)}
    kind = kinds.get(insurance_type)
    if kind is None:
        raise ApplicationError("Select the type of insurance", "insurance_type")
    insurer = (insurer or "").strip()
    if not insurer:
        raise ApplicationError("Enter the name of the insurer", "insurer")
    minimum = Decimal(kind.get("minimum_cover") or "0")
    if not isinstance(cover, Decimal) or not cover.is_finite() or cover <= 0:
        raise ApplicationError("Enter the amount of cover, like 5000000", "cover")
    if cover < minimum:
        raise ApplicationError(
            f"{kind['name']} cover must be at least £{minimum:,.0f}: "
            f"this policy covers £{cover:,.2f}",
            "cover",
        )
    if expires_on <= to_london(now()).date():
        raise ApplicationError("The expiry date must be in the future", "expires_on")
    document_id = None
    if certificate:
        document = uploads.accept_upload(
            certificate,
            organisation_id=organisation_id,
            uploaded_by_id=actor.id,
            purpose="insurance",
        )
        db.session.flush()
        document_id = document.id
    policy = InsurancePolicy(
        organisation_id=organisation_id,
        application_id=application.id,
        insurance_type=insurance_type,
        insurer=insurer[:200],
        cover=cover.quantize(Decimal("0.01")),
        expires_on=expires_on,
        document_id=document_id,
    )
    db.session.add(policy)
    db.session.flush()
    audit.record(
        "application.insurance_added",
        "application",
        application.id,
        {
            "policy_id": policy.id,
            "type": insurance_type,
            "cover": str(policy.cover),
            "expires_on": expires_on.isoformat(),
        },
        actor=actor,
    )
    db.session.commit()
    return policy


def remove_insurance(
    application_id: int, organisation_id: int, actor: User, policy_id: int
) -> None:
    application = draft_for(application_id, organisation_id)
    policy = db.session.scalar(
        select(InsurancePolicy).where(
            InsurancePolicy.id == policy_id, InsurancePolicy.application_id == application.id
        )
    )
    if policy is None:
        raise ApplicationNotFound()
    db.session.delete(policy)
    audit.record(
        "application.insurance_removed",
        "application",
        application.id,
        {"policy_id": policy_id, "type": policy.insurance_type},
        actor=actor,
    )
    db.session.commit()
