"""The officer's pages: the queue and its clock, each application, the decisions, members,
CQC ratings and re-confirmation; and the provider's re-confirmation page."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import event, select

from dps.extensions import db
from dps.models import Application, Membership, Message, Organisation, Role, User
from dps.state.clock import LONDON, set_fixed
from tests.conftest import app_ctx, csrf_token
from tests.dps import stage1_factories as make

MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture
def officer(login):
    set_fixed(MONDAY)
    return login(Role.OFFICER)


def _officer_user(app, client) -> tuple[int, int]:
    user = db.session.scalar(select(User).where(User.email == client.email))
    return user.id, user.organisation_id


@pytest.fixture
def dps(app, officer):
    with app_ctx(app):
        user = db.session.scalar(select(User).where(User.email == officer.email))
        return make.published_dps(user).id


def _application(app, dps_id, provider="Acme Care Ltd", **values) -> int:
    with app_ctx(app):
        from dps.models import DynamicPurchasingSystem

        dps = db.session.get(DynamicPurchasingSystem, dps_id)
        return make.application(dps, make.provider(provider), **values).id


def _post(client, url, data):
    """Post with the session's CSRF token (taken from a page that always has a form)."""
    return client.post(url, data={"csrf_token": csrf_token(client, "/forgotten-password"), **data})


def _text(response) -> str:
    return response.get_data(as_text=True)


# ---- the queue ---------------------------------------------------------------------------------


def test_the_queue_shows_each_clock_and_overdue_in_words(app, officer, dps):
    fresh = _application(app, dps)
    late = _application(
        app, dps, "Old Care Ltd", submitted_at=datetime(2026, 10, 1, 9, tzinfo=LONDON)
    )
    page = officer.get("/officer/applications")
    assert page.status_code == 200
    body = _text(page)
    assert body.index(f'/officer/applications/{late}"') < body.index(
        f'/officer/applications/{fresh}"'
    )
    assert '<span class="app-overdue">Overdue</span> by 12 working days' in body
    assert "15 Oct 2026" in body and "16 Nov 2026" in body
    assert re.search(r">\s*10\s*</td>", body)  # working days left for the fresh one
    assert 'aria-sort="ascending"' in body


def test_the_queue_filters_and_sorts(app, officer, dps):
    with app_ctx(app):
        user = db.session.scalar(select(User).where(User.email == officer.email))
        other = make.published_dps(user, reference="NCC-DPS-02").id
    first = _application(app, dps, submitted_at=datetime(2026, 10, 20, tzinfo=LONDON))
    second = _application(app, other, "Beta Care Ltd")
    rejected = _application(app, dps, "Gamma Care Ltd", status="rejected")

    def ids(query):
        body = _text(officer.get("/officer/applications" + query))
        return [int(i) for i in re.findall(r'href="/officer/applications/(\d+)"', body)]

    assert ids("") == [first, second]
    assert ids("?sort=-due") == [second, first]
    assert ids(f"?dps={other}") == [second]
    assert ids("?status=rejected") == [rejected]
    assert ids("?status=nonsense&dps=abc&sort=x") == [first, second]


def test_queries_per_page_do_not_grow_with_the_number_of_applications(app, officer, dps):
    def count_queries(path: str) -> int:
        statements = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            response = officer.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200
        return len(statements)

    def add(count: int, start: int) -> None:
        with app_ctx(app):
            from dps.models import DynamicPurchasingSystem

            dps_row = db.session.get(DynamicPurchasingSystem, dps)
            for number in range(start, start + count):
                make.application(dps_row, make.provider(f"Provider {number:03d} Ltd"), commit=False)
            db.session.commit()

    add(10, 0)
    with_10 = count_queries("/officer/applications")
    add(190, 10)
    with_200 = count_queries("/officer/applications")
    assert _text(officer.get("/officer/applications")).count('href="/officer/applications/') == 200
    assert with_10 == with_200, (with_10, with_200)


def test_other_roles_and_authorities_cannot_see_the_queue_or_applications(app, login, dps):
    application = _application(app, dps)
    provider = login(Role.PROVIDER)
    assert provider.get("/officer/applications").status_code == 403
    assert provider.get(f"/officer/applications/{application}").status_code == 403
    stranger = login(Role.OFFICER, organisation="Elsewhere Council")
    assert f"/officer/applications/{application}" not in _text(
        stranger.get("/officer/applications")
    )
    assert stranger.get(f"/officer/applications/{application}").status_code == 404
    assert stranger.get(f"/officer/applications/{application}/admit").status_code == 404
    assert app.test_client().get("/officer/applications").status_code == 302


