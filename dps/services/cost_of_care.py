"""Cost of care: which templates a person may price, typed figures to the engine's, and named
scenarios saved per organisation (another organisation's scenario is never found: 404)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from dps.extensions import db
from dps.forms import clean_text
from dps.models.cost_of_care import AuthorityCostTemplate, CostScenario
from dps.models.organisation import Organisation, Role
from dps.services import audit
from dps.services.bid_figures import MONEY, NUMBER, Unit, parse_number, scaled, text_of, unit_of
from evaluation.calculator import Breakdown
from evaluation.costs import STOCKPORT_2018, UKHCA_STYLE_2026, CostTemplate, calculate
from evaluation.fees import CallRate, call_rates

BUILT_IN = {t.id: t for t in (STOCKPORT_2018, UKHCA_STYLE_2026)}
AUTHORITY_PREFIX = "council-"
MAX_NAME = 200
CALL_LENGTHS = (15, 30, 45, 60)


class CostError(Exception):
    """A plain-English problem; `errors` maps field names to the message beside each field."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None):
        super().__init__(message)
        self.errors = dict(errors or {})


@dataclass(frozen=True)
class Choice:
    """A template someone may price: its key in links, a label, and the engine's template."""

    key: str
    label: str
    template: CostTemplate
    row_id: int | None = None


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    description: str
    unit: Unit
    default: Decimal | None

    def typed(self, value: Decimal | None) -> str:
        """An engine value as a person types it (rates as percentages)."""
        return "" if value is None else text_of(scaled(value, self.unit.scale))


def authority_key(row_id: int) -> str:
    return f"{AUTHORITY_PREFIX}{row_id}"


def template_of(row: AuthorityCostTemplate) -> CostTemplate:
    return CostTemplate.from_dict(json.loads(row.template))


