"""Cost of care: authority cost templates (one may be the benchmark for a year), saved
calculator scenarios, and annual uplifts of contract rates with their history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.award import Contract
from dps.models.organisation import Organisation, User
from dps.models.types import UTCDateTime
from dps.state.clock import now


class AuthorityCostTemplate(db.Model):
    """A cost template (evaluation.costs.CostTemplate as JSON) kept by an authority as data;
    one per authority and year may be marked as that year's benchmark."""

    __tablename__ = "authority_cost_template"
    __table_args__ = (UniqueConstraint("authority_id", "benchmark_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(Text)  # JSON
    benchmark_year: Mapped[int | None]  # e.g. 2026 for 2026/27; unique per authority
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    authority: Mapped[Organisation] = relationship()


class CostScenario(db.Model):
    """A named set of calculator inputs on a template, saved by a user for their organisation."""

    __tablename__ = "cost_scenario"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(Text)  # JSON of the template as it was used
    inputs: Mapped[str] = mapped_column(Text, default="{}")  # JSON: parameter name -> value
    total: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class UpliftRound(db.Model):
    """An annual uplift: new figures (NLW, NI, pension...) applied to every live contract's
    rate through the engine, reviewed and approved by an officer with an effective date."""

    __tablename__ = "uplift_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    changes: Mapped[str] = mapped_column(Text)  # JSON: parameter name -> new value
    effective_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    authority: Mapped[Organisation] = relationship()
    rate_changes: Mapped[list[ContractRateChange]] = relationship(back_populates="uplift")


class ContractRateChange(db.Model):
    """One contract's rate before and after an uplift (the history of its rate)."""

    __tablename__ = "contract_rate_change"
    __table_args__ = (UniqueConstraint("uplift_id", "contract_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uplift_id: Mapped[int | None] = mapped_column(ForeignKey("uplift_round.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    old_rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    new_rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    effective_on: Mapped[date]
    explanation: Mapped[str] = mapped_column(Text, default="")  # the engine's words
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    uplift: Mapped[UpliftRound | None] = relationship(back_populates="rate_changes")
    contract: Mapped[Contract] = relationship()
    recorded_by: Mapped[User | None] = relationship()
