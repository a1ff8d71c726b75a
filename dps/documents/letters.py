"""Award letters: one PDF per bidder per tender, covering every lot the bidder bid for.

Each letter gives what PCR 2015 regulation 86 asks an award letter to give (the criteria, the
bidder's own scores, the winner's name and scores, the characteristics and relative advantages
of the winning bid, and the standstill period); under the Procurement Act 2023 the same letter
is the assessment summary (section 50).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable, KeepTogether, Paragraph

from dps.documents.layout import (
    STYLES,
    Authority,
    build_pdf,
    bullet_list,
    data_table,
    esc,
    format_money,
    format_number,
    format_score,
    letterhead,
    ordinal,
    para,
    recipient_block,
    table_heading,
)
from dps.state.calendar import REGIMES, standstill_end_description

__all__ = [
    "OUTCOMES",
    "Authority",
    "BidScores",
    "Criterion",
    "LetterData",
    "LotLetter",
    "QuestionMark",
    "WinnerScores",
    "letter_heading",
    "render_letter",
]

OUTCOMES = ("awarded", "unsuccessful", "excluded", "reserve")
_SHORT_LIST = 6


@dataclass(frozen=True)
class Criterion:
    """One award criterion as published: ``weight`` is its share of the total score (%).

    ``max_mark`` is None for a criterion scored by formula (price).
    """

    name: str
    weight: Decimal
    max_mark: Decimal | int | None
    marked_by: str


@dataclass(frozen=True)
class QuestionMark:
    """The consensus mark for one quality question and what it is worth once weighted."""

    question: str
    mark: Decimal | int
    max_mark: Decimal | int
    weighted_score: Decimal


@dataclass(frozen=True)
class BidScores:
    """The letter's addressee's own scores for one lot; ``rank`` is None if not ranked."""

    question_marks: Sequence[QuestionMark]
    quality_score: Decimal
    price_score: Decimal
    total_score: Decimal
    rank: int | None
    hourly_rate: Decimal


@dataclass(frozen=True)
class WinnerScores:
    """A winning bidder's name and scores for the lot."""

    name: str
    quality_score: Decimal
    price_score: Decimal
    total_score: Decimal


@dataclass(frozen=True)
class LotLetter:
    """The outcome of one lot for the addressee.

    ``own`` is None when the bid was excluded before it was scored. ``advantages`` are the
    characteristics and relative advantages of the winning bid (from the consensus rationales
    where the winner scored higher); they are shown unless the addressee won the lot.
    """

    lot_title: str
    outcome: str
    own: BidScores | None
    winners: Sequence[WinnerScores] = field(default_factory=tuple)
    advantages: Sequence[str] = field(default_factory=tuple)
    exclusion_reason: str | None = None
    bids_ranked: int | None = None


@dataclass(frozen=True)
class LetterData:
    """Everything one letter says. ``standstill_end`` None means there is no standstill."""

    authority: Authority
    bidder_name: str
    bidder_address_lines: Sequence[str]
    tender_reference: str
    tender_title: str
    regime: str
    letter_date: datetime
    standstill_end: datetime | None
    criteria: Sequence[Criterion]
    quality_weight: Decimal
    price_weight: Decimal
    lots: Sequence[LotLetter]
    price_method: str = ""


_REGIME_BASIS = {
    "pcr2015_dps": (
        "This tender was a call-off from our dynamic purchasing system under the Public "
        "Contracts Regulations 2015, and this letter gives you the information regulation 86 "
        "describes."
    ),
    "light_touch": (
        "This tender was run under the light-touch regime for social and other specific "
        "services (regulations 74 to 76 of the Public Contracts Regulations 2015)."
    ),
    "pa2023_dynamic_market": (
        "This tender was a competition within our dynamic market under the Procurement Act "
        "2023, and this letter is your assessment summary (section 50 of the Act): how your "
        "tender was assessed against the award criteria and how it compared with the most "
        "advantageous tender."
    ),
}

