"""The Dynamic Purchasing System: its authorities, categories (service types) and zones."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.organisation import Organisation
from dps.models.types import UTCDateTime
from dps.state.clock import now

dps_partner = Table(
    "dps_partner",
    db.metadata,
    Column("dps_id", ForeignKey("dps.id"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
)


class DynamicPurchasingSystem(db.Model):
    __tablename__ = "dps"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    regime: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    lead_authority_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    decision_target_days: Mapped[int] = mapped_column(default=10)
    conditions_of_membership: Mapped[str] = mapped_column(Text, default="")
    questionnaire: Mapped[str] = mapped_column(Text)  # JSON: sections, questions, insurance types
    suspend_on_insurance_expiry: Mapped[bool] = mapped_column(default=True)
    insurance_warning_days: Mapped[int] = mapped_column(default=30)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lead_authority: Mapped[Organisation] = relationship(foreign_keys=[lead_authority_id])
    partners: Mapped[list[Organisation]] = relationship(secondary=dps_partner)
    categories: Mapped[list[Category]] = relationship(
        back_populates="dps", order_by="Category.position"
    )
    zones: Mapped[list[Zone]] = relationship(back_populates="dps", order_by="Zone.position")


class Category(db.Model):
    """A service type, e.g. generic home care or night care."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("dps_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(ForeignKey("dps.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)

    dps: Mapped[DynamicPurchasingSystem] = relationship(back_populates="categories")


class Zone(db.Model):
    """A geographic area: a district, or a locality inside one."""

    __tablename__ = "zone"
    __table_args__ = (UniqueConstraint("dps_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(ForeignKey("dps.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    hard_to_serve: Mapped[bool] = mapped_column(default=False)
    rural: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    dps: Mapped[DynamicPurchasingSystem] = relationship(back_populates="zones")
    parent: Mapped[Zone | None] = relationship(remote_side=[id])

    @property
    def label(self) -> str:
        return f"{self.parent.name}: {self.name}" if self.parent else self.name
