"""Realistic data for the document tests, and reading a PDF back as text."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from pypdf import PdfReader

from dps.documents.evaluation_report import (
    BidderRow,
    ConflictRow,
    ExcludedBidder,
    LotReport,
    ReportData,
    WinnerReason,
)
from dps.documents.layout import Authority
from dps.documents.letters import (
    BidScores,
    Criterion,
    LetterData,
    LotLetter,
    QuestionMark,
    WinnerScores,
)

NOTTS = Authority(
    name="Nottinghamshire County Council",
    address_lines=("County Hall", "West Bridgford", "Nottingham", "NG2 7QP"),
    contact_name="Sarah Jones",
    contact_email="homecare.procurement@nottscc.gov.uk",
    contact_phone="0115 977 4000",
)
QUESTIONS = (
    "Person-centred care planning",
    "Safeguarding adults",
    "Recruitment and retention of staff",
    "Continuity of care",
    "Managing missed and late visits",
    "Social value in Nottinghamshire",
)
WINNER = "Rushcliffe Home Care Ltd"
BIDDER = "Sherwood Care & Support"
ADVANTAGES = (
    "Their safeguarding answer named a lead for each team and said how concerns reach the "
    "council within 24 hours.",
    "Their continuity plan keeps each person with a team of no more than four carers.",
    "Their hourly rate was the lowest, so they had the full price score.",
)
# Sent on Tuesday 3 March 2026; PCR 2015 reg. 87 standstill ends at the end of Friday 13th.
LETTER_DATE = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
STANDSTILL_END = datetime(2026, 3, 13, 23, 59, 59, tzinfo=UTC)


def marks(points: list[int], questions: tuple[str, ...] = QUESTIONS) -> list[QuestionMark]:
    """Marks out of 5, each question worth 10% of the total."""
    return [
        QuestionMark(question, point, 5, Decimal(point) * 2)
        for question, point in zip(questions, points, strict=True)
    ]


def letter(**changes) -> LetterData:
    """Sherwood Care & Support: unsuccessful on Lot 1 (Ashfield), awarded Lot 2 (Mansfield)."""
    lots = [
        LotLetter(
            lot_title="Lot 1: Ashfield",
            outcome="unsuccessful",
            own=BidScores(
                question_marks=marks([4, 3, 4, 3, 3, 4]),
                quality_score=Decimal("42.00"),
                price_score=Decimal("36.80"),
                total_score=Decimal("78.80"),
                rank=3,
                hourly_rate=Decimal("23.50"),
            ),
            winners=[WinnerScores(WINNER, Decimal("57.60"), Decimal("40.00"), Decimal("97.60"))],
            advantages=list(ADVANTAGES),
            bids_ranked=5,
        ),
        LotLetter(
            lot_title="Lot 2: Mansfield",
            outcome="awarded",
            own=BidScores(
                question_marks=marks([5, 4, 5, 4, 4, 5]),
                quality_score=Decimal("54.00"),
                price_score=Decimal("38.30"),
                total_score=Decimal("92.30"),
                rank=1,
                hourly_rate=Decimal("22.10"),
            ),
            winners=[WinnerScores(BIDDER, Decimal("54.00"), Decimal("38.30"), Decimal("92.30"))],
            bids_ranked=4,
        ),
    ]
    criteria = [Criterion(q, Decimal(10), 5, "Evaluation panel (consensus)") for q in QUESTIONS]
    criteria.append(Criterion("Price (hourly rate)", Decimal(40), None, "Formula"))
    data = LetterData(
        authority=NOTTS,
        bidder_name=BIDDER,
        bidder_address_lines=("Unit 4, Oak Tree Business Park", "Mansfield", "NG18 3HQ"),
        tender_reference="NCC-HC-2026-014",
        tender_title="Home care in Ashfield and Mansfield",
        regime="pcr2015_dps",
        letter_date=LETTER_DATE,
        standstill_end=STANDSTILL_END,
        criteria=criteria,
        quality_weight=Decimal(60),
        price_weight=Decimal(40),
        lots=lots,
        price_method="lowest hourly rate ÷ your hourly rate × 40.",
    )
    return replace(data, **changes)


def report(**changes) -> ReportData:
    """The evaluation report of the same tender."""
    lots = [
        LotReport(
            lot_title="Lot 1: Ashfield",
            hours_per_week=450,
            bidders=[
                BidderRow(
                    WINNER,
                    Decimal("57.60"),
                    Decimal("40.00"),
                    Decimal("97.60"),
                    1,
                    "Awarded",
                    Decimal("21.50"),
                ),
                BidderRow(
                    BIDDER,
                    Decimal("42.00"),
                    Decimal("36.80"),
                    Decimal("78.80"),
                    2,
                    "Reserve",
                    Decimal("23.50"),
                ),
                BidderRow(
                    "Bluebell Homecare", None, None, None, None, "Excluded", Decimal("16.20")
                ),
            ],
            excluded=[
                ExcludedBidder(
                    "Bluebell Homecare",
                    "Abnormally low price: £16.20 an hour does not cover the National Living "
                    "Wage for care and travel time, and the explanation did not show how.",
                )
            ],
            winners=[WinnerReason(WINNER, "Highest total score (97.60), best on safeguarding.")],
        ),
        LotReport(
            lot_title="Lot 2: Mansfield",
            hours_per_week=Decimal("320.5"),
            bidders=[
                BidderRow(
                    BIDDER,
                    Decimal("54.00"),
                    Decimal("38.30"),
                    Decimal("92.30"),
                    1,
                    "Awarded",
                    Decimal("22.10"),
                ),
                BidderRow(
                    WINNER,
                    Decimal("50.40"),
                    Decimal("40.00"),
                    Decimal("90.40"),
                    2,
                    "Unsuccessful",
                    Decimal("21.15"),
                ),
            ],
            winners=[WinnerReason(BIDDER, "Highest total score (92.30).")],
        ),
    ]
    conflicts = [
        ConflictRow(
            marker="Priya Patel",
            bidder=BIDDER,
            declared_at=datetime(2026, 2, 20, 10, 15, tzinfo=UTC),
            handling="Her sister works for the bidder. She did not mark Lot 2; another "
            "officer marked in her place.",
        )
    ]
    data = ReportData(
        authority=NOTTS,
        tender_reference="NCC-HC-2026-014",
        tender_title="Home care in Ashfield and Mansfield",
        dps_reference="NCC-DPS-2024-001",
        regime="pcr2015_dps",
        subject="Home care for adults in Ashfield and Mansfield, 3 years from 1 April 2026",
        estimated_value=Decimal("4250000"),
        lots=lots,
        conflicts=conflicts,
        weighting="Quality 60%, price 40%",
        generated_at=datetime(2026, 3, 2, 15, 5, tzinfo=UTC),
    )
    return replace(data, **changes)


def pages(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space made single spaces (tables break lines)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def text(pdf: bytes) -> str:
    return " ".join(pages(pdf))


def metadata(pdf: bytes):
    return PdfReader(io.BytesIO(pdf)).metadata
