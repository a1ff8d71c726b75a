"""Trying the demo's night-care evaluation in a browser, as its three waiting people would:
evaluator@ declares and marks an answer; panel@ declares and marks with the keyboard only;
officer@ moderates an answer flagged for discussion and opens the results. Every page passes
axe and fits a 320px screen. The demo is loaded once (it is slow) for the whole journey.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from dps.demo import DEMO_DOMAIN, DEMO_PASSWORD
from dps.extensions import db
from dps.models import Tender, User
from dps.models.evaluation import ConsensusMark, Mark
from tests.conftest import app_ctx
from tests.e2e.helpers import check_page, sign_in

RATIONALE = "Clear night cover with a named coordinator, but little on how cover is monitored."
PANEL_REASON = "They ring the family after the first night. I would like to know more."


def _ids(app) -> tuple[int, Tender, int, int]:
    with app_ctx(app):
        night = db.session.scalar(select(Tender).where(Tender.title.startswith("Night care")))
        awarded = db.session.scalar(select(Tender).where(Tender.title.startswith("Reablement")))
        db.session.expunge(awarded)
        people = {
            email: user_id
            for email, user_id in db.session.execute(select(User.email, User.id)).tuples()
        }
        return (
            night.id,
            awarded,
            people[f"evaluator@{DEMO_DOMAIN}"],
            people[f"panel@{DEMO_DOMAIN}"],
        )


def _submitted_marks(app, user_id: int) -> list[tuple[int, str]]:
    with app_ctx(app):
        rows = db.session.scalars(
            select(Mark).where(Mark.marker_id == user_id, Mark.submitted_at.is_not(None))
        )
        return [(int(row.mark), row.rationale) for row in rows]


def _person(browser, base_url, email: str):
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    sign_in(page, email, DEMO_PASSWORD)
    return context, page


def _evaluator_declares_and_marks(app, browser, base_url, evaluator_id: int) -> None:
    context, page = _person(browser, base_url, f"evaluator@{DEMO_DOMAIN}")
    page.goto("/evaluator/")
    expect(page.get_by_role("heading", name="Your marking")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Declare conflicts of interest").click()
    check_page(page)
    page.get_by_label("I have no conflict of interest with any of them").check()
    page.get_by_role("button", name="Submit declaration").click()
    page.goto("/evaluator/")
    expect(page.get_by_text(re.compile(r"0 of \d+ answers marked")).first).to_be_visible()
    check_page(page)
    page.get_by_role("link", name=re.compile("Question 1")).first.click()
    check_page(page)
    page.get_by_role("link", name=re.compile(r"^Bidder [A-Z]+, lot [12]")).first.click()
    expect(page.get_by_text(re.compile(r"Answer 1 of \d+"))).to_be_visible()
    expect(page.get_by_text("£")).to_have_count(0)  # no prices for markers
    check_page(page)
    page.get_by_role("radio", name=re.compile("^4 — ")).check()
    page.get_by_label("Why you gave this mark").fill(RATIONALE)
    page.get_by_role("button", name="Submit this mark").click()
    expect(page.get_by_text("Your mark has been submitted")).to_be_visible()
    # The demo's other markers have submitted: their marks show now, not before.
    expect(page.get_by_role("heading", name="Other markers' marks")).to_be_visible()
    check_page(page)
    assert _submitted_marks(app, evaluator_id) == [(4, RATIONALE)]
    context.close()


def _tab_to(page, text: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; const l = e.labels && e.labels[0];"
            " return ((l ? l.innerText : '') + ' ' + (e.innerText || e.value || '')).trim(); })()"
        )
        if focused.startswith(text) or f" {text}" in f" {focused}":
            return
    raise AssertionError(f"could not reach {text!r} with the Tab key on {page.url}")


def _enter(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)


def _panel_member_with_the_keyboard(app, browser, base_url, panel_id: int) -> None:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/sign-in")
    _tab_to(page, "E-mail address")
    page.keyboard.type(f"panel@{DEMO_DOMAIN}")
    _tab_to(page, "Password")
    page.keyboard.type(DEMO_PASSWORD)
    _enter(page)
    expect(page.get_by_role("heading", name="Your marking")).to_be_visible()
    _tab_to(page, "Tell us who you know")
    _enter(page)
    expect(page).to_have_url(re.compile(r"/declaration$"))
    _tab_to(page, "No, I do not know any of them")
    page.keyboard.press("Space")
    _tab_to(page, "Send my answer")
    _enter(page)
    expect(page.locator("main")).to_contain_text(re.compile(r"You have marked 0 of \d+ answers"))
    _tab_to(page, "Start marking")
    _enter(page)
    _tab_to(page, "Start marking")
    _enter(page)
    expect(page.locator("#answer-progress")).to_have_text(re.compile(r"Answer 1 of \d+"))
    expect(page.get_by_text("£")).to_have_count(0)
    _tab_to(page, "Why did you give this mark?")
    page.keyboard.type(PANEL_REASON)
    page.keyboard.press("Shift+Tab")  # back to the marks: one Tab stop, the first mark
    page.keyboard.press("Space")
    for _ in range(4):  # the arrow keys move the choice down the scale, to "Good — 4"
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.labels[0].innerText").startswith("Good — 4")
    _tab_to(page, "I'm happy with this mark")
    _enter(page)
    expect(page.locator("#answer-progress")).to_have_text(re.compile(r"Answer 2 of \d+"))
    context.close()
    assert _submitted_marks(app, panel_id) == [(4, PANEL_REASON)]


def _officer_moderates_and_opens_results(app, browser, base_url, night_id, awarded) -> None:
    context, page = _person(browser, base_url, f"officer@{DEMO_DOMAIN}")
    with app_ctx(app):
        agreed = db.session.scalar(
            select(db.func.count(ConsensusMark.id)).where(ConsensusMark.tender_id == night_id)
        )
    page.goto(f"/officer/tenders/{night_id}/evaluation/moderation")
    expect(page.get_by_role("heading", name="Moderation", exact=True)).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Only answers that need discussion").click()
    check_page(page)
    page.get_by_role("link", name=re.compile(r"^Moderate the answer of")).first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Moderate question \d"))).to_be_visible()
    check_page(page)
    page.get_by_role("radio", name=re.compile(r"^3 — ")).check()
    page.get_by_label("Reason").fill("Discussed: good cover plan, thin on monitoring; agreed 3.")
    page.get_by_role("button", name="Agree the consensus mark").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Consensus mark 3 agreed")
    check_page(page)
    with app_ctx(app):
        assert (
            db.session.scalar(
                select(db.func.count(ConsensusMark.id)).where(ConsensusMark.tender_id == night_id)
            )
            == agreed + 1
        )
    for tender_id in (night_id, awarded.id):
        response = page.goto(f"/officer/tenders/{tender_id}/evaluation/results")
        assert response.status == 200, page.url
        expect(page.locator("h1")).to_be_visible()
        check_page(page)
    expect(page.locator("main")).to_contain_text(awarded.title)
    pages = [("officer.award", f"/officer/tenders/{awarded.id}/award")]
    pages.append(("officer.award_contracts", f"/officer/tenders/{awarded.id}/award/contracts"))
    pages.append(("public.award", f"/awards/{awarded.reference}"))
    for endpoint, url in pages:  # the award's pages, where they exist yet
        if endpoint in app.view_functions:
            response = page.goto(url)
            assert response.status == 200, url
            check_page(page)
    context.close()


def test_demo_evaluation_journeys(browser, base_url, app):
    result = app.test_cli_runner().invoke(args=["dps", "demo"])
    assert result.exit_code == 0, result.output
    night_id, awarded, evaluator_id, panel_id = _ids(app)
    _evaluator_declares_and_marks(app, browser, base_url, evaluator_id)
    _panel_member_with_the_keyboard(app, browser, base_url, panel_id)
    _officer_moderates_and_opens_results(app, browser, base_url, night_id, awarded)
