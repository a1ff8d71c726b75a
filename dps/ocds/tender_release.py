"""The release for a tender: lots, award criteria, bid counts, and later awards and contracts."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select

from dps.extensions import db
from dps.models import (
    Bid,
    DynamicPurchasingSystem,
    Invitation,
    Organisation,
    Tender,
    TenderClarification,
)
from dps.ocds import entries
from dps.ocds.awards import (
    AwardData,
    ContractData,
    award_entries,
    contract_entries,
    release_tags,
)
from dps.ocds.entries import ItemData, LotCounts, Parties, QuestionData
from dps.ocds.packaging import (
    PUBLIC_DPS_STATES,
    dps_technique,
    latest,
    lot_id,
    ocid,
    package_of,
    package_uri,
    party,
    release_id,
    service_class,
    zone_class,
)
from dps.services.dps_setup import REGIME_SETUP
from dps.state.clock import now

# Our tender status: (OCDS tender.status, release tag). A state added later reads as an update.
TENDER_STAGES = {
    "published": ("active", "tender"),
    "closed": ("active", "tenderUpdate"),
    "opened": ("active", "tenderUpdate"),
    "in_evaluation": ("active", "tenderUpdate"),
    "awarded": ("complete", "tenderUpdate"),
    "cancelled": ("cancelled", "tenderCancellation"),
}
_UPDATE = ("active", "tenderUpdate")
BIDS_FINAL_STATES = ("closed", "opened", "in_evaluation", "awarded", "cancelled")


def bids_are_final(tender: Tender) -> bool:
    """Bids can no longer change: closed (or later) and past the closing time."""
    return (
        tender.status in BIDS_FINAL_STATES
        and tender.closing_at is not None
        and tender.closing_at <= now()
    )


def last_change(
    tender: Tender, awards: Iterable[AwardData] = (), contracts: Iterable[ContractData] = ()
) -> datetime:
    """When what the release shows last changed."""
    closing = tender.closing_at if bids_are_final(tender) else None
    later = [award.date for award in awards]
    for contract in contracts:
        later.append(contract.date_signed)
        later.extend(change.date for change in contract.rate_changes)
    return latest(tender.published_at, closing, tender.opened_at, *later)


def _submitted_bids(tender_id: int) -> list[tuple[int, Organisation]]:
    """(lot id, organisation) of every submitted bid: rows only, nothing is decrypted."""
    rows = db.session.execute(
        select(Bid.lot_id, Organisation)
        .join(Organisation, Bid.organisation_id == Organisation.id)
        .where(Bid.tender_id == tender_id, Bid.status == "submitted")
        .order_by(func.lower(Organisation.name), Organisation.id, Bid.lot_id)
    )
    return [(lot_db_id, organisation) for lot_db_id, organisation in rows]


def _invitations_per_lot(tender_id: int) -> Counter:
    """How many providers were invited to bid for each lot (by lot database id)."""
    counts: Counter = Counter()
    query = select(Invitation.lot_ids).where(Invitation.tender_id == tender_id)
    for raw in db.session.scalars(query):
        try:
            lot_ids = json.loads(raw or "[]")
        except ValueError:
            continue
        if isinstance(lot_ids, list):
            counts.update({int(x) for x in lot_ids if str(x).isdigit()})
    return counts


def _lot_counts(tender: Tender, bids: list[tuple[int, Organisation]] | None) -> list[LotCounts]:
    invitations = _invitations_per_lot(tender.id)
    per_lot = Counter(lot_db_id for lot_db_id, _ in bids or [])
    sme = Counter(
        lot_db_id for lot_db_id, org in bids or [] if (org.size or "") in entries.SME_SIZES
    )
    final = bids is not None
    return [
        LotCounts(
            lot_id=lot_id(lot.number),
            invitations=invitations[lot.id],
            bids=per_lot[lot.id] if final else None,
            sme_bids=sme[lot.id] if final else None,
        )
        for lot in tender.lots
    ]


def _questions(tender: Tender) -> list[QuestionData]:
    return [
        QuestionData(
            number=question.number,
            text=question.text,
            weight=question.weight,
            max_mark=question.max_mark,
            min_mark=question.min_mark,
            marked_by_panel=question.marked_by == "panel",
        )
        for question in tender.questions
    ]


def _lots_and_items(tender: Tender, status: str) -> tuple[list[dict], list[dict]]:
    """(lots, items): each lot has one item, the category in the lot's zones."""
    criteria = entries.award_criteria(
        tender.quality_weight, tender.price_weight, _questions(tender)
    )
    lots, items = [], []
    for lot in tender.lots:
        zones = ", ".join(zone.label for zone in lot.zones) or "No zones given"
        hours = entries.number(lot.hours_per_week)
        appoint = lot.providers_to_appoint
        lots.append(
            entries.compact(
                {
                    "id": lot_id(lot.number),
                    "title": lot.title or None,
                    "description": f"{zones}. About {hours} hours of care a week; {appoint} "
                    f"provider{'' if appoint == 1 else 's'} to appoint.",
                    "status": status,
                    "contractPeriod": entries.period(
                        entries.day_start(lot.contract_start_on),
                        entries.day_end(lot.contract_end_on),
                    ),
                    "awardCriteria": criteria,
                }
            )
        )
        items.append(
            entries.item_entry(
                ItemData(
                    id=f"item-{lot.number}",
                    description=f"{tender.category.name}: about {hours} hours a week in {zones}",
                    service=service_class(tender.category),
                    zones=tuple(zone_class(zone) for zone in lot.zones),
                    hours_per_week=lot.hours_per_week,
                    lot_id=lot_id(lot.number),
                )
            )
        )
    return lots, items


