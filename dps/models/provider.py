"""A provider's applications to join a DPS, its membership, insurance and CQC ratings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.dps import Category, DynamicPurchasingSystem, Zone
from dps.models.messaging import Document
from dps.models.organisation import Organisation
from dps.models.types import UTCDateTime
from dps.state.clock import now


class Application(db.Model):
    """An application to join a DPS (or, as a variation, to add categories or zones)."""

    __tablename__ = "application"
    __table_args__ = (Index("ix_application_dps_status", "dps_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    dps_id: Mapped[int] = mapped_column(ForeignKey("dps.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="initial")
    status: Mapped[str] = mapped_column(String(30), default="draft")
    legal_name: Mapped[str | None] = mapped_column(String(200))
    companies_house_number: Mapped[str | None] = mapped_column(String(8))
    cqc_provider_id: Mapped[str | None] = mapped_column(String(20))
    cqc_location_ids: Mapped[str | None] = mapped_column(String(300))
    cqc_rating: Mapped[str | None] = mapped_column(String(30))
    cqc_rating_date: Mapped[date | None]
    size: Mapped[str | None] = mapped_column(String(10))
    answers: Mapped[str] = mapped_column(Text, default="{}")  # JSON: question id -> answer
    declaration_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_due_on: Mapped[date | None]
    extended: Mapped[bool] = mapped_column(default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)

    dps: Mapped[DynamicPurchasingSystem] = relationship()
    organisation: Mapped[Organisation] = relationship()
    scopes: Mapped[list[ApplicationScope]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    insurances: Mapped[list[InsurancePolicy]] = relationship(
        back_populates="application", order_by="InsurancePolicy.id"
    )
    evidence: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    clarifications: Mapped[list[Clarification]] = relationship(
        back_populates="application", order_by="Clarification.id"
    )


class ApplicationScope(db.Model):
    """One category in one zone that the applicant asks for, and the officer's outcome."""

    __tablename__ = "application_scope"
    __table_args__ = (UniqueConstraint("application_id", "category_id", "zone_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"))
    outcome: Mapped[str] = mapped_column(String(20), default="pending")

    application: Mapped[Application] = relationship(back_populates="scopes")
    category: Mapped[Category] = relationship()
    zone: Mapped[Zone] = relationship()


class ApplicationDocument(db.Model):
    """Evidence uploaded for a question of the selection questionnaire."""

    __tablename__ = "application_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(60))
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))

    application: Mapped[Application] = relationship(back_populates="evidence")
    document: Mapped[Document] = relationship()


class InsurancePolicy(db.Model):
    """An insurance policy a provider holds; expiry drives warnings and suspension."""

    __tablename__ = "insurance_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    insurance_type: Mapped[str] = mapped_column(String(40))
    insurer: Mapped[str] = mapped_column(String(200))
    cover: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    expires_on: Mapped[date] = mapped_column(index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    application: Mapped[Application | None] = relationship(back_populates="insurances")


class Clarification(db.Model):
    """An officer's question to an applicant, and the applicant's answer."""

    __tablename__ = "clarification"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    application: Mapped[Application] = relationship(back_populates="clarifications")


class Membership(db.Model):
    """A provider's place on a DPS: active, suspended or removed."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("dps_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(ForeignKey("dps.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_proposed: Mapped[str | None] = mapped_column(String(300))

    dps: Mapped[DynamicPurchasingSystem] = relationship()
    organisation: Mapped[Organisation] = relationship()
    scopes: Mapped[list[MembershipScope]] = relationship(
        back_populates="membership", cascade="all, delete-orphan"
    )


class MembershipScope(db.Model):
    """A category in a zone a member is admitted to."""

    __tablename__ = "membership_scope"
    __table_args__ = (
        UniqueConstraint("membership_id", "category_id", "zone_id"),
        Index("ix_membership_scope_category_zone", "category_id", "zone_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    admitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    membership: Mapped[Membership] = relationship(back_populates="scopes")
    category: Mapped[Category] = relationship()
    zone: Mapped[Zone] = relationship()


class CqcRating(db.Model):
    """A CQC rating of a provider, recorded with the date CQC gave it."""

    __tablename__ = "cqc_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    rating: Mapped[str] = mapped_column(String(30))
    rated_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Reconfirmation(db.Model):
    """A request to every member to re-confirm its self-declaration by a date."""

    __tablename__ = "reconfirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(ForeignKey("dps.id"), index=True)
    due_on: Mapped[date]
    message: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class ReconfirmationResponse(db.Model):
    __tablename__ = "reconfirmation_response"
    __table_args__ = (UniqueConstraint("reconfirmation_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reconfirmation_id: Mapped[int] = mapped_column(ForeignKey("reconfirmation.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
