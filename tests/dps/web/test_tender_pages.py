"""The officer's tender pages, the public opportunities and who may see what."""

from __future__ import annotations

import io
import re
from datetime import date, time, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.fields import parse_time
from dps.models import (
    Invitation,
    Membership,
    MembershipScope,
    Organisation,
    Role,
    Tender,
    User,
    Zone,
)
from dps.services.dps_setup import create_dps, publish_dps
from dps.state.clock import now, to_london
from tests.conftest import app_ctx, csrf_token
from tests.dps.web.test_form_inputs import ODD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _dps_for(app, email: str, reference: str = "NCC-DPS-2026") -> dict:
    """A published DPS led by the officer's council; returns ids by code."""
    with app_ctx(app):
        officer = db.session.scalar(select(User).where(User.email == email))
        dps, _ = create_dps(
            officer,
            reference=reference,
            title="Nottinghamshire home care DPS",
            description="Home care across the county.",
            regime="pcr2015_dps",
            lead_authority_id=officer.organisation_id,
            partner_ids=[],
            starts_on=to_london(now()).date(),
            term_years=2,
        )
        publish_dps(officer, dps.id)
        return {
            "dps": dps.id,
            "category": dps.categories[0].id,
            "other_category": dps.categories[1].id,
            **{zone.code: zone.id for zone in dps.zones},
        }


