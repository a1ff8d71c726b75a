"""The evaluation report: the record of how a tender was decided, lot by lot.

It holds what PCR 2015 regulation 84 asks a procurement report to hold: the authority, the
subject and value of the contract, the bidders, those excluded and why, the winners and why,
and the conflicts of interest declared and how they were handled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable

from dps.documents.layout import (
    Authority,
    build_pdf,
    data_table,
    format_money,
    format_number,
    format_score,
    key_value_table,
    letterhead,
    para,
    table_heading,
)
from dps.state.calendar import REGIMES
from dps.state.clock import format_london

__all__ = [
    "Authority",
    "BidderRow",
    "ConflictRow",
    "ExcludedBidder",
    "LotReport",
    "ReportData",
    "WinnerReason",
    "render_evaluation_report",
]

NOT_SCORED = "Not scored"


@dataclass(frozen=True)
class BidderRow:
    """One bid on a lot. Scores are None where the bid was excluded before scoring."""

    name: str
    quality: Decimal | None
    price: Decimal | None
    total: Decimal | None
    rank: int | None
    status: str
    hourly_rate: Decimal | None = None


@dataclass(frozen=True)
class ExcludedBidder:
    """A bidder excluded from a lot, and the reason recorded for it."""

    name: str
    reason: str


@dataclass(frozen=True)
class WinnerReason:
    """A winning bidder and why its bid was chosen."""

    name: str
    why: str


@dataclass(frozen=True)
class LotReport:
    """One lot's bids and decision. ``no_award_reason`` says why a lot was not awarded."""

    lot_title: str
    hours_per_week: Decimal | int
    bidders: Sequence[BidderRow]
    excluded: Sequence[ExcludedBidder] = field(default_factory=tuple)
    winners: Sequence[WinnerReason] = field(default_factory=tuple)
    no_award_reason: str | None = None


@dataclass(frozen=True)
class ConflictRow:
    """A conflict of interest a panel member declared, and what was done about it."""

    marker: str
    bidder: str
    declared_at: datetime
    handling: str


@dataclass(frozen=True)
class ReportData:
    """Everything the report says; ``weighting`` is the published weighting in words."""

    authority: Authority
    tender_reference: str
    tender_title: str
    dps_reference: str
    regime: str
    subject: str
    estimated_value: Decimal
    lots: Sequence[LotReport]
    conflicts: Sequence[ConflictRow]
    weighting: str
    generated_at: datetime
    notes: Sequence[str] = ()  # said up front, e.g. that the results are still provisional


_PURPOSE = {
    "pcr2015_dps": (
        "This report records how the tender was evaluated and decided. It holds the "
        "information regulation 84 of the Public Contracts Regulations 2015 asks for."
    ),
    "light_touch": (
        "This report records how the tender was evaluated and decided under the light-touch "
        "regime. It holds the information regulation 84 of the Public Contracts Regulations "
        "2015 asks for."
    ),
    "pa2023_dynamic_market": (
        "This report records how the competition within the dynamic market was evaluated and "
        "decided, as part of the records the Procurement Act 2023 asks us to keep."
    ),
}

_ARRANGEMENT = {"pa2023_dynamic_market": "Dynamic market"}


def _score(value: Decimal | None) -> str:
    return NOT_SCORED if value is None else format_score(value)


def _summary(data: ReportData) -> list[Flowable]:
    authority = "\n".join([data.authority.name, *data.authority.address_lines])
    rows = [
        ("Contracting authority", authority),
        ("Subject", data.subject),
        ("Tender reference", data.tender_reference),
        (_ARRANGEMENT.get(data.regime, "Dynamic purchasing system"), data.dps_reference),
        ("Procurement regime", REGIMES[data.regime].name),
        ("Estimated value", format_money(data.estimated_value)),
        ("Lots", str(len(data.lots))),
        ("Award criteria", data.weighting),
    ]
    return [para("The procurement", "h2"), key_value_table(rows)]


def _bids_table(lot: LotReport) -> list[Flowable]:
    if not lot.bidders:
        return [para("No bids were received for this lot.")]
    rows = [
        [
            bidder.name,
            "Not given" if bidder.hourly_rate is None else format_money(bidder.hourly_rate),
            _score(bidder.quality),
            _score(bidder.price),
            _score(bidder.total),
            "n/a" if bidder.rank is None else str(bidder.rank),
            bidder.status,
        ]
        for bidder in lot.bidders
    ]
    header = ["Bidder", "Hourly rate", "Quality", "Price", "Total", "Rank", "Outcome"]
    widths = [0.29, 0.12, 0.11, 0.11, 0.11, 0.08, 0.18]
    return [*table_heading("Bids"), data_table(header, rows, widths, numeric={1, 2, 3, 4, 5})]


def _lot(lot: LotReport) -> list[Flowable]:
    story: list[Flowable] = [
        para(lot.lot_title, "h2"),
        para(
            f"About {format_number(lot.hours_per_week)} hours of care a week. "
            f"{len(lot.bidders)} bid{'' if len(lot.bidders) == 1 else 's'} received."
        ),
        *_bids_table(lot),
        *table_heading("Bidders excluded and why"),
    ]
    if lot.excluded:
        rows = [[excluded.name, excluded.reason] for excluded in lot.excluded]
        story.append(data_table(["Bidder", "Reason for exclusion"], rows, [0.3, 0.7]))
    else:
        story.append(para("No bidders were excluded from this lot."))
    story.extend(table_heading("Winners and why"))
    if lot.winners:
        rows = [[winner.name, winner.why] for winner in lot.winners]
        story.append(data_table(["Bidder", "Why the bid was chosen"], rows, [0.3, 0.7]))
    else:
        story.append(para(f"This lot was not awarded. {lot.no_award_reason or ''}".strip()))
    return story


def _conflicts(data: ReportData) -> list[Flowable]:
    if not data.conflicts:
        return [
            para("Conflicts of interest", "h2"),
            para("No conflicts of interest were declared."),
        ]
    story = table_heading("Conflicts of interest", "h2")
    rows = [
        [conflict.marker, conflict.bidder, format_london(conflict.declared_at), conflict.handling]
        for conflict in data.conflicts
    ]
    header = ["Panel member", "Bidder", "Declared", "How it was handled"]
    story.append(data_table(header, rows, [0.2, 0.2, 0.2, 0.4]))
    return story


def render_evaluation_report(data: ReportData) -> bytes:
    """The evaluation report as PDF bytes."""
    if data.regime not in REGIMES:
        raise ValueError(f"unknown regime {data.regime!r}")
    title_words = "Evaluation report"
    title = f"{title_words}: {data.tender_title} ({data.tender_reference})"
    story: list[Flowable] = [
        *letterhead(data.authority),
        para(title_words, "title"),
        para(f"{data.tender_title} (reference {data.tender_reference})", "subtitle"),
        para(_PURPOSE[data.regime]),
        para(f"Produced at {format_london(data.generated_at)}."),
        *[para(note) for note in data.notes],
        *_summary(data),
    ]
    for lot in data.lots:
        story.extend(_lot(lot))
    story.extend(_conflicts(data))
    return build_pdf(
        story,
        title=title,
        author=data.authority.name,
        subject=f"Evaluation report for {data.tender_reference}",
        footer_text=f"{data.authority.name} \u00b7 {data.tender_reference} \u00b7 {title_words}",
    )
