"""After the award is approved: the standstill ends (by the clock), a challenge holds the award,
and the contracts are recorded per lot and winner; the last one concludes the award.

Who won what is read from the award's snapshot of the results (`AwardDecision.results`), never
recomputed, so contracts always match what was approved and written in the letters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import or_, select

from dps.extensions import db
from dps.models.award import AwardDecision, Contract
from dps.models.organisation import User
from dps.models.tender import Lot, Tender
from dps.services import audit, inbox
from dps.services.notices import link
from dps.services.opening import officer_tender
from dps.services.results_types import LotResult, TenderResults
from dps.state.award import AWARD_TRANSITIONS
from dps.state.calendar import standstill_over
from dps.state.clock import format_london, now
from dps.state.machine import TransitionError, fire

# An award the public may see: approved, whatever happened since.
PUBLIC_STATES = ("approved", "standstill", "standstill_over", "challenged", "concluded")
MAX_DETAILS = 5000
MAX_RATE = Decimal("1000")
MAX_HOURS = Decimal("100000")


class AwardAfterError(Exception):
    """A step after the award that cannot be taken, in words for the officer; `field` names the
    form input it is about (None: the page as a whole)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# Reading ------------------------------------------------------------------------------------


def award_of(tender_id: int) -> AwardDecision | None:
    return db.session.scalar(select(AwardDecision).where(AwardDecision.tender_id == tender_id))


def results_of(award: AwardDecision) -> TenderResults | None:
    """The results as approved, or None if the snapshot cannot be read."""
    try:
        return TenderResults.from_dict(json.loads(award.results or "{}"))
    except (ValueError, KeyError, TypeError, InvalidOperation):
        return None


def officer_award(actor: User, tender_id: int) -> tuple[Tender, AwardDecision] | None:
    """The tender and its award if the officer may work on it and it has one; else None."""
    tender = officer_tender(actor, tender_id)
    award = award_of(tender_id) if tender is not None else None
    return (tender, award) if award is not None else None


def _award_for(actor: User, tender_id: int) -> AwardDecision:
    found = officer_award(actor, tender_id)
    if found is None:
        raise AwardAfterError("This tender has no award to work on.")
    return found[1]


def contracts_of(tender_id: int) -> dict[tuple[int, int], Contract]:
    """The contracts recorded for a tender, by (lot id, organisation id)."""
    rows = db.session.scalars(select(Contract).where(Contract.tender_id == tender_id))
    return {(row.lot_id, row.organisation_id): row for row in rows}


@dataclass(frozen=True)
class Slot:
    """One contract to record: a lot and one of its winners, with the defaults to offer."""

    key: str
    lot: Lot
    lot_result: LotResult
    organisation_id: int
    organisation_name: str
    start_on: date
    end_on: date
    hourly_rate: Decimal | None
    hours_per_week: Decimal
    reference: str
    contract: Contract | None


def _hours_each(lot: Lot) -> Decimal:
    appoint = max(lot.providers_to_appoint or 1, 1)
    return (Decimal(lot.hours_per_week) / appoint).quantize(Decimal("0.01"))


def slots(award: AwardDecision) -> list[Slot]:
    """Every (lot, winner) of the approved results, in lot order then rank order."""
    results = results_of(award)
    if results is None:
        return []
    lots = {lot.id: lot for lot in award.tender.lots}
    recorded = contracts_of(award.tender_id)
    found = []
    for lot_result in sorted(results.lots, key=lambda item: item.number):
        lot = lots.get(lot_result.lot_id)
        if lot is None:
            continue
        bids = {bid.bid_id: bid for bid in lot_result.bids}
        winners = [bids[bid_id] for bid_id in lot_result.winner_bid_ids if bid_id in bids]
        for n, bid in enumerate(winners, start=1):
            found.append(
                Slot(
                    key=f"{lot.id}-{bid.organisation_id}",
                    lot=lot,
                    lot_result=lot_result,
                    organisation_id=bid.organisation_id,
                    organisation_name=bid.organisation_name,
                    start_on=lot.contract_start_on,
                    end_on=lot.contract_end_on,
                    hourly_rate=bid.price,
                    hours_per_week=_hours_each(lot),
                    reference=f"{award.tender.reference}-C{lot.number}-{n}"[:40],
                    contract=recorded.get((lot.id, bid.organisation_id)),
                )
            )
    return found