# ---- one application ---------------------------------------------------------------------------


def test_the_application_shows_what_the_provider_entered_and_the_clock(app, officer, dps):
    application = _application(
        app,
        dps,
        with_evidence=True,
        insurance=[("public_liability", date(2027, 6, 30))],
    )
    set_fixed(datetime(2026, 11, 11, 9, tzinfo=LONDON))
    page = officer.get(f"/officer/applications/{application}")
    assert page.status_code == 200
    body = _text(page)
    assert "Decision due by Monday 16 November 2026: 3 working days left" in body
    assert "The decision clock keeps running while you wait for an answer" in body
    for text in (
        "Acme Care Ltd",
        "01234567",
        "1-101234567",
        "Generic home care",
        "Mansfield",
        "£1.2 million in 2025/26",
        "Care Certificate for every new starter",
        "Download safeguarding-policy.pdf",
        "Public liability",
        "£5,000,000.00",
        "Wednesday 30 June 2027",
        "Extend the decision period to 15 working days",
    ):
        assert text in body, text
    with app_ctx(app):
        row = db.session.get(Application, application)
        document_id = row.evidence[0].document_id
    download = officer.get(f"/officer/applications/{application}/documents/{document_id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 safeguarding policy"
    download.close()
    other = _application(app, dps, "Beta Care Ltd")
    assert officer.get(f"/officer/applications/{other}/documents/{document_id}").status_code == 404
    assert officer.get(f"/officer/applications/{application}/documents/99999").status_code == 404
    assert officer.get("/officer/applications/99999").status_code == 404


def test_an_overdue_application_says_overdue_in_red_and_in_words(app, officer, dps):
    application = _application(app, dps)
    set_fixed(datetime(2026, 11, 18, 9, tzinfo=LONDON))
    body = _text(officer.get(f"/officer/applications/{application}"))
    assert re.search(r'class="govuk-body app-overdue" id="decision-clock">Overdue: ', body)
    assert "Monday 16 November 2026 (2 working days late)" in body


# ---- decisions -----------------------------------------------------------------------------


def test_admitting_for_two_of_three_zones_tells_the_provider(app, officer, dps):
    application = _application(app, dps)
    url = f"/officer/applications/{application}/admit"
    page = _text(officer.get(url))
    with app_ctx(app):
        scopes = {s.zone.code: s.id for s in db.session.get(Application, application).scopes}
    assert "Generic home care in Mansfield" in page
    response = _post(
        officer,
        url,
        {"scope_ids": [str(scopes["ashfield"]), str(scopes["broxtowe"])], "reason": ""},
    )
    assert response.status_code == 400
    assert "Give the reasons for not admitting" in _text(response)
    response = _post(
        officer,
        url,
        {
            "scope_ids": [str(scopes["ashfield"]), str(scopes["broxtowe"])],
            "reason": "No registered office covers Mansfield.",
        },
    )
    assert response.status_code == 302
    detail = _text(officer.get(response.location))
    assert "is admitted for 2 of 3 services and zones" in detail
    with app_ctx(app):
        membership = db.session.scalar(select(Membership))
        assert sorted(s.zone.code for s in membership.scopes) == ["ashfield", "broxtowe"]
        message = db.session.scalar(select(Message).where(Message.subject.like("Decision%")))
        assert "Mansfield" in message.body
    # Deciding twice is refused with a message, not an error.
    assert officer.get(url).status_code == 302
    again = _post(officer, url, {"scope_ids": [str(scopes["ashfield"])], "reason": "x"})
    assert again.status_code == 400 and "when it is admitted" in _text(again)


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Select at least one service and zone to admit"),
        ({"scope_ids": "999999"}, "Select services and zones from the list"),
        ({"scope_ids": "abc"}, "Select services and zones from the list"),
    ],
)
def test_admit_form_errors(app, officer, dps, data, message):
    application = _application(app, dps)
    response = _post(officer, f"/officer/applications/{application}/admit", data)
    assert response.status_code == 400 and message in _text(response)
    assert "There is a problem" in _text(response)


def test_rejecting_needs_a_reason(app, officer, dps):
    application = _application(app, dps)
    url = f"/officer/applications/{application}/reject"
    assert officer.get(url).status_code == 200
    response = _post(officer, url, {"reason": "  "})
    assert response.status_code == 400
    assert "Enter the reasons for rejecting the application" in _text(response)
    response = _post(officer, url, {"reason": "Mandatory exclusion ground applies."})
    assert response.status_code == 302
    with app_ctx(app):
        assert db.session.get(Application, application).status == "rejected"


