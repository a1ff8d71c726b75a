"""Creating and publishing a DPS, with its categories, zones and selection questionnaire.

The regime (PCR 2015, light touch, Procurement Act 2023) drives the rules: read from
``dps.state.calendar.REGIMES`` and ``dps.services.dps_regimes``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from dps.extensions import db
from dps.models.dps import Category, DynamicPurchasingSystem, Zone
from dps.models.organisation import Organisation, OrganisationKind, User
from dps.services import audit
from dps.services.dps_regimes import REGIME_SETUP, long_date
from dps.state.application import DPS_TRANSITIONS
from dps.state.calendar import REGIMES
from dps.state.clock import now, to_london
from dps.state.machine import TransitionError, fire


class SetupError(Exception):
    """A problem with the DPS's settings, in words for the officer.

    ``field`` names the form field the problem belongs to, where there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


REFERENCE_PATTERN = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
EARLIEST_START_YEAR = 2015  # PCR 2015 came into force in 2015
LATEST_START_YEAR = 2100
MAX_TERM_YEARS = 10
MAX_DECISION_TARGET_DAYS = 30


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


QUESTION_TYPE_LABELS = {
    "pass_fail": "Pass or fail",
    "information": "Information",
    "yes_no_evidence": "Yes or no, with evidence",
    "file": "File upload",
}
GROUND_LABELS = {
    "mandatory": "Mandatory exclusion ground",
    "discretionary": "Discretionary exclusion ground",
}


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
        raise SetupError("Choose a procurement regime.", "regime")
    if not EARLIEST_START_YEAR <= starts_on.year <= LATEST_START_YEAR:
        raise SetupError(
            f"The start date must be between {EARLIEST_START_YEAR} and {LATEST_START_YEAR}.",
            "starts_on",
        )
    if not 1 <= term_years <= MAX_TERM_YEARS:
        raise SetupError(f"The term must be between 1 and {MAX_TERM_YEARS} years.", "term_years")
    ends_on = add_years(starts_on, term_years)
    last = REGIMES[regime].last_end_date
    if last is not None and starts_on >= last:
        raise SetupError(
            f"A DPS under the {REGIMES[regime].name} cannot run past {long_date(last)}, so it "
            "must start before then. Choose a later regime or an earlier start date.",
            "starts_on",
        )
    if last is not None and ends_on > last:
        return TermCheck(
            last,
            f"A DPS under the {REGIMES[regime].name} cannot run past {long_date(last)}, so "
            f"this one will end then, not on {long_date(ends_on)}.",
        )
    return TermCheck(ends_on, None)


def term_note(dps: DynamicPurchasingSystem) -> str | None:
    """A lasting warning where the regime's cut-off sets the end date."""
    last = REGIMES[dps.regime].last_end_date
    if last is not None and dps.ends_on == last:
        return (
            f"A DPS under the {REGIMES[dps.regime].name} cannot run past {long_date(last)}, "
            "so this one ends then."
        )
    return None


def _authorities(ids: list[int]) -> list[Organisation]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Organisation).where(
                Organisation.id.in_(ids), Organisation.kind == OrganisationKind.AUTHORITY
            )
        )
    )


