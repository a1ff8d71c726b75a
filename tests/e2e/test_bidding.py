"""An invited provider drafts, saves, revises and submits a bid and gets its receipt; a provider
not admitted to the tender's zones is not invited and cannot open its pages."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from dps.extensions import db
from dps.models import BidVersion, EmailMessage, Role
from tests.conftest import PASSWORD, app_ctx
from tests.dps.stage2_factories import invite, make_tender, organisation_id
from tests.e2e.helpers import check_page, sign_in

FIRST_DRAFT = "We hold two spare visits a day on every round, so a new package starts the next day."
REVISED = (
    "Our Ashfield coordinators hold two spare visits a day on every round, so a new package "
    "starts within 24 hours; our on-call manager confirms it with the family the same evening."
)


def test_invited_provider_drafts_revises_and_submits_a_bid(page, app, make_user):
    email = make_user(Role.PROVIDER, organisation="Acme Care Ltd")
    with app_ctx(app):
        ids = make_tender()
        invite(ids.tender_id, organisation_id(email), [ids.lot_ids[0]])

    sign_in(page, email, PASSWORD)
    page.get_by_role("link", name="Tenders").first.click()
    expect(page.get_by_role("heading", name="Tenders you are invited to")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="NCC-HC-2026-01: Home care in Ashfield and rural Newark").click()
    expect(page.get_by_text("(UK time)")).to_be_visible()
    expect(page.get_by_text(re.compile(r"(6 days and 23 hours|7 days) left"))).to_be_visible()
    expect(page.get_by_text("Rural Newark and Sherwood")).to_have_count(0)
    check_page(page)
    page.get_by_role("link", name="Bid for lot 1").click()
    check_page(page)
    page.get_by_role("button", name="Start your bid").click()
    expect(page.get_by_role("heading", name="Write your bid")).to_be_visible()
    check_page(page)

    # Draft the three answers (the word count is GOV.UK's character count, counting words).
    page.get_by_role("link", name="Question 1").click()
    answer = page.get_by_role("textbox")
    answer.fill(FIRST_DRAFT)
    expect(page.locator(".govuk-character-count__status")).to_contain_text("words remaining")
    check_page(page)
    page.get_by_role("button", name="Save and continue").click()
    for _ in range(2):
        page.get_by_role("textbox").fill(FIRST_DRAFT)
        check_page(page)
        page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Write your bid")).to_be_visible()

    # The cost breakdown: a basic pay under the National Living Wage is warned about first.
    page.get_by_role("link", name="Cost breakdown").click()
    check_page(page)
    page.get_by_label("Basic pay").fill("11.50")
    page.get_by_role("button", name="Save and calculate").click()
    expect(page.get_by_text("The council must reject a price like this").first).to_be_visible()
    check_page(page)
    page.get_by_label("Basic pay").fill("13.20")
    page.get_by_role("button", name="Save and calculate").click()
    expect(page.get_by_text("The council must reject a price like this")).to_have_count(0)
    expect(
        page.get_by_role("heading", name=re.compile(r"Your hourly rate: £\d+\.\d\d"))
    ).to_be_visible()
    expect(page.get_by_role("cell", name="basic pay 13.20", exact=True)).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Return to your bid").click()

    page.get_by_role("link", name="Call-length rates").click()
    check_page(page)
    for minutes, rate in (("15", "5.60"), ("30", "10.70"), ("45", "15.80"), ("60", "20.90")):
        page.get_by_label(f"{minutes}-minute visit").fill(rate)
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Capacity").click()
    page.get_by_label("Hours of care a week you can take on in this lot").fill("abc")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Capacity must be a number")
    check_page(page)
    page.get_by_label("Hours of care a week you can take on in this lot").fill("400")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Subcontractors and consortium partners").click()
    check_page(page)
    page.get_by_label("Name of the organisation").fill("Kirkby Carers CIC")
    page.get_by_label("Subcontractor", exact=True).check()
    page.get_by_label("Ashfield").check()
    page.get_by_label("Share of the hours it will deliver").fill("15")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", name="Kirkby Carers CIC")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Save and return to your bid").click()

    # Revise an answer, then check and submit.
    page.get_by_role("link", name="Question 1").click()
    expect(page.get_by_role("textbox")).to_have_value(FIRST_DRAFT)
    page.get_by_role("textbox").fill(REVISED)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Back to your bid").click()
    page.get_by_role("link", name="Check and submit your bid").click()
    expect(page.get_by_text(REVISED)).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Submit bid").click()

    expect(page.get_by_role("heading", name="Bid submitted")).to_be_visible()
    with app_ctx(app):
        version = db.session.scalar(select(BidVersion))
        reference, digest = version.receipt_reference, version.digest
        emails = db.session.scalars(select(EmailMessage.body)).all()
    assert reference == f"BID-NCC-HC-2026-01-L1-{organisation_id_of(app, email)}-v1"
    expect(page.locator(".govuk-panel")).to_contain_text(reference)
    expect(page.get_by_text(digest)).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"\d+:\d\d:\d\d[ap]m on \w+day .* \(UK time\)"))
    ).to_be_visible()
    check_page(page)
    assert any(reference in body and digest in body for body in emails)

    # The receipt is in the inbox too (the message page itself is shared/message.html).
    page.get_by_role("link", name="Inbox").first.click()
    expect(page.get_by_role("link", name=re.compile("Receipt for your bid"))).to_be_visible()
    check_page(page)

    page.goto(f"/provider/tenders/{ids.tender_id}/lots/{ids.lot_ids[0]}/bid")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    check_page(page)


def organisation_id_of(app, email: str) -> int:
    with app_ctx(app):
        return organisation_id(email)


def test_a_provider_not_admitted_to_the_zones_cannot_open_the_tender(page, app, make_user):
    invited = make_user(Role.PROVIDER, organisation="Acme Care Ltd")
    outsider = make_user(Role.PROVIDER, organisation="Mansfield Only Care Ltd")
    with app_ctx(app):
        ids = make_tender()
        invite(ids.tender_id, organisation_id(invited), ids.lot_ids)

    sign_in(page, outsider, PASSWORD)
    page.get_by_role("link", name="Tenders").first.click()
    expect(page.get_by_text("You have not been invited to any tenders yet.")).to_be_visible()
    check_page(page)
    response = page.goto(f"/provider/tenders/{ids.tender_id}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    check_page(page)
    for lot_id in ids.lot_ids:
        assert page.goto(f"/provider/tenders/{ids.tender_id}/lots/{lot_id}/bid").status == 404
        assert page.goto(f"/provider/tenders/{ids.tender_id}/lots/{lot_id}/bid/costs").status == 404
