"""Accounts: registration, throttled sign-in, e-mail confirmation, password reset, invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from dps.extensions import db
from dps.models.messaging import LoginFailure
from dps.models.organisation import Organisation, OrganisationKind, Role, User
from dps.services import audit
from dps.services.mail import send_email
from dps.state.clock import now

hasher = PasswordHasher()
# A real hash to verify against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_HASH = hasher.hash("not-a-real-password-commission")

RESET_MAX_AGE = 3600
INVITE_MAX_AGE = 7 * 24 * 3600
CONFIRM_MAX_AGE = 7 * 24 * 3600


class AccountError(Exception):
    """A problem to show to the person, in plain words."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return hasher.hash(password)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"commission-{purpose}")


def make_token(user: User, purpose: str) -> str:
    """A signed token bound to the user's token version: using it bumps the version (single use)."""
    return _serializer(purpose).dumps({"user": user.id, "version": user.token_version})


def read_token(token: str, purpose: str, max_age: int) -> User:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise AccountError("This link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise AccountError("This link is not valid. Check you copied all of it.") from exc
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or user.token_version != data.get("version"):
        raise AccountError("This link has already been used. Ask for a new one.")
    return user


def _link(endpoint: str, **values) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return base + url_for(endpoint, _external=False, **values)


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    message: str | None = None
    status: int = 200


def _ip_failures(ip: str) -> int:
    window = now() - timedelta(minutes=current_app.config["LOGIN_IP_WINDOW_MINUTES"])
    return db.session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.ip_address == ip, LoginFailure.occurred_at >= window
        )
    )


def authenticate(email: str, password: str, ip: str) -> SignInResult:
    """Check a sign-in. Repeated failures lock the account for a while and slow the address."""
    config = current_app.config
    email = normalise_email(email)
    if _ip_failures(ip) >= config["LOGIN_IP_MAX_FAILURES"]:
        minutes = config["LOGIN_IP_WINDOW_MINUTES"]
        return SignInResult(
            None,
            f"There have been too many failed sign-in attempts from your network. "
            f"Wait {minutes} minutes and try again.",
            429,
        )
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.locked_until is not None and user.locked_until > now():
        return SignInResult(None, _locked_message(user), 200)
    valid = False
    try:
        valid = hasher.verify(
            user.password_hash if user and user.password_hash else _DUMMY_HASH, password
        )
    except (VerificationError, InvalidHashError):
        valid = False
    if not (valid and user is not None and user.password_hash):
        db.session.add(LoginFailure(ip_address=ip, email=email[:254]))
        if user is not None:
            user.failed_login_count += 1
            if user.failed_login_count >= config["LOGIN_MAX_FAILURES"]:
                user.locked_until = now() + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
                user.failed_login_count = 0
                audit.record("account.locked", "user", user.id, {"ip": ip}, actor=user)
                db.session.commit()
                return SignInResult(None, _locked_message(user), 200)
        db.session.commit()
        return SignInResult(None, "Enter a correct e-mail address and password.", 200)
    if not user.is_enabled:
        return SignInResult(None, "This account has been switched off. Contact your administrator.")
    if user.role == Role.PROVIDER and user.email_confirmed_at is None:
        return SignInResult(
            None,
            "Confirm your e-mail address first: use the link we sent you when you registered.",
        )
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now()
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("account.signed_in", "user", user.id, actor=user)
    db.session.commit()
    return SignInResult(user)


def _locked_message(user: User) -> str:
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    return (
        f"Your account is locked for {minutes} minutes because the password was entered wrongly "
        f"too many times. Wait, then try again, or reset your password."
    )


def email_in_use(email: str) -> bool:
    return (
        db.session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None
    )


