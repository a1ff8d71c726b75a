"""Stage 1 test data made straight with the models: a published DPS, providers, submitted
applications (with scopes, evidence and insurance) and memberships.

Independent of the provider's application journey, so decision tests stand on their own.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models import (
    Application,
    ApplicationDocument,
    ApplicationScope,
    Category,
    DynamicPurchasingSystem,
    InsurancePolicy,
    Membership,
    MembershipScope,
    Organisation,
    OrganisationKind,
    User,
    Zone,
)
from dps.services import documents
from dps.services.dps_setup import create_dps, publish_dps
from dps.state.calendar import decision_due
from dps.state.clock import now
from tests.conftest import password_hash

SCOPES = [
    ("generic_home_care", "ashfield"),
    ("generic_home_care", "broxtowe"),
    ("generic_home_care", "mansfield"),
]
ANSWERS = {
    "mx_criminal": "no",
    "mx_tax": "no",
    "dx_insolvency": {"answer": "no"},
    "fs_turnover": "£1.2 million in 2025/26",
    "sg_dbs": "yes",
    "pw_nlw": "yes",
    "pw_training": "Care Certificate for every new starter; monthly supervision.",
}


def authority(name: str = "Test Council") -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(
            kind=OrganisationKind.AUTHORITY, name=name, legal_name=name, is_lead_authority=True
        )
        db.session.add(org)
        db.session.flush()
    return org


def officer(organisation: str = "Test Council", email: str | None = None) -> User:
    """An officer of the authority (found if it already exists by e-mail)."""
    if email:
        existing = db.session.scalar(select(User).where(User.email == email))
        if existing is not None:
            return existing
    user = User(
        email=email or f"officer-{os.urandom(3).hex()}@example.com",
        full_name="Olive Officer",
        role="officer",
        organisation=authority(organisation),
        password_hash=password_hash(),
        email_confirmed_at=now(),
    )
    db.session.add(user)
    db.session.commit()
    return user


def provider(name: str = "Acme Care Ltd", email: str | None = None) -> Organisation:
    """A provider organisation with one user who can sign in."""
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(kind=OrganisationKind.PROVIDER, name=name, legal_name=name, size="small")
        db.session.add(org)
        db.session.flush()
        db.session.add(
            User(
                email=email or f"{name.split()[0].lower()}-{os.urandom(3).hex()}@example.com",
                full_name=f"{name} manager",
                role="provider",
                organisation=org,
                password_hash=password_hash(),
                email_confirmed_at=now(),
                is_org_admin=True,
            )
        )
        db.session.commit()
    return org


def published_dps(
    actor: User,
    regime: str = "pcr2015_dps",
    reference: str = "NCC-DPS-01",
    suspend_on_insurance_expiry: bool = True,
) -> DynamicPurchasingSystem:
    dps, _ = create_dps(
        actor,
        reference=reference,
        title=f"Home care in Nottinghamshire ({reference})",
        description="Home care for adults",
        regime=regime,
        lead_authority_id=actor.organisation_id,
        partner_ids=[],
        starts_on=date(2026, 1, 5),
        term_years=10,
    )
    dps.suspend_on_insurance_expiry = suspend_on_insurance_expiry
    db.session.commit()
    publish_dps(actor, dps.id)
    return dps


def category(dps: DynamicPurchasingSystem, code: str) -> Category:
    return db.session.scalar(
        select(Category).where(Category.dps_id == dps.id, Category.code == code)
    )


def zone(dps: DynamicPurchasingSystem, code: str) -> Zone:
    return db.session.scalar(select(Zone).where(Zone.dps_id == dps.id, Zone.code == code))


_counter = [0]


def application(
    dps: DynamicPurchasingSystem,
    organisation: Organisation,
    scopes: list[tuple[str, str]] = SCOPES,
    submitted_at: datetime | None = None,
    status: str = "submitted",
    with_evidence: bool = False,
    insurance: list[tuple[str, date]] = (),
    commit: bool = True,
) -> Application:
    """A submitted application made directly with the models."""
    _counter[0] += 1
    submitted_at = submitted_at or now()
    app_row = Application(
        reference=f"APP-{dps.id:02d}-{_counter[0]:05d}",
        dps=dps,
        organisation=organisation,
        status=status,
        legal_name=organisation.legal_name,
        companies_house_number="01234567",
        cqc_provider_id="1-101234567",
        cqc_location_ids="1-111111111",
        cqc_rating="Good",
        cqc_rating_date=date(2025, 3, 1),
        size=organisation.size,
        answers=json.dumps(ANSWERS),
        declaration_name="Pat Provider",
        submitted_at=submitted_at,
        decision_due_on=decision_due(submitted_at, dps.decision_target_days),
    )
    db.session.add(app_row)
    categories = {c.code: c for c in dps.categories}
    zones = {z.code: z for z in dps.zones}
    for category_code, zone_code in scopes:
        app_row.scopes.append(
            ApplicationScope(category=categories[category_code], zone=zones[zone_code])
        )
    if with_evidence:
        document = documents.store_bytes(
            b"%PDF-1.4 safeguarding policy",
            original_name="safeguarding-policy.pdf",
            content_type="application/pdf",
            organisation_id=organisation.id,
        )
        db.session.flush()
        app_row.evidence.append(
            ApplicationDocument(question_id="sg_policy_file", document_id=document.id)
        )
    for insurance_type, expires_on in insurance:
        db.session.add(
            InsurancePolicy(
                organisation_id=organisation.id,
                application=app_row,
                insurance_type=insurance_type,
                insurer="Care Mutual",
                cover=Decimal("5000000.00"),
                expires_on=expires_on,
            )
        )
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return app_row


def member(
    dps: DynamicPurchasingSystem,
    organisation: Organisation,
    scopes: list[tuple[str, str]] = SCOPES[:1],
    status: str = "active",
    insurance: list[tuple[str, date]] = (),
) -> Membership:
    """An admitted provider, made directly (no application)."""
    membership = Membership(dps=dps, organisation=organisation, status=status, admitted_at=now())
    for category_code, zone_code in scopes:
        membership.scopes.append(
            MembershipScope(category=category(dps, category_code), zone=zone(dps, zone_code))
        )
    db.session.add(membership)
    for insurance_type, expires_on in insurance:
        db.session.add(
            InsurancePolicy(
                organisation_id=organisation.id,
                insurance_type=insurance_type,
                insurer="Care Mutual",
                cover=Decimal("5000000.00"),
                expires_on=expires_on,
            )
        )
    db.session.commit()
    return membership


# Pages with a form, for the odd-input tests: (path template, role that posts it).
FORM_PAGES = [
    ("/officer/applications/{application}/admit", "officer"),
    ("/officer/applications/{application}/reject", "officer"),
    ("/officer/applications/{application}/clarification", "officer"),
    ("/officer/applications/{application}/extend", "officer"),
    ("/officer/members/{membership}/suspend", "officer"),
    ("/officer/members/{membership}/remove", "officer"),
    ("/officer/members/{membership}/cqc-rating", "officer"),
    ("/officer/members/{proposed}/dismiss-proposal", "officer"),
    ("/officer/reconfirmations/new", "officer"),
    ("/provider/reconfirmations/{reconfirmation}", "provider"),
]


def form_objects() -> dict[str, int]:
    """What FORM_PAGES need, for officers of "Test Council" and providers of "Acme Care Ltd"
    (the organisations the `login` fixture signs people in to). Call in an app context."""
    from dps.services.membership import request_reconfirmation

    lead = officer("Test Council")
    dps = published_dps(lead)
    acme = provider("Acme Care Ltd")
    membership = member(dps, acme)
    proposed = member(dps, provider("Beta Care Ltd"))
    proposed.suspension_proposed = "CQC rated Inadequate on Thursday 1 October 2026"
    db.session.commit()
    submitted = application(dps, provider("Gamma Care Ltd"))
    reconfirmation = request_reconfirmation(dps.id, lead, date(2099, 1, 1), "Please confirm.")
    return {
        "application": submitted.id,
        "membership": membership.id,
        "proposed": proposed.id,
        "reconfirmation": reconfirmation.id,
    }
