"""Figures in a bid: how each is typed (pounds, percentages, minutes, hours) and read back.

A typed figure is a plain decimal; letters, exponents, NaN, negatives, too many decimal places
and absurd sizes are refused with a sentence naming the figure. Percentages are typed as
percentages and kept as the engine's fractions (12.07% is stored as 0.1207).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from evaluation.costs import CostTemplate

MAX_AMOUNT = Decimal(100_000)
HUNDRED = Decimal(100)
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


@dataclass(frozen=True)
class Unit:
    """How a number is typed and checked; `scale` turns the typed figure into the engine's."""

    kind: str
    places: int
    prefix: str = ""
    suffix: str = ""
    maximum: Decimal = MAX_AMOUNT
    example: str = "12.50"
    scale: Decimal = Decimal(1)


MONEY = Unit("money", 2, prefix="£", example="12.71")
THRESHOLD = Unit("money", 4, prefix="£", example="3.592")
PERCENT = Unit("percent", 2, suffix="%", maximum=HUNDRED, example="12.07", scale=HUNDRED)
MINUTES = Unit("minutes", 2, suffix="minutes", maximum=Decimal(60), example="11.4")
NUMBER = Unit("number", 2, example="2")
HOURS = Unit("hours", 2, suffix="hours a week", example="120")
SHARE = Unit("percent", 2, suffix="%", maximum=HUNDRED, example="25")


def unit_of(template: CostTemplate, name: str) -> Unit:
    """Percent rates are typed as percentages, thresholds to 4 places, amounts in pounds."""
    for line in template.lines:
        for role, parameter in line.parameter_roles().items():
            if parameter != name:
                continue
            if role == "rate" and line.kind == "percent":
                return PERCENT
            if role == "minutes":
                return MINUTES
            if role == "above":
                return THRESHOLD
            if role == "quantity":
                return NUMBER
            return MONEY
    return NUMBER


def parse_number(raw: Any, label: str, unit: Unit) -> Decimal | None:
    """A typed figure as a Decimal (None if blank), or ValueError with a sentence about it."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValueError(f"{label} must be a number, like {unit.example}")
    text = raw.strip().replace(",", "").replace(" ", "")
    if unit.prefix:
        text = text.removeprefix(unit.prefix)
    if unit.suffix == "%":
        text = text.removesuffix("%")
    if text == "":
        return None
    if text.startswith("-") and _NUMBER.fullmatch(text[1:]):
        raise ValueError(f"{label} cannot be negative")
    if len(text) > 30 or not _NUMBER.fullmatch(text):
        raise ValueError(f"{label} must be a number, like {unit.example}")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise ValueError(f"{label} must be a number, like {unit.example}") from None
    places = len(text.partition(".")[2])
    if places > unit.places:
        what = "pounds and pence" if unit is MONEY else f"no more than {unit.places} decimal places"
        raise ValueError(f"Enter {label.lower()} in {what}, like {unit.example}")
    if value > unit.maximum:
        raise ValueError(f"{label} must be {unit.maximum:,} or less")
    return value


def text_of(value: Decimal) -> str:
    """A Decimal as plain text without an exponent, for the sealed JSON."""
    return format(value, "f")


def scaled(value: Decimal, factor: Decimal) -> Decimal:
    """Percentages to fractions and back, without trailing zeros; pounds stay as typed."""
    return value if factor == 1 else (value * factor).normalize()


def engine_unit(unit: Unit) -> Unit:
    """The same unit as stored: a percentage is kept as a fraction with two more places."""
    if unit.scale == 1:
        return unit
    return Unit(unit.kind, unit.places + 2, maximum=Decimal(1), example="0.1207")
