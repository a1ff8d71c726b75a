"""The uplift notice to one provider: its contracts' new rates, in its inbox and by e-mail.

One job per provider per round (ids only). The dedupe keys make a rerun (a retry, a second
worker) send nothing twice.
"""

from __future__ import annotations

from sqlalchemy import select

from dps.extensions import db
from dps.jobs.context import app_context
from dps.models.award import Contract
from dps.models.cost_of_care import ContractRateChange, UpliftRound
from dps.models.organisation import Organisation
from dps.services.notices import long_date, tell_organisation
from evaluation.money import money


def uplift_text(round_: UpliftRound, changes: list[ContractRateChange]) -> tuple[str, str]:
    """The subject and body of the notice to one provider."""
    subject = f"New hourly rates from {long_date(round_.effective_on)}: {round_.title}"
    lines = "\n".join(
        f"- Contract {change.contract.reference} (lot {change.contract.lot.number}, "
        f"{change.contract.tender.title}): from £{money(change.old_rate)} to "
        f"£{money(change.new_rate)} an hour"
        for change in changes
    )
    workings = "\n\n".join(
        f"How the rate of {change.contract.reference} was worked out:\n{change.explanation}"
        for change in changes
    )
    body = (
        f"{round_.authority.name} has approved an uplift of contract rates: {round_.title}.\n\n"
        f"From {long_date(round_.effective_on)} your hourly rates are:\n{lines}\n\n"
        f"{workings}\n\n"
        "Contact the council if you think a rate is wrong."
    )
    return subject, body


def notify_uplift(uplift_id: int, organisation_id: int) -> int:
    """Tell one provider its new rates; returns how many contracts the notice lists."""
    with app_context():
        round_ = db.session.get(UpliftRound, uplift_id)
        organisation = db.session.get(Organisation, organisation_id)
        if round_ is None or organisation is None or round_.status != "approved":
            return 0
        changes = list(
            db.session.scalars(
                select(ContractRateChange)
                .join(Contract, ContractRateChange.contract_id == Contract.id)
                .where(
                    ContractRateChange.uplift_id == uplift_id,
                    Contract.organisation_id == organisation_id,
                )
                .order_by(Contract.reference)
            )
        )
        if not changes:
            return 0
        subject, body = uplift_text(round_, changes)
        tell_organisation(
            organisation_id,
            subject,
            body,
            round_.authority.name,
            dedupe_key=f"uplift:{uplift_id}:{organisation_id}",
        )
        db.session.commit()
        return len(changes)
