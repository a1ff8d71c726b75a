"""The evaluator's marking pages: progress, answers in the marker's order, the mark page (no
price, no other answer), save and come back, submit, others' marks after, 404s and 400s."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import Bid, Tender
from dps.models.evaluation import Mark
from dps.services import bids as bid_service
from dps.services import marking
from dps.services.opening import read_bids
from tests.conftest import app_ctx, csrf_token, sign_in
from tests.dps import tender_factories as f
from tests.dps.evaluation_factories import evaluation_world
from tests.dps.marking_factories import assign, declare


@pytest.fixture
def world(app, make_user):
    w = evaluation_world(app, make_user, bidders=3, lots=2)
    q1, q2, _panel = w.question_ids
    with app_ctx(app):
        for email in (*w.evaluators, w.officer2):
            assign(w.tender_id, q1, email)
        for email in w.evaluators:
            declare(w.tender_id, email)
        uid = f.user(w.evaluators[0]).id
        order = [a.bid_id for a in marking.answers_for(uid, w.tender_id, q1)]
    return SimpleNamespace(w=w, q1=q1, q2=q2, order=order, tender_id=w.tender_id)


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _mark_url(world, bid_id, question_id=None):
    question_id = question_id or world.q1
    return f"/evaluator/tenders/{world.tender_id}/questions/{question_id}/bids/{bid_id}"


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def test_dashboard_shows_progress_and_question_page_lists_answers(app, world):
    client = _client(app, world.w.evaluators[0])
    page = client.get("/evaluator/").get_data(as_text=True)
    assert "0 of 6 answers marked" in page
    assert f"/evaluator/tenders/{world.tender_id}/questions/{world.q1}" in page
    assert f"/questions/{world.q2}" not in page  # not assigned
    page = client.get(f"/evaluator/tenders/{world.tender_id}/questions/{world.q1}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    links = re.findall(r"/questions/\d+/bids/(\d+)", html)
    assert [int(b) for b in links] == world.order
    assert html.count("Not started") == 6 and "Care Provider" not in html


def test_not_declared_is_sent_to_declare_or_not_found(app, world):
    client = _client(app, world.w.officer2)
    dashboard = client.get("/evaluator/").get_data(as_text=True)
    assert "declare any conflicts of interest" in dashboard.lower()
    for url in (
        f"/evaluator/tenders/{world.tender_id}/questions/{world.q1}",
        _mark_url(world, world.order[0]),
    ):
        response = client.get(url)
        if "evaluator.declare" in app.view_functions:
            assert response.status_code == 302
            assert f"/evaluator/tenders/{world.tender_id}/declaration" in response.location
        else:
            assert response.status_code == 404


def test_unassigned_and_other_tenders_are_not_found(app, world):
    client = _client(app, world.w.evaluators[0])
    assert (
        client.get(f"/evaluator/tenders/{world.tender_id}/questions/{world.q2}").status_code == 404
    )
    assert client.get(_mark_url(world, world.order[0], world.q2)).status_code == 404
    assert client.get(_mark_url(world, 999_999)).status_code == 404
    assert client.get(f"/evaluator/tenders/999/questions/{world.q1}").status_code == 404


def test_conflicted_marker_gets_404_on_that_bidders_answers(app, make_user, world):
    make_user("evaluator", email="conflicted@council.example", organisation="Test Council")
    conflicted_org = world.w.bidder_org_ids[0]
    with app_ctx(app):
        assign(world.tender_id, world.q1, "conflicted@council.example")
        declare(world.tender_id, "conflicted@council.example", conflicts=(conflicted_org,))
    client = _client(app, "conflicted@council.example")
    hidden = [world.w.bid_ids[(conflicted_org, lot)] for lot in world.w.lot_ids]
    visible = [b for b in world.order if b not in hidden]
    listing = client.get(f"/evaluator/tenders/{world.tender_id}/questions/{world.q1}")
    assert sorted(int(b) for b in re.findall(r"/bids/(\d+)", listing.get_data(as_text=True))) == (
        sorted(visible)
    )
    assert client.get(_mark_url(world, visible[0])).status_code == 200
    token = csrf_token(client, _mark_url(world, visible[0]))
    for bid_id in hidden:
        assert client.get(_mark_url(world, bid_id)).status_code == 404
        response = client.post(
            _mark_url(world, bid_id),
            data={"csrf_token": token, "mark": "3", "rationale": "x", "submit_mark": "1"},
        )
        assert response.status_code == 404
    with app_ctx(app):
        assert db.session.scalars(select(Mark)).all() == []


def test_mark_page_never_shows_price_or_other_answers(app, world):
    bid_id = world.order[0]
    with app_ctx(app):
        bid = db.session.get(Bid, bid_id)
        opened = next(
            o for o in read_bids(world.tender_id, f.user(world.w.officer)) if o.bid_id == bid_id
        )
        tender = db.session.get(Tender, world.tender_id)
        price = bid_service.breakdown(opened.content, tender, bid.lot).breakdown.total_rounded
        answers = opened.content["answers"]
        pay = opened.content["cost_inputs"]["basic_pay"]
    html = _client(app, world.w.evaluators[0]).get(_mark_url(world, bid_id)).get_data(as_text=True)
    assert answers[str(world.q1)] in html
    assert answers[str(world.q2)] not in html and answers[str(world.w.question_ids[2])] not in html
    assert "to question 2" not in html and "to question 3" not in html
    assert f"{price}" not in html and "£" not in html and pay not in html
    assert "5 — Excellent:" in html and "0 — " in html
    assert "Save and come back later" in html and "Submit this mark" in html
    assert "Care Provider" not in html


def test_save_come_back_submit_then_see_others(app, world):
    one, two = world.w.evaluators
    bid_id = world.order[0]
    with app_ctx(app):
        marking.save_mark(
            f.user(two).id, world.tender_id, world.q1, bid_id, "2", "Thin.\n<b>No</b> plan.", True
        )
    client = _client(app, one)
    url = _mark_url(world, bid_id)
    before = client.get(url).get_data(as_text=True)
    assert "Thin." not in before  # not before submitting
    response = _post(client, url, mark="4", rationale="Good local recruiting.", save="1")
    assert response.status_code == 302 and response.location.endswith(f"/questions/{world.q1}")
    listing = client.get(response.location).get_data(as_text=True)
    assert "In progress" in listing and "has been saved" in listing
    again = client.get(url).get_data(as_text=True)
    assert "Good local recruiting." in again and 'value="4" checked' in again
    assert "Thin." not in again
    response = _post(client, url, mark="4", rationale="Good local recruiting.", submit_mark="1")
    assert response.status_code == 302 and response.location.endswith(url)
    after = client.get(url).get_data(as_text=True)
    assert "Thin." in after and "2 — " in after and "4 — " in after
    assert "&lt;b&gt;No&lt;/b&gt; plan." in after and "<b>No</b>" not in after
    assert "&lt;span" not in after  # the line-keeping wrapper is markup, not text
    assert "Submit this mark" not in after
    token = csrf_token(client, _mark_url(world, world.order[1]))  # no form once submitted
    refused = client.post(
        url, data={"csrf_token": token, "mark": "1", "rationale": "Changed", "submit_mark": "1"}
    )
    assert refused.status_code == 400 and "moderator" in refused.get_data(as_text=True)
    assert "1 of 6 answers marked" in client.get("/evaluator/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mark": "9", "rationale": "Typed reasons", "submit_mark": "1"}, "Choose a mark from 0"),
        ({"mark": "abc", "rationale": "Typed reasons", "save": "1"}, "Choose a mark from 0"),
        ({"rationale": "Typed reasons", "submit_mark": "1"}, "Choose a mark before you submit"),
        ({"mark": "3", "rationale": "", "submit_mark": "1"}, "Explain why you gave this mark"),
        ({"mark": "3", "rationale": "Typed reasons" + "x" * 5000, "save": "1"}, "5,000"),
    ],
)
def test_bad_input_is_a_400_with_the_summary_and_keeps_what_was_typed(app, world, data, message):
    client = _client(app, world.w.evaluators[0])
    url = _mark_url(world, world.order[0])
    response = _post(client, url, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and message in html
    if data["rationale"]:
        assert "Typed reasons" in html
    with app_ctx(app):
        assert db.session.scalars(select(Mark)).all() == []


@pytest.mark.parametrize(
    "value", ["", "x" * 10_000, "a\x00b\x01c", '<script>alert("x")</script>', "Zoë ✓ \u202e"]
)
def test_odd_input_never_gives_a_server_error(app, world, value):
    client = _client(app, world.w.evaluators[0])
    url = _mark_url(world, world.order[0])
    for button in ("save", "submit_mark"):
        response = _post(client, url, mark=value, rationale=value, **{button: "1"})
        assert response.status_code < 500
        assert '<script>alert("x")</script>' not in response.get_data(as_text=True)


def test_named_marking_shows_names_to_officers_not_evaluators(app, world):
    with app_ctx(app):
        db.session.get(Tender, world.tender_id).named_marking = True
        db.session.commit()
        declare(world.tender_id, world.w.officer2)
    officer = _client(app, world.w.officer2)
    listing = officer.get(f"/evaluator/tenders/{world.tender_id}/questions/{world.q1}")
    assert re.search(r"Care Provider [A-C] Ltd \(Bidder [A-C], lot [12]\)", listing.text)
    evaluator = _client(app, world.w.evaluators[0])
    listing = evaluator.get(f"/evaluator/tenders/{world.tender_id}/questions/{world.q1}")
    assert "Care Provider" not in listing.text
