"""The exact lot-allocation solver behind `allocation.allocate` (policy "optimal").

Formulation: a binary x[p] for every eligible (bidder, lot) pair p, with
    sum of x over a lot's pairs                 <= places in that lot    (winners per lot)
    sum of x over a bidder's pairs              <= lot limit             (if there is one)
    sum of demand[lot] x[p] over a bidder's     <= its capacity          (if it has one)
and three lexicographic tiers, solved exactly with HiGHS (scipy.optimize.milp):
    1. maximise places filled (every zone needs care);
    2. then maximise the total score. Scores are whole numbers here (the caller scales them by
       10^d, d <= 6 decimal places), so the solver compares integers. When the numbers are
       small enough, tiers 1 and 2 are one solve: weight M + score with M above any total
       score; otherwise two solves (places, then score with places fixed);
    3. then the lexicographically best award: lots in priority order, each given to the
       best-ranked bidders any optimal allocation allows. One solve checks whether another
       optimal allocation exists; only if so are better-ranked pairs tried one at a time
       (force it in; keep it if tiers 1 and 2 still hold).
Every answer is re-checked in exact integers, so float tolerance can never slip past a tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

COMBINED_LIMIT = 10**10  # largest objective value solved as one weighted tier
SAFE_INTEGER = 2**52
MAX_TIE_SOLVES = 400


@dataclass(frozen=True)
class SolverInput:
    """The allocation problem in integers: pairs, their lot and bidder indexes, and the limits."""

    lot_of: Sequence[int]
    bidder_of: Sequence[int]
    weight: Sequence[int]
    places: Sequence[int]
    max_lots: int | None
    capacity: Sequence[int | None]
    demand: Sequence[int]
    preference: Sequence[tuple[int, Sequence[int]]]  # (lot, its pairs best first), by priority


class _Model:
    """The constraint rows shared by every solve, and a solve helper."""

    def __init__(self, problem: SolverInput) -> None:
        self.count = len(problem.lot_of)
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        upper: list[float] = []

        def add_row(members: list[int], coefficients: list[float], bound: float) -> None:
            rows.extend([len(upper)] * len(members))
            cols.extend(members)
            values.extend(coefficients)
            upper.append(bound)

        by_lot: dict[int, list[int]] = {}
        by_bidder: dict[int, list[int]] = {}
        for pair, (lot, bidder) in enumerate(zip(problem.lot_of, problem.bidder_of, strict=True)):
            by_lot.setdefault(lot, []).append(pair)
            by_bidder.setdefault(bidder, []).append(pair)
        for lot, members in sorted(by_lot.items()):
            add_row(members, [1.0] * len(members), float(problem.places[lot]))
        for bidder, members in sorted(by_bidder.items()):
            if problem.max_lots is not None and len(members) > problem.max_lots:
                add_row(members, [1.0] * len(members), float(problem.max_lots))
            capacity = problem.capacity[bidder]
            if capacity is not None:
                demands = [float(problem.demand[problem.lot_of[p]]) for p in members]
                if sum(demands) > capacity:
                    add_row(members, demands, float(capacity))
        self.rows = LinearConstraint(
            csr_array((values, (rows, cols)), shape=(len(upper), self.count)),
            np.zeros(len(upper)),
            np.array(upper),
        )
        self.weight = np.array(problem.weight, dtype=float)

    def solve(
        self,
        objective: np.ndarray,
        extra: Sequence[LinearConstraint] = (),
        lower: np.ndarray | None = None,
        upper: np.ndarray | None = None,
    ) -> np.ndarray | None:
        """Maximise objective @ x; None if infeasible. Returns a 0/1 integer vector."""
        result = milp(
            -objective,
            integrality=np.ones(self.count),
            bounds=Bounds(
                np.zeros(self.count) if lower is None else lower,
                np.ones(self.count) if upper is None else upper,
            ),
            constraints=[self.rows, *extra],
            options={"mip_rel_gap": 0.0},
        )
        if result.status == 2:
            return None
        if result.status != 0 or result.x is None:
            raise RuntimeError(f"the allocation solver stopped: {result.message}")
        return np.rint(result.x).astype(np.int64)


def _total(problem: SolverInput, chosen: np.ndarray) -> tuple[int, int]:
    picked = np.flatnonzero(chosen)
    return len(picked), sum(problem.weight[p] for p in picked)


def _best(model: _Model, problem: SolverInput) -> np.ndarray:
    """Tiers 1 and 2: most places, then the highest total score."""
    most_places = sum(problem.places)
    top = sum(sorted(problem.weight, reverse=True)[:most_places])
    if top > SAFE_INTEGER:
        raise ValueError("scores are too large to compare exactly; rescale them")
    bonus = top + 1  # one more place always beats any difference in total score
    if (bonus + max(problem.weight)) * most_places <= COMBINED_LIMIT:
        chosen = model.solve(model.weight + bonus)
    else:
        filled = model.solve(np.ones(model.count))
        assert filled is not None  # awarding nothing is always feasible
        places = int(filled.sum())
        chosen = model.solve(
            model.weight, [LinearConstraint(np.ones((1, model.count)), places, places)]
        )
    assert chosen is not None
    return chosen


def _tier_rows(model: _Model, places: int, total: int) -> list[LinearConstraint]:
    return [
        LinearConstraint(np.ones((1, model.count)), places, places),
        LinearConstraint(model.weight.reshape(1, -1), float(total), np.inf),
    ]


def solve(problem: SolverInput) -> tuple[list[int], list[str]]:
    """Indexes of the awarded pairs, and notes on anything the caller should know."""
    if not problem.lot_of:
        return [], []
    model = _Model(problem)
    best = _best(model, problem)
    places, total = _total(problem, best)
    awarded = [int(p) for p in np.flatnonzero(best)]
    if not awarded:
        return [], []
    other = np.zeros((1, model.count))
    other[0, awarded] = 1.0
    alternative = model.solve(
        np.zeros(model.count),
        [*_tier_rows(model, places, total), LinearConstraint(other, -np.inf, places - 1)],
    )
    if alternative is None or _total(problem, alternative) < (places, total):
        return awarded, []
    return _lexicographic(model, problem, places, total, best)


def _lexicographic(
    model: _Model, problem: SolverInput, places: int, total: int, current: np.ndarray
) -> tuple[list[int], list[str]]:
    """Among optimal allocations, give each lot (in priority order) its best-ranked bidders."""
    tiers = _tier_rows(model, places, total)
    lower = np.zeros(model.count)
    upper = np.ones(model.count)
    fixed_lots: dict[int, int] = {}
    fixed_hours: dict[int, int] = {}
    solves = 0
    notes = [
        "Several allocations were equally good on places filled and total score; lots were "
        "given, in priority order, to the best-ranked bidders those allocations allow."
    ]

    def fix(pair: int) -> None:
        bidder = problem.bidder_of[pair]
        lower[pair] = 1
        fixed_lots[bidder] = fixed_lots.get(bidder, 0) + 1
        fixed_hours[bidder] = fixed_hours.get(bidder, 0) + problem.demand[problem.lot_of[pair]]

    def cannot_fit(pair: int) -> bool:
        """True when the pairs already fixed leave this bidder no room for this lot."""
        bidder = problem.bidder_of[pair]
        if problem.max_lots is not None and fixed_lots.get(bidder, 0) >= problem.max_lots:
            return True
        capacity = problem.capacity[bidder]
        needed = fixed_hours.get(bidder, 0) + problem.demand[problem.lot_of[pair]]
        return capacity is not None and needed > capacity

    for lot, candidates in problem.preference:
        filled = 0
        for pair in candidates:
            if filled == problem.places[lot]:
                upper[pair] = 0
            elif current[pair]:
                fix(pair)
                filled += 1
            elif cannot_fit(pair):
                upper[pair] = 0
            elif solves >= MAX_TIE_SOLVES:
                notes.append("The tie-break stopped after many checks; the rest of the tie was "
                              "settled by the solver's order.")
                return [int(p) for p in np.flatnonzero(current)], notes
            else:
                trial = lower.copy()
                trial[pair] = 1
                solves += 1
                found = model.solve(np.zeros(model.count), tiers, trial, upper)
                if found is None or _total(problem, found) < (places, total):
                    upper[pair] = 0
                else:
                    current = found
                    fix(pair)
                    filled += 1
    return [int(p) for p in np.flatnonzero(current)], notes
