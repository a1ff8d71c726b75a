"""Creating and publishing a DPS, with its categories, zones and selection questionnaire."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from sqlalchemy import select

from dps.extensions import db
from dps.models.dps import Category, DynamicPurchasingSystem, Zone
from dps.models.organisation import Organisation, User
from dps.services import audit
from dps.state.application import DPS_TRANSITIONS
from dps.state.calendar import REGIMES
from dps.state.machine import fire


class SetupError(Exception):
    """A problem with the DPS's settings, in words for the officer."""


@cache
def _content(name: str) -> str:
    return resources.files("dps.content").joinpath(name).read_text(encoding="utf-8")


def default_questionnaire() -> dict:
    """The standard selection questionnaire (a fresh copy each time)."""
    return json.loads(_content("selection_questionnaire.json"))


def nottinghamshire_structure() -> dict:
    return json.loads(_content("nottinghamshire.json"))


def questionnaire_of(dps: DynamicPurchasingSystem) -> dict:
    return json.loads(dps.questionnaire)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class TermCheck:
    ends_on: date
    warning: str | None


def check_term(regime: str, starts_on: date, term_years: int) -> TermCheck:
    """The end date of the term, and a warning where the regime cuts it short."""
    if regime not in REGIMES:
        raise SetupError("Choose a procurement regime.")
    if not 1 <= term_years <= 10:
        raise SetupError("The term must be between 1 and 10 years.")
    ends_on = add_years(starts_on, term_years)
    last = REGIMES[regime].last_end_date
    if last is not None and ends_on > last:
        return TermCheck(
            last,
            f"A DPS under the {REGIMES[regime].name} cannot run past "
            f"{last.day} {last:%B %Y}, so this one will end then, not on "
            f"{ends_on.day} {ends_on:%B %Y}.",
        )
    return TermCheck(ends_on, None)


def create_dps(
    actor: User,
    *,
    reference: str,
    title: str,
    description: str,
    regime: str,
    lead_authority_id: int,
    partner_ids: list[int],
    starts_on: date,
    term_years: int = 10,
    decision_target_days: int = 10,
    conditions_of_membership: str = "",
    structure: dict | None = None,
    questionnaire: dict | None = None,
) -> tuple[DynamicPurchasingSystem, str | None]:
    """Create a draft DPS with categories and zones; returns it and any term warning."""
    if db.session.scalar(
        select(DynamicPurchasingSystem.id).where(DynamicPurchasingSystem.reference == reference)
    ):
        raise SetupError(f"A DPS with the reference {reference} already exists.")
    term = check_term(regime, starts_on, term_years)
    if REGIMES[regime].decision_period_is_statutory:
        decision_target_days = REGIMES[regime].decision_working_days
    elif not 1 <= decision_target_days <= 30:
        raise SetupError("The decision target must be between 1 and 30 working days.")
    partners = list(
        db.session.scalars(select(Organisation).where(Organisation.id.in_(partner_ids)))
    )
    dps = DynamicPurchasingSystem(
        reference=reference,
        title=title,
        description=description,
        regime=regime,
        lead_authority_id=lead_authority_id,
        partners=[p for p in partners if p.id != lead_authority_id],
        starts_on=starts_on,
        ends_on=term.ends_on,
        decision_target_days=decision_target_days,
        conditions_of_membership=conditions_of_membership,
        questionnaire=json.dumps(questionnaire or default_questionnaire()),
        created_by_id=actor.id,
    )
    db.session.add(dps)
    structure = structure or nottinghamshire_structure()
    for position, item in enumerate(structure["categories"]):
        dps.categories.append(
            Category(
                code=item["code"],
                name=item["name"],
                description=item.get("description", ""),
                position=position,
            )
        )
    position = 0
    for item in structure["zones"]:
        parent = Zone(
            code=item["code"],
            name=item["name"],
            position=position,
            rural=item.get("rural", False),
            hard_to_serve=item.get("hard_to_serve", False),
        )
        dps.zones.append(parent)
        position += 1
        for child in item.get("children", []):
            dps.zones.append(
                Zone(
                    code=child["code"],
                    name=child["name"],
                    parent=parent,
                    position=position,
                    rural=child.get("rural", False),
                    hard_to_serve=child.get("hard_to_serve", False),
                )
            )
            position += 1
    db.session.flush()
    audit.record(
        "dps.created",
        "dps",
        dps.id,
        {
            "reference": reference,
            "regime": regime,
            "ends_on": term.ends_on.isoformat(),
            "warning": term.warning,
        },
        actor=actor,
    )
    db.session.commit()
    return dps, term.warning


def publish_dps(actor: User, dps_id: int) -> DynamicPurchasingSystem:
    dps = db.session.get(DynamicPurchasingSystem, dps_id)
    if dps is None:
        raise SetupError("No such DPS.")
    fire(DPS_TRANSITIONS, dps, "publish")
    audit.record("dps.published", "dps", dps.id, {"reference": dps.reference}, actor=actor)
    db.session.commit()
    return dps


def published() -> list[DynamicPurchasingSystem]:
    return list(
        db.session.scalars(
            select(DynamicPurchasingSystem)
            .where(DynamicPurchasingSystem.status == "published")
            .order_by(DynamicPurchasingSystem.published_at.desc())
        )
    )
