"""Each blueprint checks the role on the server; providers only ever see their own organisation."""

import pytest

from dps.extensions import db
from dps.models import Organisation, Role, User
from dps.services import documents, inbox
from tests.conftest import app_ctx

AREAS = {
    "/provider/": {Role.PROVIDER},
    "/provider/inbox": {Role.PROVIDER},
    "/provider/team": {Role.PROVIDER},
    "/provider/applications": {Role.PROVIDER},
    "/provider/tenders": {Role.PROVIDER},
    "/officer/": {Role.OFFICER},
    "/officer/inbox": {Role.OFFICER},
    "/officer/applications": {Role.OFFICER},
    "/officer/members": {Role.OFFICER},
    "/officer/reconfirmations": {Role.OFFICER},
    "/officer/reconfirmations/new": {Role.OFFICER},
    "/officer/tenders": {Role.OFFICER},
    "/officer/dps": {Role.OFFICER},
    "/officer/dps/new": {Role.OFFICER},
    "/officer/tenders/new": {Role.OFFICER},
    "/evaluator/": {Role.EVALUATOR, Role.OFFICER},
    "/panel/": {Role.PANEL},
    "/admin/": {Role.ADMIN},
    "/admin/users": {Role.ADMIN},
    "/admin/organisations": {Role.ADMIN},
    "/admin/outbox": {Role.ADMIN},
    "/admin/audit": {Role.ADMIN},
    # Price checks (task E): the provider's list of prices to explain.
    "/provider/price-explanations": {Role.PROVIDER},
    # Panel marking (task C): how marking works, in plain words.
    "/panel/how-marking-works": {Role.PANEL},
    # Cost of care (task J): calculator, scenarios, templates and budget effect.
    "/officer/cost-of-care": {Role.OFFICER},
    "/officer/cost-of-care/scenarios": {Role.OFFICER},
    "/officer/cost-of-care/scenarios/compare": {Role.OFFICER},
    "/officer/cost-of-care/templates": {Role.OFFICER},
    "/officer/cost-of-care/templates/new": {Role.OFFICER},
    "/officer/cost-of-care/budget": {Role.OFFICER},
    "/provider/cost-of-care": {Role.PROVIDER},
    "/provider/cost-of-care/scenarios": {Role.PROVIDER},
    "/provider/cost-of-care/scenarios/compare": {Role.PROVIDER},
    # Market intelligence (task L): the list of DPSs to look at.
    "/officer/market": {Role.OFFICER},
    # Annual uplift (task K): the list of uplifts and the form for a new one.
    "/officer/uplifts": {Role.OFFICER},
    "/officer/uplifts/new": {Role.OFFICER},
}
ROLES = [Role.PROVIDER, Role.OFFICER, Role.EVALUATOR, Role.PANEL, Role.ADMIN]


