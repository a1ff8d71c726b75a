"""The market dashboard over HTTP: who may see it, its filters and errors, and the downloads."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from dps.models import Role
from tests.conftest import app_ctx, sign_in
from tests.dps.market_factories import market_world


@pytest.fixture
def world(app, make_user):
    return market_world(app, make_user)


def client_for(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def test_market_dashboard_shows_every_table(app, world):
    client = client_for(app, world.officer)
    index = client.get("/officer/market").get_data(as_text=True)
    url = f"/officer/dps/{world.dps_id}/market"
    assert url in index
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for heading in (
        "Admitted providers",
        "Thin markets",
        "Provider size",
        "CQC ratings",
        "Bid prices",
        "Contracted hours",
        "Decisions on applications",
    ):
        assert f">{heading}</h2>" in page
    assert "2 of 4 providers (50.0%) are micro or small businesses" in page
    assert "2 of 3 decided applications (66.7%) were decided on time" in page
    assert page.count('role="img"') == 5  # zones, sizes, ratings, prices, hours
    assert 'aria-label="Hourly bid prices in each zone. Ashfield: £25.00 to £28.00' in page
    assert ">26.50<" in page and ">35.01<" in page
    for name in ("providers", "thin", "sizes", "cqc", "prices", "hours", "decisions"):
        assert f"/officer/dps/{world.dps_id}/market/{name}.csv" in page
    assert f"/officer/dps/{world.dps_id}/market/membership.xlsx" in page


def test_market_filters_over_http_carry_into_downloads(app, world):
    client = client_for(app, world.officer)
    dementia = world.category_ids["dementia"]
    url = f"/officer/dps/{world.dps_id}/market?category={dementia}&threshold=2"
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{dementia}" selected>' in page
    assert 'value="2"' in page
    assert "Zones with fewer than 2 admitted providers." in page
    assert "No opened tender has checked prices for these filters." in page
    download = client.get(
        f"/officer/dps/{world.dps_id}/market/providers.csv?category={dementia}&threshold=2"
    )
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith('-providers.csv"')
    rows = list(csv.reader(io.StringIO(download.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Zone", "Dementia care", "Providers in the zone"]
    assert rows[1] == ["Ashfield", "1", "1"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("threshold=0", "The thin-market threshold must be a whole number from 1 to 999"),
        ("threshold=%3Cb%3E", "The thin-market threshold must be a whole number from 1 to 999"),
        ("zone=123456", "Select a zone from the list"),
        ("category=abc", "Category must be a whole number"),
        ("threshold=%FF%FE", "The thin-market threshold must be a whole number from 1 to 999"),
        ("zone=" + "9" * 10_000, "Zone must be a whole number"),
    ],
)
def test_market_bad_filters_give_400_with_the_problem(app, world, query, message):
    client = client_for(app, world.officer)
    response = client.get(f"/officer/dps/{world.dps_id}/market?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and message in page
    assert "<title>Error: " in page
    assert "<b>" not in page
    download = client.get(f"/officer/dps/{world.dps_id}/market/prices.csv?{query}")
    assert download.status_code == 400 and message in download.get_data(as_text=True)


def test_market_threshold_typed_is_kept_on_error(app, world):
    client = client_for(app, world.officer)
    page = client.get(f"/officer/dps/{world.dps_id}/market?threshold=lots").get_data(as_text=True)
    assert 'value="lots"' in page and 'href="#threshold"' in page


def test_market_other_authority_gets_404(app, world):
    client = client_for(app, world.outsider)
    index = client.get("/officer/market").get_data(as_text=True)
    assert f"/officer/dps/{world.dps_id}/market" not in index
    assert client.get(f"/officer/dps/{world.dps_id}/market").status_code == 404
    for name in ("prices", "membership", "applications"):
        assert client.get(f"/officer/dps/{world.dps_id}/market/{name}.csv").status_code == 404


def test_market_unknown_table_or_format_is_404(app, world):
    client = client_for(app, world.officer)
    assert client.get(f"/officer/dps/{world.dps_id}/market/secrets.csv").status_code == 404
    assert client.get(f"/officer/dps/{world.dps_id}/market/prices.pdf").status_code == 404
    assert client.get("/officer/dps/999999/market").status_code == 404


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.EVALUATOR, Role.PANEL, Role.ADMIN])
def test_market_other_roles_get_403(app, world, login, role):
    client = login(role)
    for path in (
        "/officer/market",
        f"/officer/dps/{world.dps_id}/market",
        f"/officer/dps/{world.dps_id}/market/membership.csv",
    ):
        assert client.get(path).status_code == 403, path


def test_market_membership_and_applications_downloads(app, world):
    client = client_for(app, world.officer)
    response = client.get(f"/officer/dps/{world.dps_id}/market/membership.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == [
        "Alpha Home Care",
        "Beta Care",
        "Delta Dementia",
        "Epsilon Care",
        "Gamma Care Group",
    ]
    response = client.get(f"/officer/dps/{world.dps_id}/market/applications.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 5
    late = [row for row in rows if row["Decided on time"] == "No"]
    assert [row["Decided on"] for row in late] == ["2026-05-21"]  # 00:30 in London
    with app_ctx(app):
        from dps.extensions import db
        from dps.models import AuditEvent

        actions = db.session.scalars(
            db.select(AuditEvent.action).where(AuditEvent.action == "market.export")
        ).all()
        assert len(actions) == 2
