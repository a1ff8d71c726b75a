"""Working days, decision dates and standstill ends over weekends and bank holidays.

Expected dates were checked against the England and Wales bank holiday list; the cases are
chosen so that counting one day too many or too few gives a different answer.
"""

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dps.state.calendar import (
    REGIMES,
    add_working_days,
    bank_holidays,
    decision_due,
    is_working_day,
    standstill_end,
    standstill_end_description,
    standstill_over,
    working_days_between,
)
from dps.state.clock import LONDON

# --- is_working_day -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        # Christmas 2025: Thursday and Friday.
        date(2025, 12, 25),
        date(2025, 12, 26),
        # 2021: Christmas (Sat) and Boxing Day (Sun) move to Monday 27 and Tuesday 28.
        date(2021, 12, 27),
        date(2021, 12, 28),
        # 2022: Boxing Day is Monday 26, Christmas (Sun) moves to Tuesday 27.
        date(2022, 12, 26),
        date(2022, 12, 27),
        # 2026: Boxing Day (Sat) moves to Monday 28.
        date(2026, 12, 25),
        date(2026, 12, 28),
        # New Year's Day, and its substitutes when it falls at a weekend.
        date(2026, 1, 1),
        date(2022, 1, 3),
        date(2023, 1, 2),
        # Easter 2026: Good Friday 3 April and Easter Monday 6 April.
        date(2026, 4, 3),
        date(2026, 4, 6),
        # Early May, spring and summer bank holidays 2026.
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        # One-off bank holidays: Platinum Jubilee 2022, Coronation 2023.
        date(2022, 6, 3),
        date(2023, 5, 8),
        # Weekends.
        date(2026, 3, 7),
        date(2026, 3, 8),
    ],
)
def test_not_working_days(day):
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 12, 24),  # Christmas Eve is an ordinary day
        date(2025, 12, 29),
        date(2021, 12, 29),  # first working day after the 2021 substitutes
        date(2022, 12, 28),
        date(2026, 12, 29),
        date(2026, 12, 31),  # New Year's Eve is an ordinary day
        date(2022, 1, 4),
        date(2026, 4, 2),  # Maundy Thursday
        date(2026, 4, 7),  # Tuesday after Easter Monday
        date(2026, 5, 5),
        date(2026, 3, 2),
        # Scottish and Northern Irish bank holidays are working days in England and Wales.
        date(2026, 1, 2),  # 2 January (Scotland)
        date(2026, 3, 17),  # St Patrick's Day (Northern Ireland)
        date(2026, 8, 3),  # first Monday in August (Scotland)
        date(2026, 11, 30),  # St Andrew's Day (Scotland)
    ],
)
def test_working_days(day):
    assert is_working_day(day)


def test_is_working_day_refuses_a_datetime():
    with pytest.raises(TypeError):
        is_working_day(datetime(2026, 3, 2, 12, tzinfo=UTC))


def test_bank_holidays_are_cached_per_year():
    assert bank_holidays(2026) is bank_holidays(2026)
    assert date(2026, 12, 28) in bank_holidays(2026)
    assert date(2026, 12, 28) not in bank_holidays(2027)


# --- add_working_days and working_days_between --------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
        (date(2026, 3, 7), 0, date(2026, 3, 7)),  # Saturday stays Saturday
        (date(2026, 3, 2), 1, date(2026, 3, 3)),
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday to Monday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday to Monday
        (date(2026, 3, 2), 10, date(2026, 3, 16)),
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Good Friday and Easter Monday
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # over Christmas and the substitute day
        (date(2021, 12, 24), 1, date(2021, 12, 29)),
        (date(2022, 12, 23), 1, date(2022, 12, 28)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over New Year's Day and a weekend
        (date(2026, 5, 1), 1, date(2026, 5, 5)),  # over the early May bank holiday
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # over the spring bank holiday
        (date(2026, 12, 18), 7, date(2026, 12, 31)),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected
    if days:
        assert working_days_between(start, expected) == days


def test_add_working_days_refuses_negative_days():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2026, 3, 2), date(2026, 3, 2), 0),
        (date(2026, 3, 2), date(2026, 3, 3), 1),
        (date(2026, 3, 3), date(2026, 3, 2), -1),
        (date(2026, 3, 6), date(2026, 3, 7), 0),  # Friday to Saturday
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Friday to Monday
        (date(2026, 3, 7), date(2026, 3, 8), 0),  # inside a weekend
        (date(2026, 12, 24), date(2026, 12, 29), 1),
        (date(2026, 12, 18), date(2027, 1, 4), 8),
        (date(2027, 1, 4), date(2026, 12, 18), -8),
        (date(2026, 1, 1), date(2026, 12, 31), 253),  # 261 weekdays less 8 bank holidays
    ],
)
def test_working_days_between(a, b, expected):
    assert working_days_between(a, b) == expected


