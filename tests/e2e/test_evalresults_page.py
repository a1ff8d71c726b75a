"""The lead officer opens the evaluation results, reads the scores, the sensitivity chart and its
table, and downloads the XLSX matrix; the page passes axe and fits a 320px screen."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.dps.evalresults_setup import names, settle
from tests.dps.evaluation_factories import evaluation_world
from tests.e2e.helpers import check_page, sign_in


def test_evalresults_officer_reads_results_and_downloads_the_matrix(page, app, make_user):
    world = evaluation_world(app, make_user, bidders=3, lots=2)
    marks = {0: (4, 4, 4), 1: (5, 5, 3), 2: (3, 3, 5)}
    prices = {0: "25.00", 1: "27.50", 2: "20.00"}
    settle(
        app,
        world,
        {(who, lot): marks[who] for who in range(3) for lot in range(2)},
        {(who, lot): prices[who] for who in range(3) for lot in range(2)},
    )
    winner = names(world)[2]
    sign_in(page, world.officer, PASSWORD)
    page.goto(f"/officer/tenders/{world.tender_id}/evaluation/results")
    expect(page.get_by_role("heading", name="Evaluation results")).to_be_visible()
    expect(page.get_by_role("table", name="Bids for lot 1, best first")).to_contain_text(winner)
    expect(page.get_by_role("img", name="Bar chart of combined scores").first).to_be_visible()
    expect(
        page.get_by_role("table", name="Winners of lot 1 under other weightings")
    ).to_contain_text("60/40")
    page.get_by_text("How lot 1 was ranked, step by step").click()
    expect(page.locator("main")).to_contain_text("Tie-break rule:")
    check_page(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Evaluation matrix and marks (XLSX spreadsheet)").click()
    download = info.value
    assert download.suggested_filename.endswith("-evaluation.xlsx")
    with open(download.path(), "rb") as stream:
        book = load_workbook(io.BytesIO(stream.read()))
    assert "Marks" in book.sheetnames
    rows = list(book[book.sheetnames[0]].iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == winner and isinstance(rows[0][-6], int | float)
