"""The price-check pages and the explanation procedure through the browser's requests."""

from __future__ import annotations

import io
from datetime import timedelta

from reportlab.pdfgen import canvas
from sqlalchemy import select

from dps.extensions import db
from dps.models import AuditEvent, Message
from dps.models.evaluation import PriceReview
from dps.models.messaging import EmailMessage
from dps.services import price_review
from dps.state import clock
from dps.state.clock import now, to_london
from tests.conftest import app_ctx, csrf_token, sign_in
from tests.dps.evaluation_factories import evaluation_world


def make_pdf(text: str = "Our costings") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _setup(app, make_user):
    world = evaluation_world(app, make_user, bidders=3, lots=1, low_pay=(1,), cheap=(2,))
    lot_id = world.lot_ids[0]
    cheap_bid = world.bid_ids[(world.bidder_org_ids[2], lot_id)]
    with app_ctx(app):
        price_review.ensure_reviews(world.tender_id)
        review_id = db.session.scalar(select(PriceReview.id).where(PriceReview.bid_id == cheap_bid))
    return world, cheap_bid, review_id


def _due_fields(moment):
    local = to_london(moment)
    return {
        "due_date": [str(local.day), str(local.month), str(local.year)],
        "due_time": local.strftime("%H:%M"),
    }


def _review(app, review_id) -> PriceReview:
    with app_ctx(app):
        review = db.session.get(PriceReview, review_id)
        db.session.expunge(review)
        return review


