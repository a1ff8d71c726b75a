"""The evaluation report: what a regulation 84 report holds, read back from the PDF."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from dps.documents.evaluation_report import (
    BidderRow,
    ConflictRow,
    ExcludedBidder,
    LotReport,
    render_evaluation_report,
)
from tests.dps.documents import samples
from tests.dps.documents.samples import BIDDER, WINNER


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return render_evaluation_report(samples.report())


def test_report_gives_subject_value_and_regime(report_pdf):
    text = samples.text(report_pdf)

    assert text.startswith("Nottinghamshire County Council County Hall")
    assert (
        "Evaluation report Home care in Ashfield and Mansfield (reference NCC-HC-2026-014)" in text
    )
    assert "regulation 84 of the Public Contracts Regulations 2015" in text
    assert "Produced at 3:05pm on Monday 2 March 2026." in text
    assert (
        "Subject Home care for adults in Ashfield and Mansfield, 3 years from 1 April 2026" in text
    )
    assert "Estimated value £4,250,000.00" in text
    assert "Dynamic purchasing system NCC-DPS-2024-001" in text
    assert "Public Contracts Regulations 2015, regulation 34 (dynamic purchasing system)" in text
    assert "Award criteria Quality 60%, price 40%" in text


def test_report_lists_bidders_with_scores_per_lot(report_pdf):
    text = samples.text(report_pdf)

    assert "Lot 1: Ashfield About 450 hours of care a week. 3 bids received." in text
    assert "Lot 2: Mansfield About 320.5 hours of care a week. 2 bids received." in text
    assert "Bidder Hourly rate Quality Price Total Rank Outcome" in text
    assert f"{WINNER} £21.50 57.60 40.00 97.60 1 Awarded" in text
    assert f"{BIDDER} £23.50 42.00 36.80 78.80 2 Reserve" in text
    assert "Bluebell Homecare £16.20 Not scored Not scored Not scored n/a Excluded" in text
    assert f"{BIDDER} £22.10 54.00 38.30 92.30 1 Awarded" in text


def test_report_gives_exclusions_winners_and_conflicts(report_pdf):
    text = samples.text(report_pdf)

    assert (
        "Bidders excluded and why Bidder Reason for exclusion Bluebell Homecare Abnormally" in text
    )
    assert "No bidders were excluded from this lot." in text
    assert f"Winners and why Bidder Why the bid was chosen {WINNER} Highest total score" in text
    assert "Conflicts of interest Panel member Bidder Declared How it was handled" in text
    assert f"Priya Patel {BIDDER} 10:15am on Friday 20 February 2026 Her sister" in text


def test_report_pages_are_numbered_and_metadata_is_set(report_pdf):
    pages = samples.pages(report_pdf)
    meta = samples.metadata(report_pdf)

    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    assert meta.title == "Evaluation report: Home care in Ashfield and Mansfield (NCC-HC-2026-014)"
    assert meta.author == "Nottinghamshire County Council"


def test_report_without_conflicts_or_award_says_so():
    base = samples.report()
    unawarded = replace(
        base.lots[1], winners=[], no_award_reason="Every bid was above the affordability limit."
    )
    pdf = render_evaluation_report(replace(base, conflicts=[], lots=[base.lots[0], unawarded]))
    text = samples.text(pdf)

    assert "No conflicts of interest were declared." in text
    assert "This lot was not awarded. Every bid was above the affordability limit." in text


def test_pa2023_report_names_the_dynamic_market():
    text = samples.text(render_evaluation_report(samples.report(regime="pa2023_dynamic_market")))

    assert "Dynamic market NCC-DPS-2024-001" in text
    assert "Procurement Act 2023 dynamic market" in text
    assert "regulation 84" not in text


def test_many_bidders_flow_over_pages_with_repeated_header():
    bidders = [
        BidderRow(
            f"Provider {number} & Partners <Home Care> Ltd",
            Decimal("40.00") + number,
            Decimal("30.00"),
            Decimal("70.00") + number,
            number,
            "Unsuccessful",
            Decimal("21.00"),
        )
        for number in range(1, 61)
    ]
    lot = LotReport("Lot 1: Ashfield", 450, bidders)
    pages = samples.pages(render_evaluation_report(samples.report(lots=[lot])))

    assert len(pages) > 1
    header = "Bidder Hourly rate Quality Price Total Rank Outcome"
    assert header in pages[0]
    assert header in pages[1]
    assert "Provider 60 & Partners <Home Care> Ltd £21.00 100.00 30.00 130.00 60" in pages[-1]


def test_markup_and_accents_in_text_render():
    base = samples.report()
    lot = replace(
        base.lots[0],
        excluded=[ExcludedBidder("Café <Crème> & Co", "Didn’t meet the 40% “quality” bar")],
    )
    conflict = ConflictRow("Zoë O’Brien", "A & B", datetime(2026, 2, 1, 12, tzinfo=UTC), "<none>")
    text = samples.text(render_evaluation_report(replace(base, lots=[lot], conflicts=[conflict])))

    assert "Café <Crème> & Co Didn’t meet the 40% “quality” bar" in text
    assert "Zoë O’Brien A & B midday on Sunday 1 February 2026 <none>" in text


def test_unknown_regime_is_refused():
    with pytest.raises(ValueError, match="unknown regime"):
        render_evaluation_report(samples.report(regime="pcr2006"))
