"""The public OCDS pages: an index linking every package, and the packages as JSON."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from dps.ocds.validate import validate_package
from dps.state import clock
from tests.conftest import app_ctx
from tests.dps.ocds import ocds_data as data


@pytest.fixture
def published(app):
    """A published DPS with a member, a published and a closed tender, and drafts of each."""
    clock.set_fixed(data.START + timedelta(days=1))
    with app_ctx(app):
        dps_id = data.make_dps("OC-DPS-R1")
        data.admit(dps_id, data.provider("Bright Homecare"), [(0, 0)])
        data.make_tender(dps_id, "OC-T-OPEN")
        closed = data.make_tender(dps_id, "OC-T-CLOSED")
        data.bid(closed, 1, data.provider("Able Care"))
        data.set_status(closed, "closed")
        data.make_tender(dps_id, "OC-T-DRAFT", status="draft")
        data.make_dps("OC-DPS-DRAFT", publish=False)
    clock.set_fixed(data.START + timedelta(days=20))


def test_index_lists_every_published_package(app, published):
    response = app.test_client().get("/ocds/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Open contracting data</h1>' in page
    for href in (
        "/ocds/dps/OC-DPS-R1.json",
        "/ocds/tenders/OC-T-OPEN.json",
        "/ocds/tenders/OC-T-CLOSED.json",
    ):
        assert f'href="{href}"' in page
    assert "Home care tender OC-T-CLOSED (JSON)</a>" in page
    assert "OCID: ocds-commission-tender-OC-T-CLOSED" in page
    assert "OCID: ocds-commission-dps-OC-DPS-R1" in page
    assert "OC-T-DRAFT" not in page
    assert "OC-DPS-DRAFT" not in page


def test_index_with_nothing_published(app):
    page = app.test_client().get("/ocds/").get_data(as_text=True)
    assert "No dynamic purchasing systems have been published yet." in page
    assert "No tenders have been published yet." in page


@pytest.mark.parametrize(
    "path, ocid",
    [
        ("/ocds/dps/OC-DPS-R1.json", "ocds-commission-dps-OC-DPS-R1"),
        ("/ocds/tenders/OC-T-OPEN.json", "ocds-commission-tender-OC-T-OPEN"),
        ("/ocds/tenders/OC-T-CLOSED.json", "ocds-commission-tender-OC-T-CLOSED"),
    ],
)
def test_packages_are_public_valid_json(app, published, path, ocid):
    response = app.test_client().get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    package = json.loads(response.get_data(as_text=True))
    assert validate_package(package) == []
    assert package["uri"] == f"http://localhost{path}"
    assert package["releases"][0]["ocid"] == ocid


def test_closed_tender_package_counts_its_bids(app, published):
    package = app.test_client().get("/ocds/tenders/OC-T-CLOSED.json").get_json()
    stats = {s["id"]: s["value"] for s in package["releases"][0]["bids"]["statistics"]}
    assert stats["lot-1-bids"] == 1
    assert stats["bidders"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/ocds/dps/NO-SUCH-DPS.json",
        "/ocds/tenders/NO-SUCH-TENDER.json",
        "/ocds/dps/OC-DPS-DRAFT.json",
        "/ocds/tenders/OC-T-DRAFT.json",
        "/ocds/tenders/OC-DPS-R1.json",
        "/ocds/dps/OC-T-OPEN.json",
        "/ocds/dps/OC-DPS-R1",
    ],
)
def test_unknown_and_draft_references_are_not_found(app, published, path):
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
