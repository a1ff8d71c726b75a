"""A tender's awards and contracts as plain OCDS data, read from the approved award decision.

One award per lot that has winners (``relatedLots``), from the results as approved; it is
``pending`` while the standstill runs or a challenge holds it, ``active`` after. Each recorded
contract points at its lot's award and carries the hourly rate and hours a week.
"""

from __future__ import annotations

from sqlalchemy import select

from dps.extensions import db
from dps.models import Organisation, Tender
from dps.models.award import AwardDecision, Contract
from dps.ocds.amendments import rate_changes
from dps.ocds.awards import AwardData, ContractData
from dps.ocds.entries import ItemData
from dps.ocds.packaging import lot_id, party, service_class, zone_class
from dps.services.award_after import PUBLIC_STATES, results_of

# Our award status -> OCDS award status.
AWARD_STATUS = {
    "approved": "pending",
    "standstill": "pending",
    "challenged": "pending",
    "standstill_over": "active",
    "concluded": "active",
}


def award_id(lot_number: int) -> str:
    return f"award-{lot_number}"


def _item(tender: Tender, lot, item_id: str, hours=None, rate=None) -> ItemData:
    zones = ", ".join(zone.label for zone in lot.zones) or "No zones given"
    return ItemData(
        id=item_id,
        description=f"{tender.category.name} in {zones}",
        service=service_class(tender.category),
        zones=tuple(zone_class(zone) for zone in lot.zones),
        hours_per_week=hours,
        hourly_rate=rate,
        lot_id=lot_id(lot.number),
    )


def tender_awards(tender: Tender) -> tuple[list[AwardData], list[ContractData]]:
    """(awards, contracts) for the tender's release; both empty before the award is approved."""
    award = db.session.scalar(select(AwardDecision).where(AwardDecision.tender_id == tender.id))
    results = results_of(award) if award is not None else None
    if award is None or award.status not in PUBLIC_STATES or results is None:
        return [], []
    lots = {lot.id: lot for lot in tender.lots}
    contracts = list(
        db.session.scalars(
            select(Contract).where(Contract.tender_id == tender.id).order_by(Contract.id)
        )
    )
    winner_ids = {
        bid.organisation_id
        for lot_result in results.lots
        for bid in lot_result.bids
        if bid.bid_id in lot_result.winner_bid_ids
    }
    organisations = {
        org.id: org
        for org in db.session.scalars(select(Organisation).where(Organisation.id.in_(winner_ids)))
    }
    awards, contract_data = [], []
    for lot_result in sorted(results.lots, key=lambda item: item.number):
        lot = lots.get(lot_result.lot_id)
        bids = {bid.bid_id: bid for bid in lot_result.bids}
        winners = [bids[bid_id] for bid_id in lot_result.winner_bid_ids if bid_id in bids]
        winners = [bid for bid in winners if bid.organisation_id in organisations]
        if lot is None or not winners:
            continue
        lot_contracts = [c for c in contracts if c.lot_id == lot.id]
        awards.append(
            AwardData(
                id=award_id(lot.number),
                status=AWARD_STATUS[award.status],
                suppliers=tuple(party(organisations[bid.organisation_id]) for bid in winners),
                lot_ids=(lot_id(lot.number),),
                date=award.approved_at,
                title=f"Lot {lot.number}: {lot.title}",
                items=(_item(tender, lot, f"{award_id(lot.number)}-item", lot.hours_per_week),),
                contract_start_on=min((c.start_on for c in lot_contracts), default=None)
                or lot.contract_start_on,
                contract_end_on=max((c.end_on for c in lot_contracts), default=None)
                or lot.contract_end_on,
            )
        )
        for contract in lot_contracts:
            contract_data.append(
                ContractData(
                    id=contract.reference,
                    award_id=award_id(lot.number),
                    status="active",
                    start_on=contract.start_on,
                    end_on=contract.end_on,
                    title=f"Lot {lot.number}: {contract.organisation.name}",
                    date_signed=contract.recorded_at,
                    rate_changes=rate_changes(contract),
                    items=(
                        _item(
                            tender,
                            lot,
                            f"{contract.reference}-item",
                            contract.hours_per_week,
                            contract.hourly_rate,
                        ),
                    ),
                )
            )
    return awards, contract_data
