"""Fees: annual uplifts line by line, budget effect of alternative rates, and call-length rates."""

import json
from decimal import Decimal as D

import pytest

from evaluation.costs import STOCKPORT_2018, UKHCA_STYLE_2026
from evaluation.fees import budget_effect, call_rates, uplift


def test_nlw_uplift_reprices_every_line():
    result = uplift(STOCKPORT_2018, None, {"basic_pay": D("8.71")})
    assert result.before.total_rounded == D("15.61")
    lines = {line.id: line for line in result.lines}
    assert lines["basic_pay"].change == D("0.42")
    assert lines["employer_ni"].percent_change == lines["basic_pay"].percent_change
    assert lines["mileage"].percent_change == 0
    assert result.change == result.after.total - result.before.total
    assert result.percent_change == result.change / result.before.total * 100
    assert "15.61 to 16.37" in result.summary


def test_ni_and_pension_changes_only_move_their_lines_and_what_is_built_on_them():
    result = uplift(STOCKPORT_2018, None, {"pension_rate": D("0.03")})
    lines = {line.id: line for line in result.lines}
    assert lines["pension"].percent_change == 50
    assert lines["basic_pay"].change == 0 and lines["travel_time"].change == 0
    assert lines["holiday_pay"].change > 0


def test_line_that_was_zero_has_no_percentage():
    result = uplift(STOCKPORT_2018, {"training_rate": D(0)}, {"training_rate": D("0.02")})
    training = next(line for line in result.lines if line.id == "training")
    assert training.percent_change is None and "new" in training.reason
    json.dumps(result.to_dict())


def test_uplift_of_the_ukhca_style_template():
    result = uplift(UKHCA_STYLE_2026, None, {"employer_ni_rate": D("0.138")})
    assert result.change < 0


def test_budget_effect_in_stockports_style():
    options = budget_effect(D(14042), [D("15.61"), D("15.88"), D("15.99")], D("14.12"))
    assert [option.rate for option in options] == [D("15.61"), D("15.88"), D("15.99")]
    assert options[0].annual_cost == D(14042) * D("15.61") * 52
    assert options[0].difference == D(14042) * D("1.49") * 52  # about 1.088m, as in the paper
    assert options[2].difference - options[1].difference == D(14042) * D("0.11") * 52
    assert "1,087,974.16" in options[0].reason


def test_cheshire_east_call_rates_from_a_minimum_payment():
    rates = {rate.minutes: rate.rounded for rate in
             call_rates(D("14.20"), minimum_amount=D("8.20"))}
    assert rates == {15: D("8.20"), 30: D("8.20"), 45: D("10.65"), 60: D("14.20")}


def test_thirty_minute_minimum_pays_short_visits_as_thirty():
    rates = call_rates(D("15.61"), minimum_minutes=30)
    assert rates[0].paid_minutes == 30 and rates[0].amount == rates[1].amount
    assert rates[0].rounded == D("7.81")
    assert "paid as 30" in rates[0].reason


@pytest.mark.parametrize("durations", [(0,), (-15,), (True,)])
def test_bad_visit_lengths_are_refused(durations):
    with pytest.raises(ValueError):
        call_rates(D("14.20"), durations)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        call_rates(14.20)
    with pytest.raises(TypeError):
        budget_effect(D(100), [15.61], D("14.12"))