def test_asking_a_clarification_says_whether_the_clock_runs(app, officer, dps):
    application = _application(app, dps)
    url = f"/officer/applications/{application}/clarification"
    assert "The decision clock keeps running while you wait for an answer" in _text(
        officer.get(url)
    )
    assert _post(officer, url, {"reason": ""}).status_code == 400
    response = _post(officer, url, {"reason": "Send your CQC certificate, please."})
    assert response.status_code == 302
    with app_ctx(app):
        assert db.session.get(Application, application).status == "clarification"


def test_extension_needs_a_reason_and_moves_the_date(app, officer, dps):
    application = _application(app, dps)
    url = f"/officer/applications/{application}/extend"
    assert "Monday 23 November 2026" in _text(officer.get(url))
    response = _post(officer, url, {"reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for extending the decision period" in _text(response)
    response = _post(officer, url, {"reason": "Waiting for a reference."})
    assert response.status_code == 302
    assert "now due by Monday 23 November 2026" in _text(officer.get(response.location))
    again = _post(officer, url, {"reason": "More"})
    assert again.status_code == 400 and "already been extended" in _text(again)


def test_no_extension_is_offered_under_the_procurement_act(app, officer):
    with app_ctx(app):
        user = db.session.scalar(select(User).where(User.email == officer.email))
        dps_id = make.published_dps(user, regime="pa2023_dynamic_market", reference="NCC-DM-1").id
    application = _application(app, dps_id)
    detail = _text(officer.get(f"/officer/applications/{application}"))
    assert "Extend the decision period to" not in detail
    assert "has no extension of the decision period" in detail
    url = f"/officer/applications/{application}/extend"
    response = _post(officer, url, {"reason": "Busy"})
    assert response.status_code == 400
    assert "Procurement Act 2023 dynamic market has no extension" in _text(response)
    with app_ctx(app):
        assert db.session.get(Application, application).decision_due_on == date(2026, 11, 16)


# ---- members -------------------------------------------------------------------------------


def _member(app, dps_id, name="Acme Care Ltd", **values) -> int:
    with app_ctx(app):
        from dps.models import DynamicPurchasingSystem

        dps = db.session.get(DynamicPurchasingSystem, dps_id)
        return make.member(dps, make.provider(name), **values).id


def test_members_list_shows_status_scopes_insurance_and_proposals(app, officer, dps):
    _member(app, dps, "Acme Care Ltd", insurance=[("public_liability", date(2027, 3, 31))])
    beta = _member(app, dps, "Beta Care Ltd")
    with app_ctx(app):
        membership = db.session.get(Membership, beta)
        membership.suspension_proposed = "CQC rated Inadequate on Tuesday 20 October 2026"
        db.session.commit()
    body = _text(officer.get(f"/officer/members?dps={dps}"))
    assert "Acme Care Ltd" in body and "Beta Care Ltd" in body
    assert "Generic home care" in body and "Ashfield" in body
    assert "Wednesday 31 March 2027" in body
    assert "Suspension proposed" in body
    assert body.index("Beta Care Ltd") < body.index("Acme Care Ltd")  # proposals first
    assert officer.get("/officer/members").status_code == 200


def test_suspending_reinstating_and_removing_a_member(app, officer, dps):
    member = _member(app, dps)
    detail = _text(officer.get(f"/officer/members/{member}"))
    assert "Suspend" in detail and "Remove" in detail and "Reinstate" not in detail
    url = f"/officer/members/{member}/suspend"
    response = _post(officer, url, {"reason": ""})
    assert response.status_code == 400 and "Enter the reason" in _text(response)
    assert _post(officer, url, {"reason": "Insurance lapsed"}).status_code == 302
    reinstate = f"/officer/members/{member}/reinstate"
    assert _post(officer, reinstate, {"reason": "Renewed"}).status_code == 302
    again = _post(officer, reinstate, {"reason": "Twice"})
    assert again.status_code == 400 and "cannot reinstate when it is active" in _text(again)
    assert officer.get(f"/officer/members/{member}/promote").status_code == 404
    assert (
        _post(officer, f"/officer/members/{member}/remove", {"reason": "Left"}).status_code == 302
    )
    with app_ctx(app):
        assert db.session.get(Membership, member).status == "removed"


def test_recording_an_inadequate_rating_proposes_suspension(app, officer, dps):
    member = _member(app, dps)
    url = f"/officer/members/{member}/cqc-rating"
    assert officer.get(url).status_code == 200
    bad = _post(officer, url, {"rating": "Inadequate", "rated_on": ["31", "2", "2026"]})
    assert bad.status_code == 400 and "The date of the rating must be a real date" in _text(bad)
    future = _post(officer, url, {"rating": "Inadequate", "rated_on": ["3", "11", "2026"]})
    assert future.status_code == 400 and "today or in the past" in _text(future)
    response = _post(officer, url, {"rating": "Inadequate", "rated_on": ["20", "10", "2026"]})
    assert response.status_code == 302
    body = _text(officer.get(f"/officer/members/{member}"))
    assert "CQC rated Inadequate on Tuesday 20 October 2026" in body
    assert "Suspension proposed" in body


def test_reconfirmation_request_lists_non_responders(app, officer, dps):
    _member(app, dps, "Acme Care Ltd")
    _member(app, dps, "Beta Care Ltd")
    url = f"/officer/reconfirmations/new?dps={dps}"
    page = officer.get(url)
    assert page.status_code == 200
    bad = officer.post(
        url,
        data={
            "csrf_token": csrf_token(officer, url),
            "dps_id": str(dps),
            "due_on": ["1", "11", "2026"],
            "message": "Please confirm",
        },
    )
    assert bad.status_code == 400 and "must be in the future" in _text(bad)
    response = officer.post(
        url,
        data={
            "csrf_token": csrf_token(officer, url),
            "dps_id": str(dps),
            "due_on": ["30", "11", "2026"],
            "message": "Please confirm your answers still hold.",
        },
    )
    assert response.status_code == 302
    status_page = _text(officer.get(response.location))
    assert "Acme Care Ltd" in status_page and "Beta Care Ltd" in status_page
    assert "2 members have not confirmed" in status_page
    assert officer.get(f"/officer/reconfirmations?dps={dps}").status_code == 200


# ---- the provider's re-confirmation page -----------------------------------------------------


def test_a_provider_confirms_from_the_inbox_link_and_others_get_404(app, officer, dps, login):
    from dps.services import membership

    _member(app, dps, "Acme Care Ltd")
    with app_ctx(app):
        user = db.session.scalar(select(User).where(User.email == officer.email))
        request_id = membership.request_reconfirmation(
            dps, user, date(2026, 11, 30), "Please confirm."
        ).id
        acme = db.session.scalar(select(Organisation).where(Organisation.name == "Acme Care Ltd"))
        message = db.session.scalar(select(Message).where(Message.organisation_id == acme.id))
        path = re.search(r"http://localhost(/provider/reconfirmations/\d+)", message.body).group(1)
    provider = login(Role.PROVIDER, organisation="Acme Care Ltd")
    page = provider.get(path)
    assert page.status_code == 200 and "Please confirm." in _text(page)
    missing = _post(provider, path, {})
    assert missing.status_code == 400 and "Confirm that your self-declaration" in _text(missing)
    done = _post(provider, path, {"confirm": "yes"})
    assert done.status_code == 302
    assert "You confirmed" in _text(provider.get(path))
    status_page = _text(officer.get(f"/officer/reconfirmations/{request_id}"))
    assert "All members have confirmed" in status_page
    outsider = login(Role.PROVIDER, organisation="Outsider Care Ltd")
    assert outsider.get(path).status_code == 404
    assert outsider.post(path, data={"confirm": "yes"}).status_code in (400, 404)
    assert provider.get("/provider/reconfirmations/99999").status_code == 404


# ---- every stage 1 decision form, given odd input ---------------------------------------------

form_inputs = pytest.importorskip("tests.dps.web.test_form_inputs")


@pytest.fixture
def form_paths(app):
    with app_ctx(app):
        ids = make.form_objects()
    return {template: template.format(**ids) for template, _ in make.FORM_PAGES}


@pytest.mark.parametrize("template, role", make.FORM_PAGES)
@pytest.mark.parametrize("kind", list(form_inputs.ODD))
def test_odd_input_never_gives_a_server_error(app, login, form_paths, template, role, kind):
    form_inputs.test_odd_input_never_gives_a_server_error(
        app, login, form_paths[template], role, kind
    )


@pytest.mark.parametrize("template, role", make.FORM_PAGES)
def test_non_utf8_input_is_answered(app, login, form_paths, template, role):
    form_inputs.test_non_utf8_bytes_are_answered_with_a_message(
        app, login, form_paths[template], role
    )


@pytest.mark.parametrize("template, role", make.FORM_PAGES)
def test_fields_sent_as_lists_or_missing(app, login, form_paths, template, role):
    form_inputs.test_fields_sent_as_lists_or_missing(app, login, form_paths[template], role)
