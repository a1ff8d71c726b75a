"""Published tenders built straight from the models, so bid tests need no other stage 2 service.

`make_tender` makes a council with an officer, a published Nottinghamshire-shaped DPS, and a
published tender closing in 7 days with two lots, three quality questions, the engine's
UKHCA-style cost template and the tender's sealing key. `invite` adds an Invitation row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models import (
    Invitation,
    Lot,
    Organisation,
    OrganisationKind,
    QualityQuestion,
    Role,
    Tender,
    User,
    Zone,
)
from dps.services import sealing
from dps.services.dps_setup import create_dps, publish_dps
from dps.state.clock import now
from evaluation.costs import UKHCA_STYLE_2026

SCALE = [
    {"mark": 0, "label": "Unacceptable", "descriptor": "No answer, or it does not address it."},
    {"mark": 1, "label": "Poor", "descriptor": "Major gaps or doubts."},
    {"mark": 2, "label": "Weak", "descriptor": "Some gaps."},
    {"mark": 3, "label": "Satisfactory", "descriptor": "Meets the requirement."},
    {"mark": 4, "label": "Good", "descriptor": "Meets it with some added value."},
    {"mark": 5, "label": "Excellent", "descriptor": "Exceeds it, with evidence."},
]

QUESTIONS = [
    ("How will you start new care packages within 24 hours in this zone?", 300, "30"),
    ("How will you recruit and keep care workers in rural villages?", 250, "40"),
    ("How will people who use your service shape how it is run?", 200, "30"),
]


@dataclass
class TenderIds:
    tender_id: int
    reference: str
    lot_ids: list[int]
    question_ids: list[int]
    officer_email: str
    zone_codes: dict[int, list[str]] = field(default_factory=dict)


def _officer() -> User:
    council = db.session.scalar(
        select(Organisation).where(Organisation.name == "Nottinghamshire County Council")
    )
    if council is None:
        council = Organisation(
            kind=OrganisationKind.AUTHORITY,
            name="Nottinghamshire County Council",
            legal_name="Nottinghamshire County Council",
            is_lead_authority=True,
        )
        db.session.add(council)
    officer = User(
        email=f"officer-{len(council.users) + 1}@notts.example.gov.uk",
        full_name="Olive Officer",
        role=Role.OFFICER,
        organisation=council,
        email_confirmed_at=now(),
    )
    db.session.add(officer)
    db.session.commit()
    return officer


def make_tender(
    *,
    reference: str = "NCC-HC-2026-01",
    closing_at: datetime | None = None,
    ask_call_length_rates: bool = True,
    lots: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("Ashfield", ("ashfield",)),
        ("Rural Newark and Sherwood", ("sherwood_forest_rural", "newark_east_rural")),
    ),
) -> TenderIds:
    """A published tender (call inside an app context); closing 7 days from the clock's now."""
    officer = _officer()
    dps_reference = f"NCC-DPS-{reference}"
    dps, _ = create_dps(
        officer,
        reference=dps_reference,
        title="Nottinghamshire home care DPS",
        description="Home based care and support for older people.",
        regime="light_touch",
        lead_authority_id=officer.organisation_id,
        partner_ids=[],
        starts_on=date(2026, 1, 5),
    )
    publish_dps(officer, dps.id)
    zones = {
        zone.code: zone for zone in db.session.scalars(select(Zone).where(Zone.dps_id == dps.id))
    }
    tender = Tender(
        dps_id=dps.id,
        reference=reference,
        title="Home care in Ashfield and rural Newark",
        description="Call-off for older people's home care, starting in the spring.",
        category_id=dps.categories[0].id,
        status="published",
        quality_weight=Decimal("60"),
        price_weight=Decimal("40"),
        max_lots_per_provider=1,
        cost_template=json.dumps(UKHCA_STYLE_2026.to_dict()),
        ask_call_length_rates=ask_call_length_rates,
        clarification_deadline=now() + timedelta(days=3),
        closing_at=closing_at or now() + timedelta(days=7),
        contract_start_on=date(2026, 6, 1),
        published_at=now(),
        created_by_id=officer.id,
    )
    for number, (title, codes) in enumerate(lots, start=1):
        tender.lots.append(
            Lot(
                number=number,
                title=title,
                hours_per_week=Decimal("850") if number == 1 else Decimal("240"),
                contract_start_on=date(2026, 6, 1),
                contract_end_on=date(2029, 5, 31),
                zones=[zones[code] for code in codes],
            )
        )
    for number, (text, word_limit, weight) in enumerate(QUESTIONS, start=1):
        tender.questions.append(
            QualityQuestion(
                number=number,
                text=text,
                guidance="Give examples from services you run now.",
                word_limit=word_limit,
                weight=Decimal(weight),
                max_mark=5,
                min_mark=2,
                scale=json.dumps(SCALE),
                marked_by="panel" if number == 3 else "officer",
            )
        )
    db.session.add(tender)
    db.session.flush()
    sealing.ensure_tender_key(tender)
    db.session.commit()
    return TenderIds(
        tender_id=tender.id,
        reference=tender.reference,
        lot_ids=[lot.id for lot in tender.lots],
        question_ids=[question.id for question in tender.questions],
        officer_email=officer.email,
        zone_codes={lot.id: [zone.code for zone in lot.zones] for lot in tender.lots},
    )


def invite(tender_id: int, organisation_id: int, lot_ids: list[int]) -> None:
    """Invite an organisation to some lots, as publishing would for its admitted zones."""
    db.session.add(
        Invitation(
            tender_id=tender_id, organisation_id=organisation_id, lot_ids=json.dumps(lot_ids)
        )
    )
    db.session.commit()


def organisation_id(email: str) -> int:
    return db.session.scalar(select(User.organisation_id).where(User.email == email))


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))
