"""A panel member (Experts by Experience) marks answers: first with the mouse, from the
declaration to the "You have finished" page, then with a keyboard only, where focus must be
visible and reach every control in order. Every page passes axe and fits a 320px screen; an answer
page at 200% zoom has no sideways scrolling."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from dps.extensions import db
from dps.models.evaluation import Mark
from tests.conftest import PASSWORD, app_ctx
from tests.dps import tender_factories as f
from tests.dps.panel_marking_setup import declare, forbidden_words, leaks, panel_world
from tests.e2e.helpers import check_page, sign_in

REASON = "They ask people what they want every month and change the rota when asked."


def _marks(app, email: str) -> dict[int, tuple[int | None, bool]]:
    with app_ctx(app):
        rows = db.session.scalars(db.select(Mark).where(Mark.marker_id == f.user(email).id))
        return {
            row.bid_id: (None if row.mark is None else int(row.mark), row.submitted_at is not None)
            for row in rows
        }


def _clean(page, words) -> None:
    assert leaks(page.content(), words) == [], page.url


# --- With the mouse ----------------------------------------------------------------------------


def test_panelmark_member_declares_and_marks_with_the_mouse(page, app, make_user):
    pw = panel_world(app, make_user, bidders=3, lots=1, declare=False)
    words = forbidden_words(app, pw.world)
    member = pw.world.panel[0]
    sign_in(page, member, PASSWORD)
    expect(page.get_by_role("heading", name="Your marking")).to_be_visible()
    check_page(page)
    _clean(page, words)

    if "panel.declare" in app.view_functions:
        page.get_by_role("button", name="Tell us who you know").click()
        expect(page).to_have_url(re.compile(r"/declaration$"))
        check_page(page)  # the declaration page names the companies: the one exception
        page.get_by_label("No, I do not know any of them").check()
        page.get_by_role("button", name="Send my answer").click()
    else:
        declare(app, pw.world, member)
        page.reload()
    expect(page.locator("main")).to_contain_text("You have marked 0 of 3 answers")
    check_page(page)
    _clean(page, words)

    page.get_by_role("link", name="How marking works").click()
    expect(page.get_by_role("heading", name="How marking works")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Back to your marking").first.click()

    page.get_by_role("link", name="Start marking question 3").click()
    expect(page.get_by_role("heading", name="Question 3")).to_be_visible()
    expect(page.get_by_text("A good answer tells you how they will do this.")).to_be_visible()
    check_page(page)
    _clean(page, words)
    page.get_by_role("button", name="Start marking").click()

    # Answer 1: pressing "I'm happy" with no mark gives a clear error, the reason is kept.
    expect(page.locator("#answer-progress")).to_have_text("Answer 1 of 3")
    expect(
        page.get_by_role("heading", name=re.compile(r"^Answer from Care company [A-C] for"))
    ).to_be_visible()
    check_page(page)
    _clean(page, words)
    page.get_by_label("Why did you give this mark?").fill(REASON)
    page.get_by_role("button", name="I'm happy with this mark").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose how good this answer is before you say you are happy")
    expect(summary).to_be_focused()  # a screen reader hears the problem first
    expect(page.get_by_label("Why did you give this mark?")).to_have_value(REASON)
    check_page(page)
    _clean(page, words)
    page.get_by_label("Good — 4").check()
    page.get_by_role("button", name="I'm happy with this mark").click()

    # Straight on to answer 2; save it for later and come back from the dashboard.
    expect(page.locator("#answer-progress")).to_have_text("Answer 2 of 3")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your mark for answer 1")
    check_page(page)
    page.get_by_label("Satisfactory — 3").check()
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator("main")).to_contain_text("You have marked 1 of 3 answers")
    expect(page.locator("main")).to_contain_text("You have saved 1 to finish later")
    check_page(page)
    page.get_by_role("link", name="Carry on marking question 3").click()
    expect(page.get_by_text("Saved for later")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Carry on marking").click()
    expect(page.locator("#answer-progress")).to_have_text("Answer 2 of 3")
    expect(page.get_by_label("Satisfactory — 3")).to_be_checked()
    page.get_by_label("Why did you give this mark?").fill("Good ideas but little detail.")
    page.get_by_role("button", name="I'm happy with this mark").click()

    expect(page.locator("#answer-progress")).to_have_text("Answer 3 of 3")
    check_page(page)
    page.get_by_label("Excellent — 5").check()
    page.get_by_label("Why did you give this mark?").fill(REASON)
    page.get_by_role("button", name="I'm happy with this mark").click()

    expect(page.get_by_role("heading", name="You have finished")).to_be_visible()
    check_page(page)
    _clean(page, words)
    assert sorted(mark for mark, submitted in _marks(app, member).values() if submitted) == [
        3,
        4,
        5,
    ]

    # A marked answer shows the mark, without a form.
    page.goto(f"/panel/tenders/{pw.world.tender_id}/questions/{pw.question_id}")
    page.get_by_role("link", name=re.compile(r"^Answer 1 from Care company")).click()
    expect(page.get_by_text("Good — 4")).to_be_visible()
    expect(page.get_by_role("button", name="I'm happy with this mark")).to_have_count(0)
    check_page(page)
    _clean(page, words)


def test_panelmark_answer_page_at_200_percent_zoom(browser, base_url, app, make_user):
    pw = panel_world(app, make_user, bidders=2, lots=1)
    member = pw.world.panel[0]
    # 200% zoom of a 1280px window: 640 CSS pixels wide, each drawn with 2 device pixels.
    context = browser.new_context(
        base_url=base_url, viewport={"width": 640, "height": 720}, device_scale_factor=2
    )
    page = context.new_page()
    sign_in(page, member, PASSWORD)
    page.get_by_role("link", name="Start marking question 3").click()
    page.get_by_role("button", name="Start marking").click()
    expect(page.locator("#answer-progress")).to_have_text("Answer 1 of 2")
    for _ in range(2):
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 640, f"{width}px wide at 200% zoom"
        page.get_by_role("button", name="I'm happy with this mark").click()  # an error page next
    check_page(page)
    context.close()


# --- Keyboard only -----------------------------------------------------------------------------

_FOCUSED = """() => {
    const e = document.activeElement;
    const label = e.labels && e.labels.length ? e.labels[0] : null;
    const styles = getComputedStyle(e);
    let visible = styles.outlineStyle !== "none" && styles.outlineWidth !== "0px";
    visible = visible || (styles.boxShadow && styles.boxShadow !== "none");
    if (label && e.type === "radio") {  // GOV.UK draws a radio's focus ring on its label
        visible = visible || getComputedStyle(label, "::after").boxShadow !== "none"
            || getComputedStyle(label, "::before").boxShadow !== "none";
    }
    return {id: e.id || "", tag: e.tagName, type: e.type || "",
            text: (e.innerText || e.value || "").trim(),
            label: label ? label.innerText.trim() : "", visible: visible,
            checked: !!e.checked};
}"""


def _focused(page) -> dict:
    return page.evaluate(_FOCUSED)


def _tab(page, key: str = "Tab") -> dict:
    page.keyboard.press(key)
    focused = _focused(page)
    if focused["tag"] != "BODY":
        assert focused["visible"], f"focus is not visible on {focused}"
    return focused


def _tab_to(page, *, id: str | None = None, text: str | None = None, limit: int = 80) -> dict:
    for _ in range(limit):
        focused = _tab(page)
        if id is not None and focused["id"] == id:
            return focused
        if text is not None and focused["text"].startswith(text):
            return focused
    raise AssertionError(f"could not reach {id or text!r} with the Tab key")


def _enter(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _follow(page, text: str) -> None:
    _tab_to(page, text=text)
    _enter(page)
    check_page(page)


def _focus_order(page) -> list[str]:
    """Every stop of the Tab key from the top of the page to the footer, as short names."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    stops = []
    for _ in range(60):
        focused = _tab(page)
        name = focused["id"] or focused["text"][:40]
        if stops and name == stops[0]:
            break
        stops.append(name)
        if focused["text"] == "Cookies":
            break
    return stops


