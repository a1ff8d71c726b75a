"""Price a cost template: every line's exact amount, its penny, and its formula in words.

The total is the sum of the unrounded lines (subtotals excluded) and is rounded once, half-up to
the penny, the way Stockport's Appendix One gets 15.61 from lines that show 15.64.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evaluation.cost_model import CostTemplate, Line, lower_first
from evaluation.money import as_decimal, money, penny, percent, plain

SIXTY = Decimal(60)


@dataclass(frozen=True)
class LineResult:
    """One calculated line: the exact amount, the penny shown, and the sum in words."""

    id: str
    label: str
    kind: str
    amount: Decimal
    rounded: Decimal
    formula: str
    counts_in_total: bool
    expected: bool
    base: Decimal | None = None
    factors: Mapping[str, Decimal] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "kind": self.kind,
            "amount": str(self.amount),
            "rounded": str(self.rounded),
            "formula": self.formula,
            "counts_in_total": self.counts_in_total,
            "expected": self.expected,
            "base": None if self.base is None else str(self.base),
            "factors": {role: str(value) for role, value in self.factors.items()},
        }


@dataclass(frozen=True)
class Breakdown:
    """A priced hourly rate: lines in display order; the total sums the unrounded lines."""

    template_id: str
    lines: Mapping[str, LineResult]
    total: Decimal
    total_rounded: Decimal
    parameters: Mapping[str, Decimal]
    rounding_note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "template_id": self.template_id,
            "lines": [line.to_dict() for line in self.lines.values()],
            "total": str(self.total),
            "total_rounded": str(self.total_rounded),
            "parameters": {name: str(value) for name, value in self.parameters.items()},
            "rounding_note": self.rounding_note,
        }


def _resolve_inputs(template: CostTemplate, inputs: Mapping[str, Any]) -> dict[str, Decimal]:
    known = {p.name for p in template.parameters}
    for name in sorted(set(inputs) - known, key=str):
        raise ValueError(f"unknown input {name!r}: template {template.id!r} has no such parameter")
    values: dict[str, Decimal] = {}
    for parameter in template.parameters:
        if parameter.name in inputs:
            values[parameter.name] = as_decimal(inputs[parameter.name], f"input {parameter.name!r}")
        elif parameter.default is not None:
            values[parameter.name] = parameter.default
        else:
            users = [
                line.id for line in template.lines
                if parameter.name in line.parameter_roles().values()
            ]
            raise ValueError(
                f"line {users[0] if users else '(none)'!r} needs input {parameter.name!r}, "
                "which has no default"
            )
    return values


def _factor(line: Line, role: str, values: Mapping[str, Decimal]) -> Decimal:
    """Read one parameter for a line and check it makes sense there (never negative; % <= 100)."""
    name = line.parameter_roles()[role]
    value = values[name]
    if value < 0:
        raise ValueError(f"line {line.id!r}: {name} is negative ({plain(value)})")
    if line.kind == "percent" and role == "rate" and value > 1:
        raise ValueError(
            f"line {line.id!r}: percentage {percent(value)} ({name}) is over 100%"
        )
    return value


def _base_words(line: Line, labels: Mapping[str, str]) -> str:
    if line.base_label:
        return line.base_label
    words = " + ".join(lower_first(labels[other]) for other in line.of)
    return f"({words})" if len(line.of) > 1 and line.kind != "subtotal" else words


def _evaluate(
    line: Line,
    template: CostTemplate,
    values: Mapping[str, Decimal],
    amounts: Mapping[str, Decimal],
    labels: Mapping[str, str],
) -> tuple[Decimal, Decimal | None, dict[str, Decimal], str]:
    """Amount, base, factors used and the formula in words for one line."""
    factors = {role: _factor(line, role, values) for role in line.parameter_roles()}
    if line.kind == "input":
        amount = factors["parameter"]
        words = f"{template.parameter(line.parameter or '').words} {money(amount)}"
        return amount, None, {"amount": amount}, words
    if line.kind == "quantity_rate":
        quantity, rate = factors["quantity"], factors["rate"]
        quantity_words = template.parameter(line.quantity or "").words
        rate_words = template.parameter(line.rate or "").words
        words = f"{plain(quantity)} x {plain(rate)} ({quantity_words} x {rate_words})"
        return quantity * rate, None, factors, words
    base = sum((amounts[other] for other in line.of), Decimal(0))
    base_words = f"{_base_words(line, labels)} {money(base)}"
    if line.kind == "percent":
        rate = factors["rate"]
        if "above" in factors:
            threshold = factors["above"]
            above_words = template.parameter(line.above or "").words
            words = f"{percent(rate)} of {base_words} above {above_words} {money(threshold)}"
            return rate * max(base - threshold, Decimal(0)), base, factors, words
        return rate * base, base, factors, f"{percent(rate)} of {base_words}"
    if line.kind == "minutes_per_hour":
        minutes = factors["minutes"]
        words = f"{plain(minutes)} minutes per hour of {base_words}"
        return minutes * base / SIXTY, base, factors, words
    return base, base, {}, _base_words(line, labels)


def calculate(template: CostTemplate, inputs: Mapping[str, Any] | None = None) -> Breakdown:
    """Price a template with a bidder's inputs (defaults fill the rest); errors name the line."""
    values = _resolve_inputs(template, inputs or {})
    labels = {line.id: line.label for line in template.lines}
    amounts: dict[str, Decimal] = {}
    results: dict[str, LineResult] = {}
    for line in template.evaluation_order:
        amount, base, factors, words = _evaluate(line, template, values, amounts, labels)
        if amount < 0:
            raise ValueError(f"line {line.id!r}: amount {plain(amount)} is negative")
        amounts[line.id] = amount
        results[line.id] = LineResult(
            id=line.id,
            label=line.label,
            kind=line.kind,
            amount=amount,
            rounded=penny(amount),
            formula=words,
            counts_in_total=line.counts_in_total,
            expected=line.expected,
            base=base,
            factors=factors,
        )
    ordered = {line.id: results[line.id] for line in template.lines}
    counted = [result for result in ordered.values() if result.counts_in_total]
    total = sum((result.amount for result in counted), Decimal(0))
    shown = sum((result.rounded for result in counted), Decimal(0))
    note = ""
    if shown != penny(total):
        note = (
            f"The lines shown add up to {money(shown)} because each is rounded to the penny; "
            f"the total {money(total)} is worked out from the unrounded figures."
        )
    return Breakdown(template.id, ordered, total, penny(total), values, note)
