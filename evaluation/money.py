"""Decimal helpers shared by the engine: floats refused, half-up rounding only where stated."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

PENNY = Decimal("0.01")


def as_decimal(value: Any, what: str) -> Decimal:
    """Return value as a Decimal, refusing floats so binary rounding never reaches money."""
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected a Decimal, got a bool")
    if isinstance(value, float):
        raise TypeError(f"{what}: float {value!r} refused; pass a Decimal (e.g. Decimal('8.29'))")
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, Decimal):
        raise TypeError(f"{what}: expected a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{what}: {value} is not a finite number")
    return value


def parse_decimal(value: Any, what: str) -> Decimal:
    """Read a Decimal from stored data (a string or int in JSON); floats are still refused."""
    if isinstance(value, str):
        try:
            parsed = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{what}: {value!r} is not a number") from None
        return as_decimal(parsed, what)
    return as_decimal(value, what)


def penny(amount: Decimal) -> Decimal:
    """Round half-up to the penny: the display rounding every council paper uses."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def round_places(amount: Decimal, places: int) -> Decimal:
    """Round half-up to a number of decimal places (for scores shown in letters)."""
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def plain(number: Decimal) -> str:
    """Write a number without exponent or trailing zeros: 11.40 -> '11.4', 2E+1 -> '20'."""
    text = f"{number.normalize():f}"
    return "0" if text in ("-0", "") else text


def money(amount: Decimal) -> str:
    """Write an amount rounded half-up to the penny: 9.24335 -> '9.24'."""
    return f"{penny(amount):f}"


def points(score: Decimal) -> str:
    """Write a score to two decimal places for explanations; the stored figure stays exact."""
    return f"{round_places(score, 2):f}"


def percent(rate: Decimal) -> str:
    """Write a fraction as a percentage: 0.1207 -> '12.07%', 0.27 -> '27%'."""
    return f"{plain(rate * 100)}%"


def decimal_or_none(value: Decimal | None) -> str | None:
    """Serialise an optional Decimal as a string so JSON keeps every digit."""
    return None if value is None else str(value)
