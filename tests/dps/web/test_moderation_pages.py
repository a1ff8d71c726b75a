"""The moderation pages over HTTP: roles, scoping, the grid, the consensus form, bad input and
the number of SQL statements the grid issues."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import event, select

from dps.extensions import db
from dps.models import ConsensusMark, Mark, Role
from tests.conftest import app_ctx, csrf_token, sign_in
from tests.dps.evaluation_factories import evaluation_world
from tests.dps.moderation_factories import add_mark, mark_everything


@pytest.fixture
def world(app, make_user):
    return evaluation_world(app, make_user, bidders=2, lots=1)


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _grid(world) -> str:
    return f"/officer/tenders/{world.tender_id}/evaluation/moderation"


def _answer(world, bid_id, question_id) -> str:
    return f"{_grid(world)}/{bid_id}/{question_id}"


def _first(world):
    return world.bid_ids[(world.bidder_org_ids[0], world.lot_ids[0])], world.question_ids[0]


def _marks(app, world, first=2, second=4):
    bid_id, question_id = _first(world)
    with app_ctx(app):
        add_mark(world.tender_id, bid_id, question_id, world.officer2, first, "Thin on retention.")
        add_mark(world.tender_id, bid_id, question_id, world.evaluators[0], second, "Strong plan.")
        db.session.commit()
    return bid_id, question_id


def test_moderation_pages_are_for_officers_only(app, world, login):
    bid_id, question_id = _marks(app, world)
    for role in (Role.EVALUATOR, Role.PANEL, Role.PROVIDER):
        client = login(role)
        assert client.get(_grid(world)).status_code == 403
        assert client.get(_answer(world, bid_id, question_id)).status_code == 403
    for email in (*world.evaluators, *world.panel):
        client = _client(app, email)
        assert client.get(_grid(world)).status_code == 403
        assert client.get(_answer(world, bid_id, question_id)).status_code == 403


def test_moderation_pages_404_for_another_authority_and_unknown_answers(app, world):
    bid_id, question_id = _marks(app, world)
    outsider = _client(app, world.outsider_officer)
    assert outsider.get(_grid(world)).status_code == 404
    assert outsider.get(_answer(world, bid_id, question_id)).status_code == 404
    officer = _client(app, world.officer)
    assert officer.get(_answer(world, bid_id, 999999)).status_code == 404
    assert officer.get(_answer(world, 999999, question_id)).status_code == 404
    assert officer.get("/officer/tenders/999999/evaluation/moderation").status_code == 404


def test_moderation_grid_shows_marks_side_by_side_and_filters(app, world):
    bid_id, question_id = _marks(app, world)
    officer = _client(app, world.officer)
    page = officer.get(_grid(world)).get_data(as_text=True)
    assert "0 of 6 answers agreed" in page and "0 of 2 answers agreed" in page
    assert "Test officer: <strong>2</strong>" in page
    assert "Test evaluator: <strong>4</strong>" in page
    assert len(DISCUSS.findall(page)) == 1 and "Not agreed" in page
    assert "2 of 2 still to be submitted" in page  # the unmarked answers
    assert re.search(r"Care Provider [AB] Ltd \(Bidder [AB]\), lot 1", page)
    assert _answer(world, bid_id, question_id) in page
    discuss = officer.get(_grid(world) + "?show=discuss").get_data(as_text=True)
    assert discuss.count(f"{_grid(world)}/") == 1
    assert "No answers need discussion." in discuss  # the other questions
    odd = officer.get(_grid(world) + "?show=%3Cscript%3Ex")
    assert odd.status_code == 200 and "<script>x" not in odd.get_data(as_text=True)
    assert '<strong aria-current="page">All answers</strong>' in odd.get_data(as_text=True)


def test_moderation_answer_page_and_agreeing_a_consensus(app, world):
    bid_id, question_id = _marks(app, world)
    officer = _client(app, world.officer)
    url = _answer(world, bid_id, question_id)
    page = officer.get(url).get_data(as_text=True)
    assert "Bidder answer 0 to question 1" in page  # decrypted
    assert "Thin on retention." in page and "Strong plan." in page
    assert "marks range from 2 to 4 (a gap of 2" in page
    assert "5 — Excellent" in page
    token = csrf_token(officer, url)

    refused = officer.post(url, data={"csrf_token": token, "mark": "3", "reason": ""})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "There is a problem" in body
    assert "differs from every individual mark (2, 4); give the reason" in body
    assert 'value="3" checked' in body  # what was chosen is kept

    done = officer.post(
        url, data={"csrf_token": token, "mark": "3", "reason": "Agreed at the meeting."}
    )
    assert done.status_code == 302 and done.location.endswith("#question-1")
    grid = officer.get(_grid(world)).get_data(as_text=True)
    assert "1 of 6 answers agreed" in grid and "Consensus mark 3 agreed" in grid
    again = officer.get(url).get_data(as_text=True)
    assert "Agreed at the meeting." in again and "Change the consensus mark" in again
    with app_ctx(app):
        assert db.session.scalar(select(ConsensusMark.mark)) == 3
        assert sorted(db.session.scalars(select(Mark.mark))) == [2, 4]


def test_moderation_form_not_offered_while_marks_are_missing(app, world):
    bid_id, question_id = _first(world)
    with app_ctx(app):
        add_mark(world.tender_id, bid_id, question_id, world.officer2, 3)
        db.session.commit()
    officer = _client(app, world.officer)
    url = _answer(world, bid_id, question_id)
    page = officer.get(url).get_data(as_text=True)
    assert "1 of the 2 marks needed is still to be submitted" in page
    assert 'name="mark"' not in page
    token = csrf_token(officer, "/officer/dps/new")  # this page offers no form yet
    response = officer.post(url, data={"csrf_token": token, "mark": "3"})
    assert response.status_code == 400
    assert "1 of the 2 marks needed for this answer is still to be submitted" in (
        response.get_data(as_text=True)
    )


DISCUSS = re.compile(r"govuk-tag--red\">\s*Discuss\s*<")
ODD = ["", "x" * 10_000, "a\x00b\x01c\x7f", '<script>alert("x")</script>', "'; DROP --", "Zoë ✓"]


@pytest.mark.parametrize("value", ODD)
def test_moderation_form_odd_input_gets_a_message(app, world, value):
    bid_id, question_id = _marks(app, world)
    officer = _client(app, world.officer)
    url = _answer(world, bid_id, question_id)
    token = csrf_token(officer, url)
    for data in ({"mark": value, "reason": value}, {"mark": "3", "reason": value * 2}):
        response = officer.post(url, data={"csrf_token": token, **data})
        assert response.status_code in (302, 400), response.status_code
        body = response.get_data(as_text=True)
        if response.status_code == 400:
            assert "There is a problem" in body and '<script>alert("x")</script>' not in body


def test_moderation_form_non_utf8_and_lists(app, world):
    bid_id, question_id = _marks(app, world)
    officer = _client(app, world.officer)
    url = _answer(world, bid_id, question_id)
    token = csrf_token(officer, url)
    raw = f"mark=%FF%FE&reason=%C3%28&csrf_token={quote(token)}"
    response = officer.post(
        url, data=raw.encode("ascii"), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    listed = officer.post(url, data={"csrf_token": token, "mark": ["3", "4"], "reason": "r"})
    assert listed.status_code < 500


def _statements(app, client, path: str) -> int:
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen)


def test_moderation_grid_statements_do_not_grow_with_bidders(app, make_user):
    small = evaluation_world(app, make_user, bidders=4, lots=2, prefix="s")
    large = evaluation_world(app, make_user, bidders=20, lots=2, prefix="l")
    for world in (small, large):
        with app_ctx(app):
            mark_everything(
                world.tender_id, world.question_ids, [world.officer2, *world.evaluators]
            )
    bid_id = small.bid_ids[(small.bidder_org_ids[0], small.lot_ids[0])]
    officer = _client(app, small.officer)
    path = _answer(small, bid_id, small.question_ids[0])
    officer.post(path, data={"csrf_token": csrf_token(officer, path), "mark": "4"})
    with app_ctx(app):
        assert db.session.scalar(select(ConsensusMark.id)) is not None
    for world in (small, large):
        officer.get(_grid(world))  # warm up
    with_4 = _statements(app, officer, _grid(small))
    with_20 = _statements(app, officer, _grid(large))
    page = officer.get(_grid(large)).get_data(as_text=True)
    assert "0 of 120 answers agreed" in page and len(DISCUSS.findall(page)) == 120
    assert with_4 == with_20, (with_4, with_20)
    assert with_20 <= 12


def test_moderation_pages_note_a_moderator_who_also_marked(app, world):
    bid_id, question_id = _marks(app, world)
    marker = _client(app, world.officer2)
    grid = marker.get(_grid(world)).get_data(as_text=True)
    assert "You marked 1 of these answers yourself" in grid
    assert "Test officer: <strong>2</strong> (you)" in grid
    page = marker.get(_answer(world, bid_id, question_id)).get_data(as_text=True)
    assert "You marked this answer yourself (2)" in page
    lead = _client(app, world.officer).get(_grid(world)).get_data(as_text=True)
    assert "yourself" not in lead
