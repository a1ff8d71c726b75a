"""Award lots to bidders: the best achievable allocation, never a greedy guess.

`allocate` takes combined scores for eligible (bidder, lot) pairs and the tender's limits (lots
per bidder, winners per lot, bidder capacity in hours against lot demand). Policy "optimal"
fills the most lot places, then maximises the total score, then breaks remaining ties by the
ranking (see `allocation_solver` for the formulation). Policy "priority" awards lots in their
published priority order to the best available bidder, for tenders that publish that rule.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evaluation.allocation_explain import explain_lots
from evaluation.allocation_solver import SolverInput, solve
from evaluation.money import as_decimal, plain

POLICIES = ("optimal", "priority")
SCORE_PLACES = 6  # scores are compared exactly to a millionth of a point


@dataclass(frozen=True)
class Allocation:
    """Who wins each lot, the total score, unfilled lots and why, and each lot's explanation."""

    policy: str
    awards: dict[Any, list[Any]]
    total_score: Decimal
    places_filled: int
    places_available: int
    unfilled: dict[Any, str]
    explanations: dict[Any, tuple[str, ...]]
    notes: tuple[str, ...] = ()

    def lots_won(self, bidder: Any) -> list[Any]:
        return [lot for lot, winners in self.awards.items() if bidder in winners]

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "awards": [{"lot": lot, "bidders": list(bids)} for lot, bids in self.awards.items()],
            "total_score": str(self.total_score),
            "places_filled": self.places_filled,
            "places_available": self.places_available,
            "unfilled": [{"lot": lot, "reason": reason} for lot, reason in self.unfilled.items()],
            "explanations": [
                {"lot": lot, "lines": list(lines)} for lot, lines in self.explanations.items()
            ],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Problem:
    """Validated, normalised input shared by both policies and the explanations."""

    lots: tuple[Any, ...]  # priority order
    scores: dict[tuple[Any, Any], Decimal]
    places: dict[Any, int]
    max_lots: int | None
    capacity: dict[Any, Decimal]
    demand: dict[Any, Decimal]
    ranking: dict[Any, list[Any]]  # each lot's eligible bidders, best first

    def fits(self, bidder: Any, lot: Any, used_hours: Decimal) -> bool:
        if bidder not in self.capacity:
            return True
        return used_hours + self.demand[lot] <= self.capacity[bidder]


def _count(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int")
    if value < 0:
        raise ValueError(f"{what} must not be negative")
    return value


def _hours(values: Mapping[Any, Any] | None, what: str) -> dict[Any, Decimal]:
    checked = {}
    for key, value in (values or {}).items():
        checked[key] = as_decimal(value, f"{what} of {key!r}")
        if checked[key] < 0:
            raise ValueError(f"{what} of {key!r} must not be negative")
    return checked


def _problem(
    scores: Mapping[tuple[Hashable, Hashable], Decimal],
    max_lots_per_bidder: int | None,
    winners_per_lot: int | Mapping[Any, int],
    capacity: Mapping[Any, Decimal] | None,
    demand: Mapping[Any, Decimal] | None,
    lot_priority: Sequence[Any] | None,
    lot_rankings: Mapping[Any, Sequence[Any]] | None,
) -> Problem:
    checked: dict[tuple[Any, Any], Decimal] = {}
    for pair, score in scores.items():
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError(f"score keys must be (bidder, lot) pairs, got {pair!r}")
        checked[pair] = as_decimal(score, f"score of {pair!r}")
        if checked[pair] < 0:
            raise ValueError(f"score of {pair!r} must not be negative")
    lots = {lot for _, lot in checked}
    if isinstance(winners_per_lot, Mapping):
        lots |= set(winners_per_lot)
    lots |= set(demand or {}) | set(lot_priority or ())
    if lot_priority is None:
        order = tuple(sorted(lots))
    else:
        order = tuple(lot_priority)
        if len(set(order)) != len(order) or set(order) != lots:
            missing = sorted(lots - set(order))
            raise ValueError(f"lot_priority must list every lot once (missing {missing})")
    if isinstance(winners_per_lot, Mapping):
        for lot in order:
            if lot not in winners_per_lot:
                raise ValueError(f"winners_per_lot has no entry for lot {lot!r}")
        places = {lot: _count(winners_per_lot[lot], f"winners for lot {lot!r}") for lot in order}
    else:
        count = _count(winners_per_lot, "winners_per_lot")
        places = {lot: count for lot in order}
    limit = None if max_lots_per_bidder is None else _count(max_lots_per_bidder, "lot limit")
    hours = _hours(capacity, "capacity")
    needed = _hours(demand, "demand")
    if hours:
        for bidder, lot in checked:
            if bidder in hours and lot not in needed:
                raise ValueError(f"lot {lot!r} has no demand, so capacity cannot be checked")
    stated = lot_rankings or {}
    by_lot: dict[Any, list[Any]] = {lot: [] for lot in order}
    for bidder, lot in checked:
        by_lot[lot].append(bidder)
    ranking = {}
    for lot in order:
        eligible = by_lot[lot]
        listed = {bidder: index for index, bidder in enumerate(stated.get(lot, ()))}
        ranking[lot] = sorted(
            eligible,
            key=lambda b, lot=lot: (-checked[(b, lot)], listed.get(b, len(listed)), b),
        )
    return Problem(order, checked, places, limit, hours, needed, ranking)


def _decimal_places(values: list[Decimal]) -> int:
    """The most decimal places among some Decimals (0 for whole numbers)."""
    places = 0
    for value in values:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int):
            places = max(places, -exponent)
    return places


