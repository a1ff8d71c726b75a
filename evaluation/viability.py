"""Viability checks on a priced breakdown: is the rate lawful and realistic for care workers?

A `fail` means the price would break labour law (National Living Wage, holiday, pension) and
must be rejected; a `flag` asks the officer to look (a missing line, an abnormally low price,
which starts the explanation procedure and is never an automatic rejection); `info` records
what was checked and passed, so a letter can say why a price was accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from evaluation.calculator import Breakdown, LineResult
from evaluation.money import as_decimal, money, percent, plain
from evaluation.nlw import NLW_TABLE, highest_nlw_between, known_until

SEVERITIES = ("fail", "flag", "info")
SIXTY = Decimal(60)


@dataclass(frozen=True)
class Finding:
    """One result of a check, in words a bidder and an officer can both read."""

    code: str
    severity: str
    line_id: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "line_id": self.line_id,
            "message": self.message,
        }


@dataclass(frozen=True)
class ViabilityRules:
    """What a tender requires of a price; stored with the tender so checks can be rerun."""

    contract_start: date
    contract_end: date
    min_pension_rate: Decimal = Decimal("0.03")
    min_holiday_rate: Decimal = Decimal("0.1207")
    travel_time_paid: bool = True
    travel_minutes_per_hour: Decimal | None = None
    benchmark_rate: Decimal | None = None
    abnormally_low_share: Decimal = Decimal("0.9")
    expected_lines: tuple[str, ...] = ()
    nlw_table: tuple[tuple[date, Decimal], ...] = NLW_TABLE
    basic_pay_line: str = "basic_pay"
    pension_line: str = "pension"
    holiday_line: str = "holiday_pay"
    travel_line: str = "travel_time"

    def __post_init__(self) -> None:
        for name in ("min_pension_rate", "min_holiday_rate", "abnormally_low_share"):
            as_decimal(getattr(self, name), name)
        for name in ("travel_minutes_per_hour", "benchmark_rate"):
            if getattr(self, name) is not None:
                as_decimal(getattr(self, name), name)
        if self.contract_end < self.contract_start:
            raise ValueError("the contract period ends before it starts")
        object.__setattr__(self, "expected_lines", tuple(self.expected_lines))

    def to_dict(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "contract_start": self.contract_start.isoformat(),
            "contract_end": self.contract_end.isoformat(),
            "min_pension_rate": str(self.min_pension_rate),
            "min_holiday_rate": str(self.min_holiday_rate),
            "travel_time_paid": self.travel_time_paid,
            "travel_minutes_per_hour": text(self.travel_minutes_per_hour),
            "benchmark_rate": text(self.benchmark_rate),
            "abnormally_low_share": str(self.abnormally_low_share),
            "expected_lines": list(self.expected_lines),
        }


def long_date(day: date) -> str:
    """1 April 2020, as letters write dates."""
    return f"{day.day} {day:%B %Y}"


def _line(breakdown: Breakdown, line_id: str) -> LineResult | None:
    return breakdown.lines.get(line_id)


def _rate_of(line: LineResult, basic_pay: Decimal) -> Decimal:
    """The percentage a line applies, or its amount as a share of basic pay if it is an amount."""
    if "rate" in line.factors and line.kind == "percent":
        return line.factors["rate"]
    return line.amount / basic_pay if basic_pay else Decimal(0)


def _check_nlw(basic: LineResult, rules: ViabilityRules) -> list[Finding]:
    since, floor = highest_nlw_between(rules.contract_start, rules.contract_end, rules.nlw_table)
    period = f"{long_date(rules.contract_start)} to {long_date(rules.contract_end)}"
    findings = []
    if basic.amount < floor:
        findings.append(Finding(
            "below_nlw", "fail", basic.id,
            f"Basic pay {money(basic.amount)} is below the National Living Wage of {money(floor)} "
            f"in force from {long_date(since)}, during the contract ({period}). A price that "
            "cannot pay the legal minimum must be rejected.",
        ))
    else:
        findings.append(Finding(
            "nlw_met", "info", basic.id,
            f"Basic pay {money(basic.amount)} covers the highest National Living Wage in force "
            f"during the contract ({money(floor)} from {long_date(since)}).",
        ))
    last_known = known_until(rules.nlw_table)
    if rules.contract_end > last_known:
        findings.append(Finding(
            "nlw_unknown", "info", basic.id,
            f"The National Living Wage after {long_date(last_known)} is not yet known; the check "
            f"used {money(floor)}. The annual uplift should cover later increases.",
        ))
    return findings


def _check_travel(breakdown: Breakdown, basic: LineResult, rules: ViabilityRules) -> list[Finding]:
    """Pay for contact plus travel, per hour actually worked, must also reach the NLW."""
    travel = _line(breakdown, rules.travel_line)
    minutes = rules.travel_minutes_per_hour
    if travel is not None and "minutes" in travel.factors:
        minutes = travel.factors["minutes"]
    if minutes is None:
        return [Finding(
            "travel_unchecked", "info", rules.travel_line,
            "Travel minutes per contact hour are not known, so pay per hour worked was not "
            "checked.",
        )]
    paid_travel = travel.amount if travel is not None and rules.travel_time_paid else Decimal(0)
    hours_worked = 1 + minutes / SIXTY
    per_hour_worked = (basic.amount + paid_travel) / hours_worked
    _, floor = highest_nlw_between(rules.contract_start, rules.contract_end, rules.nlw_table)
    sum_words = (
        f"({money(basic.amount)} basic pay + {money(paid_travel)} travel pay) / "
        f"{plain(hours_worked)} hours for each contact hour with {plain(minutes)} minutes' travel"
    )
    if per_hour_worked < floor:
        return [Finding(
            "travel_below_nlw", "fail", rules.travel_line,
            f"Pay per hour worked is {sum_words} = {money(per_hour_worked)}, below the National "
            f"Living Wage of {money(floor)}: travel time is working time.",
        )]
    return [Finding(
        "travel_met", "info", rules.travel_line,
        f"Pay per hour worked is {sum_words} = {money(per_hour_worked)}, which covers the "
        f"National Living Wage of {money(floor)}.",
    )]


def _check_minimum_rate(
    breakdown: Breakdown, basic: LineResult, line_id: str, minimum: Decimal, what: str, code: str
) -> list[Finding]:
    line = _line(breakdown, line_id)
    if line is None:
        if minimum <= 0:
            return []
        return [Finding(
            code, "fail", line_id,
            f"There is no {what} line; the law requires at least {percent(minimum)}.",
        )]
    rate = _rate_of(line, basic.amount)
    if rate < minimum:
        return [Finding(
            code, "fail", line_id,
            f"{line.label} at {percent(rate)} is below the minimum {what} rate of "
            f"{percent(minimum)}.",
        )]
    return [Finding(
        code.replace("below_minimum", "met"), "info", line_id,
        f"{line.label} at {percent(rate)} meets the minimum {what} rate of {percent(minimum)}.",
    )]


def _check_expected_lines(breakdown: Breakdown, rules: ViabilityRules) -> list[Finding]:
    findings = []
    for line in breakdown.lines.values():
        if line.expected and line.amount == 0:
            findings.append(Finding(
                "missing_line", "flag", line.id,
                f"{line.label} is zero; the template expects a cost here. Ask the bidder why.",
            ))
    for line_id in rules.expected_lines:
        if line_id not in breakdown.lines:
            findings.append(Finding(
                "missing_line", "flag", line_id,
                f"The breakdown has no {line_id.replace('_', ' ')} line, which the tender expects.",
            ))
    return findings


def _check_benchmark(breakdown: Breakdown, rules: ViabilityRules) -> list[Finding]:
    if rules.benchmark_rate is None:
        return []
    threshold = rules.benchmark_rate * rules.abnormally_low_share
    share_words = f"{percent(rules.abnormally_low_share)} of the benchmark"
    if breakdown.total < threshold:
        return [Finding(
            "abnormally_low", "flag", None,
            f"The hourly rate {money(breakdown.total)} is below {share_words} "
            f"{money(rules.benchmark_rate)} ({money(threshold)}), so it is abnormally low. Ask "
            "the bidder to explain its costs before any decision; this is not a rejection.",
        )]
    return [Finding(
        "benchmark_met", "info", None,
        f"The hourly rate {money(breakdown.total)} is not below {share_words} "
        f"{money(rules.benchmark_rate)} ({money(threshold)}).",
    )]


def check(breakdown: Breakdown, rules: ViabilityRules) -> list[Finding]:
    """Every finding for a breakdown, fails first, then flags, then what passed."""
    basic = _line(breakdown, rules.basic_pay_line)
    findings: list[Finding] = []
    if basic is None:
        findings.append(Finding(
            "missing_line", "fail", rules.basic_pay_line,
            "There is no basic pay line, so the National Living Wage cannot be checked.",
        ))
    else:
        findings += _check_nlw(basic, rules)
        findings += _check_travel(breakdown, basic, rules)
        findings += _check_minimum_rate(
            breakdown, basic, rules.pension_line, rules.min_pension_rate,
            "employer pension", "pension_below_minimum",
        )
        findings += _check_minimum_rate(
            breakdown, basic, rules.holiday_line, rules.min_holiday_rate,
            "holiday pay", "holiday_below_minimum",
        )
    findings += _check_expected_lines(breakdown, rules)
    findings += _check_benchmark(breakdown, rules)
    return sorted(findings, key=lambda finding: SEVERITIES.index(finding.severity))


def has_failures(findings: list[Finding]) -> bool:
    """True if any finding means the price must be rejected."""
    return any(finding.severity == "fail" for finding in findings)
