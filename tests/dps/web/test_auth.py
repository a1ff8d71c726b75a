"""Signing in, throttling, registration, confirmation, password reset and CSRF."""

import re

import pytest

from dps.extensions import db
from dps.models import AuditEvent, EmailMessage, Organisation, Role, User
from tests.conftest import PASSWORD, app_ctx, csrf_token, sign_in

LINK = re.compile(r"http://localhost(/\S+)")


def _last_link(app, to: str) -> str:
    with app_ctx(app):
        email = db.session.scalars(
            db.select(EmailMessage)
            .where(EmailMessage.to_address == to)
            .order_by(EmailMessage.id.desc())
        ).first()
        assert email is not None, f"no e-mail to {to}"
        return LINK.search(email.body).group(1)


@pytest.mark.parametrize(
    "role, home",
    [
        ("provider", "/provider/"),
        ("officer", "/officer/"),
        ("evaluator", "/evaluator/"),
        ("panel", "/panel/"),
        ("admin", "/admin/"),
    ],
)
def test_each_role_signs_in_to_its_home(app, make_user, role, home):
    client = app.test_client()
    response = sign_in(client, make_user(role))
    assert response.status_code == 302 and response.location == home
    assert client.get(home).status_code == 200


def test_wrong_password_repeatedly_locks_the_account(app, make_user):
    email = make_user(Role.PROVIDER)
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        page = sign_in(client, email, "wrong-password-1")
        assert "Enter a correct e-mail address and password" in page.get_data(as_text=True)
    page = sign_in(client, email, "wrong-password-1")
    assert "Your account is locked for 15 minutes" in page.get_data(as_text=True)
    # Even the right password is refused while locked.
    page = sign_in(client, email, PASSWORD)
    assert page.status_code == 200 and "locked" in page.get_data(as_text=True)
    with app_ctx(app):
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "account.locked"))


def test_lock_expires(app, make_user):
    from datetime import timedelta

    from dps.state import clock

    email = make_user(Role.PROVIDER)
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(client, email, "wrong-password-1")
    clock.set_fixed(clock.now() + timedelta(minutes=16))
    assert sign_in(client, email).status_code == 302


def test_an_address_that_keeps_failing_is_slowed(app, make_user):
    client = app.test_client()
    for index in range(app.config["LOGIN_IP_MAX_FAILURES"]):
        sign_in(client, f"nobody{index}@example.com", "wrong-password-1")
    page = sign_in(client, make_user(Role.OFFICER))
    assert page.status_code == 429
    assert "too many failed sign-in attempts from your network" in page.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(app, make_user):
    email = make_user(Role.PROVIDER)
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)


def test_provider_registers_confirms_and_signs_in(app):
    client = app.test_client()
    token = csrf_token(client, "/register")
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "organisation_name": "Rushcliffe Home Care Ltd",
            "companies_house_number": "01234567",
            "cqc_provider_id": "1-101234567",
            "size": "micro",
            "full_name": "Rita Patel",
            "email": "Rita@Example.com",
            "password": "care-at-home-1",
        },
    )
    assert response.status_code == 302
    # Not confirmed yet: sign-in is refused with a plain explanation.
    page = sign_in(client, "rita@example.com", "care-at-home-1")
    assert "Confirm your e-mail address first" in page.get_data(as_text=True)
    link = _last_link(app, "rita@example.com")
    assert client.get(link).status_code == 302
    assert client.get(link).status_code == 400  # the link is single use
    assert sign_in(client, "rita@example.com", "care-at-home-1").location == "/provider/"
    with app_ctx(app):
        org = db.session.scalar(
            db.select(Organisation).where(Organisation.name == "Rushcliffe Home Care Ltd")
        )
        assert org.size == "micro" and org.cqc_provider_id == "1-101234567"
        user = db.session.scalar(db.select(User).where(User.email == "rita@example.com"))
        assert user.is_org_admin and user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("companies_house_number", "1234", "Enter a Companies House number of 8 characters"),
        ("cqc_provider_id", "101234567", "Enter a CQC provider ID in the format 1-101234567"),
        ("email", "not-an-address", "Enter an e-mail address in the correct format"),
        ("password", "short", "Password must be 10 characters or more"),
        ("password", "onlyletterslong", "Password must mix letters with numbers or symbols"),
        ("size", "enormous", "Not a valid choice"),
        ("cqc_provider_id", "1-12", "Enter a CQC provider ID in the format 1-101234567"),
    ],
)
def test_registration_errors_are_clear(app, field, value, message):
    client = app.test_client()
    data = {
        "csrf_token": csrf_token(client, "/register"),
        "organisation_name": "A Ltd",
        "companies_house_number": "",
        "cqc_provider_id": "",
        "size": "small",
        "full_name": "A Person",
        "email": "a@example.com",
        "password": "care-at-home-1",
    }
    data[field] = value
    response = client.post("/register", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body and "There is a problem" in body
    assert 'value="A Ltd"' in body  # what was entered is kept


def test_registering_twice_with_one_address(app, make_user):
    email = make_user(Role.PROVIDER)
    client = app.test_client()
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf_token(client, "/register"),
            "organisation_name": "B Ltd",
            "size": "small",
            "full_name": "B",
            "email": email,
            "password": "care-at-home-1",
        },
    )
    assert response.status_code == 400
    assert "An account already uses this e-mail address" in response.get_data(as_text=True)