_OUTCOME_WORDS = {
    "awarded": ("Successful", "Your bid was successful. We intend to award you this lot."),
    "unsuccessful": ("Unsuccessful", "Your bid was not successful for this lot."),
    "reserve": (
        "Reserve",
        "Your bid was not successful this time, but you are the reserve bidder for this lot. "
        "If a winning bidder cannot take up the contract, we may offer it to you.",
    ),
    "excluded": ("Excluded", "Your bid was excluded from this lot."),
}


def letter_heading(data: LetterData) -> str:
    """ "Assessment summary" under PA 2023, else "Award of contract" if any lot was won."""
    if data.regime == "pa2023_dynamic_market":
        return "Assessment summary"
    if any(lot.outcome == "awarded" for lot in data.lots):
        return "Award of contract"
    return "Outcome of your tender"


def _check(data: LetterData) -> None:
    if data.regime not in REGIMES:
        raise ValueError(f"unknown regime {data.regime!r}")
    for lot in data.lots:
        if lot.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {lot.outcome!r} for {lot.lot_title!r}")
        if lot.own is None and lot.outcome != "excluded":
            raise ValueError(f"{lot.lot_title!r}: only an excluded bid may have no scores")


def _standstill(data: LetterData) -> list[Flowable]:
    story: list[Flowable] = [para("Standstill period", "h2")]
    if data.standstill_end is None:
        story.append(para("There is no standstill period for this award."))
        if data.regime == "pcr2015_dps":
            story.append(
                para(
                    "A contract called off from a dynamic purchasing system does not need one "
                    "(regulation 87 of the Public Contracts Regulations 2015), so we may enter "
                    "into the contract straight away."
                )
            )
        else:
            story.append(para("We may enter into the contract straight away."))
        return story
    if data.regime == "pa2023_dynamic_market":
        explained = (
            "It runs for 8 working days from the day we publish the contract award notice, "
            "and gives you time to raise any concerns before the contract is made."
        )
    else:
        explained = (
            "It is a pause between telling bidders the outcome and making the contract, "
            "and gives you time to raise any concerns before the contract is made."
        )
    ends = standstill_end_description(data.standstill_end)
    story.append(
        Paragraph(
            f"<b>The standstill period ends at {esc(ends)}.</b> "
            f"We will not enter into the contract before then. {esc(explained)}",
            STYLES["body"],
        )
    )
    return story


def _criteria(data: LetterData) -> list[Flowable]:
    story: list[Flowable] = [
        para("How bids were evaluated", "h2"),
        para(
            f"Quality counts for {format_number(data.quality_weight)}% of the total score and "
            f"price for {format_number(data.price_weight)}%."
            + (f" Price score: {data.price_method}" if data.price_method else "")
        ),
    ]
    if data.criteria:
        rows = [
            [
                criterion.name,
                criterion.marked_by,
                "n/a" if criterion.max_mark is None else format_number(criterion.max_mark),
                f"{format_number(criterion.weight)}%",
            ]
            for criterion in data.criteria
        ]
        header = ["Criterion", "Marked by", "Marked out of", "Weighting"]
        story.append(data_table(header, rows, [0.42, 0.32, 0.14, 0.12], numeric={2, 3}))
    return story


def _marks_table(own: BidScores) -> list[Flowable]:
    if not own.question_marks:
        return []
    rows = [
        [
            item.question,
            format_number(item.mark),
            format_number(item.max_mark),
            format_score(item.weighted_score),
        ]
        for item in own.question_marks
    ]
    header = ["Question", "Your mark", "Out of", "Weighted score"]
    return [
        *table_heading("Your marks"),
        data_table(header, rows, [0.58, 0.13, 0.11, 0.18], numeric={1, 2, 3}),
    ]


