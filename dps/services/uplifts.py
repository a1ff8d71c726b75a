"""Annual uplifts of contract rates: new NLW, NI or pension figures priced through the engine
(`evaluation.fees.uplift`) for every live contract of the authority, reviewed, then approved.

Approval records each contract's old and new rate (its history), changes the contract's rate and
queues one notification job per provider. The cost basis of each contract is explained in
`uplift_basis`; the figures are stored in `UpliftRound.changes` with the "previous" figures they
are measured from, so an old round always reprices the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from dps.extensions import db
from dps.forms import clean_text
from dps.jobs.outbox import schedule
from dps.models.award import Contract
from dps.models.cost_of_care import ContractRateChange, UpliftRound
from dps.models.organisation import User
from dps.services import audit
from dps.services.bid_figures import parse_number, scaled
from dps.services.uplift_pricing import (  # noqa: F401 - the pages read these from here
    FIGURES,
    contracts_query,
    figure_words,
    figures_of,
    preview,
    previous_of,
)
from dps.state.clock import now
from dps.state.machine import Transition, TransitionError, fire
from evaluation.cost_templates import NI_SECONDARY_THRESHOLD, QUALIFYING_EARNINGS_LOWER_LIMIT
from evaluation.money import penny
from evaluation.nlw import NLW_TABLE, nlw_entry_on

MAX_TITLE = 200
FIRST_NLW = NLW_TABLE[0][0]


class UpliftError(Exception):
    """A problem in words for the officer; `errors` maps form fields to their messages."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None):
        super().__init__(message)
        self.errors = dict(errors or {})


# The lifecycle ------------------------------------------------------------------------------


def _on_approve(round_: UpliftRound, context: Mapping[str, Any]) -> None:
    round_.approved_by_id = context["actor"].id
    round_.approved_at = now()


def _has_contracts(round_: UpliftRound, context: Mapping[str, Any]) -> str | None:
    if not context.get("contracts"):
        return "There are no live contracts to uplift on the effective date."
    return None


UPLIFT_TRANSITIONS = {
    ("draft", "approve"): Transition("approved", guard=_has_contracts, handler=_on_approve),
}
STATUS_LABELS = {"draft": "Draft: not approved yet", "approved": "Approved"}


def _previous(actor: User, effective_on: date) -> dict[str, Decimal]:
    """The figures a new round is measured from: the latest earlier approved round's, else the
    NLW in force the day before and the engine's thresholds."""
    nlw_from, nlw = nlw_entry_on(effective_on - timedelta(days=1))
    previous = {
        "nlw": nlw,
        "ni_threshold": NI_SECONDARY_THRESHOLD,
        "pension_threshold": QUALIFYING_EARNINGS_LOWER_LIMIT,
    }
    rounds = db.session.scalars(
        select(UpliftRound)
        .where(
            UpliftRound.authority_id == actor.organisation_id,
            UpliftRound.status == "approved",
            UpliftRound.effective_on < effective_on,
        )
        .order_by(UpliftRound.effective_on, UpliftRound.id)
    )
    for earlier in rounds:
        for name, value in figures_of(earlier).items():
            if name in previous and (name != "nlw" or earlier.effective_on >= nlw_from):
                previous[name] = value
    return previous


# Reading -------------------------------------------------------------------------------------


def own_round(actor: User, uplift_id: int) -> UpliftRound | None:
    """The round if it is the officer's authority's; None otherwise (404)."""
    if actor.organisation_id is None:
        return None
    return db.session.scalar(
        select(UpliftRound).where(
            UpliftRound.id == uplift_id, UpliftRound.authority_id == actor.organisation_id
        )
    )


def rounds(actor: User) -> list[UpliftRound]:
    return list(
        db.session.scalars(
            select(UpliftRound)
            .where(UpliftRound.authority_id == actor.organisation_id)
            .order_by(UpliftRound.effective_on.desc(), UpliftRound.id.desc())
        )
    )


def own_contract(actor: User, contract_id: int) -> Contract | None:
    if actor.organisation_id is None:
        return None
    return db.session.scalar(
        contracts_query(actor.organisation_id).where(Contract.id == contract_id)
    )


def history(contract_id: int) -> list[ContractRateChange]:
    return list(
        db.session.scalars(
            select(ContractRateChange)
            .where(ContractRateChange.contract_id == contract_id)
            .order_by(ContractRateChange.effective_on, ContractRateChange.id)
        )
    )


# Changing ------------------------------------------------------------------------------------


