"""Bids: invited tenders, drafts sealed as they are saved, submission with a receipt, withdrawal.

Bid content is only ever stored sealed (`dps.services.sealing`): drafts in bid.draft_ciphertext,
each submission as a BidVersion. Audit records, inbox messages and e-mails name the lot and the
receipt reference and digest, never an answer or a price. The closing-time rule lives in the
BID_TRANSITIONS guards; the content rules in `dps.services.bid_content`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NoReturn

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from dps.extensions import db
from dps.models.bid import Bid, BidVersion
from dps.models.organisation import User
from dps.models.tender import Invitation, Lot, Tender, TenderDocument
from dps.services import audit, bid_receipts, sealing
from dps.services.bid_content import (
    Assessment,
    BidError,
    BidFacts,
    QuestionFacts,
    assess,
    clean,
    empty_content,
    problems_before_submission,
    typed_to_engine,
)
from dps.state.clock import now
from dps.state.machine import TransitionError, fire
from dps.state.tender import BID_TRANSITIONS
from evaluation.costs import CostTemplate

# Receipts and times, re-exported for the views.
receipt_time = bid_receipts.receipt_time
time_left_words = bid_receipts.time_left_words


class BidNotFound(BidError):
    """Not this organisation's to see: not invited, not its lot, or not its bid (views: 404)."""


@dataclass
class LotEntry:
    lot: Lot
    bid: Bid | None


@dataclass
class InvitedTender:
    tender: Tender
    invitation: Invitation
    lots: list[LotEntry] = field(default_factory=list)


@dataclass
class BidView:
    """Everything a bid page shows: decrypted for the bidder only."""

    tender: Tender
    lot: Lot
    bid: Bid | None
    facts: BidFacts
    content: dict[str, Any]
    editable: bool

    @property
    def latest(self) -> BidVersion | None:
        return self.bid.versions[-1] if self.bid and self.bid.versions else None

    @property
    def changed_since_submission(self) -> bool:
        latest = self.latest
        return latest is not None and latest.digest != sealing.digest(self.content)

    @property
    def assessment(self) -> Assessment:
        return assess(self.content, self.facts)

    @property
    def problems(self) -> dict[str, str]:
        return problems_before_submission(self.content, self.facts)


@dataclass(frozen=True)
class SaveResult:
    warnings: list[str]


# --- what a provider may see -------------------------------------------------------------------


def _invitation(tender_id: int, organisation_id: int) -> Invitation | None:
    """The invitation with its tender (every caller reads it): one query, not two."""
    return db.session.scalar(
        select(Invitation)
        .options(joinedload(Invitation.tender))
        .where(Invitation.tender_id == tender_id, Invitation.organisation_id == organisation_id)
    )


def _invited_lots(invitation: Invitation) -> list[Lot]:
    lot_ids = {int(lot_id) for lot_id in json.loads(invitation.lot_ids or "[]")}
    return [lot for lot in invitation.tender.lots if lot.id in lot_ids]


def _bids_by_lot(tender_id: int, organisation_id: int) -> dict[int, Bid]:
    bids = db.session.scalars(
        select(Bid).where(Bid.tender_id == tender_id, Bid.organisation_id == organisation_id)
    )
    return {bid.lot_id: bid for bid in bids}


def _entry(invitation: Invitation) -> InvitedTender:
    bids = _bids_by_lot(invitation.tender_id, invitation.organisation_id)
    lots = [LotEntry(lot, bids.get(lot.id)) for lot in _invited_lots(invitation)]
    return InvitedTender(invitation.tender, invitation, lots)


def tenders_for(organisation_id: int) -> list[InvitedTender]:
    """The tenders the organisation is invited to, newest closing first, with its bids."""
    invitations = db.session.scalars(
        select(Invitation)
        .join(Tender, Tender.id == Invitation.tender_id)
        .where(Invitation.organisation_id == organisation_id, Tender.status != "draft")
        .order_by(Tender.closing_at.desc(), Tender.id.desc())
    )
    return [_entry(invitation) for invitation in invitations]


