"""Working days, decision deadlines and standstill periods for English councils.

Pure functions: no Flask, no database, no clock. Callers pass the instants they mean.

Working days are Monday to Friday except bank holidays in England and Wales (which include
Christmas Day and Good Friday), taken from the ``holidays`` package. Dates are judged in UK
time (Europe/London), because the law counts UK calendar days, not UTC ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays

from dps.state.clock import LONDON, format_london_date, to_london

__all__ = [
    "REGIMES",
    "RegimeRules",
    "add_working_days",
    "bank_holidays",
    "decision_due",
    "is_working_day",
    "standstill_end",
    "standstill_end_description",
    "standstill_over",
    "working_days_between",
]

# The last moment of a day that a "midnight at the end of the day" deadline covers.
_END_OF_DAY = time(23, 59, 59)


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """Bank holidays in England and Wales for ``year``, cached: the package is slow to build.

    ``subdiv="ENG"`` gives the England and Wales list (identical to ``"WLS"``), including the
    Monday/Tuesday substitute days when Christmas, Boxing Day or New Year fall at a weekend.
    A special one-off bank holiday only appears once the ``holidays`` package knows of it.
    """
    return frozenset(holidays.UnitedKingdom(subdiv="ENG", years=[year]).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    if isinstance(day, datetime):
        raise TypeError("pass a date, not a datetime: convert with to_london(dt).date()")
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def _next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``, not counting ``start`` itself.

    ``add_working_days(d, 0)`` is ``d`` unchanged, even when ``d`` is not a working day.
    """
    if isinstance(start, datetime):
        raise TypeError("pass a date, not a datetime: convert with to_london(dt).date()")
    if days < 0:
        raise ValueError("days must be zero or more")
    day = start
    for _ in range(days):
        day = _next_working_day(day)
    return day


