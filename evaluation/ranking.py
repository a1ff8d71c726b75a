"""Rank the bids for one lot: combined score = quality + price, ties broken by a stated rule.

Every step is kept as a sentence so a results page, an award letter and an export all give the
same account of why a bid came where it did.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cmp_to_key
from typing import Any, TypeVar

from evaluation.money import money, points
from evaluation.scoring import QualityResult, price_scores_explained

K = TypeVar("K", bound=Hashable)

TIE_BREAK_RULES = {
    "quality": "the higher quality score",
    "price": "the lower price",
    "submission": "the earlier submission",
}
DEFAULT_TIE_BREAK = ("quality", "price", "submission")


def ordinal(number: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th'."""
    suffixes = {1: "st", 2: "nd", 3: "rd"}
    suffix = "th" if 10 <= number % 100 <= 20 else suffixes.get(number % 10, "th")
    return f"{number}{suffix}"


@dataclass(frozen=True)
class TieFacts:
    """What the tie-break rules look at for one bid."""

    bid: Any
    quality_score: Decimal
    price: Decimal
    submitted_at: datetime | None = None


def break_tie(first: TieFacts, second: TieFacts, rules: Sequence[str]) -> tuple[int, str]:
    """-1 if first goes above second, 1 if below, with the sentence saying which rule decided."""
    for rule in rules:
        if rule == "quality" and first.quality_score != second.quality_score:
            sign = -1 if first.quality_score > second.quality_score else 1
            detail = f"{points(first.quality_score)} v {points(second.quality_score)}"
        elif rule == "price" and first.price != second.price:
            sign = -1 if first.price < second.price else 1
            detail = f"{money(first.price)} v {money(second.price)}"
        elif (
            rule == "submission"
            and first.submitted_at is not None
            and second.submitted_at is not None
            and first.submitted_at != second.submitted_at
        ):
            sign = -1 if first.submitted_at < second.submitted_at else 1
            detail = f"{first.submitted_at.isoformat()} v {second.submitted_at.isoformat()}"
        else:
            continue
        winner = first if sign < 0 else second
        return sign, f"{winner.bid} has {TIE_BREAK_RULES[rule]} ({detail})"
    sign = -1 if first.bid < second.bid else 1
    winner = first if sign < 0 else second
    return sign, f"still level on every tie-break rule, so {winner.bid} goes first by reference"


@dataclass(frozen=True)
class RankedBid:
    """A bid's place in the lot and the sums behind it."""

    bid: Any
    position: int
    quality_score: Decimal
    price: Decimal
    price_score: Decimal
    combined: Decimal
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "bid": self.bid,
            "position": self.position,
            "quality_score": str(self.quality_score),
            "price": str(self.price),
            "price_score": str(self.price_score),
            "combined": str(self.combined),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ExcludedBid:
    """A bid left out of the ranking and why."""

    bid: Any
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"bid": self.bid, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class LotRanking:
    """The ranked bids (best first), the excluded bids, and the steps taken, in words."""

    lot: Any
    ranked: tuple[RankedBid, ...]
    excluded: tuple[ExcludedBid, ...]
    tie_break: tuple[str, ...]
    steps: tuple[str, ...]

    @property
    def winner(self) -> Any | None:
        return self.ranked[0].bid if self.ranked else None

    @property
    def order(self) -> list[Any]:
        return [entry.bid for entry in self.ranked]

    def combined_scores(self) -> dict[Any, Decimal]:
        return {entry.bid: entry.combined for entry in self.ranked}

    def to_dict(self) -> dict[str, Any]:
        return {
            "lot": self.lot,
            "ranked": [entry.to_dict() for entry in self.ranked],
            "excluded": [entry.to_dict() for entry in self.excluded],
            "tie_break": list(self.tie_break),
            "steps": list(self.steps),
        }


