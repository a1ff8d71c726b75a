"""What a bid holds and the checks on it: plain data in, clean data or clear messages out.

No database here. `dps.services.bids` loads a tender's facts (questions, cost template, lot
zones and dates) into `BidFacts`, so these rules can be tested and reused on their own.

Content (sealed as one JSON document): answers {question id: text}; cost_inputs {parameter:
decimal string in the engine's units, rates as fractions}; call_rates {minutes: pounds};
capacity_hours; subcontractors [{name, role, zones (zone codes), share (% of the hours)}], or
None until the bidder has said whether it uses any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from dps.forms import clean_text
from dps.services.bid_figures import (
    HOURS,
    HUNDRED,
    MONEY,
    SHARE,
    Unit,
    engine_unit,
    parse_number,
    scaled,
    text_of,
    unit_of,
)
from evaluation.calculator import Breakdown
from evaluation.costs import CostTemplate, calculate
from evaluation.fees import CallRate, call_rates
from evaluation.viability import Finding, ViabilityRules, check

ANSWER_MAX_CHARS = 20_000
CALL_LENGTHS = (15, 30, 45, 60)
MAX_SUBCONTRACTORS = 20
MAX_NAME = 200
ROLES = {"subcontractor": "Subcontractor", "consortium": "Consortium partner"}
KEYS = ("answers", "cost_inputs", "call_rates", "capacity_hours", "subcontractors")


class BidError(Exception):
    """Refused, in words for the bidder; `errors` maps content paths to field messages."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


def empty_content() -> dict[str, Any]:
    return {
        "answers": {},
        "cost_inputs": {},
        "call_rates": {},
        "capacity_hours": None,
        "subcontractors": None,
    }


def word_count(text: str) -> int:
    """Words as GOV.UK's character count counts them: runs of non-space characters."""
    return len(text.split())


@dataclass(frozen=True)
class CostField:
    name: str
    label: str
    description: str
    unit: Unit
    default: Decimal | None


@dataclass(frozen=True)
class QuestionFacts:
    id: int
    number: int
    text: str
    word_limit: int


@dataclass(frozen=True)
class BidFacts:
    """What the checks need to know about the tender and the lot."""

    questions: tuple[QuestionFacts, ...]
    template: CostTemplate
    ask_call_rates: bool
    zones: tuple[tuple[str, str], ...]  # (code, name) of the lot's zones
    contract_start: date
    contract_end: date
    benchmark_rate: Decimal | None = None

    @cached_property
    def cost_fields(self) -> tuple[CostField, ...]:
        return tuple(
            CostField(
                p.name, p.label or p.name, p.description, unit_of(self.template, p.name), p.default
            )
            for p in self.template.parameters
        )

    def question(self, question_id: int) -> QuestionFacts | None:
        return next((q for q in self.questions if q.id == question_id), None)


def typed_to_engine(entries: dict[str, Any], facts: BidFacts) -> dict[str, str]:
    """The cost page's figures (rates typed as percentages) in the engine's units."""
    errors: dict[str, str] = {}
    inputs: dict[str, str] = {}
    for field in facts.cost_fields:
        try:
            value = parse_number(entries.get(field.name), field.label, field.unit)
        except ValueError as error:
            errors[f"cost_inputs.{field.name}"] = str(error)
            continue
        if value is not None:
            inputs[field.name] = text_of(scaled(value, 1 / field.unit.scale))
    if errors:
        raise BidError("Check the figures in your cost breakdown.", errors)
    return inputs


def engine_to_typed(cost_inputs: dict[str, str], facts: BidFacts) -> dict[str, str]:
    """Stored figures as the bidder typed them (rates back to percentages), for the form."""
    typed = {}
    for field in facts.cost_fields:
        if field.name in cost_inputs:
            typed[field.name] = text_of(scaled(Decimal(cost_inputs[field.name]), field.unit.scale))
    return typed


def _clean_answers(answers: Any, facts: BidFacts, errors: dict, warnings: list) -> dict:
    if not isinstance(answers, dict):
        errors["answers"] = "Answers must be given question by question"
        return {}
    cleaned = {}
    for key, text in answers.items():
        key_text = str(key)
        is_id = key_text.isdigit() and len(key_text) < 12
        question = facts.question(int(key_text)) if is_id else None
        if question is None:
            errors[f"answers.{key}"] = "That question is not part of this tender"
            continue
        if not isinstance(text, str):
            errors[f"answers.{key}"] = f"Your answer to question {question.number} must be text"
            continue
        text = clean_text(text)
        if len(text) > ANSWER_MAX_CHARS:
            errors[f"answers.{key}"] = (
                f"Your answer to question {question.number} must be {ANSWER_MAX_CHARS:,} "
                f"characters or fewer (it has {len(text):,})"
            )
            continue
        if text:
            cleaned[str(question.id)] = text
            words = word_count(text)
            if words > question.word_limit:
                warnings.append(
                    f"Your answer to question {question.number} is {words:,} words, over the "
                    f"{question.word_limit:,}-word limit. It is saved, but shorten it before "
                    "you submit."
                )
    return cleaned


