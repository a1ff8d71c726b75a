"""Moderation: the officer sees every answer's submitted marks side by side and agrees the
consensus mark that feeds the engine. The individual Mark rows are never changed; a consensus
keeps a snapshot of the marks it came from, and re-agreeing replaces it (audited old and new).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.evaluation import ConsensusMark
from dps.models.organisation import User
from dps.models.tender import QualityQuestion
from dps.services import audit
from dps.services.moderation_grid import (  # noqa: F401 - the read side, re-exported for views
    EDITABLE,
    SHOW,
    VIEWABLE,
    Agreed,
    AnswerDetail,
    AnswerRow,
    IndividualMark,
    ModerationError,
    ModerationGrid,
    ModerationNotFound,
    QuestionGrid,
    answer_detail,
    load_answer,
    moderation_grid,
    scale_of,
)
from dps.state.clock import now
from evaluation import agree_consensus
from evaluation.money import plain

MAX_REASON = 5000


def _parse_mark(raw: str | Decimal | int | None, question: QualityQuestion) -> Decimal:
    allowed = {Decimal(str(item["mark"])) for item in scale_of(question)}
    try:
        value = Decimal(str(raw).strip()) if raw not in (None, "") else None
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value not in allowed:
        raise ModerationError(
            f"Choose the consensus mark, from {plain(min(allowed))} to {plain(max(allowed))}",
            field="mark",
        )
    return next(mark for mark in allowed if mark == value)  # "-0" or "3.0" as the scale has it


def _snapshot(row: AnswerRow, spread: Decimal | None, differs: bool) -> str:
    return json.dumps(
        {
            "marks": [
                {
                    "mark_id": mark.mark_id,
                    "marker_id": mark.marker_id,
                    "marker": mark.marker_name,
                    "mark": str(mark.mark),
                    "rationale": mark.rationale,
                    "submitted_at": mark.submitted_at.isoformat(),
                }
                for mark in row.marks
            ],
            "spread": str(spread) if spread is not None else None,
            "needs_discussion": row.needs_discussion,
            "differs_from_all": differs,
        },
        ensure_ascii=False,
    )


def _missing_message(row: AnswerRow) -> str:
    submitted = len(row.marks)
    still = row.missing
    return (
        f"{still} of the {row.markers_needed} marks needed for this answer "
        f"{'is' if still == 1 else 'are'} still to be submitted ({submitted} submitted so far). "
        "Agree the consensus once every marker has submitted their mark."
    )


def agree(
    tender_id: int,
    bid_id: int,
    question_id: int,
    mark: str | Decimal | int | None,
    reason: str,
    actor: User,
) -> ConsensusMark:
    """Record (or replace) the consensus mark for one answer; the individual marks stay."""
    tender, question, _bid, row = load_answer(tender_id, bid_id, question_id, actor)
    if tender.status not in EDITABLE:
        raise ModerationError(
            "Consensus marks can only be agreed while the tender is in evaluation."
        )
    if not row.ready:
        raise ModerationError(_missing_message(row))
    value = _parse_mark(mark, question)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ModerationError(
            f"The reason must be {MAX_REASON:,} characters or fewer", field="reason"
        )
    try:
        result = agree_consensus({m.marker_id: m.mark for m in row.marks}, value, reason)
    except ValueError as refused:
        message = str(refused)
        raise ModerationError(message[:1].upper() + message[1:], field="reason") from None
    existing = db.session.scalar(
        select(ConsensusMark).where(
            ConsensusMark.bid_id == bid_id, ConsensusMark.question_id == question_id
        )
    )
    previous = None
    if existing is not None:
        previous = {
            "mark": str(existing.mark),
            "reason": existing.reason,
            "moderator_id": existing.moderator_id,
            "agreed_at": existing.agreed_at,
        }
        consensus = existing
    else:
        consensus = ConsensusMark(tender_id=tender.id, bid_id=bid_id, question_id=question_id)
        db.session.add(consensus)
    consensus.mark = value
    consensus.reason = reason  # only what the moderator wrote; the engine's wording is audited
    consensus.individual = _snapshot(row, row.spread, result.differs_from_all)
    consensus.moderator_id = actor.id
    consensus.agreed_at = now()
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ModerationError(
            "Another officer agreed this mark at the same moment. Check it and try again."
        ) from None
    audit.record(
        "evaluation.consensus_agreed",
        "consensus_mark",
        consensus.id,
        {
            "tender": tender.reference,
            "bid_id": bid_id,
            "question": question.number,
            "bidder": row.bidder,
            "consensus": result.to_dict(),
            "moderator_was_marker": row.moderator_marked,
            "needs_discussion": row.needs_discussion,
            "previous": previous,
        },
        actor=actor,
    )
    db.session.commit()
    return consensus
