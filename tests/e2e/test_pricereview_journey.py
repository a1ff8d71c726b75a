"""An abnormally low price: the officer asks for an explanation, the bidder answers in the
platform with a PDF, and the officer accepts it with a reason. Every page is checked with axe."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from playwright.sync_api import expect
from reportlab.pdfgen import canvas
from sqlalchemy import select

from dps.extensions import db
from dps.models.evaluation import PriceReview
from dps.state.clock import now, to_london
from tests.conftest import PASSWORD, app_ctx
from tests.dps.evaluation_factories import evaluation_world
from tests.e2e.helpers import check_page, sign_in


def _pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Our costings")
    page.showPage()
    page.save()
    return buffer.getvalue()


def test_pricereview_explanation_requested_answered_and_accepted(
    page, browser, base_url, app, make_user
):
    world = evaluation_world(app, make_user, bidders=3, lots=1, low_pay=(1,), cheap=(2,))
    bid_id = world.bid_ids[(world.bidder_org_ids[2], world.lot_ids[0])]

    sign_in(page, world.officer, PASSWORD)
    page.goto(f"/officer/tenders/{world.tender_id}/evaluation/prices")
    expect(page.get_by_role("heading", name="Price checks")).to_be_visible()
    expect(page.get_by_text("1 price check still open")).to_be_visible()
    expect(page.locator("main")).to_contain_text("below the National Living Wage")
    check_page(page)

    page.get_by_role("link", name=re.compile(r"^Care Provider B Ltd")).click()
    expect(page.locator("main")).to_contain_text("breaks a legal minimum")
    expect(page.locator("form[method=post]")).to_have_count(0)
    check_page(page)
    page.get_by_role("link", name="Back to the price checks").click()

    page.get_by_role("link", name=re.compile(r"^Care Provider C Ltd")).click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Price check: Care Provider C"))
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("abnormally low")
    expect(page.get_by_role("row", name=re.compile(r"^Basic pay"))).to_be_visible()
    check_page(page)

    # A date in the past is refused with a message, and what was typed stays.
    page.get_by_label("What should the bidder explain?").fill("Explain your running costs.")
    past = to_london(now() - timedelta(days=1))
    page.get_by_label("Day").fill(str(past.day))
    page.get_by_label("Month").fill(str(past.month))
    page.get_by_label("Year").fill(str(past.year))
    page.get_by_label("Time the explanation is due (UK time)").fill("17:00")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be in the future")
    expect(page.get_by_label("What should the bidder explain?")).to_have_value(
        "Explain your running costs."
    )
    check_page(page)

    due = to_london(now() + timedelta(days=7))
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("request has been sent")
    expect(page.locator("main")).to_contain_text("Waiting for the bidder's explanation")
    check_page(page)

    with app_ctx(app):
        review_id = db.session.scalar(select(PriceReview.id).where(PriceReview.bid_id == bid_id))

    provider_context = browser.new_context(base_url=base_url)
    provider = provider_context.new_page()
    sign_in(provider, world.bidders[2], PASSWORD)
    provider.goto("/provider/")
    check_page(provider)
    provider.get_by_role("link", name=re.compile(r", lot 1$")).click()
    expect(provider.get_by_role("heading", name="Explain your price")).to_be_visible()
    expect(provider.locator("main")).to_contain_text("Explain your running costs.")
    check_page(provider)
    provider.get_by_label("Your explanation").fill("We share offices with our day centre.")
    provider.get_by_label("Supporting document", exact=True).set_input_files(
        {"name": "costings.pdf", "mimeType": "application/pdf", "buffer": _pdf()}
    )
    provider.get_by_role("button", name="Send your explanation").click()
    expect(provider.locator(".govuk-notification-banner")).to_contain_text(
        "explanation has been sent"
    )
    expect(provider.get_by_role("link", name="costings.pdf")).to_be_visible()
    check_page(provider)
    provider.goto("/provider/price-explanations")
    check_page(provider)
    provider_context.close()

    page.goto(f"/officer/tenders/{world.tender_id}/evaluation/prices/{bid_id}")
    expect(page.locator("main")).to_contain_text("We share offices with our day centre.")
    expect(page.get_by_role("link", name="costings.pdf")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you accept the explanation"
    )
    check_page(page)
    page.get_by_role("radio", name=re.compile(r"^Accept")).check()
    page.get_by_label("Reason for your decision").fill("Shared premises explain the low overheads.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("accepted")
    expect(page.locator("main")).to_contain_text("Shared premises explain the low overheads.")
    check_page(page)
    page.get_by_role("link", name="Back to the price checks").click()
    expect(page.get_by_text("Every price check is settled.")).to_be_visible()
    check_page(page)

    with app_ctx(app):
        review = db.session.get(PriceReview, review_id)
        assert review.status == "accepted"
        assert [d.original_name for d in review.attachments] == ["costings.pdf"]