_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@given(start=_dates, n=st.integers(min_value=0, max_value=300))
def test_working_days_between_inverts_add_working_days(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n:
        assert is_working_day(end)
        assert end > start


@given(start=_dates, n=st.integers(min_value=0, max_value=100))
def test_add_working_days_steps_one_working_day_at_a_time(start, n):
    end = add_working_days(start, n + 1)
    before = add_working_days(start, n)
    assert end == add_working_days(before, 1)
    gap = (end - before).days
    assert all(not is_working_day(before + timedelta(days=i)) for i in range(1, gap))


@given(a=_dates, b=_dates)
def test_working_days_between_mirrors(a, b):
    assert working_days_between(a, b) == -working_days_between(b, a)


# --- decision_due ------------------------------------------------------------------------


def test_decision_due_counts_from_the_london_date_of_receipt():
    # 23:30 UTC on Tuesday 31 March 2026 is 00:30 BST on Wednesday 1 April. Counting from
    # 1 April over Easter: 2, 7, 8, 9, 10, 13, 14, 15, 16, 17 April.
    received = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert decision_due(received, 10) == date(2026, 4, 17)
    # Half an hour earlier it is still 31 March in London, so it is due a day earlier.
    assert decision_due(received - timedelta(hours=1), 10) == date(2026, 4, 16)


def test_decision_due_extension_and_weekend_receipt():
    # Received on a Saturday: Monday 9 March is the first working day counted.
    received = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
    assert decision_due(received, 10) == date(2026, 3, 20)
    assert decision_due(received, 15) == date(2026, 3, 27)


def test_decision_due_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        decision_due(datetime(2026, 3, 2, 10, 0), 10)


# --- standstill: PCR 2015 and light touch ------------------------------------------------


def _end_of_london_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=LONDON)


@pytest.mark.parametrize("regime", ["pcr2015_dps", "light_touch"])
@pytest.mark.parametrize(
    ("sent", "last_day"),
    [
        # 10th day after Tuesday 3 March is Friday 13 March (9th or 11th would differ).
        (datetime(2026, 3, 3, 10, 0, tzinfo=UTC), date(2026, 3, 13)),
        # Friday 12 December 2025: the 10th day is Monday 22 December.
        (datetime(2025, 12, 12, 15, 0, tzinfo=UTC), date(2025, 12, 22)),
        # 16 December 2026: the 10th day is Saturday 26 December; Sunday 27 and Monday 28
        # (Boxing Day substitute) are not working days, so it ends on Tuesday 29.
        (datetime(2026, 12, 16, 9, 0, tzinfo=UTC), date(2026, 12, 29)),
        # 10th day is Good Friday 3 April 2026: moved past Easter Monday to Tuesday 7 April.
        (datetime(2026, 3, 24, 9, 0, tzinfo=UTC), date(2026, 4, 7)),
        # 10th day is Thursday 2 April 2026, a working day: no move.
        (datetime(2026, 3, 23, 9, 0, tzinfo=UTC), date(2026, 4, 2)),
        # 10th day is the early May bank holiday, Monday 4 May 2026.
        (datetime(2026, 4, 24, 9, 0, tzinfo=UTC), date(2026, 5, 5)),
        # 10th day is the spring bank holiday, Monday 25 May 2026.
        (datetime(2026, 5, 15, 9, 0, tzinfo=UTC), date(2026, 5, 26)),
        # 2021: 10th day Saturday 25 December; 27 and 28 are substitutes, so Wednesday 29.
        (datetime(2021, 12, 15, 9, 0, tzinfo=UTC), date(2021, 12, 29)),
        # 10th day is New Year's Day 2027 (Friday): next working day is Monday 4 January.
        (datetime(2026, 12, 22, 9, 0, tzinfo=UTC), date(2027, 1, 4)),
    ],
)
def test_pcr2015_standstill(regime, sent, last_day):
    end = standstill_end(sent, regime)
    assert end == _end_of_london_day(last_day)
    assert end.tzinfo is LONDON
    assert end.astimezone(LONDON).date() == last_day
    assert (end.hour, end.minute, end.second) == (23, 59, 59)


