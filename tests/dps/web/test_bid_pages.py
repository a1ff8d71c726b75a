"""Bid pages over HTTP: who may open them, the journey to a receipt, and clear refusals."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import Bid, BidVersion, Message, Role, Tender, TenderDocument
from dps.services import bids, documents
from dps.state import clock
from tests.conftest import app_ctx, csrf_token
from tests.dps.stage2_factories import invite, make_tender, organisation_id

ANSWER = "Our coordinators keep two spare visits a day on every Ashfield round."


@pytest.fixture
def tender_ids(app):
    with app_ctx(app):
        return make_tender()


@pytest.fixture
def acme(app, login, tender_ids):
    """Acme, invited to lot 1 only."""
    client = login(Role.PROVIDER, organisation="Acme Care Ltd")
    with app_ctx(app):
        invite(tender_ids.tender_id, organisation_id(client.email), [tender_ids.lot_ids[0]])
    return client


def bid_url(ids, lot_index=0, rest=""):
    return f"/provider/tenders/{ids.tender_id}/lots/{ids.lot_ids[lot_index]}/bid{rest}"


def post(client, url, data=None, token_from=None):
    token = csrf_token(client, token_from or url)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def start(client, ids):
    response = post(client, bid_url(ids, rest="/start"), token_from=bid_url(ids))
    assert response.status_code == 302


def body(response) -> str:
    return response.get_data(as_text=True)


def test_invited_tenders_and_the_tender_page(acme, tender_ids):
    listing = body(acme.get("/provider/tenders"))
    assert "NCC-HC-2026-01: Home care in Ashfield and rural Newark" in listing
    assert "Lot 1: Not started" in listing and "Lot 2" not in listing
    page = acme.get(f"/provider/tenders/{tender_ids.tender_id}")
    text = body(page)
    assert page.status_code == 200
    assert "Lots you may bid for" in text and "Lot 1: Ashfield" in text
    assert "Rural Newark and Sherwood" not in text
    assert re.search(
        r"Closing time: \d+(:\d\d)?[ap]m on \w+day \d+ \w+ \d{4} \(UK time\)\. "
        r"(6 days and 23 hours|7 days) left\.",
        text,
    ), text
    assert f'href="/provider/tenders/{tender_ids.tender_id}/questions"' in text


def test_a_provider_not_invited_gets_404_everywhere(app, login, tender_ids):
    other = login(Role.PROVIDER, organisation="Birch Homecare Ltd")
    paths = [f"/provider/tenders/{tender_ids.tender_id}"] + [
        bid_url(tender_ids, lot, rest)
        for lot in (0, 1)
        for rest in (
            "",
            "/questions/1",
            "/costs",
            "/call-rates",
            "/capacity",
            "/partners",
            "/check",
            "/withdraw",
        )
    ]
    for path in paths:
        assert other.get(path).status_code == 404, path
    assert "NCC-HC-2026-01" not in body(other.get("/provider/tenders"))
    token = csrf_token(other, "/provider/team")
    for rest in ("/start", "/costs", "/check", "/withdraw", "/partners/done"):
        response = other.post(bid_url(tender_ids, 0, rest), data={"csrf_token": token})
        assert response.status_code == 404, rest


def test_invited_to_one_lot_only_and_other_tenders_lots_are_404(app, acme, tender_ids):
    with app_ctx(app):
        elsewhere = make_tender(reference="NCC-HC-2026-09")
    assert acme.get(bid_url(tender_ids, 1)).status_code == 404
    token = csrf_token(acme, "/provider/team")
    assert (
        acme.post(bid_url(tender_ids, 1, "/start"), data={"csrf_token": token}).status_code == 404
    )
    foreign = f"/provider/tenders/{tender_ids.tender_id}/lots/{elsewhere.lot_ids[0]}/bid"
    assert acme.get(foreign).status_code == 404
    assert acme.get(f"/provider/tenders/{elsewhere.tender_id}").status_code == 404


def test_the_whole_bid_by_http_ends_with_a_receipt(app, acme, tender_ids):
    start(acme, tender_ids)
    overview = body(acme.get(bid_url(tender_ids)))
    assert "Write your bid" in overview and "Not yet started" in overview
    for question_id in tender_ids.question_ids:
        url = bid_url(tender_ids, rest=f"/questions/{question_id}")
        page = body(acme.get(url))
        assert 'data-maxwords="' in page and "govuk-character-count" in page
        response = post(acme, url, {"answer": ANSWER})
        assert response.status_code == 302
    assert response.location.endswith(bid_url(tender_ids))
    costs = body(acme.get(bid_url(tender_ids, rest="/costs")))
    assert 'name="cost_basic_pay"' in costs and 'value="12.71"' in costs
    assert 'value="12.07"' in costs  # holiday rate shown as a percentage
    fields = dict(re.findall(r'name="(cost_\w+)"[^>]*value="([^"]*)"', costs))
    fields["cost_basic_pay"] = "13.20"
    response = post(acme, bid_url(tender_ids, rest="/costs"), fields)
    assert response.status_code == 302
    calculated = body(acme.get(bid_url(tender_ids, rest="/costs")))
    assert "Your hourly rate: £" in calculated and "13.20" in calculated
    assert "basic pay 13.20" in calculated  # the engine's formula for the line
    assert "Checks your price passes" in calculated
    rates = {"rate_15": "5.50", "rate_30": "10.60", "rate_45": "15.70", "rate_60": "20.80"}
    assert post(acme, bid_url(tender_ids, rest="/call-rates"), rates).status_code == 302
    assert (
        post(acme, bid_url(tender_ids, rest="/capacity"), {"capacity_hours": "400"}).status_code
        == 302
    )
    response = post(
        acme,
        bid_url(tender_ids, rest="/partners/done"),
        token_from=bid_url(tender_ids, rest="/partners"),
    )
    assert response.status_code == 302
    check = body(acme.get(bid_url(tender_ids, rest="/check")))
    assert "Before you can submit" not in check
    assert "Submit bid" in check and ANSWER in check
    response = post(acme, bid_url(tender_ids, rest="/check"))
    assert response.status_code == 302
    receipt = acme.get(response.location)
    text = body(receipt)
    with app_ctx(app):
        version = db.session.scalar(select(BidVersion))
        reference, digest = version.receipt_reference, version.digest
        message = db.session.scalar(select(Message))
        assert reference in message.body and digest in message.body
    assert "Bid submitted" in text and reference in text and digest in text
    assert "(UK time)" in text
    overview = body(acme.get(bid_url(tender_ids)))
    assert reference in overview and "Withdraw your bid" in overview


def _started_with_everything(app, acme, tender_ids) -> int:
    start(acme, tender_ids)
    with app_ctx(app):
        org = organisation_id(acme.email)
        view = bids.bid_view(tender_ids.tender_id, tender_ids.lot_ids[0], org)
        from tests.dps.services.test_bids import full_content

        bids.save_draft(view.bid.id, org, None, full_content(tender_ids))
        return view.bid.id


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("cost_basic_pay", "twelve pounds", "Basic pay must be a number, like 12.71"),
        ("cost_basic_pay", "-13.00", "Basic pay cannot be negative"),
        ("cost_mileage_rate", "0.455", "Enter mileage rate in pounds and pence, like 12.71"),
        ("cost_holiday_rate", "150", "Holiday rate must be 100 or less"),
        ("cost_holiday_rate", "abc%", "Holiday rate must be a number, like 12.07"),
    ],
)
def test_bad_figures_on_the_cost_page_are_shown_beside_the_field(
    app, acme, tender_ids, field, value, message
):
    bid_id = _started_with_everything(app, acme, tender_ids)
    with app_ctx(app):
        before = db.session.get(Bid, bid_id).draft_ciphertext
    response = post(acme, bid_url(tender_ids, rest="/costs"), {field: value})
    text = body(response)
    assert response.status_code == 400
    assert "There is a problem" in text and message in text
    assert f'id="{field}-error"' in text
    with app_ctx(app):
        assert db.session.get(Bid, bid_id).draft_ciphertext == before


def test_a_100000_character_answer_is_refused_clearly(app, acme, tender_ids):
    _started_with_everything(app, acme, tender_ids)
    url = bid_url(tender_ids, rest=f"/questions/{tender_ids.question_ids[0]}")
    response = post(acme, url, {"answer": "x" * 100_000})
    assert response.status_code == 400
    assert "Your answer must be 20,000 characters or fewer" in body(response)


def test_other_bad_input_is_shown_beside_its_field(app, acme, tender_ids):
    _started_with_everything(app, acme, tender_ids)
    response = post(acme, bid_url(tender_ids, rest="/call-rates"), {"rate_30": "ten"})
    assert response.status_code == 400
    assert "The rate for a 30-minute visit must be a number, like 12.71" in body(response)
    response = post(acme, bid_url(tender_ids, rest="/capacity"), {"capacity_hours": "-4"})
    assert response.status_code == 400 and "Capacity cannot be negative" in body(response)
    response = post(acme, bid_url(tender_ids, rest="/partners"), {"name": "", "share": "x"})
    text = body(response)
    assert response.status_code == 400
    for message in (
        "Enter the name of the subcontractor or partner",
        "Select whether it is a subcontractor or a consortium partner",
        "Select at least one zone it will work in",
        "The share of the hours must be a number, like 25",
    ):
        assert message in text
    response = post(
        acme,
        bid_url(tender_ids, rest="/partners"),
        {"name": "Kirkby Carers", "role": "consortium", "zones": "ashfield", "share": "20"},
    )
    assert response.status_code == 302
    assert "Kirkby Carers" in body(acme.get(bid_url(tender_ids, rest="/partners")))
    response = post(
        acme,
        bid_url(tender_ids, rest="/partners/0/remove"),
        token_from=bid_url(tender_ids, rest="/partners"),
    )
    assert response.status_code == 302
    assert "Kirkby Carers" not in body(acme.get(bid_url(tender_ids, rest="/partners")))


def test_submitting_an_incomplete_bid_lists_what_to_do(acme, tender_ids):
    start(acme, tender_ids)
    page = body(acme.get(bid_url(tender_ids, rest="/check")))
    assert "Before you can submit" in page and "Submit bid" not in page
    response = post(acme, bid_url(tender_ids, rest="/check"), token_from="/provider/team")
    assert response.status_code == 400
    text = body(response)
    assert "Answer question 1" in text and "Enter how many hours of care a week" in text
    assert f'href="{bid_url(tender_ids, rest="/capacity")}"' in text


def test_a_submission_after_the_closing_time_is_refused_with_a_message(app, acme, tender_ids):
    bid_id = _started_with_everything(app, acme, tender_ids)
    token = csrf_token(acme, bid_url(tender_ids, rest="/check"))
    with app_ctx(app):
        closing_at = db.session.get(Tender, tender_ids.tender_id).closing_at
    clock.set_fixed(closing_at + timedelta(seconds=1))
    response = acme.post(bid_url(tender_ids, rest="/check"), data={"csrf_token": token})
    assert response.status_code == 400
    assert "The closing time has passed, so bids can no longer be changed or submitted." in body(
        response
    )
    with app_ctx(app):
        bid = db.session.get(Bid, bid_id)
        assert bid.status == "draft" and bid.versions == []
    overview = body(acme.get(bid_url(tender_ids)))
    assert "has passed, so bids can no longer be changed" in overview
    assert acme.get(bid_url(tender_ids, rest="/costs")).status_code == 302


def test_withdraw_and_receipts_of_other_organisations(app, acme, login, tender_ids):
    bid_id = _started_with_everything(app, acme, tender_ids)
    assert post(acme, bid_url(tender_ids, rest="/check")).status_code == 302
    page = body(acme.get(bid_url(tender_ids, rest="/withdraw")))
    assert "Withdraw your bid for lot 1?" in page
    response = post(acme, bid_url(tender_ids, rest="/withdraw"))
    assert response.status_code == 302
    overview = body(acme.get(bid_url(tender_ids)))
    assert "is withdrawn" in overview and "Withdrawn" in overview
    assert acme.get(f"/provider/bids/{bid_id}/receipts/1").status_code == 200
    assert acme.get(f"/provider/bids/{bid_id}/receipts/2").status_code == 404
    other = login(Role.PROVIDER, organisation="Birch Homecare Ltd")
    assert other.get(f"/provider/bids/{bid_id}/receipts/1").status_code == 404


def test_tender_documents_only_for_invited_providers(app, acme, login, tender_ids):
    with app_ctx(app):
        document = documents.store_bytes(
            b"%PDF-1.4 spec",
            original_name="specification.pdf",
            content_type="application/pdf",
            organisation_id=None,
        )
        db.session.flush()
        item = TenderDocument(
            tender_id=tender_ids.tender_id, document_id=document.id, title="Service specification"
        )
        db.session.add(item)
        db.session.commit()
        item_id = item.id
    assert "Service specification" in body(acme.get(f"/provider/tenders/{tender_ids.tender_id}"))
    download = acme.get(f"/provider/tenders/{tender_ids.tender_id}/documents/{item_id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 spec"
    download.close()
    other = login(Role.PROVIDER, organisation="Birch Homecare Ltd")
    url = f"/provider/tenders/{tender_ids.tender_id}/documents/{item_id}"
    assert other.get(url).status_code == 404


ODD = {
    "empty": "",
    "huge": "x" * 10_000,
    "nul and controls": "a\x00b\x01c\x7f",
    "html": '<script>alert("x")</script><b>bold</b>',
    "unicode": "Zoë ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e",
}
FORM_PAGES = ["/questions/{q}", "/costs", "/call-rates", "/capacity", "/partners"]
FIELD = re.compile(r'<(?:input|textarea)[^>]*\bname="([^"]+)"')


@pytest.mark.parametrize("kind", list(ODD))
def test_odd_input_on_every_bid_form_never_gives_a_server_error(app, acme, tender_ids, kind):
    _started_with_everything(app, acme, tender_ids)
    for page in FORM_PAGES:
        url = bid_url(tender_ids, rest=page.format(q=tender_ids.question_ids[0]))
        names = {n for n in FIELD.findall(body(acme.get(url))) if n != "csrf_token"}
        response = post(acme, url, {name: ODD[kind] for name in names})
        assert response.status_code in (302, 400), (page, body(response)[:500])
        assert '<script>alert("x")</script>' not in body(response)
        if response.status_code == 400:
            assert "There is a problem" in body(response), page


def test_non_utf8_and_list_values_on_bid_forms(app, acme, tender_ids):
    _started_with_everything(app, acme, tender_ids)
    for page in FORM_PAGES:
        url = bid_url(tender_ids, rest=page.format(q=tender_ids.question_ids[0]))
        names = sorted(n for n in FIELD.findall(body(acme.get(url))) if n != "csrf_token")
        token = csrf_token(acme, url)
        raw = "&".join(f"{quote(n)}=%FF%FE%C3%28" for n in names) + f"&csrf_token={quote(token)}"
        response = acme.post(
            url, data=raw.encode("ascii"), content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code in (302, 400), page
        response = acme.post(url, data={"csrf_token": token, names[0]: ["1", "2"]})
        assert response.status_code in (302, 400), page
