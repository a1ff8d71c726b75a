"""Pricing an uplift: the round's figures turned into each contract's template parameters and
repriced by the engine (`evaluation.fees.uplift`), scaled to the contract's rate, with the budget
effect (hours a week x rate x 52 weeks)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models.award import Contract
from dps.models.cost_of_care import ContractRateChange, UpliftRound
from dps.models.dps import DynamicPurchasingSystem
from dps.models.organisation import User
from dps.models.tender import Tender
from dps.services.bid_figures import MONEY, PERCENT, Unit, scaled
from dps.services.uplift_basis import Basis, uplift_basis
from evaluation.fees import Uplift, budget_effect, uplift
from evaluation.money import money, penny, percent

WEEKS = Decimal(52)


# The figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure an officer may change; `unit` says how it is typed (percentages as %)."""

    name: str
    label: str
    hint: str
    unit: Unit


FIGURES = (
    Figure(
        "nlw",
        "New National Living Wage (£ an hour)",
        "Basic pay rises by the same amount as the NLW, keeping each provider's pay above "
        "it, and is never below the new NLW.",
        MONEY,
    ),
    Figure("employer_ni_rate", "Employer National Insurance rate (%)", "For example, 15", PERCENT),
    Figure(
        "ni_threshold", "Employer NI secondary threshold (£ a year)", "For example, 5000", MONEY
    ),
    Figure("pension_rate", "Employer pension rate (%)", "For example, 3", PERCENT),
    Figure(
        "pension_threshold",
        "Pension qualifying earnings lower limit (£ a year)",
        "For example, 6240",
        MONEY,
    ),
)
FIGURE_LABELS = {figure.name: figure.label.split(" (")[0] for figure in FIGURES}


def figures_of(round_: UpliftRound) -> dict[str, Decimal]:
    """The new figures of a round (engine units: rates as fractions)."""
    stored = json.loads(round_.changes or "{}")
    return {f.name: Decimal(stored[f.name]) for f in FIGURES if stored.get(f.name) is not None}


def previous_of(round_: UpliftRound) -> dict[str, Decimal]:
    stored = json.loads(round_.changes or "{}")
    return {key[9:]: Decimal(value) for key, value in stored.items() if key.startswith("previous_")}


def pounds(amount: Decimal) -> str:
    return f"£{penny(amount):,}"


def figure_words(round_: UpliftRound) -> list[tuple[str, str]]:
    """(label, value in words) for each new figure of a round, for pages and messages."""
    words = []
    previous = previous_of(round_)
    for figure in FIGURES:
        value = figures_of(round_).get(figure.name)
        if value is None:
            continue
        shown = f"{scaled(value, figure.unit.scale)}%" if figure.unit is PERCENT else pounds(value)
        if figure.name in previous:
            shown += f" (from {pounds(previous[figure.name])})"
        words.append((FIGURE_LABELS[figure.name], shown))
    return words


# Contracts ----------------------------------------------------------------------------------


def contracts_query(authority_id: int):
    """Contracts of DPSs the authority leads: the lead authority holds the contracts, so only
    it changes their rates (a partner authority's uplift would double-count them)."""
    return (
        select(Contract)
        .join(Tender, Contract.tender_id == Tender.id)
        .join(DynamicPurchasingSystem, Tender.dps_id == DynamicPurchasingSystem.id)
        .where(DynamicPurchasingSystem.lead_authority_id == authority_id)
    )


def live_contracts(authority_id: int, effective_on: date) -> list[Contract]:
    """Contracts still running after the effective date, in reference order."""
    return list(
        db.session.scalars(
            contracts_query(authority_id)
            .where(Contract.end_on > effective_on)
            .order_by(Contract.reference)
        )
    )


# Pricing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractUplift:
    """One contract's uplift: the engine's line-by-line change and the rate it gives."""

    contract: Contract
    basis: Basis
    result: Uplift
    notes: tuple[str, ...]
    old_rate: Decimal
    new_rate: Decimal
    scaling: str
    annual_before: Decimal
    annual_after: Decimal
    budget_reason: str = field(default="")

    @property
    def change(self) -> Decimal:
        return self.new_rate - self.old_rate

    @property
    def annual_change(self) -> Decimal:
        return self.annual_after - self.annual_before

    def explanation(self) -> str:
        """The words kept with the history row: figures, basis, engine summary, lines."""
        parts = [self.basis.words, *self.notes, self.result.summary, self.scaling]
        parts += [line.reason for line in self.result.lines if line.change]
        return "\n".join(part for part in parts if part)