def test_panelmark_keyboard_only_marking(page, app, make_user):
    pw = panel_world(app, make_user, bidders=3, lots=1)
    member = pw.world.panel[1]  # declared a conflict: two answers to mark
    words = forbidden_words(app, pw.world)

    page.goto("/sign-in")
    _tab_to(page, id="email")
    page.keyboard.type(member)
    _tab_to(page, id="password")
    page.keyboard.type(PASSWORD)
    _enter(page)
    expect(page.get_by_role("heading", name="Your marking")).to_be_visible()
    expect(page.locator("main")).to_contain_text("You have marked 0 of 2 answers")
    check_page(page)

    _follow(page, "Start marking")
    expect(page.get_by_role("heading", name="Question 3")).to_be_visible()
    _follow(page, "Start marking")
    expect(page.locator("#answer-progress")).to_have_text("Answer 1 of 2")
    _clean(page, words)

    # Focus reaches every control, visibly, in reading order.
    order = _focus_order(page)
    expected = [
        "Back to the list of answers",
        "mark",
        "rationale",
        "I'm happy with this mark",
        "Save and come back later",
        "Next answer",
    ]
    positions = [order.index(name) for name in expected if name in order]
    assert len(positions) == len(expected), order
    assert positions == sorted(positions), order
    assert order.index("Cookies") > positions[-1]

    # Answer 1: Tab into the marks (the first is "Unacceptable — 0"), Space chooses it.
    page.evaluate("window.scrollTo(0, 0)")
    focused = _tab_to(page, id="mark")
    assert focused["label"].startswith("Unacceptable — 0")
    page.keyboard.press("Space")
    assert _focused(page)["checked"]
    assert _tab(page)["id"] == "rationale"
    # Pressing "I'm happy" without a reason: the error summary takes focus, its link leads back.
    _tab_to(page, text="I'm happy with this mark")
    _enter(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check_page(page)
    _tab_to(page, text="Tell us why you gave this mark before")
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "rationale"
    page.keyboard.type("No answer about listening at all.")
    _tab_to(page, text="I'm happy with this mark")
    _enter(page)

    # Answer 2: the reason first, then Shift+Tab goes back to the marks (a radio group is one
    # Tab stop; with none chosen, Chromium lands on the first), and Space chooses it.
    expect(page.locator("#answer-progress")).to_have_text("Answer 2 of 2")
    check_page(page)
    _tab_to(page, id="rationale")
    page.keyboard.type(REASON)
    focused = _tab(page, "Shift+Tab")
    assert focused["type"] == "radio" and focused["label"].startswith("Unacceptable — 0"), focused
    page.keyboard.press("Space")
    _tab_to(page, text="Save and come back later")
    _enter(page)
    expect(page.locator("main")).to_contain_text("You have saved 1 to finish later")
    check_page(page)

    _follow(page, "Carry on marking")
    _follow(page, "Carry on marking")
    expect(page.locator("#answer-progress")).to_have_text("Answer 2 of 2")
    _tab_to(page, text="I'm happy with this mark")
    _enter(page)
    expect(page.get_by_role("heading", name="You have finished")).to_be_visible()
    check_page(page)
    _clean(page, words)
    assert sorted(_marks(app, member).values()) == [(0, True), (0, True)]
