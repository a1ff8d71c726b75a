"""A contract's rate changes (approved uplifts) as OCDS amendments: `dps.ocds.awards.RateChange`.

Dated when the change was recorded (the approval), with the uplift and its effective date as the
rationale, so a reader sees when the published rate changed and why.
"""

from __future__ import annotations

from sqlalchemy import select

from dps.extensions import db
from dps.models.award import Contract
from dps.models.cost_of_care import ContractRateChange
from dps.ocds.awards import RateChange
from dps.ocds.packaging import lot_id
from dps.state.clock import format_date


def rate_changes(contract: Contract) -> tuple[RateChange, ...]:
    """Every recorded change of the contract's hourly rate, oldest first."""
    rows = db.session.scalars(
        select(ContractRateChange)
        .where(ContractRateChange.contract_id == contract.id)
        .order_by(ContractRateChange.recorded_at, ContractRateChange.id)
    )
    changes = []
    for row in rows:
        title = row.uplift.title if row.uplift is not None else "A change of the hourly rate"
        changes.append(
            RateChange(
                id=f"{contract.reference}-rate-{row.id}",
                date=row.recorded_at,
                rate_before=row.old_rate,
                rate_after=row.new_rate,
                rationale=(
                    f"{title}: the annual uplift of contract rates, from "
                    f"{format_date(row.effective_on, weekday=False)}."
                ),
                lot_ids=(lot_id(contract.lot.number),),
            )
        )
    return tuple(changes)