def invited_tender(tender_id: int, organisation_id: int) -> InvitedTender | None:
    invitation = _invitation(tender_id, organisation_id)
    if invitation is None or invitation.tender.status == "draft":
        return None
    return _entry(invitation)


def tender_document(tender_id: int, organisation_id: int, tender_document_id: int):
    """A document of a tender the organisation is invited to (None: views answer 404)."""
    if invited_tender(tender_id, organisation_id) is None:
        return None
    item = db.session.get(TenderDocument, tender_document_id)
    return item.document if item is not None and item.tender_id == tender_id else None


def _invited_lot(tender_id: int, lot_id: int, organisation_id: int) -> tuple[Tender, Lot]:
    invitation = _invitation(tender_id, organisation_id)
    if invitation is None or invitation.tender.status == "draft":
        raise BidNotFound("You are not invited to this tender.")
    invited_ids = {item.id for item in _invited_lots(invitation)}  # loads the tender's lots
    lot = db.session.get(Lot, lot_id)
    if lot is None or lot.tender_id != tender_id:
        raise BidNotFound("That lot is not part of this tender.")
    if lot.id not in invited_ids:
        raise BidNotFound("You are not invited to bid for that lot.")
    return invitation.tender, lot


def facts_for(tender: Tender, lot: Lot | None) -> BidFacts:
    """The tender's rules for a bid on a lot; with no lot, the period covering every lot."""
    lots = [lot] if lot is not None else list(tender.lots)
    return BidFacts(
        questions=tuple(
            QuestionFacts(q.id, q.number, q.text, q.word_limit) for q in tender.questions
        ),
        template=CostTemplate.from_dict(json.loads(tender.cost_template)),
        ask_call_rates=tender.ask_call_length_rates,
        zones=tuple((zone.code, zone.label) for item in lots for zone in item.zones),
        contract_start=min(item.contract_start_on for item in lots),
        contract_end=max(item.contract_end_on for item in lots),
        # The tender's cost-of-care benchmark; without one nothing is "abnormally low".
        benchmark_rate=tender.benchmark_rate,
    )


def _open_content(bid: Bid) -> dict[str, Any]:
    if bid.draft_ciphertext is None:
        return empty_content()
    return sealing.open_for_bidder(
        bid.tender, bid.id, bid.organisation_id, bid.organisation_id, bid.draft_ciphertext
    )


def _editable(tender: Tender) -> bool:
    return (
        tender.status == "published"
        and tender.closing_at is not None
        and (now() < tender.closing_at)
    )


def bid_view(tender_id: int, lot_id: int, organisation_id: int) -> BidView:
    """The organisation's bid for a lot it is invited to (bid None if not started)."""
    tender, lot = _invited_lot(tender_id, lot_id, organisation_id)
    bid = db.session.scalar(
        select(Bid).where(Bid.lot_id == lot.id, Bid.organisation_id == organisation_id)
    )
    content = _open_content(bid) if bid is not None else empty_content()
    return BidView(tender, lot, bid, facts_for(tender, lot), content, _editable(tender))


def breakdown(content: dict[str, Any], tender: Tender, lot: Lot | None = None) -> Assessment:
    """The engine's calculation of a bid's price and its viability findings.

    content is a bid's (decrypted) content; the National Living Wage is checked over the lot's
    contract period (with no lot, over the period of all the tender's lots).
    """
    return assess(content, facts_for(tender, lot))


# --- changing a bid ----------------------------------------------------------------------------


def _fire(bid: Bid, event: str) -> None:
    try:
        fire(BID_TRANSITIONS, bid, event)
    except TransitionError as error:
        db.session.rollback()
        raise BidError(str(error)) from None