def working_days_between(a: date, b: date) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

    The inverse of :func:`add_working_days`: ``working_days_between(a, add_working_days(a, n))``
    is ``n``.
    """
    if isinstance(a, datetime) or isinstance(b, datetime):
        raise TypeError("pass dates, not datetimes: convert with to_london(dt).date()")
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def _london_date(dt: datetime) -> date:
    """The UK calendar date of an aware instant (rejects naive datetimes)."""
    return to_london(dt).date()


def decision_due(received_at: datetime, working_days: int) -> date:
    """The date a decision on an application is due: ``working_days`` after the UK receipt date.

    The day of receipt is not counted (PCR 2015 reg. 34 counts "following receipt"), so an
    application received on a Saturday is first counted on the Monday.
    """
    return add_working_days(_london_date(received_at), working_days)


def _end_of(day: date) -> datetime:
    """23:59:59 UK time on ``day``: the instant we use for "midnight at the end of" that day."""
    return datetime.combine(day, _END_OF_DAY, tzinfo=LONDON)


def _pcr2015_last_day(sent_on: date) -> date:
    """PCR 2015 reg. 87: the 10th day after sending electronically, moved to a working day."""
    last = sent_on + timedelta(days=10)
    if not is_working_day(last):
        last = _next_working_day(last)
    return last


def _pa2023_last_day(published_on: date) -> date:
    """PA 2023 s.51: the 8th working day, counting the publication day as day one if working."""
    first = published_on if is_working_day(published_on) else _next_working_day(published_on)
    return add_working_days(first, 7)


_STANDSTILL_RULES = {
    "pcr2015_dps": _pcr2015_last_day,
    "light_touch": _pcr2015_last_day,
    "pa2023_dynamic_market": _pa2023_last_day,
}


def standstill_end(start: datetime, regime: str) -> datetime:
    """When the standstill period ends, as 23:59:59 UK time on its last day (aware).

    ``start`` is when the award letters were sent (PCR 2015, light touch) or the contract award
    notice was published (PA 2023), in any zone; the day is judged in UK time. The period runs
    to midnight at the end of the returned day: the contract may be entered into from the
    start of the next day (see :func:`standstill_over`).

    - ``pcr2015_dps``: PCR 2015 reg. 87 for notices sent electronically: midnight at the end of
      the 10th calendar day after sending, extended to the end of the next working day if that
      day is not one. A call-off from a DPS may skip standstill; this is the voluntary one.
    - ``light_touch``: computed exactly as ``pcr2015_dps`` (a 10-day, reg. 87 style standstill).
    - ``pa2023_dynamic_market``: PA 2023 s.51: 8 working days beginning with the day the notice
      is published; a notice on a non-working day starts the count on the next working day.
    """
    try:
        last_day_rule = _STANDSTILL_RULES[regime]
    except KeyError:
        raise ValueError(f"unknown regime {regime!r}") from None
    return _end_of(last_day_rule(_london_date(start)))


def standstill_over(end: datetime, at: datetime) -> bool:
    """True once the UK day containing ``end`` is over, so a contract may be entered into.

    Compares UK dates, not instants, so the last second of the day (after 23:59:59) still
    counts as inside the period.
    """
    return _london_date(at) > _london_date(end)


def standstill_end_description(dt: datetime) -> str:
    """Words for people: "midnight at the end of Friday 13 March 2026"."""
    return f"midnight at the end of {format_london_date(dt)}"


@dataclass(frozen=True, slots=True)
class RegimeRules:
    """The rules that differ between procurement regimes; plain data, read by the app.

    Numbers marked as targets are policy, not law: adjust them with ``dataclasses.replace``.
    """

    code: str
    name: str
    # Working days after receipt within which a decision on an application is due.
    decision_working_days: int
    # Whether decision_working_days is set by law (True) or is the authority's target (False).
    decision_period_is_statutory: bool
    # The longer period allowed where justified; None where no extension is provided for.
    decision_extension_working_days: int | None
    # Whether the decision clock stops while waiting for a clarification from the applicant.
    clock_pauses_for_clarification: bool
    # The last date the arrangement may run to; None where the law sets no cut-off.
    last_end_date: date | None
    # Minimum calendar days from invitation to tender to the closing date.
    min_tender_days: int
    # Whether min_tender_days is set by law (True) or is the authority's chosen minimum (False).
    min_tender_days_is_statutory: bool
    # How the standstill period is counted, in words; see standstill_end for the arithmetic.
    standstill: str


REGIMES: dict[str, RegimeRules] = {
    "pcr2015_dps": RegimeRules(
        code="pcr2015_dps",
        name="Public Contracts Regulations 2015, regulation 34 (dynamic purchasing system)",
        # Reg. 34: evaluate requests to participate within 10 working days of receipt,
        # extendable to 15 working days in individual cases where justified.
        decision_working_days=10,
        decision_period_is_statutory=True,
        decision_extension_working_days=15,
        # Reg. 34 has no pause: the period runs from receipt. A slow clarification is a reason
        # for the 15-day extension, not for stopping the clock.
        clock_pauses_for_clarification=False,
        # Under the Procurement Act 2023 transitional provisions a PCR 2015 DPS cannot run
        # past 24 February 2029.
        last_end_date=date(2029, 2, 24),
        # Reg. 34: at least 10 days from sending the invitation to tender.
        min_tender_days=10,
        min_tender_days_is_statutory=True,
        standstill=(
            "Optional for a call-off from a dynamic purchasing system. If used, it ends at "
            "midnight at the end of the 10th day after the award letters are sent "
            "electronically, or at the end of the next working day if that day is not a "
            "working day (PCR 2015 regulation 87)."
        ),
    ),
    "light_touch": RegimeRules(
        code="light_touch",
        name="Light-touch regime",
        # The light-touch procedure is the council's own design (PCR 2015 regs. 74 to 76), so
        # these periods are what it publishes; we mirror the DPS ones.
        decision_working_days=10,
        decision_period_is_statutory=False,
        decision_extension_working_days=15,
        # Mirrors the DPS rule: no pause unless the council publishes one.
        clock_pauses_for_clarification=False,
        last_end_date=None,
        min_tender_days=10,
        min_tender_days_is_statutory=False,
        standstill=(
            "A 10-day standstill counted as in PCR 2015 regulation 87: it ends at midnight at "
            "the end of the 10th day after the award letters are sent electronically, or at "
            "the end of the next working day if that day is not a working day."
        ),
    ),
    "pa2023_dynamic_market": RegimeRules(
        code="pa2023_dynamic_market",
        name="Procurement Act 2023 dynamic market",
        # The Act sets no number of days for deciding applications; 10 is our target.
        decision_working_days=10,
        decision_period_is_statutory=False,
        decision_extension_working_days=None,
        # A target is not suspended for clarifications either: the applicant sees one date.
        clock_pauses_for_clarification=False,
        last_end_date=None,
        # The Act asks for a reasonable tendering period; 10 days is our default minimum.
        min_tender_days=10,
        min_tender_days_is_statutory=False,
        standstill=(
            "8 working days beginning with the day the contract award notice is published; "
            "if it is published on a non-working day, the first working day after it is day "
            "one. It ends at midnight at the end of the 8th working day (Procurement Act 2023 "
            "section 51)."
        ),
    ),
}
