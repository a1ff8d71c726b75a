"""Tenders, invitations and sealed bids built straight from the models, for tests.

Every function runs inside an app context and returns ids (plain data), so tests can move
between contexts and test clients freely. Time comes from dps.state.clock (fix it first).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models import (
    Bid,
    BidVersion,
    DynamicPurchasingSystem,
    Invitation,
    Lot,
    Organisation,
    OrganisationKind,
    Tender,
    User,
)
from dps.services import sealing
from dps.services.dps_setup import create_dps, publish_dps
from dps.state.clock import now, to_london
from evaluation.costs import STOCKPORT_2018


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def organisation_id(name: str) -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def provider_organisation(name: str) -> int:
    """A provider organisation without users (for bids from organisations nobody signs in as)."""
    found = organisation_id(name)
    if found:
        return found
    org = Organisation(kind=OrganisationKind.PROVIDER, name=name, legal_name=name, size="small")
    db.session.add(org)
    db.session.commit()
    return org.id


def make_dps(officer_email: str, reference: str = "DPS-TEST-1", regime: str = "pcr2015_dps"):
    """A published DPS led by the officer's authority (the Nottinghamshire structure)."""
    existing = db.session.scalar(
        select(DynamicPurchasingSystem).where(DynamicPurchasingSystem.reference == reference)
    )
    if existing is not None:
        return existing.id
    officer = user(officer_email)
    dps, _ = create_dps(
        officer,
        reference=reference,
        title="Home care DPS",
        description="Home care across the county.",
        regime=regime,
        lead_authority_id=officer.organisation_id,
        partner_ids=[],
        starts_on=to_london(now()).date(),
        term_years=4,
    )
    publish_dps(officer, dps.id)
    return dps.id


def make_tender(
    officer_email: str,
    *,
    closing_at: datetime | None = None,
    clarification_deadline: datetime | None = None,
    published_at: datetime | None = None,
    status: str = "published",
    lots: int = 2,
    two_officers: bool = True,
    reference: str | None = None,
    title: str = "Home care in Bassetlaw",
    regime: str = "pcr2015_dps",
) -> int:
    """A tender under a DPS of the officer's authority, with lots and its bid key."""
    dps_id = make_dps(officer_email, regime=regime)
    dps = db.session.get(DynamicPurchasingSystem, dps_id)
    published_at = published_at or now()
    tender = Tender(
        dps_id=dps_id,
        reference=reference or f"T-{os.urandom(3).hex().upper()}",
        title=title,
        description="Care and support at home.",
        category_id=dps.categories[0].id,
        status=status,
        cost_template=json.dumps(STOCKPORT_2018.to_dict()),
        opening_needs_two_officers=two_officers,
        published_at=published_at if status != "draft" else None,
        closing_at=closing_at or published_at + timedelta(days=14),
        clarification_deadline=clarification_deadline or published_at + timedelta(days=7),
        created_by_id=user(officer_email).id,
    )
    db.session.add(tender)
    for number in range(1, lots + 1):
        lot = Lot(
            number=number,
            title=f"Lot {number}: {dps.zones[number - 1].name}",
            hours_per_week=Decimal("500"),
            contract_start_on=date(2027, 4, 1),
            contract_end_on=date(2030, 3, 31),
        )
        lot.zones.append(dps.zones[number - 1])
        tender.lots.append(lot)
    db.session.flush()
    sealing.ensure_tender_key(tender)
    db.session.commit()
    return tender.id


def lot_id(tender_id: int, number: int) -> int:
    return db.session.scalar(select(Lot.id).where(Lot.tender_id == tender_id, Lot.number == number))


def invite(tender_id: int, organisation: int | str) -> int:
    """Invite an organisation (by id or name) to every lot; returns its id."""
    org_id = organisation if isinstance(organisation, int) else organisation_id(organisation)
    lots = db.session.scalars(select(Lot.id).where(Lot.tender_id == tender_id)).all()
    db.session.add(
        Invitation(tender_id=tender_id, organisation_id=org_id, lot_ids=json.dumps(list(lots)))
    )
    db.session.commit()
    return org_id


def make_bid(
    tender_id: int,
    lot_number: int,
    organisation_id: int,
    submitted_by_id: int,
    content: dict | None = None,
    status: str = "submitted",
) -> int:
    """A bid with one sealed submitted version (as the bids service would leave it)."""
    tender = db.session.get(Tender, tender_id)
    content = content or {  # the shape dps.services.bid_content seals
        "answers": {},
        "cost_inputs": {},  # the template's defaults: Stockport 2018, 15.61 an hour
        "call_rates": {},
        "capacity_hours": None,
        "subcontractors": None,
    }
    bid = Bid(
        tender_id=tender_id,
        lot_id=lot_id(tender_id, lot_number),
        organisation_id=organisation_id,
        status=status,
        submitted_version=1 if status != "draft" else None,
        submitted_at=now() if status != "draft" else None,
    )
    db.session.add(bid)
    db.session.flush()
    if status != "draft":
        db.session.add(
            BidVersion(
                bid_id=bid.id,
                version=1,
                ciphertext=sealing.seal(tender, bid.id, organisation_id, content),
                digest=sealing.digest(content),
                receipt_reference=f"R-{bid.id}-{os.urandom(2).hex()}",
                submitted_by_id=submitted_by_id,
            )
        )
    db.session.commit()
    return bid.id
