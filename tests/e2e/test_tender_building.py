"""An officer builds a tender with two lots and publishes it; providers in its zones are invited."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from dps.extensions import db
from dps.models import Membership, MembershipScope, Organisation, Role, User
from dps.services.dps_setup import create_dps, publish_dps
from dps.state.clock import now, to_london
from tests.conftest import PASSWORD, app_ctx
from tests.e2e.helpers import check_page, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _published_dps_with_members(app, officer_email: str) -> None:
    with app_ctx(app):
        officer = db.session.scalar(select(User).where(User.email == officer_email))
        dps, _ = create_dps(
            officer,
            reference="NCC-DPS-2026",
            title="Nottinghamshire home care DPS",
            description="Home care across the county.",
            regime="pcr2015_dps",
            lead_authority_id=officer.organisation_id,
            partner_ids=[],
            starts_on=to_london(now()).date(),
            term_years=2,
        )
        publish_dps(officer, dps.id)
        category = dps.categories[0].id
        zones = {zone.code: zone.id for zone in dps.zones}
        for name, zone in [
            ("Ashfield Home Care Ltd", "ashfield"),
            ("Bassetlaw Care Ltd", "bassetlaw"),
            ("Gedling Care Ltd", "gedling"),
        ]:
            org = Organisation(kind="provider", name=name, legal_name=name, size="small")
            db.session.add(org)
            db.session.flush()
            membership = Membership(dps_id=dps.id, organisation_id=org.id)
            membership.scopes = [MembershipScope(category_id=category, zone_id=zones[zone])]
            db.session.add(membership)
        db.session.commit()


def _fill_date(page, name: str, day) -> None:
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def _add_lot(page, title: str, zone: str, start, end) -> None:
    page.get_by_role("button", name=re.compile("Add (a|another) lot")).click()
    check_page(page)
    page.get_by_label("Name of the lot").fill(title)
    page.get_by_label(zone, exact=True).check()
    page.get_by_label("Estimated hours of care a week").fill("850")
    _fill_date(page, "contract_start_on", start)
    _fill_date(page, "contract_end_on", end)
    page.get_by_label("How many providers will be appointed to this lot?").fill("1")
    page.get_by_role("button", name="Save lot").click()
    expect(page.get_by_role("heading", name="Lots")).to_be_visible()
    check_page(page)


def _add_question(page, text: str, panel: bool) -> None:
    page.get_by_role("button", name=re.compile("Add (a|another) question")).click()
    check_page(page)
    page.get_by_label("Question", exact=True).fill(text)
    if panel:
        page.get_by_role("radio", name="Experts by Experience panel").check()
        page.get_by_label("Guidance in plain English for the Experts by Experience panel").fill(
            "A good answer shows they listen to people and change things because of it."
        )
    page.get_by_label("Weight").fill("50")
    page.get_by_label("Minimum acceptable mark (optional)").fill("2")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_role("heading", name="Quality questions")).to_be_visible()
    check_page(page)


def test_officer_builds_and_publishes_a_tender_with_two_lots(page, app, make_user, run_jobs):
    officer_email = make_user(Role.OFFICER, organisation="Nottinghamshire County Council")
    _published_dps_with_members(app, officer_email)
    today = to_london(now()).date()
    closing = today + timedelta(days=14)
    contract_start = closing + timedelta(days=60)

    sign_in(page, officer_email, PASSWORD)
    page.get_by_role("link", name="Tenders").first.click()
    expect(page.get_by_role("heading", name="Tenders")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Create a tender").click()
    check_page(page)
    page.get_by_role("button", name="Create tender").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the service")
    check_page(page)
    page.get_by_label("Generic home care").check()
    page.get_by_label("Title").fill("Home care in Ashfield and Bassetlaw")
    page.get_by_role("button", name="Create tender").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("NCC-DPS-2026-T001")
    check_page(page)

    page.get_by_role("link", name="Lots").click()
    check_page(page)
    _add_lot(page, "Ashfield", "Ashfield", contract_start, contract_start + timedelta(days=1095))
    _add_lot(page, "Bassetlaw", "Bassetlaw", contract_start, contract_start + timedelta(days=730))
    page.get_by_role("link", name="Back to the task list").click()

    page.get_by_role("link", name="Quality questions").click()
    check_page(page)
    _add_question(page, "How will you start new care packages within 24 hours?", panel=False)
    _add_question(page, "How will people you support shape the service?", panel=True)
    page.get_by_role("link", name="Marking scale of question 2").click()
    expect(page.get_by_label("Name of mark 5")).to_have_value("Excellent")
    check_page(page)
    page.get_by_role("link", name="Back to questions").click()
    page.get_by_role("link", name="Back to the task list").click()

    page.get_by_role("link", name="Price model").click()
    check_page(page)
    page.get_by_label("UKHCA-style hourly rate 2026/27").check()
    page.get_by_role("group", name=re.compile("call-length|15, 30, 45")).get_by_label("Yes").check()
    page.get_by_role("button", name="Save and continue").click()
    check_page(page)

    page.get_by_role("link", name="Weighting and rules").click()
    check_page(page)
    page.get_by_label("Quality weighting (%)").fill("60")
    page.get_by_label("Price weighting (%)").fill("40")
    page.get_by_label("The most lots one provider may win (optional)").fill("1")
    page.get_by_role("button", name="Save and continue").click()
    check_page(page)

    page.get_by_role("link", name="Timetable").click()
    check_page(page)
    _fill_date(page, "clarification_deadline_date", today + timedelta(days=5))
    page.get_by_label("Clarification deadline: time").fill("5pm")
    _fill_date(page, "closing_date", today + timedelta(days=9))
    page.get_by_label("Closing time").fill("12:00")
    _fill_date(page, "evaluation_on", closing + timedelta(days=1))
    _fill_date(page, "award_on", closing + timedelta(days=14))
    _fill_date(page, "contract_start_on", contract_start)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "must allow at least 10 days from the invitation to the closing date"
    )
    check_page(page)
    _fill_date(page, "closing_date", closing)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Timetable saved")
    check_page(page)

    page.get_by_role("link", name="Documents").click()
    check_page(page)
    page.get_by_label("Title (optional)").fill("Service specification")
    page.get_by_label("Upload a file").set_input_files(
        {"name": "specification.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Attach document").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Service specification")
    check_page(page)
    page.get_by_role("link", name="Back to the task list").click()

    page.get_by_role("link", name="Check and publish").click()
    expect(page.get_by_text("Publishing now invites 2 providers")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Publish and invite 2 providers").click()
    expect(page.locator(".govuk-panel")).to_contain_text("NCC-DPS-2026-T001")
    check_page(page)

    run_jobs()
    page.get_by_role("link", name="See the providers invited").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Ashfield Home Care Ltd")
    expect(rows.nth(0)).to_contain_text("Lot 1: Ashfield")
    expect(rows.nth(1)).to_contain_text("Lot 2: Bassetlaw")
    expect(page.locator("tbody")).not_to_contain_text("Gedling Care Ltd")
    expect(page.locator("tbody")).to_contain_text("Sent")
    check_page(page)
    page.get_by_role("link", name="Back to the tender").click()
    check_page(page)

    page.goto("/opportunities")
    expect(page.get_by_role("link", name="Home care in Ashfield and Bassetlaw")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Home care in Ashfield and Bassetlaw").click()
    expect(page.get_by_role("heading", name="Lots")).to_be_visible()
    expect(page.get_by_role("link", name="Service specification")).to_be_visible()
    check_page(page)
