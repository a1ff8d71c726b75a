"""Awards, contracts and amendments: plain data in, OCDS dicts out.

The award and contract stages fill in these dataclasses; the builders know nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from dps.ocds.entries import (
    ItemData,
    Parties,
    Party,
    compact,
    day_end,
    day_start,
    instant,
    item_entry,
    money,
    period,
)


@dataclass(frozen=True)
class AwardData:
    """An award as plain data. ``status`` is OCDS's: pending, active, cancelled, unsuccessful."""

    id: str
    status: str
    suppliers: tuple[Party, ...]
    lot_ids: tuple[str, ...] = ()
    date: datetime | None = None
    title: str | None = None
    description: str | None = None
    items: tuple[ItemData, ...] = ()
    contract_start_on: date | None = None
    contract_end_on: date | None = None


def award_entries(awards: Iterable[AwardData], parties: Parties) -> list[dict]:
    """release.awards; each supplier joins ``parties`` with the role supplier."""
    entries = []
    for award in awards:
        suppliers = [parties.add(supplier, "supplier") for supplier in award.suppliers]
        contract_period = period(
            day_start(award.contract_start_on) if award.contract_start_on else None,
            day_end(award.contract_end_on) if award.contract_end_on else None,
        )
        entries.append(
            compact(
                {
                    "id": award.id,
                    "title": award.title,
                    "description": award.description,
                    "status": award.status,
                    "date": instant(award.date) if award.date else None,
                    "suppliers": suppliers,
                    "items": [item_entry(item) for item in award.items],
                    "contractPeriod": contract_period,
                    "relatedLots": list(award.lot_ids),
                }
            )
        )
    return entries


@dataclass(frozen=True)
class RateChange:
    """A change of a contract's hourly rate (an uplift), published as an amendment."""

    id: str
    date: datetime
    rate_before: Decimal
    rate_after: Decimal
    rationale: str
    lot_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContractData:
    """A contract as plain data. ``status`` is OCDS's: pending, active, cancelled, terminated.

    The items carry the current hourly rate; ``rate_changes`` say how it got there.
    """

    id: str
    award_id: str
    status: str
    start_on: date
    end_on: date
    title: str | None = None
    date_signed: datetime | None = None
    items: tuple[ItemData, ...] = ()
    rate_changes: tuple[RateChange, ...] = ()


def amendment_entry(change: RateChange) -> dict:
    before, after = money(change.rate_before)["amount"], money(change.rate_after)["amount"]
    return compact(
        {
            "id": change.id,
            "date": instant(change.date),
            "rationale": change.rationale,
            "description": f"The hourly rate changed from £{before:.2f} to £{after:.2f}.",
            "relatedLots": list(change.lot_ids),
        }
    )


def contract_entries(contracts: Iterable[ContractData]) -> list[dict]:
    """release.contracts, with their periods, the award each comes from, and rate changes."""
    return [
        compact(
            {
                "id": contract.id,
                "awardID": contract.award_id,
                "title": contract.title,
                "status": contract.status,
                "period": period(day_start(contract.start_on), day_end(contract.end_on)),
                "dateSigned": instant(contract.date_signed) if contract.date_signed else None,
                "items": [item_entry(item) for item in contract.items],
                "amendments": [amendment_entry(change) for change in contract.rate_changes],
            }
        )
        for contract in contracts
    ]


def release_tags(stage_tag: str, awards: Sequence[dict], contracts: Sequence[dict]) -> list[str]:
    """The release's tags: its tender stage, plus award, contract and contractAmendment."""
    tags = [stage_tag]
    if awards:
        tags.append("award")
    if contracts:
        tags.append("contract")
    if any(contract.get("amendments") for contract in contracts):
        tags.append("contractAmendment")
    return tags