def start_or_resume_bid(
    tender_id: int, lot_id: int, organisation_id: int, actor: User | None = None
) -> Bid:
    """The organisation's bid for the lot, created as an empty sealed draft the first time."""
    tender, lot = _invited_lot(tender_id, lot_id, organisation_id)
    existing = db.session.scalar(
        select(Bid).where(Bid.lot_id == lot.id, Bid.organisation_id == organisation_id)
    )
    if existing is not None:
        return existing
    bid = Bid(tender=tender, lot=lot, organisation_id=organisation_id, status="draft")
    _fire(bid, "save")
    db.session.add(bid)
    try:
        db.session.flush()
    except IntegrityError:  # started at the same moment in another tab
        db.session.rollback()
        return db.session.scalar(
            select(Bid).where(Bid.lot_id == lot.id, Bid.organisation_id == organisation_id)
        )
    _seal_draft(bid, empty_content())
    audit.record("bid.started", "bid", bid.id, _where(bid), actor=actor)
    db.session.commit()
    return bid


def _own_bid(bid_id: int, organisation_id: int, lock: bool = False) -> Bid:
    """The organisation's bid, if it is (still) invited to the tender; one query."""
    invited = (
        select(Invitation.id)
        .where(Invitation.tender_id == Bid.tender_id, Invitation.organisation_id == organisation_id)
        .exists()
    )
    query = select(Bid).where(Bid.id == bid_id, Bid.organisation_id == organisation_id, invited)
    if lock:  # and refreshed: the page may have loaded the bid before the lock was granted
        query = query.with_for_update(of=Bid).execution_options(populate_existing=True)
    bid = db.session.scalar(query)
    if bid is None:
        raise BidNotFound("There is no such bid.")
    return bid


def _where(bid: Bid) -> dict[str, Any]:
    """What an audit record may say about a bid: where it is, never what it says."""
    return {"tender": bid.tender.reference, "lot": bid.lot.number}


def _seal_draft(bid: Bid, content: dict[str, Any]) -> None:
    bid.draft_ciphertext = sealing.seal(bid.tender, bid.id, bid.organisation_id, content)
    bid.draft_saved_at = now()


def save_draft(
    bid_id: int, organisation_id: int, actor: User | None, content: dict[str, Any]
) -> SaveResult:
    """Check and seal the whole draft; refused input changes nothing already saved."""
    bid = _own_bid(bid_id, organisation_id)
    facts = facts_for(bid.tender, bid.lot)
    _fire(bid, "save")
    try:
        cleaned, warnings = clean(content, facts)
    except BidError:
        db.session.rollback()
        raise
    _seal_draft(bid, cleaned)
    audit.record("bid.draft_saved", "bid", bid.id, _where(bid), actor=actor)
    db.session.commit()
    return SaveResult(warnings)


def _merge(content: dict[str, Any], section: str, values: dict[str, Any], facts: BidFacts) -> None:
    """Apply one page of the bid to the content (what each page of the journey changes)."""
    if section == "answer":
        content["answers"][str(values["question_id"])] = values.get("text") or ""
    elif section == "costs":
        content["cost_inputs"] = typed_to_engine(values, facts)
    elif section == "call_rates":
        content["call_rates"] = {str(m): v for m, v in values.items() if (v or "").strip()}
    elif section == "capacity":
        content["capacity_hours"] = values.get("capacity_hours")
    elif section == "add_partner":
        content["subcontractors"] = [*(content["subcontractors"] or []), dict(values)]
    elif section == "remove_partner":
        partners = list(content["subcontractors"] or [])
        if 0 <= values["index"] < len(partners):
            partners.pop(values["index"])
        content["subcontractors"] = partners
    elif section == "partners_done":
        content["subcontractors"] = content["subcontractors"] or []
    else:
        raise ValueError(f"unknown section {section!r}")


def update_draft(
    bid_id: int, organisation_id: int, actor: User | None, section: str, values: dict[str, Any]
) -> SaveResult:
    """Save one page of the bid: the current draft with that page's values merged in."""
    bid = _own_bid(bid_id, organisation_id)
    facts = facts_for(bid.tender, bid.lot)
    content = _open_content(bid)
    _merge(content, section, values, facts)
    return save_draft(bid_id, organisation_id, actor, content)


