"""Which cost breakdown an uplift reprices for a contract (a contract has none of its own).

First choice: the winning bid's own breakdown (the bid of the contract's provider for its lot,
decrypted after the recorded opening), because an uplift should move the provider's own costs:
its pay above the NLW, its on-costs and overheads. If that cannot be read or priced: the
authority's benchmark template for the year, else the tender's cost template with its defaults;
either is then scaled to the contract's rate (the rate moves by the template's percentage).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from dps.extensions import db
from dps.models.award import Contract
from dps.models.bid import Bid
from dps.models.cost_of_care import AuthorityCostTemplate
from dps.models.organisation import User
from dps.services import sealing
from evaluation.calculator import calculate
from evaluation.cost_model import CostTemplate

SOURCES = {
    "bid": "The winning bid's cost breakdown",
    "benchmark": "The authority's benchmark template",
    "tender": "The tender's cost template",
}


@dataclass(frozen=True)
class Basis:
    """A template and inputs (engine units) standing for one contract's costs."""

    source: str
    words: str
    template: CostTemplate
    inputs: dict[str, Decimal] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return SOURCES[self.source]


def financial_year(day: date) -> int:
    """2026 for 1 April 2026 to 31 March 2027 (benchmarks are kept per financial year)."""
    return day.year if day.month >= 4 else day.year - 1


def _bid_basis(contract: Contract, actor: User) -> Basis | None:
    tender = contract.tender
    if tender.opened_at is None:
        return None  # never ask sealing to open a sealed bid: that is an audited refusal
    bid = db.session.scalar(
        select(Bid).where(
            Bid.tender_id == contract.tender_id,
            Bid.lot_id == contract.lot_id,
            Bid.organisation_id == contract.organisation_id,
            Bid.status == "submitted",
        )
    )
    version = bid.current_version if bid is not None else None
    if version is None:
        return None
    try:
        content = sealing.open_for_officer(
            tender, bid.id, bid.organisation_id, actor, version.ciphertext
        )
        template = CostTemplate.from_dict(json.loads(tender.cost_template))
        raw = content.get("cost_inputs") or {}
        inputs = {name: Decimal(str(value)) for name, value in raw.items()}
        calculate(template, inputs)
    except (sealing.SealedError, ValueError, TypeError, KeyError, InvalidOperation, AttributeError):
        return None
    words = (
        f"Priced from {contract.organisation.name}'s winning bid for lot {contract.lot.number} "
        f"(receipt {version.receipt_reference}) on {template.title}."
    )
    return Basis("bid", words, template, inputs)


def _benchmark_basis(contract: Contract, effective_on: date) -> Basis | None:
    authority_id = contract.tender.dps.lead_authority_id
    row = db.session.scalar(
        select(AuthorityCostTemplate)
        .where(
            AuthorityCostTemplate.authority_id == authority_id,
            AuthorityCostTemplate.benchmark_year.is_not(None),
            AuthorityCostTemplate.benchmark_year <= financial_year(effective_on),
        )
        .order_by(AuthorityCostTemplate.benchmark_year.desc())
    )
    if row is None:
        return None
    try:
        template = CostTemplate.from_dict(json.loads(row.template))
        calculate(template)
    except (ValueError, TypeError, KeyError):
        return None
    words = (
        f"No readable winning bid, so priced on the benchmark template {row.name} "
        f"({row.benchmark_year}/{str(row.benchmark_year + 1)[-2:]}) scaled to the contract rate."
    )
    return Basis("benchmark", words, template)


def _tender_basis(contract: Contract) -> Basis:
    template = CostTemplate.from_dict(json.loads(contract.tender.cost_template))
    words = (
        f"No readable winning bid or benchmark, so priced on the tender's template "
        f"{template.title} with its defaults, scaled to the contract rate."
    )
    return Basis("tender", words, template)


def uplift_basis(contract: Contract, actor: User, effective_on: date) -> Basis:
    return (
        _bid_basis(contract, actor)
        or _benchmark_basis(contract, effective_on)
        or _tender_basis(contract)
    )
