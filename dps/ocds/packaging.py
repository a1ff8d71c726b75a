"""Identifiers, the release package wrapper and the pieces both kinds of release share."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from flask import current_app

from dps.models import DynamicPurchasingSystem, Organisation, Zone
from dps.models.dps import Category
from dps.ocds import entries
from dps.ocds.entries import Classification, Party
from dps.state.clock import now

OCDS_VERSION = "1.1"
LICENSE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# Exactly the extensions the validation schema is patched with (see dps/ocds/schema/README.md).
EXTENSION_URLS = tuple(
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    f"{repository}/master/extension.json"
    for repository in (
        "ocds_lots_extension",
        "ocds_bid_extension",
        "ocds_techniques_extension",
        "ocds_awardCriteriaBreakdown_extension",
        "ocds_submissionTerms_extension",
    )
)
# Our DPS status: (OCDS tender.status, dynamicPurchasingSystem.status, release tag).
DPS_STAGES = {
    "published": ("active", "active", "tender"),
    "closed": ("complete", "terminated", "tenderUpdate"),
}
PUBLIC_DPS_STATES = tuple(DPS_STAGES)


def ocid(kind: str, reference: str) -> str:
    """The contracting process id: the configured prefix, the kind (dps, tender), the reference."""
    return f"{current_app.config['OCDS_PREFIX']}-{kind}-{reference}"


def release_id(process_id: str, stage: str, date: datetime) -> str:
    """Unique within the process: the stage and the time of the last change it reflects."""
    return f"{process_id}-{stage}-{date.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def lot_id(number: int) -> str:
    """A lot's OCDS id (awards and contracts refer to lots by it)."""
    return f"lot-{number}"


def package_path(kind: str, reference: str) -> str:
    """Where a package is served: /ocds/dps/<reference>.json or /ocds/tenders/<reference>.json."""
    folder = {"dps": "dps", "tender": "tenders"}[kind]
    return f"/ocds/{folder}/{reference}.json"


def package_uri(kind: str, reference: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + package_path(kind, reference)


def package(releases: Sequence[dict], uri: str, published_date: datetime) -> dict:
    """A release package around the releases, listing the extensions they use."""
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSION_URLS),
        "publisher": {"name": current_app.config["COUNCIL_NAME"]},
        "license": LICENSE,
        "publishedDate": entries.instant(published_date),
        "releases": list(releases),
    }


def package_of(release: dict, kind: str, reference: str) -> dict:
    """A package holding one release, published when the release's information last changed."""
    return package([release], package_uri(kind, reference), datetime.fromisoformat(release["date"]))


def to_json(package_: dict) -> str:
    return json.dumps(package_, ensure_ascii=False, indent=2) + "\n"


def party(organisation: Organisation) -> Party:
    """An organisation for publication; contact e-mail only for authorities, never providers."""
    return Party(
        id=organisation.id,
        name=organisation.name,
        legal_name=organisation.legal_name,
        companies_house_number=organisation.companies_house_number,
        contact_email=None if organisation.is_provider else organisation.contact_email,
    )


def service_class(category: Category) -> Classification:
    return Classification(entries.SERVICE_SCHEME, category.code, category.name)


def zone_class(zone: Zone) -> Classification:
    return Classification(entries.ZONE_SCHEME, zone.code, zone.label)


def latest(*moments: datetime | None) -> datetime:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else now()


def dps_technique(dps: DynamicPurchasingSystem) -> dict:
    _, status, _ = DPS_STAGES.get(dps.status, DPS_STAGES["published"])
    # "closed": only the authorities named in the process may buy through it.
    return {
        "hasDynamicPurchasingSystem": True,
        "dynamicPurchasingSystem": {"type": "closed", "status": status},
    }
