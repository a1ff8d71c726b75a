"""The award page over HTTP: who may see it, refusals as 400 pages with the GOV.UK error summary
(never a 500), odd input, and the progress bar that refreshes itself only while running."""

from __future__ import annotations

import pytest

from dps.extensions import db
from dps.models.award import AwardLetter
from dps.services import awards
from tests.conftest import app_ctx, csrf_token, sign_in
from tests.dps import tender_factories as f
from tests.dps.award_factories import hand_results
from tests.dps.evaluation_factories import evaluation_world

ODD = {
    "empty": "",
    "huge": "x" * 10_000,
    "nul and controls": "a\x00b\x01c\x7f",
    "html": '<script>alert("x")</script><b>bold</b>',
    "unicode": "Zoë ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e",
}


@pytest.fixture
def world(app, make_user, monkeypatch):
    built = evaluation_world(app, make_user, bidders=3, lots=1)
    results = hand_results(app, built)
    monkeypatch.setattr(awards, "results_for", lambda tender_id: results)
    return built


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _url(world) -> str:
    return f"/officer/tenders/{world.tender_id}/award"


def test_award_page_is_for_officers_of_the_tender_only(app, world, login):
    page = _client(app, world.officer).get(_url(world))
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Results as they stand" in body and "Propose the award" in body
    assert 'http-equiv="refresh"' not in body
    assert _client(app, world.outsider_officer).get(_url(world)).status_code == 404
    assert _client(app, world.bidders[0]).get(_url(world)).status_code == 403
    assert login("evaluator").get(_url(world)).status_code == 403
    assert _client(app, world.officer).get("/officer/tenders/999999/award").status_code == 404


def test_award_approval_by_the_proposer_is_a_400_page_with_the_reason(app, world):
    client = _client(app, world.officer)
    token = csrf_token(client, _url(world))
    assert client.post(_url(world), data={"csrf_token": token, "action": "propose"}).status_code
    page = client.get(_url(world)).get_data(as_text=True)
    assert "a different officer must approve it" in page and 'value="approve"' not in page
    response = client.post(_url(world), data={"csrf_token": token, "action": "approve"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "There is a problem" in body and "You proposed this award" in body
    response = client.post(_url(world), data={"csrf_token": token, "action": "propose"})
    assert response.status_code == 400 and "already been proposed" in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize("kind", list(ODD))
def test_award_withdraw_reason_with_odd_input_never_gives_a_server_error(app, world, kind):
    with app_ctx(app):
        awards.propose(world.tender_id, f.user(world.officer))
    client = _client(app, world.officer)
    token = csrf_token(client, _url(world))
    response = client.post(
        _url(world), data={"csrf_token": token, "action": "withdraw", "reason": ODD[kind]}
    )
    body = response.get_data(as_text=True)
    assert response.status_code in (302, 400), body[:500]
    if response.status_code == 400:
        assert "There is a problem" in body
    assert '<script>alert("x")</script>' not in body
    expected = "withdrawn" if kind in ("html", "unicode", "nul and controls") else "proposed"
    with app_ctx(app):
        assert awards.award_for(world.tender_id).status == expected


def test_award_bad_actions_and_missing_letters_are_refused(app, world):
    client = _client(app, world.officer)
    token = csrf_token(client, _url(world))
    assert client.post(_url(world), data={"csrf_token": token, "action": "x"}).status_code == 400
    assert client.post(_url(world), data={"csrf_token": token}).status_code == 400
    assert client.post(_url(world), data={"action": "propose"}).status_code == 400  # no CSRF
    retry = f"{_url(world)}/letters/999/retry"
    assert client.post(retry, data={"csrf_token": token}).status_code == 404


def test_award_progress_refreshes_only_while_letters_are_being_made(app, world, run_jobs):
    with app_ctx(app):
        awards.propose(world.tender_id, f.user(world.officer))
        awards.approve(world.tender_id, f.user(world.officer2))
    client = _client(app, world.officer2)
    body = client.get(_url(world)).get_data(as_text=True)
    assert "0 of 3 letters made" in body and 'http-equiv="refresh" content="3"' in body
    run_jobs()
    body = client.get(_url(world)).get_data(as_text=True)
    assert "3 of 3 letters made" in body and 'http-equiv="refresh"' not in body
    assert "Ends at midnight at the end of" in body


def test_award_failed_letter_shows_its_error_and_a_retry_button(app, world):
    with app_ctx(app):
        awards.propose(world.tender_id, f.user(world.officer))
        awards.approve(world.tender_id, f.user(world.officer2))
        letter = db.session.scalars(db.select(AwardLetter).order_by(AwardLetter.id)).first()
        letter.status, letter.last_error, letter.attempts = "failed", "OSError: disk full", 6
        letter_id = letter.id
        db.session.commit()
    client = _client(app, world.officer)
    body = client.get(_url(world)).get_data(as_text=True)
    assert "OSError: disk full" in body and f"/letters/{letter_id}/retry" in body
    token = csrf_token(client, _url(world))
    response = client.post(f"{_url(world)}/letters/{letter_id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    with app_ctx(app):
        assert db.session.get(AwardLetter, letter_id).status == "pending"
    response = client.post(f"{_url(world)}/letters/{letter_id}/retry", data={"csrf_token": token})
    assert response.status_code == 400 and "Only a failed letter" in response.get_data(as_text=True)
