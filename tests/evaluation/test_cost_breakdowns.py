"""Cost templates and the calculator: Stockport's Appendix One to the penny, and every error."""

import json
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.costs import (
    STOCKPORT_2018,
    STOCKPORT_2018_DATA,
    UKHCA_STYLE_2026,
    CostTemplate,
    calculate,
    per_hour_threshold,
    ukhca_style_template,
)

STOCKPORT_PENNIES = {
    "basic_pay": "8.29",
    "employer_ni": "0.79",
    "pension": "0.17",
    "holiday_pay": "1.12",
    "training": "0.16",
    "sickness": "0.05",
    "running_costs": "2.50",
    "profit": "0.28",
    "travel_time": "1.58",
    "mileage": "0.70",
}


def small_template(**overrides):
    data = {
        "id": "t",
        "title": "Test",
        "parameters": [
            {"name": "pay", "default": "10"},
            {"name": "rate", "default": "0.1"},
            {"name": "extra"},
        ],
        "lines": [
            {"id": "pay", "label": "Pay", "kind": "input", "parameter": "pay"},
            {"id": "on_cost", "label": "On-cost", "kind": "percent", "rate": "rate",
             "of": ["pay"]},
        ],
    }
    data.update(overrides)
    return data


def test_stockport_reproduces_appendix_one_to_the_penny():
    breakdown = calculate(STOCKPORT_2018)
    for line_id, shown in STOCKPORT_PENNIES.items():
        assert breakdown.lines[line_id].rounded == D(shown), line_id
    assert breakdown.total_rounded == D("15.61")
    assert breakdown.total == D("15.613254050")


def test_stockport_subtotals_match_the_paper():
    lines = calculate(STOCKPORT_2018).lines
    assert lines["direct_pay"].rounded == D("9.24")
    assert lines["pay_on_costs"].rounded == D("1.32")
    assert lines["business_and_travel"].rounded == D("5.05")
    assert not lines["direct_pay"].counts_in_total


def test_stockport_parameters_are_the_papers():
    defaults = STOCKPORT_2018.defaults()
    assert defaults == {
        "basic_pay": D("8.29"), "employer_ni_rate": D("0.095"), "pension_rate": D("0.02"),
        "holiday_rate": D("0.1207"), "training_rate": D("0.0173"), "sickness_rate": D("0.005"),
        "running_rate": D("0.27"), "profit_rate": D("0.03"), "travel_minutes_per_hour": D("11.4"),
        "mileage_rate": D("0.35"), "miles_per_hour": D("2"),
    }


def test_formulas_are_in_words():
    lines = calculate(STOCKPORT_2018).lines
    assert lines["holiday_pay"].formula == "12.07% of direct pay 9.24"
    assert lines["employer_ni"].formula == "9.5% of basic pay 8.29"
    assert lines["travel_time"].formula == "11.4 minutes per hour of basic pay 8.29"
    assert lines["mileage"].formula.startswith("2 x 0.35")


def test_amounts_are_unrounded_and_the_rounding_note_explains_the_gap():
    breakdown = calculate(STOCKPORT_2018)
    assert breakdown.lines["employer_ni"].amount == D("0.78755")
    assert "15.64" in breakdown.rounding_note and "15.61" in breakdown.rounding_note


def test_inputs_override_defaults():
    breakdown = calculate(STOCKPORT_2018, {"basic_pay": D("9.00")})
    assert breakdown.lines["basic_pay"].amount == D("9.00")
    assert breakdown.lines["employer_ni"].amount == D("0.855")


def test_template_round_trips_through_json():
    for template in (STOCKPORT_2018, UKHCA_STYLE_2026):
        text = json.dumps(template.to_dict())
        assert CostTemplate.from_dict(json.loads(text)) == template
    assert CostTemplate.from_dict(STOCKPORT_2018_DATA) == STOCKPORT_2018


def test_breakdown_to_dict_is_json():
    data = json.loads(json.dumps(calculate(STOCKPORT_2018).to_dict()))
    assert data["total_rounded"] == "15.61"
    assert [line["id"] for line in data["lines"]][:3] == ["basic_pay", "employer_ni", "pension"]


def test_unknown_input_is_refused():
    with pytest.raises(ValueError, match="unknown input 'bonus'"):
        calculate(STOCKPORT_2018, {"bonus": D("1")})


