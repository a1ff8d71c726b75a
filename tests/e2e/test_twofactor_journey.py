"""An officer sets up two-factor sign-in, then signs in with a code and with a recovery code; and
no page the browser loads reports a Content-Security-Policy violation."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import expect

from dps.models import Role
from tests.conftest import PASSWORD
from tests.e2e.helpers import check_page, sign_in

CODE_LABEL = "Code from your authenticator app"
# Runs before any page script: records every CSP violation the page reports.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def two_factor_on(app):
    previous = app.config["TWO_FACTOR_ROLES"]
    app.config["TWO_FACTOR_ROLES"] = ("officer", "evaluator", "admin")
    yield
    app.config["TWO_FACTOR_ROLES"] = previous


@pytest.fixture
def csp_watch(page):
    """Collects CSP violations from the page's own event and from the console."""
    console: list[str] = []
    page.add_init_script(WATCH_CSP)
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )

    def _violations() -> list[str]:
        return page.evaluate("window.__cspViolations || []") + console

    return _violations


def _visit(page, path: str, csp_watch) -> None:
    page.goto(path)
    check_page(page)
    assert csp_watch() == [], f"{path}: {csp_watch()}"


def _sign_out(page) -> None:
    page.get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_officer_enrols_and_signs_in_with_a_code_then_a_recovery_code(
    page, make_user, two_factor_on, csp_watch
):
    email = make_user(Role.OFFICER)
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to add this account")).to_be_visible()
    check_page(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)

    page.get_by_label(CODE_LABEL).fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code")
    check_page(page)
    enrolled_at = time.time()
    page.get_by_label(CODE_LABEL).fill(totp.at(enrolled_at))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    check_page(page)
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Procurement dashboard")).to_be_visible()
    check_page(page)
    _sign_out(page)

    # With a code: the enrolment's time step is spent, so use the next one (one step ahead is
    # accepted, as a phone's clock may run a little fast).
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    check_page(page)
    page.get_by_label(CODE_LABEL).fill(totp.at(enrolled_at + 30))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Procurement dashboard")).to_be_visible()
    _sign_out(page)

    # With a recovery code, which then works no more.
    for attempt in range(2):
        sign_in(page, email, PASSWORD)
        page.get_by_label(CODE_LABEL).fill(codes[0])
        page.get_by_role("button", name="Continue").click()
        if attempt == 0:
            expect(page.get_by_role("heading", name="Procurement dashboard")).to_be_visible()
            check_page(page)
            page.goto("/account/two-factor")
            expect(page.get_by_text("9 of 10")).to_be_visible()
            check_page(page)
            _sign_out(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("unused recovery code")
    check_page(page)
    page.goto("/officer/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert csp_watch() == []


def test_pages_report_no_content_security_policy_violation(page, make_user, csp_watch):
    for path in ["/", "/sign-in", "/register", "/opportunities", "/dps", "/accessibility"]:
        _visit(page, path, csp_watch)
    sign_in(page, make_user(Role.OFFICER), PASSWORD)
    for path in ["/officer/", "/officer/tenders"]:
        _visit(page, path, csp_watch)
    _sign_out(page)
    sign_in(page, make_user(Role.PROVIDER), PASSWORD)
    _visit(page, "/provider/", csp_watch)
    # GOV.UK Frontend's JavaScript ran (the module script is allowed).
    assert "govuk-frontend-supported" in page.evaluate("document.body.className")
    # The watch works: an inline script injected into the page is blocked and reported.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in violation for violation in csp_watch())