def _contract_period(tender: Tender) -> dict | None:
    starts = [lot.contract_start_on for lot in tender.lots] or [tender.contract_start_on]
    starts = [day for day in starts if day is not None]
    ends = [lot.contract_end_on for lot in tender.lots]
    return entries.period(
        entries.day_start(min(starts)) if starts else None,
        entries.day_end(max(ends)) if ends else None,
    )


def _related_dps(dps: DynamicPurchasingSystem) -> list[dict]:
    """The DPS this tender calls off from, as a related process (OCDS "framework")."""
    if dps.status not in PUBLIC_DPS_STATES:
        return []
    return [
        {
            "id": "dps",
            "relationship": ["framework"],
            "title": dps.title,
            "scheme": "ocid",
            "identifier": ocid("dps", dps.reference),
            "uri": package_uri("dps", dps.reference),
        }
    ]


def _optional_instant(moment: datetime | None) -> str | None:
    return entries.instant(moment) if moment else None


def _tender_entry(tender: Tender, lead: dict, status: str, tenderers: list[dict] | None) -> dict:
    dps = tender.dps
    lots, items = _lots_and_items(tender, status)
    quality, price = entries.number(tender.quality_weight), entries.number(tender.price_weight)
    enquiries = db.session.scalar(
        select(func.count(TenderClarification.id)).where(TenderClarification.tender_id == tender.id)
    )
    award_day = tender.award_on
    return entries.compact(
        {
            "id": tender.reference,
            "title": tender.title or None,
            "description": tender.description or None,
            "status": status,
            "procuringEntity": lead,
            "items": items,
            "mainProcurementCategory": "services",
            "procurementMethod": "selective",
            "procurementMethodDetails": "Competition among the members of the dynamic "
            f"purchasing system {dps.reference} ({REGIME_SETUP[dps.regime].short_name})",
            "awardCriteria": "ratedCriteria",
            "awardCriteriaDetails": f"The most advantageous bid for each lot: quality "
            f"{quality}%, price {price}%.",
            "submissionMethod": ["electronicSubmission"],
            "tenderPeriod": entries.period(
                _optional_instant(tender.published_at), _optional_instant(tender.closing_at)
            ),
            "enquiryPeriod": entries.period(
                _optional_instant(tender.published_at),
                _optional_instant(tender.clarification_deadline),
            ),
            "hasEnquiries": bool(enquiries),
            "awardPeriod": entries.period(
                entries.day_start(award_day) if award_day else None,
                entries.day_end(award_day) if award_day else None,
            ),
            "contractPeriod": _contract_period(tender),
            "numberOfTenderers": len(tenderers) if tenderers is not None else None,
            "tenderers": tenderers,
            "lots": lots,
            "lotDetails": {"maximumLotsAwardedPerSupplier": tender.max_lots_per_provider}
            if tender.max_lots_per_provider
            else None,
            "techniques": dps_technique(dps),
            "competitive": True,
        }
    )


def tender_release(
    tender: Tender, awards: Iterable[AwardData] = (), contracts: Iterable[ContractData] = ()
) -> dict:
    """The tender's release; awards and contracts, once there are any, come in as plain data."""
    awards, contracts = tuple(awards), tuple(contracts)
    process_id = ocid("tender", tender.reference)
    status, stage_tag = TENDER_STAGES.get(tender.status, _UPDATE)
    as_of = last_change(tender, awards, contracts)
    parties = Parties()
    lead = parties.add(party(tender.dps.lead_authority), "buyer", "procuringEntity")
    bids = _submitted_bids(tender.id) if bids_are_final(tender) else None
    tenderers = None
    if bids is not None:
        organisations = {organisation.id: organisation for _, organisation in bids}
        tenderers = [parties.add(party(org), "tenderer") for org in organisations.values()]
    tender_entry = _tender_entry(tender, lead, status, tenderers)
    award_list = award_entries(awards, parties)
    contract_list = contract_entries(contracts)
    lot_counts = _lot_counts(tender, bids)
    bidders = len(tenderers) if tenderers is not None else None
    statistics = entries.bid_statistics(lot_counts, bidders, as_of)
    return entries.compact(
        {
            "ocid": process_id,
            "id": release_id(process_id, tender.status, as_of),
            "date": entries.instant(as_of),
            "tag": release_tags(stage_tag, award_list, contract_list),
            "initiationType": "tender",
            "language": "en",
            "parties": parties.entries(),
            "buyer": lead,
            "tender": tender_entry,
            "bids": {"statistics": statistics} if statistics else None,
            "awards": award_list,
            "contracts": contract_list,
            "relatedProcesses": _related_dps(tender.dps),
        }
    )


def tender_release_package(
    tender: Tender,
    awards: Iterable[AwardData] | None = None,
    contracts: Iterable[ContractData] | None = None,
) -> dict:
    """The tender's release package (one release: the process as it stands). Without awards
    and contracts given, they are read from the tender's approved award and its contracts."""
    if awards is None and contracts is None:
        from dps.ocds.tender_awards import tender_awards

        awards, contracts = tender_awards(tender)
    release = tender_release(tender, awards or (), contracts or ())
    return package_of(release, "tender", tender.reference)
