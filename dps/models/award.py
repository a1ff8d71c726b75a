"""Award: the decision (proposed by one officer, approved by another), one letter per bidder
made exactly once by background jobs, standstill, and the contracts recorded per lot."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.messaging import Document
from dps.models.organisation import Organisation, User
from dps.models.tender import Lot, Tender
from dps.models.types import UTCDateTime
from dps.state.clock import now


class AwardDecision(db.Model):
    """The award of one tender; `results` is the evaluation results as they stood when it was
    proposed (JSON), so letters and the public page never drift from what was approved."""

    __tablename__ = "award_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    results: Mapped[str] = mapped_column(Text, default="{}")
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    letters_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    standstill_applies: Mapped[bool] = mapped_column(default=True)
    standstill_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    challenged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    challenge_details: Mapped[str | None] = mapped_column(Text)
    challenge_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tender: Mapped[Tender] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    letters: Mapped[list[AwardLetter]] = relationship(back_populates="award")


class AwardLetter(db.Model):
    """One letter per bidder per tender: the unique key that makes each letter exactly once."""

    __tablename__ = "award_letter"
    __table_args__ = (UniqueConstraint("tender_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("award_decision.id"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_message.id"))
    made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    award: Mapped[AwardDecision] = relationship(back_populates="letters")
    organisation: Mapped[Organisation] = relationship()
    document: Mapped[Document | None] = relationship()


class Contract(db.Model):
    """A contract recorded after standstill for one lot and one provider."""

    __tablename__ = "contract"
    __table_args__ = (UniqueConstraint("lot_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    start_on: Mapped[date]
    end_on: Mapped[date]
    hourly_rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    hours_per_week: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    tender: Mapped[Tender] = relationship()
    lot: Mapped[Lot] = relationship()
    organisation: Mapped[Organisation] = relationship()
