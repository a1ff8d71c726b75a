"""Every form, given empty, over-long, non-UTF-8 or odd input, answers 200/4xx with a message."""

import re
from urllib.parse import quote

import pytest

from dps.models import Role
from tests.conftest import csrf_token

# (path, role that may post it); a new form gets a row here.
FORMS = [
    ("/sign-in", None),
    ("/register", None),
    ("/forgotten-password", None),
    ("/provider/team", Role.PROVIDER),
    ("/admin/users", Role.ADMIN),
    ("/admin/organisations", Role.ADMIN),
    ("/officer/reconfirmations/new", Role.OFFICER),
    ("/officer/dps/new", Role.OFFICER),
    # Cost of care (task J): a new cost template.
    ("/officer/cost-of-care/templates/new", Role.OFFICER),
    # Annual uplift (task K): a new uplift round.
    ("/officer/uplifts/new", Role.OFFICER),
]
FIELD = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')
ODD = {
    "empty": "",
    "huge": "x" * 10_000,
    "nul and controls": "a\x00b\x01c\x7f",
    "html": '<script>alert("x")</script><b>bold</b>',
    "sql": "'; DROP TABLE user_account; --",
    "unicode": "Zoë ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e",
}


def _client_for(app, login, role):
    return login(role) if role else app.test_client()


def _fields(client, path) -> list[str]:
    page = client.get(path).get_data(as_text=True)
    return sorted({name for name in FIELD.findall(page) if name != "csrf_token"})


@pytest.mark.parametrize("path, role", FORMS)
@pytest.mark.parametrize("kind", list(ODD))
def test_odd_input_never_gives_a_server_error(app, login, path, role, kind):
    client = _client_for(app, login, role)
    fields = _fields(client, path)
    assert fields, f"no fields found on {path}"
    data = {name: ODD[kind] for name in fields}
    data["csrf_token"] = csrf_token(client, path)
    response = client.post(path, data=data)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code in (200, 400):
        body = response.get_data(as_text=True)
        assert "There is a problem" in body or "Check your e-mail" in body
        assert '<script>alert("x")</script>' not in body


@pytest.mark.parametrize("path, role", FORMS)
def test_non_utf8_bytes_are_answered_with_a_message(app, login, path, role):
    client = _client_for(app, login, role)
    fields = _fields(client, path)
    token = csrf_token(client, path)
    body = (
        "&".join(f"{quote(name)}=%FF%FE%C3%28" for name in fields) + f"&csrf_token={quote(token)}"
    )
    response = client.post(
        path, data=body.encode("ascii"), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500
    assert "There is a problem" in response.get_data(as_text=True) or response.status_code == 302


@pytest.mark.parametrize("path, role", FORMS)
def test_fields_sent_as_lists_or_missing(app, login, path, role):
    client = _client_for(app, login, role)
    fields = _fields(client, path)
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, fields[0]: ["a", "b"]})
    assert response.status_code < 500
