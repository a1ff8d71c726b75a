"""Who may mark what: the one place that decides whether a marker may see an answer.

A marker (officer, evaluator or panel member) sees an answer (bid × question) only when
- the tender has been opened and is in evaluation,
- the marker is assigned to the question,
- the marker has declared their conflicts of interest for the tender, and
- the marker has not declared a conflict with the bidding organisation.
Everything that shows answers to markers asks here; a refusal is a 404 (nothing to see).
"""

from __future__ import annotations

from sqlalchemy import select

from dps.extensions import db
from dps.models.bid import Bid
from dps.models.evaluation import ConflictDeclaration, DeclaredConflict, EvaluationAssignment
from dps.models.tender import QualityQuestion, Tender

MARKING_STATUSES = ("in_evaluation",)


def has_declared(user_id: int, tender_id: int) -> bool:
    return (
        db.session.scalar(
            select(ConflictDeclaration.id).where(
                ConflictDeclaration.user_id == user_id, ConflictDeclaration.tender_id == tender_id
            )
        )
        is not None
    )


def conflicted_organisation_ids(user_id: int, tender_id: int) -> set[int]:
    """The bidding organisations this marker declared a conflict with on this tender."""
    return set(
        db.session.scalars(
            select(DeclaredConflict.organisation_id)
            .join(ConflictDeclaration, DeclaredConflict.declaration_id == ConflictDeclaration.id)
            .where(
                ConflictDeclaration.user_id == user_id, ConflictDeclaration.tender_id == tender_id
            )
        )
    )


def assigned_question_ids(user_id: int, tender_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(EvaluationAssignment.question_id)
            .join(QualityQuestion, EvaluationAssignment.question_id == QualityQuestion.id)
            .where(
                EvaluationAssignment.user_id == user_id,
                EvaluationAssignment.tender_id == tender_id,
            )
            .order_by(QualityQuestion.number)
        )
    )


def marker_tender_ids(user_id: int) -> list[int]:
    """Tenders in evaluation where this person is assigned at least one question."""
    return list(
        db.session.scalars(
            select(Tender.id)
            .join(EvaluationAssignment, EvaluationAssignment.tender_id == Tender.id)
            .where(EvaluationAssignment.user_id == user_id, Tender.status.in_(MARKING_STATUSES))
            .group_by(Tender.id)
            .order_by(Tender.id)
        )
    )


def markable_bids(user_id: int, tender_id: int, question_id: int) -> list[Bid]:
    """The submitted bids whose answer to the question this marker may see (empty if none)."""
    tender = db.session.get(Tender, tender_id)
    if tender is None or tender.status not in MARKING_STATUSES or tender.opened_at is None:
        return []
    if question_id not in assigned_question_ids(user_id, tender_id):
        return []
    if not has_declared(user_id, tender_id):
        return []
    conflicted = conflicted_organisation_ids(user_id, tender_id)
    bids = db.session.scalars(
        select(Bid).where(Bid.tender_id == tender_id, Bid.status == "submitted").order_by(Bid.id)
    )
    return [bid for bid in bids if bid.organisation_id not in conflicted]


def may_mark(user_id: int, bid_id: int, question_id: int) -> bool:
    """True when this marker may see and mark this answer."""
    bid = db.session.get(Bid, bid_id)
    question = db.session.get(QualityQuestion, question_id)
    if bid is None or question is None or bid.tender_id != question.tender_id:
        return False
    if bid.status != "submitted":
        return False
    tender = bid.tender
    if tender.status not in MARKING_STATUSES or tender.opened_at is None:
        return False
    if question_id not in assigned_question_ids(user_id, tender.id):
        return False
    if not has_declared(user_id, tender.id):
        return False
    return bid.organisation_id not in conflicted_organisation_ids(user_id, tender.id)
