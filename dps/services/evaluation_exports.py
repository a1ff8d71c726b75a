"""The evaluation matrix as XLSX (a sheet per lot, plus every submitted mark) and as CSV.

Numbers go out as numbers. Text that a spreadsheet would read as a formula (it starts with
= + - @, a tab or a carriage return) is prefixed with a quote, in both formats, so a bidder's
name or a marker's rationale can never run as a formula on an officer's computer.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select

from dps.extensions import db
from dps.models.bid import Bid
from dps.models.evaluation import ConsensusMark, Mark
from dps.models.organisation import Organisation, User
from dps.models.tender import Lot, QualityQuestion
from dps.services import audit
from dps.services.evaluation_results import lot_label, tender_results
from dps.services.results_types import BidResult, LotResult, TenderResults
from dps.state.clock import format_london

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SCORE_FORMAT = "0.00"
MONEY_FORMAT = '"£"#,##0.00'


def safe_cell(value: Any) -> Any:
    """Text that would start a formula gets a leading quote; numbers and None pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "tender"


def outcome(bid: BidResult) -> str:
    if bid.excluded:
        return "Excluded"
    return "Won" if bid.won else "Not awarded"


def matrix_header(results: TenderResults) -> list[str]:
    header = ["Bidder"]
    for question in results.questions:
        header += [f"Q{question['number']} mark", f"Q{question['number']} points"]
    return header + [
        "Quality score",
        "Price (£ an hour)",
        "Price score",
        "Combined score",
        "Position",
        "Outcome",
        "Reason",
    ]


def matrix_row(results: TenderResults, bid: BidResult) -> list[Any]:
    """One bid's row: numbers as Decimal/int (None where not scored)."""
    by_number = {question.number: question for question in bid.questions}
    row: list[Any] = [bid.organisation_name]
    for question in results.questions:
        given = by_number.get(question["number"])
        row += [None, None] if given is None else [given.mark, given.points]
    return row + [
        bid.quality_score,
        bid.price,
        bid.price_score,
        bid.combined,
        bid.position,
        outcome(bid),
        bid.reason,
    ]


@dataclass(frozen=True)
class MarkRow:
    marker: str
    lot: int
    bidder_label: str
    bidder: str
    question: int
    mark: Decimal | None
    rationale: str
    submitted_at: datetime | None
    consensus: Decimal | None
    consensus_reason: str


MARK_HEADER = [
    "Marker",
    "Lot",
    "Bidder label",
    "Bidder",
    "Question",
    "Mark",
    "Rationale",
    "Submitted",
    "Consensus mark",
    "Consensus reason",
]


def _labels(tender_id: int) -> dict[int, str]:
    if importlib.util.find_spec("dps.services.marking") is None:
        return {}
    from dps.services import marking

    labeller = getattr(marking, "bidder_labels", None)
    return labeller(tender_id) if labeller else {}


def submitted_marks(tender_id: int) -> list[MarkRow]:
    """Every submitted individual mark with its consensus: two SELECTs whatever the size."""
    consensus = {
        (row.bid_id, row.question_id): row
        for row in db.session.scalars(
            select(ConsensusMark).where(ConsensusMark.tender_id == tender_id)
        )
    }
    labels = _labels(tender_id)
    rows = db.session.execute(
        select(
            Mark,
            User.full_name,
            Lot.number,
            Organisation.id,
            Organisation.name,
            QualityQuestion.number,
        )
        .join(User, User.id == Mark.marker_id)
        .join(Bid, Bid.id == Mark.bid_id)
        .join(Lot, Lot.id == Bid.lot_id)
        .join(Organisation, Organisation.id == Bid.organisation_id)
        .join(QualityQuestion, QualityQuestion.id == Mark.question_id)
        .where(Mark.tender_id == tender_id, Mark.submitted_at.is_not(None))
        .order_by(Lot.number, Organisation.name, QualityQuestion.number, User.full_name)
    ).all()
    result = []
    for mark, marker, lot, org_id, bidder, question in rows:
        agreed = consensus.get((mark.bid_id, mark.question_id))
        result.append(
            MarkRow(
                marker,
                lot,
                labels.get(org_id, ""),
                bidder,
                question,
                mark.mark,
                mark.rationale,
                mark.submitted_at,
                None if agreed is None else agreed.mark,
                "" if agreed is None else agreed.reason,
            )
        )
    return result


def _sheet_title(lot: LotResult, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "", lot_label(lot))[:31].strip()
    title, count = base, 2
    while title.lower() in used:
        title = f"{base[:27]} ({count})"
        count += 1
    used.add(title.lower())
    return title


def _append(sheet, values: list[Any]) -> None:
    sheet.append([safe_cell(value) for value in values])


def _formats(sheet, header: list[str]) -> None:
    for index, name in enumerate(header, start=1):
        number_format = (
            MONEY_FORMAT
            if name.startswith("Price (")
            else (SCORE_FORMAT if "score" in name or "points" in name else None)
        )
        if number_format:
            for cell in next(sheet.iter_cols(min_col=index, max_col=index, min_row=2)):
                cell.number_format = number_format
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"


def xlsx(results: TenderResults, marks: list[MarkRow]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used = {"marks", "about"}
    header = matrix_header(results)
    for lot in results.lots:
        sheet = book.create_sheet(_sheet_title(lot, used))
        _append(sheet, header)
        for bid in lot.bids:
            _append(sheet, matrix_row(results, bid))
        if lot.bids:
            _formats(sheet, header)
        sheet.column_dimensions["A"].width = 32
    sheet = book.create_sheet("Marks")
    _append(sheet, MARK_HEADER)
    for row in marks:
        _append(
            sheet,
            [
                row.marker,
                row.lot,
                row.bidder_label,
                row.bidder,
                row.question,
                row.mark,
                row.rationale,
                format_london(row.submitted_at) if row.submitted_at else None,
                row.consensus,
                row.consensus_reason,
            ],
        )
    sheet.freeze_panes = "A2"
    about = book.create_sheet("About")
    _append(about, ["Tender", f"{results.reference} {results.title}"])
    _append(about, ["Weighting", f"Quality {results.quality_weight}, price {results.price_weight}"])
    _append(about, ["Results ready", "Yes" if results.ready else "No: provisional"])
    for reason in results.not_ready_reasons:
        _append(about, ["Not ready because", reason])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(results: TenderResults) -> str:
    """One row per bid per lot, the same columns as the XLSX lot sheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(value) for value in ["Lot", *matrix_header(results)]])
    for lot in results.lots:
        for bid in lot.bids:
            values = [lot_label(lot), *matrix_row(results, bid)]
            writer.writerow(["" if value is None else safe_cell(value) for value in values])
    return buffer.getvalue()


def export(actor: User, tender_id: int, fmt: str) -> tuple[bytes, str]:
    """The matrix in `fmt` (xlsx or csv) and its mimetype; the download is audited."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    results = tender_results(tender_id)
    if fmt == "xlsx":
        body = xlsx(results, submitted_marks(tender_id))
    else:
        body = ("\ufeff" + csv_text(results)).encode("utf-8")
    audit.record(
        "evaluation.exported",
        "tender",
        tender_id,
        {"format": fmt, "ready": results.ready},
        actor=actor,
    )
    db.session.commit()
    return body, FORMATS[fmt]
