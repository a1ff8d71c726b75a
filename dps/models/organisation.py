"""Organisations (contracting authorities and providers) and the people who sign in for them."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dps.extensions import db
from dps.models.types import UTCDateTime
from dps.state.clock import now


class OrganisationKind(enum.StrEnum):
    AUTHORITY = "authority"
    PROVIDER = "provider"


class ProviderSize(enum.StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


SIZE_LABELS = {
    ProviderSize.MICRO: "Micro (fewer than 10 staff)",
    ProviderSize.SMALL: "Small (10 to 49 staff)",
    ProviderSize.MEDIUM: "Medium (50 to 249 staff)",
    ProviderSize.LARGE: "Large (250 staff or more)",
}


class Role(enum.StrEnum):
    PROVIDER = "provider"
    OFFICER = "officer"
    EVALUATOR = "evaluator"
    PANEL = "panel"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.PROVIDER: "Provider user",
    Role.OFFICER: "Procurement officer",
    Role.EVALUATOR: "Evaluator",
    Role.PANEL: "Experts by Experience panel member",
    Role.ADMIN: "Administrator",
}

STAFF_ROLES = (Role.OFFICER, Role.EVALUATOR, Role.PANEL, Role.ADMIN)


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_name: Mapped[str | None] = mapped_column(String(200))
    companies_house_number: Mapped[str | None] = mapped_column(String(8))
    cqc_provider_id: Mapped[str | None] = mapped_column(String(20))
    size: Mapped[str | None] = mapped_column(String(10))
    is_lead_authority: Mapped[bool] = mapped_column(default=False)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def is_provider(self) -> bool:
        return self.kind == OrganisationKind.PROVIDER


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    is_org_admin: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_login_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Two-factor sign-in (TOTP): the secret is stored encrypted; the last accepted time step
    # stops a code being replayed.
    totp_secret: Mapped[str | None] = mapped_column(String(300))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    def get_id(self) -> str:
        """Session id includes the token version, so a password change signs out other sessions."""
        return f"{self.id}:{self.token_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot sign in
        return self.is_enabled

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class RecoveryCode(db.Model):
    """A single-use recovery code for two-factor sign-in (only its hash is kept)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
