"""The cost templates the engine ships: Stockport's 2018/19 Appendix One and a UKHCA-style one.

Both are plain data (the same dictionaries `CostTemplate.from_dict` reads from JSON), so a council
can copy one, change a rate and store it as its own template.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evaluation.cost_model import CostTemplate
from evaluation.money import as_decimal, plain


def _parameter(name: str, default: str, label: str, description: str = "") -> dict[str, Any]:
    return {"name": name, "default": default, "label": label, "description": description}


# Stockport MBC, "Adult social care commissioning review", Appendix One (seed 000). Reading the
# paper's pennies back: NI and pension are on basic pay; holiday, training, sickness, running the
# business and profit are on "direct pay" (basic + NI + pension = 9.24, the paper's first
# subtotal; para 6.4.1 says sickness "has been applied to Basic, NI and Pension"); travel time is
# 11.4/60 of basic pay (1.58; of direct pay it would be 1.76).
STOCKPORT_2018_DATA: dict[str, Any] = {
    "id": "stockport-2018-19",
    "title": "Stockport home support hourly rate 2018/19 (Appendix One)",
    "description": (
        "Stockport Council's proposed hourly rate for home support in 2018/19: UKHCA model plus "
        "local conditions. Basic pay 0.46 above the 2018 National Living Wage; travel time paid "
        "at 11.4 minutes per contact hour; mileage 0.35 a mile for 2 miles an hour."
    ),
    "parameters": [
        _parameter("basic_pay", "8.29", "Basic pay", "Care worker's hourly pay for contact time."),
        _parameter("employer_ni_rate", "0.095", "Employer NI rate", "Applied to basic pay."),
        _parameter("pension_rate", "0.02", "Employer pension rate", "Applied to basic pay."),
        _parameter("holiday_rate", "0.1207", "Holiday rate", "5.6 weeks / 46.4 working weeks."),
        _parameter("training_rate", "0.0173", "Training and supervision rate"),
        _parameter("sickness_rate", "0.005", "Sick pay rate", "UKHCA recommendation."),
        _parameter("running_rate", "0.27", "Running the business rate"),
        _parameter("profit_rate", "0.03", "Profit or surplus rate"),
        _parameter("travel_minutes_per_hour", "11.4", "Travel minutes per contact hour",
                   "UKHCA guideline, paid at basic pay."),
        _parameter("mileage_rate", "0.35", "Mileage rate", "Per mile (UKHCA)."),
        _parameter("miles_per_hour", "2", "Miles per contact hour", "Local factor."),
    ],
    "lines": [
        {"id": "basic_pay", "label": "Basic pay", "kind": "input", "parameter": "basic_pay",
         "expected": True},
        {"id": "employer_ni", "label": "NI", "kind": "percent", "rate": "employer_ni_rate",
         "of": ["basic_pay"], "expected": True},
        {"id": "pension", "label": "Pension", "kind": "percent", "rate": "pension_rate",
         "of": ["basic_pay"], "expected": True},
        {"id": "direct_pay", "label": "Direct pay", "kind": "subtotal",
         "of": ["basic_pay", "employer_ni", "pension"]},
        {"id": "holiday_pay", "label": "Holiday pay", "kind": "percent", "rate": "holiday_rate",
         "of": ["direct_pay"], "expected": True},
        {"id": "training", "label": "Training and supervision", "kind": "percent",
         "rate": "training_rate", "of": ["direct_pay"], "expected": True},
        {"id": "sickness", "label": "Sickness pay", "kind": "percent", "rate": "sickness_rate",
         "of": ["direct_pay"], "expected": True},
        {"id": "pay_on_costs", "label": "Holiday, training and sickness", "kind": "subtotal",
         "of": ["holiday_pay", "training", "sickness"]},
        {"id": "running_costs", "label": "Running the business", "kind": "percent",
         "rate": "running_rate", "of": ["direct_pay"], "expected": True},
        {"id": "profit", "label": "Profit or surplus", "kind": "percent", "rate": "profit_rate",
         "of": ["direct_pay"], "expected": True},
        {"id": "travel_time", "label": "Care worker travel time", "kind": "minutes_per_hour",
         "minutes": "travel_minutes_per_hour", "of": ["basic_pay"], "expected": True},
        {"id": "mileage", "label": "Mileage", "kind": "quantity_rate",
         "quantity": "miles_per_hour", "rate": "mileage_rate", "expected": True},
        {"id": "business_and_travel", "label": "Business, travel and mileage", "kind": "subtotal",
         "of": ["running_costs", "profit", "travel_time", "mileage"]},
    ],
}

STOCKPORT_2018 = CostTemplate.from_dict(STOCKPORT_2018_DATA)

# Figures for the UKHCA-style template, each a documented default a council can override.
NLW_2026 = Decimal("12.71")  # National Living Wage from 1 April 2026
EMPLOYER_NI_RATE = Decimal("0.15")  # Class 1 secondary rate from 6 April 2025
NI_SECONDARY_THRESHOLD = Decimal("5000")  # a year, from 6 April 2025 (frozen to April 2028)
PENSION_MINIMUM_RATE = Decimal("0.03")  # auto-enrolment employer minimum
QUALIFYING_EARNINGS_LOWER_LIMIT = Decimal("6240")  # a year; pension is due on pay above it
HOLIDAY_RATE = Decimal("0.1207")  # 5.6 weeks' leave / 46.4 working weeks
WORKING_WEEKS = Decimal("46.4")  # 52 weeks less 5.6 weeks' statutory leave


def per_hour_threshold(
    annual: Decimal, contact_hours_per_week: Decimal, working_weeks: Decimal = WORKING_WEEKS
) -> Decimal:
    """Spread an annual threshold over a year's contact hours (4 d.p.): lines are per hour."""
    annual = as_decimal(annual, "annual threshold")
    hours = as_decimal(contact_hours_per_week, "contact hours per week") * as_decimal(
        working_weeks, "working weeks"
    )
    if hours <= 0:
        raise ValueError("contact hours per week and working weeks must be positive")
    return (annual / hours).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def ukhca_style_template(
    *,
    basic_pay: Decimal = NLW_2026,
    contact_hours_per_week: Decimal = Decimal(30),
    working_weeks: Decimal = WORKING_WEEKS,
    ni_secondary_threshold: Decimal = NI_SECONDARY_THRESHOLD,
    qualifying_earnings_lower_limit: Decimal = QUALIFYING_EARNINGS_LOWER_LIMIT,
) -> CostTemplate:
    """A current UKHCA-style hourly rate; thresholds are turned into per-contact-hour figures.

    Every line is per contact hour, but employer NI and pension thresholds are annual. A care
    worker doing H contact hours a week for W working weeks (46.4: 52 less 5.6 weeks' leave,
    which the 12.07% holiday line pays for) earns gross pay per contact hour x H x W a year, so
    NI per contact hour = 15% x (gross pay per contact hour - 5,000 / (H x W)); pension is 3% of
    the same gross pay above 6,240 / (H x W) (the qualifying earnings lower limit; the upper
    limit is far above a care worker's pay). With the default 30 hours a week the thresholds are
    5,000 / 1,392 = 3.5920 and 6,240 / 1,392 = 4.4828 an hour. Fewer hours make the per-hour
    thresholds larger and the on-costs smaller, so use the local average hours of care workers.

    Lines: basic pay; travel time (minutes per contact hour, paid at basic pay); holiday pay
    12.07% of pay for contact and travel time; gross pay (subtotal); employer NI and pension on
    gross pay above the thresholds; training and sick pay as percentages of gross pay; staff
    costs (subtotal); mileage; running the business as a percentage of staff costs; and a
    surplus on everything else. Rates other than NI, pension and holiday are local choices and
    default to Stockport's; mileage defaults to the HMRC approved rate of 0.45 a mile.
    """
    hours_words = f"{plain(contact_hours_per_week)} contact hours a week x {plain(working_weeks)}"
    ni_per_hour = per_hour_threshold(ni_secondary_threshold, contact_hours_per_week, working_weeks)
    pension_per_hour = per_hour_threshold(
        qualifying_earnings_lower_limit, contact_hours_per_week, working_weeks
    )
    data = {
        "id": "ukhca-style-2026-27",
        "title": "UKHCA-style hourly rate 2026/27",
        "description": (ukhca_style_template.__doc__ or "").split("\n")[0],
        "parameters": [
            _parameter("basic_pay", str(basic_pay), "Basic pay",
                       "Hourly pay for contact time; the National Living Wage from April 2026."),
            _parameter("travel_minutes_per_hour", "11.4", "Travel minutes per contact hour",
                       "Paid at basic pay (UKHCA guideline); set from local rota data."),
            _parameter("holiday_rate", str(HOLIDAY_RATE), "Holiday rate",
                       "5.6 weeks' statutory leave / 46.4 working weeks."),
            _parameter("employer_ni_rate", str(EMPLOYER_NI_RATE), "Employer NI rate",
                       "Class 1 secondary contributions from April 2025."),
            _parameter("ni_threshold_per_hour", str(ni_per_hour), "NI secondary threshold",
                       f"{plain(ni_secondary_threshold)} a year / ({hours_words} weeks)."),
            _parameter("pension_rate", str(PENSION_MINIMUM_RATE), "Employer pension rate",
                       "Auto-enrolment employer minimum, on qualifying earnings."),
            _parameter("pension_threshold_per_hour", str(pension_per_hour),
                       "Qualifying earnings lower limit",
                       f"{plain(qualifying_earnings_lower_limit)} a year / ({hours_words} weeks)."),
            _parameter("training_rate", "0.0173", "Training and supervision rate"),
            _parameter("sickness_rate", "0.005", "Sick pay rate", "UKHCA recommendation."),
            _parameter("mileage_rate", "0.45", "Mileage rate", "HMRC approved rate per mile."),
            _parameter("miles_per_hour", "2", "Miles per contact hour", "Local factor."),
            _parameter("running_rate", "0.27", "Running the business rate", "Of staff costs."),
            _parameter("profit_rate", "0.03", "Surplus rate", "Of all other costs."),
        ],
        "lines": [
            {"id": "basic_pay", "label": "Basic pay", "kind": "input", "parameter": "basic_pay",
             "expected": True},
            {"id": "travel_time", "label": "Care worker travel time", "kind": "minutes_per_hour",
             "minutes": "travel_minutes_per_hour", "of": ["basic_pay"], "expected": True},
            {"id": "holiday_pay", "label": "Holiday pay", "kind": "percent",
             "rate": "holiday_rate", "of": ["basic_pay", "travel_time"], "expected": True},
            {"id": "gross_pay", "label": "Gross pay", "kind": "subtotal",
             "of": ["basic_pay", "travel_time", "holiday_pay"]},
            {"id": "employer_ni", "label": "Employer NI", "kind": "percent",
             "rate": "employer_ni_rate", "of": ["gross_pay"], "above": "ni_threshold_per_hour",
             "expected": True},
            {"id": "pension", "label": "Pension", "kind": "percent", "rate": "pension_rate",
             "of": ["gross_pay"], "above": "pension_threshold_per_hour", "expected": True},
            {"id": "training", "label": "Training and supervision", "kind": "percent",
             "rate": "training_rate", "of": ["gross_pay"], "expected": True},
            {"id": "sickness", "label": "Sickness pay", "kind": "percent",
             "rate": "sickness_rate", "of": ["gross_pay"], "expected": True},
            {"id": "staff_costs", "label": "Staff costs", "kind": "subtotal",
             "of": ["gross_pay", "employer_ni", "pension", "training", "sickness"]},
            {"id": "mileage", "label": "Mileage", "kind": "quantity_rate",
             "quantity": "miles_per_hour", "rate": "mileage_rate", "expected": True},
            {"id": "running_costs", "label": "Running the business", "kind": "percent",
             "rate": "running_rate", "of": ["staff_costs"], "expected": True},
            {"id": "profit", "label": "Surplus", "kind": "percent", "rate": "profit_rate",
             "of": ["staff_costs", "mileage", "running_costs"], "expected": True},
        ],
    }
    return CostTemplate.from_dict(data)


UKHCA_STYLE_2026 = ukhca_style_template()
