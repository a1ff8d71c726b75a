"""Officers' cost templates as data (checked by the engine), the benchmark for a year, and the
budget effect of alternative rates on the hours bought through the authority's DPSs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.forms import clean_text
from dps.models.award import Contract
from dps.models.cost_of_care import AuthorityCostTemplate
from dps.models.dps import DynamicPurchasingSystem, dps_partner
from dps.models.tender import Tender
from dps.services import audit
from dps.services import cost_of_care as costs
from dps.services.bid_figures import HOURS, MONEY, NUMBER, parse_number
from dps.services.cost_of_care import CostError
from dps.state.clock import now, to_london
from evaluation.costs import CostTemplate, calculate
from evaluation.fees import BudgetOption, budget_effect
from evaluation.money import penny

MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_RATES = 10
FIRST_YEAR, LAST_YEAR = 2000, 2100


def own_template(actor: Any, template_id: int) -> AuthorityCostTemplate | None:
    """The template if it is the officer's authority's; None otherwise (404)."""
    if actor.organisation_id is None:
        return None
    return db.session.scalar(
        select(AuthorityCostTemplate).where(
            AuthorityCostTemplate.id == template_id,
            AuthorityCostTemplate.authority_id == actor.organisation_id,
        )
    )


def own_templates(actor: Any) -> list[AuthorityCostTemplate]:
    return list(
        db.session.scalars(
            select(AuthorityCostTemplate)
            .where(AuthorityCostTemplate.authority_id == actor.organisation_id)
            .order_by(AuthorityCostTemplate.name)
        )
    )


def _text(raw: Any, label: str, field: str, limit: int, required: bool = True) -> str:
    text = clean_text(raw) if isinstance(raw, str) else ""
    if required and not text:
        raise CostError(f"Enter {label}", {field: f"Enter {label}"})
    if len(text) > limit:
        message = f"{label[0].upper()}{label[1:]} must be {limit:,} characters or fewer"
        raise CostError(message, {field: message})
    return text


def create_template(actor: Any, name: Any, start_from: Any) -> AuthorityCostTemplate:
    """A new template for the authority, copied from a built-in or one of its own."""
    if actor.organisation_id is None:
        raise CostError("Only officers of a council can create templates")
    name = _text(name, "a name for the template", "name", costs.MAX_NAME)
    start = costs.choice(actor, start_from) if isinstance(start_from, str) and start_from else None
    if start is None:
        message = "Select the template to start from"
        raise CostError(message, {"start_from": message})
    row = AuthorityCostTemplate(
        authority_id=actor.organisation_id, name=name, template="{}", created_by_id=actor.id
    )
    db.session.add(row)
    db.session.flush()
    data = start.template.to_dict()
    data["id"] = costs.authority_key(row.id)
    data["title"] = name
    row.template = json.dumps(data)
    audit.record(
        "cost_template.created",
        "authority_cost_template",
        row.id,
        {"name": name, "from": start.key},
        actor=actor,
    )
    db.session.commit()
    return row


def update_template(actor: Any, template_id: int, form: Mapping[str, Any]) -> AuthorityCostTemplate:
    """New name, description and each parameter's label, description and default.

    Lines stay the engine's; the result must pass `CostTemplate.from_dict` and price with its
    defaults, and the engine's own message is shown when it does not.
    """
    row = own_template(actor, template_id)
    if row is None:
        raise LookupError(template_id)
    current = costs.template_of(row)
    name = _text(form.get("name"), "a name for the template", "name", costs.MAX_NAME)
    description = _text(
        form.get("description"), "the description", "description", MAX_DESCRIPTION, False
    )
    defaults, errors = costs.read_figures(current, form, prefix="default_")
    parameters = []
    for field in costs.fields(current):
        entry: dict[str, Any] = {"name": field.name}
        try:
            entry["label"] = _text(
                form.get(f"label_{field.name}"), "a label", f"label_{field.name}", MAX_TITLE
            )
            entry["description"] = _text(
                form.get(f"description_{field.name}"),
                "the description",
                f"description_{field.name}",
                MAX_DESCRIPTION,
                False,
            )
        except CostError as error:
            errors.update(error.errors)
        value = defaults.get(field.name)
        entry["default"] = None if value is None else str(value)
        parameters.append(entry)
    if errors:
        raise CostError("Check the template's figures and labels", errors)
    data = current.to_dict()
    data.update(title=name, description=description, parameters=parameters)
    try:
        template = CostTemplate.from_dict(data)
        calculate(template)
    except (ValueError, TypeError, KeyError) as error:
        raise CostError(f"The template does not work: {error}") from None
    row.name = name
    row.template = json.dumps(template.to_dict())
    audit.record(
        "cost_template.updated",
        "authority_cost_template",
        row.id,
        {"name": name, "defaults": {p["name"]: p["default"] for p in parameters}},
        actor=actor,
    )
    db.session.commit()
    return row


def _year(raw: Any) -> int | None:
    value = parse_number(raw if isinstance(raw, str) else None, "The year", NUMBER)
    if value is None:
        return None
    if value != value.to_integral_value() or not FIRST_YEAR <= value <= LAST_YEAR:
        message = f"Enter the year as 4 digits from {FIRST_YEAR} to {LAST_YEAR}, like 2026"
        raise CostError(message, {"year": message})
    return int(value)


def set_benchmark(actor: Any, template_id: int, raw_year: Any) -> AuthorityCostTemplate:
    """Mark the template as the benchmark for a year (blank: no longer a benchmark).

    One per authority and year: marking another replaces the old one, and the audit record
    names the template it replaced.
    """
    row = own_template(actor, template_id)
    if row is None:
        raise LookupError(template_id)
    try:
        year = _year(raw_year)
    except ValueError as error:
        raise CostError(str(error), {"year": str(error)}) from None
    replaced = None
    if year is not None:
        replaced = db.session.scalar(
            select(AuthorityCostTemplate).where(
                AuthorityCostTemplate.authority_id == row.authority_id,
                AuthorityCostTemplate.benchmark_year == year,
                AuthorityCostTemplate.id != row.id,
            )
        )
        if replaced is not None:
            replaced.benchmark_year = None
            db.session.flush()
    previous_year = row.benchmark_year
    row.benchmark_year = year
    audit.record(
        "cost_template.benchmark",
        "authority_cost_template",
        row.id,
        {
            "year": year,
            "previous_year": previous_year,
            "replaced_template_id": replaced.id if replaced else None,
        },
        actor=actor,
    )
    try:
        db.session.commit()
    except IntegrityError:  # another officer marked a template for that year at the same moment
        db.session.rollback()
        message = "Someone else has just changed the benchmark for that year. Try again."
        raise CostError(message, {"year": message}) from None
    return row


# Budget effect --------------------------------------------------------------------------------


def _live_contracts(actor: Any):
    today = to_london(now()).date()
    partner_of = select(dps_partner.c.dps_id).where(
        dps_partner.c.organisation_id == actor.organisation_id
    )
    return (
        select(Contract)
        .join(Tender, Contract.tender_id == Tender.id)
        .join(DynamicPurchasingSystem, Tender.dps_id == DynamicPurchasingSystem.id)
        .where(
            or_(
                DynamicPurchasingSystem.lead_authority_id == actor.organisation_id,
                DynamicPurchasingSystem.id.in_(partner_of),
            ),
            Contract.start_on <= today,
            Contract.end_on >= today,
        )
    )


def contracted(actor: Any) -> tuple[Decimal, Decimal | None, int]:
    """Hours a week bought on live contracts, their hours-weighted average rate, and how many."""
    live = _live_contracts(actor).subquery()
    hours, spend, count = db.session.execute(
        select(
            func.coalesce(func.sum(live.c.hours_per_week), 0),
            func.coalesce(func.sum(live.c.hours_per_week * live.c.hourly_rate), 0),
            func.count(live.c.id),
        )
    ).one()
    hours, spend = Decimal(hours), Decimal(spend)
    average = penny(spend / hours) if hours else None
    return hours, average, count


@dataclass(frozen=True)
class Budget:
    hours: Decimal
    current: Decimal
    options: tuple[BudgetOption, ...]
    today_cost: Decimal


def read_rates(raw: Any) -> list[Decimal]:
    text = raw if isinstance(raw, str) else ""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise ValueError("Enter at least one hourly rate, like 15.61, 15.88, 15.99")
    if len(parts) > MAX_RATES:
        raise ValueError(f"Enter no more than {MAX_RATES} rates")
    rates = []
    for part in parts:
        value = parse_number(part, "Each rate", MONEY)
        if value is None or value == 0:
            raise ValueError("Each rate must be more than £0")
        rates.append(value)
    return rates


def budget(raw: Mapping[str, Any]) -> Budget:
    """The annual cost of each rate at the hours a week (x 52) and the change from today's."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    readers: dict[str, Any] = {
        "rates": read_rates,
        "current": lambda v: parse_number(v, "Today's hourly rate", MONEY),
        "hours": lambda v: parse_number(v, "Contracted hours", HOURS),
    }
    for name, reader in readers.items():
        item = raw.get(name)
        try:
            values[name] = reader(item if isinstance(item, str) else None)
        except ValueError as error:
            errors[name] = str(error)
    if "current" not in errors and values.get("current") is None:
        errors["current"] = "Enter today's hourly rate"
    if "hours" not in errors and not values.get("hours"):
        errors["hours"] = "Enter the contracted hours a week (more than 0)"
    if errors:
        raise CostError("Check the rates and hours", errors)
    options = budget_effect(values["hours"], values["rates"], values["current"])
    today_cost = values["hours"] * values["current"] * Decimal(52)
    return Budget(values["hours"], values["current"], options, today_cost)


def chart_bars(result: Budget) -> list[dict[str, Any]]:
    """Bar lengths (0-100) for today's cost and each option, for the server-drawn chart."""
    rows = [("Today", result.current, result.today_cost)] + [
        (f"£{o.rate}", o.rate, o.annual_cost) for o in result.options
    ]
    largest = max(cost for _, _, cost in rows) or Decimal(1)
    return [
        {"label": label, "cost": cost, "length": (cost / largest * 100).quantize(Decimal("0.1"))}
        for label, _, cost in rows
    ]