def _exclusions(
    quality: Mapping[Any, QualityResult], excluded: Mapping[Any, str | Sequence[str]]
) -> dict[Any, tuple[str, ...]]:
    reasons: dict[Any, tuple[str, ...]] = {}
    for bid, result in quality.items():
        extra = excluded.get(bid, ())
        extra = (extra,) if isinstance(extra, str) else tuple(extra)
        if result.excluded or extra:
            reasons[bid] = tuple(result.exclusion_reasons) + extra
    for bid in excluded:
        if bid not in quality:
            raise ValueError(f"excluded bid {bid!r} has no quality result")
    return reasons


def rank_lot(
    quality: Mapping[K, QualityResult],
    prices: Mapping[K, Decimal],
    price_weight: Decimal,
    *,
    lot: Any = None,
    submitted_at: Mapping[K, datetime] | None = None,
    tie_break: Sequence[str] = DEFAULT_TIE_BREAK,
    price_method: str = "lowest",
    benchmark: Decimal | None = None,
    excluded: Mapping[K, str | Sequence[str]] | None = None,
) -> LotRanking:
    """Rank one lot's bids by quality + price score, best first.

    Excluded bids (quality thresholds, or `excluded` reasons such as a failed viability check)
    are listed apart and do not set the lowest price. Ties on the combined score are broken by
    `tie_break`, a sequence of "quality", "price" and "submission"; bids still level after every
    rule go in reference order so the result never depends on dictionary order.
    """
    for rule in tie_break:
        if rule not in TIE_BREAK_RULES:
            raise ValueError(f"unknown tie-break rule {rule!r}; use {tuple(TIE_BREAK_RULES)}")
    missing = [bid for bid in quality if bid not in prices]
    if missing:
        raise ValueError(f"bid {missing[0]!r} has no price")
    unknown = [bid for bid in prices if bid not in quality]
    if unknown:
        raise ValueError(f"bid {unknown[0]!r} has a price but no quality result")
    out = _exclusions(quality, excluded or {})
    eligible = [bid for bid in quality if bid not in out]
    priced = price_scores_explained(
        {bid: prices[bid] for bid in eligible}, price_weight, price_method, benchmark
    )
    times = submitted_at or {}
    facts = {
        bid: TieFacts(bid, quality[bid].score, prices[bid], times.get(bid)) for bid in eligible
    }
    combined = {bid: quality[bid].score + priced[bid].score for bid in eligible}
    tie_notes: dict[Any, str] = {}

    def compare(first: Any, second: Any) -> int:
        if combined[first] != combined[second]:
            return -1 if combined[first] > combined[second] else 1
        return break_tie(facts[first], facts[second], tie_break)[0]

    order = sorted(eligible, key=cmp_to_key(compare))
    steps = [f"Tie-break rule: {', then '.join(TIE_BREAK_RULES[rule] for rule in tie_break)}."]
    for bid, reasons in out.items():
        steps.append(f"{bid} is excluded: {'; '.join(reasons)}.")
    for bid in order:
        steps.append(f"{bid}: price score {priced[bid].reason}.")
    for above, below in zip(order, order[1:], strict=False):
        if combined[above] == combined[below]:
            note = break_tie(facts[above], facts[below], tie_break)[1]
            tie_notes[below] = f"level with {above} on {points(combined[above])}; {note}"
            steps.append(f"{above} ranks above {below}: both scored {points(combined[above])}; "
                         f"{note}.")
    ranked = []
    for position, bid in enumerate(order, start=1):
        reason = (
            f"{ordinal(position)}: quality {points(quality[bid].score)} + price "
            f"{points(priced[bid].score)} = {points(combined[bid])}"
        )
        if bid in tie_notes:
            reason += f" ({tie_notes[bid]})"
        steps.append(f"{bid} {reason}.")
        ranked.append(RankedBid(
            bid, position, quality[bid].score, prices[bid], priced[bid].score, combined[bid],
            reason,
        ))
    if order:
        steps.append(f"{order[0]} ranks first.")
    else:
        steps.append("No bid is eligible, so nothing can be ranked.")
    excluded_bids = tuple(ExcludedBid(bid, reasons) for bid, reasons in out.items())
    return LotRanking(lot, tuple(ranked), excluded_bids, tuple(tie_break), tuple(steps))
