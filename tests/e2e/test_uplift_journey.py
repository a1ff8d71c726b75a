"""An officer creates the April 2027 uplift (a mistake first), reviews every live contract's new
rate line by line with the budget effect, approves it, and reads a contract's rate history."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.dps.uplift_setup import uplift_world
from tests.e2e.helpers import check_page, sign_in


def test_uplift_create_review_approve_and_history(page, app, make_user):
    world = uplift_world(app, make_user)
    sign_in(page, world.officer, PASSWORD)

    page.goto("/officer/uplifts")
    expect(page.get_by_role("heading", name="Annual uplifts of contract rates")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Create an uplift").click()
    expect(page.get_by_role("heading", name="Create an uplift")).to_be_visible()
    check_page(page)

    page.get_by_label("Title").fill("April 2027 uplift")
    for part, value in (("day", "1"), ("month", "4"), ("year", "2027")):
        page.locator(f"#effective_on-{part}").fill(value)
    page.get_by_label("New National Living Wage (£ an hour)").fill("thirteen")
    page.get_by_role("button", name="Work out the new rates").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a number")
    expect(page.get_by_label("Title")).to_have_value("April 2027 uplift")
    check_page(page)

    page.get_by_label("New National Living Wage (£ an hour)").fill("13.21")
    page.get_by_label("Employer National Insurance rate (%)").fill("16")
    page.get_by_role("button", name="Work out the new rates").click()
    expect(page.get_by_role("heading", name="April 2027 uplift")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Cost a year at the new rates")
    expect(page.locator("main")).to_contain_text("Basic pay 12.80 + the NLW rise 0.50 = 13.30.")
    expect(page.get_by_role("table", name="New rate of each live contract")).to_be_visible()
    check_page(page)

    page.get_by_role("button", name="Approve the new rates").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The new rates are approved")
    expect(page.get_by_role("table", name="Rates recorded")).to_be_visible()
    check_page(page)

    page.get_by_role("table", name="Rates recorded").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Rate history")).to_be_visible()
    expect(page.get_by_role("table", name="Changes to the hourly rate")).to_contain_text(
        "April 2027 uplift"
    )
    page.get_by_text("How the rate from 1 April 2027 was worked out").click()
    expect(page.locator("main")).to_contain_text("winning bid")
    check_page(page)

    page.goto("/officer/uplifts")
    expect(page.get_by_role("table", name="Uplifts")).to_contain_text("Approved")
    check_page(page)
