"""Two-factor sign-in: time-based one-time passwords (TOTP) and single-use recovery codes.

The TOTP secret is kept encrypted (AES-GCM under a key derived from the platform's master key,
as sealed bids are) so a copy of the database alone cannot mint codes. Each accepted code's time
step is remembered so a code cannot be replayed, and wrong codes count toward the same lock-out
as wrong passwords.
"""

from __future__ import annotations

import base64
import io
import os
import secrets
from datetime import timedelta

import pyotp
import qrcode
import qrcode.image.svg
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, func, select

from dps.extensions import db
from dps.models.messaging import LoginFailure
from dps.models.organisation import RecoveryCode, User
from dps.services import audit
from dps.services.accounts import _ip_failures, _locked_message, hasher
from dps.services.sealing import _master_key
from dps.state.clock import now

RECOVERY_CODE_COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy from paper
NONCE_BYTES = 12


class TwoFactorError(Exception):
    """A problem with a code, to show to the person in plain words."""


def required_for(user: User) -> bool:
    """Whether this user's role must use a second factor (config TWO_FACTOR_ROLES)."""
    roles = current_app.config.get("TWO_FACTOR_ROLES") or ()
    if isinstance(roles, str):  # set from the environment: "officer,evaluator,admin"
        roles = [role.strip() for role in roles.split(",")]
    return str(user.role) in set(roles)


def is_enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


# Secret storage ----------------------------------------------------------------------------


def _key() -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"commission-totp", info=b"totp-secret"
    ).derive(_master_key())


def _aad(user: User) -> bytes:
    return f"user:{user.id}:totp".encode()


def _seal(user: User, secret: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + AESGCM(_key()).encrypt(nonce, secret.encode(), _aad(user))
    return base64.urlsafe_b64encode(sealed).decode()


def _unseal(user: User) -> str:
    raw = base64.urlsafe_b64decode(user.totp_secret or "")
    try:
        return AESGCM(_key()).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(user)).decode()
    except (InvalidTag, ValueError) as exc:
        raise TwoFactorError(
            "Your two-factor set-up could not be read. Ask your administrator to reset it."
        ) from exc


def set_secret(user: User, secret: str) -> None:
    """Store a known secret (used by the demo's published DEMO-ONLY enrolment and by tests)."""
    user.totp_secret = _seal(user, secret)


# Enrolment ---------------------------------------------------------------------------------


def enrolment_secret(user_id: int) -> str:
    """The secret being enrolled: made once and kept (encrypted) until confirmed or reset."""
    user = db.session.get(User, user_id)
    if is_enrolled(user):
        raise TwoFactorError("Two-factor sign-in is already set up for this account.")
    if user.totp_secret is None:
        user.totp_secret = _seal(user, pyotp.random_base32())
        db.session.commit()
    return _unseal(user)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SERVICE_NAME"]
    )


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG markup (no image library needed, nothing fetched)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    label = 'role="img" aria-label="QR code to add this account to your authenticator app"'
    return svg[svg.index("<svg") :].replace("<svg ", f"<svg {label} ", 1)


def confirm_enrolment(user_id: int, code: str, ip: str) -> list[str]:
    """Check the first code from the app; switch two-factor on and return fresh recovery codes."""
    user = db.session.get(User, user_id)
    if is_enrolled(user):
        raise TwoFactorError("Two-factor sign-in is already set up for this account.")
    if user.totp_secret is None:
        raise TwoFactorError("Start again: scan the QR code, then enter the code it shows.")
    _refuse_if_locked(user, ip)
    step = _matching_step(_unseal(user), (code or "").strip().replace(" ", ""), None)
    if step is None:
        _count_failure(user, ip)
        raise TwoFactorError("Enter the 6-digit code shown in your authenticator app.")
    user.totp_enabled_at = now()
    user.totp_last_step = step
    user.failed_login_count = 0
    codes = _new_recovery_codes(user)
    audit.record("account.two_factor.enrolled", "user", user.id, actor=user)
    db.session.commit()
    return codes


