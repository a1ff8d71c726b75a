"""The Experts-by-Experience panel's marking pages: plain words, one answer per page, and never a
care company's name, a price or a cost figure; other people get 403, other answers 404."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from dps.extensions import db
from dps.models import Role
from dps.models.evaluation import Mark
from dps.services import marking
from tests.conftest import app_ctx, csrf_token, sign_in
from tests.dps import tender_factories as f
from tests.dps.panel_marking_setup import declare, forbidden_words, leaks, panel_world

ANSWER_TEXT = re.compile(r'<div[^>]*id="answer-text"[^>]*>[^<]*</div>')
REASON = "They say they will ask people every month & change things when asked. <b>Good</b>"


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _order(app, email, tender_id, question_id) -> list[int]:
    with app_ctx(app):
        refs = marking.answers_for(f.user(email).id, tender_id, question_id)
        return [ref.bid_id for ref in refs]


def _answer_url(pw, bid_id) -> str:
    w = pw.world
    return f"/panel/tenders/{w.tender_id}/questions/{pw.question_id}/answers/{bid_id}"


def _question_url(pw) -> str:
    return f"/panel/tenders/{pw.world.tender_id}/questions/{pw.question_id}"


def _post(client, url, **data):
    token = csrf_token(client, "/forgotten-password")  # one token serves the whole session
    return client.post(url, data={"csrf_token": token, **data})


def _assert_clean(html: str, words: list[str], where: str) -> None:
    found = leaks(html, words)
    assert found == [], f"{where} shows {found}"
    html = ANSWER_TEXT.sub("", html)  # the care company's own words are theirs, not ours
    for jargon in ("tender", "bidder", "evaluation", "moderat", "price", "cost", r"lot \d"):
        assert not re.search(rf">[^<]*\b{jargon}", html, re.I), f"{where} says {jargon!r}"


def test_panelmark_every_page_is_free_of_names_prices_and_costs(app, make_user):
    pw = panel_world(app, make_user)
    words = forbidden_words(app, pw.world)
    assert "Care Provider A Ltd" in words and any(re.fullmatch(r"2\d\.\d\d", w) for w in words)
    member = pw.world.panel[0]
    client = _client(app, member)
    order = _order(app, member, pw.world.tender_id, pw.question_id)
    assert len(order) == 6  # 3 care companies × 2 areas

    pages = {}
    dashboard = client.get("/panel/").get_data(as_text=True)
    assert "You have marked 0 of 6 answers" in dashboard
    pages["dashboard"] = dashboard
    pages["how it works"] = client.get("/panel/how-marking-works").get_data(as_text=True)
    question = client.get(_question_url(pw))
    assert question.status_code == 200
    pages["question"] = question.get_data(as_text=True)
    assert "A good answer tells you how they will do this." in pages["question"]

    bad = _post(client, _answer_url(pw, order[0]), mark="9", rationale=REASON, action="submit")
    assert bad.status_code == 400
    pages["bad mark"] = bad.get_data(as_text=True)
    assert "Choose one of the marks on the list" in pages["bad mark"]
    assert "They say they will ask people every month &amp; change things" in pages["bad mark"]

    for position, bid_id in enumerate(order, start=1):
        page = client.get(_answer_url(pw, bid_id))
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f"Answer {position} of 6" in html
        assert re.search(r"Answer from Care company [A-C] for \w+", html)
        assert "How good is this answer?" in html and "Why did you give this mark?" in html
        assert "Bidder answer" in html  # the answer text itself is shown
        pages[f"answer {position}"] = html
        done = _post(client, _answer_url(pw, bid_id), mark="4", rationale=REASON, action="submit")
        assert done.status_code == 302
        pages[f"answer {position} after"] = client.get(_answer_url(pw, bid_id)).get_data(
            as_text=True
        )
    assert done.location.endswith(f"{_question_url(pw)}/finished")
    finished = client.get(done.location).get_data(as_text=True)
    assert "You have finished" in finished
    pages["finished"] = finished
    pages["dashboard after"] = client.get("/panel/").get_data(as_text=True)
    assert "You have marked 6 of 6 answers" in pages["dashboard after"]

    for name, html in pages.items():
        _assert_clean(html, words, name)


def test_panelmark_submit_goes_to_the_next_answer_and_save_comes_back(app, make_user):
    pw = panel_world(app, make_user)
    member = pw.world.panel[0]
    client = _client(app, member)
    order = _order(app, member, pw.world.tender_id, pw.question_id)

    saved = _post(client, _answer_url(pw, order[1]), mark="3", rationale="Half", action="save")
    assert saved.status_code == 302 and saved.location == "/panel/"
    dashboard = client.get("/panel/").get_data(as_text=True)
    assert "You have marked 0 of 6 answers" in dashboard and "saved 1 to finish later" in dashboard
    again = client.get(_answer_url(pw, order[1])).get_data(as_text=True)
    assert re.search(r'value="3"\s+checked', again) and ">Half</textarea>" in again

    first = _post(client, _answer_url(pw, order[0]), mark="5", rationale=REASON, action="submit")
    assert first.location == _answer_url(pw, order[1])  # straight on to the next one
    second = _post(client, _answer_url(pw, order[1]), mark="3", rationale="Half", action="submit")
    assert second.location == _answer_url(pw, order[2])

    # A submitted mark stays as it is.
    page = client.get(_answer_url(pw, order[0])).get_data(as_text=True)
    assert "Excellent — 5" in page or "— 5" in page
    assert 'name="mark"' not in page
    assert "&lt;b&gt;Good&lt;/b&gt;" in page and "&lt;span" not in page  # escaped once
    late = _post(client, _answer_url(pw, order[0]), mark="1", rationale="Changed", action="save")
    assert late.status_code == 400 and "cannot be changed" in late.get_data(as_text=True)
    with app_ctx(app):
        row = db.session.scalar(db.select(Mark).where(Mark.bid_id == order[0]))
        assert row.mark == 5 and row.rationale == REASON.strip()

    # The finished page, reached early, says what is left.
    early = client.get(f"{_question_url(pw)}/finished").get_data(as_text=True)
    assert "4 still to mark" in early and "You have finished" not in early


def test_panelmark_submitting_needs_a_mark_and_a_reason(app, make_user):
    pw = panel_world(app, make_user)
    member = pw.world.panel[0]
    client = _client(app, member)
    url = _answer_url(pw, _order(app, member, pw.world.tender_id, pw.question_id)[0])

    no_mark = _post(client, url, rationale=REASON, action="submit")
    body = no_mark.get_data(as_text=True)
    assert (
        no_mark.status_code == 400
        and "Choose how good this answer is before you say you are happy" in body
    )
    assert "There is a problem" in body and 'href="#mark"' in body
    assert "They say they will ask people every month &amp; change" in body

    no_reason = _post(client, url, mark="2", rationale="  ", action="submit")
    body = no_reason.get_data(as_text=True)
    assert no_reason.status_code == 400 and "Tell us why you gave this mark before" in body
    assert 'href="#rationale"' in body and re.search(r'value="2"\s+checked', body)

    words = _post(client, url, mark="two", rationale=REASON, action="submit")
    assert words.status_code == 400
    assert "Choose one of the marks on the list" in words.get_data(as_text=True)
    too_long = _post(client, url, mark="2", rationale="x" * 5001, action="save")
    assert too_long.status_code == 400 and "Your reason is too long" in too_long.get_data(
        as_text=True
    )
    with app_ctx(app):
        assert db.session.scalar(db.select(db.func.count(Mark.id))) == 0


@pytest.mark.parametrize("role", [Role.OFFICER, Role.EVALUATOR, Role.PROVIDER, Role.ADMIN])
def test_panelmark_other_roles_get_403(app, make_user, login, role):
    pw = panel_world(app, make_user)
    client = login(role)
    bid_id = next(iter(pw.world.bid_ids.values()))
    for url in (
        "/panel/",
        "/panel/how-marking-works",
        _question_url(pw),
        _answer_url(pw, bid_id),
        f"{_question_url(pw)}/finished",
    ):
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/forgotten-password")
    response = client.post(
        _answer_url(pw, bid_id),
        data={"csrf_token": token, "mark": "5", "rationale": "x", "action": "submit"},
    )
    assert response.status_code == 403


def test_panelmark_the_officer_tenders_bidders_see_nothing(app, make_user):
    pw = panel_world(app, make_user)
    client = _client(app, pw.world.officer)
    assert client.get(_question_url(pw)).status_code == 403
    bidder = _client(app, pw.world.bidders[0])
    assert bidder.get(_question_url(pw)).status_code == 403


def test_panelmark_another_tenders_answer_and_unassigned_questions_are_404(app, make_user):
    pw = panel_world(app, make_user)
    other = panel_world(app, make_user, prefix="o-")
    member = pw.world.panel[0]
    client = _client(app, member)
    foreign_bid = next(iter(other.world.bid_ids.values()))
    assert client.get(_answer_url(pw, foreign_bid)).status_code == 404
    own_bid = _order(app, member, pw.world.tender_id, pw.question_id)[0]
    w = pw.world
    assert (
        client.get(
            f"/panel/tenders/{w.tender_id}/questions/{pw.officer_question_id}/answers/{own_bid}"
        ).status_code
        == 404
    )
    assert (
        client.get(f"/panel/tenders/{w.tender_id}/questions/{pw.officer_question_id}").status_code
        == 404
    )
    assert (
        client.get(
            f"/panel/tenders/{other.world.tender_id}/questions/{other.question_id}"
        ).status_code
        == 404
    )
    assert client.get(f"/panel/tenders/{w.tender_id}/questions/999999/finished").status_code == 404
    response = _post(client, _answer_url(pw, foreign_bid), mark="5", rationale="x", action="submit")
    assert response.status_code == 404


def test_panelmark_a_conflicted_members_bidder_is_404(app, make_user):
    pw = panel_world(app, make_user)
    member = pw.world.panel[1]  # declared a conflict with the first care company
    client = _client(app, member)
    order = _order(app, member, pw.world.tender_id, pw.question_id)
    assert len(order) == 4 and not set(order) & set(pw.conflicted_bid_ids)
    assert "You have marked 0 of 4 answers" in client.get("/panel/").get_data(as_text=True)
    for bid_id in pw.conflicted_bid_ids:
        assert client.get(_answer_url(pw, bid_id)).status_code == 404
        response = _post(client, _answer_url(pw, bid_id), mark="5", rationale="x", action="save")
        assert response.status_code == 404
    with app_ctx(app):
        assert db.session.scalar(db.select(db.func.count(Mark.id))) == 0


def test_panelmark_others_marks_show_only_after_your_own(app, make_user):
    pw = panel_world(app, make_user)
    first, second = pw.world.panel
    shared = _order(app, second, pw.world.tender_id, pw.question_id)[0]
    one = _client(app, first)
    assert (
        _post(
            one, _answer_url(pw, shared), mark="2", rationale="Too vague", action="submit"
        ).status_code
        == 302
    )
    two = _client(app, second)
    before = two.get(_answer_url(pw, shared)).get_data(as_text=True)
    assert "Too vague" not in before and "What others on the panel thought" not in before
    _post(two, _answer_url(pw, shared), mark="4", rationale="Clear plan", action="submit")
    after = two.get(_answer_url(pw, shared)).get_data(as_text=True)
    assert "What others on the panel thought" in after and "Too vague" in after


def test_panelmark_before_declaring_the_member_is_sent_to_declare(app, make_user):
    pw = panel_world(app, make_user, declare=False)
    member = pw.world.panel[0]
    client = _client(app, member)
    bid_id = next(iter(pw.world.bid_ids.values()))
    dashboard = client.get("/panel/").get_data(as_text=True)
    assert "tell us if you know anyone" in dashboard and "Bidder answer" not in dashboard
    declare_registered = "panel.declare" in app.view_functions
    for url in (_question_url(pw), _answer_url(pw, bid_id), f"{_question_url(pw)}/finished"):
        response = client.get(url)
        if declare_registered:
            with app.test_request_context():
                target = url_for("panel.declare", tender_id=pw.world.tender_id)
            assert response.status_code == 302 and response.location == target
        else:
            body = response.get_data(as_text=True)
            assert response.status_code == 200 and "Before you start" in body
            assert "Bidder answer" not in body
    posted = _post(client, _answer_url(pw, bid_id), mark="5", rationale="x", action="submit")
    assert posted.status_code in (200, 302)
    with app_ctx(app):
        assert db.session.scalar(db.select(db.func.count(Mark.id))) == 0
    declare(app, pw.world, member)
    assert client.get(_question_url(pw)).status_code == 200
