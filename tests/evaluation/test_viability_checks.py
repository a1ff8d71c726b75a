"""Viability: the NLW table, and each check a tender applies to a cost breakdown."""

import json
from datetime import date
from decimal import Decimal as D

import pytest

from evaluation.costs import STOCKPORT_2018, UKHCA_STYLE_2026, CostTemplate, calculate
from evaluation.nlw import NLW_TABLE, highest_nlw_between, nlw_on
from evaluation.viability import ViabilityRules, check, has_failures

RULES_2018 = ViabilityRules(
    contract_start=date(2018, 4, 1),
    contract_end=date(2019, 3, 31),
    min_pension_rate=D("0.02"),
    benchmark_rate=D("15.61"),
)


def codes(findings, severity=None):
    return [f.code for f in findings if severity is None or f.severity == severity]


@pytest.mark.parametrize(
    "day, rate",
    [
        (date(2016, 4, 1), "7.20"),
        (date(2017, 3, 31), "7.20"),
        (date(2017, 4, 1), "7.50"),
        (date(2018, 6, 1), "7.83"),
        (date(2019, 4, 1), "8.21"),
        (date(2020, 4, 1), "8.72"),
        (date(2021, 4, 1), "8.91"),
        (date(2022, 4, 1), "9.50"),
        (date(2023, 4, 1), "10.42"),
        (date(2024, 4, 1), "11.44"),
        (date(2025, 4, 1), "12.21"),
        (date(2026, 4, 1), "12.71"),
        (date(2030, 1, 1), "12.71"),
    ],
)
def test_nlw_on(day, rate):
    assert nlw_on(day) == D(rate)


def test_nlw_before_april_2016_is_an_error():
    with pytest.raises(ValueError):
        nlw_on(date(2016, 3, 31))


def test_nlw_table_is_in_date_order_and_rising():
    assert [row[0] for row in NLW_TABLE] == sorted(row[0] for row in NLW_TABLE)
    assert [row[1] for row in NLW_TABLE] == sorted(row[1] for row in NLW_TABLE)


def test_highest_nlw_between_covers_the_whole_period():
    assert highest_nlw_between(date(2018, 4, 1), date(2021, 3, 31)) == (date(2020, 4, 1), D("8.72"))


def test_stockport_2018_passes_for_2018_19():
    findings = check(calculate(STOCKPORT_2018), RULES_2018)
    assert not has_failures(findings)
    assert codes(findings, "flag") == []
    assert {"nlw_met", "travel_met", "pension_met", "holiday_met", "benchmark_met"} <= set(
        codes(findings)
    )


def test_basic_pay_below_nlw_at_any_point_of_the_contract_fails():
    rules = ViabilityRules(date(2018, 4, 1), date(2021, 3, 31), min_pension_rate=D("0.02"))
    findings = check(calculate(STOCKPORT_2018), rules)
    below = [f for f in findings if f.code == "below_nlw"]
    assert below and below[0].severity == "fail" and below[0].line_id == "basic_pay"
    assert "8.72" in below[0].message and "1 April 2020" in below[0].message
    assert findings[0].severity == "fail"


def test_pay_per_hour_worked_including_travel_must_reach_nlw():
    # Travel paid in full at basic pay keeps pay per hour worked at basic pay...
    breakdown = calculate(STOCKPORT_2018, {"basic_pay": D("7.90")})
    assert "travel_met" in codes(check(breakdown, RULES_2018))
    # ...but unpaid travel time spreads the same pay over 1.19 hours: 7.90 / 1.19 = 6.64.
    unpaid = ViabilityRules(date(2018, 4, 1), date(2019, 3, 31), min_pension_rate=D("0.02"),
                            travel_time_paid=False)
    findings = check(breakdown, unpaid)
    assert "travel_below_nlw" in codes(findings, "fail")
    assert "nlw_met" in codes(findings)


def test_travel_paid_as_a_flat_amount_is_checked_against_the_stated_minutes():
    data = STOCKPORT_2018.to_dict()
    data["parameters"].append({"name": "travel_pay", "default": "0.50"})
    for line in data["lines"]:
        if line["id"] == "travel_time":
            line.clear()
            line.update({"id": "travel_time", "label": "Travel", "kind": "input",
                         "parameter": "travel_pay", "expected": True})
    breakdown = calculate(CostTemplate.from_dict(data), {"basic_pay": D("7.90")})
    rules = ViabilityRules(date(2018, 4, 1), date(2019, 3, 31), min_pension_rate=D("0.02"),
                           travel_minutes_per_hour=D("11.4"))
    failed = [f for f in check(breakdown, rules) if f.code == "travel_below_nlw"]
    assert failed and "7.06" in failed[0].message


