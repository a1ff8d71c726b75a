"""The results page, the XLSX/CSV exports and the evaluation report over HTTP: numbers, formula
injection, conflicts in the PDF, permissions, and a fixed number of SQL statements."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from dps.extensions import db
from dps.models import AuditEvent, Organisation
from dps.models.bid import Bid
from dps.models.evaluation import (
    ConflictDeclaration,
    ConsensusMark,
    DeclaredConflict,
    PriceReview,
)
from dps.models.organisation import OrganisationKind
from dps.state.clock import now
from tests.conftest import app_ctx, sign_in
from tests.dps import tender_factories as f
from tests.dps.documents.samples import text as pdf_text
from tests.dps.evalresults_setup import names, settle
from tests.dps.evaluation_factories import evaluation_world

A, B, C = range(3)
MARKS = {A: (4, 4, 4), B: (5, 5, 3), C: (3, 3, 5)}
PRICES = {A: "25.00", B: "27.50", C: "20.00"}


@pytest.fixture
def world(app, make_user):
    world = evaluation_world(app, make_user, bidders=3, lots=2)
    settle(
        app,
        world,
        {(who, lot): MARKS[who] for who in (A, B, C) for lot in (0, 1)},
        {(who, lot): PRICES[who] for who in (A, B, C) for lot in (0, 1)},
    )
    return world


def client_for(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def url(world, tail="results"):
    return f"/officer/tenders/{world.tender_id}/evaluation/{tail}"


def test_results_page_shows_scores_exclusions_and_sensitivity(app, world):
    page = client_for(app, world.officer).get(url(world))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    n = names(world)
    assert "Evaluation results" in html and "Ready" in html
    assert n[C] in html and "85.60" in html and "79.49" in html and "£25.00" in html
    assert "wins (ranked 1st, score 85.60)" in html
    assert 'role="img"' in html and 'aria-label="Bar chart of combined scores' in html
    assert "Winners of lot 1 under other weightings" in html
    assert "17.32 points towards quality" in html
    for fmt in ("xlsx", "csv"):
        assert url(world, f"results.{fmt}") in html
    assert url(world, "report.pdf") in html
    assert "&lt;" not in html  # the outcome cells are real markup, not escaped text


def test_not_ready_banner_lists_the_reasons(app, make_user):
    world = evaluation_world(app, make_user, bidders=2, lots=1)
    settle(
        app,
        world,
        {(0, 0): (4, 4, None), (1, 0): (3, 3, 3)},
        {(0, 0): "25.00", (1, 0): ("22.00", "low")},
    )
    html = client_for(app, world.officer).get(url(world)).get_data(as_text=True)
    assert "These results are provisional" in html
    assert "the answer to question 3 has no consensus mark yet" in html
    assert "abnormally low, no explanation requested yet" in html
    assert "<li>Lot 1: " in html and "&lt;li" not in html


def test_xlsx_has_a_sheet_per_lot_and_the_marks_as_numbers(app, world):
    response = client_for(app, world.officer).get(url(world, "results.xlsx"))
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment; filename=" in response.headers["Content-Disposition"]
    assert "-evaluation.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[-2:] == ["Marks", "About"] and len(book.sheetnames) == 4
    sheet = book[book.sheetnames[0]]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Bidder", "Q1 mark", "Q1 points"]
    rows = {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    n = names(world)
    b = rows[n[B]]
    assert b["Q1 mark"] == 5 and b["Q3 points"] == pytest.approx(14.4)
    assert b["Quality score"] == pytest.approx(50.4) and b["Price score"] == pytest.approx(29.09)
    assert b["Combined score"] == pytest.approx(79.49) and b["Position"] == 3
    assert isinstance(b["Price (£ an hour)"], int | float) and b["Price (£ an hour)"] == 27.5
    assert rows[n[C]]["Outcome"] == "Won" and rows[n[A]]["Outcome"] == "Not awarded"
    marks = list(book["Marks"].iter_rows(values_only=True))
    assert marks[0][:6] == ("Marker", "Lot", "Bidder label", "Bidder", "Question", "Mark")
    assert len(marks) - 1 == 3 * 2 * 3 * 2  # bidders x lots x questions x markers
    first = marks[1]
    assert isinstance(first[5], int | float) and first[6].startswith("Marker ")
    assert first[8] == first[5]  # consensus equals the marks in this world


def test_csv_parses_with_one_row_per_bid_per_lot(app, world):
    response = client_for(app, world.officer).get(url(world, "results.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 6
    c = next(r for r in rows if r["Bidder"] == names(world)[C] and r["Lot"].startswith("Lot 1"))
    assert (c["Quality score"], c["Price score"], c["Combined score"], c["Position"]) == (
        "45.60",
        "40.00",
        "85.60",
        "1",
    )


def test_formula_injection_is_neutralised(app, world):
    evil = '=HYPERLINK("http://x.example","click")'
    with app_ctx(app):
        org = db.session.get(Organisation, world.bidder_org_ids[A])
        org.name = evil
        db.session.execute(
            ConsensusMark.__table__.update()
            .where(ConsensusMark.tender_id == world.tender_id)
            .values(reason="+SUM(A1:A2)")
        )
        db.session.commit()
    officer = client_for(app, world.officer)
    book = load_workbook(io.BytesIO(officer.get(url(world, "results.xlsx")).data))
    values = [cell.value for sheet in book for row in sheet.iter_rows() for cell in row]
    texts = [value for value in values if isinstance(value, str)]
    assert "'" + evil in texts and "'+SUM(A1:A2)" in texts
    assert not any(value.startswith(("=", "+", "@")) for value in texts)
    body = officer.get(url(world, "results.csv")).data.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert "'" + evil in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_report_pdf_holds_winners_scores_and_conflicts(app, world):
    with app_ctx(app):
        declaration = ConflictDeclaration(
            tender_id=world.tender_id, user_id=f.user(world.evaluators[0]).id
        )
        declaration.conflicts.append(
            DeclaredConflict(
                organisation_id=world.bidder_org_ids[B],
                nature="Her brother works there.",
                handling="Kept away from this bidder's answers.",
            )
        )
        db.session.add(declaration)
        db.session.commit()
    response = client_for(app, world.officer).get(url(world, "report.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "-evaluation-report.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    n = names(world)
    assert f"{n[C]} £20.00 45.60 40.00 85.60 1 Awarded" in text
    assert f"{n[A]} £25.00 48.00 32.00 80.00 2 Not awarded" in text
    assert "Winners and why" in text and "combined score of 85.60" in text
    # hours x 52 x winning rate: 2 lots x 500 x 52 x 20.00
    assert "Estimated value £1,040,000.00" in text
    assert n[B] in text and "Her brother works there." in text
    assert "Kept away from this bidder's answers." in text
    with app_ctx(app):
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "evaluation.report_produced" in actions


def test_another_authority_gets_404_and_other_roles_403(app, world):
    outsider = client_for(app, world.outsider_officer)
    for tail in ("results", "results.xlsx", "results.csv", "report.pdf"):
        assert outsider.get(url(world, tail)).status_code == 404
    assert client_for(app, world.officer).get(url(world, "results.pdf")).status_code == 404
    for email in (world.evaluators[0], world.panel[0], world.bidders[0]):
        client = client_for(app, email)
        for tail in ("results", "results.xlsx", "report.pdf"):
            assert client.get(url(world, tail)).status_code == 403


def _add_bids(app, world, count: int, start: int = 0) -> None:
    """`count` more bidders for lot 1 with consensus marks and checked prices (no sealing)."""
    with app_ctx(app):
        moderator = f.user(world.officer).id
        for index in range(start, start + count):
            org = Organisation(kind=OrganisationKind.PROVIDER, name=f"Bulk Care {index:03d}")
            db.session.add(org)
            db.session.flush()
            bid = Bid(
                tender_id=world.tender_id,
                lot_id=world.lot_ids[0],
                organisation_id=org.id,
                status="submitted",
                submitted_version=1,
                submitted_at=now(),
            )
            db.session.add(bid)
            db.session.flush()
            for question_id in world.question_ids:
                db.session.add(
                    ConsensusMark(
                        tender_id=world.tender_id,
                        bid_id=bid.id,
                        question_id=question_id,
                        mark=Decimal(2 + index % 4),
                        moderator_id=moderator,
                    )
                )
            db.session.add(
                PriceReview(
                    tender_id=world.tender_id,
                    bid_id=bid.id,
                    status="checked",
                    hourly_price=Decimal("21.00") + Decimal(index % 50) / 10,
                    capacity_hours=Decimal("800"),
                )
            )
        db.session.commit()


def test_queries_do_not_grow_with_the_number_of_bids(app, world):
    officer = client_for(app, world.officer)

    def count() -> int:
        statements = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            response = officer.get(url(world))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert response.status_code == 200
        return len(statements)

    _add_bids(app, world, 4)  # 10 bids
    small = count()
    _add_bids(app, world, 290, start=4)  # 300 bids
    large = count()
    assert small == large, (small, large)
