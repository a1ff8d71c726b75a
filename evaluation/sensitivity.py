"""How robust is a lot's result? Winners under other quality/price splits, and the tipping point.

Quality scores scale with the quality weighting (a bid keeps its share of the quality marks)
and price scores with the price weighting, so each bid's combined score is a straight line in
the quality weight q: share x q + price factor x (100 - q). Where two lines cross the winner can
change; the crossing nearest today's weighting is the smallest change that matters.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from evaluation.money import as_decimal, plain, points
from evaluation.ranking import DEFAULT_TIE_BREAK, TieFacts, break_tie, rank_lot
from evaluation.scoring import QualityResult, price_scores

K = TypeVar("K", bound=Hashable)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class WeightingOutcome:
    """The ranking under one quality/price split."""

    quality_weight: Decimal
    price_weight: Decimal
    winner: Any | None
    order: tuple[Any, ...]
    combined: Mapping[Any, Decimal]

    def to_dict(self) -> dict[str, Any]:
        return {
            "quality_weight": str(self.quality_weight),
            "price_weight": str(self.price_weight),
            "winner": self.winner,
            "order": list(self.order),
            "combined": [{"bid": bid, "score": str(score)} for bid, score in self.combined.items()],
        }


@dataclass(frozen=True)
class Sensitivity:
    """Winners across the weighting range and the smallest change of weighting that matters."""

    lot: Any
    quality_weight: Decimal
    winner: Any | None
    outcomes: tuple[WeightingOutcome, ...]
    smallest_change: Decimal | None
    change_at: Decimal | None
    new_winner: Any | None
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "lot": self.lot,
            "quality_weight": str(self.quality_weight),
            "winner": self.winner,
            "outcomes": [outcome.to_dict() for outcome in self.outcomes],
            "smallest_change": text(self.smallest_change),
            "change_at": text(self.change_at),
            "new_winner": self.new_winner,
            "explanation": self.explanation,
        }


def _rescaled(quality: Mapping[Any, QualityResult], weight: Decimal) -> dict[Any, QualityResult]:
    return {
        bid: replace(result, score=result.share * weight, max_points=weight)
        for bid, result in quality.items()
    }


def _split(quality_weight: Decimal) -> str:
    return f"{plain(quality_weight)}/{plain(HUNDRED - quality_weight)}"


def _tipping_point(
    winner: Any,
    lines: Mapping[Any, tuple[Fraction, Fraction]],
    facts: Mapping[Any, TieFacts],
    tie_break: Sequence[str],
    current: Fraction,
    low: Fraction,
    high: Fraction,
) -> tuple[Fraction, bool, Any] | None:
    """(quality weight where the winner first changes, reached exactly?, challenger) or None."""
    best: tuple[Fraction, int, Fraction, bool, Any] | None = None
    win_share, win_factor = lines[winner]
    for challenger, (share, factor) in lines.items():
        if challenger == winner:
            continue
        slope = (share - win_share) - (factor - win_factor)
        if slope == 0:
            continue
        crossing = -100 * (factor - win_factor) / slope
        if not low <= crossing <= high:
            continue
        wins_tie = break_tie(facts[challenger], facts[winner], tie_break)[0] < 0
        # Past the crossing (in the direction the slope points) the challenger is ahead; at the
        # crossing itself it is level and only wins if the tie-break rule favours it.
        if not wins_tie and crossing == (high if slope > 0 else low):
            continue
        key = (abs(crossing - current), -abs(slope), crossing, wins_tie, challenger)
        if best is None or key[:2] < best[:2]:
            best = key
    if best is None:
        return None
    return best[2], best[3], best[4]


def weighting_sensitivity(
    quality: Mapping[K, QualityResult],
    prices: Mapping[K, Decimal],
    quality_weight: Decimal,
    *,
    lot: Any = None,
    submitted_at: Mapping[K, datetime] | None = None,
    tie_break: Sequence[str] = DEFAULT_TIE_BREAK,
    price_method: str = "lowest",
    benchmark: Decimal | None = None,
    excluded: Mapping[K, str | Sequence[str]] | None = None,
    low: Decimal = Decimal(50),
    high: Decimal = Decimal(90),
    step: Decimal = Decimal(5),
) -> Sensitivity:
    """Winners for quality weights low..high in steps (price = 100 - quality) and the smallest
    change from `quality_weight` that changes the winner; exclusions stay as they are."""
    quality_weight = as_decimal(quality_weight, "quality_weight")
    low, high, step = (as_decimal(v, name) for v, name in ((low, "low"), (high, "high"),
                                                             (step, "step")))
    if not 0 < low <= high < HUNDRED or step <= 0:
        raise ValueError("need 0 < low <= high < 100 and a positive step")

    def ranking_at(weight: Decimal) -> Any:
        return rank_lot(
            _rescaled(quality, weight), prices, HUNDRED - weight, lot=lot,
            submitted_at=submitted_at, tie_break=tie_break, price_method=price_method,
            benchmark=benchmark, excluded=excluded,
        )

    outcomes = []
    weight = low
    while weight <= high:
        ranking = ranking_at(weight)
        outcomes.append(WeightingOutcome(
            weight, HUNDRED - weight, ranking.winner, tuple(ranking.order),
            ranking.combined_scores(),
        ))
        weight += step
    today = ranking_at(quality_weight)
    winner = today.winner
    if winner is None:
        return Sensitivity(lot, quality_weight, None, tuple(outcomes), None, None, None,
                           "No bid is eligible, so there is no winner to test.")
    eligible = today.order
    factors = price_scores({bid: prices[bid] for bid in eligible}, Decimal(1), price_method,
                           benchmark)
    lines = {bid: (Fraction(quality[bid].share), Fraction(factors[bid])) for bid in eligible}
    times = submitted_at or {}
    facts = {
        bid: TieFacts(bid, quality[bid].share, prices[bid], times.get(bid)) for bid in eligible
    }
    tipping = _tipping_point(winner, lines, facts, tie_break, Fraction(quality_weight),
                             Fraction(low), Fraction(high))
    if tipping is None:
        return Sensitivity(
            lot, quality_weight, winner, tuple(outcomes), None, None, None,
            f"{winner} wins at every split from {_split(low)} to {_split(high)}: no change of "
            "weighting in that range alters the winner (none in range).",
        )
    crossing, exact, challenger = tipping
    change_at = Decimal(crossing.numerator) / Decimal(crossing.denominator)
    change = abs(change_at - quality_weight)
    direction = "towards quality" if change_at > quality_weight else "towards price"
    where = "at" if exact else ("above" if change_at > quality_weight else "below")
    how = "would tie and win on the tie-break rule" if exact else "would overtake"
    explanation = (
        f"{winner} wins at {_split(quality_weight)}. The smallest change that alters the "
        f"winner is {points(change)} points {direction}: {where} a quality weighting of "
        f"{points(change_at)}, {challenger} {how} {winner}."
    )
    return Sensitivity(lot, quality_weight, winner, tuple(outcomes), change, change_at,
                       challenger, explanation)