def changes_for(
    parameters: Mapping[str, Decimal],
    figures: Mapping[str, Decimal],
    previous: Mapping[str, Decimal],
) -> tuple[dict[str, Decimal], list[str]]:
    """The template parameters a round changes, from the contract's current ones, with notes."""
    changes: dict[str, Decimal] = {}
    notes: list[str] = []
    nlw = figures.get("nlw")
    if nlw is not None and "basic_pay" in parameters:
        old = parameters["basic_pay"]
        rise = nlw - previous.get("nlw", nlw)
        new = max(old + rise, nlw)
        changes["basic_pay"] = new
        note = f"Basic pay {money(old)} + the NLW rise {money(rise)} = {money(old + rise)}"
        if new != old + rise:
            note += f", raised to the new NLW {money(nlw)}"
        notes.append(note + ".")
    for name in ("employer_ni_rate", "pension_rate"):
        if name in figures and name in parameters:
            changes[name] = figures[name]
            notes.append(
                f"{FIGURE_LABELS[name]} {percent(parameters[name])} -> {percent(figures[name])}."
            )
    for name, parameter in (
        ("ni_threshold", "ni_threshold_per_hour"),
        ("pension_threshold", "pension_threshold_per_hour"),
    ):
        if name in figures and parameter in parameters and previous.get(name):
            ratio = figures[name] / previous[name]
            changes[parameter] = (parameters[parameter] * ratio).quantize(Decimal("0.0001"))
            notes.append(
                f"{FIGURE_LABELS[name]} {money(previous[name])} -> {money(figures[name])} a year: "
                f"the per-hour figure {parameters[parameter]} becomes {changes[parameter]}."
            )
    missing = [
        FIGURE_LABELS[name]
        for name, parameter in (
            ("nlw", "basic_pay"),
            ("employer_ni_rate", "employer_ni_rate"),
            ("ni_threshold", "ni_threshold_per_hour"),
            ("pension_rate", "pension_rate"),
            ("pension_threshold", "pension_threshold_per_hour"),
        )
        if name in figures and parameter not in parameters
    ]
    if missing:
        notes.append(f"This cost breakdown has no line for: {', '.join(missing)}.")
    return changes, notes


def _before_inputs(basis: Basis, contract_id: int, uplift_id: int) -> dict[str, Decimal]:
    """The basis with every earlier approved round on this contract applied in date order, so
    the breakdown "before" is the one behind the contract's current rate."""
    inputs = dict(basis.inputs)
    earlier = db.session.scalars(
        select(UpliftRound)
        .join(ContractRateChange, ContractRateChange.uplift_id == UpliftRound.id)
        .where(
            ContractRateChange.contract_id == contract_id,
            UpliftRound.id != uplift_id,
            UpliftRound.status == "approved",
        )
        .order_by(UpliftRound.effective_on, UpliftRound.id)
    )
    for done in earlier:
        parameters = {**basis.template.defaults(), **inputs}
        changes, _ = changes_for(parameters, figures_of(done), previous_of(done))
        inputs.update(changes)
    return inputs


def price_contract(
    contract: Contract, round_: UpliftRound, actor: User, basis: Basis | None = None
) -> ContractUplift:
    """Reprice one contract's cost breakdown with the round's figures and scale to its rate."""
    basis = basis or uplift_basis(contract, actor, round_.effective_on)
    before_inputs = _before_inputs(basis, contract.id, round_.id)
    parameters = {**basis.template.defaults(), **before_inputs}
    changes, notes = changes_for(parameters, figures_of(round_), previous_of(round_))
    result = uplift(basis.template, before_inputs, changes)
    old_rate = contract.hourly_rate
    if old_rate == result.before.total_rounded:
        new_rate = result.after.total_rounded
        scaling = f"The contract rate {money(old_rate)} is this breakdown's rate."
    else:
        new_rate = penny(old_rate * result.after.total / result.before.total)
        scaling = (
            f"The contract rate {money(old_rate)} differs from this breakdown's "
            f"{money(result.before.total)}, so it changes by the same percentage: "
            f"{money(old_rate)} x {money(result.after.total)} / {money(result.before.total)} "
            f"= {money(new_rate)}."
        )
    hours = contract.hours_per_week
    option = budget_effect(hours, [new_rate], old_rate, WEEKS)[0]
    return ContractUplift(
        contract=contract,
        basis=basis,
        result=result,
        notes=tuple(notes),
        old_rate=old_rate,
        new_rate=new_rate,
        scaling=scaling,
        annual_before=hours * old_rate * WEEKS,
        annual_after=option.annual_cost,
        budget_reason=option.reason,
    )


@dataclass(frozen=True)
class Preview:
    items: list[ContractUplift]
    problems: list[tuple[Contract, str]]

    @property
    def annual_before(self) -> Decimal:
        return sum((item.annual_before for item in self.items), Decimal(0))

    @property
    def annual_after(self) -> Decimal:
        return sum((item.annual_after for item in self.items), Decimal(0))

    @property
    def hours(self) -> Decimal:
        return sum((item.contract.hours_per_week for item in self.items), Decimal(0))


def preview(round_: UpliftRound, actor: User) -> Preview:
    """Every live contract's uplift; a contract the engine cannot price is listed as a problem."""
    items, problems = [], []
    for contract in live_contracts(round_.authority_id, round_.effective_on):
        try:
            items.append(price_contract(contract, round_, actor))
        except (ValueError, TypeError, ArithmeticError) as error:
            problems.append((contract, f"The engine could not price it: {error}"))
    return Preview(items, problems)
