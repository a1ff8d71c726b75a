"""The provider's application pages through the Flask test client: the journey, uploads that are
refused, other organisations kept out, and odd input."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from dps.extensions import db
from dps.models import Application, Document, Role
from dps.services import applications
from dps.state.clock import set_fixed
from tests.conftest import app_ctx, csrf_token
from tests.dps.application_setup import (
    admit_all,
    complete_application,
    make_pdf,
    published_dps,
    small_questionnaire,
    user,
)

MEGABYTE = 1024 * 1024


@pytest.fixture
def dps_id(app, make_user):
    return published_dps(app, make_user, small_questionnaire())[1]


@pytest.fixture
def provider(login):
    return login(Role.PROVIDER)


def _start(client, dps_id: int) -> int:
    token = csrf_token(client, "/provider/team")
    response = client.post(f"/provider/dps/{dps_id}/apply", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/provider/applications/(\d+)$", response.location).group(1))


def _post(client, path: str, data: dict):
    data = {"csrf_token": csrf_token(client, path), **data}
    return client.post(path, data=data)


def _post_files(client, path: str, data: dict):
    """A multipart POST built in memory (the test client's own builder leaves a temp file open)."""
    values = {"csrf_token": csrf_token(client, path)}
    for name, value in data.items():
        if isinstance(value, tuple):
            value = FileStorage(io.BytesIO(value[0]), filename=value[1])
        values[name] = value
    boundary, body = encode_multipart(values)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _application(app, application_id: int) -> dict:
    with app_ctx(app):
        application = db.session.get(Application, application_id)
        return {
            "status": application.status,
            "answers": applications.answers_of(application),
            "size": application.size,
            "legal_name": application.legal_name,
            "evidence": [item.document.original_name for item in application.evidence],
        }


def test_the_list_offers_each_published_dps_and_a_second_start_resumes(app, provider, dps_id):
    page = provider.get("/provider/applications")
    assert page.status_code == 200
    assert "Home care in Nottinghamshire" in _text(page) and "Apply to join" in _text(page)
    first = _start(provider, dps_id)
    second = _start(provider, dps_id)
    assert first == second
    with app_ctx(app):
        assert db.session.scalar(select(func.count(Application.id))) == 1
    page = _text(provider.get("/provider/applications"))
    assert "Continue your application" in page and "APP-" in page and "Draft" in page


def test_the_task_list_shows_each_section_and_its_status(app, provider, dps_id):
    application_id = _start(provider, dps_id)
    page = _text(provider.get(f"/provider/applications/{application_id}"))
    assert "govuk-task-list" in page
    assert page.count("Not yet started") == 7
    response = _post(
        provider,
        f"/provider/applications/{application_id}/size",
        {"size": "micro"},
    )
    assert response.status_code == 302
    page = _text(provider.get(f"/provider/applications/{application_id}"))
    assert page.count("Not yet started") == 6 and "Completed" in page
    assert "You have completed 1 of 7 sections" in page


def test_organisation_page_prefills_and_checks_the_companies_house_number(app, provider, dps_id):
    application_id = _start(provider, dps_id)
    path = f"/provider/applications/{application_id}/organisation"
    assert 'value="Acme Care Ltd"' in _text(provider.get(path))
    response = _post(
        provider, path, {"legal_name": "Acme Care Limited", "companies_house_number": "123"}
    )
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page and 'id="companies_house_number-error"' in page
    assert 'value="Acme Care Limited"' in page
    assert _application(app, application_id)["legal_name"] is None
    response = _post(
        provider, path, {"legal_name": "Acme Care Limited", "companies_house_number": "01234567"}
    )
    assert response.status_code == 302
    assert _application(app, application_id)["legal_name"] == "Acme Care Limited"


def test_cqc_page_needs_a_rating_date_unless_not_yet_rated(app, provider, dps_id):
    application_id = _start(provider, dps_id)
    path = f"/provider/applications/{application_id}/cqc"
    base = {"cqc_provider_id": "1-101234567", "cqc_location_ids": "1-123456789"}
    response = _post(provider, path, {**base, "cqc_rating": "Good"})
    assert response.status_code == 400 and "Enter the date of the rating" in _text(response)
    assert 'href="#cqc_rating_date-day"' in _text(response)
    response = _post(
        provider, path, {**base, "cqc_rating": "Good", "cqc_rating_date": ["31", "2", "2025"]}
    )
    assert response.status_code == 400 and "must be a real date" in _text(response)
    response = _post(
        provider, path, {**base, "cqc_rating": "Good", "cqc_rating_date": ["1", "", "2025"]}
    )
    assert "must include a month" in _text(response)
    response = _post(
        provider, path, {**base, "cqc_rating": "Good", "cqc_rating_date": ["1", "6", "2025"]}
    )
    assert response.status_code == 302
    page = _text(provider.get(path))
    assert 'value="01"' in page and 'value="2025"' in page


def test_services_page_groups_zones_by_category_with_hints(app, provider, dps_id):
    application_id = _start(provider, dps_id)
    path = f"/provider/applications/{application_id}/services"
    page = _text(provider.get(path))
    assert "Generic home care" in page and "Night care" in page
    assert "Rural, hard to serve area in Bassetlaw" in page
    response = _post(provider, path, {})
    assert response.status_code == 400 and "Select at least one service and zone" in _text(response)
    with app_ctx(app):
        application = db.session.get(Application, application_id)
        category, zone = application.dps.categories[2], application.dps.zones[1]
    response = _post(provider, path, {f"category_{category.id}": [str(zone.id), "nonsense"]})
    assert response.status_code == 302
    assert f'value="{zone.id}" checked' in _text(provider.get(path))


def _questions(application_id: int) -> str:
    return f"/provider/applications/{application_id}/questions/quality"


def test_a_disallowed_upload_is_refused_beside_the_field_and_keeps_what_was_typed(
    app, provider, dps_id
):
    application_id = _start(provider, dps_id)
    path = _questions(application_id)
    # An earlier good save of the page.
    response = _post_files(
        provider,
        path,
        {"q_q_training": "We train.", "q_q_policy": (make_pdf(), "policy.pdf")},
    )
    assert response.status_code == 302
    before = _application(app, application_id)
    response = _post_files(
        provider,
        path,
        {
            "q_q_training": "Shadowing for two weeks.",
            "q_q_policy": (b"#!/bin/sh\necho hello\n", "policy.pdf"),
        },
    )
    assert response.status_code == 400
    page = _text(response)
    assert 'id="q_q_policy-error"' in page
    assert "The selected file must be a PDF" in page
    assert "Shadowing for two weeks." in page  # what was typed is kept
    assert _application(app, application_id) == before  # what was saved is untouched


def test_an_oversized_upload_is_refused_with_the_limit_and_loses_nothing(app, provider, dps_id):
    application_id = _start(provider, dps_id)
    path = _questions(application_id)
    big = make_pdf() + b"%" * (10 * MEGABYTE)
    response = _post_files(
        provider,
        path,
        {
            "q_q_training": "Typed before choosing the file.",
            "q_q_policy": (big, "big.pdf"),
        },
    )
    assert response.status_code == 400
    page = _text(response)
    assert "The selected file must be smaller than 10 MB" in page
    assert "Typed before choosing the file." in page
    with app_ctx(app):
        assert db.session.scalar(select(func.count(Document.id))) == 0


def test_a_good_file_is_kept_even_when_something_else_on_the_page_is_wrong(app, provider, dps_id):
    application_id = _start(provider, dps_id)
    path = _questions(application_id)
    response = _post_files(
        provider,
        path,
        {"q_q_training": "word " * 25, "q_q_policy": (make_pdf(), "policy.pdf")},
    )
    assert response.status_code == 400
    page = _text(response)
    assert "Your answer must be 20 words or fewer" in page
    assert "You have uploaded" in page and "policy.pdf" in page
    assert _application(app, application_id)["evidence"] == ["policy.pdf"]
    response = _post(provider, path, {"q_q_training": "We train."})
    assert response.status_code == 302  # the file chosen before counts


def test_yes_no_evidence_needs_details_for_the_evidence_answer(app, provider, dps_id):
    application_id = _start(provider, dps_id)
    path = f"/provider/applications/{application_id}/questions/exclusions"
    response = _post(provider, path, {"q_mx_fraud": "no", "q_dx_misconduct": "yes"})
    assert response.status_code == 400
    assert "Give details, because you answered Yes" in _text(response)
    response = _post(provider, path, {})
    assert _text(response).count("Select yes or no") >= 2
    response = _post_files(
        provider,
        path,
        {
            "q_mx_fraud": "no",
            "q_dx_misconduct": "yes",
            "q_dx_misconduct_explanation": "Ended 2024.",
        },
    )
    assert response.status_code == 302
    assert _application(app, application_id)["answers"]["dx_misconduct"] == {
        "answer": "yes",
        "explanation": "Ended 2024.",
    }
    assert (
        provider.get(f"/provider/applications/{application_id}/questions/nope").status_code == 404
    )


def test_insurance_minimum_cover_expiry_and_removal(app, provider, dps_id):
    set_fixed(datetime(2026, 3, 2, 10, tzinfo=UTC))
    application_id = _start(provider, dps_id)
    path = f"/provider/applications/{application_id}/insurance"
    policy = {
        "insurance_type": "public_liability",
        "insurer": "Care Insurers plc",
        "cover": "£1,000,000",
        "expires_on": ["31", "3", "2027"],
    }
    response = _post(provider, path, policy)
    assert response.status_code == 400
    assert "Public liability cover must be at least £5,000,000" in _text(response)
    assert 'value="Care Insurers plc"' in _text(response)
    response = _post(
        provider, path, {**policy, "cover": "5000000", "expires_on": ["1", "3", "2026"]}
    )
    assert response.status_code == 400 and "The expiry date must be in the future" in _text(
        response
    )
    response = _post(provider, path, {**policy, "cover": "five million"})
    assert response.status_code == 400 and "as a number" in _text(response)
    response = _post(provider, path, {**policy, "cover": "5,000,000"})
    assert response.status_code == 302
    page = _text(provider.get(path))
    assert "Care Insurers plc" in page and "£5,000,000.00" in page and "31 March 2027" in page
    with app_ctx(app):
        policy_id = db.session.get(Application, application_id).insurances[0].id
    token = csrf_token(provider, path)
    response = provider.post(f"{path}/{policy_id}/remove", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Care Insurers plc" not in _text(provider.get(path))


def _complete(app, provider, application_id: int) -> None:
    with app_ctx(app):
        complete_application(application_id, user(provider.email))


def test_declaration_sends_and_the_confirmation_shows_the_reference(app, provider, dps_id):
    set_fixed(datetime(2026, 3, 2, 10, tzinfo=UTC))
    application_id = _start(provider, dps_id)
    declaration = f"/provider/applications/{application_id}/declaration"
    response = _post(provider, declaration, {"declaration_name": "Pat Provider"})
    assert response.status_code == 400
    assert "Finish this section: Organisation details" in _text(response)
    _complete(app, provider, application_id)
    check = _text(provider.get(f"/provider/applications/{application_id}/check"))
    assert "Acme Care Limited" in check and "Change" in check and "policy.pdf" in check
    response = _post(provider, declaration, {"declaration_name": ""})
    assert response.status_code == 400 and "Enter your full name" in _text(response)
    response = _post(provider, declaration, {"declaration_name": "Pat Provider"})
    assert response.status_code == 302 and response.location.endswith("/confirmation")
    page = _text(provider.get(response.location))
    reference = _application_reference(app, application_id)
    assert "Application sent" in page and reference in page
    assert "We will decide by Monday 16 March 2026" in page
    overview = _text(provider.get(f"/provider/applications/{application_id}"))
    assert "We will decide by Monday 16 March 2026" in overview
    assert "Awaiting decision" in overview and "Change" not in overview


def _application_reference(app, application_id: int) -> str:
    with app_ctx(app):
        return db.session.get(Application, application_id).reference


def test_a_sent_application_is_read_only(app, provider, dps_id):
    application_id = _start(provider, dps_id)
    _complete(app, provider, application_id)
    _post(
        provider,
        f"/provider/applications/{application_id}/declaration",
        {"declaration_name": "Pat"},
    )
    before = _application(app, application_id)
    for page in (
        "organisation",
        "cqc",
        "size",
        "services",
        "questions/quality",
        "insurance",
        "check",
        "declaration",
    ):
        path = f"/provider/applications/{application_id}/{page}"
        response = provider.get(path)
        assert response.status_code == 302, page
        assert response.location.endswith(f"/provider/applications/{application_id}")
    token = csrf_token(provider, "/provider/team")
    response = provider.post(
        f"/provider/applications/{application_id}/size", data={"size": "large", "csrf_token": token}
    )
    assert response.status_code == 302
    assert _application(app, application_id) == before
    assert "can no longer be changed" in _text(provider.get(response.location))


def test_another_organisation_gets_404_for_every_page_and_file(app, provider, login, dps_id):
    application_id = _start(provider, dps_id)
    _complete(app, provider, application_id)
    with app_ctx(app):
        document_id = db.session.get(Application, application_id).evidence[0].document_id
    own = provider.get(f"/provider/applications/{application_id}/documents/{document_id}")
    assert own.status_code == 200 and own.data.startswith(b"%PDF")
    own.close()
    rival = login(Role.PROVIDER, organisation="Rival Care Ltd")
    base = f"/provider/applications/{application_id}"
    for page in (
        "",
        "/organisation",
        "/cqc",
        "/size",
        "/services",
        "/questions/quality",
        "/insurance",
        "/check",
        "/declaration",
        "/confirmation",
        f"/documents/{document_id}",
        "/clarifications/1",
    ):
        assert rival.get(base + page).status_code == 404, page
    token = csrf_token(rival, "/provider/team")
    response = rival.post(f"{base}/size", data={"size": "large", "csrf_token": token})
    assert response.status_code == 404
    # A document of the owner's that is not part of this application is not served here either.
    rival_application = _start(rival, dps_id)
    assert (
        rival.get(f"/provider/applications/{rival_application}/documents/{document_id}").status_code
        == 404
    )
    officer = login(Role.OFFICER)
    assert officer.get(base).status_code == 403


def test_a_clarification_is_answered_with_a_file(app, provider, dps_id, make_user):
    from dps.models import Clarification
    from dps.state.application import APPLICATION_TRANSITIONS
    from dps.state.machine import fire

    application_id = _start(provider, dps_id)
    _complete(app, provider, application_id)
    _post(
        provider,
        f"/provider/applications/{application_id}/declaration",
        {"declaration_name": "Pat"},
    )
    officer_email = make_user(Role.OFFICER)
    with app_ctx(app):
        application = db.session.get(Application, application_id)
        fire(APPLICATION_TRANSITIONS, application, "request_clarification", reason="Accounts?")
        clarification = Clarification(
            application_id=application_id,
            question="Send your latest accounts.",
            asked_by_id=user(officer_email).id,
        )
        db.session.add(clarification)
        db.session.commit()
        clarification_id = clarification.id
    overview = _text(provider.get(f"/provider/applications/{application_id}"))
    assert "Send your latest accounts." in overview and "Answer this question" in overview
    path = f"/provider/applications/{application_id}/clarifications/{clarification_id}"
    response = _post_files(
        provider,
        path,
        {"answer": "Here they are.", "document": (b"not a real file", "a.pdf")},
    )
    assert response.status_code == 400 and "Here they are." in _text(response)
    response = _post_files(
        provider,
        path,
        {"answer": "Here they are.", "document": (make_pdf(), "accounts.pdf")},
    )
    assert response.status_code == 302
    assert _application(app, application_id)["status"] == "submitted"
    assert "Here they are." in _text(provider.get(f"/provider/applications/{application_id}"))
    assert provider.get(path).status_code == 302  # already answered


def test_a_member_applies_to_add_services_or_zones(app, provider, dps_id):
    application_id = _start(provider, dps_id)
    _complete(app, provider, application_id)
    _post(
        provider,
        f"/provider/applications/{application_id}/declaration",
        {"declaration_name": "Pat"},
    )
    with app_ctx(app):
        admit_all(application_id)
    page = _text(provider.get("/provider/applications"))
    assert "Apply to add services or zones" in page and "Apply to join<" not in page
    token = csrf_token(provider, "/provider/team")
    response = provider.post(f"/provider/dps/{dps_id}/vary", data={"csrf_token": token})
    assert response.status_code == 302
    variation_id = int(response.location.rsplit("/", 1)[1])
    assert variation_id != application_id
    page = _text(provider.get(response.location))
    assert (
        "Apply to add services or zones" in page
        and page.count('<li class="govuk-task-list__item') == 1
    )
    for section in ("organisation", "cqc", "size", "insurance", "questions/quality"):
        assert provider.get(f"/provider/applications/{variation_id}/{section}").status_code == 404
    services = f"/provider/applications/{variation_id}/services"
    with app_ctx(app):
        held = db.session.get(Application, application_id).scopes[0]
        category_id, zone_id = held.category_id, held.zone_id
        other_zone = db.session.get(Application, application_id).dps.zones[1].id
    page = _text(provider.get(services))
    assert f'name="category_{category_id}" type="checkbox" value="{zone_id}"' not in page
    response = _post(provider, services, {f"category_{category_id}": [str(zone_id)]})
    assert response.status_code == 400 and "Select only the services and zones listed" in _text(
        response
    )
    response = _post(provider, services, {f"category_{category_id}": [str(other_zone)]})
    assert response.status_code == 302
    response = _post(
        provider, f"/provider/applications/{variation_id}/declaration", {"declaration_name": "Pat"}
    )
    assert response.status_code == 302
    assert "Application sent" in _text(provider.get(response.location))


ODD = {
    "empty": "",
    "huge": "x" * 10_000,
    "nul and controls": "a\x00b\x01c\x7f",
    "html": '<script>alert("x")</script><b>bold</b>',
    "unicode": "Zoë ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e",
}
FIELD = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')
PAGES = [
    "organisation",
    "cqc",
    "size",
    "services",
    "questions/exclusions",
    "questions/quality",
    "insurance",
    "declaration",
]


@pytest.mark.parametrize("page", PAGES)
def test_odd_input_on_every_application_form_gives_a_message(app, provider, dps_id, page):
    application_id = _start(provider, dps_id)
    path = f"/provider/applications/{application_id}/{page}"
    names = sorted({n for n in FIELD.findall(_text(provider.get(path))) if n != "csrf_token"})
    assert names, page
    for kind, value in ODD.items():
        response = _post(provider, path, {name: value for name in names})
        assert response.status_code in (302, 400), (kind, _text(response)[:500])
        if response.status_code == 400:
            body = _text(response)
            assert "There is a problem" in body, kind
            assert '<script>alert("x")</script>' not in body


@pytest.mark.parametrize("page", PAGES)
def test_non_utf8_and_list_input_on_application_forms(app, provider, dps_id, page):
    from urllib.parse import quote

    application_id = _start(provider, dps_id)
    path = f"/provider/applications/{application_id}/{page}"
    names = sorted({n for n in FIELD.findall(_text(provider.get(path))) if n != "csrf_token"})
    token = csrf_token(provider, path)
    body = "&".join(f"{quote(n)}=%FF%FE%C3%28" for n in names) + f"&csrf_token={quote(token)}"
    response = provider.post(
        path, data=body.encode("ascii"), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500
    response = provider.post(path, data={"csrf_token": token, names[0]: ["a", "b"]})
    assert response.status_code < 500