def test_unpaid_travel_needs_minutes_from_the_rules_when_no_line_says():
    data = STOCKPORT_2018.to_dict()
    data["lines"] = [line for line in data["lines"]
                     if line["id"] not in ("travel_time", "business_and_travel")]
    breakdown = calculate(CostTemplate.from_dict(data))
    unchecked = check(breakdown, RULES_2018)
    assert "travel_unchecked" in codes(unchecked, "info")
    rules = ViabilityRules(date(2018, 4, 1), date(2019, 3, 31), min_pension_rate=D("0.02"),
                           travel_minutes_per_hour=D(10))
    assert "travel_below_nlw" in codes(check(breakdown, rules), "fail")


def test_pension_below_minimum_fails():
    rules = ViabilityRules(date(2019, 4, 1), date(2020, 3, 31))
    findings = check(calculate(STOCKPORT_2018), rules)
    assert "pension_below_minimum" in codes(findings, "fail")


def test_holiday_below_statutory_rate_fails():
    breakdown = calculate(STOCKPORT_2018, {"holiday_rate": D("0.10")})
    findings = check(breakdown, RULES_2018)
    assert "holiday_below_minimum" in codes(findings, "fail")


def test_zero_expected_line_is_flagged():
    breakdown = calculate(STOCKPORT_2018, {"training_rate": D(0)})
    findings = check(breakdown, RULES_2018)
    flagged = [f for f in findings if f.code == "missing_line"]
    assert [f.line_id for f in flagged] == ["training"]
    assert flagged[0].severity == "flag"


def test_line_the_tender_expects_but_the_template_lacks_is_flagged():
    rules = ViabilityRules(date(2018, 4, 1), date(2019, 3, 31), min_pension_rate=D("0.02"),
                           expected_lines=("night_enhancement",))
    findings = check(calculate(STOCKPORT_2018), rules)
    assert [f.line_id for f in findings if f.code == "missing_line"] == ["night_enhancement"]


def test_abnormally_low_is_a_flag_not_a_rejection():
    rules = ViabilityRules(date(2018, 4, 1), date(2019, 3, 31), min_pension_rate=D("0.02"),
                           benchmark_rate=D("17.19"), abnormally_low_share=D("0.95"))
    findings = check(calculate(STOCKPORT_2018), rules)
    low = [f for f in findings if f.code == "abnormally_low"]
    assert low and low[0].severity == "flag"
    assert "explain" in low[0].message and "not a rejection" in low[0].message
    assert not has_failures(findings)


def test_contract_beyond_the_table_gets_an_info_note():
    rules = ViabilityRules(date(2026, 4, 1), date(2028, 3, 31))
    breakdown = calculate(STOCKPORT_2018, {"basic_pay": D("13.00"), "pension_rate": D("0.03")})
    findings = check(breakdown, rules)
    assert "nlw_unknown" in codes(findings, "info")
    assert not has_failures(findings)


def test_findings_and_rules_are_json_friendly():
    findings = check(calculate(STOCKPORT_2018), RULES_2018)
    json.dumps([finding.to_dict() for finding in findings])
    json.dumps(RULES_2018.to_dict())


def test_rules_refuse_floats_and_backwards_periods():
    with pytest.raises(TypeError):
        ViabilityRules(date(2018, 4, 1), date(2019, 3, 31), benchmark_rate=15.61)
    with pytest.raises(ValueError):
        ViabilityRules(date(2019, 4, 1), date(2018, 3, 31))


def test_current_ukhca_style_rate_passes_2026_27_rules():
    rules = ViabilityRules(date(2026, 4, 1), date(2027, 3, 31))
    findings = check(calculate(UKHCA_STYLE_2026), rules)
    assert not has_failures(findings)
    assert {"nlw_met", "travel_met", "pension_met", "holiday_met"} <= set(codes(findings))
    assert codes(findings, "flag") == []