def _due(award: AwardDecision) -> bool:
    """In standstill and its last UK day is over (or no standstill applies after all)."""
    if award.status != "standstill":
        return False
    if not award.standstill_applies:
        return True
    ends = award.standstill_ends_at
    return ends is not None and standstill_over(ends, now())


def _end_if_due(award: AwardDecision) -> bool:
    """End a due standstill the tick has not reached yet; the caller commits."""
    if not _due(award):
        return False
    fire(AWARD_TRANSITIONS, award, "end_standstill")
    tender = award.tender
    audit.record(
        "award.standstill_ended",
        "award_decision",
        award.id,
        {"tender_id": tender.id, "standstill_ends_at": award.standstill_ends_at},
    )
    inbox.post(
        tender.dps.lead_authority_id,
        f"Standstill over: {tender.reference}",
        f"The standstill period for {tender.reference} {tender.title} ended at "
        f"{format_london(award.standstill_ends_at)}. Unless the award is challenged, you can "
        f"now record the contracts: {link('officer.award_contracts', tender_id=tender.id)}",
        current_app.config["SERVICE_NAME"],
        dedupe_key=f"award:{award.id}:standstill_over",
    )
    return True


def refresh(award: AwardDecision) -> None:
    """Bring the award up to date with the clock before showing or changing it."""
    if _end_if_due(award):
        db.session.commit()


def contracts_blocked(award: AwardDecision) -> str | None:
    """Why contracts cannot be recorded now, or None when they can."""
    if award.status == "challenged":
        return (
            "The award has been challenged, so contracts cannot be recorded until the "
            "challenge is lifted."
        )
    if award.status == "standstill":
        ends = format_london(award.standstill_ends_at) if award.standstill_ends_at else "later"
        return f"Contracts can be recorded once the standstill period ends ({ends})."
    if award.status == "concluded":
        return "Every contract has been recorded and the award is concluded."
    if award.status in ("proposed", "approved"):
        return "Contracts can be recorded once the award is approved and the letters are sent."
    if award.status != "standstill_over":
        return "This award cannot have contracts."
    return None


# The clock ----------------------------------------------------------------------------------


def end_due_standstills() -> int:
    """For `flask dps tick`: end every standstill whose end has passed."""
    candidates = db.session.scalars(
        select(AwardDecision)
        .where(
            AwardDecision.status == "standstill",
            or_(
                AwardDecision.standstill_ends_at <= now(),
                AwardDecision.standstill_applies.is_(False),
            ),
        )
        .order_by(AwardDecision.standstill_ends_at, AwardDecision.id)
    ).all()
    ended = 0
    for award in candidates:
        if _end_if_due(award):
            db.session.commit()
            ended += 1
    return ended


# Challenges ---------------------------------------------------------------------------------


