"""Two-factor sign-in through the test client: enrolment, codes, replay, recovery codes, lock-out,
and that a half-signed-in session reaches no role page.

The test settings switch two-factor off for the rest of the suite; these tests switch it on.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import AuditEvent, Role, User
from dps.models.organisation import RecoveryCode
from dps.services import two_factor
from dps.state import clock
from tests.conftest import CSRF_RE, app_ctx, csrf_token, sign_in

T0 = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def two_factor_on(app):
    previous = app.config["TWO_FACTOR_ROLES"]
    app.config["TWO_FACTOR_ROLES"] = ("officer", "evaluator", "admin")
    yield
    app.config["TWO_FACTOR_ROLES"] = previous


def enrol(app, email: str, secret: str = SECRET) -> None:
    with app_ctx(app):
        user = db.session.scalar(select(User).where(User.email == email))
        two_factor.set_secret(user, secret)
        user.totp_enabled_at = clock.now()
        db.session.commit()


def code_at(moment: datetime, secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).at(moment)


def post_code(client, url: str, code: str):
    return client.post(url, data={"code": code, "csrf_token": csrf_token(client, url)})


def audit_actions(app) -> list[str]:
    with app_ctx(app):
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_the_roles_needing_two_factor_are_configured_and_on_outside_tests():
    from config.settings import Development, Production, Settings

    assert Settings.TWO_FACTOR_ROLES == ("officer", "evaluator", "admin")
    assert Development.TWO_FACTOR_ROLES == Production.TWO_FACTOR_ROLES == Settings.TWO_FACTOR_ROLES


def test_roles_from_the_environment_are_a_comma_separated_list(app, ctx):
    previous = app.config["TWO_FACTOR_ROLES"]
    app.config["TWO_FACTOR_ROLES"] = "officer, admin"
    try:
        assert two_factor.required_for(User(role=Role.ADMIN))
        assert not two_factor.required_for(User(role=Role.EVALUATOR))
    finally:
        app.config["TWO_FACTOR_ROLES"] = previous


@pytest.mark.parametrize(
    "path", ["/officer/", "/evaluator/", "/admin/", "/panel/", "/provider/", "/account/two-factor"]
)
def test_a_half_signed_in_session_reaches_no_role_page(app, make_user, two_factor_on, path):
    client = app.test_client()
    response = sign_in(client, make_user(Role.OFFICER))
    assert response.headers["Location"] == "/sign-in/two-factor/set-up"
    page = client.get(path)
    assert page.status_code == 302 and page.headers["Location"].startswith("/sign-in")


def test_panel_members_and_providers_sign_in_with_a_password_only(app, make_user, two_factor_on):
    for role, home in ((Role.PANEL, "/panel/"), (Role.PROVIDER, "/provider/")):
        client = app.test_client()
        response = sign_in(client, make_user(role))
        assert response.headers["Location"] == home
        assert client.get(home).status_code == 200


def test_an_officer_enrols_sees_recovery_codes_once_and_is_signed_in(app, make_user, two_factor_on):
    clock.set_fixed(T0)
    email = make_user(Role.OFFICER)
    client = app.test_client()
    sign_in(client, email)
    page = client.get("/sign-in/two-factor/set-up").get_data(as_text=True)
    assert '<svg role="img" aria-label="QR code' in page
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert len(secret) == 32
    # Reloading shows the same secret (the QR code a person scanned stays valid).
    assert secret in client.get("/sign-in/two-factor/set-up").get_data(as_text=True).replace(
        " ", ""
    )

    wrong = post_code(client, "/sign-in/two-factor/set-up", "000000")
    assert wrong.status_code == 400
    assert "Enter the 6-digit code shown in your authenticator app" in wrong.get_data(as_text=True)
    assert client.get("/officer/").status_code == 302

    done = post_code(client, "/sign-in/two-factor/set-up", code_at(T0, secret))
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert client.get("/officer/").status_code == 200
    with app_ctx(app):
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.totp_enabled_at is not None and secret not in user.totp_secret
        assert user.totp_last_step == pyotp.TOTP(secret).timecode(T0)
        hashes = db.session.scalars(
            select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
        ).all()
        assert len(hashes) == 10 and all(h.startswith("$argon2") for h in hashes)
        assert not any(code.replace("-", "") in h for code in codes for h in hashes)
    assert "account.two_factor.enrolled" in audit_actions(app)
    # The set-up page is gone once enrolled; the codes are never shown again.
    client.get("/sign-out")
    sign_in(client, email)
    assert client.get("/sign-in/two-factor/set-up").headers["Location"] == "/sign-in/two-factor"


def test_an_enrolled_evaluator_signs_in_with_a_code_which_cannot_be_replayed(
    app, make_user, two_factor_on
):
    clock.set_fixed(T0)
    email = make_user(Role.EVALUATOR)
    enrol(app, email)
    client = app.test_client()
    assert sign_in(client, email).headers["Location"] == "/sign-in/two-factor"
    assert client.get("/evaluator/").status_code == 302
    response = post_code(client, "/sign-in/two-factor", code_at(T0))
    assert response.status_code == 302 and response.headers["Location"] == "/evaluator/"
    assert client.get("/evaluator/").status_code == 200

    other = app.test_client()
    sign_in(other, email)
    replay = post_code(other, "/sign-in/two-factor", code_at(T0))
    assert replay.status_code == 400 and other.get("/evaluator/").status_code == 302
    # The previous step's code is also spent (steps only move forwards); the next one works.
    assert (
        post_code(other, "/sign-in/two-factor", code_at(T0 - timedelta(seconds=30))).status_code
        == 400
    )
    ok = post_code(other, "/sign-in/two-factor", code_at(T0 + timedelta(seconds=30)))
    assert ok.status_code == 302 and "account.two_factor.passed" in audit_actions(app)


@pytest.mark.parametrize(
    ("offset", "accepted"), [(-30, True), (30, True), (-90, False), (90, False)]
)
def test_codes_are_accepted_one_step_either_side_only(
    app, make_user, two_factor_on, offset, accepted
):
    clock.set_fixed(T0)
    email = make_user(Role.ADMIN)
    enrol(app, email)
    client = app.test_client()
    sign_in(client, email)
    response = post_code(client, "/sign-in/two-factor", code_at(T0 + timedelta(seconds=offset)))
    assert (response.status_code == 302) is accepted


def test_the_next_page_asked_for_is_kept_through_the_second_step(app, make_user, two_factor_on):
    clock.set_fixed(T0)
    email = make_user(Role.OFFICER)
    enrol(app, email)
    client = app.test_client()
    token = csrf_token(client, "/sign-in")
    client.post(
        "/sign-in?next=/officer/tenders",
        data={"email": email, "password": "Test-password-123", "csrf_token": token},
    )
    assert post_code(client, "/sign-in/two-factor", code_at(T0)).headers["Location"] == (
        "/officer/tenders"
    )


def test_a_recovery_code_works_once(app, make_user, two_factor_on):
    clock.set_fixed(T0)
    email = make_user(Role.OFFICER)
    enrol(app, email)
    with app_ctx(app):
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        codes = two_factor.regenerate_recovery_codes(user_id)
    client = app.test_client()
    sign_in(client, email)
    response = post_code(client, "/sign-in/two-factor", codes[3].upper().replace("-", " "))
    assert response.status_code == 302 and client.get("/officer/").status_code == 200
    assert "account.two_factor.recovery_code_used" in audit_actions(app)

    again = app.test_client()
    sign_in(again, email)
    refused = post_code(again, "/sign-in/two-factor", codes[3])
    assert refused.status_code == 400 and "unused recovery code" in refused.get_data(as_text=True)
    with app_ctx(app):
        assert two_factor.unused_recovery_codes(user_id) == 9


def test_wrong_codes_lock_the_account_even_if_the_password_is_entered_again(
    app, make_user, two_factor_on
):
    clock.set_fixed(T0)
    email = make_user(Role.OFFICER)
    enrol(app, email)
    client = app.test_client()
    sign_in(client, email)
    for _ in range(3):
        assert post_code(client, "/sign-in/two-factor", "123456").status_code == 400
    # A correct password resets the password counter, but not the count of wrong codes.
    client = app.test_client()
    sign_in(client, email)
    assert post_code(client, "/sign-in/two-factor", "123456").status_code == 400
    locked = post_code(client, "/sign-in/two-factor", "123456")
    assert "Your account is locked" in locked.get_data(as_text=True)
    # Now even the right code is refused, and so is the password.
    assert post_code(client, "/sign-in/two-factor", code_at(T0)).status_code == 400
    assert "Your account is locked" in sign_in(app.test_client(), email).get_data(as_text=True)
    assert "account.locked" in audit_actions(app)


def test_an_unfinished_second_step_expires(app, make_user, two_factor_on):
    email = make_user(Role.OFFICER)
    enrol(app, email)
    client = app.test_client()
    sign_in(client, email)
    with client.session_transaction() as session:
        session["two_factor_pending"]["since"] -= 11 * 60
    response = client.get("/sign-in/two-factor")
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/sign-in/two-factor").headers["Location"] == "/sign-in"


def test_the_code_form_rejects_bad_input_with_a_message(app, make_user, two_factor_on):
    email = make_user(Role.OFFICER)
    enrol(app, email)
    client = app.test_client()
    sign_in(client, email)
    for value in ["", "x" * 500, "<script>", "１２３４５６", "\x00"]:
        response = post_code(client, "/sign-in/two-factor", value)
        assert response.status_code == 400
        assert "govuk-error-summary" in response.get_data(as_text=True)
    assert client.post("/sign-in/two-factor", data={"code": "123456"}).status_code == 400


def test_staff_make_new_recovery_codes_and_the_old_ones_stop_working(app, make_user, two_factor_on):
    clock.set_fixed(T0)
    email = make_user(Role.OFFICER)
    enrol(app, email)
    with app_ctx(app):
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        old = two_factor.regenerate_recovery_codes(user_id)
    client = app.test_client()
    sign_in(client, email)
    post_code(client, "/sign-in/two-factor", code_at(T0))
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "10 of 10" in page.get_data(as_text=True)
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    response = client.post("/account/two-factor", data={"csrf_token": token})
    new = re.findall(r"<code>([a-z2-9-]{11})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert "account.two_factor.recovery_codes_regenerated" in audit_actions(app)
    other = app.test_client()
    sign_in(other, email)
    assert post_code(other, "/sign-in/two-factor", old[0]).status_code == 400
    assert post_code(other, "/sign-in/two-factor", new[0]).status_code == 302


def test_an_administrator_resets_two_factor_and_the_person_enrols_again(
    app, make_user, two_factor_on
):
    clock.set_fixed(T0)
    officer_email = make_user(Role.OFFICER)
    enrol(app, officer_email)
    officer = app.test_client()
    sign_in(officer, officer_email)
    post_code(officer, "/sign-in/two-factor", code_at(T0))
    assert officer.get("/officer/").status_code == 200

    admin_email = make_user(Role.ADMIN)
    enrol(app, admin_email, "KRSXG5CTMVRXEZLU" * 2)
    admin = app.test_client()
    sign_in(admin, admin_email)
    post_code(admin, "/sign-in/two-factor", code_at(T0, "KRSXG5CTMVRXEZLU" * 2))
    with app_ctx(app):
        officer_id = db.session.scalar(select(User.id).where(User.email == officer_email))
        two_factor.regenerate_recovery_codes(officer_id)
    url = f"/admin/users/{officer_id}/two-factor"
    page = admin.get(url)
    assert page.status_code == 200 and "set up two-factor sign-in on" in page.get_data(as_text=True)
    assert officer.get(url).status_code == 403
    response = admin.post(url, data={"csrf_token": csrf_token(admin, url)})
    assert response.headers["Location"] == "/admin/users"

    with app_ctx(app):
        user = db.session.get(User, officer_id)
        assert user.totp_secret is None and user.totp_enabled_at is None
        assert two_factor.unused_recovery_codes(officer_id) == 0
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "account.two_factor.reset")
        )
        assert event is not None
    # The officer's session has ended and the next sign-in asks them to enrol again.
    assert officer.get("/officer/").status_code == 302
    assert sign_in(officer, officer_email).headers["Location"] == "/sign-in/two-factor/set-up"


def test_the_reset_page_is_404_for_providers_and_unknown_accounts(app, make_user, login):
    admin = login(Role.ADMIN)
    provider_email = make_user(Role.PROVIDER)
    with app_ctx(app):
        provider_id = db.session.scalar(select(User.id).where(User.email == provider_email))
    assert admin.get(f"/admin/users/{provider_id}/two-factor").status_code == 404
    assert admin.get("/admin/users/999999/two-factor").status_code == 404
    token = csrf_token(admin, "/admin/users")
    response = admin.post("/admin/users/999999/two-factor", data={"csrf_token": token})
    assert response.status_code == 404


def test_the_secret_is_stored_encrypted_under_its_own_key(app, make_user):
    email = make_user(Role.OFFICER)
    with app_ctx(app):
        user = db.session.scalar(select(User).where(User.email == email))
        two_factor.set_secret(user, SECRET)
        db.session.commit()
        assert SECRET not in user.totp_secret and len(user.totp_secret) <= 300
        assert two_factor._unseal(user) == SECRET
        other = User(id=user.id + 1, role=Role.OFFICER, totp_secret=user.totp_secret)
        with pytest.raises(two_factor.TwoFactorError):
            two_factor._unseal(other)  # bound to the account: cannot be copied to another


def test_sessions_end_after_30_minutes_without_a_request(app, login, monkeypatch):
    assert app.config["SESSION_IDLE_MINUTES"] == 30
    assert app.permanent_session_lifetime == timedelta(minutes=30)
    client = login(Role.OFFICER)
    assert client.get("/officer/").status_code == 200
    # The session cookie is signed with a timestamp and refreshed by each request; Flask refuses
    # one older than the lifetime. Pretend 31 minutes have passed since the last request.
    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 31 * 60)
    assert client.get("/officer/").status_code == 302
