"""An officer opens the market dashboard from the menu, reads the charts and their tables,
filters to one service, mistypes the threshold, and downloads a table and the membership; every
page passes axe and fits a 320px screen."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.dps.market_factories import market_world
from tests.e2e.helpers import check_page, sign_in


def test_market_dashboard_journey(page, app, make_user):
    world = market_world(app, make_user)
    sign_in(page, world.officer, PASSWORD)
    page.get_by_role("link", name="Market").first.click()
    expect(page.get_by_role("heading", name="Market intelligence")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Home care DPS").click()

    expect(page.get_by_role("img", name="Admitted providers in each zone")).to_be_visible()
    expect(page.get_by_role("img", name="Hourly bid prices in each zone")).to_be_visible()
    expect(page.get_by_role("table", name="Bid prices by zone")).to_contain_text("26.50")
    expect(
        page.get_by_role("table", name="Admitted providers by zone and service")
    ).to_contain_text("Thin")
    expect(page.locator("main")).to_contain_text("(50.0%) are micro or small businesses")
    check_page(page)

    page.get_by_label("Service", exact=True).select_option(label="Dementia care")
    page.get_by_label("Thin-market threshold").fill("1")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table", name="Provider size")).to_contain_text("Micro")
    expect(page.locator("main")).to_contain_text("Zones with fewer than 1 admitted provider.")
    check_page(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV (Admitted providers by zone and service)").click()
    with open(info.value.path(), encoding="utf-8-sig") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["Zone", "Dementia care", "Providers in the zone"]

    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX (membership)").click()
    with open(info.value.path(), "rb") as stream:
        sheet = load_workbook(io.BytesIO(stream.read())).active
    assert sheet["A1"].value == "Provider" and sheet.max_row == 6

    page.get_by_label("Thin-market threshold").fill("none")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("whole number from 1 to 999")
    expect(page.get_by_label("Thin-market threshold")).to_have_value("none")
    check_page(page)
