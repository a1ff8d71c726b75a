"""Officer A proposes the award, officer B approves it, the letters' progress bar reaches 100%
(refreshing itself, no JavaScript needed) and a bidder opens its letter in the inbox."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from dps.services import awards
from tests.conftest import PASSWORD
from tests.dps.award_factories import hand_results
from tests.dps.evaluation_factories import evaluation_world
from tests.e2e.helpers import check_page, sign_in


def test_award_proposed_approved_letters_made_and_read(
    page, browser, base_url, app, make_user, run_jobs, monkeypatch
):
    world = evaluation_world(app, make_user, bidders=4, lots=2, prefix="aw-")
    results = hand_results(app, world)
    monkeypatch.setattr(awards, "results_for", lambda tender_id: results)
    award_url = f"/officer/tenders/{world.tender_id}/award"
    winner = next(bid for bid in results.lots[0].bids if bid.won).organisation_name

    sign_in(page, world.officer, PASSWORD)
    page.goto(award_url)
    expect(page.get_by_role("heading", name="Award", exact=True)).to_be_visible()
    expect(page.locator("table").first).to_contain_text(winner)
    check_page(page)
    page.get_by_role("button", name="Propose the award").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("proposed the award")
    expect(page.get_by_text("a different officer must approve it")).to_be_visible()
    expect(page.get_by_role("button", name="Approve the award")).to_have_count(0)
    check_page(page)

    # Withdrawing needs a reason: refused with the GOV.UK error summary, then kept for later.
    page.get_by_role("button", name="Withdraw the proposal").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    check_page(page)

    second = browser.new_context(base_url=base_url).new_page()
    sign_in(second, world.officer2, PASSWORD)
    second.goto(award_url)
    check_page(second)
    second.get_by_role("button", name="Approve the award").click()
    expect(second.locator(".govuk-notification-banner")).to_contain_text("letters are being made")
    expect(second.locator("#letters-progress-text")).to_contain_text("0 of 4 letters made")
    expect(second.locator('meta[http-equiv="refresh"]')).to_have_count(1)

    assert run_jobs() == 4  # the worker makes the letters while the page refreshes itself
    expect(second.locator("#letters-progress-text")).to_have_text(
        "4 of 4 letters made", timeout=15_000
    )
    expect(second.locator("#letters-progress")).to_have_attribute("value", "4")
    expect(second.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    expect(second.get_by_text("Ends at midnight at the end of")).to_be_visible()
    check_page(second)

    bidder = browser.new_context(base_url=base_url).new_page()
    sign_in(bidder, world.bidders[1], PASSWORD)
    bidder.goto("/provider/inbox")
    check_page(bidder)
    bidder.get_by_role("link", name=f"Outcome: {results.title}").first.click()
    expect(bidder.get_by_role("heading", level=1)).to_contain_text("Outcome")
    check_page(bidder)
    download = bidder.get_by_role("link", name="Download")
    expect(download).to_contain_text("award-letter")
    response = bidder.request.get(download.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body())).pages)
    assert "Care Provider B Ltd" in " ".join(text.split())
    assert "standstill period ends" in " ".join(text.split())
