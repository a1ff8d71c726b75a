"""Fee setting: annual uplifts, the budget effect of alternative rates, and call-length rates.

These answer the questions in a council's fee paper: what does next April's NLW (or NI, or
pension) change do to the rate, line by line; what does each candidate rate cost a year; and
what do 15/30/45/60-minute visits pay under a minimum-payment rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evaluation.calculator import Breakdown, calculate
from evaluation.cost_model import CostTemplate
from evaluation.money import as_decimal, money, penny, plain, round_places

HUNDRED = Decimal(100)
SIXTY = Decimal(60)


def _signed(amount: Decimal) -> str:
    return ("+" if amount >= 0 else "-") + _pounds(abs(amount))


def _pounds(amount: Decimal) -> str:
    """12345.678 -> '12,345.68', for budget figures people read aloud."""
    return f"{penny(amount):,}"


def _percent_change(before: Decimal, after: Decimal) -> Decimal | None:
    return None if before == 0 else (after - before) / before * HUNDRED


def _percent_words(change: Decimal | None) -> str:
    if change is None:
        return "new"
    return f"{'+' if change >= 0 else ''}{round_places(change, 2)}%"


@dataclass(frozen=True)
class LineChange:
    """One line before and after an uplift; percent_change is None where it was zero before."""

    id: str
    label: str
    before: Decimal
    after: Decimal
    change: Decimal
    percent_change: Decimal | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "before": str(self.before),
            "after": str(self.after),
            "change": str(self.change),
            "percent_change": None if self.percent_change is None else str(self.percent_change),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Uplift:
    """The same template priced twice, and the change per line and overall."""

    before: Breakdown
    after: Breakdown
    lines: tuple[LineChange, ...]
    change: Decimal
    percent_change: Decimal
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "lines": [line.to_dict() for line in self.lines],
            "change": str(self.change),
            "percent_change": str(self.percent_change),
            "summary": self.summary,
        }


def uplift(
    template: CostTemplate,
    before_inputs: Mapping[str, Decimal] | None,
    changes: Mapping[str, Decimal],
) -> Uplift:
    """Reprice a template with changed parameters (e.g. {"basic_pay": new NLW + margin})."""
    before_inputs = dict(before_inputs or {})
    before = calculate(template, before_inputs)
    after = calculate(template, {**before_inputs, **changes})
    lines = []
    for line_id, old in before.lines.items():
        new = after.lines[line_id]
        percent_change = _percent_change(old.amount, new.amount)
        lines.append(LineChange(
            line_id, old.label, old.amount, new.amount, new.amount - old.amount, percent_change,
            f"{old.label}: {money(old.amount)} -> {money(new.amount)} "
            f"({_signed(new.amount - old.amount)}, {_percent_words(percent_change)})",
        ))
    overall = _percent_change(before.total, after.total) or Decimal(0)
    changed = ", ".join(f"{name} {plain(as_decimal(value, name))}" for name, value in
                        changes.items())
    summary = (
        f"With {changed or 'no changes'}, the hourly rate goes from {money(before.total)} to "
        f"{money(after.total)} ({_signed(after.total - before.total)}, "
        f"{_percent_words(overall)})."
    )
    return Uplift(before, after, tuple(lines), after.total - before.total, overall, summary)


@dataclass(frozen=True)
class BudgetOption:
    """What one hourly rate costs a year for the hours bought, against today's rate."""

    rate: Decimal
    annual_cost: Decimal
    difference: Decimal
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate": str(self.rate),
            "annual_cost": str(self.annual_cost),
            "difference": str(self.difference),
            "reason": self.reason,
        }


def budget_effect(
    hours_per_week: Decimal,
    rates: Sequence[Decimal],
    current_rate: Decimal,
    weeks: Decimal = Decimal(52),
) -> tuple[BudgetOption, ...]:
    """Annual cost of each rate (hours per week x rate x weeks) and the extra over today's rate."""
    hours_per_week = as_decimal(hours_per_week, "hours_per_week")
    weeks = as_decimal(weeks, "weeks")
    current_rate = as_decimal(current_rate, "current_rate")
    today = hours_per_week * current_rate * weeks
    options = []
    for rate in rates:
        rate = as_decimal(rate, "rate")
        cost = hours_per_week * rate * weeks
        options.append(BudgetOption(
            rate, cost, cost - today,
            f"{plain(hours_per_week)} hours a week x {money(rate)} x {plain(weeks)} weeks = "
            f"{_pounds(cost)} a year, {_signed(cost - today)} on today's {money(current_rate)} "
            f"({_pounds(today)})",
        ))
    return tuple(options)


@dataclass(frozen=True)
class CallRate:
    """The payment for one visit length and how the minimum-payment rule applied."""

    minutes: int
    paid_minutes: Decimal
    amount: Decimal
    rounded: Decimal
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "minutes": self.minutes,
            "paid_minutes": str(self.paid_minutes),
            "amount": str(self.amount),
            "rounded": str(self.rounded),
            "reason": self.reason,
        }


def call_rates(
    hourly_rate: Decimal,
    durations: Sequence[int] = (15, 30, 45, 60),
    *,
    minimum_minutes: int | None = None,
    minimum_amount: Decimal | None = None,
) -> tuple[CallRate, ...]:
    """Visit payments pro rata to the hourly rate, with an optional minimum payment rule.

    minimum_minutes pays short visits as if they lasted that long (Nottinghamshire's 30-minute
    minimum); minimum_amount sets a floor in money (Cheshire East's 30-minute rate 8.20 against
    14.20 an hour).
    """
    hourly_rate = as_decimal(hourly_rate, "hourly_rate")
    floor = None if minimum_amount is None else as_decimal(minimum_amount, "minimum_amount")
    results = []
    for minutes in durations:
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            raise ValueError(f"visit length {minutes!r} must be a positive whole number of minutes")
        paid = Decimal(max(minutes, minimum_minutes or 0))
        amount = hourly_rate * paid / SIXTY
        reason = f"{plain(paid)}/60 x {money(hourly_rate)} = {money(amount)}"
        if paid != minutes:
            reason = f"{minutes} minutes paid as {plain(paid)} (minimum): " + reason
        if floor is not None and amount < floor:
            amount = floor
            reason += f", raised to the minimum payment {money(floor)}"
        results.append(CallRate(minutes, paid, amount, penny(amount), reason))
    return tuple(results)