# What a receipt shows of a version; fixed when it is written.
_RECEIPT_FIELDS = ("id", "bid_id", "version", "receipt_reference", "digest", "submitted_at")


def _refuse_twice() -> NoReturn:
    """The same bid submitted twice at once: the first one stands."""
    db.session.rollback()
    raise BidError(
        "Your bid was submitted from somewhere else at the same moment. "
        "Check its versions before trying again."
    ) from None


def submit(bid_id: int, organisation_id: int, actor: User) -> BidVersion:
    """Submit (or replace) the bid: a new sealed version with a receipt, before closing only."""
    bid = _own_bid(bid_id, organisation_id, lock=True)
    number = len(bid.versions) + 1  # before the bid changes, so that no flush is needed to count
    replacing = bid.status == "submitted"
    _fire(bid, "replace" if replacing else "submit")
    content = _open_content(bid)
    facts = facts_for(bid.tender, bid.lot)
    problems = problems_before_submission(content, facts)
    if problems:
        db.session.rollback()
        raise BidError("Your bid is not ready to submit.", problems)
    version = BidVersion(
        bid=bid,
        version=number,
        ciphertext=sealing.seal(bid.tender, bid.id, bid.organisation_id, content),
        digest=sealing.digest(content),
        receipt_reference=bid_receipts.reference(bid.tender, bid.lot, organisation_id, number),
        submitted_at=now(),
        submitted_by_id=actor.id,
    )
    bid.submitted_version = number
    db.session.add(version)
    try:
        db.session.flush()  # here, so that a clash is caught: the receipts would flush it anyway
    except IntegrityError:
        _refuse_twice()
    bid_receipts.send_receipt(bid, version, replacing)
    # Last before the commit: appending to the audit chain locks its head row until then.
    audit.record(
        "bid.replaced" if replacing else "bid.submitted",
        "bid",
        bid.id,
        {
            **_where(bid),
            "version": number,
            "reference": version.receipt_reference,
            "digest": version.digest,
        },
        actor=actor,
    )
    try:
        db.session.flush()
        written = {key: getattr(version, key) for key in _RECEIPT_FIELDS}
        db.session.commit()
    except IntegrityError:
        _refuse_twice()
    for key, value in written.items():  # never change once written: no query to read them back
        set_committed_value(version, key, value)
    return version


def withdraw(bid_id: int, organisation_id: int, actor: User) -> BidVersion:
    """Withdraw the submitted bid before closing; every version is kept, the latest marked."""
    bid = _own_bid(bid_id, organisation_id, lock=True)
    _fire(bid, "withdraw")
    version = bid.versions[-1]
    version.withdrawn_at = now()
    audit.record(
        "bid.withdrawn",
        "bid",
        bid.id,
        {**_where(bid), "version": version.version, "reference": version.receipt_reference},
        actor=actor,
    )
    bid_receipts.send_withdrawal(bid, version)
    db.session.commit()
    return version


def receipt(bid_id: int, organisation_id: int, version_number: int) -> BidVersion | None:
    """One version of the organisation's own bid (None: views answer 404)."""
    try:
        bid = _own_bid(bid_id, organisation_id)
    except BidNotFound:
        return None
    return next((v for v in bid.versions if v.version == version_number), None)


# --- what officers may see before opening ------------------------------------------------------


def counts_for_officers(tender_id: int) -> dict[int, int]:
    """Submitted bids per lot id (every lot listed): all the council may see before opening."""
    lot_ids = db.session.scalars(select(Lot.id).where(Lot.tender_id == tender_id)).all()
    counts = dict(
        db.session.execute(
            select(Bid.lot_id, func.count(Bid.id))
            .where(Bid.tender_id == tender_id, Bid.status == "submitted")
            .group_by(Bid.lot_id)
        ).all()
    )
    return {lot_id: counts.get(lot_id, 0) for lot_id in lot_ids}
