"""What is published as open data: DPSs that have been published, tenders that are not drafts."""

from __future__ import annotations

from sqlalchemy import select

from dps.extensions import db
from dps.models import DynamicPurchasingSystem, Tender
from dps.ocds.packaging import PUBLIC_DPS_STATES


def systems() -> list[DynamicPurchasingSystem]:
    """Every DPS that has been published (open, or closed since), by reference."""
    return list(
        db.session.scalars(
            select(DynamicPurchasingSystem)
            .where(DynamicPurchasingSystem.status.in_(PUBLIC_DPS_STATES))
            .order_by(DynamicPurchasingSystem.reference)
        )
    )


def _public_tenders():
    return (
        select(Tender)
        .join(DynamicPurchasingSystem, Tender.dps_id == DynamicPurchasingSystem.id)
        .where(Tender.status != "draft", DynamicPurchasingSystem.status.in_(PUBLIC_DPS_STATES))
    )


def tenders() -> list[Tender]:
    """Every tender past its draft, newest first."""
    return list(
        db.session.scalars(_public_tenders().order_by(Tender.published_at.desc(), Tender.reference))
    )


def dps_by_reference(reference: str) -> DynamicPurchasingSystem | None:
    return db.session.scalar(
        select(DynamicPurchasingSystem).where(
            DynamicPurchasingSystem.reference == reference,
            DynamicPurchasingSystem.status.in_(PUBLIC_DPS_STATES),
        )
    )


def tender_by_reference(reference: str) -> Tender | None:
    return db.session.scalar(_public_tenders().where(Tender.reference == reference))