def year_words(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


def _row_choice(row: AuthorityCostTemplate, with_authority: bool) -> Choice:
    label = row.name
    if row.benchmark_year is not None:
        label += f" (benchmark for {year_words(row.benchmark_year)})"
    if with_authority:
        label = f"{row.authority.name}: {label}"
    return Choice(authority_key(row.id), label, template_of(row), row.id)


def choices(actor: Any | None) -> list[Choice]:
    """Built-ins for everyone; officers add their authority's templates, others see benchmarks."""
    found = [Choice(t.id, t.title, t) for t in BUILT_IN.values()]
    query = select(AuthorityCostTemplate).order_by(AuthorityCostTemplate.name)
    if actor is not None and actor.role == Role.OFFICER:
        rows = db.session.scalars(
            query.where(AuthorityCostTemplate.authority_id == actor.organisation_id)
        )
        return found + [_row_choice(row, False) for row in rows]
    rows = db.session.scalars(
        query.join(Organisation, AuthorityCostTemplate.authority_id == Organisation.id)
        .where(AuthorityCostTemplate.benchmark_year.is_not(None))
        .order_by(Organisation.name, AuthorityCostTemplate.benchmark_year.desc())
    )
    return found + [_row_choice(row, True) for row in rows]


def choice(actor: Any | None, key: str | None) -> Choice | None:
    """The template with this key if the person may see it (None: not found, 404)."""
    available = choices(actor)
    if not key:
        return available[0]
    return next((c for c in available if c.key == key), None)


def fields(template: CostTemplate) -> list[Field]:
    return [
        Field(p.name, p.label or p.name, p.description, unit_of(template, p.name), p.default)
        for p in template.parameters
    ]


def read_figures(
    template: CostTemplate, typed: Mapping[str, str | None], prefix: str = "p_"
) -> tuple[dict[str, Decimal], dict[str, str]]:
    """Typed figures (blank = the template's default) -> engine inputs, and errors by field."""
    inputs: dict[str, Decimal] = {}
    errors: dict[str, str] = {}
    for field in fields(template):
        key = prefix + field.name
        try:
            value = parse_number(typed.get(key), field.label, field.unit)
        except ValueError as error:
            errors[key] = str(error)
            continue
        if value is not None:
            inputs[field.name] = scaled(value, 1 / field.unit.scale)
    return inputs, errors


def price(template: CostTemplate, inputs: Mapping[str, Decimal]) -> Breakdown:
    """The engine's breakdown; its refusal (a line that makes no sense) becomes a CostError."""
    try:
        return calculate(template, inputs)
    except (ValueError, TypeError) as error:
        raise CostError(f"These figures cannot be priced: {error}") from None


def _whole_minutes(raw: str | None, label: str) -> int | None:
    value = parse_number(raw, label, NUMBER)
    if value is None:
        return None
    if value != value.to_integral_value() or not 1 <= value <= 60:
        raise ValueError(f"{label} must be a whole number of minutes from 1 to 60")
    return int(value)


def visit_rates(
    total: Decimal | None, typed: Mapping[str, str | None]
) -> tuple[tuple[CallRate, ...], Decimal | None, dict[str, str]]:
    """15/30/45/60-minute payments from the hourly rate, with the minimum-payment rule."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    readers = {
        "call_rate": lambda raw: parse_number(raw, "Hourly rate for visits", MONEY),
        "minimum_minutes": lambda raw: _whole_minutes(raw, "Shortest visit paid"),
        "minimum_payment": lambda raw: parse_number(raw, "Minimum payment for a visit", MONEY),
    }
    for name, reader in readers.items():
        try:
            values[name] = reader(typed.get(name))
        except ValueError as error:
            errors[name] = str(error)
    hourly = values.get("call_rate") or total
    if errors or hourly is None:
        return (), hourly, errors
    rates = call_rates(
        hourly,
        CALL_LENGTHS,
        minimum_minutes=values.get("minimum_minutes"),
        minimum_amount=values.get("minimum_payment"),
    )
    return rates, hourly, errors


# Scenarios ------------------------------------------------------------------------------------


def _clean_name(raw: Any) -> str:
    name = clean_text(raw) if isinstance(raw, str) else ""
    if not name:
        raise CostError("Enter a name for the scenario", {"name": "Enter a name for the scenario"})
    if len(name) > MAX_NAME:
        message = f"The name must be {MAX_NAME} characters or fewer"
        raise CostError(message, {"name": message})
    return name


def scenarios(actor: Any) -> list[CostScenario]:
    return list(
        db.session.scalars(
            select(CostScenario)
            .where(CostScenario.organisation_id == actor.organisation_id)
            .order_by(CostScenario.updated_at.desc(), CostScenario.id.desc())
        )
    )


def scenario(actor: Any, scenario_id: int) -> CostScenario | None:
    """The scenario if it belongs to the person's organisation; None otherwise (404)."""
    if actor.organisation_id is None:
        return None
    return db.session.scalar(
        select(CostScenario).where(
            CostScenario.id == scenario_id, CostScenario.organisation_id == actor.organisation_id
        )
    )


def scenario_template(row: CostScenario) -> CostTemplate:
    return CostTemplate.from_dict(json.loads(row.template))


def scenario_inputs(row: CostScenario) -> dict[str, Decimal]:
    return {name: Decimal(value) for name, value in json.loads(row.inputs or "{}").items()}


def scenario_breakdown(row: CostScenario) -> Breakdown:
    return price(scenario_template(row), scenario_inputs(row))


def save_scenario(
    actor: Any, name: Any, template: CostTemplate, inputs: Mapping[str, Decimal]
) -> CostScenario:
    """Save the template as used and every figure, so the scenario never changes under you."""
    if actor.organisation_id is None:
        raise CostError("Only people in an organisation can save scenarios")
    name = _clean_name(name)
    breakdown = price(template, inputs)
    row = CostScenario(
        organisation_id=actor.organisation_id,
        name=name,
        template=json.dumps(template.to_dict()),
        inputs=json.dumps({k: text_of(v) for k, v in breakdown.parameters.items()}),
        total=breakdown.total_rounded,
        created_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "cost_scenario.saved",
        "cost_scenario",
        row.id,
        {"name": name, "template": template.id, "total": str(row.total)},
        actor=actor,
    )
    db.session.commit()
    return row


def rename_scenario(actor: Any, scenario_id: int, name: Any) -> CostScenario:
    row = scenario(actor, scenario_id)
    if row is None:
        raise LookupError(scenario_id)
    new_name = _clean_name(name)
    audit.record(
        "cost_scenario.renamed",
        "cost_scenario",
        row.id,
        {"from": row.name, "to": new_name},
        actor=actor,
    )
    row.name = new_name
    db.session.commit()
    return row


def delete_scenario(actor: Any, scenario_id: int) -> str:
    row = scenario(actor, scenario_id)
    if row is None:
        raise LookupError(scenario_id)
    name = row.name
    audit.record("cost_scenario.deleted", "cost_scenario", row.id, {"name": name}, actor=actor)
    db.session.delete(row)
    db.session.commit()
    return name


@dataclass(frozen=True)
class ComparedLine:
    label: str
    first: Decimal | None
    second: Decimal | None
    is_subtotal: bool

    @property
    def difference(self) -> Decimal | None:
        if self.first is None or self.second is None:
            return None
        return self.second - self.first


def compare(first: Breakdown, second: Breakdown) -> tuple[list[ComparedLine], Decimal]:
    """Every line of both breakdowns (matched by line id) and the second minus the first."""
    ids = list(first.lines) + [i for i in second.lines if i not in first.lines]
    lines = []
    for line_id in ids:
        a, b = first.lines.get(line_id), second.lines.get(line_id)
        shown = a or b
        lines.append(
            ComparedLine(
                shown.label,
                a.rounded if a else None,
                b.rounded if b else None,
                shown.kind == "subtotal",
            )
        )
    return lines, second.total_rounded - first.total_rounded