@pytest.mark.parametrize("role", ROLES)
def test_every_area_answers_each_role_as_expected(login, role):
    client = login(role)
    for path, allowed in AREAS.items():
        response = client.get(path)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, (path, role, response.status_code)
        if expected == 403:
            assert "You do not have permission to see this page" in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(app):
    client = app.test_client()
    for path in AREAS:
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/sign-in?next=")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sign-in",
        "/register",
        "/cookies",
        "/accessibility",
        "/forgotten-password",
        "/opportunities",
        "/dps",
        "/ocds/",
    ],
)
def test_public_pages(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Nottinghamshire County Council" in body and "Commission" in body
    assert "govuk-header__logotype" not in body  # no crown
    assert response.headers["X-Frame-Options"] == "DENY"


def test_unknown_page_gets_the_404_page(app):
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def _message_for(app, org_name: str) -> tuple[int, int]:
    with app_ctx(app):
        org = db.session.scalar(db.select(Organisation).where(Organisation.name == org_name))
        document = documents.store_bytes(
            b"%PDF-1.4 letter",
            original_name="letter.pdf",
            content_type="application/pdf",
            organisation_id=org.id,
        )
        db.session.flush()
        message = inbox.post(
            org.id,
            "Your letter",
            "Please read the attached letter.",
            "Test Council",
            document_id=document.id,
        )
        db.session.commit()
        return message.id, document.id


def test_a_provider_reads_its_own_inbox_and_documents(app, login):
    client = login(Role.PROVIDER, organisation="Acme Care Ltd")
    message_id, document_id = _message_for(app, "Acme Care Ltd")
    listing = client.get("/provider/inbox").get_data(as_text=True)
    assert "Your letter" in listing and "Unread" in listing
    page = client.get(f"/provider/inbox/{message_id}")
    assert page.status_code == 200 and "Please read the attached letter." in page.get_data(
        as_text=True
    )
    assert "Unread" not in client.get("/provider/inbox").get_data(as_text=True)
    download = client.get(f"/provider/documents/{document_id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 letter"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()


def test_another_provider_gets_404_for_those_ids(app, login):
    login(Role.PROVIDER, organisation="Acme Care Ltd")
    message_id, document_id = _message_for(app, "Acme Care Ltd")
    other = login(Role.PROVIDER, organisation="Other Care Ltd")
    assert other.get(f"/provider/inbox/{message_id}").status_code == 404
    assert other.get(f"/provider/documents/{document_id}").status_code == 404
    assert "Your letter" not in other.get("/provider/inbox").get_data(as_text=True)


def test_only_a_provider_admin_can_invite(app, login):
    from tests.conftest import csrf_token

    client = login(Role.PROVIDER, organisation="Acme Care Ltd", is_org_admin=False)
    assert "Invite a colleague" not in client.get("/provider/team").get_data(as_text=True)
    token = csrf_token(client, "/forgotten-password")
    response = client.post(
        "/provider/team",
        data={
            "csrf_token": token,
            "full_name": "Col League",
            "email": "col@example.com",
            "is_admin": "no",
        },
    )
    assert response.status_code == 403


def test_provider_admin_invites_a_colleague_who_sets_a_password(app, login):
    import re

    from dps.models import EmailMessage
    from tests.conftest import csrf_token, sign_in

    client = login(Role.PROVIDER, organisation="Acme Care Ltd")
    token = csrf_token(client, "/provider/team")
    response = client.post(
        "/provider/team",
        data={
            "csrf_token": token,
            "full_name": "Col League",
            "email": "col@example.com",
            "is_admin": "no",
        },
    )
    assert response.status_code == 302
    with app_ctx(app):
        email = db.session.scalar(
            db.select(EmailMessage).where(EmailMessage.to_address == "col@example.com")
        )
        link = re.search(r"http://localhost(/\S+)", email.body).group(1)
        colleague = db.session.scalar(db.select(User).where(User.email == "col@example.com"))
        assert colleague.organisation.name == "Acme Care Ltd" and colleague.password_hash is None
    fresh = app.test_client()
    fresh.post(
        link,
        data={
            "csrf_token": csrf_token(fresh, link),
            "password": "colleague-pw-1",
            "confirm": "colleague-pw-1",
        },
    )
    assert sign_in(fresh, "col@example.com", "colleague-pw-1").location == "/provider/"


def test_admin_creates_staff_account_and_switches_it_off(app, login):
    from tests.conftest import csrf_token

    admin = login(Role.ADMIN)
    with app_ctx(app):
        council = db.session.scalar(
            db.select(Organisation).where(Organisation.name == "Test Council")
        )
        council_id = council.id
    token = csrf_token(admin, "/admin/users")
    response = admin.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "full_name": "Eva Luator",
            "email": "eva@example.com",
            "role": "evaluator",
            "organisation_id": str(council_id),
        },
    )
    assert response.status_code == 302
    with app_ctx(app):
        eva = db.session.scalar(db.select(User).where(User.email == "eva@example.com"))
        assert eva.role == "evaluator" and eva.organisation_id == council_id
        eva_id = eva.id
    token = csrf_token(admin, "/admin/users")
    admin.post(f"/admin/users/{eva_id}/enabled", data={"csrf_token": token, "enable": "no"})
    with app_ctx(app):
        assert db.session.get(User, eva_id).is_enabled is False
    assert admin.post("/admin/users/999999/enabled", data={"csrf_token": token}).status_code == 404


def test_admin_cannot_make_a_provider_account(app, login):
    from tests.conftest import csrf_token

    admin = login(Role.ADMIN)
    token = csrf_token(admin, "/admin/users")
    response = admin.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "full_name": "X",
            "email": "x@example.com",
            "role": "provider",
            "organisation_id": "1",
        },
    )
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