def _check_reference(reference: str) -> None:
    if not reference or len(reference) > 40 or not REFERENCE_PATTERN.match(reference):
        raise SetupError(
            "Enter a reference of capital letters, numbers and hyphens, like NCC-DPS-2026-01",
            "reference",
        )
    taken = db.session.scalar(
        select(DynamicPurchasingSystem.id).where(
            func.upper(DynamicPurchasingSystem.reference) == reference.upper()
        )
    )
    if taken:
        raise SetupError(
            f"A DPS with the reference {reference} already exists. Choose a different reference.",
            "reference",
        )


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
    reference = (reference or "").strip().upper()
    title = (title or "").strip()
    conditions_of_membership = (conditions_of_membership or "").strip()
    _check_reference(reference)
    if not title:
        raise SetupError("Enter a title.", "title")
    term = check_term(regime, starts_on, term_years)
    rules, setup = REGIMES[regime], REGIME_SETUP[regime]
    if rules.decision_period_is_statutory:
        decision_target_days = rules.decision_working_days
    elif not 1 <= decision_target_days <= MAX_DECISION_TARGET_DAYS:
        raise SetupError(
            f"The decision target must be between 1 and {MAX_DECISION_TARGET_DAYS} working days.",
            "decision_target_days",
        )
    if conditions_of_membership and not setup.conditions_of_membership_allowed:
        raise SetupError(
            "Conditions of membership are only for a Procurement Act 2023 dynamic market. "
            "Leave them empty, or choose that regime.",
            "conditions_of_membership",
        )
    lead = _authorities([lead_authority_id])
    if not lead:
        raise SetupError("Choose the lead authority.", "lead_authority_id")
    partners = [p for p in _authorities(partner_ids) if p.id != lead_authority_id]
    if actor.organisation_id not in {lead_authority_id, *(p.id for p in partners)}:
        raise SetupError(
            "Your organisation must be the lead authority or one of the partners.",
            "lead_authority_id",
        )
    dps = DynamicPurchasingSystem(
        reference=reference,
        title=title,
        description=(description or "").strip(),
        regime=regime,
        lead_authority_id=lead_authority_id,
        partners=partners,
        starts_on=starts_on,
        ends_on=term.ends_on,
        decision_target_days=decision_target_days,
        conditions_of_membership=conditions_of_membership,
        questionnaire=json.dumps(questionnaire or default_questionnaire()),
        created_by_id=actor.id,
    )
    db.session.add(dps)
    _add_structure(dps, structure or nottinghamshire_structure())
    try:
        db.session.flush()
    except IntegrityError:  # another officer took the reference a moment ago
        db.session.rollback()
        raise SetupError(
            f"A DPS with the reference {reference} already exists. Choose a different reference.",
            "reference",
        ) from None
    audit.record(
        "dps.created",
        "dps",
        dps.id,
        {
            "reference": reference,
            "regime": regime,
            "starts_on": starts_on.isoformat(),
            "term_years": term_years,
            "ends_on": term.ends_on.isoformat(),
            "warning": term.warning,
        },
        actor=actor,
    )
    db.session.commit()
    return dps, term.warning


def _add_structure(dps: DynamicPurchasingSystem, structure: dict) -> None:
    """Seed the categories and the district → locality zones."""
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


def publish_problems(dps: DynamicPurchasingSystem) -> list[str]:
    """Why the DPS cannot be published yet; empty when it can."""
    if dps.status != "draft":
        return [f"It is already {dps.status}."]
    problems = []
    if not dps.categories:
        problems.append("Add at least one category before publishing.")
    if not dps.zones:
        problems.append("Add at least one zone before publishing.")
    if not questionnaire_of(dps).get("sections"):
        problems.append("The selection questionnaire has no sections.")
    if dps.ends_on <= to_london(now()).date():
        problems.append(
            f"The term ended on {long_date(dps.ends_on)}. A DPS that has ended cannot open."
        )
    return problems


def publish_dps(actor: User, dps_id: int) -> DynamicPurchasingSystem:
    """Open the DPS for applications; refused with every reason while any remains."""
    dps = db.session.get(DynamicPurchasingSystem, dps_id)
    if dps is None:
        raise SetupError("No such DPS.")
    problems = publish_problems(dps)
    if problems:
        raise SetupError(" ".join(problems))
    try:
        fire(DPS_TRANSITIONS, dps, "publish")
    except TransitionError as error:
        raise SetupError(str(error)) from None
    audit.record("dps.published", "dps", dps.id, {"reference": dps.reference}, actor=actor)
    db.session.commit()
    return dps


# The public pages -------------------------------------------------------------------------


def published() -> list[DynamicPurchasingSystem]:
    return list(
        db.session.scalars(
            select(DynamicPurchasingSystem)
            .where(DynamicPurchasingSystem.status == "published")
            .options(
                selectinload(DynamicPurchasingSystem.partners),
                selectinload(DynamicPurchasingSystem.lead_authority),
            )
            .order_by(DynamicPurchasingSystem.published_at.desc())
        )
    )
