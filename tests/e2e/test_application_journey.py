"""A provider applies to join a DPS in a real browser: starts, stops half-way, comes back,
uploads evidence, adds insurance, checks, declares and sends. Then the same with only a keyboard.

Every page visited is checked with axe-core and at 320px (check_page).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from dps.models import Role
from dps.services.dps_setup import default_questionnaire
from tests.conftest import PASSWORD
from tests.dps.application_setup import make_pdf, published_dps, small_questionnaire
from tests.e2e.helpers import check_page, sign_in


def _save(page) -> None:
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    check_page(page)


def _open_section(page, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    check_page(page)


def test_provider_applies_stops_resumes_and_sends(page, app, make_user, tmp_path):
    questionnaire = default_questionnaire()
    _officer, _dps_id = published_dps(app, make_user, questionnaire)
    provider = make_user(Role.PROVIDER, organisation="Bingham Community Care Ltd")
    policy_pdf = tmp_path / "safeguarding-policy.pdf"
    policy_pdf.write_bytes(make_pdf("Safeguarding adults policy"))
    not_a_pdf = tmp_path / "policy.pdf"
    not_a_pdf.write_bytes(b"#!/bin/sh\necho this is not a PDF\n")

    sign_in(page, provider, PASSWORD)
    page.goto("/provider/applications")
    check_page(page)
    page.get_by_role("button", name="Apply to join Home care in Nottinghamshire").click()
    expect(page.get_by_role("heading", name="Apply to join")).to_be_visible()
    expect(page.locator(".govuk-task-list")).to_contain_text("Not yet started")
    check_page(page)
    reference = re.search(r"APP-\d{4}-\d{5}", page.locator("main").inner_text()).group(0)

    # Organisation details: a mistake first, shown beside the field.
    _open_section(page, "Organisation details")
    expect(page.get_by_label("Legal name of your organisation")).to_have_value(
        "Bingham Community Care Ltd"
    )
    page.get_by_label("Companies House number (if you have one)").fill("123")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Companies House number")
    expect(page.locator("#companies_house_number-error")).to_be_visible()
    check_page(page)
    page.get_by_label("Companies House number (if you have one)").fill("09876543")
    _save(page)

    _open_section(page, "Size of your organisation")
    page.get_by_label("Small (10 to 49 staff)").check()
    _save(page)

    # Stop half-way: sign out, sign back in, resume from the list.
    page.get_by_role("link", name="Sign out").click()
    check_page(page)
    sign_in(page, provider, PASSWORD)
    page.goto("/provider/applications")
    expect(page.locator("table")).to_contain_text(reference)
    expect(page.locator("table")).to_contain_text("Draft")
    check_page(page)
    page.get_by_role("button", name="Continue your application").click()
    expect(page.get_by_text("You have completed 2 of 10 sections")).to_be_visible()
    check_page(page)

    _open_section(page, "CQC registration and rating")
    page.get_by_label("CQC provider ID").fill("1-101234567")
    page.get_by_label("CQC location IDs").fill("1-123456789, 1-987654321")
    page.get_by_label("Good", exact=True).check()
    rating_date = page.get_by_role("group", name="Date of the rating")
    rating_date.get_by_label("Day").fill("14")
    rating_date.get_by_label("Month").fill("5")
    rating_date.get_by_label("Year").fill("2025")
    _save(page)

    _open_section(page, "Services and zones")
    page.get_by_role("group", name="Generic home care").get_by_label("Ashfield").check()
    page.get_by_role("group", name="Generic home care").get_by_label(
        "North Bassetlaw villages"
    ).check()
    page.get_by_role("group", name="Night care").get_by_label("Mansfield").check()
    _save(page)

    _open_section(page, "Mandatory exclusion grounds")
    for group in page.locator("fieldset").all():
        group.get_by_label("No", exact=True).check()
    _save(page)

    _open_section(page, "Discretionary exclusion grounds")
    for group in page.locator("fieldset").all():
        group.get_by_label("No", exact=True).check()
    _save(page)

    _open_section(page, "Economic and financial standing")
    page.get_by_label("What was your organisation's turnover").fill(
        "£480,000 in the year to March 2025."
    )
    _save(page)

    # Safeguarding: a file that is not what it claims is refused; the answers typed stay.
    _open_section(page, "Safeguarding and quality")
    page.get_by_role("group", name="Do you have a safeguarding adults policy").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name="Do all your care workers have an enhanced DBS").get_by_label(
        "Yes"
    ).check()
    upload = page.get_by_label("Upload your safeguarding adults policy.")
    upload.set_input_files(str(not_a_pdf))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#q_sg_policy_file-error")).to_contain_text("must be a PDF")
    expect(
        page.get_by_role("group", name="Do you have a safeguarding adults policy").get_by_label(
            "Yes"
        )
    ).to_be_checked()
    check_page(page)
    page.get_by_label("Upload your safeguarding adults policy.").set_input_files(str(policy_pdf))
    _save(page)

    _open_section(page, "Policies and workforce")
    page.get_by_role("group", name="Do you pay every care worker").get_by_label("Yes").check()
    page.get_by_label("How do you train and supervise your care workers?").fill(
        "Two weeks of shadowing, the Care Certificate and monthly supervision."
    )
    _save(page)

    # Insurance: one below the minimum first, then every required policy.
    _open_section(page, "Insurance")
    page.get_by_label("Public liability").check()
    page.get_by_label("Name of the insurer").fill("Care Insurers plc")
    page.get_by_label("Amount of cover").fill("1000000")
    expiry = page.get_by_role("group", name="Expiry date")
    expiry.get_by_label("Day").fill("31")
    expiry.get_by_label("Month").fill("3")
    expiry.get_by_label("Year").fill("2030")
    page.get_by_role("button", name="Add this policy").click()
    expect(page.locator("#cover-error")).to_contain_text("must be at least £5,000,000")
    check_page(page)
    for kind in questionnaire["insurance_types"]:
        page.get_by_label(kind["name"], exact=True).check()
        page.get_by_label("Name of the insurer").fill("Care Insurers plc")
        page.get_by_label("Amount of cover").fill(kind["minimum_cover"])
        expiry = page.get_by_role("group", name="Expiry date")
        expiry.get_by_label("Day").fill("31")
        expiry.get_by_label("Month").fill("3")
        expiry.get_by_label("Year").fill("2030")
        page.get_by_role("button", name="Add this policy").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("policy has been added")
    expect(page.locator("table")).to_contain_text("Professional indemnity")
    check_page(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You have completed 10 of 10 sections")).to_be_visible()
    check_page(page)

    page.get_by_role("button", name="Check your answers").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator("main")).to_contain_text("safeguarding-policy.pdf")
    expect(page.locator("main")).to_contain_text("North Bassetlaw villages")
    check_page(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Declaration")).to_be_visible()
    check_page(page)
    page.get_by_label("Your full name").fill("Sam Green")
    page.get_by_role("button", name="Accept and send application").click()

    expect(page.locator(".govuk-panel")).to_contain_text("Application sent")
    expect(page.locator(".govuk-panel")).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text("We will decide by")
    check_page(page)
    page.get_by_role("link", name="See your application").click()
    expect(page.locator("main")).to_contain_text("Awaiting decision")
    expect(page.locator("main")).to_contain_text("We will decide by")
    check_page(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="safeguarding-policy.pdf").click()
    assert download.value.suggested_filename == "safeguarding-policy.pdf"


# --- Keyboard only -------------------------------------------------------------------------


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
            const text = (e.innerText || e.value || "").trim();
            return {id: e.id || "", text: text, label: label.trim(), tag: e.tagName};
        }"""
    )