@pytest.mark.parametrize(
    ("sent", "last_day"),
    [
        # GMT: 23:30 UTC on Tuesday 2 December 2025 is 23:30 in London, still the 2nd.
        (datetime(2025, 12, 2, 23, 30, tzinfo=UTC), date(2025, 12, 12)),
        # BST: 23:30 UTC on Tuesday 31 March 2026 is 00:30 on Wednesday 1 April in London.
        # 10th day is Saturday 11 April, so it ends on Monday 13 April (not Friday 10).
        (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), date(2026, 4, 13)),
        # The same wall-clock time given in London time is still 31 March.
        (datetime(2026, 3, 31, 23, 30, tzinfo=LONDON), date(2026, 4, 10)),
        # Clocks go back on Sunday 25 October 2026: 23:30 UTC on Saturday 24 is 00:30 BST
        # on the 25th, so the 10th day is Wednesday 4 November (not Tuesday 3).
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 11, 4)),
        # Sent after the clocks went back: 23:30 UTC on the 25th is 23:30 GMT on the 25th.
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 11, 4)),
        # Clocks go forward on Sunday 29 March 2026: 23:30 UTC on Saturday 28 is still the
        # 28th in London (GMT), so the 10th day is Tuesday 7 April.
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 4, 7)),
    ],
)
def test_pcr2015_standstill_uses_the_london_date_across_clock_changes(sent, last_day):
    assert standstill_end(sent, "pcr2015_dps") == _end_of_london_day(last_day)


def test_standstill_end_offset_follows_gmt_and_bst():
    winter = standstill_end(datetime(2026, 3, 3, 10, 0, tzinfo=UTC), "pcr2015_dps")
    summer = standstill_end(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), "pcr2015_dps")
    assert winter.astimezone(UTC) == datetime(2026, 3, 13, 23, 59, 59, tzinfo=UTC)
    assert summer.astimezone(UTC) == datetime(2026, 6, 11, 22, 59, 59, tzinfo=UTC)


# --- standstill: Procurement Act 2023 ----------------------------------------------------


@pytest.mark.parametrize(
    ("published", "last_day"),
    [
        # Monday 2 March 2026 is day one: 2, 3, 4, 5, 6, 9, 10, 11.
        (datetime(2026, 3, 2, 10, 0, tzinfo=UTC), date(2026, 3, 11)),
        # Friday 18 December 2026: 18, 21, 22, 23, 24, 29, 30, 31.
        (datetime(2026, 12, 18, 10, 0, tzinfo=UTC), date(2026, 12, 31)),
        # Saturday 19 December 2026: day one is Monday 21, so 21 ... 31 and Monday 4 January.
        (datetime(2026, 12, 19, 10, 0, tzinfo=UTC), date(2027, 1, 4)),
        # Good Friday 3 April 2026: day one is Tuesday 7 April: 7, 8, 9, 10, 13, 14, 15, 16.
        (datetime(2026, 4, 3, 10, 0, tzinfo=UTC), date(2026, 4, 16)),
        # Thursday 2 April 2026 is day one: 2, 7, 8, 9, 10, 13, 14, 15.
        (datetime(2026, 4, 2, 10, 0, tzinfo=UTC), date(2026, 4, 15)),
        # 2022: Friday 23 December is day one; 26 and 27 are bank holidays: 23, 28, 29, 30,
        # then Monday 2 January 2023 is the New Year substitute: 3, 4, 5, 6.
        (datetime(2022, 12, 23, 10, 0, tzinfo=UTC), date(2023, 1, 6)),
        # BST: 23:30 UTC on Friday 22 May 2026 is Saturday 23 May in London, so day one is
        # Tuesday 26 May (after the spring bank holiday): 26, 27, 28, 29, 1, 2, 3, 4 June.
        (datetime(2026, 5, 22, 23, 30, tzinfo=UTC), date(2026, 6, 4)),
    ],
)
def test_pa2023_standstill(published, last_day):
    assert standstill_end(published, "pa2023_dynamic_market") == _end_of_london_day(last_day)


