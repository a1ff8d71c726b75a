"""An officer creates and publishes a DPS; the public pages list it with how to apply."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dps.extensions import db
from dps.models import (
    DynamicPurchasingSystem,
    Membership,
    MembershipScope,
    Organisation,
    OrganisationKind,
    Role,
)
from dps.state import clock
from tests.conftest import PASSWORD, app_ctx
from tests.e2e.helpers import check_page, sign_in

COUNCIL = "Nottinghamshire County Council"
PCR = "Public Contracts Regulations 2015, regulation 34 (dynamic purchasing system)"
PA = "Procurement Act 2023 dynamic market"


@pytest.fixture
def today():
    """Monday 2 March 2026, 10am: "today" for the officer filling in the start date."""
    clock.set_fixed(datetime(2026, 3, 2, 10, tzinfo=UTC))
    yield
    clock.set_fixed(None)


def _fill_details(page, reference: str, title: str, regime: str) -> None:
    page.get_by_label("Reference", exact=True).fill(reference)
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Description (optional)").fill("Care and support at home for adults.")
    page.get_by_label(regime, exact=True).check()
    page.get_by_label("Day", exact=True).fill("2")
    page.get_by_label("Month", exact=True).fill("3")
    page.get_by_label("Year", exact=True).fill("2026")


def test_officer_creates_and_publishes_a_pcr_2015_dps(page, browser, base_url, make_user, today):
    sign_in(page, make_user(Role.OFFICER, organisation=COUNCIL), PASSWORD)
    page.goto("/officer/dps")
    expect(page.get_by_role("heading", name="Dynamic purchasing systems")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Create a DPS").click()
    expect(page.get_by_label("Term in years")).to_have_value("10")
    expect(page.get_by_label("Lead authority").locator("option:checked")).to_have_text(COUNCIL)
    check_page(page)

    # Nothing filled in: every problem is listed and shown beside its field.
    page.get_by_role("button", name="Create DPS").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a reference")
    expect(summary).to_contain_text("Select a procurement regime")
    expect(summary).to_contain_text("Enter the start date")
    check_page(page)

    # A date that does not exist.
    _fill_details(page, "NCC-DPS-2026-01", "Home care in Nottinghamshire", PCR)
    page.get_by_label("Day", exact=True).fill("31")
    page.get_by_label("Month", exact=True).fill("2")
    page.get_by_role("button", name="Create DPS").click()
    expect(page.locator("#starts_on-error")).to_contain_text("The start date must be a real date")
    check_page(page)

    page.get_by_label("Day", exact=True).fill("2")
    page.get_by_label("Month", exact=True).fill("3")
    page.get_by_role("button", name="Create DPS").click()
    expect(page.get_by_role("heading", name="Home care in Nottinghamshire")).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "cannot run past 24 February 2029, so this one will end then, not on 2 March 2036"
    )
    ends = page.locator(".govuk-summary-list__row", has_text="Ends on")
    expect(ends).to_contain_text("24 February 2029")
    expect(
        page.locator(".govuk-summary-list__row", has_text="Deciding applications")
    ).to_contain_text("10 working days")
    check_page(page)

    page.get_by_role("link", name="View the selection questionnaire").click()
    expect(page.get_by_role("heading", name="Mandatory exclusion grounds")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Back to NCC-DPS-2026-01").click()

    page.get_by_role("button", name="Publish DPS").click()
    expect(page.locator(".govuk-panel")).to_contain_text("NCC-DPS-2026-01")
    check_page(page)

    page.get_by_role("link", name="See the public page").click()
    expect(page.get_by_role("heading", name="Home care in Nottinghamshire")).to_be_visible()
    expect(page.get_by_text("No fee is charged").first).to_be_visible()
    check_page(page)

    # Anyone can find it from the home page.
    visitor = browser.new_page(base_url=base_url)
    visitor.goto("/")
    check_page(visitor)
    visitor.get_by_role(
        "link", name="See the dynamic purchasing systems open to care providers"
    ).click()
    expect(visitor.get_by_role("link", name="Home care in Nottinghamshire")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text("From 2 March 2026 until 24 February 2029")
    expect(visitor.locator("main")).to_contain_text("No fee is charged")
    check_page(visitor)
    visitor.close()


def _admit(app, reference: str, provider: str) -> None:
    """Put one active member on the DPS, in its first category and zone."""
    with app_ctx(app):
        dps = db.session.scalar(
            select(DynamicPurchasingSystem).where(DynamicPurchasingSystem.reference == reference)
        )
        org = Organisation(kind=OrganisationKind.PROVIDER, name=provider, legal_name=provider)
        membership = Membership(dps_id=dps.id, organisation=org)
        membership.scopes.append(
            MembershipScope(category_id=dps.categories[0].id, zone_id=dps.zones[0].id)
        )
        db.session.add(membership)
        db.session.commit()


def test_officer_sets_up_a_pa_2023_dynamic_market_with_conditions(page, app, make_user, today):
    make_user(Role.OFFICER, organisation="NHS Nottingham and Nottinghamshire ICB")
    sign_in(page, make_user(Role.OFFICER, organisation=COUNCIL), PASSWORD)
    page.goto("/officer/dps/new")
    _fill_details(page, "NCC-DM-2026-01", "Home care dynamic market", PA)
    page.get_by_label("NHS Nottingham and Nottinghamshire ICB").check()
    page.get_by_label("Target for deciding applications, in working days").fill("15")
    page.get_by_label("Conditions of membership (optional)").fill(
        "Registered with CQC and rated Good or Outstanding."
    )
    page.get_by_role("button", name="Create DPS").click()
    expect(page.get_by_role("heading", name="Home care dynamic market")).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    expect(page.locator(".govuk-summary-list__row", has_text="Ends on")).to_contain_text(
        "2 March 2036"
    )
    expect(
        page.locator(".govuk-summary-list__row", has_text="Conditions of membership")
    ).to_contain_text("rated Good or Outstanding")
    expect(
        page.locator(".govuk-summary-list__row", has_text="Partner authorities")
    ).to_contain_text("NHS Nottingham and Nottinghamshire ICB")
    check_page(page)

    # Add a category, and flag a zone as hard to serve.
    page.get_by_role("link", name="Change categories").click()
    check_page(page)
    page.get_by_label("Name", exact=True).fill("Community access")
    page.get_by_role("button", name="Add category").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Community access added")
    check_page(page)
    page.get_by_role("link", name="Back to NCC-DM-2026-01").click()
    page.get_by_role("link", name="Change zones").click()
    check_page(page)
    page.get_by_role("link", name="Gedling").click()
    check_page(page)
    page.get_by_label("Hard to serve").check()
    page.get_by_role("button", name="Save zone").click()
    expect(page.locator("li", has_text="Gedling").first).to_contain_text("Hard to serve")
    page.get_by_role("link", name="Back to NCC-DM-2026-01").click()

    page.get_by_role("button", name="Publish DPS").click()
    expect(page.locator(".govuk-panel")).to_contain_text("NCC-DM-2026-01")
    check_page(page)

    _admit(app, "NCC-DM-2026-01", "Bingham Community Care Ltd")
    page.goto("/dps/NCC-DM-2026-01")
    main = page.locator("main")
    expect(main).to_contain_text("Registered with CQC and rated Good or Outstanding.")
    expect(main).to_contain_text("reasonable period")
    expect(main).to_contain_text("1 provider is admitted")
    expect(
        page.get_by_role("table", name="Generic home care: admitted providers by zone")
    ).to_contain_text("Bingham Community Care Ltd")
    check_page(page)
