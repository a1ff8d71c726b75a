"""The award decision: the lead officer proposes it from the results, a different officer
approves it, and approval queues one letter job per bidder through the outbox (so it succeeds
even with Redis down). Letters read the snapshot stored at proposal, never live data."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from dps.extensions import db
from dps.jobs.outbox import schedule
from dps.models.award import AwardDecision, AwardLetter
from dps.models.messaging import OutboxJob
from dps.models.organisation import User
from dps.models.tender import Tender
from dps.services import audit
from dps.services.award_letters import bidder_ids
from dps.services.opening import officer_tender
from dps.services.results_types import TenderResults
from dps.state.award import AWARD_TRANSITIONS
from dps.state.clock import now
from dps.state.machine import TransitionError, fire
from dps.state.tender import TENDER_TRANSITIONS

LETTER_JOB = "make_award_letter"


class AwardError(Exception):
    """A step of the award that cannot be taken now, in words for the officer."""


class NotFound(AwardError):
    """No such tender (or letter) for this officer: views answer 404."""


def results_for(tender_id: int) -> TenderResults:
    """The live evaluation results (task F's service), looked up when needed."""
    from dps.services.evaluation_results import tender_results

    return tender_results(tender_id)


def _tender(actor: User, tender_id: int) -> Tender:
    tender = officer_tender(actor, tender_id)
    if tender is None:
        raise NotFound("No such tender.")
    return tender


def snapshot_results(award: AwardDecision) -> TenderResults:
    """The results stored with the award (what the letters and the page show)."""
    from dps.services.award_letters import snapshot

    return snapshot(award)


def award_for(tender_id: int) -> AwardDecision | None:
    return db.session.scalar(select(AwardDecision).where(AwardDecision.tender_id == tender_id))


def letter_key(letter_id: int, attempt: int = 0) -> str:
    """The outbox key of a letter's job; a retry or a sweep gets a fresh one."""
    return f"award_letter:{letter_id}" if attempt == 0 else f"award_letter:{letter_id}:{attempt}"


def propose(tender_id: int, actor: User) -> AwardDecision:
    """Propose the award from the results as they stand now (stored as the snapshot)."""
    tender = _tender(actor, tender_id)
    if tender.status != "in_evaluation":
        raise AwardError("You can only propose an award for a tender that is in evaluation.")
    award = award_for(tender.id)
    if award is not None and award.status != "withdrawn":
        raise AwardError("An award has already been proposed for this tender.")
    results = results_for(tender.id)
    if not results.ready:
        reasons = "; ".join(results.not_ready_reasons) or "the evaluation is not finished"
        raise AwardError(f"The results are not ready: {reasons}.")
    if not any(lot.winner_bid_ids for lot in results.lots):
        raise AwardError("No lot has a winning bid, so there is nothing to award.")
    if award is None:
        award = AwardDecision(tender_id=tender.id)
        db.session.add(award)
    award.status = "proposed"
    award.results = json.dumps(results.to_dict())
    award.proposed_by_id = actor.id
    award.proposed_at = now()
    award.approved_by_id = award.approved_at = award.letters_sent_at = None
    award.standstill_ends_at = None
    db.session.flush()
    audit.record(
        "award.proposed",
        "tender",
        tender.id,
        {
            "reference": tender.reference,
            "award_id": award.id,
            "winners": {
                f"lot {lot.number}": [b.organisation_name for b in lot.bids if b.won]
                for lot in results.lots
            },
        },
        actor=actor,
    )
    db.session.commit()
    return award


def approve(tender_id: int, actor: User) -> AwardDecision:
    """Approve (a different officer), award the tender and queue one letter job per bidder."""
    tender = _tender(actor, tender_id)
    award = award_for(tender.id)
    if award is None or award.status != "proposed":
        raise AwardError("There is no proposed award to approve.")
    try:
        fire(
            AWARD_TRANSITIONS,
            award,
            "approve",
            actor=actor,
            regime=tender.dps.regime,
            voluntary_standstill=tender.voluntary_standstill,
        )
        fire(TENDER_TRANSITIONS, tender, "award")
    except TransitionError as error:
        db.session.rollback()
        raise AwardError(str(error)) from error
    from dps.services.award_letters import snapshot

    letters = [
        AwardLetter(award_id=award.id, tender_id=tender.id, organisation_id=org_id)
        for org_id in bidder_ids(snapshot(award))
    ]
    db.session.add_all(letters)
    db.session.flush()
    for letter in letters:
        schedule(LETTER_JOB, letter.id, key=letter_key(letter.id))
    audit.record(
        "award.approved",
        "tender",
        tender.id,
        {
            "reference": tender.reference,
            "award_id": award.id,
            "proposed_by": award.proposed_by.email,
            "letters": len(letters),
            "standstill_ends_at": award.standstill_ends_at,
        },
        actor=actor,
    )
    db.session.commit()
    return award


def withdraw(tender_id: int, actor: User, reason: str) -> AwardDecision:
    """Withdraw a proposal (before approval); a new one can then be proposed."""
    tender = _tender(actor, tender_id)
    award = award_for(tender.id)
    if award is None:
        raise AwardError("There is no proposed award to withdraw.")
    try:
        fire(AWARD_TRANSITIONS, award, "withdraw", actor=actor, reason=reason)
    except TransitionError as error:
        raise AwardError(str(error)) from error
    audit.record(
        "award.withdrawn",
        "tender",
        tender.id,
        {"reference": tender.reference, "award_id": award.id, "reason": reason.strip()},
        actor=actor,
    )
    db.session.commit()
    return award


def _next_attempt_key(letter_id: int) -> str:
    base = letter_key(letter_id)
    count = db.session.scalar(
        select(func.count(OutboxJob.id)).where(
            (OutboxJob.key == base) | OutboxJob.key.like(f"{base}:%")
        )
    )
    return letter_key(letter_id, count or 1)


def retry_letter(tender_id: int, letter_id: int, actor: User) -> AwardLetter:
    """Put a failed letter back in the queue (a new job; the letter is still made once)."""
    tender = _tender(actor, tender_id)
    letter = db.session.get(AwardLetter, letter_id)
    if letter is None or letter.tender_id != tender.id:
        raise NotFound("No such letter.")
    if letter.status != "failed":
        raise AwardError("Only a failed letter can be tried again.")
    letter.status = "pending"
    schedule(LETTER_JOB, letter.id, key=_next_attempt_key(letter.id))
    audit.record(
        "award.letter_retried",
        "award_letter",
        letter.id,
        {"tender": tender.reference, "organisation_id": letter.organisation_id},
        actor=actor,
    )
    db.session.commit()
    return letter


@dataclass(frozen=True)
class Progress:
    total: int
    made: int
    failed: int
    pending: int

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.made * 100 // self.total

    @property
    def running(self) -> bool:
        return self.pending > 0


def progress(award: AwardDecision) -> Progress:
    rows = dict(
        db.session.execute(
            select(AwardLetter.status, func.count(AwardLetter.id))
            .where(AwardLetter.award_id == award.id)
            .group_by(AwardLetter.status)
        ).all()
    )
    return Progress(
        total=sum(rows.values()),
        made=rows.get("made", 0),
        failed=rows.get("failed", 0),
        pending=rows.get("pending", 0),
    )


def failed_letters(award: AwardDecision) -> list[AwardLetter]:
    return list(
        db.session.scalars(
            select(AwardLetter)
            .where(AwardLetter.award_id == award.id, AwardLetter.status == "failed")
            .order_by(AwardLetter.id)
        )
    )