# Signing in --------------------------------------------------------------------------------


def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step (now, or one either side) whose code this is, if not already used."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now())
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step).encode(), code.encode(errors="replace")):
            return step
    return None


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _refuse_if_locked(user: User, ip: str) -> None:
    config = current_app.config
    if _ip_failures(ip) >= config["LOGIN_IP_MAX_FAILURES"]:
        raise TwoFactorError(
            "There have been too many failed sign-in attempts from your network. "
            f"Wait {config['LOGIN_IP_WINDOW_MINUTES']} minutes and try again."
        )
    if user.locked_until is not None and user.locked_until > now():
        raise TwoFactorError(_locked_message(user))


def _count_failure(user: User, ip: str) -> None:
    """A wrong code counts like a wrong password; recent failures for the account lock it.

    Failures are also counted from the log (not only the counter), because a correct password
    resets the counter and must not buy an attacker more guesses at the code.
    """
    config = current_app.config
    db.session.add(LoginFailure(ip_address=ip, email=user.email[:254]))
    user.failed_login_count += 1
    db.session.flush()
    window = now() - timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    recent = db.session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.email == user.email[:254], LoginFailure.occurred_at >= window
        )
    )
    if max(recent, user.failed_login_count) >= config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now() + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
        user.failed_login_count = 0
        audit.record("account.locked", "user", user.id, {"ip": ip, "step": "code"}, actor=user)
        db.session.commit()
        raise TwoFactorError(_locked_message(user))
    db.session.commit()


def verify(user_id: int, code: str, ip: str) -> User:
    """Second step of sign-in: a 6-digit code (once per time step) or an unused recovery code."""
    user = db.session.get(User, user_id)
    if user is None or not is_enrolled(user):
        raise TwoFactorError("Sign in again.")
    _refuse_if_locked(user, ip)
    code = (code or "").strip().replace(" ", "")
    if code.isascii() and code.isdigit() and len(code) == 6:
        step = _matching_step(_unseal(user), code, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            user.failed_login_count = 0
            audit.record("account.two_factor.passed", "user", user.id, actor=user)
            db.session.commit()
            return user
    elif _use_recovery_code(user, code):
        user.failed_login_count = 0
        remaining = unused_recovery_codes(user.id)
        audit.record(
            "account.two_factor.recovery_code_used",
            "user",
            user.id,
            {"remaining": remaining},
            actor=user,
        )
        db.session.commit()
        return user
    _count_failure(user, ip)
    raise TwoFactorError(
        "Enter the 6-digit code shown in your authenticator app, or an unused recovery code."
    )


def _use_recovery_code(user: User, code: str) -> bool:
    normalised = _normalise_recovery(code)
    if len(normalised) != 10:
        return False
    for row in db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        try:
            hasher.verify(row.code_hash, normalised)
        except (VerificationError, InvalidHashError):
            continue
        row.used_at = now()
        return True
    return False


# Recovery codes and resets -----------------------------------------------------------------


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hasher.hash(raw)))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def unused_recovery_codes(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
        )
    )


def regenerate_recovery_codes(user_id: int) -> list[str]:
    """New codes replace all the old ones (used or not); shown to the person once."""
    user = db.session.get(User, user_id)
    if not is_enrolled(user):
        raise TwoFactorError("Set up two-factor sign-in first.")
    codes = _new_recovery_codes(user)
    audit.record("account.two_factor.recovery_codes_regenerated", "user", user.id, actor=user)
    db.session.commit()
    return codes


def reset(actor: User, user_id: int) -> User | None:
    """An administrator clears a user's two-factor set-up (lost phone): they enrol again at
    their next sign-in. Their other sessions end. None if there is no such staff account."""
    user = db.session.get(User, user_id)
    if user is None or str(user.role) == "provider":
        return None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.token_version += 1
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record("account.two_factor.reset", "user", user.id, {"email": user.email}, actor=actor)
    db.session.commit()
    return user