def _clean_costs(cost_inputs: Any, facts: BidFacts, errors: dict) -> dict:
    if not isinstance(cost_inputs, dict):
        errors["cost_inputs"] = "The cost breakdown must be given item by item"
        return {}
    fields = {field.name: field for field in facts.cost_fields}
    cleaned = {}
    for name, raw in cost_inputs.items():
        field = fields.get(name)
        if field is None:
            errors[f"cost_inputs.{name}"] = "The cost breakdown has no item by that name"
            continue
        try:
            value = parse_number(raw, field.label, engine_unit(field.unit))
        except ValueError as error:
            errors[f"cost_inputs.{name}"] = str(error)
            continue
        if value is not None:
            cleaned[name] = text_of(value)
    return cleaned


def _clean_call_rates(rates: Any, facts: BidFacts, errors: dict) -> dict:
    if not isinstance(rates, dict):
        errors["call_rates"] = "Call-length rates must be given visit by visit"
        return {}
    cleaned = {}
    for minutes, raw in rates.items():
        if not facts.ask_call_rates or str(minutes) not in {str(m) for m in CALL_LENGTHS}:
            errors[f"call_rates.{minutes}"] = "This tender does not ask for that visit length"
            continue
        try:
            value = parse_number(raw, f"The rate for a {minutes}-minute visit", MONEY)
        except ValueError as error:
            errors[f"call_rates.{minutes}"] = str(error)
            continue
        if value is not None:
            cleaned[str(minutes)] = text_of(value)
    return cleaned


def _clean_capacity(raw: Any, errors: dict) -> str | None:
    try:
        value = parse_number(raw, "Capacity", HOURS)
    except ValueError as error:
        errors["capacity_hours"] = str(error)
        return None
    if value is not None and value == 0:
        errors["capacity_hours"] = "Capacity must be more than 0 hours a week"
        return None
    return None if value is None else text_of(value)


def _clean_partner(index: int, item: Any, facts: BidFacts, errors: dict) -> dict | None:
    where = f"subcontractors.{index}"
    if not isinstance(item, dict):
        errors[where] = "Give each subcontractor or partner's name, role, zones and share"
        return None
    found: dict[str, str] = {}
    name = clean_text(item.get("name")) if isinstance(item.get("name"), str) else ""
    if not name:
        found[f"{where}.name"] = "Enter the name of the subcontractor or partner"
    elif len(name) > MAX_NAME:
        found[f"{where}.name"] = f"The name must be {MAX_NAME} characters or fewer"
    role = item.get("role")
    if role not in ROLES:
        found[f"{where}.role"] = "Select whether it is a subcontractor or a consortium partner"
    zones = item.get("zones")
    codes = {code for code, _ in facts.zones}
    if not isinstance(zones, list) or not zones:
        found[f"{where}.zones"] = "Select at least one zone it will work in"
    elif not all(isinstance(zone, str) and zone in codes for zone in zones):
        found[f"{where}.zones"] = "Select zones from this lot only"
    share = None
    try:
        share = parse_number(item.get("share"), "The share of the hours", SHARE)
        if share is None or share == 0:
            found[f"{where}.share"] = "Enter the share of the hours it will deliver, like 25"
    except ValueError as error:
        found[f"{where}.share"] = str(error)
    if found:
        errors.update(found)
        return None
    ordered = [code for code, _ in facts.zones if code in zones]
    return {"name": name, "role": role, "zones": ordered, "share": text_of(share)}


def _clean_partners(items: Any, facts: BidFacts, errors: dict) -> list | None:
    if items is None:
        return None
    if not isinstance(items, list):
        errors["subcontractors"] = "Subcontractors and partners must be a list"
        return None
    if len(items) > MAX_SUBCONTRACTORS:
        errors["subcontractors"] = f"You can name up to {MAX_SUBCONTRACTORS} subcontractors"
        return None
    cleaned = [_clean_partner(index, item, facts, errors) for index, item in enumerate(items)]
    partners = [item for item in cleaned if item is not None]
    if sum(Decimal(item["share"]) for item in partners) > HUNDRED:
        errors["subcontractors"] = "The shares of the hours add up to more than 100%"
    return partners


