"""Settings, one class per environment.

Environment variables override only the keys declared here.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("COMMISSION_INSTANCE", ROOT / "instance"))

_TRUE = {"1", "true", "yes", "on"}


class Settings:
    """Defaults shared by every environment. Each upper-case attribute is a declared setting."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    REDIS_URL: str | None = None
    SERVICE_NAME = "Commission"
    COUNCIL_NAME = "Nottinghamshire County Council"
    PUBLIC_URL = "http://127.0.0.1:5000"
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_FROM = "commission@example.gov.uk"
    SESSION_IDLE_MINUTES = 30
    SESSION_COOKIE_SECURE = True
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    LOGIN_IP_MAX_FAILURES = 20
    LOGIN_IP_WINDOW_MINUTES = 15
    UPLOAD_FOLDER = str(INSTANCE / "uploads")
    UPLOAD_MAX_MB = 10
    RQ_QUEUE = "commission"
    BID_MASTER_KEY: str | None = None
    TENDER_MIN_DAYS = 10  # the "reasonable" minimum where the regime leaves it to the council
    OCDS_PREFIX = "ocds-commission"
    PASSWORD_MIN_LENGTH = 10
    # Roles that must use a second factor (TOTP) to sign in; comma-separated in the environment.
    TWO_FACTOR_ROLES: tuple[str, ...] = ("officer", "evaluator", "admin")

    @classmethod
    def declared(cls) -> dict[str, object]:
        return {key: getattr(cls, key) for key in dir(cls) if key.isupper()}

    @classmethod
    def load(cls) -> dict[str, object]:
        """The settings as a dict, with environment variables applied to declared keys only."""
        values = cls.declared()
        for key, default in list(values.items()):
            raw = os.environ.get(key)
            if raw is None or raw == "":
                continue
            if isinstance(default, bool):
                values[key] = raw.strip().lower() in _TRUE
            elif isinstance(default, int):
                try:
                    values[key] = int(raw)
                except ValueError as exc:
                    raise RuntimeError(
                        f"Setting {key} must be a whole number, not {raw!r}"
                    ) from exc
            else:
                values[key] = raw
        return cls.finish(values)

    @classmethod
    def finish(cls, values: dict[str, object]) -> dict[str, object]:
        return values


def _instance_secret() -> str:
    """A development secret made once and kept under instance/, so sessions survive restarts."""
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Development(Settings):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False

    @classmethod
    def finish(cls, values):
        INSTANCE.mkdir(parents=True, exist_ok=True)
        values["SECRET_KEY"] = values["SECRET_KEY"] or _instance_secret()
        values["DATABASE_URL"] = values["DATABASE_URL"] or f"sqlite:///{INSTANCE / 'commission.db'}"
        return values


class Test(Settings):
    ENV_NAME = "test"
    SECRET_KEY = "test-secret-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    PUBLIC_URL = "http://localhost"
    TWO_FACTOR_ROLES: tuple[str, ...] = ()  # the shared sign-in helpers; 2FA tests switch it on


class Production(Settings):
    ENV_NAME = "production"

    @classmethod
    def finish(cls, values):
        missing = [
            key for key in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL") if not values.get(key)
        ]
        if missing:
            raise RuntimeError(
                "Production needs these settings in the environment: " + ", ".join(missing)
            )
        return values


ENVIRONMENTS = {"development": Development, "test": Test, "production": Production}


def settings_for(name: str | None = None) -> dict[str, object]:
    """Settings of the environment named by `name` or COMMISSION_ENV (default development)."""
    name = name or os.environ.get("COMMISSION_ENV", "development")
    try:
        return ENVIRONMENTS[name].load()
    except KeyError:
        raise RuntimeError(
            f"Unknown COMMISSION_ENV {name!r}: use one of {sorted(ENVIRONMENTS)}"
        ) from None