def test_missing_required_input_names_the_line():
    data = small_template()
    data["lines"].append({"id": "extra", "label": "Extra", "kind": "input", "parameter": "extra"})
    with pytest.raises(ValueError, match="line 'extra' needs input 'extra'"):
        calculate(CostTemplate.from_dict(data), {})


def test_negative_amount_names_the_line():
    with pytest.raises(ValueError, match="line 'basic_pay'"):
        calculate(STOCKPORT_2018, {"basic_pay": D("-1")})


def test_percentage_over_100_names_the_line():
    with pytest.raises(ValueError, match="line 'holiday_pay'.*over 100%"):
        calculate(STOCKPORT_2018, {"holiday_rate": D("1.2")})


def test_cycle_between_lines_names_a_line():
    data = small_template()
    data["lines"] = [
        {"id": "a", "label": "A", "kind": "percent", "rate": "rate", "of": ["b"]},
        {"id": "b", "label": "B", "kind": "subtotal", "of": ["a"]},
    ]
    with pytest.raises(ValueError, match="line 'a' is part of a cycle"):
        calculate(CostTemplate.from_dict(data), {})


def test_self_reference_is_a_cycle():
    data = small_template()
    data["lines"] = [{"id": "a", "label": "A", "kind": "subtotal", "of": ["a"]}]
    with pytest.raises(ValueError, match="cycle"):
        CostTemplate.from_dict(data)


@pytest.mark.parametrize(
    "line, message",
    [
        ({"id": "x", "kind": "sideways"}, "unknown kind"),
        ({"id": "x", "kind": "percent", "rate": "rate"}, "needs 'of'"),
        ({"id": "x", "kind": "percent", "of": ["pay"]}, "needs 'rate'"),
        ({"id": "x", "kind": "percent", "rate": "nope", "of": ["pay"]}, "not defined"),
        ({"id": "x", "kind": "subtotal", "of": ["ghost"]}, "unknown line 'ghost'"),
        ({"id": "x", "kind": "input", "parameter": "pay", "colour": "red"}, "unknown field"),
        ({"id": "x", "kind": "subtotal", "of": "pay"}, "must be a list"),
    ],
)
def test_broken_templates_are_refused_naming_the_line(line, message):
    data = small_template()
    data["lines"].append(line)
    with pytest.raises(ValueError, match=message):
        CostTemplate.from_dict(data)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        calculate(STOCKPORT_2018, {"basic_pay": 8.29})
    data = small_template()
    data["parameters"][0]["default"] = 10.5
    with pytest.raises(TypeError):
        CostTemplate.from_dict(data)


def test_ukhca_style_template_applies_thresholds():
    breakdown = calculate(UKHCA_STYLE_2026)
    lines = breakdown.lines
    gross = lines["gross_pay"].amount
    threshold = per_hour_threshold(D(5000), D(30))
    assert threshold == D("3.5920")
    assert lines["employer_ni"].amount == D("0.15") * (gross - threshold)
    assert lines["pension"].amount == D("0.03") * (gross - per_hour_threshold(D(6240), D(30)))
    assert lines["holiday_pay"].factors["rate"] == D("0.1207")
    assert lines["basic_pay"].amount == D("12.71")
    assert "above NI secondary threshold" in lines["employer_ni"].formula


def test_threshold_floor_is_zero_when_pay_is_below_it():
    template = ukhca_style_template(contact_hours_per_week=D(2))
    breakdown = calculate(template)
    assert breakdown.lines["employer_ni"].amount == 0


def test_ukhca_docstring_explains_per_hour_thresholds():
    doc = ukhca_style_template.__doc__ or ""
    assert "annual" in doc and "5,000 / (H x W)" in doc


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    pay=st.decimals(min_value=0, max_value=50, places=2),
    ni=st.decimals(min_value=0, max_value=1, places=4),
    minutes=st.decimals(min_value=0, max_value=30, places=1),
)
def test_total_equals_the_sum_of_the_lines(pay, ni, minutes):
    breakdown = calculate(
        STOCKPORT_2018,
        {"basic_pay": pay, "employer_ni_rate": ni, "travel_minutes_per_hour": minutes},
    )
    counted = [line.amount for line in breakdown.lines.values() if line.counts_in_total]
    assert breakdown.total == sum(counted, D(0))
    assert breakdown.total_rounded == breakdown.total.quantize(D("0.01"), rounding="ROUND_HALF_UP")
    for line in breakdown.lines.values():
        assert line.amount >= 0
        if line.kind == "subtotal":
            assert line.amount == line.base