def _tab_to(page, *, id: str | None = None, text: str | None = None, limit: int = 400) -> None:
    """Press Tab until the element with this id (or whose text starts with `text`) has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if id is not None and focused["id"] == id:
            return
        if text is not None and focused["text"].startswith(text):
            return
    raise AssertionError(f"could not reach {id or text!r} with the Tab key")


def _enter(page) -> None:
    """Press Enter on the focused link or button and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _follow(page, text: str) -> None:
    _tab_to(page, text=text)
    _enter(page)
    check_page(page)


def _type_into(page, field_id: str, value: str) -> None:
    _tab_to(page, id=field_id)
    page.keyboard.type(value)


def _choose_second_radio(page, first_id: str) -> None:
    """Tab to a yes/no group (focus lands on the first radio) and arrow to the second one."""
    _tab_to(page, id=first_id)
    page.keyboard.press("ArrowDown")


def _choose_first_radio(page, first_id: str) -> None:
    _tab_to(page, id=first_id)
    page.keyboard.press("Space")


def _press_button(page, text: str) -> None:
    _tab_to(page, text=text)
    _enter(page)


def _save_by_keyboard(page) -> None:
    _press_button(page, "Save and continue")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    check_page(page)


def test_keyboard_only_application(page, app, make_user, tmp_path):
    _officer, _dps_id = published_dps(app, make_user, small_questionnaire(file_optional=True))
    provider = make_user(Role.PROVIDER, organisation="Keyboard Care Ltd")
    policy_pdf = tmp_path / "policy.pdf"
    policy_pdf.write_bytes(make_pdf())

    page.goto("/sign-in")
    _type_into(page, "email", provider)
    _type_into(page, "password", PASSWORD)
    _enter(page)
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()
    page.goto("/provider/applications")
    check_page(page)
    _press_button(page, "Apply to join")
    expect(page.get_by_role("heading", name="Apply to join")).to_be_visible()
    check_page(page)

    _follow(page, "Organisation details")
    _type_into(page, "companies_house_number", "01234567")
    _save_by_keyboard(page)

    _follow(page, "CQC registration and rating")
    _type_into(page, "cqc_provider_id", "1-101234567")
    _type_into(page, "cqc_location_ids", "1-123456789")
    _choose_first_radio(page, "cqc_rating")  # Outstanding
    _type_into(page, "cqc_rating_date-day", "3")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.type("2025")
    _save_by_keyboard(page)

    _follow(page, "Size of your organisation")
    _tab_to(page, id="size-2")  # Small, filled in from registration: focus lands on it
    page.keyboard.press("ArrowUp")  # Micro
    _save_by_keyboard(page)

    _follow(page, "Services and zones")
    _tab_to(page, id=_first_checkbox_id(page))
    page.keyboard.press("Space")
    _save_by_keyboard(page)

    _follow(page, "Exclusion grounds")
    _choose_second_radio(page, "q_mx_fraud")  # No
    _choose_second_radio(page, "q_dx_misconduct")  # No
    _save_by_keyboard(page)

    _follow(page, "Quality")
    _type_into(page, "q_q_training", "Shadowing, the Care Certificate and supervision.")
    _tab_to(page, id="q_q_policy")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(policy_pdf))
    _save_by_keyboard(page)

    _follow(page, "Insurance")
    _choose_first_radio(page, "insurance_type")
    _type_into(page, "insurer", "Care Insurers plc")
    _type_into(page, "cover", "5000000")
    _type_into(page, "expires_on-day", "31")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("2030")
    _press_button(page, "Add this policy")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("policy has been added")
    check_page(page)
    _follow(page, "Continue")
    expect(page.get_by_text("You have completed 7 of 7 sections")).to_be_visible()

    _follow(page, "Check your answers")
    expect(page.locator("main")).to_contain_text("policy.pdf")
    expect(page.locator("main")).to_contain_text("Micro (fewer than 10 staff)")
    expect(page.locator("main")).to_contain_text("Outstanding")
    # Shift+Tab works back through the page too.
    _tab_to(page, text="Continue")
    page.keyboard.press("Shift+Tab")
    assert _focused(page)["text"] != "Continue"
    page.keyboard.press("Tab")
    _enter(page)
    expect(page.get_by_role("heading", name="Declaration")).to_be_visible()
    check_page(page)
    _type_into(page, "declaration_name", "Kim Keys")
    _press_button(page, "Accept and send application")
    expect(page.locator(".govuk-panel")).to_contain_text("Application sent")
    expect(page.locator(".govuk-panel")).to_contain_text("APP-")
    check_page(page)


def _first_checkbox_id(page) -> str:
    return page.evaluate("() => document.querySelector('.govuk-checkboxes__input').id")
