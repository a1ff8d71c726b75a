"""Keyboard only: an invited provider writes, checks and submits a bid with Tab, Shift+Tab,
Enter, Space and the arrow keys, and every element that takes focus shows it visibly. Then a
few key pages with JavaScript switched off: they read, and their forms post, without it.

(The application keyboard run is in test_application_journey.py; the panel's is in
test_panelmark_journey.py.)
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from dps.extensions import db
from dps.models import BidVersion, Role
from tests.conftest import PASSWORD, app_ctx
from tests.dps.stage2_factories import invite, make_tender, organisation_id
from tests.e2e.helpers import check_page, sign_in

ANSWER = "Our coordinators keep two spare visits a day on every round, so packages start fast."

_FOCUS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return {id: "", text: "", visible: true, tag: "BODY"};
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== "none";
    const yellow = s.backgroundColor === "rgb(255, 221, 0)";
    const text = (e.innerText || e.value || "").trim();
    return {id: e.id || "", text: text, visible: outline || shadow || yellow, tag: e.tagName};
}"""


def focused(page) -> dict:
    return page.evaluate(_FOCUS)


def tab_to(page, *, id: str | None = None, text: str | None = None, limit: int = 300) -> None:
    """Press Tab until the element (by id, or by the start of its text) has focus; every
    element passed on the way must show that it has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["visible"], f"focus is not visible on {now} at {page.url}"
        if (id is not None and now["id"] == id) or (
            text is not None and now["text"].startswith(text)
        ):
            return
    raise AssertionError(f"could not reach {id or text!r} with the Tab key on {page.url}")


def enter(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def follow(page, text: str) -> None:
    tab_to(page, text=text)
    enter(page)
    check_page(page)


def type_into(page, field_id: str, value: str) -> None:
    tab_to(page, id=field_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


@pytest.fixture
def invited(app, make_user):
    email = make_user(Role.PROVIDER, organisation="Keyboard Bids Ltd")
    with app_ctx(app):
        ids = make_tender()
        invite(ids.tender_id, organisation_id(email), [ids.lot_ids[0]])
    return email, ids


def test_keyboard_only_bid(page, app, invited):
    email, ids = invited
    page.goto("/sign-in")
    check_page(page)
    type_into(page, "email", email)
    type_into(page, "password", PASSWORD)
    enter(page)
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()

    follow(page, "Tenders")
    expect(page.get_by_role("heading", name="Tenders you are invited to")).to_be_visible()
    follow(page, "NCC-HC-2026-01")
    follow(page, "Bid for lot 1")
    follow(page, "Start your bid")
    expect(page.get_by_role("heading", name="Write your bid")).to_be_visible()

    follow(page, "Question 1")
    for number in range(3):
        type_into(page, "answer", f"{ANSWER} ({number + 1})")
        follow(page, "Save and continue")
    expect(page.get_by_role("heading", name="Write your bid")).to_be_visible()

    follow(page, "Cost breakdown")
    type_into(page, "cost_basic_pay", "13.20")
    follow(page, "Save and calculate")
    expect(
        page.get_by_role("heading", name=re.compile(r"Your hourly rate: £\d+\.\d\d"))
    ).to_be_visible()
    follow(page, "Return to your bid")

    follow(page, "Call-length rates")
    for minutes, rate in (("15", "5.60"), ("30", "10.70"), ("45", "15.80"), ("60", "20.90")):
        type_into(page, f"rate_{minutes}", rate)
    follow(page, "Save and continue")

    follow(page, "Capacity")
    type_into(page, "capacity_hours", "400")
    follow(page, "Save and continue")

    follow(page, "Subcontractors and consortium partners")
    type_into(page, "name", "Kirkby Carers CIC")
    tab_to(page, id="role")  # focus lands on the first radio
    page.keyboard.press("ArrowDown")  # the second choice
    page.keyboard.press("ArrowUp")  # and back to the first
    page.keyboard.press("Space")
    tab_to(page, id="zones")
    page.keyboard.press("Space")
    type_into(page, "share", "15")
    follow(page, "Add")
    expect(page.get_by_role("heading", name="Kirkby Carers CIC")).to_be_visible()
    follow(page, "Save and return to your bid")

    follow(page, "Check and submit your bid")
    expect(page.get_by_text(f"{ANSWER} (1)")).to_be_visible()
    # Shift+Tab moves focus back again, and focus stays visible.
    tab_to(page, text="Submit bid")
    page.keyboard.press("Shift+Tab")
    assert focused(page)["text"] != "Submit bid" and focused(page)["visible"]
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Submit bid"
    enter(page)
    expect(page.get_by_role("heading", name="Bid submitted")).to_be_visible()
    check_page(page)
    with app_ctx(app):
        assert db.session.scalar(select(func.count(BidVersion.id))) == 1


# --- without JavaScript ---------------------------------------------------------------------------


@pytest.fixture
def no_js_page(browser, base_url):
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    yield page
    context.close()


def checked(page, js_page) -> None:
    """320px without JavaScript; axe (which needs timers, so JavaScript) on the same address in
    the same session in an ordinary page."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert overflow <= 320, f"{page.url} is {overflow}px wide at 320px without JavaScript"
    js_page.context.add_cookies(page.context.cookies())
    js_page.goto(page.url)
    check_page(js_page)


def test_key_pages_work_without_javascript(no_js_page, page, app, invited):
    page, js_page = no_js_page, page
    email, ids = invited
    for path, heading in (("/", None), ("/accessibility", "Accessibility statement")):
        assert page.goto(path).status == 200
        if heading:
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        checked(page, js_page)
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()
    checked(page, js_page)
    page.goto(f"/provider/tenders/{ids.tender_id}")
    checked(page, js_page)
    page.get_by_role("link", name="Bid for lot 1").click()
    page.get_by_role("button", name="Start your bid").click()
    expect(page.get_by_role("heading", name="Write your bid")).to_be_visible()
    checked(page, js_page)
    page.get_by_role("link", name="Question 1").click()
    # Without JavaScript the word count is not live, but the page still shows the limit.
    page.get_by_role("textbox").fill(ANSWER)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("textbox")).to_be_visible()  # the next question
    checked(page, js_page)
    page.goto(f"/provider/tenders/{ids.tender_id}/lots/{ids.lot_ids[0]}/bid/capacity")
    page.get_by_label("Hours of care a week you can take on in this lot").fill("abc")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Capacity must be a number")
    checked(page, js_page)
    page.goto(f"/provider/tenders/{ids.tender_id}/lots/{ids.lot_ids[0]}/bid/check")
    expect(page.get_by_text(ANSWER).first).to_be_visible()
    checked(page, js_page)
