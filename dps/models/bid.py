"""Bids: sealed (encrypted) until the tender is opened, every submitted version kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.organisation import Organisation
from dps.models.tender import Lot, Tender
from dps.models.types import UTCDateTime
from dps.state.clock import now


class Bid(db.Model):
    """One provider's bid for one lot. Content lives only in encrypted form until opening."""

    __tablename__ = "bid"
    __table_args__ = (
        UniqueConstraint("lot_id", "organisation_id"),
        Index("ix_bid_tender_status", "tender_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    draft_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_version: Mapped[int | None]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    tender: Mapped[Tender] = relationship()
    lot: Mapped[Lot] = relationship()
    organisation: Mapped[Organisation] = relationship()
    versions: Mapped[list[BidVersion]] = relationship(
        back_populates="bid", order_by="BidVersion.version"
    )

    @property
    def current_version(self) -> BidVersion | None:
        """The version that stands: the one submitted last, unless withdrawn (then the latest
        live one); None when nothing live is left."""
        live = [version for version in self.versions if version.withdrawn_at is None]
        chosen = [version for version in live if version.version == self.submitted_version]
        return (chosen or live[-1:] or [None])[0]


class BidVersion(db.Model):
    """A submitted version of a bid: ciphertext, and the digest given on the receipt."""

    __tablename__ = "bid_version"
    __table_args__ = (UniqueConstraint("bid_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), index=True)
    version: Mapped[int]
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))
    receipt_reference: Mapped[str] = mapped_column(String(40), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    bid: Mapped[Bid] = relationship(back_populates="versions")
