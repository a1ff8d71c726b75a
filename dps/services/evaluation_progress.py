"""Where a tender's evaluation stands, step by step, for the officer's evaluation hub: counts
from a handful of grouped queries, never one query per bid."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from dps.extensions import db
from dps.models.award import AwardDecision
from dps.models.bid import Bid
from dps.models.evaluation import ConsensusMark, Mark, PriceReview
from dps.models.tender import QualityQuestion, Tender
from dps.services.evaluation_coverage import Coverage, coverage

NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START = (
    "Not started",
    "In progress",
    "Completed",
    "Cannot start yet",
)
PRICE_SETTLED = ("checked", "accepted", "rejected")
AWARD_LABELS = {
    "proposed": "Proposed, waiting for approval",
    "approved": "Approved, letters being sent",
    "standstill": "In standstill",
    "standstill_over": "Standstill over",
    "challenged": "Challenged",
    "concluded": COMPLETED,
    "withdrawn": "Withdrawn",
}


@dataclass(frozen=True)
class QuestionProgress:
    number: int
    text: str
    marked_by: str
    submitted: int  # submitted marks
    needed: int  # markers needed × submitted bids

    @property
    def status(self) -> str:
        if self.needed and self.submitted >= self.needed:
            return COMPLETED
        return IN_PROGRESS if self.submitted else NOT_STARTED


@dataclass(frozen=True)
class Progress:
    tender: Tender
    bids: int
    coverage: Coverage
    questions: list[QuestionProgress]
    price_reviews: dict[str, int]  # PriceReview.status -> count
    consensus: int
    award_status: str | None

    @property
    def answers(self) -> int:
        return self.bids * len(self.questions)

    @property
    def markers_status(self) -> str:
        if not any(row.count or row.conflicted for row in self.coverage.rows):
            return NOT_STARTED
        return COMPLETED if self.coverage.complete else IN_PROGRESS

    @property
    def marking_status(self) -> str:
        statuses = {question.status for question in self.questions}
        if statuses == {COMPLETED}:
            return COMPLETED
        if self.markers_status == NOT_STARTED:
            return CANNOT_START
        return IN_PROGRESS if statuses - {NOT_STARTED} else NOT_STARTED

    @property
    def marks_submitted(self) -> int:
        return sum(question.submitted for question in self.questions)

    @property
    def marks_needed(self) -> int:
        return sum(question.needed for question in self.questions)

    @property
    def price_status(self) -> str:
        reviewed = sum(self.price_reviews.values())
        if not reviewed:
            return NOT_STARTED
        settled = sum(self.price_reviews.get(status, 0) for status in PRICE_SETTLED)
        return COMPLETED if settled == reviewed >= self.bids else IN_PROGRESS

    @property
    def moderation_status(self) -> str:
        if self.answers and self.consensus >= self.answers:
            return COMPLETED
        if self.consensus:
            return IN_PROGRESS
        return NOT_STARTED if self.marks_submitted else CANNOT_START

    @property
    def results_status(self) -> str:
        ready = self.moderation_status == COMPLETED and self.price_status == COMPLETED
        return "Ready to view" if ready else CANNOT_START

    @property
    def award_label(self) -> str:
        if self.award_status is None:
            return NOT_STARTED if self.results_status != CANNOT_START else CANNOT_START
        return AWARD_LABELS.get(self.award_status, self.award_status)


def progress(tender: Tender) -> Progress:
    bids = (
        db.session.scalar(
            select(func.count(Bid.id)).where(Bid.tender_id == tender.id, Bid.status == "submitted")
        )
        or 0
    )
    submitted = dict(
        db.session.execute(
            select(Mark.question_id, func.count(Mark.id))
            .join(Bid, Mark.bid_id == Bid.id)
            .where(
                Mark.tender_id == tender.id,
                Mark.submitted_at.is_not(None),
                Bid.status == "submitted",
            )
            .group_by(Mark.question_id)
        )
        .tuples()
        .all()
    )
    questions = [
        QuestionProgress(
            number=question.number,
            text=question.text,
            marked_by=question.marked_by,
            submitted=submitted.get(question.id, 0),
            needed=question.markers_needed * bids,
        )
        for question in db.session.scalars(
            select(QualityQuestion)
            .where(QualityQuestion.tender_id == tender.id)
            .order_by(QualityQuestion.number)
        )
    ]
    reviews = dict(
        db.session.execute(
            select(PriceReview.status, func.count(PriceReview.id))
            .where(PriceReview.tender_id == tender.id)
            .group_by(PriceReview.status)
        )
        .tuples()
        .all()
    )
    consensus = (
        db.session.scalar(
            select(func.count(ConsensusMark.id)).where(ConsensusMark.tender_id == tender.id)
        )
        or 0
    )
    award = db.session.scalar(
        select(AwardDecision.status).where(AwardDecision.tender_id == tender.id)
    )
    return Progress(
        tender=tender,
        bids=bids,
        coverage=coverage(tender.id),
        questions=questions,
        price_reviews=reviews,
        consensus=consensus,
        award_status=award,
    )
