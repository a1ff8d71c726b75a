"""The single clock of the app, and how times are shown to people.

Everything that asks "what time is it?" goes through :func:`now`, so tests and demos can fix
the time in one place. Times are stored and compared in UTC; they are shown in UK time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

__all__ = [
    "LONDON",
    "format_date",
    "format_london",
    "format_london_date",
    "frozen",
    "now",
    "set_fixed",
    "to_london",
]

LONDON = ZoneInfo("Europe/London")

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_fixed: datetime | None = None


def _require_aware(dt: datetime) -> None:
    """Refuse naive datetimes: a time without a zone is ambiguous for legal deadlines."""
    if not isinstance(dt, datetime):
        raise TypeError(f"expected a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")


def now() -> datetime:
    """Return the current time as an aware UTC datetime (or the fixed time, if one is set)."""
    if _fixed is not None:
        return _fixed
    return datetime.now(UTC)


def set_fixed(dt: datetime | None) -> None:
    """Make :func:`now` return ``dt`` (converted to UTC) until reset with ``None``.

    Process-wide on purpose: a demo or a test sees one consistent time everywhere.
    """
    global _fixed
    if dt is None:
        _fixed = None
        return
    _require_aware(dt)
    _fixed = dt.astimezone(UTC)


@contextmanager
def frozen(dt: datetime) -> Iterator[datetime]:
    """Fix :func:`now` at ``dt`` inside a ``with`` block, restoring the previous setting after."""
    _require_aware(dt)
    previous = _fixed
    set_fixed(dt)
    try:
        yield dt.astimezone(UTC)
    finally:
        set_fixed(previous)


def to_london(dt: datetime) -> datetime:
    """Convert an aware datetime to UK time (GMT or BST), the zone deadlines are judged in."""
    _require_aware(dt)
    return dt.astimezone(LONDON)


def format_date(day: date, *, weekday: bool = True) -> str:
    """A calendar date GOV.UK style: "Monday 2 March 2026", or "2 March 2026" without the weekday.

    Spelled out here rather than with strftime, whose names follow the machine's locale.
    """
    words = f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"
    return f"{_DAY_NAMES[day.weekday()]} {words}" if weekday else words


def format_london_date(dt: datetime) -> str:
    """Format the UK date of ``dt`` GOV.UK style, for example "Monday 2 March 2026"."""
    return format_date(to_london(dt).date())


def _format_time(local: datetime) -> str:
    """GOV.UK style time: "5pm", "5:30pm", "midday"; seconds are not shown."""
    hour, minute = local.hour, local.minute
    if hour == 12 and minute == 0:
        return "midday"
    suffix = "am" if hour < 12 else "pm"
    hour12 = hour % 12 or 12
    return f"{hour12}{suffix}" if minute == 0 else f"{hour12}:{minute:02d}{suffix}"


def format_london(dt: datetime) -> str:
    """Format an instant for people in UK time, GOV.UK style: "5pm on Monday 2 March 2026".

    00:00 is written "midnight at the start of <day>" because "midnight on <day>" is read
    both ways; deadlines at the end of a day are 23:59:59 and show as "11:59pm on <day>".
    """
    local = to_london(dt)
    if local.hour == 0 and local.minute == 0:
        return f"midnight at the start of {format_london_date(local)}"
    return f"{_format_time(local)} on {format_london_date(local)}"
