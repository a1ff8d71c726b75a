"""The officer's standstill, challenge and contracts page, and the public award page: forms that
keep what was typed and answer bad input with a 400 and clear messages, 404 for others' tenders
and for awards not yet approved."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import select

from dps.extensions import db
from dps.models.award import AwardDecision, Contract
from tests.conftest import app_ctx, sign_in
from tests.dps.award_after_factories import awarded_world, lot_ids


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _url(world) -> str:
    return f"/officer/tenders/{world.tender_id}/award/contracts"


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def _slot(app, world, lot_number: int, bidder: int) -> str:
    with app_ctx(app):
        return f"{lot_ids(world.tender_id)[lot_number - 1]}-{world.world.bidder_org_ids[bidder]}"


def _contract_data(token, key, **values) -> dict:
    prefix = f"c{key}-"
    data = {
        "form": key,
        f"{prefix}csrf_token": token,
        f"{prefix}reference": "REF-1",
        f"{prefix}start_on": ["1", "4", "2027"],
        f"{prefix}end_on": ["31", "3", "2030"],
        f"{prefix}hourly_rate": "27.10",
        f"{prefix}hours_per_week": "500",
    }
    data.update({prefix + name: value for name, value in values.items()})
    return data


def csrf_token(client, url: str) -> str:
    """The forms on the page are prefixed, so their token fields are "<prefix>-csrf_token"."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="[a-z0-9-]*csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def _status(app, world) -> str:
    with app_ctx(app):
        return db.session.get(AwardDecision, world.award_id).status


def test_awardafter_page_shows_defaults_and_refuses_others(app, make_user):
    world = awarded_world(app, make_user, status="standstill_over", ends_in=None)
    client = _client(app, world.world.officer)
    page = _text(client.get(_url(world)))
    assert "Standstill, challenges and contracts" in page
    assert "Care Provider A Ltd: record the contract" in page
    assert "Care Provider B Ltd: record the contract" in page
    assert "Care Provider C Ltd" not in page
    assert 'value="27.10"' in page and 'value="27.22"' in page
    assert f'value="{world.reference}-C1-1"' in page
    assert 'value="2027"' in page
    assert "No standstill period applies" in page
    outsider = _client(app, world.world.outsider_officer)
    assert outsider.get(_url(world)).status_code == 404
    assert client.get("/officer/tenders/999999/award/contracts").status_code == 404


def test_awardafter_bad_contract_gets_400_with_messages_and_keeps_input(app, make_user):
    world = awarded_world(app, make_user, status="standstill_over", ends_in=None)
    client = _client(app, world.world.officer)
    key = _slot(app, world, 1, 0)
    token = csrf_token(client, _url(world))
    bad = _contract_data(
        token, key, end_on=["1", "4", "2026"], hourly_rate="12.345", reference="MY-REF-9"
    )
    response = client.post(_url(world), data=bad)
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page and "<title>Error:" in page
    assert "The end date must be after the start date" in page
    assert 'value="MY-REF-9"' in page and 'value="12.345"' in page

    response = client.post(_url(world), data=_contract_data(token, key, hourly_rate="0"))
    assert response.status_code == 400
    assert "The hourly rate must be more than 0" in _text(response)

    response = client.post(_url(world), data=_contract_data(token, key, start_on=["31", "2", "x"]))
    assert response.status_code == 400
    assert "The start date must be a real date" in _text(response)

    loser = _slot(app, world, 1, 2)
    response = client.post(_url(world), data=_contract_data(token, loser))
    assert response.status_code == 400
    assert "did not win that lot" in _text(response)
    with app_ctx(app):
        assert db.session.scalar(select(Contract.id)) is None


def test_awardafter_challenge_lift_and_contracts_through_the_page(app, make_user):
    world = awarded_world(app, make_user, status="standstill_over", ends_in=None)
    client = _client(app, world.world.officer)
    token = csrf_token(client, _url(world))
    response = client.post(
        _url(world),
        data={"form": "challenge", "challenge-csrf_token": token, "challenge-details": ""},
    )
    assert response.status_code == 400
    assert "Enter the details of the challenge" in _text(response)
    response = client.post(
        _url(world),
        data={
            "form": "challenge",
            "challenge-csrf_token": token,
            "challenge-details": "Care Provider C Ltd has issued a claim.",
        },
    )
    assert response.status_code == 302
    assert _status(app, world) == "challenged"
    page = _text(client.get(_url(world)))
    assert "Care Provider C Ltd has issued a claim." in page
    assert "Lift the challenge" in page
    assert "record the contract" not in page

    key = _slot(app, world, 1, 0)
    response = client.post(_url(world), data=_contract_data(token, key))
    assert response.status_code == 400
    assert "cannot be recorded until the challenge is lifted" in _text(response)

    response = client.post(
        _url(world),
        data={"form": "lift", "lift-csrf_token": token, "lift-reason": "Claim withdrawn."},
    )
    assert response.status_code == 302
    assert _status(app, world) == "standstill_over"

    response = client.post(_url(world), data=_contract_data(token, key, reference="C-ONE"))
    assert response.status_code == 302
    page = _text(client.get(_url(world)))
    assert "Care Provider A Ltd: contract C-ONE" in page
    assert "£13,550.00" in page  # 27.10 x 500 a week
    key2 = _slot(app, world, 2, 1)
    data = _contract_data(token, key2, reference="C-TWO", start_on=["1", "6", "2027"])
    response = client.post(_url(world), data=data, follow_redirects=True)
    assert "the award is concluded" in _text(response)
    assert _status(app, world) == "concluded"


