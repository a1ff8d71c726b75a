"""The clarification, deadline and opening pages over HTTP: permissions, messages, PRG."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import AuditEvent, Role, Tender, TenderClarification
from dps.officer.tender_opening import parse_time
from dps.state import clock
from tests.conftest import app_ctx, csrf_token, sign_in
from tests.dps import tender_factories as f
from tests.dps.web.test_form_inputs import ODD

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLARIFY_BY = T0 + timedelta(days=7)
CLOSING = T0 + timedelta(days=14)
AFTER = CLOSING + timedelta(minutes=5)


class World:
    """Ids and paths, and a test client per person, signed in the first time it is used."""

    def __init__(self, app, emails: dict[str, str], **values) -> None:
        self._app, self._emails, self._clients = app, emails, {}
        self.__dict__.update(values)

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self._emails:
            raise AttributeError(name)
        if name not in self._clients:
            client = self._app.test_client()
            assert sign_in(client, self._emails[name]).status_code == 302
            client.email = self._emails[name]
            self._clients[name] = client
        return self._clients[name]


@pytest.fixture
def world(app, make_user):
    clock.set_fixed(T0)
    emails = {
        "first": make_user(Role.OFFICER, email="first@council.example"),
        "second": make_user(Role.OFFICER, email="second@council.example"),
        "acme": make_user(Role.PROVIDER, email="sam@acme.example", organisation="Acme Care Ltd"),
        "bingham": make_user(
            Role.PROVIDER, email="jo@bingham.example", organisation="Bingham Care"
        ),
        "stranger": make_user(
            Role.PROVIDER, email="al@stranger.example", organisation="Stranger Ltd"
        ),
        "outsider": make_user(Role.OFFICER, email="x@elsewhere.example", organisation="Elsewhere"),
    }
    with app_ctx(app):
        tender_id = f.make_tender(
            emails["first"],
            closing_at=CLOSING,
            clarification_deadline=CLARIFY_BY,
            reference="T-WEB-1",
        )
        acme_id = f.invite(tender_id, "Acme Care Ltd")
        bingham_id = f.invite(tender_id, "Bingham Care")
        submitter = f.user(emails["acme"]).id
        f.make_bid(tender_id, 1, acme_id, submitter)  # Stockport 2018's defaults: £15.61
        higher_pay = {
            "answers": {},
            "cost_inputs": {"basic_pay": "9.00"},
            "call_rates": {},
            "capacity_hours": None,
            "subcontractors": None,
        }
        f.make_bid(tender_id, 2, bingham_id, submitter, higher_pay)  # £16.89
    return World(
        app,
        emails,
        tender_id=tender_id,
        questions=f"/provider/tenders/{tender_id}/questions",
        officer_questions=f"/officer/tenders/{tender_id}/clarifications",
        deadlines=f"/officer/tenders/{tender_id}/deadlines",
        opening=f"/officer/tenders/{tender_id}/opening",
    )


def _post(client, url, data, token_from=None):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, token_from or url)})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _question_id(app) -> int:
    with app_ctx(app):
        return db.session.scalar(select(TenderClarification.id).order_by(TenderClarification.id))


# The provider's page ------------------------------------------------------------------------


def test_an_invitee_sees_the_page_and_asks(app, world):
    page = world.acme.get(world.questions)
    assert page.status_code == 200
    body = _text(page)
    assert "Questions and answers" in body and "9am on Monday 9 March 2026" in body
    assert "No questions have been answered yet." in body
    response = _post(world.acme, world.questions, {"question": "Is travel time paid?"})
    assert response.status_code == 302 and response.location == world.questions
    body = _text(world.acme.get(world.questions))
    assert "Your question has been sent (reference Q" in body
    assert "Your questions waiting for an answer" in body and "Is travel time paid?" in body
    assert "Is travel time paid?" not in _text(world.bingham.get(world.questions))


def test_non_invitees_and_other_roles_cannot_see_the_page(app, world):
    assert world.stranger.get(world.questions).status_code == 404
    assert world.stranger.get("/provider/tenders/999999/questions").status_code == 404
    assert world.first.get(world.questions).status_code == 403
    token = csrf_token(world.stranger, "/provider/team")
    response = world.stranger.post(world.questions, data={"csrf_token": token, "question": "Hi"})
    assert response.status_code == 404


def test_an_empty_question_is_answered_with_a_message(app, world):
    response = _post(world.acme, world.questions, {"question": "  "})
    assert response.status_code == 400
    assert "There is a problem" in _text(response) and "Enter your question" in _text(response)


def test_after_the_deadline_the_form_is_gone_and_a_late_post_is_refused(app, world):
    token = csrf_token(world.acme, world.questions)
    clock.set_fixed(CLARIFY_BY)
    body = _text(world.acme.get(world.questions))
    assert 'name="question"' not in body
    assert "The deadline for clarification questions was 9am on Monday 9 March 2026" in body
    response = world.acme.post(world.questions, data={"csrf_token": token, "question": "Late?"})
    assert response.status_code == 400
    assert "You can no longer ask questions about this tender" in _text(response)


def test_another_invitee_sees_the_anonymised_answer(app, world):
    _post(world.acme, world.questions, {"question": "Acme Care Ltd asks: is mileage paid?"})
    question_id = _question_id(app)
    answer_url = f"{world.officer_questions}/{question_id}"
    form = _text(world.first.get(answer_url))
    assert "[provider name removed] asks: is mileage paid?" in form  # the default wording
    response = _post(
        world.first,
        answer_url,
        {
            "audience": "all",
            "published_question": "Is mileage paid?",
            "answer": "Yes, at 35p a mile.",
            "private_reason": "",
        },
    )
    assert response.status_code == 302 and response.location == world.officer_questions
    body = _text(world.bingham.get(world.questions))
    assert "Question 1" in body and "Is mileage paid?" in body and "35p a mile" in body
    assert "Acme" not in body
    assert world.first.get(answer_url).status_code == 302  # answered: back to the list


# The officer's pages ----------------------------------------------------------------------------


def test_the_officer_list_names_the_asker_and_outsiders_get_404(app, world):
    _post(world.acme, world.questions, {"question": "Is mileage paid?"})
    body = _text(world.first.get(world.officer_questions))
    assert "Question from Acme Care Ltd" in body and "Waiting for an answer (1)" in body
    assert world.outsider.get(world.officer_questions).status_code == 404
    question_id = _question_id(app)
    assert world.outsider.get(f"{world.officer_questions}/{question_id}").status_code == 404
    assert world.first.get(f"{world.officer_questions}/999999").status_code == 404
    assert world.acme.get(world.officer_questions).status_code == 403


@pytest.mark.parametrize(
    "data, message",
    [
        ({"audience": "private", "answer": "Yes."}, "Give the reason for answering only"),
        ({"audience": "all", "answer": ""}, "Enter the answer"),
        ({"answer": "Yes."}, "Select who should see the answer"),
    ],
)
def test_an_incomplete_answer_is_refused_with_a_message(app, world, data, message):
    _post(world.acme, world.questions, {"question": "Is mileage paid?"})
    url = f"{world.officer_questions}/{_question_id(app)}"
    response = _post(world.first, url, {"published_question": "", "private_reason": "", **data})
    assert response.status_code == 400
    assert "There is a problem" in _text(response) and message in _text(response)


def test_a_private_answer_shows_only_to_the_asker(app, world):
    _post(world.acme, world.questions, {"question": "Is our CQC report enough?"})
    url = f"{world.officer_questions}/{_question_id(app)}"
    response = _post(
        world.first,
        url,
        {"audience": "private", "answer": "Yes.", "private_reason": "About their own report"},
    )
    assert response.status_code == 302
    assert "Your question, answered only to you" in _text(world.acme.get(world.questions))
    assert "CQC report" not in _text(world.bingham.get(world.questions))
    assert "answered only to Acme Care Ltd" in _text(world.first.get(world.officer_questions))


def test_the_deadlines_form_is_prefilled_and_changes_them(app, world):
    body = _text(world.first.get(world.deadlines))
    assert 'value="16"' in body and 'value="09:00"' in body
    assert "no earlier" not in body and "9am on Thursday 12 March 2026" in body
    response = _post(
        world.first,
        world.deadlines,
        {
            "closing_date": ["23", "3", "2026"],
            "closing_time": "5pm",
            "clarification_date": ["16", "3", "2026"],
            "clarification_time": "midday",
            "reason": "More time after question 3",
        },
    )
    assert response.status_code == 302, _text(response)
    with app_ctx(app):
        tender = db.session.get(Tender, world.tender_id)
        assert tender.closing_at == datetime(2026, 3, 23, 17, 0, tzinfo=UTC)
        assert tender.clarification_deadline == datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
    assert "The deadlines have changed" in _text(world.first.get(world.officer_questions))


def test_leaving_a_closing_time_with_seconds_as_shown_keeps_it(app, world):
    end_of_day = datetime(2026, 3, 16, 23, 59, 59, tzinfo=UTC)
    with app_ctx(app):
        db.session.get(Tender, world.tender_id).closing_at = end_of_day
        db.session.commit()
    body = _text(world.first.get(world.deadlines))
    assert 'value="23:59"' in body
    response = _post(
        world.first,
        world.deadlines,
        {
            "closing_date": ["16", "3", "2026"],
            "closing_time": "23:59",
            "clarification_date": ["10", "3", "2026"],
            "clarification_time": "9am",
            "reason": "One more day for questions",
        },
    )
    assert response.status_code == 302
    with app_ctx(app):
        tender = db.session.get(Tender, world.tender_id)
        assert tender.closing_at == end_of_day
        assert tender.clarification_deadline == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"closing_time": "25:00"}, "Enter closing time like 5pm or 17:00"),
        ({"closing_date": ["31", "2", "2026"]}, "Closing date must be a real date"),
        ({"closing_date": ["", "", ""]}, "Enter the closing date"),
        ({"closing_date": ["11", "3", "2026"]}, "at least 10 days after the tender was published"),
        ({"reason": ""}, "Give the reason for the change"),
        ({"clarification_time": ""}, "Enter both the date and the time"),
        ({"closing_date": ["16", "3", "2026"], "closing_time": "09:00"}, "Change the closing"),
    ],
)
def test_bad_deadlines_are_refused_with_a_message(app, world, data, message):
    good = {
        "closing_date": ["23", "3", "2026"],
        "closing_time": "17:00",
        "clarification_date": ["9", "3", "2026"],
        "clarification_time": "09:00",
        "reason": "Because",
    }
    response = _post(world.first, world.deadlines, {**good, **data})
    assert response.status_code == 400
    assert "There is a problem" in _text(response) and message in _text(response)


# Opening ------------------------------------------------------------------------------------


def test_before_closing_only_counts_show_and_opening_is_refused(app, world):
    body = _text(world.first.get(world.opening))
    assert "Bids stay sealed until 9am on Monday 16 March 2026" in body
    assert "Acme" not in body and "Bingham" not in body and "15.61" not in body
    assert "Ask to open the bids" not in body
    response = _post(world.first, f"{world.opening}/request", {}, token_from="/forgotten-password")
    assert response.status_code == 400
    assert "Bids cannot be opened before the closing time" in _text(response)
    with app_ctx(app):
        refused = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "tender.opening_refused")
        )
        assert refused.actor_label == "first@council.example"
    assert world.outsider.get(world.opening).status_code == 404


def test_two_officers_open_the_bids(app, world):
    clock.set_fixed(AFTER)
    body = _text(world.first.get(world.opening))
    assert "Closed, not yet opened" in body and "Ask to open the bids" in body
    response = _post(world.first, f"{world.opening}/request", {}, token_from="/forgotten-password")
    assert response.status_code == 302
    body = _text(world.first.get(world.opening))
    assert "A different officer must now confirm the opening" in body
    assert "Confirm opening" not in body
    response = _post(world.first, f"{world.opening}/confirm", {}, token_from="/forgotten-password")
    assert response.status_code == 400
    assert "A second, different officer must confirm the opening" in _text(response)
    body = _text(world.second.get(world.opening))
    assert "first@council.example" in body and "Confirm opening" in body
    response = _post(world.second, f"{world.opening}/confirm", {}, token_from="/forgotten-password")
    assert response.status_code == 302
    body = _text(world.first.get(world.opening))
    assert "Acme Care Ltd" in body and "£15.61" in body and "£16.89" in body
    assert "Opened by" in body and "Test officer" in body
    with app_ctx(app):
        assert db.session.get(Tender, world.tender_id).status == "opened"


def test_opening_buttons_need_the_csrf_token(app, world):
    clock.set_fixed(AFTER)
    assert world.first.post(f"{world.opening}/request").status_code == 400
    with app_ctx(app):
        assert db.session.get(Tender, world.tender_id).opening_requested_by_id is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("17:00", time(17, 0)),
        ("5pm", time(17, 0)),
        ("5:30pm", time(17, 30)),
        ("9.15am", time(9, 15)),
        ("12am", None),
        ("12pm", time(12, 0)),
        ("midday", time(12, 0)),
        ("11:59pm", time(23, 59)),
        ("midnight", None),
        ("00:00", None),
        ("24:00", None),
        ("13pm", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_time(text, expected):
    if expected is None:
        with pytest.raises(ValueError):
            parse_time(text)
    else:
        assert parse_time(text) == expected


# Odd input on every form here (as tests/dps/web/test_form_inputs.py does for simple pages) ------

FIELD = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')


def _form_pages(app, world) -> list[tuple[object, str]]:
    world.acme.post(
        world.questions,
        data={"csrf_token": csrf_token(world.acme, world.questions), "question": "Why?"},
    )
    return [
        (world.acme, world.questions),
        (world.first, f"{world.officer_questions}/{_question_id(app)}"),
        (world.first, world.deadlines),
    ]


@pytest.mark.parametrize("kind", list(ODD))
def test_odd_input_never_gives_a_server_error(app, world, kind):
    for client, path in _form_pages(app, world):
        fields = sorted(set(FIELD.findall(_text(client.get(path)))) - {"csrf_token"})
        assert fields, path
        data = {name: ODD[kind] for name in fields}
        response = _post(client, path, data)
        assert response.status_code in (302, 400), (path, response.status_code)
        if response.status_code == 400:
            assert "There is a problem" in _text(response)
            assert '<script>alert("x")</script>' not in _text(response)


def test_non_utf8_and_list_input_is_answered_with_a_message(app, world):
    for client, path in _form_pages(app, world):
        fields = sorted(set(FIELD.findall(_text(client.get(path)))) - {"csrf_token"})
        token = csrf_token(client, path)
        body = "&".join(f"{quote(name)}=%FF%FE%C3%28" for name in fields)
        response = client.post(
            path,
            data=(body + f"&csrf_token={quote(token)}").encode("ascii"),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code < 500, path
        response = client.post(path, data={"csrf_token": token, fields[0]: ["a", "b"]})
        assert response.status_code < 500, path
