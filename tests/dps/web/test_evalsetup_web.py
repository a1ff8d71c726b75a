"""The evaluation hub, the markers page and the markers' declaration pages over HTTP: roles,
other authorities, bad input answered with a 400 and a message."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dps.extensions import db
from dps.models import ConflictDeclaration, DeclaredConflict, EvaluationAssignment, Tender
from dps.services import evaluation_assignments as assignments
from tests.conftest import app_ctx, csrf_token, sign_in
from tests.dps import tender_factories as f
from tests.dps.evaluation_factories import evaluation_world

ODD = ["", "x" * 10_000, "a\x00b\x01c\x7f", '<script>alert("x")</script>', "Zoë ✓ \u202e", "-1"]


@pytest.fixture
def world(app, make_user):
    return evaluation_world(app, make_user, bidders=3, lots=1)


def _client(app, email: str):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _urls(world) -> dict[str, str]:
    tid = world.tender_id
    return {
        "hub": f"/officer/tenders/{tid}/evaluation",
        "markers": f"/officer/tenders/{tid}/evaluation/markers",
        "evaluator": f"/evaluator/tenders/{tid}/declaration",
        "panel": f"/panel/tenders/{tid}/declaration",
    }


def _assign(app, world, question_index: int, email: str) -> None:
    with app_ctx(app):
        assignments.assign(
            f.user(world.officer),
            world.tender_id,
            world.question_ids[question_index],
            f.user(email).id,
        )


def _user_id(app, email: str) -> int:
    with app_ctx(app):
        return f.user(email).id


def _text(response) -> str:
    return response.get_data(as_text=True)


# Roles and other authorities -------------------------------------------------------------------


def test_officer_pages_answer_officers_of_the_authority_only(app, world, make_user):
    urls = _urls(world)
    officer = _client(app, world.officer)
    for key in ("hub", "markers"):
        assert officer.get(urls[key]).status_code == 200
    for email in (world.evaluators[0], world.panel[0], world.bidders[0]):
        client = _client(app, email)
        for key in ("hub", "markers"):
            assert client.get(urls[key]).status_code == 403, (email, key)
    outsider = _client(app, world.outsider_officer)
    for key in ("hub", "markers"):
        assert outsider.get(urls[key]).status_code == 404
    token = csrf_token(outsider, "/forgotten-password")
    response = outsider.post(
        urls["markers"],
        data={
            "csrf_token": token,
            "action": "assign",
            "question_id": world.question_ids[0],
            "user_id": _user_id(app, world.evaluators[0]),
        },
    )
    assert response.status_code == 404
    assert officer.get("/officer/tenders/9999/evaluation").status_code == 404
    assert officer.get("/officer/tenders/9999/evaluation/markers").status_code == 404


def test_declaration_pages_answer_assigned_markers_of_the_right_area_only(app, world):
    urls = _urls(world)
    _assign(app, world, 0, world.evaluators[0])
    _assign(app, world, 2, world.panel[0])
    assert _client(app, world.evaluators[0]).get(urls["evaluator"]).status_code == 200
    assert _client(app, world.panel[0]).get(urls["panel"]).status_code == 200
    assert _client(app, world.evaluators[1]).get(urls["evaluator"]).status_code == 404
    assert _client(app, world.panel[1]).get(urls["panel"]).status_code == 404
    assert _client(app, world.officer).get(urls["evaluator"]).status_code == 404  # not assigned
    assert _client(app, world.evaluators[0]).get(urls["panel"]).status_code == 403
    assert _client(app, world.panel[0]).get(urls["evaluator"]).status_code == 403
    assert _client(app, world.bidders[0]).get(urls["evaluator"]).status_code == 403
    assert _client(app, world.bidders[0]).get(urls["panel"]).status_code == 403
    assert (
        _client(app, world.evaluators[0]).get("/evaluator/tenders/9999/declaration").status_code
        == 404
    )


# The hub --------------------------------------------------------------------------------------


def test_the_hub_lists_the_steps_and_links_only_pages_that_exist(app, world):
    body = _text(_client(app, world.officer).get(_urls(world)["hub"]))
    for step in ("Markers and conflicts", "Marking", "Price checks", "Moderation", "Results"):
        assert step in body
    assert f'href="/officer/tenders/{world.tender_id}/evaluation/markers"' in body
    assert "0 of 18 marks submitted" in body  # 3 questions × 3 bids × 2 markers
    for endpoint in ("officer.price_checks", "officer.moderation", "officer.evaluation_results"):
        if endpoint in app.view_functions:
            with app.test_request_context():
                from flask import url_for

                assert f'href="{url_for(endpoint, tender_id=world.tender_id)}"' in body


def test_the_tender_overview_links_to_the_hub_while_in_evaluation(app, world):
    officer = _client(app, world.officer)
    link = f'href="/officer/tenders/{world.tender_id}/evaluation"'
    assert link in _text(officer.get(f"/officer/tenders/{world.tender_id}"))
    with app_ctx(app):
        db.session.get(Tender, world.tender_id).status = "opened"
        db.session.commit()
    assert link not in _text(officer.get(f"/officer/tenders/{world.tender_id}"))


# The markers page ---------------------------------------------------------------------------------


def _post(client, url: str, **data):
    data["csrf_token"] = csrf_token(client, "/forgotten-password")  # any form of the session
    return client.post(url, data=data)


def test_assign_set_needed_and_remove_through_the_page(app, world):
    url = _urls(world)["markers"]
    officer = _client(app, world.officer)
    evaluator_id = _user_id(app, world.evaluators[0])
    page = _text(officer.get(url))
    assert 'name="user_id"' in page and "Nobody is marking this question yet." in page
    response = _post(
        officer, url, action="assign", question_id=world.question_ids[0], user_id=evaluator_id
    )
    assert response.status_code == 302 and response.location.endswith(url)
    page = _text(officer.get(url))
    assert "will mark question 1." in page and "Conflicts not declared yet" in page
    response = _post(
        officer, url, action="needed", question_id=world.question_ids[0], markers_needed="3"
    )
    assert response.status_code == 302
    assert "Each answer needs 3 markers." in _text(officer.get(url))
    response = _post(
        officer, url, action="remove", question_id=world.question_ids[0], user_id=evaluator_id
    )
    assert response.status_code == 302
    with app_ctx(app):
        assert db.session.scalar(select(func.count(EvaluationAssignment.id))) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "assign", "question": 0}, "Choose who will mark question 1"),
        ({"action": "assign", "question": 0, "user_id": "abc"}, "Choose who will mark question 1"),
        ({"action": "assign", "question": 0, "user": "panel"}, "marked by officers"),
        ({"action": "assign", "question": 2, "user": "evaluator"}, "Experts by Experience panel"),
        ({"action": "assign", "question": 0, "user": "bidder"}, "marked by officers"),
        ({"action": "needed", "question": 0, "markers_needed": "abc"}, "as a whole number"),
        ({"action": "needed", "question": 0, "markers_needed": "0"}, "between 1 and 10"),
        ({"action": "needed", "question": 0, "markers_needed": "11"}, "between 1 and 10"),
        ({"action": "needed", "question": 0, "markers_needed": "2.5"}, "as a whole number"),
        ({"action": "remove", "question": 0, "user": "evaluator"}, "not marking question 1"),
        ({"action": "explode", "question": 0}, "Choose a question of this tender"),
        ({"action": "assign", "question_id": "x"}, "Choose a question of this tender"),
        ({"action": "assign", "question_id": "99999"}, "Choose a question of this tender"),
    ],
)
def test_bad_input_on_the_markers_page_gives_400_with_a_message(app, world, data, message):
    url = _urls(world)["markers"]
    officer = _client(app, world.officer)
    users = {
        "panel": world.panel[0],
        "evaluator": world.evaluators[0],
        "bidder": world.bidders[0],
    }
    form = {key: value for key, value in data.items() if key not in ("question", "user")}
    if "question" in data:
        form["question_id"] = world.question_ids[data["question"]]
    if "user" in data:
        form["user_id"] = _user_id(app, users[data["user"]])
    response = _post(officer, url, **form)
    assert response.status_code == 400
    body = _text(response)
    assert "There is a problem" in body and message in body
    assert "<title>Error:" in body
    if data.get("markers_needed"):
        assert f'value="{data["markers_needed"]}"' in body  # what was typed is kept


def test_removing_a_marker_with_submitted_marks_gives_400_with_the_reason(app, world):
    from decimal import Decimal

    from dps.models import Mark
    from dps.state.clock import now

    url = _urls(world)["markers"]
    _assign(app, world, 0, world.evaluators[0])
    evaluator_id = _user_id(app, world.evaluators[0])
    with app_ctx(app):
        db.session.add(
            Mark(
                tender_id=world.tender_id,
                bid_id=next(iter(world.bid_ids.values())),
                question_id=world.question_ids[0],
                marker_id=evaluator_id,
                mark=Decimal(3),
                rationale="Fine.",
                submitted_at=now(),
            )
        )
        db.session.commit()
    officer = _client(app, world.officer)
    response = _post(
        officer, url, action="remove", question_id=world.question_ids[0], user_id=evaluator_id
    )
    assert response.status_code == 400
    assert "has already submitted 1 mark for question 1" in _text(response)


def test_a_post_without_a_csrf_token_is_refused(app, world):
    officer = _client(app, world.officer)
    response = officer.post(
        _urls(world)["markers"],
        data={"action": "needed", "question_id": world.question_ids[0], "markers_needed": "3"},
    )
    assert response.status_code == 400
    with app_ctx(app):
        assert db.session.get(Tender, world.tender_id).questions[0].markers_needed == 2


def test_a_tender_not_in_evaluation_shows_no_forms_and_refuses_changes(app, world):
    with app_ctx(app):
        db.session.get(Tender, world.tender_id).status = "awarded"
        db.session.commit()
    url = _urls(world)["markers"]
    officer = _client(app, world.officer)
    page = _text(officer.get(url))
    assert "can no longer be changed" in page and 'name="user_id"' not in page
    response = _post(
        officer,
        url,
        action="assign",
        question_id=world.question_ids[0],
        user_id=_user_id(app, world.evaluators[0]),
    )
    assert response.status_code == 400 and "only while the tender is in evaluation" in _text(
        response
    )


def test_the_markers_page_shows_shortfalls_in_words_and_declarations(app, world):
    _assign(app, world, 0, world.evaluators[0])
    _assign(app, world, 0, world.evaluators[1])
    with app_ctx(app):
        f.user(world.evaluators[0]).full_name = "Eve Clarke"
        db.session.commit()
        bidder_b = world.bidder_org_ids[1]
        assignments.declare(
            f.user(world.evaluators[0]).id, world.tender_id, {bidder_b: "Used to work there."}
        )
    page = _text(_client(app, world.officer).get(_urls(world)["markers"]))
    assert (
        "Question 1, Care Provider B Ltd (lot 1): 1 of 2 markers, Eve Clarke is conflicted" in page
    )
    assert "Used to work there." in page and "Kept away from this bidder" in page


# Declarations --------------------------------------------------------------------------------


def test_an_evaluator_declares_none_and_is_sent_to_the_dashboard(app, world):
    _assign(app, world, 0, world.evaluators[0])
    url = _urls(world)["evaluator"]
    client = _client(app, world.evaluators[0])
    page = _text(client.get(url))
    for name in ("Care Provider A Ltd", "Care Provider B Ltd", "Care Provider C Ltd"):
        assert name in page
    assert "£" not in page
    response = _post(client, url, known="none")
    assert response.status_code == 302 and response.location.endswith("/evaluator/")
    with app_ctx(app):
        declaration = db.session.scalar(select(ConflictDeclaration))
        assert declaration.conflicts == []
    page = _text(client.get(url))
    assert "Your declaration" in page and "None" in page
    assert "I have no conflict of interest" not in page  # "none" only the first time


def test_a_panel_member_says_who_they_know_in_plain_words(app, world):
    _assign(app, world, 2, world.panel[0])
    url = _urls(world)["panel"]
    client = _client(app, world.panel[0])
    page = _text(client.get(url))
    assert "Do you know any of these organisations?" in page
    assert "No, I do not know any of them" in page and "£" not in page
    assert 'data-module="govuk-checkboxes"' in page and "govuk-checkboxes__conditional" in page
    org_a, org_b, _ = world.bidder_org_ids
    response = _post(
        client, url, known=[str(org_b)], **{f"nature_{org_b}": "They care for my mum."}
    )
    assert response.status_code == 302 and response.location.endswith("/panel/")
    # Later they remember another one: added, the first kept.
    response = _post(
        client, url, known=[str(org_a)], **{f"nature_{org_a}": "My neighbour works there."}
    )
    assert response.status_code == 302
    with app_ctx(app):
        natures = {
            c.organisation_id: c.nature for c in db.session.scalars(select(DeclaredConflict))
        }
    assert natures == {org_b: "They care for my mum.", org_a: "My neighbour works there."}
    page = _text(client.get(url))
    assert "They care for my mum." in page and "My neighbour works there." in page


@pytest.mark.parametrize(
    "area, form, message",
    [
        (
            "evaluator",
            {},
            "Select the bidders you have a conflict with, or select that you have none",
        ),
        ("panel", {}, "Tick the organisations you know, or tick"),
        ("evaluator", {"known": ["B"]}, "Describe the conflict with Care Provider B Ltd"),
        ("panel", {"known": ["B"], "nature_B": "   "}, "Tell us how you know Care Provider B Ltd"),
        ("evaluator", {"known": ["B", "none"], "nature_B": "Friend"}, "only on its own"),
        ("evaluator", {"known": ["12345"]}, "Choose from the organisations listed"),
        ("panel", {"known": ["B"], "nature_B": "x" * 501}, "500 characters or fewer"),
    ],
)
def test_bad_declarations_give_400_with_a_message(app, world, area, form, message):
    index, email = (0, world.evaluators[0]) if area == "evaluator" else (2, world.panel[0])
    _assign(app, world, index, email)
    org_b = str(world.bidder_org_ids[1])
    data = {
        key.replace("B", org_b): (
            [org_b if v == "B" else v for v in value] if isinstance(value, list) else value
        )
        for key, value in form.items()
    }
    client = _client(app, email)
    response = _post(client, _urls(world)[area], **data)
    assert response.status_code == 400
    body = _text(response)
    assert "There is a problem" in body and message in body
    if data.get(f"nature_{org_b}", "").strip():
        assert data[f"nature_{org_b}"][:40] in body  # what was typed is kept
    with app_ctx(app):
        assert db.session.scalar(select(func.count(ConflictDeclaration.id))) == 0


@pytest.mark.parametrize("value", ODD)
def test_odd_input_on_the_declaration_never_gives_a_server_error(app, world, value):
    _assign(app, world, 0, world.evaluators[0])
    url = _urls(world)["evaluator"]
    client = _client(app, world.evaluators[0])
    names = set(re.findall(r'name="([^"]+)"', _text(client.get(url)))) - {"csrf_token"}
    data = {name: value for name in names}
    response = _post(client, url, **data)
    assert response.status_code in (302, 400)
    assert '<script>alert("x")</script>' not in _text(response)
    body = "&".join(f"{name}=%FF%FE%C3%28" for name in names)
    token = csrf_token(client, url)
    response = client.post(
        url,
        data=(body + f"&csrf_token={token}").encode("ascii"),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code < 500


@pytest.mark.parametrize("value", ODD)
def test_odd_input_on_the_markers_page_never_gives_a_server_error(app, world, value):
    url = _urls(world)["markers"]
    officer = _client(app, world.officer)
    for action in ("assign", "needed", "remove", value):
        response = _post(
            officer,
            url,
            action=action,
            question_id=value or world.question_ids[0],
            user_id=value,
            markers_needed=value,
        )
        assert response.status_code == 400, (action, response.status_code)
        body = _text(response)
        assert "There is a problem" in body and '<script>alert("x")</script>' not in body
        response = _post(
            officer,
            url,
            action=action,
            question_id=world.question_ids[0],
            user_id=value,
            markers_needed=value,
        )
        assert response.status_code == 400
