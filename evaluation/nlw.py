"""The National Living Wage by date: the legal floor every care worker's hourly pay must meet."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

# The headline rate (workers 25+ until March 2021, 23+ until March 2024, 21+ since), in force
# from 1 April each year. Add a row when the government announces the next April's rate.
NLW_TABLE: tuple[tuple[date, Decimal], ...] = (
    (date(2016, 4, 1), Decimal("7.20")),
    (date(2017, 4, 1), Decimal("7.50")),
    (date(2018, 4, 1), Decimal("7.83")),
    (date(2019, 4, 1), Decimal("8.21")),
    (date(2020, 4, 1), Decimal("8.72")),
    (date(2021, 4, 1), Decimal("8.91")),
    (date(2022, 4, 1), Decimal("9.50")),
    (date(2023, 4, 1), Decimal("10.42")),
    (date(2024, 4, 1), Decimal("11.44")),
    (date(2025, 4, 1), Decimal("12.21")),
    (date(2026, 4, 1), Decimal("12.71")),
)


def nlw_on(day: date, table: tuple[tuple[date, Decimal], ...] = NLW_TABLE) -> Decimal:
    """The rate in force on a day; before the first row there was no NLW, so that is an error."""
    return nlw_entry_on(day, table)[1]


def nlw_entry_on(
    day: date, table: tuple[tuple[date, Decimal], ...] = NLW_TABLE
) -> tuple[date, Decimal]:
    """(date it took effect, rate) for the rate in force on a day."""
    if not table or day < table[0][0]:
        first = table[0][0].isoformat() if table else "the first row"
        raise ValueError(f"no National Living Wage before {first} (asked for {day.isoformat()})")
    current = table[0]
    for entry in table:
        if entry[0] <= day:
            current = entry
    return current


def highest_nlw_between(
    start: date, end: date, table: tuple[tuple[date, Decimal], ...] = NLW_TABLE
) -> tuple[date, Decimal]:
    """(effective date, rate) of the highest NLW in force at any point from start to end."""
    if end < start:
        raise ValueError(f"period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    candidates = [nlw_entry_on(start, table)]
    candidates += [entry for entry in table if start < entry[0] <= end]
    return max(candidates, key=lambda entry: (entry[1], entry[0]))


def known_until(table: tuple[tuple[date, Decimal], ...] = NLW_TABLE) -> date:
    """The last day the table can speak for: the day before the next April after its last row."""
    last = table[-1][0]
    return last.replace(year=last.year + 1) - timedelta(days=1)
