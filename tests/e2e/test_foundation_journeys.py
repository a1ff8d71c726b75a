"""A provider registers and signs in; an officer signs in; providers stay out of officer pages."""

import re

from playwright.sync_api import expect

from dps.models import Role
from tests.conftest import PASSWORD
from tests.e2e.helpers import check_page, sign_in


def test_provider_registers_confirms_from_the_outbox_and_signs_in(
    page, browser, base_url, make_user
):
    page.goto("/")
    check_page(page)
    page.get_by_role("link", name="Register your organisation").first.click()
    check_page(page)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your organisation's name")
    check_page(page)
    page.get_by_label("Organisation name").fill("Bingham Community Care Ltd")
    page.get_by_label("Companies House number (optional)").fill("09876543")
    page.get_by_label("Small (10 to 49 staff)").check()
    page.get_by_label("Your full name").fill("Sam Green")
    page.get_by_label("Your e-mail address").fill("sam@bingham-care.example.com")
    page.get_by_role("textbox", name="Choose a password").fill("bingham-care-2026")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    check_page(page)

    # An administrator reads the confirmation e-mail in the outbox (no SMTP in the demo).
    admin_context = browser.new_context(base_url=base_url)
    admin = admin_context.new_page()
    sign_in(admin, make_user(Role.ADMIN), PASSWORD)
    admin.get_by_role("link", name="E-mail outbox").first.click()
    check_page(admin)
    admin.get_by_role("link", name="Confirm your e-mail address").click()
    check_page(admin)
    link = re.search(r"http://localhost(/confirm/\S+)", admin.locator("pre").inner_text()).group(1)
    admin_context.close()

    page.goto(link)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your e-mail address is confirmed"
    )
    check_page(page)
    sign_in(page, "sam@bingham-care.example.com", "bingham-care-2026")
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()
    expect(page.locator(".govuk-caption-l")).to_have_text("Bingham Community Care Ltd")
    check_page(page)


def test_officer_signs_in(page, make_user):
    sign_in(page, make_user(Role.OFFICER), PASSWORD)
    expect(page.get_by_role("heading", name="Procurement dashboard")).to_be_visible()
    check_page(page)


def test_a_provider_opening_an_officer_page_gets_the_403_page(page, make_user):
    sign_in(page, make_user(Role.PROVIDER), PASSWORD)
    response = page.goto("/officer/")
    assert response.status == 403
    expect(
        page.get_by_role("heading", name="You do not have permission to see this page")
    ).to_be_visible()
    check_page(page)


def test_wrong_password_shows_the_error_beside_the_field(page, make_user):
    email = make_user(Role.PROVIDER)
    sign_in(page, email, "not-the-password-1")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct e-mail address and password"
    )
    expect(page.locator("#email-error")).to_be_visible()
    check_page(page)