def test_pricereview_list_shows_every_bid_and_open_count(app, make_user):
    world, _bid, _review_id = _setup(app, make_user)
    client = _client(app, world.officer)
    page = client.get(f"/officer/tenders/{world.tender_id}/evaluation/prices")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for name in ("Care Provider A Ltd", "Care Provider B Ltd", "Care Provider C Ltd"):
        assert name in html
    assert "Rejected" in html and "Abnormally low" in html and "Checked" in html
    assert "National Living Wage" in html
    assert "1 price check still open" in html
    rejected_bid = world.bid_ids[(world.bidder_org_ids[1], world.lot_ids[0])]
    page = client.get(f"/officer/tenders/{world.tender_id}/evaluation/prices/{rejected_bid}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "breaks a legal minimum" in html and 'method="post"' not in html


def test_pricereview_pages_scoped_to_the_authority_and_bidder(app, make_user):
    world, bid_id, review_id = _setup(app, make_user)
    outsider = _client(app, world.outsider_officer)
    assert outsider.get(f"/officer/tenders/{world.tender_id}/evaluation/prices").status_code == 404
    url = f"/officer/tenders/{world.tender_id}/evaluation/prices/{bid_id}"
    assert outsider.get(url).status_code == 404
    officer = _client(app, world.officer)
    assert (
        officer.get(f"/officer/tenders/{world.tender_id}/evaluation/prices/999999").status_code
        == 404
    )
    # Before a request is sent not even the bidder sees the review page.
    assert (
        _client(app, world.bidders[2]).get(f"/provider/price-explanations/{review_id}").status_code
        == 404
    )


def test_pricereview_bad_dates_give_400_with_message(app, make_user):
    world, bid_id, review_id = _setup(app, make_user)
    client = _client(app, world.officer)
    url = f"/officer/tenders/{world.tender_id}/evaluation/prices/{bid_id}"
    cases = [
        ({"due_date": ["31", "2", "2027"], "due_time": "17:00"}, "must be a real date"),
        ({"due_date": ["", "", ""], "due_time": "17:00"}, "Enter the date the explanation is due"),
        ({"due_date": ["1", "3", "2027"], "due_time": "25:99"}, "24-hour clock"),
        (_due_fields(now() - timedelta(days=1)), "must be in the future"),
    ]
    for fields, message in cases:
        token = csrf_token(client, url)
        page = client.post(url, data={"csrf_token": token, "request_text": "Explain.", **fields})
        html = page.get_data(as_text=True)
        assert page.status_code == 400, message
        assert message in html
        assert "govuk-error-summary" in html
        assert "Explain." in html  # kept what was typed
    assert _review(app, review_id).status == "low"


def test_pricereview_full_procedure(app, make_user):
    world, bid_id, review_id = _setup(app, make_user)
    officer = _client(app, world.officer)
    url = f"/officer/tenders/{world.tender_id}/evaluation/prices/{bid_id}"
    page = officer.get(url)
    assert page.status_code == 200
    assert "Basic pay" in page.get_data(as_text=True)

    token = csrf_token(officer, url)
    due = now() + timedelta(days=7)
    answer = officer.post(
        url,
        data={
            "csrf_token": token,
            "request_text": "Explain your running costs.",
            **_due_fields(due),
        },
    )
    assert answer.status_code == 302
    with app_ctx(app):
        org_id = world.bidder_org_ids[2]
        message = db.session.scalar(select(Message).where(Message.organisation_id == org_id))
        assert f"/provider/price-explanations/{review_id}" in message.body
        assert db.session.scalar(
            select(EmailMessage).where(EmailMessage.to_address == world.bidders[2])
        )

    # Rejecting before the deadline, with no answer, is refused (no form is shown: take the
    # session's token from another page).
    token = csrf_token(officer, "/officer/dps/new")
    refused = officer.post(url, data={"csrf_token": token, "reason": "Too low."})
    assert refused.status_code == 400
    assert "nothing to decide" in refused.get_data(as_text=True)
    assert _review(app, review_id).status == "explanation_requested"

    # Another bidder cannot see it; the bidder can, and answers.
    other = _client(app, world.bidders[0])
    provider_url = f"/provider/price-explanations/{review_id}"
    assert other.get(provider_url).status_code == 404
    assert other.post(provider_url, data={"explanation": "x"}).status_code in (400, 404)
    bidder = _client(app, world.bidders[2])
    assert "Explain your running costs." in bidder.get(provider_url).get_data(as_text=True)
    listing = bidder.get("/provider/price-explanations").get_data(as_text=True)
    assert f'href="{provider_url}"' in bidder.get("/provider/").get_data(as_text=True)
    assert provider_url not in other.get("/provider/").get_data(as_text=True)
    assert f'href="{provider_url}"' in listing and "answer by" in listing
    assert provider_url not in other.get("/provider/price-explanations").get_data(as_text=True)
    token = csrf_token(bidder, provider_url)
    bad = bidder.post(
        provider_url,
        data={
            "csrf_token": token,
            "explanation": "We share offices.",
            "document_1": (io.BytesIO(b"%PDF-1.4 not really"), "costs.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert "could not be read" in bad.get_data(as_text=True)
    assert "We share offices." in bad.get_data(as_text=True)
    token = csrf_token(bidder, provider_url)
    good = bidder.post(
        provider_url,
        data={
            "csrf_token": token,
            "explanation": "We share offices.",
            "document_1": (io.BytesIO(make_pdf()), "costs.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    review = _review(app, review_id)
    assert review.status == "explanation_received"
    page = bidder.get(provider_url).get_data(as_text=True)
    assert "We share offices." in page and "costs.pdf" in page and "<textarea" not in page

    with app_ctx(app):
        lead = db.session.scalar(
            select(Message).where(Message.subject.like("Price explanation received%"))
        )
        assert lead is not None and f"/evaluation/prices/{bid_id}" in lead.body
        document_id = db.session.get(PriceReview, review_id).attachments[0].id
    download = officer.get(f"{url}/documents/{document_id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    own = bidder.get(f"{provider_url}/documents/{document_id}")
    assert own.status_code == 200
    own.close()
    assert other.get(f"{provider_url}/documents/{document_id}").status_code == 404

    token = csrf_token(officer, url)
    missing = officer.post(url, data={"csrf_token": token, "decision": "accept", "reason": ""})
    assert missing.status_code == 400
    assert "Give the reason for your decision" in missing.get_data(as_text=True)
    token = csrf_token(officer, url)
    done = officer.post(
        url, data={"csrf_token": token, "decision": "accept", "reason": "Shared offices."}
    )
    assert done.status_code == 302
    review = _review(app, review_id)
    assert (review.status, review.decision_reason) == ("accepted", "Shared offices.")
    with app_ctx(app):
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "price.checked",
        "price.explanation_requested",
        "price.explanation_received",
        "price.explanation_accepted",
    } <= actions


def test_pricereview_reject_after_unanswered_deadline(app, make_user):
    world, bid_id, review_id = _setup(app, make_user)
    officer = _client(app, world.officer)
    url = f"/officer/tenders/{world.tender_id}/evaluation/prices/{bid_id}"
    token = csrf_token(officer, url)
    start = now()
    officer.post(
        url,
        data={
            "csrf_token": token,
            "request_text": "Explain.",
            **_due_fields(start + timedelta(days=2)),
        },
    )
    assert _review(app, review_id).status == "explanation_requested"
    clock.set_fixed(start + timedelta(days=3))
    bidder = _client(app, world.bidders[2])
    late = bidder.get(f"/provider/price-explanations/{review_id}").get_data(as_text=True)
    assert "deadline has passed" in late and "<textarea" not in late
    token = csrf_token(officer, url)
    done = officer.post(url, data={"csrf_token": token, "reason": "No explanation was given."})
    assert done.status_code == 302
    review = _review(app, review_id)
    assert (review.status, review.decision_reason) == ("rejected", "No explanation was given.")


ODD = ["", "x" * 20_000, "a\x00b\x01c\x7f", "<script>alert(1)</script>", "Zoë ✓ \u202e"]


def test_pricereview_odd_input_gives_4xx_with_message(app, make_user):
    world, bid_id, review_id = _setup(app, make_user)
    officer = _client(app, world.officer)
    url = f"/officer/tenders/{world.tender_id}/evaluation/prices/{bid_id}"
    for value in ODD:
        token = csrf_token(officer, url)
        page = officer.post(
            url,
            data={
                "csrf_token": token,
                "request_text": value,
                "due_date": [value, value, value],
                "due_time": value,
            },
        )
        assert page.status_code == 400, repr(value)
        assert "govuk-error-summary" in page.get_data(as_text=True)
    assert _review(app, review_id).status == "low"