def _text(value: str | None, what: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise AwardAfterError(f"Enter {what}", field)
    if len(text) > MAX_DETAILS:
        raise AwardAfterError(
            f"{what[0].upper()}{what[1:]} must be {MAX_DETAILS} characters or fewer", field
        )
    return text


def record_challenge(tender_id: int, actor: User, details: str) -> AwardDecision:
    """Record a challenge to the award: it holds the award until the challenge is lifted."""
    award = _award_for(actor, tender_id)
    text = _text(details, "the details of the challenge", "details")
    _end_if_due(award)
    try:
        fire(AWARD_TRANSITIONS, award, "challenge", actor=actor, reason=text)
    except TransitionError:
        raise AwardAfterError(
            "A challenge can only be recorded during or after the standstill period, before "
            "the award is concluded, and not while another challenge is recorded."
        ) from None
    audit.record(
        "award.challenged",
        "award_decision",
        award.id,
        {"tender_id": tender_id, "details": text},
        actor=actor,
    )
    db.session.commit()
    return award


def lift_challenge(tender_id: int, actor: User, reason: str) -> AwardDecision:
    """Lift the hold on the award; the challenge stays in the audit log."""
    award = _award_for(actor, tender_id)
    text = _text(reason, "why the challenge is lifted", "reason")
    try:
        fire(AWARD_TRANSITIONS, award, "lift_challenge", actor=actor, reason=text)
    except TransitionError:
        raise AwardAfterError("The award is not challenged.") from None
    audit.record(
        "award.challenge_lifted",
        "award_decision",
        award.id,
        {"tender_id": tender_id, "reason": text, "details": award.challenge_details},
        actor=actor,
    )
    db.session.commit()
    return award


# Contracts ----------------------------------------------------------------------------------


def _money(raw: str | Decimal | None, what: str, field: str, maximum: Decimal) -> Decimal:
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = (raw or "").strip().replace(",", "").lstrip("£").strip()
        if not text:
            raise AwardAfterError(f"Enter {what}", field)
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise AwardAfterError(f"{what[0].upper()}{what[1:]} must be a number", field) from None
    if not value.is_finite():
        raise AwardAfterError(f"{what[0].upper()}{what[1:]} must be a number", field)
    if value <= 0:
        raise AwardAfterError(f"{what[0].upper()}{what[1:]} must be more than 0", field)
    if value > maximum:
        raise AwardAfterError(f"{what[0].upper()}{what[1:]} must be {maximum:,} or less", field)
    if value != value.quantize(Decimal("0.01")):
        raise AwardAfterError(f"{what[0].upper()}{what[1:]} can have up to 2 decimal places", field)
    return value.quantize(Decimal("0.01"))


def record_contract(
    tender_id: int,
    actor: User,
    *,
    lot_id: int,
    organisation_id: int,
    start_on: date | None,
    end_on: date | None,
    hourly_rate: str | Decimal | None,
    hours_per_week: str | Decimal | None,
    reference: str | None,
) -> Contract:
    """Record the contract of one winner of one lot; the last one concludes the award."""
    award = _award_for(actor, tender_id)
    _end_if_due(award)
    blocked = contracts_blocked(award)
    if blocked:
        db.session.commit()  # keep the standstill ending, if that just happened
        raise AwardAfterError(blocked)
    slot = next(
        (s for s in slots(award) if s.lot.id == lot_id and s.organisation_id == organisation_id),
        None,
    )
    if slot is None:
        raise AwardAfterError("That provider did not win that lot, so it cannot have a contract.")
    if slot.contract is not None:
        raise AwardAfterError(f"The contract {slot.contract.reference} is already recorded.")
    if start_on is None:
        raise AwardAfterError("Enter the start date", "start_on")
    if end_on is None:
        raise AwardAfterError("Enter the end date", "end_on")
    if end_on <= start_on:
        raise AwardAfterError("The end date must be after the start date", "end_on")
    rate = _money(hourly_rate, "the hourly rate", "hourly_rate", MAX_RATE)
    hours = _money(hours_per_week, "the hours a week", "hours_per_week", MAX_HOURS)
    ref = (reference or "").strip()
    if not ref:
        raise AwardAfterError("Enter the contract reference", "reference")
    if len(ref) > 40:
        raise AwardAfterError("The contract reference must be 40 characters or fewer", "reference")
    if db.session.scalar(select(Contract.id).where(Contract.reference == ref)) is not None:
        raise AwardAfterError(
            f"The reference {ref} is already used by another contract", "reference"
        )
    contract = Contract(
        tender_id=tender_id,
        lot_id=lot_id,
        organisation_id=organisation_id,
        reference=ref,
        start_on=start_on,
        end_on=end_on,
        hourly_rate=rate,
        hours_per_week=hours,
        recorded_by_id=actor.id,
        recorded_at=now(),
    )
    db.session.add(contract)
    db.session.flush()
    audit.record(
        "contract.recorded",
        "contract",
        contract.id,
        {
            "tender_id": tender_id,
            "reference": ref,
            "lot_id": lot_id,
            "organisation_id": organisation_id,
            "start_on": start_on.isoformat(),
            "end_on": end_on.isoformat(),
            "hourly_rate": str(rate),
            "hours_per_week": str(hours),
        },
        actor=actor,
    )
    if all(s.contract is not None for s in slots(award)):
        fire(AWARD_TRANSITIONS, award, "conclude", actor=actor, contracts_recorded=True)
        audit.record(
            "award.concluded",
            "award_decision",
            award.id,
            {"tender_id": tender_id, "contracts": len(contracts_of(tender_id))},
            actor=actor,
        )
    db.session.commit()
    return contract


# The public ---------------------------------------------------------------------------------


def public_award(reference: str) -> tuple[Tender, AwardDecision] | None:
    """A published tender's award, once approved; else None (404)."""
    tender = db.session.scalar(select(Tender).where(Tender.reference == reference))
    if tender is None or tender.published_at is None:
        return None
    award = award_of(tender.id)
    if award is None or award.status not in PUBLIC_STATES or results_of(award) is None:
        return None
    return tender, award


def weekly_value(contract: Contract) -> Decimal:
    return (contract.hourly_rate * contract.hours_per_week).quantize(Decimal("0.01"))


def standstill_running(award: AwardDecision) -> bool:
    return award.status == "standstill" and not _due(award)
