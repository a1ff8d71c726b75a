"""The uplift pages: create a round, review every new rate line by line, approve once; bad input
is a 400 with the message beside the field; another authority's round or contract is a 404."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dps.extensions import db
from dps.models.award import Contract
from dps.models.cost_of_care import ContractRateChange, UpliftRound
from tests.conftest import app_ctx, csrf_token, sign_in
from tests.dps.uplift_setup import uplift_world

GOOD = {
    "title": "April 2027 uplift",
    "effective_on": ["1", "4", "2027"],
    "nlw": "13.21",
    "employer_ni_rate": "",
    "ni_threshold": "",
    "pension_rate": "",
    "pension_threshold": "",
}


@pytest.fixture
def world(app, make_user):
    return uplift_world(app, make_user)


def _client(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def _create(client, **changes):
    data = {**GOOD, **changes, "csrf_token": csrf_token(client, "/officer/uplifts/new")}
    return client.post("/officer/uplifts/new", data=data)


def _approve(client, uplift_id):
    token = csrf_token(client, "/officer/uplifts/new")  # the session token: any form page
    return client.post(f"/officer/uplifts/{uplift_id}/approve", data={"csrf_token": token})


def test_uplift_create_review_and_approve(app, world):
    client = _client(app, world.officer)
    response = _create(client)
    assert response.status_code == 302
    uplift_id = int(re.search(r"/officer/uplifts/(\d+)$", response.location).group(1))
    page = client.get(f"/officer/uplifts/{uplift_id}").get_data(as_text=True)
    with app_ctx(app):
        references = [
            db.session.get(Contract, world.contract_ids[key]).reference
            for key in ("C1", "C2", "C3", "OLD")
        ]
    for reference in references[:3]:
        assert reference in page
    assert references[3] not in page  # ended before the effective date
    assert "Basic pay 12.80 + the NLW rise 0.50 = 13.30." in page  # how C1 follows the NLW
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">£13.30</td>' in page
    assert "Cost a year at the new rates" in page and "Approve the new rates" in page
    assert "£13.21 (from £12.71)" in page

    response = _approve(client, uplift_id)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The new rates are approved" in page and "Rates recorded" in page
    with app_ctx(app):
        assert db.session.get(UpliftRound, uplift_id).status == "approved"
        count = db.session.scalar(select(func.count(ContractRateChange.id)))
        assert count == 3
        new_rate = db.session.get(Contract, world.contract_ids["C1"]).hourly_rate
        rows = db.session.scalars(select(ContractRateChange)).all()
        extra = sum((r.new_rate - r.old_rate) * r.contract.hours_per_week * 52 for r in rows)
    assert f"+£{extra:,.2f}" in page  # the difference a year over every contract
    assert "Cost a year at the old rates" in page

    history = client.get(f"/officer/contracts/{world.contract_ids['C1']}/rates")
    body = history.get_data(as_text=True)
    assert history.status_code == 200 and "April 2027 uplift" in body and f"£{new_rate}" in body
    listing = client.get("/officer/uplifts").get_data(as_text=True)
    assert "April 2027 uplift" in listing and "Approved" in listing

    again = _approve(client, uplift_id)
    assert again.status_code == 400
    assert "already approved" in again.get_data(as_text=True)
    with app_ctx(app):
        assert db.session.scalar(select(func.count(ContractRateChange.id))) == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nlw": ""}, "Enter at least one new figure"),
        ({"nlw": "twelve"}, "must be a number"),
        ({"employer_ni_rate": "150"}, "100 or less"),
        ({"title": ""}, "Enter a title for the uplift"),
        ({"effective_on": ["1", "13", "2027"]}, "The effective date must be a real date"),
        ({"effective_on": ["", "", ""]}, "Enter the date the new rates take effect"),
    ],
)
def test_uplift_bad_input_is_a_400_with_the_message(app, world, changes, message):
    client = _client(app, world.officer)
    response = _create(client, **changes)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in body and message in body
    if changes.get("title", "x"):
        assert 'value="April 2027 uplift"' in body  # what was typed is kept
    with app_ctx(app):
        assert db.session.scalar(select(func.count(UpliftRound.id))) == 0


def test_uplift_of_another_authority_is_404(app, world):
    response = _create(_client(app, world.officer))
    uplift_id = int(response.location.rsplit("/", 1)[1])
    outsider = _client(app, world.outsider)
    assert outsider.get(f"/officer/uplifts/{uplift_id}").status_code == 404
    token = csrf_token(outsider, "/officer/uplifts/new")
    posted = outsider.post(f"/officer/uplifts/{uplift_id}/approve", data={"csrf_token": token})
    assert posted.status_code == 404
    assert outsider.get(f"/officer/contracts/{world.contract_ids['C1']}/rates").status_code == 404
    assert outsider.get("/officer/uplifts/99999999999").status_code == 404
    assert "April 2027" not in outsider.get("/officer/uplifts").get_data(as_text=True)
    with app_ctx(app):
        assert db.session.get(UpliftRound, uplift_id).status == "draft"


def test_uplift_with_no_live_contracts_cannot_be_approved(app, world):
    client = _client(app, world.officer)
    response = _create(client, effective_on=["1", "4", "2031"])
    uplift_id = int(response.location.rsplit("/", 1)[1])
    page = client.get(f"/officer/uplifts/{uplift_id}").get_data(as_text=True)
    assert "There are no live contracts" in page and "Approve the new rates" not in page
    refused = _approve(client, uplift_id)
    assert refused.status_code == 400
    assert "no live contracts to uplift" in refused.get_data(as_text=True)


def test_uplift_pages_are_for_officers_only(app, world):
    provider = _client(app, world.bidders[0])
    assert provider.get("/officer/uplifts").status_code == 403
