"""Sentences for an allocation: who won each lot, and why a better-ranked bidder did not."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from evaluation.money import plain, points
from evaluation.ranking import ordinal

if TYPE_CHECKING:
    from evaluation.allocation import Problem


def _listing(items: list[Any]) -> str:
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _held_lots(problem: Problem, awards: Mapping[Any, list[Any]], bidder: Any, lot: Any,
               policy: str) -> list[Any]:
    """The lots that count against a bidder when explaining `lot`: for the priority policy
    only lots awarded before it, for the optimal policy every other lot it wins."""
    position = problem.lots.index(lot)
    earlier = problem.lots[:position] if policy == "priority" else problem.lots
    return [other for other in earlier if other != lot and bidder in awards[other]]


def why_not(problem: Problem, awards: Mapping[Any, list[Any]], bidder: Any, lot: Any,
            policy: str) -> tuple[str, str]:
    """(kind, sentence) for why an eligible bidder did not win a lot."""
    rank = problem.ranking[lot].index(bidder) + 1
    who = f"{bidder} (ranked {ordinal(rank)}, score {points(problem.scores[(bidder, lot)])})"
    held = _held_lots(problem, awards, bidder, lot, policy)
    if problem.max_lots is not None and len(held) >= problem.max_lots:
        won = f"it wins {_listing(held)}" if held else "the limit is nil"
        limit = f"{problem.max_lots} lot{'' if problem.max_lots == 1 else 's'}"
        return "lot limit", f"{who} is at the limit of {limit}: {won}."
    used = sum((problem.demand[other] for other in held), Decimal(0)) if held else Decimal(0)
    if not problem.fits(bidder, lot, used):
        detail = f"already delivers {plain(used)} hours in {_listing(held)}" if held else (
            "has nothing else"
        )
        return "capacity", (
            f"{who} cannot take this lot's {plain(problem.demand[lot])} hours: its capacity is "
            f"{plain(problem.capacity[bidder])} hours and it {detail}."
        )
    if policy == "priority":
        return "other", f"{who} was not needed: the lot's places were already filled."
    return "other", (
        f"{who} did not win: any allocation giving it this lot fills fewer places or scores "
        "less in total."
    )


def explain_lots(
    problem: Problem, awards: Mapping[Any, list[Any]], policy: str
) -> tuple[dict[Any, tuple[str, ...]], dict[Any, str]]:
    """Per-lot explanations, and the reason for every lot left with places unfilled."""
    explanations: dict[Any, tuple[str, ...]] = {}
    unfilled: dict[Any, str] = {}
    for lot in problem.lots:
        ranking = problem.ranking[lot]
        winners = awards[lot]
        places = problem.places[lot]
        lines = []
        for bidder in winners:
            rank = ranking.index(bidder) + 1
            lines.append(
                f"{bidder} wins (ranked {ordinal(rank)}, score "
                f"{points(problem.scores[(bidder, lot)])})."
            )
        lowest = max((ranking.index(bidder) for bidder in winners), default=-1)
        full = len(winners) >= places
        blocked = []
        for index, bidder in enumerate(ranking):
            if bidder in winners or (full and index > lowest):
                continue
            kind, sentence = why_not(problem, awards, bidder, lot, policy)
            blocked.append((bidder, kind))
            lines.append(sentence)
        if not full:
            if not ranking:
                reason = "no eligible bids"
            elif not blocked:
                reason = f"only {len(ranking)} eligible bid(s) for {places} place(s)"
            else:
                details = "; ".join(f"{bidder}: {kind}" for bidder, kind in blocked)
                reason = (
                    f"{len(winners)} of {places} place(s) filled: the other eligible bidders "
                    f"could not take it ({details})"
                )
            unfilled[lot] = reason
            lines.append(f"Unfilled: {reason}.")
        explanations[lot] = tuple(lines)
    return explanations, unfilled