def test_pa2023_working_day_notice_counts_as_day_one():
    published = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    last_day = standstill_end(published, "pa2023_dynamic_market").date()
    assert working_days_between(date(2026, 3, 2), last_day) == 7


# --- standstill helpers and errors -------------------------------------------------------


def test_standstill_end_rejects_an_unknown_regime():
    with pytest.raises(ValueError, match="unknown regime"):
        standstill_end(datetime(2026, 3, 3, 10, 0, tzinfo=UTC), "pcr2006")


def test_standstill_end_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        standstill_end(datetime(2026, 3, 3, 10, 0), "pcr2015_dps")


def test_standstill_end_description():
    end = standstill_end(datetime(2026, 3, 3, 10, 0, tzinfo=UTC), "pcr2015_dps")
    assert standstill_end_description(end) == "midnight at the end of Friday 13 March 2026"


def test_standstill_over_only_from_the_start_of_the_next_london_day():
    end = standstill_end(datetime(2026, 6, 1, 10, 0, tzinfo=UTC), "pcr2015_dps")
    assert not standstill_over(end, end)
    assert not standstill_over(end, end + timedelta(microseconds=999_999))
    assert standstill_over(end, end + timedelta(seconds=1))
    assert standstill_over(end, datetime(2026, 6, 12, 0, 0, tzinfo=LONDON))
    # 22:30 UTC is 23:30 BST, still inside the last day; 23:30 UTC is already the next day.
    assert not standstill_over(end, datetime(2026, 6, 11, 22, 30, tzinfo=UTC))
    assert standstill_over(end, datetime(2026, 6, 11, 23, 30, tzinfo=UTC))


# --- REGIMES -----------------------------------------------------------------------------


def test_regimes_are_the_three_known_codes():
    assert set(REGIMES) == {"pcr2015_dps", "light_touch", "pa2023_dynamic_market"}
    for code, rules in REGIMES.items():
        assert rules.code == code
        assert rules.decision_working_days == 10
        assert rules.min_tender_days == 10
        assert rules.standstill


def test_regime_rules_per_regime():
    pcr = REGIMES["pcr2015_dps"]
    assert pcr.name == (
        "Public Contracts Regulations 2015, regulation 34 (dynamic purchasing system)"
    )
    assert pcr.decision_extension_working_days == 15
    assert pcr.clock_pauses_for_clarification is False
    assert pcr.last_end_date == date(2029, 2, 24)
    assert pcr.decision_period_is_statutory and pcr.min_tender_days_is_statutory

    light = REGIMES["light_touch"]
    assert light.name == "Light-touch regime"
    assert light.decision_extension_working_days == 15
    assert light.last_end_date is None

    pa = REGIMES["pa2023_dynamic_market"]
    assert pa.name == "Procurement Act 2023 dynamic market"
    assert pa.decision_extension_working_days is None
    assert pa.last_end_date is None
    assert not pa.decision_period_is_statutory


def test_regime_rules_are_frozen_but_targets_can_be_replaced():
    pa = REGIMES["pa2023_dynamic_market"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        pa.decision_working_days = 5  # type: ignore[misc]
    faster = dataclasses.replace(pa, decision_working_days=5)
    assert faster.decision_working_days == 5
    assert REGIMES["pa2023_dynamic_market"].decision_working_days == 10
