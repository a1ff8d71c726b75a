"""The lead officer assigns markers and sets how many each answer needs; an evaluator declares a
conflict with one bidder and a panel member declares none; the officer sees the shortfall."""

from __future__ import annotations

from playwright.sync_api import expect

from dps.extensions import db
from tests.conftest import PASSWORD, app_ctx
from tests.dps import tender_factories as f
from tests.dps.evaluation_factories import evaluation_world
from tests.e2e.helpers import check_page, sign_in

SHORTFALL = "Question 1, Care Provider B Ltd (lot 1): 1 of 2 markers, Eve Clarke is conflicted"


def _add_marker(page, question: int, label: str) -> None:
    select = page.get_by_label(f"Add a marker to question {question}")
    select.select_option(label=label)
    page.locator("form", has=select).get_by_role("button", name="Add marker").click()
    expect(page.get_by_text(f"will mark question {question}.")).to_be_visible()
    check_page(page)


def test_officer_assigns_markers_and_sees_the_shortfall_after_a_conflict(page, app, make_user):
    world = evaluation_world(app, make_user, bidders=3, lots=1)
    with app_ctx(app):
        for email, name in (
            (world.evaluators[0], "Eve Clarke"),
            (world.evaluators[1], "Bob Singh"),
            (world.panel[0], "Pat Jones"),
        ):
            f.user(email).full_name = name
        db.session.commit()

    # The officer reaches the hub from the tender and opens the markers page.
    sign_in(page, world.officer, PASSWORD)
    page.goto(f"/officer/tenders/{world.tender_id}")
    check_page(page)
    page.get_by_role("link", name="Evaluation: markers").click()
    expect(page.get_by_role("heading", name="Evaluation", exact=True)).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Markers and conflicts").click()
    expect(page.get_by_role("heading", name="Markers and conflicts")).to_be_visible()
    check_page(page)

    _add_marker(page, 1, "Eve Clarke (Evaluator)")
    _add_marker(page, 1, "Bob Singh (Evaluator)")
    _add_marker(page, 3, "Pat Jones (Experts by Experience panel member)")

    needed = page.get_by_label("Markers needed for each answer to question 3")
    needed.fill("0")
    page.locator("form", has=needed).get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").get_by_text("between 1 and 10")).to_be_visible()
    check_page(page)
    page.get_by_label("Markers needed for each answer to question 3").fill("1")
    needed = page.get_by_label("Markers needed for each answer to question 3")
    page.locator("form", has=needed).get_by_role("button", name="Save").click()
    expect(page.get_by_text("Each answer to question 3 now needs 1 marker(s).")).to_be_visible()
    check_page(page)

    # Eve declares a conflict with Care Provider B; the text box appears when she ticks it.
    page.context.clear_cookies()
    sign_in(page, world.evaluators[0], PASSWORD)
    page.goto(f"/evaluator/tenders/{world.tender_id}/declaration")
    expect(page.get_by_role("heading", name="Conflicts of interest")).to_be_visible()
    check_page(page)
    nature = page.get_by_label("What is the conflict with Care Provider B Ltd?")
    expect(nature).to_be_hidden()
    page.get_by_label("Care Provider B Ltd", exact=True).check()
    expect(nature).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Submit declaration").click()
    expect(page.get_by_text("Describe the conflict with Care Provider B Ltd").first).to_be_visible()
    check_page(page)
    page.get_by_label("What is the conflict with Care Provider B Ltd?").fill(
        "I worked there until last year."
    )
    page.get_by_role("button", name="Submit declaration").click()
    expect(
        page.get_by_text("Your declaration of conflicts of interest has been recorded.")
    ).to_be_visible()
    check_page(page)

    # Pat, on the panel, knows none of them.
    page.context.clear_cookies()
    sign_in(page, world.panel[0], PASSWORD)
    page.goto(f"/panel/tenders/{world.tender_id}/declaration")
    expect(
        page.get_by_role("group", name="Do you know any of these organisations?")
    ).to_be_visible()
    check_page(page)
    page.get_by_label("No, I do not know any of them").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Thank you. We have recorded your answer.")).to_be_visible()
    check_page(page)

    # The officer sees the shortfall in words, and the declarations.
    page.context.clear_cookies()
    sign_in(page, world.officer, PASSWORD)
    page.goto(f"/officer/tenders/{world.tender_id}/evaluation/markers")
    expect(page.locator("#shortfalls").get_by_text(SHORTFALL)).to_be_visible()
    expect(page.get_by_text("I worked there until last year.")).to_be_visible()
    expect(page.get_by_text("Not declared yet: Bob Singh.")).to_be_visible()
    check_page(page)
    page.locator("summary").get_by_text("Markers for every answer").click()
    check_page(page)
    page.goto(f"/officer/tenders/{world.tender_id}/evaluation")
    expect(page.get_by_text("4 answers short of markers")).to_be_visible()
    check_page(page)


def test_without_javascript_every_text_box_is_shown_and_the_declaration_works(
    browser, base_url, app, make_user
):
    world = evaluation_world(app, make_user, bidders=2, lots=1)
    with app_ctx(app):
        from dps.services import evaluation_assignments

        evaluation_assignments.assign(
            f.user(world.officer), world.tender_id, world.question_ids[2], f.user(world.panel[0]).id
        )
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    try:
        sign_in(page, world.panel[0], PASSWORD)
        page.goto(f"/panel/tenders/{world.tender_id}/declaration")
        nature = page.get_by_label("How do you know Care Provider A Ltd?")
        expect(nature).to_be_visible()
        expect(page.get_by_label("How do you know Care Provider B Ltd?")).to_be_visible()
        _check_without_js(page)
        page.get_by_label("Care Provider A Ltd", exact=True).check()
        nature.fill("They look after my dad.")
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_text("Thank you. We have recorded your answer.")).to_be_visible()
        page.goto(f"/panel/tenders/{world.tender_id}/declaration")
        expect(page.get_by_text("Care Provider A Ltd: They look after my dad.")).to_be_visible()
        _check_without_js(page)
    finally:
        context.close()


def _check_without_js(page) -> None:
    """axe needs scripts to run, so without JavaScript only the 320px check is made."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert overflow <= 320