def _scores_table(data: LetterData, lot: LotLetter) -> list[Flowable]:
    rows: list[list[str]] = []
    own = lot.own
    if own is not None:
        rows.append(
            [
                f"Your bid ({format_money(own.hourly_rate)} an hour)",
                format_score(own.quality_score),
                format_score(own.price_score),
                format_score(own.total_score),
            ]
        )
    for winner in lot.winners:
        if winner.name != data.bidder_name:
            rows.append(
                [
                    f"Winning bid: {winner.name}",
                    format_score(winner.quality_score),
                    format_score(winner.price_score),
                    format_score(winner.total_score),
                ]
            )
    if not rows:
        return []
    header = [
        "Bid",
        f"Quality (out of {format_number(data.quality_weight)})",
        f"Price (out of {format_number(data.price_weight)})",
        f"Total (out of {format_number(data.quality_weight + data.price_weight)})",
    ]
    table = data_table(
        header,
        rows,
        [0.43, 0.19, 0.19, 0.19],
        numeric={1, 2, 3},
        bold_rows={0} if own is not None else (),
    )
    story: list[Flowable] = [para("Scores", "h3"), table]
    if own is not None and own.rank is not None:
        of = f" of {lot.bids_ranked} bids" if lot.bids_ranked else ""
        story.append(para(f"Your bid ranked {ordinal(own.rank)}{of} for this lot."))
    return [KeepTogether(story)]


def _lot(data: LetterData, lot: LotLetter) -> list[Flowable]:
    label, sentence = _OUTCOME_WORDS[lot.outcome]
    story: list[Flowable] = [
        para(lot.lot_title, "h2"),
        Paragraph(f"<b>Outcome: {esc(label)}.</b> {esc(sentence)}", STYLES["body"]),
    ]
    if lot.outcome == "excluded" and lot.exclusion_reason:
        story.append(para(f"Reason: {lot.exclusion_reason}"))
    if lot.own is not None:
        story.extend(_marks_table(lot.own))
    story.extend(_scores_table(data, lot))
    if lot.advantages and lot.outcome != "awarded":
        advantages = [para("Why the winning bid scored higher", "h3"), *bullet_list(lot.advantages)]
        # A short list stays in one piece; a long one flows over pages.
        short = len(lot.advantages) <= _SHORT_LIST
        story.extend([KeepTogether(advantages)] if short else advantages)
    return story


def _contact(data: LetterData) -> list[Flowable]:
    authority = data.authority
    how = [f"Email: {authority.contact_email}"] if authority.contact_email else []
    if authority.contact_phone:
        how.append(f"Phone: {authority.contact_phone}")
    signed = [authority.contact_name] if authority.contact_name else []
    signed.append(authority.name)
    block: list[Flowable] = [
        para("Who to contact", "h2"),
        para(
            f"If you have any questions about this letter, contact "
            f"{authority.contact_name or authority.name} and quote {data.tender_reference}."
        ),
    ]
    if how:
        block.append(Paragraph("<br/>".join(esc(line) for line in how), STYLES["body"]))
    block.append(para("Yours faithfully,"))
    block.append(Paragraph("<br/>".join(esc(line) for line in signed), STYLES["body"]))
    return [KeepTogether(block)]


def render_letter(data: LetterData) -> bytes:
    """The letter as PDF bytes: letterhead, outcome per lot, criteria, standstill, contact."""
    _check(data)
    heading = letter_heading(data)
    story: list[Flowable] = [
        *letterhead(data.authority),
        *recipient_block(data.letter_date, data.bidder_name, data.bidder_address_lines),
        para(heading, "title"),
        para(f"{data.tender_title} (reference {data.tender_reference})", "subtitle"),
        para(f"Dear {data.bidder_name},"),
        para(
            "Thank you for your tender. We have finished evaluating the bids. This letter "
            "tells you the outcome for each lot you bid for, how your bid was scored and how "
            f"it compared with the winning bid. {_REGIME_BASIS[data.regime]}"
        ),
    ]
    for lot in data.lots:
        story.extend(_lot(data, lot))
    story.extend(_criteria(data))
    story.extend(_standstill(data))
    story.extend(_contact(data))
    return build_pdf(
        story,
        title=f"{heading}: {data.tender_title} ({data.tender_reference}), {data.bidder_name}",
        author=data.authority.name,
        subject=f"{heading} for {data.bidder_name}",
        footer_text=f"{data.authority.name} \u00b7 {data.tender_reference}",
    )