def test_awardafter_page_before_standstill_ends(app, make_user):
    world = awarded_world(app, make_user, status="standstill", ends_in=timedelta(days=5))
    client = _client(app, world.world.officer)
    page = _text(client.get(_url(world)))
    assert "Contracts can be recorded once the standstill period ends" in page
    assert "Record the challenge" in page
    assert "record the contract" not in page


def test_awardafter_public_page(app, make_user):
    world = awarded_world(app, make_user, status="standstill", ends_in=timedelta(days=5))
    anonymous = app.test_client()
    page = _text(anonymous.get(f"/awards/{world.reference}"))
    assert "Standstill period ends" in page
    assert "Care Provider A Ltd" in page and "Care Provider B Ltd" in page
    assert "Care Provider C Ltd" not in page  # losing bidders are not named
    assert "Not recorded yet" in page
    detail = _text(anonymous.get(f"/opportunities/{world.reference}"))
    assert f'href="/awards/{world.reference}"' in detail

    with app_ctx(app):
        award = db.session.get(AwardDecision, world.award_id)
        award.status = "standstill_over"
        award.standstill_ends_at = award.standstill_ends_at - timedelta(days=10)
        db.session.commit()
    client = _client(app, world.world.officer)
    token = csrf_token(client, _url(world))
    key = _slot(app, world, 2, 1)
    data = _contract_data(
        token, key, reference="C-TWO", start_on=["1", "6", "2027"], hourly_rate="28.00"
    )
    assert client.post(_url(world), data=data).status_code == 302
    page = _text(anonymous.get(f"/awards/{world.reference}"))
    assert "Standstill period ends" not in page
    assert "C-TWO" in page and "1 June 2027 to 31 March 2030" in page
    assert "£28.00" in page and "£14,000.00" in page


def test_awardafter_public_page_404_before_approval(app, make_user):
    world = awarded_world(app, make_user, status="proposed")
    anonymous = app.test_client()
    assert anonymous.get(f"/awards/{world.reference}").status_code == 404
    assert anonymous.get("/awards/NO-SUCH-TENDER").status_code == 404
    detail = _text(anonymous.get(f"/opportunities/{world.reference}"))
    assert "/awards/" not in detail
    with app_ctx(app):
        db.session.get(AwardDecision, world.award_id).status = "withdrawn"
        db.session.commit()
    assert anonymous.get(f"/awards/{world.reference}").status_code == 404


ODD = {
    "empty": "",
    "huge": "x" * 10_000,
    "nul and controls": "a\x00b\x01c\x7f",
    "html": '<script>alert("x")</script><b>bold</b>',
    "unicode": "Zoë ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e",
    "list": ["1", "2", "3", "4"],
}


def test_awardafter_odd_input_never_gives_a_server_error(app, make_user):
    """(Not in test_form_inputs.FORMS: the page needs a tender with an award.)"""
    world = awarded_world(app, make_user, status="standstill_over", ends_in=None)
    client = _client(app, world.world.officer)
    token = csrf_token(client, _url(world))
    page = client.get(_url(world)).get_data(as_text=True)
    names = set(re.findall(r'<(?:input|textarea)[^>]*\bname="([^"]+)"', page))
    key = _slot(app, world, 1, 0)
    for kind, value in ODD.items():
        for which in ("challenge", key, value if isinstance(value, str) else "x"):
            prefix = f"c{key}-" if which == key else f"{which}-"
            data = {name: value for name in names if name.startswith(prefix)}
            data.update({"form": which, f"{prefix}csrf_token": token})
            response = client.post(_url(world), data=data)
            assert response.status_code in (302, 400), (kind, which, response.status_code)
            if response.status_code == 302:  # the text was fine once cleaned: recorded
                assert which == "challenge" and kind in ("nul and controls", "html", "unicode")
                continue
            body = response.get_data(as_text=True)
            assert "There is a problem" in body
            assert '<script>alert("x")</script>' not in body
    assert _status(app, world) == "challenged"
    with app_ctx(app):
        assert db.session.get(AwardDecision, world.award_id).challenge_details == "abc"
        assert db.session.scalar(select(Contract.id)) is None
