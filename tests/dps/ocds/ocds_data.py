"""Test data for the OCDS tests, built with the DPS setup service and straight from the models.

Every function runs inside an app context and returns ids or references (plain data).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models import (
    Application,
    Bid,
    DynamicPurchasingSystem,
    Invitation,
    Lot,
    Membership,
    MembershipScope,
    Organisation,
    OrganisationKind,
    QualityQuestion,
    Tender,
    User,
)
from dps.services.dps_setup import create_dps, publish_dps
from dps.state import clock

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday


def authority(name: str, email: str | None = None) -> int:
    org = Organisation(
        kind=OrganisationKind.AUTHORITY, name=name, legal_name=name, contact_email=email
    )
    db.session.add(org)
    db.session.commit()
    return org.id


def provider(name: str, size: str = "small", companies_house: str | None = None) -> int:
    org = Organisation(
        kind=OrganisationKind.PROVIDER,
        name=name,
        legal_name=f"{name} Limited",
        size=size,
        companies_house_number=companies_house,
        contact_email="office@example.com",  # never published for providers
    )
    db.session.add(org)
    db.session.commit()
    return org.id


def officer(organisation_id: int) -> User:
    person = User(
        email=f"officer-{organisation_id}@example.gov.uk",
        full_name="Olive Officer",
        role="officer",
        organisation_id=organisation_id,
    )
    db.session.add(person)
    db.session.commit()
    return person


def make_dps(reference: str = "OC-DPS-1", partners: int = 1, publish: bool = True) -> int:
    """A DPS (Nottinghamshire structure) led by a new council, with partner authorities."""
    lead = authority(f"Council for {reference}", email="procurement@example.gov.uk")
    partner_ids = [authority(f"Partner {n} of {reference}") for n in range(1, partners + 1)]
    actor = officer(lead)
    dps, _ = create_dps(
        actor,
        reference=reference,
        title=f"Home care {reference}",
        description="Home care across the county.",
        regime="pcr2015_dps",
        lead_authority_id=lead,
        partner_ids=partner_ids,
        starts_on=clock.to_london(clock.now()).date(),
        term_years=4,
    )
    if publish:
        publish_dps(actor, dps.id)
    return dps.id


def admit(dps_id: int, organisation_id: int, scopes: list[tuple[int, int]], status="active"):
    """A membership for (category index, zone index) pairs of the DPS."""
    dps = db.session.get(DynamicPurchasingSystem, dps_id)
    membership = Membership(dps_id=dps_id, organisation_id=organisation_id, status=status)
    for category_index, zone_index in scopes:
        membership.scopes.append(
            MembershipScope(
                category_id=dps.categories[category_index].id, zone_id=dps.zones[zone_index].id
            )
        )
    db.session.add(membership)
    db.session.add(
        Application(
            reference=f"A-{dps_id}-{organisation_id}",
            dps_id=dps_id,
            organisation_id=organisation_id,
            status="admitted",
            submitted_at=clock.now(),
        )
    )
    db.session.commit()
    return membership.id


def make_tender(
    dps_id: int,
    reference: str = "OC-T-1",
    status: str = "published",
    lots: int = 2,
    questions: tuple[tuple[str, int | None, str], ...] = (
        ("30", 2, "officer"),
        ("10", None, "panel"),
    ),
    max_lots: int | None = 1,
) -> int:
    """A tender opened at START, closing 14 days later, with lots in the first zones."""
    dps = db.session.get(DynamicPurchasingSystem, dps_id)
    tender = Tender(
        dps_id=dps_id,
        reference=reference,
        title=f"Home care tender {reference}",
        description="Care and support at home.",
        category_id=dps.categories[0].id,
        status=status,
        quality_weight=Decimal("60"),
        price_weight=Decimal("40"),
        max_lots_per_provider=max_lots,
        cost_template="{}",
        published_at=START if status != "draft" else None,
        clarification_deadline=START + timedelta(days=7),
        closing_at=START + timedelta(days=14),
        award_on=date(2026, 4, 20),
    )
    for number in range(1, lots + 1):
        lot = Lot(
            number=number,
            title=f"Lot {number}: {dps.zones[number - 1].name}",
            hours_per_week=Decimal("512.5"),
            contract_start_on=date(2026, 6, number),
            contract_end_on=date(2029, 5, 31 - number),
            providers_to_appoint=number,
        )
        lot.zones.append(dps.zones[number - 1])
        tender.lots.append(lot)
    for number, (weight, min_mark, marked_by) in enumerate(questions, start=1):
        tender.questions.append(
            QualityQuestion(
                number=number,
                text=f"How will you meet need {number}?",
                weight=Decimal(weight),
                max_mark=5,
                min_mark=min_mark,
                scale="[]",
                marked_by=marked_by,
            )
        )
    db.session.add(tender)
    db.session.commit()
    return tender.id


def lot_db_id(tender_id: int, number: int) -> int:
    return db.session.scalar(select(Lot.id).where(Lot.tender_id == tender_id, Lot.number == number))


def invite(tender_id: int, organisation_id: int, lot_numbers: list[int]) -> None:
    lot_ids = [lot_db_id(tender_id, number) for number in lot_numbers]
    db.session.add(
        Invitation(
            tender_id=tender_id, organisation_id=organisation_id, lot_ids=json.dumps(lot_ids)
        )
    )
    db.session.commit()


def bid(tender_id: int, lot_number: int, organisation_id: int, status: str = "submitted") -> int:
    """A bid row only: its content is a placeholder that nobody may decrypt."""
    row = Bid(
        tender_id=tender_id,
        lot_id=lot_db_id(tender_id, lot_number),
        organisation_id=organisation_id,
        status=status,
        draft_ciphertext=b"x",
        submitted_at=START + timedelta(days=3) if status == "submitted" else None,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def set_status(tender_id: int, status: str) -> None:
    db.session.get(Tender, tender_id).status = status
    db.session.commit()


def tender_of(tender_id: int) -> Tender:
    return db.session.get(Tender, tender_id)


def dps_of(dps_id: int) -> DynamicPurchasingSystem:
    return db.session.get(DynamicPurchasingSystem, dps_id)