def clean(content: Any, facts: BidFacts) -> tuple[dict[str, Any], list[str]]:
    """Checked content and warnings for the bidder, or BidError naming every problem."""
    if not isinstance(content, dict):
        raise BidError("The bid could not be read.")
    unknown = sorted(set(content) - set(KEYS), key=str)
    errors: dict[str, str] = {str(key): "A bid has no part by that name" for key in unknown}
    warnings: list[str] = []
    cleaned = {
        "answers": _clean_answers(content.get("answers", {}), facts, errors, warnings),
        "cost_inputs": _clean_costs(content.get("cost_inputs", {}), facts, errors),
        "call_rates": _clean_call_rates(content.get("call_rates", {}), facts, errors),
        "capacity_hours": _clean_capacity(content.get("capacity_hours"), errors),
        "subcontractors": _clean_partners(content.get("subcontractors"), facts, errors),
    }
    if not any(key.startswith("cost_inputs") for key in errors):
        problem = assess(cleaned, facts).error
        if problem:
            errors["cost_inputs"] = problem
    if errors:
        raise BidError(
            "There is a problem with your bid: " + next(iter(errors.values())) + ".", errors
        )
    return cleaned, warnings


@dataclass(frozen=True)
class Assessment:
    """The engine's view of a bid's price: the breakdown, its findings and suggested rates."""

    breakdown: Breakdown | None
    findings: tuple[Finding, ...]
    error: str | None
    pro_rata: tuple[CallRate, ...] = ()

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity in ("fail", "flag"))

    @property
    def passed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "info")


def viability_rules(facts: BidFacts) -> ViabilityRules:
    return ViabilityRules(
        contract_start=facts.contract_start,
        contract_end=facts.contract_end,
        benchmark_rate=facts.benchmark_rate,
    )


def assess(content: dict[str, Any], facts: BidFacts) -> Assessment:
    """Price the bid with the engine (template defaults where a figure is not yet entered)."""
    inputs = {name: Decimal(value) for name, value in content.get("cost_inputs", {}).items()}
    try:
        priced = calculate(facts.template, inputs)
    except (ValueError, TypeError) as error:
        return Assessment(None, (), _plain_engine_error(str(error), facts))
    findings = tuple(check(priced, viability_rules(facts)))
    suggestions = call_rates(priced.total, CALL_LENGTHS) if facts.ask_call_rates else ()
    return Assessment(priced, findings, None, suggestions)


def _plain_engine_error(message: str, facts: BidFacts) -> str:
    """The engine names lines by id; say which item of the breakdown is wrong."""
    match = re.match(r"line '([^']+)'", message)
    if match:
        try:
            label = facts.template.line(match.group(1)).label
        except KeyError:
            label = match.group(1)
        return f"The cost breakdown cannot be calculated: check {label.lower()} ({message})"
    return f"The cost breakdown cannot be calculated ({message})"


def problems_before_submission(content: dict[str, Any], facts: BidFacts) -> dict[str, str]:
    """What must be done before the bid can be submitted, keyed by the part of the bid."""
    problems: dict[str, str] = {}
    for question in facts.questions:
        text = content["answers"].get(str(question.id), "")
        words = word_count(text)
        if not text:
            problems[f"answers.{question.id}"] = f"Answer question {question.number}"
        elif words > question.word_limit:
            problems[f"answers.{question.id}"] = (
                f"Shorten your answer to question {question.number} to {question.word_limit:,} "
                f"words or fewer (it has {words:,})"
            )
    missing = [f.label.lower() for f in facts.cost_fields if f.name not in content["cost_inputs"]]
    if missing:
        problems["cost_inputs"] = "Complete your cost breakdown (enter " + ", ".join(missing) + ")"
    else:
        error = assess(content, facts).error
        if error:
            problems["cost_inputs"] = error
    if facts.ask_call_rates:
        absent = [str(m) for m in CALL_LENGTHS if str(m) not in content["call_rates"]]
        if absent:
            problems["call_rates"] = "Enter your rates for " + ", ".join(absent) + "-minute visits"
    if content["capacity_hours"] is None:
        problems["capacity_hours"] = "Enter how many hours of care a week you can take on"
    if content["subcontractors"] is None:
        problems["subcontractors"] = (
            "Say whether you will use subcontractors or consortium partners"
        )
    return problems
