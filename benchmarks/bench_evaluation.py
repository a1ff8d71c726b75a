"""Benchmarks for the evaluation engine: python benchmarks/bench_evaluation.py prints the figures.

1. Optimal allocation of 200 bidders x 60 lots, every pair eligible, a lot limit of 3 and
   capacities in hours against each lot's demand (target: 2 s on a 2-core machine).
2. Quality and price scoring of 1,000 bids x 12 questions, ranked (target: 0.5 s).
Inputs come from a fixed seed so runs are comparable.
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluation.allocation import allocate  # noqa: E402
from evaluation.ranking import rank_lot  # noqa: E402
from evaluation.scoring import Question, quality_scores  # noqa: E402


def allocation_inputs(seed: int = 2026):
    rng = random.Random(seed)
    bidders = [f"P{b:03d}" for b in range(200)]
    lots = [f"Z{lot:02d}" for lot in range(60)]
    scores = {
        (bidder, lot): Decimal(rng.randint(4000, 9500)).scaleb(-2)
        for bidder in bidders
        for lot in lots
    }
    demand = {lot: Decimal(rng.randint(200, 600)) for lot in lots}
    capacity = {bidder: Decimal(rng.randint(150, 1200)) for bidder in bidders}
    return scores, demand, capacity


def bench_allocation() -> float:
    scores, demand, capacity = allocation_inputs()
    started = time.perf_counter()
    result = allocate(scores, max_lots_per_bidder=3, capacity=capacity, demand=demand)
    elapsed = time.perf_counter() - started
    print(
        f"allocation 200 bidders x 60 lots ({len(scores)} pairs), lot limit 3, capacities: "
        f"{elapsed:.3f} s (target <= 2 s); {result.places_filled}/{result.places_available} "
        f"lots filled, total score {result.total_score}"
    )
    return elapsed


def scoring_inputs(seed: int = 2026):
    rng = random.Random(seed)
    questions = [
        Question(f"Q{q:02d}", Decimal(rng.choice([5, 10, 15])), Decimal(5), Decimal(1))
        for q in range(12)
    ]
    consensus = {
        f"bid{b:04d}": {question.id: Decimal(rng.randint(1, 5)) for question in questions}
        for b in range(1000)
    }
    prices = {bid: Decimal(rng.randint(1450, 2200)).scaleb(-2) for bid in consensus}
    return questions, consensus, prices


def bench_scoring() -> float:
    questions, consensus, prices = scoring_inputs()
    started = time.perf_counter()
    quality = quality_scores(questions, consensus, Decimal(60), min_share=Decimal("0.4"))
    ranking = rank_lot(quality, prices, Decimal(40))
    elapsed = time.perf_counter() - started
    print(
        f"scoring 1,000 bids x 12 questions, ranked: {elapsed:.3f} s (target <= 0.5 s); "
        f"{len(ranking.ranked)} ranked, {len(ranking.excluded)} excluded, winner {ranking.winner}"
    )
    return elapsed


def main() -> None:
    bench_allocation()
    bench_scoring()


if __name__ == "__main__":
    main()
