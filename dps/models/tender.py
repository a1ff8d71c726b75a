"""Mini-tenders (call-offs) under a DPS: lots, quality questions, invitations, clarifications."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.dps import Category, DynamicPurchasingSystem, Zone
from dps.models.messaging import Document
from dps.models.organisation import Organisation
from dps.models.types import UTCDateTime
from dps.state.clock import now

lot_zone = Table(
    "lot_zone",
    db.metadata,
    Column("lot_id", ForeignKey("lot.id"), primary_key=True),
    Column("zone_id", ForeignKey("zone.id"), primary_key=True),
)


class Tender(db.Model):
    __tablename__ = "tender"

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(ForeignKey("dps.id"), index=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    quality_weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("60"))
    price_weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("40"))
    max_lots_per_provider: Mapped[int | None]
    tie_break: Mapped[str] = mapped_column(String(60), default="quality,price,submission")
    allocation_policy: Mapped[str] = mapped_column(String(20), default="optimal")
    cost_template: Mapped[str] = mapped_column(Text)  # JSON, evaluation.costs.CostTemplate
    # The cost-of-care hourly rate prices are compared with (abnormally low below a share of it)
    benchmark_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    ask_call_length_rates: Mapped[bool] = mapped_column(default=False)
    named_marking: Mapped[bool] = mapped_column(default=False)
    opening_needs_two_officers: Mapped[bool] = mapped_column(default=True)
    voluntary_standstill: Mapped[bool] = mapped_column(default=True)
    clarification_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evaluation_on: Mapped[date | None]
    award_on: Mapped[date | None]
    contract_start_on: Mapped[date | None]
    wrapped_key: Mapped[str | None] = mapped_column(String(200))  # the tender's bid key, sealed
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opening_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    opening_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("tender.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    dps: Mapped[DynamicPurchasingSystem] = relationship()
    category: Mapped[Category] = relationship()
    lots: Mapped[list[Lot]] = relationship(
        back_populates="tender", order_by="Lot.number", cascade="all, delete-orphan"
    )
    questions: Mapped[list[QualityQuestion]] = relationship(
        back_populates="tender", order_by="QualityQuestion.number", cascade="all, delete-orphan"
    )
    documents: Mapped[list[TenderDocument]] = relationship(
        back_populates="tender", cascade="all, delete-orphan"
    )


class Lot(db.Model):
    """A part of a tender awarded separately: a zone or a group of zones."""

    __tablename__ = "lot"
    __table_args__ = (UniqueConstraint("tender_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    hours_per_week: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    contract_start_on: Mapped[date]
    contract_end_on: Mapped[date]
    providers_to_appoint: Mapped[int] = mapped_column(default=1)

    tender: Mapped[Tender] = relationship(back_populates="lots")
    zones: Mapped[list[Zone]] = relationship(secondary=lot_zone, order_by="Zone.position")


class QualityQuestion(db.Model):
    __tablename__ = "quality_question"
    __table_args__ = (UniqueConstraint("tender_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text, default="")
    plain_guidance: Mapped[str] = mapped_column(Text, default="")  # for the EbE panel
    word_limit: Mapped[int] = mapped_column(default=500)
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    max_mark: Mapped[int] = mapped_column(default=5)
    min_mark: Mapped[int | None]
    scale: Mapped[str] = mapped_column(Text)  # JSON: [{"mark": 0, "label": ..., "descriptor": ...}]
    marked_by: Mapped[str] = mapped_column(String(20), default="officer")  # officer | panel
    markers_needed: Mapped[int] = mapped_column(default=2, server_default="2")  # per answer

    tender: Mapped[Tender] = relationship(back_populates="questions")


class TenderDocument(db.Model):
    __tablename__ = "tender_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    title: Mapped[str] = mapped_column(String(200))

    tender: Mapped[Tender] = relationship(back_populates="documents")
    document: Mapped[Document] = relationship()


class Invitation(db.Model):
    """A provider invited to a tender, recorded as the membership stood at publication."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("tender_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    lot_ids: Mapped[str] = mapped_column(String(500))  # JSON list of the lots it may bid for
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    tender: Mapped[Tender] = relationship()
    organisation: Mapped[Organisation] = relationship()


class TenderClarification(db.Model):
    """A bidder's question before the clarification deadline, and the officer's answer."""

    __tablename__ = "tender_clarification"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_question: Mapped[str | None] = mapped_column(Text)  # anonymised wording
    to_all: Mapped[bool] = mapped_column(default=True)
    private_reason: Mapped[str | None] = mapped_column(Text)
