"""The officer's DPS pages and the public DPS pages, through the Flask test client."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event, select

from dps.extensions import db
from dps.models import (
    DynamicPurchasingSystem,
    Membership,
    MembershipScope,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from dps.services import dps_setup
from tests.conftest import app_ctx, csrf_token

COUNCIL = "Nottinghamshire County Council"


@pytest.fixture
def officer(login):
    return login(Role.OFFICER, organisation=COUNCIL)


def _org_id(app, name: str) -> int:
    with app_ctx(app):
        return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def _authority(app, name: str) -> int:
    with app_ctx(app):
        org = Organisation(kind=OrganisationKind.AUTHORITY, name=name, legal_name=name)
        db.session.add(org)
        db.session.commit()
        return org.id


def _make_dps(app, email: str, publish: bool = False, **overrides) -> int:
    with app_ctx(app):
        actor = db.session.scalar(select(User).where(User.email == email))
        values = {
            "reference": "NCC-DPS-2026-01",
            "title": "Home care in Nottinghamshire",
            "description": "Care at home for adults.",
            "regime": "pcr2015_dps",
            "lead_authority_id": actor.organisation_id,
            "partner_ids": [],
            "starts_on": date(2026, 3, 2),
        }
        values.update(overrides)
        dps, _ = dps_setup.create_dps(actor, **values)
        if publish:
            dps_setup.publish_dps(actor, dps.id)
        return dps.id


def _form(client, url: str, **values) -> dict:
    data = {
        "reference": "NCC-DPS-2026-01",
        "title": "Home care in Nottinghamshire",
        "description": "Care at home for adults and children.",
        "regime": "pcr2015_dps",
        "lead_authority_id": str(_lead_of(client)),
        "starts_on": ["2", "3", "2026"],
        "term_years": "10",
        "decision_target_days": "10",
        "conditions_of_membership": "",
        "csrf_token": csrf_token(client, url),
    }
    data.update(values)
    return data


def _lead_of(client) -> int:
    page = client.get("/officer/dps/new").get_data(as_text=True)
    return int(re.search(r'<option value="(\d+)" selected', page).group(1))


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# Creating a DPS ---------------------------------------------------------------------------


def test_the_new_dps_form_explains_each_regime_and_defaults_the_lead(app, officer):
    _authority(app, "NHS Bassetlaw Place Partnership")
    page = officer.get("/officer/dps/new")
    assert page.status_code == 200
    body = _text(page)
    for name in (
        "Public Contracts Regulations 2015, regulation 34 (dynamic purchasing system)",
        "Light-touch regime",
        "Procurement Act 2023 dynamic market",
    ):
        assert name in body
    assert "It cannot run past 24 February 2029." in body
    assert "Membership may be limited by conditions of membership." in body
    assert _lead_of(officer) == _org_id(app, COUNCIL)
    assert "NHS Bassetlaw Place Partnership" in body  # a partner checkbox
    assert 'name="starts_on"' in body and 'value="10"' in body


def test_a_pcr_2015_dps_from_2026_warns_about_24_february_2029(app, officer):
    response = officer.post("/officer/dps/new", data=_form(officer, "/officer/dps/new"))
    assert response.status_code == 302
    page = officer.get(response.location)
    body = _text(page)
    assert "NCC-DPS-2026-01 created as a draft" in body
    assert "govuk-warning-text" in body
    assert "cannot run past 24 February 2029, so this one will end then, not on 2 March 2036" in (
        body
    )
    assert re.search(r"Ends on\s*</dt>\s*<dd[^>]*>\s*24 February 2029", body)
    assert "Publish DPS" in body
    # Later visits keep a warning about the cut-off.
    again = _text(officer.get(response.location))
    assert "cannot run past 24 February 2029, so this one ends then" in again


def test_a_pa_2023_dps_keeps_its_term_and_conditions_without_a_warning(app, officer):
    partner = _authority(app, "NHS Nottingham and Nottinghamshire ICB")
    data = _form(
        officer,
        "/officer/dps/new",
        regime="pa2023_dynamic_market",
        decision_target_days="12",
        partner_ids=[str(partner)],
        conditions_of_membership="Registered with CQC and rated Good or Outstanding.",
    )
    response = officer.post("/officer/dps/new", data=data)
    assert response.status_code == 302
    body = _text(officer.get(response.location))
    assert "govuk-warning-text" not in body
    assert "2 March 2036" in body
    assert "Registered with CQC and rated Good or Outstanding." in body
    assert "NHS Nottingham and Nottinghamshire ICB" in body
    assert "our target is 12 working days" in body


def test_a_duplicate_reference_is_refused_with_a_clear_message(app, officer):
    _make_dps(app, officer.email)
    response = officer.post(
        "/officer/dps/new",
        data=_form(officer, "/officer/dps/new", reference="ncc-dps-2026-01", title="Second"),
    )
    assert response.status_code == 400
    body = _text(response)
    assert "There is a problem" in body
    assert "A DPS with the reference NCC-DPS-2026-01 already exists" in body
    assert 'value="Second"' in body  # what was typed is kept
    with app_ctx(app):
        assert db.session.scalar(select(db.func.count(DynamicPurchasingSystem.id))) == 1


@pytest.mark.parametrize(
    "parts, message",
    [
        (["31", "2", "2026"], "The start date must be a real date"),
        (["aa", "bb", "cccc"], "The start date must be a real date, in numbers"),
        (["2", "", "2026"], "The start date must include a month"),
        (["", "", "2026"], "The start date must include a day and a month"),
        (["2", "3", "26"], "The year must include 4 numbers"),
        (["", "", ""], "Enter the start date"),
        (["2", "3", "1999"], "The start date must be between 2015 and 2100"),
        (["2", "3"], "The start date must include a year"),
        (["1", "2", "3", "4"], "The start date must be a real date"),
    ],
)
def test_bad_start_dates_get_clear_messages(app, officer, parts, message):
    response = officer.post(
        "/officer/dps/new", data=_form(officer, "/officer/dps/new", starts_on=parts)
    )
    assert response.status_code == 400
    body = _text(response)
    assert "There is a problem" in body and message in body


def test_the_start_date_can_be_left_out_entirely(app, officer):
    data = _form(officer, "/officer/dps/new")
    del data["starts_on"]
    response = officer.post("/officer/dps/new", data=data)
    assert response.status_code == 400 and "Enter the start date" in _text(response)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("term_years", "ten", "Enter the term as a whole number of years, from 1 to 10"),
        ("term_years", "11", "The term must be between 1 and 10 years"),
        ("term_years", "", "Enter the term in years"),
        ("decision_target_days", "-3", "Enter the target as a whole number of working days"),
        ("reference", "NCC DPS/1", "Reference must be capital letters, numbers and hyphens"),
        ("regime", "nonsense", "Select a procurement regime"),
        ("lead_authority_id", "abc", "Select the lead authority from the list"),
        ("lead_authority_id", "999999", "Select the lead authority from the list"),
        ("partner_ids", "999999", "Select partner authorities from the list"),
        ("title", "", "Enter a title"),
    ],
)
def test_bad_values_get_clear_messages(app, officer, field, value, message):
    response = officer.post(
        "/officer/dps/new", data=_form(officer, "/officer/dps/new", **{field: value})
    )
    assert response.status_code == 400
    assert message in _text(response)


def test_conditions_of_membership_under_pcr_are_refused_beside_the_field(app, officer):
    response = officer.post(
        "/officer/dps/new",
        data=_form(officer, "/officer/dps/new", conditions_of_membership="Rated Good"),
    )
    assert response.status_code == 400
    body = _text(response)
    assert "Conditions of membership are only for a Procurement Act 2023 dynamic market" in body
    assert 'href="#conditions_of_membership"' in body


# Publishing -------------------------------------------------------------------------------


def test_publishing_a_draft_with_no_categories_is_refused_with_the_reason(app, officer):
    dps_id = _make_dps(
        app, officer.email, structure={"categories": [], "zones": [{"code": "a", "name": "A"}]}
    )
    page = _text(officer.get(f"/officer/dps/{dps_id}"))
    assert "You cannot publish this DPS yet" in page
    assert "Add at least one category before publishing." in page
    assert "Publish DPS" not in page
    token = csrf_token(officer, "/officer/dps/new")
    response = officer.post(f"/officer/dps/{dps_id}/publish", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Add at least one category before publishing." in _text(response)
    with app_ctx(app):
        assert db.session.get(DynamicPurchasingSystem, dps_id).status == "draft"


def test_publishing_shows_a_confirmation_with_the_reference(app, officer):
    dps_id = _make_dps(app, officer.email)
    token = csrf_token(officer, f"/officer/dps/{dps_id}")
    response = officer.post(f"/officer/dps/{dps_id}/publish", data={"csrf_token": token})
    assert response.location == f"/officer/dps/{dps_id}/published"
    body = _text(officer.get(response.location))
    assert "DPS published" in body and "NCC-DPS-2026-01" in body
    assert officer.post(f"/officer/dps/{dps_id}/publish").status_code == 400  # no CSRF token
    again = officer.post(f"/officer/dps/{dps_id}/publish", data={"csrf_token": token})
    assert again.status_code == 400 and "It is already published." in _text(again)


# Who may see the officer pages ----------------------------------------------------------


def test_providers_and_visitors_cannot_reach_officer_dps_pages(app, officer, login):
    dps_id = _make_dps(app, officer.email)
    paths = [
        "/officer/dps",
        "/officer/dps/new",
        f"/officer/dps/{dps_id}",
        f"/officer/dps/{dps_id}/categories",
        f"/officer/dps/{dps_id}/zones",
        f"/officer/dps/{dps_id}/partners",
        f"/officer/dps/{dps_id}/questionnaire",
    ]
    provider = login(Role.PROVIDER)
    anonymous = app.test_client()
    for path in paths:
        assert provider.get(path).status_code == 403, path
        response = anonymous.get(path)
        assert response.status_code == 302 and response.location.startswith("/sign-in"), path
        assert officer.get(path).status_code == 200, path
    token = csrf_token(provider, "/provider/team")
    assert (
        provider.post(f"/officer/dps/{dps_id}/publish", data={"csrf_token": token}).status_code
        == 403
    )
    with app_ctx(app):
        assert db.session.get(DynamicPurchasingSystem, dps_id).status == "draft"


def test_an_officer_of_another_authority_gets_404(app, officer, login):
    dps_id = _make_dps(app, officer.email)
    stranger = login(Role.OFFICER, organisation="Derbyshire County Council")
    for path in ("", "/categories", "/zones", "/partners", "/questionnaire", "/published"):
        assert stranger.get(f"/officer/dps/{dps_id}{path}").status_code == 404
    assert "NCC-DPS-2026-01" not in _text(stranger.get("/officer/dps"))
    assert "NCC-DPS-2026-01" in _text(officer.get("/officer/dps"))
    assert officer.get("/officer/dps/999999").status_code == 404


# Categories, zones, partners, questionnaire ----------------------------------------------


def test_an_officer_adds_changes_and_removes_a_category(app, officer):
    dps_id = _make_dps(app, officer.email)
    url = f"/officer/dps/{dps_id}/categories"
    response = officer.post(
        url,
        data={
            "csrf_token": csrf_token(officer, url),
            "name": "Community access",
            "description": "",
        },
    )
    assert response.status_code == 302
    body = _text(officer.get(url))
    assert "Community access added." in body
    duplicate = officer.post(
        url, data={"csrf_token": csrf_token(officer, url), "name": "night care"}
    )
    assert duplicate.status_code == 400
    assert "There is already a category called Night care" in _text(duplicate)
    with app_ctx(app):
        category_id = (
            db.session.scalar(
                select(DynamicPurchasingSystem).where(DynamicPurchasingSystem.id == dps_id)
            )
            .categories[-1]
            .id
        )
    edit = f"{url}/{category_id}"
    assert "Change Community access" in _text(officer.get(edit))
    response = officer.post(
        edit,
        data={
            "csrf_token": csrf_token(officer, edit),
            "name": "Community support",
            "description": "Days out",
        },
    )
    assert response.status_code == 302
    assert "Community support" in _text(officer.get(url))
    response = officer.post(f"{edit}/remove", data={"csrf_token": csrf_token(officer, edit)})
    assert response.status_code == 302
    assert "Community support" not in _text(officer.get(url)).split("removed.")[-1]
    assert officer.get(f"{url}/999999").status_code == 404


def test_an_officer_adds_a_rural_locality_and_cannot_remove_its_district(app, officer):
    dps_id = _make_dps(app, officer.email)
    url = f"/officer/dps/{dps_id}/zones"
    with app_ctx(app):
        dps = db.session.get(DynamicPurchasingSystem, dps_id)
        ashfield = next(z.id for z in dps.zones if z.code == "ashfield")
    response = officer.post(
        url,
        data={
            "csrf_token": csrf_token(officer, url),
            "name": "Ashfield villages",
            "parent": str(ashfield),
            "flags": ["hard_to_serve", "rural"],
        },
    )
    assert response.status_code == 302
    overview = _text(officer.get(f"/officer/dps/{dps_id}"))
    assert re.search(r"Ashfield villages.*Hard to serve.*Rural", overview)
    edit = f"{url}/{ashfield}"
    response = officer.post(f"{edit}/remove", data={"csrf_token": csrf_token(officer, edit)})
    assert response.status_code == 400
    assert "Remove the localities in Ashfield first." in _text(response)


def test_after_publishing_zone_flags_still_change_but_names_do_not(app, officer):
    dps_id = _make_dps(app, officer.email, publish=True)
    with app_ctx(app):
        zone_id = db.session.get(DynamicPurchasingSystem, dps_id).zones[0].id
    edit = f"/officer/dps/{dps_id}/zones/{zone_id}"
    page = _text(officer.get(edit))
    assert 'name="name"' not in page and "Remove Ashfield" not in page
    response = officer.post(
        edit, data={"csrf_token": csrf_token(officer, edit), "flags": "rural", "name": "X"}
    )
    assert response.status_code == 302
    with app_ctx(app):
        zone = db.session.get(DynamicPurchasingSystem, dps_id).zones[0]
        assert zone.rural and not zone.hard_to_serve and zone.name == "Ashfield"
    categories = f"/officer/dps/{dps_id}/categories"
    assert "can no longer change" in _text(officer.get(categories))
    token = csrf_token(officer, edit)
    assert officer.post(categories, data={"csrf_token": token, "name": "X"}).status_code == 400
    zones = f"/officer/dps/{dps_id}/zones"
    assert officer.post(zones, data={"csrf_token": token, "name": "X"}).status_code == 400
    assert officer.get(f"/officer/dps/{dps_id}/partners").status_code == 302


def test_an_officer_chooses_partner_authorities(app, officer):
    icb = _authority(app, "NHS Nottingham and Nottinghamshire ICB")
    dps_id = _make_dps(app, officer.email)
    url = f"/officer/dps/{dps_id}/partners"
    response = officer.post(
        url, data={"csrf_token": csrf_token(officer, url), "partner_ids": [str(icb)]}
    )
    assert response.status_code == 302
    assert "NHS Nottingham and Nottinghamshire ICB" in _text(officer.get(f"/officer/dps/{dps_id}"))


def test_the_questionnaire_page_reads_the_data(app, officer):
    dps_id = _make_dps(app, officer.email)
    body = _text(officer.get(f"/officer/dps/{dps_id}/questionnaire"))
    assert "Mandatory exclusion grounds" in body and "Discretionary exclusion grounds" in body
    assert "Pass or fail" in body and "Yes or no, with evidence" in body
    assert "File upload" in body and "Information" in body
    assert "Public liability" in body and "£5,000,000.00" in body
    overview = _text(officer.get(f"/officer/dps/{dps_id}"))
    assert "Professional indemnity" in overview and "£1,000,000.00" in overview


# The public pages -------------------------------------------------------------------------


def _members(app, dps_id: int, members: list[tuple[str, str]]) -> None:
    """Admit each (name, status) provider to the first category in the first two zones."""
    with app_ctx(app):
        dps = db.session.get(DynamicPurchasingSystem, dps_id)
        for name, status in members:
            org = Organisation(kind=OrganisationKind.PROVIDER, name=name, legal_name=name)
            membership = Membership(dps_id=dps.id, organisation=org, status=status)
            for zone in dps.zones[:2]:
                membership.scopes.append(
                    MembershipScope(category_id=dps.categories[0].id, zone_id=zone.id)
                )
            db.session.add(membership)
        db.session.commit()


def test_the_public_pages_list_published_dpss_only(app, officer):
    _make_dps(app, officer.email, publish=True)
    _make_dps(app, officer.email, reference="NCC-DRAFT-1", title="Not ready yet")
    visitor = app.test_client()
    body = _text(visitor.get("/dps"))
    assert "Home care in Nottinghamshire" in body and "Not ready yet" not in body
    assert "No fee is charged" in body and "Register your organisation" in body
    assert "Public Contracts Regulations 2015" in body
    assert "From 2 March 2026 until 24 February 2029" in body
    assert re.search(r"Term\s*</dt>\s*<dd[^>]*>\s*2 years and 11 months", body)
    assert visitor.get("/dps/NCC-DRAFT-1").status_code == 404
    assert visitor.get("/dps/NO-SUCH").status_code == 404
    assert visitor.get("/dps/" + "x" * 500).status_code == 404
    assert visitor.get("/dps/ncc-dps-2026-01").status_code == 200
    assert 'href="/dps"' in _text(visitor.get("/"))


def test_the_public_page_shows_active_members_only(app, officer):
    dps_id = _make_dps(app, officer.email, publish=True)
    _members(
        app,
        dps_id,
        [
            ("Bingham Community Care Ltd", "active"),
            ("Ashfield Home Care Ltd", "active"),
            ("Suspended Homecare Ltd", "suspended"),
            ("Removed Homecare Ltd", "removed"),
        ],
    )
    response = app.test_client().get("/dps/NCC-DPS-2026-01")
    assert response.status_code == 200
    body = _text(response)
    assert "Ashfield Home Care Ltd, Bingham Community Care Ltd" in body
    assert "Suspended Homecare Ltd" not in body and "Removed Homecare Ltd" not in body
    assert "2 providers are admitted" in body
    assert "How to apply" in body and "apply from your dashboard" in body.lower()
    assert "No fee is charged" in body
    assert "No providers yet in: Bassetlaw: North Bassetlaw villages, Broxtowe" in body
    assert "No providers admitted yet." in body  # the other categories


def test_the_public_page_shows_pa_2023_conditions_of_membership(app, officer):
    _make_dps(
        app,
        officer.email,
        publish=True,
        regime="pa2023_dynamic_market",
        conditions_of_membership="Rated Good or Outstanding by CQC.",
    )
    body = _text(app.test_client().get("/dps/NCC-DPS-2026-01"))
    assert "Conditions of membership" in body and "Rated Good or Outstanding by CQC." in body
    assert "Procurement Act 2023" in body and "2 March 2036" in body


def test_the_public_grid_takes_the_same_queries_however_many_members(app, officer):
    dps_id = _make_dps(app, officer.email, publish=True)
    visitor = app.test_client()

    def queries() -> int:
        statements: list[str] = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        with app_ctx(app):
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert visitor.get("/dps/NCC-DPS-2026-01").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    _members(app, dps_id, [("One Care Ltd", "active")])
    few = queries()
    _members(app, dps_id, [(f"Care {n} Ltd", "active") for n in range(12)])
    assert queries() == few
