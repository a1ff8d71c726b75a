"""Price and quality scores for bids, each with the reason in words.

Price: by default the lowest price gets all the price points and every other bid
lowest / price x points. Quality: consensus marks weighted per question and scaled to the quality
weighting; a bid under a question's minimum mark, or under the overall threshold, is excluded.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from evaluation.moderation import (
    ConsensusMark,
    MarkSpread,
    agree_consensus,
    answers_for_discussion,
    mark_spread,
)
from evaluation.money import as_decimal, money, percent, plain, points

K = TypeVar("K", bound=Hashable)

PRICE_METHODS = ("lowest", "benchmark", "mean")

__all__ = [
    "PRICE_METHODS",
    "ConsensusMark",
    "MarkSpread",
    "PriceScore",
    "QualityResult",
    "Question",
    "QuestionScore",
    "agree_consensus",
    "answers_for_discussion",
    "mark_spread",
    "price_scores",
    "price_scores_explained",
    "quality_scores",
]


@dataclass(frozen=True)
class PriceScore:
    """A price score and the sum that produced it."""

    price: Decimal
    score: Decimal
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"price": str(self.price), "score": str(self.score), "reason": self.reason}


def price_scores_explained(
    prices: Mapping[K, Decimal],
    max_points: Decimal,
    method: str = "lowest",
    benchmark: Decimal | None = None,
) -> dict[K, PriceScore]:
    """Score prices by a named method, keeping the reason for each score.

    Methods: "lowest" (default): lowest price / this price x max_points, so the cheapest bid gets
    every point. "benchmark": max_points x benchmark / price, capped at max_points, so prices at
    or under a sustainable benchmark (e.g. the council's cost-of-care rate) score in full and
    undercutting it earns nothing extra. "mean": as "benchmark" with the mean of the prices.
    """
    max_points = as_decimal(max_points, "max_points")
    if max_points <= 0:
        raise ValueError(f"max_points must be positive, got {plain(max_points)}")
    checked = {bid: as_decimal(price, f"price of {bid!r}") for bid, price in prices.items()}
    for bid, price in checked.items():
        if price <= 0:
            raise ValueError(f"price of {bid!r} must be positive, got {plain(price)}")
    if not checked:
        return {}
    if method == "lowest":
        lowest = min(checked.values())
        return {
            bid: PriceScore(
                price,
                lowest / price * max_points,
                f"lowest price {money(lowest)} / price {money(price)} x {plain(max_points)} "
                f"= {points(lowest / price * max_points)}",
            )
            for bid, price in checked.items()
        }
    if method == "mean":
        reference = sum(checked.values(), Decimal(0)) / len(checked)
        reference_words = f"the mean price {money(reference)}"
    elif method == "benchmark":
        if benchmark is None:
            raise ValueError('price method "benchmark" needs a benchmark rate')
        reference = as_decimal(benchmark, "benchmark")
        if reference <= 0:
            raise ValueError(f"benchmark must be positive, got {plain(reference)}")
        reference_words = f"the benchmark {money(reference)}"
    else:
        raise ValueError(f"unknown price method {method!r}; use one of {PRICE_METHODS}")
    scores = {}
    for bid, price in checked.items():
        if price <= reference:
            score = max_points
            reason = f"price {money(price)} is at or under {reference_words}: full {plain(score)}"
        else:
            score = reference / price * max_points
            reason = (
                f"{reference_words} / price {money(price)} x {plain(max_points)} = {points(score)}"
            )
        scores[bid] = PriceScore(price, score, reason)
    return scores


def price_scores(
    prices: Mapping[K, Decimal],
    max_points: Decimal,
    method: str = "lowest",
    benchmark: Decimal | None = None,
) -> dict[K, Decimal]:
    """Unrounded price scores in (0, max_points]; see price_scores_explained for the methods."""
    explained = price_scores_explained(prices, max_points, method, benchmark)
    return {bid: result.score for bid, result in explained.items()}


@dataclass(frozen=True)
class Question:
    """A quality question: its weight, the top mark, and the lowest mark a bid may survive."""

    id: str
    weight: Decimal
    max_mark: Decimal
    min_mark: Decimal | None = None
    text: str = ""

    def __post_init__(self) -> None:
        if as_decimal(self.weight, f"weight of question {self.id!r}") <= 0:
            raise ValueError(f"question {self.id!r}: weight must be positive")
        if as_decimal(self.max_mark, f"maximum mark of question {self.id!r}") <= 0:
            raise ValueError(f"question {self.id!r}: maximum mark must be positive")
        if self.min_mark is not None:
            minimum = as_decimal(self.min_mark, f"minimum mark of question {self.id!r}")
            if not 0 <= minimum <= self.max_mark:
                raise ValueError(f"question {self.id!r}: minimum mark must be 0..maximum")


@dataclass(frozen=True)
class QuestionScore:
    """One consensus mark turned into weighted points."""

    question_id: str
    mark: Decimal
    max_mark: Decimal
    points: Decimal
    available: Decimal
    below_minimum: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "mark": str(self.mark),
            "max_mark": str(self.max_mark),
            "points": str(self.points),
            "available": str(self.available),
            "below_minimum": self.below_minimum,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class QualityResult:
    """A bid's quality score on the tender's quality weighting, and why it is in or out."""

    bid: Any
    score: Decimal
    max_points: Decimal
    share: Decimal
    excluded: bool
    exclusion_reasons: tuple[str, ...]
    questions: tuple[QuestionScore, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "bid": self.bid,
            "score": str(self.score),
            "max_points": str(self.max_points),
            "share": str(self.share),
            "excluded": self.excluded,
            "exclusion_reasons": list(self.exclusion_reasons),
            "questions": [question.to_dict() for question in self.questions],
            "reason": self.reason,
        }


def _score_bid(
    bid: Any,
    questions: Sequence[Question],
    marks: Mapping[str, Decimal],
    quality_weight: Decimal,
    total_weight: Decimal,
    min_share: Decimal | None,
) -> QualityResult:
    scored, exclusions = [], []
    for extra in sorted(set(marks) - {question.id for question in questions}, key=str):
        raise ValueError(f"bid {bid!r} has a mark for unknown question {extra!r}")
    for question in questions:
        if question.id not in marks:
            raise ValueError(f"bid {bid!r} has no consensus mark for question {question.id!r}")
        mark = as_decimal(marks[question.id], f"mark of {bid!r} for {question.id!r}")
        if not 0 <= mark <= question.max_mark:
            raise ValueError(
                f"bid {bid!r}, question {question.id!r}: mark {plain(mark)} is outside "
                f"0..{plain(question.max_mark)}"
            )
        available = question.weight / total_weight * quality_weight
        earned = mark / question.max_mark * available
        below = question.min_mark is not None and mark < question.min_mark
        if below:
            exclusions.append(
                f"question {question.id}: mark {plain(mark)} is below the minimum "
                f"{plain(question.min_mark or Decimal(0))}"
            )
        scored.append(QuestionScore(
            question.id, mark, question.max_mark, earned, available, below,
            f"{plain(mark)}/{plain(question.max_mark)} x {points(available)} = {points(earned)}",
        ))
    score = sum((item.points for item in scored), Decimal(0))
    share = score / quality_weight
    if min_share is not None and share < min_share:
        exclusions.append(
            f"quality score {points(score)} is below the threshold of {percent(min_share)} "
            f"of {plain(quality_weight)} ({points(min_share * quality_weight)})"
        )
    reason = f"quality {points(score)} out of {plain(quality_weight)}"
    if exclusions:
        reason += "; excluded: " + "; ".join(exclusions)
    return QualityResult(
        bid, score, quality_weight, share, bool(exclusions), tuple(exclusions), tuple(scored),
        reason,
    )


def quality_scores(
    questions: Sequence[Question],
    consensus: Mapping[K, Mapping[str, Decimal]],
    quality_weight: Decimal,
    min_share: Decimal | None = None,
) -> dict[K, QualityResult]:
    """Weighted quality per bid: sum of mark / max x question weight share x quality_weight.

    Question weights are relative (they need not add to 100). min_share is the overall threshold
    as a share of the quality weighting (Decimal("0.5") = half the quality marks), so it holds
    whatever the quality/price split.
    """
    quality_weight = as_decimal(quality_weight, "quality_weight")
    if quality_weight <= 0:
        raise ValueError("quality_weight must be positive")
    if not questions:
        raise ValueError("there are no quality questions")
    if len({question.id for question in questions}) != len(questions):
        raise ValueError("question ids must be unique")
    if min_share is not None and not 0 <= as_decimal(min_share, "min_share") <= 1:
        raise ValueError("min_share must be between 0 and 1")
    total_weight = sum((question.weight for question in questions), Decimal(0))
    return {
        bid: _score_bid(bid, questions, marks, quality_weight, total_weight, min_share)
        for bid, marks in consensus.items()
    }