def register_provider(
    *,
    organisation_name: str,
    companies_house_number: str | None,
    cqc_provider_id: str | None,
    size: str,
    full_name: str,
    email: str,
    password: str,
) -> User:
    """Create a provider organisation and its first user (its administrator); e-mail a link."""
    email = normalise_email(email)
    if email_in_use(email):
        raise AccountError(
            "An account already uses this e-mail address. Sign in or reset your password."
        )
    organisation = Organisation(
        kind=OrganisationKind.PROVIDER,
        name=organisation_name.strip(),
        legal_name=organisation_name.strip(),
        companies_house_number=companies_house_number or None,
        cqc_provider_id=cqc_provider_id or None,
        size=size,
        contact_email=email,
    )
    user = User(
        email=email,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        role=Role.PROVIDER,
        organisation=organisation,
        is_org_admin=True,
    )
    db.session.add_all([organisation, user])
    db.session.flush()
    audit.record(
        "provider.registered",
        "organisation",
        organisation.id,
        {"name": organisation.name, "user": email},
        actor=user,
    )
    _send_confirmation(user)
    db.session.commit()
    return user


def _send_confirmation(user: User) -> None:
    link = _link("auth.confirm_email", token=make_token(user, "confirm"))
    send_email(
        user.email,
        "Confirm your e-mail address",
        f"Hello {user.full_name},\n\nConfirm your e-mail address to finish registering with "
        f"{current_app.config['SERVICE_NAME']}:\n\n{link}\n\nThe link works for 7 days.\n",
    )


def confirm_email(token: str) -> User:
    user = read_token(token, "confirm", CONFIRM_MAX_AGE)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now()
        user.token_version += 1
        audit.record("account.email_confirmed", "user", user.id, actor=user)
        db.session.commit()
    return user


def request_password_reset(email: str) -> None:
    """E-mail a one-hour, single-use link if the account exists; say nothing either way."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_enabled:
        return
    link = _link("auth.reset_password", token=make_token(user, "reset"))
    send_email(
        user.email,
        "Reset your password",
        f"Hello {user.full_name},\n\nUse this link to choose a new password. It works once, "
        f"for one hour:\n\n{link}\n\nIf you did not ask for this, ignore this e-mail.\n",
    )
    audit.record("account.password_reset_requested", "user", user.id, actor=user)
    db.session.commit()


def set_password(token: str, password: str, purpose: str) -> User:
    """Finish a reset or an invitation: the token is spent and other sessions end."""
    max_age = RESET_MAX_AGE if purpose == "reset" else INVITE_MAX_AGE
    user = read_token(token, purpose, max_age)
    user.password_hash = hash_password(password)
    user.token_version += 1
    user.failed_login_count = 0
    user.locked_until = None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now()
    audit.record(f"account.password_set.{purpose}", "user", user.id, actor=user)
    db.session.commit()
    return user


def invite_user(
    *,
    inviter: User,
    email: str,
    full_name: str,
    role: str,
    organisation_id: int | None,
    is_org_admin: bool = False,
) -> User:
    """Create an account without a password and e-mail a link to choose one."""
    email = normalise_email(email)
    if email_in_use(email):
        raise AccountError("An account already uses this e-mail address.")
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        organisation_id=organisation_id,
        is_org_admin=is_org_admin,
    )
    db.session.add(user)
    db.session.flush()
    link = _link("auth.accept_invitation", token=make_token(user, "invite"))
    send_email(
        email,
        f"You have been invited to {current_app.config['SERVICE_NAME']}",
        f"Hello {user.full_name},\n\n{inviter.full_name} has created an account for you as "
        f"{user.role_label}. Choose a password with this link (it works for 7 days):\n\n{link}\n",
    )
    audit.record("account.invited", "user", user.id, {"email": email, "role": role}, actor=inviter)
    db.session.commit()
    return user


def set_enabled(actor: User, user_id: int, enabled: bool) -> User | None:
    user = db.session.get(User, user_id)
    if user is None:
        return None
    user.is_enabled = enabled
    user.token_version += 1
    audit.record("account.enabled" if enabled else "account.disabled", "user", user.id, actor=actor)
    db.session.commit()
    return user


def purge_old_login_failures(older_than_hours: int = 24) -> int:
    cutoff = now() - timedelta(hours=older_than_hours)
    result = db.session.execute(delete(LoginFailure).where(LoginFailure.occurred_at < cutoff))
    db.session.commit()
    return result.rowcount or 0
