"""Moderation: spot answers whose markers disagree, and record an agreed consensus mark.

Markers who differ by 2 or more (on a 0-5 scale) should talk before a consensus is agreed; a
consensus that matches nobody's mark must say why, so the audit trail explains it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from evaluation.money import as_decimal, plain

A = TypeVar("A", bound=Hashable)

DISCUSSION_GAP = Decimal(2)


@dataclass(frozen=True)
class MarkSpread:
    """How far apart the individual marks for one answer are."""

    lowest: Decimal
    highest: Decimal
    spread: Decimal
    needs_discussion: bool
    marks: Mapping[Any, Decimal]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "lowest": str(self.lowest),
            "highest": str(self.highest),
            "spread": str(self.spread),
            "needs_discussion": self.needs_discussion,
            "marks": [{"marker": marker, "mark": str(mark)} for marker, mark in self.marks.items()],
            "reason": self.reason,
        }


def mark_spread(marks: Mapping[Any, Decimal], gap: Decimal = DISCUSSION_GAP) -> MarkSpread:
    """The spread of markers' marks for one answer; a spread of `gap` or more needs discussion."""
    if not marks:
        raise ValueError("an answer needs at least one individual mark")
    checked = {marker: as_decimal(mark, f"mark by {marker!r}") for marker, mark in marks.items()}
    lowest, highest = min(checked.values()), max(checked.values())
    spread = highest - lowest
    needs = spread >= as_decimal(gap, "gap")
    if needs:
        reason = (
            f"marks range from {plain(lowest)} to {plain(highest)} (a gap of {plain(spread)}, "
            f"{plain(gap)} or more): discuss before agreeing a consensus"
        )
    else:
        reason = f"marks range from {plain(lowest)} to {plain(highest)}"
    return MarkSpread(lowest, highest, spread, needs, dict(checked), reason)


def answers_for_discussion(
    marks: Mapping[A, Mapping[Any, Decimal]], gap: Decimal = DISCUSSION_GAP
) -> dict[A, MarkSpread]:
    """The answers (e.g. keyed by (bid, question)) whose markers differ by `gap` or more."""
    spreads = {answer: mark_spread(answer_marks, gap) for answer, answer_marks in marks.items()}
    return {answer: spread for answer, spread in spreads.items() if spread.needs_discussion}


@dataclass(frozen=True)
class ConsensusMark:
    """The agreed mark for one answer, the marks it came from, and the recorded reason."""

    mark: Decimal
    individual: Mapping[Any, Decimal]
    differs_from_all: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "mark": str(self.mark),
            "individual": [
                {"marker": marker, "mark": str(mark)} for marker, mark in self.individual.items()
            ],
            "differs_from_all": self.differs_from_all,
            "reason": self.reason,
        }


def agree_consensus(
    individual: Mapping[Any, Decimal], consensus: Decimal, reason: str = ""
) -> ConsensusMark:
    """Record a consensus; one that differs from every individual mark must come with a reason."""
    spread = mark_spread(individual)
    consensus = as_decimal(consensus, "consensus mark")
    differs = all(mark != consensus for mark in spread.marks.values())
    if differs and not reason.strip():
        raise ValueError(
            f"consensus {plain(consensus)} differs from every individual mark "
            f"({', '.join(plain(mark) for mark in spread.marks.values())}); give the reason"
        )
    if not reason.strip():
        reason = f"agreed at {plain(consensus)}, as marked by at least one marker"
    return ConsensusMark(consensus, spread.marks, differs, reason.strip())
