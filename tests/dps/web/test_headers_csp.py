"""Security headers on every kind of response, HSTS only in production, and no inline script."""

from __future__ import annotations

import re
from pathlib import Path

import govuk_frontend_jinja
import pytest
from flask import Flask

from dps import security_headers
from dps.models import Role

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
ROOT = Path(__file__).resolve().parents[3]


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    parts = [part.strip().split(" ", 1) for part in policy.split(";")]
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_secure(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no nonce, no hosts
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == policy["form-action"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/sign-in", 200),
        ("/opportunities", 200),
        ("/no-such-page", 404),
        ("/officer/", 302),
        ("/static/css/app.css", 200),
        ("/static/js/js-enabled.js", 200),
        ("/favicon.svg", 404),
    ],
)
def test_every_response_has_the_headers(app, path, status):
    with app.test_client().get(path) as response:
        assert response.status_code == status
        assert_secure(response)


def test_error_responses_have_the_headers(app, login):
    client = app.test_client()
    assert_secure(client.post("/sign-in", data={}))  # 400: CSRF token missing
    assert_secure(client.delete("/sign-in"))  # 405
    provider = login(Role.PROVIDER)
    response = provider.get("/officer/")
    assert response.status_code == 403
    assert_secure(response)


def test_signed_in_pages_have_no_inline_script(app, login):
    for role, path in [(Role.OFFICER, "/officer/"), (Role.PROVIDER, "/provider/")]:
        response = login(role).get(path)
        assert response.status_code == 200
        assert_secure(response)
        body = response.get_data(as_text=True)
        assert INLINE_SCRIPT.findall(body) == []
        assert "js/js-enabled.js" in body
        assert re.findall(r"<[^>]+\son[a-z]+=", body) == []


@pytest.mark.parametrize("path", ["/", "/sign-in", "/register", "/opportunities", "/accessibility"])
def test_public_pages_have_no_inline_script_or_event_handler(app, path):
    body = app.test_client().get(path).get_data(as_text=True)
    assert INLINE_SCRIPT.findall(body) == []
    assert re.findall(r"<[^>]+\son[a-z]+=", body) == []


def test_the_js_enabled_script_does_what_the_inline_one_did():
    script = (ROOT / "static/js/js-enabled.js").read_text()
    assert "js-enabled" in script and "govuk-frontend-supported" in script


def test_the_vendored_govuk_template_differs_only_by_the_inline_script():
    """If govuk-frontend-jinja is upgraded, this says to copy its template again."""
    package = Path(govuk_frontend_jinja.__file__).parent / "templates" / "template.html"
    ours = (ROOT / "templates/vendor/govuk_frontend_jinja/template.html").read_text()
    theirs = package.read_text().splitlines()
    ours_lines = ours.splitlines()[3:]
    assert len(ours_lines) == len(theirs)
    different = [(a, b) for a, b in zip(theirs, ours_lines, strict=True) if a != b]
    assert len(different) == 1
    assert "js-enabled" in different[0][0] and "js/js-enabled.js" in different[0][1]


def test_hsts_is_sent_in_production_only(app):
    """A bare Flask app with the same hook: building a second real app would rebind the shared
    job-queue extension to a fake Redis for the rest of the test run."""
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers
    production = Flask("production_headers")
    production.config["ENV_NAME"] = "production"
    security_headers.init_app(production)
    production.add_url_rule("/", "home", lambda: "ok")
    response = production.test_client().get("/")
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 365 * 24 * 3600
    assert response.headers["X-Frame-Options"] == "DENY"
    assert directives(response)["script-src"] == "'self'"
    missing = production.test_client().get("/missing")
    assert missing.status_code == 404 and "Strict-Transport-Security" in missing.headers
    development = Flask("development_headers")
    development.config["ENV_NAME"] = "development"
    security_headers.init_app(development)
    assert "Strict-Transport-Security" not in development.test_client().get("/").headers