def test_password_reset_is_single_use_and_signs_out_other_sessions(app, make_user):
    email = make_user(Role.OFFICER)
    other_session = app.test_client()
    sign_in(other_session, email)
    assert other_session.get("/officer/").status_code == 200
    client = app.test_client()
    client.post(
        "/forgotten-password",
        data={"csrf_token": csrf_token(client, "/forgotten-password"), "email": email},
    )
    link = _last_link(app, email)
    token = csrf_token(client, link)
    response = client.post(
        link, data={"csrf_token": token, "password": "new-password-9", "confirm": "new-password-9"}
    )
    assert response.status_code == 302
    assert client.get(link).status_code == 400
    assert "already been used" in client.get(link).get_data(as_text=True)
    assert sign_in(client, email, "new-password-9").status_code == 302
    assert other_session.get("/officer/").status_code == 302  # signed out


def test_password_reset_link_expires_after_an_hour(app, make_user, monkeypatch):
    import time

    email = make_user(Role.OFFICER)
    client = app.test_client()
    client.post(
        "/forgotten-password",
        data={"csrf_token": csrf_token(client, "/forgotten-password"), "email": email},
    )
    link = _last_link(app, email)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3601)
    page = client.get(link)
    assert page.status_code == 400 and "expired" in page.get_data(as_text=True)


def test_reset_for_unknown_address_says_the_same(app):
    client = app.test_client()
    page = client.post(
        "/forgotten-password",
        data={
            "csrf_token": csrf_token(client, "/forgotten-password"),
            "email": "nobody@example.com",
        },
    )
    assert page.status_code == 200 and "If <strong>nobody@example.com</strong> has an account" in (
        page.get_data(as_text=True)
    )


def test_tampered_link(app):
    page = app.test_client().get("/reset-password/not-a-token")
    assert page.status_code == 400 and "not valid" in page.get_data(as_text=True)


def test_sign_out(login):
    client = login(Role.PANEL)
    assert client.get("/sign-out").status_code == 302
    assert client.get("/panel/").status_code == 302


def test_next_parameter_cannot_send_people_elsewhere(app, make_user):
    email = make_user(Role.OFFICER)
    client = app.test_client()
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in?next=//evil.example.com/",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.location == "/officer/"


def test_session_cookie_flags(app, make_user):
    client = app.test_client()
    response = sign_in(client, make_user(Role.OFFICER))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_registration_accepts_lower_case_identifiers(app):
    """Field filters (upper-casing) run after the base form's cleaning, not instead of it."""
    client = app.test_client()
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf_token(client, "/register"),
            "organisation_name": "Low Case Ltd",
            "companies_house_number": "sc123456",
            "cqc_provider_id": "1-101234567",
            "size": "small",
            "full_name": "L C",
            "email": "lc@example.com",
            "password": "care-at-home-1",
        },
    )
    assert response.status_code == 302
    with app_ctx(app):
        org = db.session.scalar(db.select(Organisation).where(Organisation.name == "Low Case Ltd"))
        assert org.companies_house_number == "SC123456"