def create_round(actor: User, title: Any, effective_on: date | None, typed: Mapping[str, Any]):
    """A draft round from the typed figures (at least one); nothing changes until approval."""
    errors: dict[str, str] = {}
    text = clean_text(title) if isinstance(title, str) else ""
    if not text:
        errors["title"] = "Enter a title for the uplift"
    elif len(text) > MAX_TITLE:
        errors["title"] = f"The title must be {MAX_TITLE} characters or fewer"
    if effective_on is None:
        errors["effective_on"] = "Enter the date the new rates take effect"
    elif effective_on <= FIRST_NLW:
        errors["effective_on"] = "The effective date must be after 1 April 2016 (the first NLW)"
    figures: dict[str, Decimal] = {}
    for figure in FIGURES:
        raw = typed.get(figure.name)
        try:
            value = parse_number(raw if isinstance(raw, str) else None, figure.label, figure.unit)
        except ValueError as error:
            errors[figure.name] = str(error)
            continue
        if value is not None and value == 0 and figure.name in ("nlw", "ni_threshold"):
            errors[figure.name] = f"{figure.label} must be more than 0"
        elif value is not None:
            figures[figure.name] = scaled(value, 1 / figure.unit.scale)
    if not figures and not any(f.name in errors for f in FIGURES):
        errors[FIGURES[0].name] = "Enter at least one new figure"
    if errors:
        raise UpliftError("Check the uplift's details", errors)
    stored = {name: format(value, "f") for name, value in figures.items()}
    previous = _previous(actor, effective_on)
    stored.update({f"previous_{name}": format(value, "f") for name, value in previous.items()})
    round_ = UpliftRound(
        authority_id=actor.organisation_id,
        title=text,
        changes=json.dumps(stored, sort_keys=True),
        effective_on=effective_on,
        status="draft",
        created_by_id=actor.id,
    )
    db.session.add(round_)
    db.session.flush()
    audit.record(
        "uplift.created",
        "uplift_round",
        round_.id,
        {"title": text, "effective_on": effective_on.isoformat(), "changes": stored},
        actor=actor,
    )
    db.session.commit()
    return round_


def approve(actor: User, uplift_id: int) -> UpliftRound:
    """Record every live contract's new rate, change the rates and queue one job per provider."""
    round_ = db.session.scalar(
        select(UpliftRound)
        .where(UpliftRound.id == uplift_id, UpliftRound.authority_id == actor.organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if round_ is None:
        raise LookupError(uplift_id)
    if round_.status != "draft":
        raise UpliftError("This uplift is already approved: its rates cannot change again.")
    if _previous(actor, round_.effective_on) != previous_of(round_):
        raise UpliftError(
            "Another uplift was approved after this one was created, so the figures this one "
            "starts from have changed. Create this uplift again."
        )
    result = preview(round_, actor)
    if result.problems:
        contract, problem = result.problems[0]
        raise UpliftError(f"Contract {contract.reference} cannot be uplifted. {problem}")
    try:
        fire(UPLIFT_TRANSITIONS, round_, "approve", actor=actor, contracts=result.items)
    except TransitionError as error:
        raise UpliftError(str(error)) from None
    recorded = {}
    for item in result.items:
        contract = item.contract
        db.session.add(
            ContractRateChange(
                uplift_id=round_.id,
                contract_id=contract.id,
                old_rate=item.old_rate,
                new_rate=item.new_rate,
                effective_on=round_.effective_on,
                explanation=item.explanation(),
                recorded_by_id=actor.id,
            )
        )
        contract.hourly_rate = item.new_rate
        recorded[contract.reference] = [str(item.old_rate), str(item.new_rate)]
    for organisation_id in sorted({item.contract.organisation_id for item in result.items}):
        schedule(
            "notify_uplift", round_.id, organisation_id, key=f"uplift:{round_.id}:{organisation_id}"
        )
    audit.record(
        "uplift.approved",
        "uplift_round",
        round_.id,
        {
            "title": round_.title,
            "effective_on": round_.effective_on.isoformat(),
            "rates": recorded,
            "annual_before": str(penny(result.annual_before)),
            "annual_after": str(penny(result.annual_after)),
        },
        actor=actor,
    )
    db.session.commit()
    return round_


def recorded_changes(round_: UpliftRound) -> list[ContractRateChange]:
    return list(
        db.session.scalars(
            select(ContractRateChange)
            .join(Contract, ContractRateChange.contract_id == Contract.id)
            .where(ContractRateChange.uplift_id == round_.id)
            .order_by(Contract.reference)
        )
    )


def recorded_budget(changes: list[ContractRateChange]) -> tuple[Decimal, Decimal]:
    """Cost a year (hours a week x rate x 52) of the contracts at their old and new rates."""
    before = sum((c.old_rate * c.contract.hours_per_week * 52 for c in changes), Decimal(0))
    after = sum((c.new_rate * c.contract.hours_per_week * 52 for c in changes), Decimal(0))
    return before, after