def _day(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _post(client, path: str, data: dict):
    """Post with the session's CSRF token (any page's token will do)."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/forgotten-password"), **data})


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def officer(login):
    return login(Role.OFFICER, organisation="Nottinghamshire County Council")


@pytest.fixture
def ids(app, officer):
    return _dps_for(app, officer.email)


def _create(officer, ids) -> int:
    response = _post(
        officer,
        "/officer/tenders/new",
        {"scope": f"{ids['dps']}:{ids['category']}", "title": "Home care in Ashfield"},
    )
    assert response.status_code == 302, _text(response)
    return int(response.location.rstrip("/").split("/")[-1])


def _lot(officer, tender_id: int, title: str, *zone_ids: int, **changes):
    data = {
        "title": title,
        "zone_ids": [str(z) for z in zone_ids],
        "hours_per_week": "850",
        "contract_start_on": _day(date.today() + timedelta(days=120)),
        "contract_end_on": _day(date.today() + timedelta(days=1200)),
        "providers_to_appoint": "1",
        **changes,
    }
    return _post(officer, f"/officer/tenders/{tender_id}/lots/new", data)


def _timetable(closing_days: int = 14) -> dict:
    today = to_london(now()).date()
    closing = today + timedelta(days=closing_days)
    return {
        "clarification_deadline_date": _day(today + timedelta(days=5)),
        "clarification_deadline_time": "5pm",
        "closing_date": _day(closing),
        "closing_time": "12:00",
        "evaluation_on": _day(closing + timedelta(days=1)),
        "award_on": _day(closing + timedelta(days=14)),
        "contract_start_on": _day(closing + timedelta(days=60)),
    }


def _complete(officer, ids) -> int:
    """A draft ready to publish, built through the pages."""
    tender_id = _create(officer, ids)
    assert _lot(officer, tender_id, "Ashfield", ids["ashfield"]).status_code == 302
    assert _lot(officer, tender_id, "Bassetlaw", ids["bassetlaw"]).status_code == 302
    question = {
        "text": "How will you start new care packages within 24 hours?",
        "guidance": "",
        "plain_guidance": "",
        "marked_by": "officer",
        "weight": "50",
        "word_limit": "500",
        "max_mark": "5",
        "min_mark": "2",
    }
    base = f"/officer/tenders/{tender_id}"
    assert _post(officer, f"{base}/questions/new", question).status_code == 302
    panel = {
        **question,
        "marked_by": "panel",
        "plain_guidance": "Does the answer show they listen?",
    }
    assert _post(officer, f"{base}/questions/new", panel).status_code == 302
    price = {"template": "ukhca_2026", "call_length_rates": "yes"}
    assert _post(officer, f"{base}/price-model", price).status_code == 302
    rules = {
        "quality_weight": "60",
        "price_weight": "40",
        "max_lots_per_provider": "1",
        "tie_break": "quality,price,submission",
    }
    assert _post(officer, f"{base}/rules", rules).status_code == 302
    response = _post(officer, f"{base}/timetable", _timetable())
    assert response.status_code == 302, _text(response)
    return tender_id


def _member(app, ids, name: str, *zones: str, category: str = "category") -> int:
    with app_ctx(app):
        org = Organisation(kind="provider", name=name, legal_name=name, size="small")
        db.session.add(org)
        db.session.flush()
        membership = Membership(dps_id=ids["dps"], organisation_id=org.id)
        membership.scopes = [
            MembershipScope(category_id=ids[category], zone_id=ids[zone]) for zone in zones
        ]
        db.session.add(membership)
        db.session.commit()
        return org.id


def test_officer_builds_checks_and_publishes_a_tender(app, officer, ids, run_jobs):
    tender_id = _complete(officer, ids)
    _member(app, ids, "Ashfield Care Ltd", "ashfield")
    _member(app, ids, "Extra Care Ltd", "ashfield", category="other_category")
    overview = _text(officer.get(f"/officer/tenders/{tender_id}"))
    assert "Build the tender" in overview and "Ready to publish" in overview
    check = officer.get(f"/officer/tenders/{tender_id}/publish")
    body = _text(check)
    assert check.status_code == 200 and "Publishing now invites 1 provider" in body
    assert "Ashfield Care Ltd" in body and "Extra Care Ltd" not in body
    assert "Experts by Experience panel" in body and "UKHCA-style hourly rate" in body
    response = _post(officer, f"/officer/tenders/{tender_id}/publish", {})
    assert response.location == f"/officer/tenders/{tender_id}/published"
    confirmation = _text(officer.get(response.location))
    assert "Tender published" in confirmation and "NCC-DPS-2026-T001" in confirmation
    run_jobs()
    invitations = _text(officer.get(f"/officer/tenders/{tender_id}/invitations"))
    assert "Ashfield Care Ltd" in invitations and "Sent" in invitations
    assert "Lot 1: Ashfield" in invitations and "Extra Care Ltd" not in invitations
    # Published: the task pages send the officer back to the overview.
    for task in ("details", "lots/new", "questions/new", "price-model", "rules", "timetable"):
        assert officer.get(f"/officer/tenders/{tender_id}/{task}").status_code == 302
    again = _post(officer, f"/officer/tenders/{tender_id}/publish", {})
    assert again.status_code == 302
    with app_ctx(app):
        assert db.session.scalar(select(db.func.count(Invitation.id))) == 1


def test_publishing_an_incomplete_tender_lists_what_to_fix(app, officer, ids):
    tender_id = _create(officer, ids)
    page = _text(officer.get(f"/officer/tenders/{tender_id}/publish"))
    assert "You cannot publish yet" in page and "Add at least one lot" in page
    response = _post(officer, f"/officer/tenders/{tender_id}/publish", {})
    assert response.status_code == 400 and "There is a problem" in _text(response)
    with app_ctx(app):
        assert db.session.get(Tender, tender_id).status == "draft"


def test_bad_answers_are_shown_beside_their_fields(officer, ids):
    tender_id = _create(officer, ids)
    base = f"/officer/tenders/{tender_id}"
    empty = _post(officer, f"{base}/lots/new", {})
    assert empty.status_code == 400
    body = _text(empty)
    for message in (
        "Enter a name for the lot",
        "Select at least one zone",
        "Enter the estimated hours of care a week",
        "Enter the contract start date",
        "Enter the number of providers to appoint",
    ):
        assert message in body
    bad_date = _lot(
        officer, tender_id, "Ashfield", ids["ashfield"], contract_start_on=["31", "2", "2027"]
    )
    assert bad_date.status_code == 400
    assert "Contract start date must be a real date" in _text(bad_date)
    part_date = _lot(officer, tender_id, "Ashfield", ids["ashfield"], contract_end_on=["", "2", ""])
    assert "Contract end date must include a day and year" in _text(part_date)
    hours = _lot(officer, tender_id, "Ashfield", ids["ashfield"], hours_per_week="lots")
    assert "must be a number" in _text(hours)
    rules = _post(
        officer,
        f"{base}/rules",
        {"quality_weight": "60", "price_weight": "30", "tie_break": "quality,price,submission"},
    )
    assert rules.status_code == 400 and "must add up to 100" in _text(rules)
    early = _post(officer, f"{base}/timetable", _timetable(closing_days=9))
    assert early.status_code == 400
    assert "must allow at least 10 days from the invitation to the closing date" in _text(early)
    clock = _post(officer, f"{base}/timetable", {**_timetable(), "closing_time": "25 o'clock"})
    assert "Enter the closing time in the 24-hour clock" in _text(clock)


def test_lots_questions_scale_and_documents_can_be_changed_and_removed(app, officer, ids):
    tender_id = _complete(officer, ids)
    base = f"/officer/tenders/{tender_id}"
    with app_ctx(app):
        tender = db.session.get(Tender, tender_id)
        lot_id, question_id = tender.lots[0].id, tender.questions[0].id
    edit = officer.get(f"{base}/lots/{lot_id}")
    assert edit.status_code == 200 and 'value="Ashfield"' in _text(edit)
    assert re.search(rf'value="{ids["ashfield"]}"\s+checked', _text(edit))
    changed = _lot(officer, tender_id, "Ashfield again", ids["ashfield"])
    assert changed.status_code == 400 and "already in lot 1" in _text(changed)
    scale = officer.get(f"{base}/questions/{question_id}/scale")
    assert "Unacceptable" in _text(scale) and "Excellent" in _text(scale)
    data = {f"mark_{m}_label": f"Level {m}" for m in range(6)}
    data.update({f"mark_{m}_descriptor": f"Meets level {m}" for m in range(6)})
    assert _post(officer, f"{base}/questions/{question_id}/scale", data).status_code == 302
    assert "Level 3" in _text(officer.get(f"{base}/questions/{question_id}/scale"))
    upload = officer.post(
        f"{base}/documents",
        data={
            "csrf_token": csrf_token(officer, f"{base}/documents"),
            "title": "Service specification",
            "file": (io.BytesIO(PDF), "spec.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    refused = officer.post(
        f"{base}/documents",
        data={
            "csrf_token": csrf_token(officer, f"{base}/documents"),
            "file": (io.BytesIO(b"not a pdf"), "spec.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "The selected file must be a PDF" in _text(refused)
    with app_ctx(app):
        attached_id = db.session.get(Tender, tender_id).documents[0].id
    download = officer.get(f"{base}/documents/{attached_id}")
    assert download.status_code == 200 and download.data == PDF
    download.close()
    confirm = officer.get(f"{base}/lots/{lot_id}/remove")
    assert "Are you sure you want to remove Lot 1: Ashfield?" in _text(confirm)
    assert _post(officer, f"{base}/lots/{lot_id}/remove", {}).status_code == 302
    assert _post(officer, f"{base}/questions/{question_id}/remove", {}).status_code == 302
    assert _post(officer, f"{base}/documents/{attached_id}/remove", {}).status_code == 302
    with app_ctx(app):
        tender = db.session.get(Tender, tender_id)
        assert [lot.title for lot in tender.lots] == ["Bassetlaw"]
        assert [lot.number for lot in tender.lots] == [1]
        assert len(tender.questions) == 1 and tender.documents == []


def test_copy_makes_a_new_draft(app, officer, ids):
    tender_id = _complete(officer, ids)
    response = _post(officer, f"/officer/tenders/{tender_id}/copy", {})
    copy_id = int(response.location.split("/")[-1])
    assert copy_id != tender_id
    page = _text(officer.get(response.location))
    assert "NCC-DPS-2026-T002 is a copy of NCC-DPS-2026-T001" in page
    with app_ctx(app):
        copy = db.session.get(Tender, copy_id)
        assert len(copy.lots) == 2 and copy.closing_at is None


def test_public_pages_show_open_opportunities_without_bid_information(app, officer, ids):
    tender_id = _complete(officer, ids)
    draft_id = _create(officer, ids)
    public = app.test_client()
    assert "There are no open opportunities" in _text(public.get("/opportunities"))
    _post(officer, f"/officer/tenders/{tender_id}/publish", {})
    listing = _text(public.get("/opportunities"))
    assert "Home care in Ashfield" in listing and "NCC-DPS-2026-T001" in listing
    assert "Lot 1: Ashfield (Ashfield)" in listing and "Generic home care" in listing
    detail = public.get("/opportunities/NCC-DPS-2026-T001")
    assert detail.status_code == 200 and "Open for bids" in _text(detail)
    assert "bids received" not in _text(detail).lower()
    with app_ctx(app):
        draft_reference = db.session.get(Tender, draft_id).reference
    assert public.get(f"/opportunities/{draft_reference}").status_code == 404
    assert public.get("/opportunities/NO-SUCH").status_code == 404
    assert public.get("/opportunities/NCC-DPS-2026-T001/documents/1").status_code == 404


def test_other_authorities_get_404_and_other_roles_403(app, officer, ids, login):
    tender_id = _create(officer, ids)
    stranger = login(Role.OFFICER, organisation="Derby City Council")
    for path in ("", "/lots", "/publish", "/timetable", "/invitations"):
        assert stranger.get(f"/officer/tenders/{tender_id}{path}").status_code == 404
    assert "Home care in Ashfield" not in _text(stranger.get("/officer/tenders"))
    assert "no open dynamic purchasing system" in _text(stranger.get("/officer/tenders/new"))
    assert _post(stranger, f"/officer/tenders/{tender_id}/copy", {}).status_code == 404
    provider = login(Role.PROVIDER)
    assert provider.get(f"/officer/tenders/{tender_id}").status_code == 403
    assert officer.get("/officer/tenders/999999").status_code == 404
    assert officer.get(f"/officer/tenders/{tender_id}/lots/999999").status_code == 404
    assert officer.get(f"/officer/tenders/{tender_id}/questions/999999/scale").status_code == 404


def _form_pages(app, officer, ids) -> list[str]:
    tender_id = _complete(officer, ids)
    with app_ctx(app):
        tender = db.session.get(Tender, tender_id)
        lot_id, question_id = tender.lots[0].id, tender.questions[0].id
    base = f"/officer/tenders/{tender_id}"
    return [
        "/officer/tenders/new",
        f"{base}/details",
        f"{base}/lots/new",
        f"{base}/lots/{lot_id}",
        f"{base}/questions/new",
        f"{base}/questions/{question_id}",
        f"{base}/questions/{question_id}/scale",
        f"{base}/price-model",
        f"{base}/rules",
        f"{base}/timetable",
        f"{base}/documents",
    ]


FIELD = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')


@pytest.mark.parametrize("kind", list(ODD))
def test_odd_input_on_every_tender_form_never_gives_a_server_error(app, officer, ids, kind):
    for path in _form_pages(app, officer, ids):
        page = _text(officer.get(path))
        fields = sorted({name for name in FIELD.findall(page) if name != "csrf_token"})
        data = {name: ODD[kind] for name in fields}
        response = _post(officer, path, data)
        assert response.status_code < 500, (path, _text(response)[:500])
        if response.status_code == 400:
            assert "There is a problem" in _text(response)
            assert '<script>alert("x")</script>' not in _text(response)
        # Non-UTF-8 bytes and fields sent twice are answered with a message too.
        token = csrf_token(officer, path)
        raw = "&".join(f"{quote(name)}=%FF%FE%C3%28" for name in fields)
        response = officer.post(
            path,
            data=(raw + f"&csrf_token={quote(token)}").encode("ascii"),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code < 500, path
        doubled = officer.post(path, data={"csrf_token": token, fields[0]: ["a", "b"]})
        assert doubled.status_code < 500, path


def test_zone_labels_name_the_district_of_a_locality(app, officer, ids):
    tender_id = _create(officer, ids)
    page = _text(officer.get(f"/officer/tenders/{tender_id}/lots/new"))
    with app_ctx(app):
        rural = db.session.scalar(select(Zone).where(Zone.code == "bassetlaw_north_rural"))
        label = rural.label
    assert label.startswith("Bassetlaw: ") and label in page


@pytest.mark.parametrize(
    "text, expected",
    [
        ("17:00", time(17, 0)),
        ("5pm", time(17, 0)),
        ("5:30 pm", time(17, 30)),
        ("9.15am", time(9, 15)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("Midday", time(12, 0)),
        ("0900", None),
        ("17", None),
        ("13pm", None),
        ("24:00", None),
        ("5:75pm", None),
        ("", None),
    ],
)
def test_times_are_read_as_people_write_them(text, expected):
    assert parse_time(text) == expected


def test_a_time_the_clocks_skip_is_refused_beside_the_field(officer, ids):
    tender_id = _create(officer, ids)
    march_end = date(to_london(now()).year + 1, 3, 31)
    clocks_change = march_end - timedelta(days=(march_end.weekday() + 1) % 7)  # last Sunday
    response = _post(
        officer,
        f"/officer/tenders/{tender_id}/timetable",
        {**_timetable(), "closing_date": _day(clocks_change), "closing_time": "1:30am"},
    )
    assert response.status_code == 400
    assert "does not exist in the UK that day because the clocks go forward" in _text(response)
