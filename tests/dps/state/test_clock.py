"""The app clock can be fixed for tests and demos, and shows UK times GOV.UK style."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from dps.state import clock
from dps.state.clock import LONDON, format_london, format_london_date, frozen, now, set_fixed


@pytest.fixture(autouse=True)
def _unfreeze():
    """Never let a fixed time leak into another test."""
    set_fixed(None)
    yield
    set_fixed(None)


def test_now_is_aware_utc_and_current():
    before = datetime.now(UTC)
    value = now()
    after = datetime.now(UTC)
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)
    assert before <= value <= after


def test_set_fixed_makes_now_return_that_instant_in_utc():
    fixed = datetime(2026, 7, 1, 17, 0, tzinfo=LONDON)
    set_fixed(fixed)
    assert now() == fixed
    assert now().utcoffset() == timedelta(0)
    assert now() == datetime(2026, 7, 1, 16, 0, tzinfo=UTC)
    assert now() == now()


def test_set_fixed_none_goes_back_to_the_real_clock():
    set_fixed(datetime(2000, 1, 1, tzinfo=UTC))
    set_fixed(None)
    assert abs(now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_set_fixed_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="aware"):
        set_fixed(datetime(2026, 1, 1, 12, 0))
    assert clock._fixed is None


def test_frozen_fixes_and_restores_even_when_nested_or_raising():
    outer = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    inner = datetime(2026, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    with frozen(outer) as fixed:
        assert fixed == outer
        assert now() == outer
        with pytest.raises(RuntimeError):
            with frozen(inner):
                assert now() == inner
                raise RuntimeError("boom")
        assert now() == outer
    assert clock._fixed is None


def test_frozen_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        with frozen(datetime(2026, 1, 1)):
            pass  # pragma: no cover


def test_to_london_uses_gmt_in_winter_and_bst_in_summer():
    winter = clock.to_london(datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    summer = clock.to_london(datetime(2026, 7, 15, 12, 0, tzinfo=UTC))
    assert (winter.hour, winter.utcoffset()) == (12, timedelta(0))
    assert (summer.hour, summer.utcoffset()) == (13, timedelta(hours=1))


def test_to_london_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        clock.to_london(datetime(2026, 1, 15, 12, 0))


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 3, 2, 17, 0, tzinfo=UTC), "5pm on Monday 2 March 2026"),
        (datetime(2026, 3, 2, 17, 30, tzinfo=UTC), "5:30pm on Monday 2 March 2026"),
        (datetime(2026, 3, 2, 9, 5, tzinfo=UTC), "9:05am on Monday 2 March 2026"),
        (datetime(2026, 3, 2, 12, 0, tzinfo=UTC), "midday on Monday 2 March 2026"),
        (datetime(2026, 3, 2, 12, 0, 45, tzinfo=UTC), "midday on Monday 2 March 2026"),
        (datetime(2026, 3, 2, 12, 1, tzinfo=UTC), "12:01pm on Monday 2 March 2026"),
        (datetime(2026, 3, 2, 0, 30, tzinfo=UTC), "12:30am on Monday 2 March 2026"),
        (datetime(2026, 3, 2, 0, 0, tzinfo=UTC), "midnight at the start of Monday 2 March 2026"),
        (datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC), "11:59pm on Monday 2 March 2026"),
        # BST: 16:00 UTC is 5pm in London.
        (datetime(2026, 7, 1, 16, 0, tzinfo=UTC), "5pm on Wednesday 1 July 2026"),
        # 23:30 UTC in summer is already the next day in London.
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "12:30am on Wednesday 1 July 2026"),
    ],
)
def test_format_london_gov_uk_style(instant, expected):
    assert format_london(instant) == expected


def test_format_london_date_has_no_leading_zero():
    assert format_london_date(datetime(2026, 11, 1, 10, tzinfo=UTC)) == "Sunday 1 November 2026"


def test_format_london_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        format_london(datetime(2026, 3, 2, 17, 0))
