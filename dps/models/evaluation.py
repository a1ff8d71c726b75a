"""Evaluation of opened bids: markers and their conflicts, individual marks, moderation
(consensus marks), and the price checks with the abnormally-low explanation procedure."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.bid import Bid
from dps.models.messaging import Document
from dps.models.organisation import Organisation, User
from dps.models.tender import QualityQuestion, Tender
from dps.models.types import UTCDateTime
from dps.state.clock import now


class EvaluationAssignment(db.Model):
    """A marker (officer, evaluator or panel member) assigned to mark one quality question."""

    __tablename__ = "evaluation_assignment"
    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quality_question.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    tender: Mapped[Tender] = relationship()
    question: Mapped[QualityQuestion] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ConflictDeclaration(db.Model):
    """A marker's declaration for one tender, made before they see any answer.

    A declaration with no DeclaredConflict rows means "no conflicts with any bidder".
    """

    __tablename__ = "conflict_declaration"
    __table_args__ = (UniqueConstraint("tender_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    tender: Mapped[Tender] = relationship()
    user: Mapped[User] = relationship()
    conflicts: Mapped[list[DeclaredConflict]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan"
    )


class DeclaredConflict(db.Model):
    """One bidding organisation a marker is conflicted with, and how that was handled."""

    __tablename__ = "declared_conflict"
    __table_args__ = (UniqueConstraint("declaration_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("conflict_declaration.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    nature: Mapped[str] = mapped_column(Text, default="")
    handling: Mapped[str] = mapped_column(Text, default="Kept away from this bidder's answers.")

    declaration: Mapped[ConflictDeclaration] = relationship(back_populates="conflicts")
    organisation: Mapped[Organisation] = relationship()


class Mark(db.Model):
    """One marker's mark and rationale for one answer (bid × question). Never changed by
    moderation; editable by its marker until submitted."""

    __tablename__ = "evaluation_mark"
    __table_args__ = (UniqueConstraint("bid_id", "question_id", "marker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quality_question.id"), index=True)
    marker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    mark: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    rationale: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    bid: Mapped[Bid] = relationship()
    question: Mapped[QualityQuestion] = relationship()
    marker: Mapped[User] = relationship()


class ConsensusMark(db.Model):
    """The moderated mark for one answer: it feeds the engine; the individual marks stay."""

    __tablename__ = "consensus_mark"
    __table_args__ = (UniqueConstraint("bid_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quality_question.id"))
    mark: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    reason: Mapped[str] = mapped_column(Text, default="")
    individual: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the marks it came from
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    bid: Mapped[Bid] = relationship()
    question: Mapped[QualityQuestion] = relationship()
    moderator: Mapped[User] = relationship()


price_explanation_document = Table(
    "price_explanation_document",
    db.metadata,
    Column("price_review_id", ForeignKey("price_review.id"), primary_key=True),
    Column("document_id", ForeignKey("document.id"), primary_key=True),
)


class PriceReview(db.Model):
    """The price check of one opened bid: the engine's findings, then (for an abnormally low
    price) the explanation request, the bidder's answer and the officer's decision."""

    __tablename__ = "price_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), unique=True)
    status: Mapped[str] = mapped_column(String(30), default="checked", index=True)
    hourly_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    capacity_hours: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    findings: Mapped[str] = mapped_column(Text, default="[]")  # JSON: engine findings
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    request_text: Mapped[str | None] = mapped_column(Text)
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    response_text: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tender: Mapped[Tender] = relationship()
    bid: Mapped[Bid] = relationship()
    attachments: Mapped[list[Document]] = relationship(secondary=price_explanation_document)
