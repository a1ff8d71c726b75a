"""An invited provider asks a clarification question; an officer answers it to all, reworded;
another invitee sees the anonymised answer. Every page is checked with axe and at 320px."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from dps.models import Role
from dps.state.clock import now
from tests.conftest import PASSWORD, app_ctx
from tests.dps import tender_factories as f
from tests.e2e.helpers import check_page, sign_in


def test_a_provider_asks_and_another_invitee_sees_the_anonymised_answer(
    app, page, browser, base_url, make_user
):
    officer = make_user(Role.OFFICER, email="officer@notts.example")
    asker = make_user(Role.PROVIDER, email="sam@acme.example", organisation="Acme Care Ltd")
    reader = make_user(Role.PROVIDER, email="jo@bingham.example", organisation="Bingham Care")
    with app_ctx(app):
        tender_id = f.make_tender(
            officer,
            reference="NCC-HC-2026-07",
            closing_at=now() + timedelta(days=14),
            clarification_deadline=now() + timedelta(days=7),
        )
        f.invite(tender_id, "Acme Care Ltd")
        f.invite(tender_id, "Bingham Care")
    questions = f"/provider/tenders/{tender_id}/questions"

    # The asker: an empty question gets a message, then the question is sent.
    sign_in(page, asker, PASSWORD)
    page.goto(questions)
    expect(page.get_by_role("heading", name="Questions and answers")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Send your question").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your question")
    check_page(page)
    page.get_by_label("Your question").fill(
        "At Acme Care Ltd our staff drive electric cars. Is mileage paid for them?"
    )
    page.get_by_role("button", name="Send your question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your question has been sent"
    )
    expect(page.get_by_text("Your questions waiting for an answer")).to_be_visible()
    check_page(page)

    # The officer sees who asked, rewords the question so nothing identifies them, answers all.
    office = browser.new_context(base_url=base_url).new_page()
    sign_in(office, officer, PASSWORD)
    office.goto(f"/officer/tenders/{tender_id}/clarifications")
    expect(office.get_by_text("Question from Acme Care Ltd")).to_be_visible()
    check_page(office)
    office.get_by_role("link", name="Answer").click()
    expect(office.get_by_role("heading", name="Answer a clarification question")).to_be_visible()
    expect(office.get_by_label("The question as every provider will see it")).to_have_value(
        "At [provider name removed] our staff drive electric cars. Is mileage paid for them?"
    )
    check_page(office)
    office.get_by_label("Your answer").fill("Yes: mileage is paid at 35p a mile for any vehicle.")
    office.get_by_role("button", name="Send the answer").click()
    expect(office.locator(".govuk-error-summary")).to_contain_text(
        "Select who should see the answer"
    )
    check_page(office)
    office.get_by_label("Every invited provider").check()
    office.get_by_label("The question as every provider will see it").fill(
        "Is mileage paid for electric cars?"
    )
    office.get_by_role("button", name="Send the answer").click()
    expect(office.locator(".govuk-notification-banner")).to_contain_text(
        "published to every invited provider (2)"
    )
    check_page(office)

    # The officer's other pages for this tender: deadlines and the sealed opening page.
    office.goto(f"/officer/tenders/{tender_id}/deadlines")
    expect(office.get_by_role("heading", name="Change the deadlines")).to_be_visible()
    check_page(office)
    office.goto(f"/officer/tenders/{tender_id}/opening")
    expect(office.get_by_text("Bids stay sealed until")).to_be_visible()
    check_page(office)

    # Another invitee reads the answer: the asker is named nowhere on the page.
    other = browser.new_context(base_url=base_url).new_page()
    sign_in(other, reader, PASSWORD)
    other.goto(questions)
    expect(other.get_by_role("heading", name="Question 1")).to_be_visible()
    expect(other.get_by_text("Is mileage paid for electric cars?")).to_be_visible()
    expect(other.get_by_text("35p a mile")).to_be_visible()
    assert "Acme" not in other.content()
    check_page(other)

    # The asker sees the published answer too.
    page.reload()
    expect(page.get_by_text("Is mileage paid for electric cars?")).to_be_visible()
    check_page(page)


def test_two_officers_open_the_sealed_bids_after_closing(app, page, browser, base_url, make_user):
    from dps.state import clock

    start = now()
    clock.set_fixed(start)
    first = make_user(Role.OFFICER, email="first@notts.example")
    second = make_user(Role.OFFICER, email="second@notts.example")
    bidder = make_user(Role.PROVIDER, email="sam@acme.example", organisation="Acme Care Ltd")
    with app_ctx(app):
        tender_id = f.make_tender(first, closing_at=start + timedelta(days=14))
        acme_id = f.invite(tender_id, "Acme Care Ltd")
        # The template's defaults: Stockport 2018's cost breakdown, £15.61 an hour
        f.make_bid(tender_id, 1, acme_id, f.user(bidder).id)
    opening = f"/officer/tenders/{tender_id}/opening"

    sign_in(page, first, PASSWORD)
    page.goto(opening)
    expect(page.get_by_text("Bids stay sealed until")).to_be_visible()
    expect(page.get_by_role("button", name="Ask to open the bids")).to_have_count(0)
    check_page(page)

    clock.set_fixed(start + timedelta(days=14, minutes=1))
    page.reload()
    expect(page.get_by_text("Closed, not yet opened")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Ask to open the bids").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "A different officer must now confirm"
    )
    check_page(page)

    confirmer = browser.new_context(base_url=base_url).new_page()
    sign_in(confirmer, second, PASSWORD)
    confirmer.goto(opening)
    expect(confirmer.get_by_text("first@notts.example")).to_be_visible()
    check_page(confirmer)
    confirmer.get_by_role("button", name="Confirm opening").click()
    expect(confirmer.locator(".govuk-notification-banner")).to_contain_text("The bids are open")
    expect(confirmer.get_by_role("cell", name="Acme Care Ltd")).to_be_visible()
    expect(confirmer.get_by_role("cell", name="£15.61")).to_be_visible()
    check_page(confirmer)