def _integers(values: list[Decimal], places: int) -> list[int]:
    """Scale Decimals to whole numbers at `places` decimal places (half-up beyond that)."""
    return [
        int(value.scaleb(places).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for value in values
    ]


def _contenders(problem: Problem) -> list[tuple[Any, Any]]:
    """The pairs that can be in the best allocation, lots in priority order, best rank first.

    A pair is dropped if its bidder cannot take the lot even alone (capacity or a nil lot
    limit), or if at least as many better-ranked bidders who could take it alone stand ahead as
    there are places in the whole tender: one of those wins nothing and could take the lot
    instead, for at least the same score and a better rank. This is exact and keeps large
    tenders small (200 bidders x 60 lots becomes 60 contenders a lot).
    """
    all_places = sum(problem.places.values())
    pairs = []
    for lot in problem.lots:
        able = [
            bidder for bidder in problem.ranking[lot]
            if problem.max_lots != 0 and problem.fits(bidder, lot, Decimal(0))
        ]
        pairs += [(bidder, lot) for bidder in able[:all_places]]
    return pairs


def _optimal(problem: Problem) -> tuple[dict[Any, list[Any]], list[str]]:
    pairs = _contenders(problem)
    lot_index = {lot: index for index, lot in enumerate(problem.lots)}
    bidders = sorted({bidder for bidder, _ in pairs})
    bidder_index = {bidder: index for index, bidder in enumerate(bidders)}
    notes: list[str] = []
    scores = [problem.scores[pair] for pair in pairs]
    score_places = _decimal_places(scores)
    if score_places > SCORE_PLACES:
        notes.append(f"Scores were compared to {SCORE_PLACES} decimal places.")
        score_places = SCORE_PLACES
    hour_values = [*problem.capacity.values(), *problem.demand.values()]
    hour_places = _decimal_places(hour_values)
    if hour_places > SCORE_PLACES:
        raise ValueError(f"capacity and demand may have at most {SCORE_PLACES} decimal places")
    capacity = dict(zip(problem.capacity, _integers(list(problem.capacity.values()),
                                                     hour_places), strict=True))
    demand = dict(zip(problem.demand, _integers(list(problem.demand.values()), hour_places),
                      strict=True))
    preference: list[tuple[int, list[int]]] = [(lot_index[lot], []) for lot in problem.lots]
    for index, (_, lot) in enumerate(pairs):
        preference[lot_index[lot]][1].append(index)
    chosen, solver_notes = solve(SolverInput(
        lot_of=[lot_index[lot] for _, lot in pairs],
        bidder_of=[bidder_index[bidder] for bidder, _ in pairs],
        weight=_integers(scores, score_places),
        places=[problem.places[lot] for lot in problem.lots],
        max_lots=problem.max_lots,
        capacity=[capacity.get(bidder) for bidder in bidders],
        demand=[demand.get(lot, 0) for lot in problem.lots],
        preference=preference,
    ))
    awards: dict[Any, list[Any]] = {lot: [] for lot in problem.lots}
    for index in sorted(chosen):
        bidder, lot = pairs[index]
        awards[lot].append(bidder)
    return awards, notes + solver_notes


def _priority(problem: Problem) -> dict[Any, list[Any]]:
    """Lots in published order, each to the best-ranked bidder still free to take it."""
    awards: dict[Any, list[Any]] = {lot: [] for lot in problem.lots}
    won: dict[Any, int] = {}
    used: dict[Any, Decimal] = {}
    for lot in problem.lots:
        for bidder in problem.ranking[lot]:
            if len(awards[lot]) == problem.places[lot]:
                break
            if problem.max_lots is not None and won.get(bidder, 0) >= problem.max_lots:
                continue
            if not problem.fits(bidder, lot, used.get(bidder, Decimal(0))):
                continue
            awards[lot].append(bidder)
            won[bidder] = won.get(bidder, 0) + 1
            used[bidder] = used.get(bidder, Decimal(0)) + problem.demand.get(lot, Decimal(0))
    return awards


def _check_limits(problem: Problem, awards: Mapping[Any, list[Any]]) -> None:
    """Refuse to return an allocation that breaks a rule, whatever the solver said."""
    won: dict[Any, int] = {}
    used: dict[Any, Decimal] = {}
    for lot, bidders in awards.items():
        if len(bidders) > problem.places[lot] or len(set(bidders)) != len(bidders):
            raise RuntimeError(f"lot {lot!r} has too many winners")
        for bidder in bidders:
            if (bidder, lot) not in problem.scores:
                raise RuntimeError(f"{bidder!r} is not eligible for lot {lot!r}")
            won[bidder] = won.get(bidder, 0) + 1
            used[bidder] = used.get(bidder, Decimal(0)) + problem.demand.get(lot, Decimal(0))
    for bidder, count in won.items():
        if problem.max_lots is not None and count > problem.max_lots:
            raise RuntimeError(f"{bidder!r} won more than {problem.max_lots} lots")
        if bidder in problem.capacity and used[bidder] > problem.capacity[bidder]:
            raise RuntimeError(f"{bidder!r} won more hours than its capacity")


def allocate(
    scores: Mapping[tuple[Hashable, Hashable], Decimal],
    max_lots_per_bidder: int | None = None,
    winners_per_lot: int | Mapping[Any, int] = 1,
    capacity: Mapping[Any, Decimal] | None = None,
    demand: Mapping[Any, Decimal] | None = None,
    *,
    policy: str = "optimal",
    lot_priority: Sequence[Any] | None = None,
    lot_rankings: Mapping[Any, Sequence[Any]] | None = None,
) -> Allocation:
    """Award lots from combined scores of eligible (bidder, lot) pairs, explaining every lot.

    capacity (hours a bidder can deliver) is checked against demand (hours a lot needs); bidders
    without a capacity are unlimited. lot_priority orders the lots (default: sorted) for the
    "priority" policy and for tie-breaks; lot_rankings (e.g. `LotRanking.order` per lot) orders
    bidders with equal scores, otherwise equal scores go in bidder order.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; use one of {POLICIES}")
    problem = _problem(
        scores, max_lots_per_bidder, winners_per_lot, capacity, demand, lot_priority,
        lot_rankings,
    )
    notes: list[str] = []
    if policy == "optimal":
        awards, notes = _optimal(problem)
    else:
        awards = _priority(problem)
    for lot in problem.lots:
        awards[lot] = [b for b in problem.ranking[lot] if b in awards[lot]]
    _check_limits(problem, awards)
    explanations, unfilled = explain_lots(problem, awards, policy)
    filled = sum(len(bidders) for bidders in awards.values())
    total = sum(
        (problem.scores[(b, lot)] for lot, bidders in awards.items() for b in bidders), Decimal(0)
    )
    notes.insert(0, f"{filled} of {sum(problem.places.values())} places filled; total score "
                    f"{plain(total)}.")
    return Allocation(
        policy, awards, total, filled, sum(problem.places.values()), unfilled, explanations,
        tuple(notes),
    )
