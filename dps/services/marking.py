"""Independent marking: each marker scores the answers they may see on the question's scale,
with a rationale, saves and comes back, and submits. Answers carry anonymous labels
("Bidder C, lot 2"), shown in a different order to each marker; other markers' marks appear
only once the marker's own mark is submitted. Who may see what is evaluation_access's call.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.bid import Bid
from dps.models.evaluation import Mark
from dps.models.organisation import Role, User
from dps.models.tender import QualityQuestion, Tender
from dps.services import audit, evaluation_access, sealing
from dps.services.tender_rules import parse_scale
from dps.state.clock import now

RATIONALE_MAX = 5000
NOT_STARTED, IN_PROGRESS, SUBMITTED = "Not started", "In progress", "Submitted"


class MarkingError(Exception):
    """A marking step refused, in words for the marker; `field` names the form field, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class MarkingNotFound(MarkingError):
    """Nothing this marker may see (views answer 404)."""

    def __init__(self, message: str = "Page not found.", field: str | None = None):
        super().__init__(message, field)


class DeclarationNeeded(MarkingError):
    """Assigned, but conflicts of interest are not declared yet (views send to the declaration)."""

    def __init__(self, tender_id: int):
        super().__init__("Declare any conflicts of interest before you see the answers.")
        self.tender_id = tender_id


# Labels and order ----------------------------------------------------------------------------


def _letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: enough letters for any number of bidders."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _label_key(tender_id: int, organisation_id: int) -> str:
    return hashlib.sha256(f"bidder-label:{tender_id}:{organisation_id}".encode()).hexdigest()


def bidder_labels(tender_id: int) -> dict[int, str]:
    """organisation_id → "Bidder A", ... for every organisation with a submitted bid; the order
    comes from a hash, so letters reveal neither names nor who bid first."""
    org_ids = set(
        db.session.scalars(
            select(Bid.organisation_id).where(Bid.tender_id == tender_id, Bid.status == "submitted")
        )
    )
    ordered = sorted(org_ids, key=lambda org_id: _label_key(tender_id, org_id))
    return {org_id: f"Bidder {_letters(i)}" for i, org_id in enumerate(ordered)}


def answer_label(bid: Bid, labels: dict[int, str] | None = None) -> str:
    """ "Bidder C, lot 2": bids are per lot. Pass `labels` to avoid recomputing them."""
    labels = labels if labels is not None else bidder_labels(bid.tender_id)
    return f"{labels.get(bid.organisation_id, 'Bidder')}, lot {bid.lot.number}"


def _marker_order(user_id: int, tender_id: int, bids: list[Bid]) -> list[Bid]:
    """The markable bids shuffled with a seed of (marker, tender): stable for the marker, but
    different markers read in different orders."""
    ordered = sorted(bids, key=lambda bid: bid.id)
    random.Random(f"marker-order:{user_id}:{tender_id}").shuffle(ordered)
    return ordered


def _named(user: User | None, tender: Tender) -> bool:
    """Officers see bidder names only when the tender chose named marking."""
    return bool(user is not None and user.role == Role.OFFICER and tender.named_marking)


# Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionProgress:
    question_id: int
    number: int
    text: str
    total: int  # answers this marker may see
    saved: int  # draft marks (saved, not submitted)
    submitted: int


@dataclass(frozen=True)
class MarkerTender:
    tender_id: int
    reference: str
    title: str
    declared: bool
    questions: list[QuestionProgress] = field(default_factory=list)


@dataclass(frozen=True)
class AnswerRef:
    bid_id: int
    label: str
    status: str  # NOT_STARTED | IN_PROGRESS | SUBMITTED
    bidder_name: str | None = None  # only for officers on a named-marking tender


@dataclass(frozen=True)
class OtherMark:
    marker_name: str
    mark: Decimal | None
    rationale: str


@dataclass(frozen=True)
class AnswerView:
    tender_id: int
    tender_reference: str
    tender_title: str
    bid_id: int
    label: str
    question_id: int
    number: int
    text: str
    guidance: str
    plain_guidance: str
    word_limit: int
    max_mark: int
    scale: list[dict]
    answer: str
    word_count: int
    own: Mark | None
    others: list[OtherMark]
    position: int  # 1-based, in this marker's order
    count: int
    previous_bid_id: int | None
    next_bid_id: int | None
    bidder_name: str | None = None  # only for officers on a named-marking tender


# Reading -------------------------------------------------------------------------------------


def _check_assigned(user_id: int, tender_id: int, question_id: int) -> Tender:
    """The tender when this marker is assigned the question and has declared; else raise."""
    tender = db.session.get(Tender, tender_id)
    question = db.session.get(QualityQuestion, question_id)
    if (
        tender is None
        or question is None
        or question.tender_id != tender_id
        or tender.status not in evaluation_access.MARKING_STATUSES
        or tender.opened_at is None
        or question_id not in evaluation_access.assigned_question_ids(user_id, tender_id)
    ):
        raise MarkingNotFound()
    if not evaluation_access.has_declared(user_id, tender_id):
        raise DeclarationNeeded(tender_id)
    return tender


def _own_marks(user_id: int, question_id: int) -> dict[int, Mark]:
    marks = db.session.scalars(
        select(Mark).where(Mark.marker_id == user_id, Mark.question_id == question_id)
    )
    return {mark.bid_id: mark for mark in marks}


def _status(mark: Mark | None) -> str:
    if mark is None:
        return NOT_STARTED
    return SUBMITTED if mark.submitted_at is not None else IN_PROGRESS


def marker_overview(user_id: int) -> list[MarkerTender]:
    """Every tender in evaluation where this person marks, with progress per question."""
    overview = []
    for tender_id in evaluation_access.marker_tender_ids(user_id):
        tender = db.session.get(Tender, tender_id)
        declared = evaluation_access.has_declared(user_id, tender_id)
        question_ids = evaluation_access.assigned_question_ids(user_id, tender_id)
        markable = (
            {bid.id for bid in evaluation_access.markable_bids(user_id, tender_id, question_ids[0])}
            if declared and question_ids
            else set()
        )
        questions = []
        for question_id in question_ids:
            question = db.session.get(QualityQuestion, question_id)
            marks = [m for b, m in _own_marks(user_id, question_id).items() if b in markable]
            submitted = sum(1 for m in marks if m.submitted_at is not None)
            questions.append(
                QuestionProgress(
                    question_id=question_id,
                    number=question.number,
                    text=question.text,
                    total=len(markable),
                    saved=len(marks) - submitted,
                    submitted=submitted,
                )
            )
        overview.append(
            MarkerTender(tender_id, tender.reference, tender.title, declared, questions)
        )
    return overview


def _ordered_bids(user_id: int, tender_id: int, question_id: int) -> list[Bid]:
    bids = evaluation_access.markable_bids(user_id, tender_id, question_id)
    return _marker_order(user_id, tender_id, bids)


def answers_for(user_id: int, tender_id: int, question_id: int) -> list[AnswerRef]:
    """The answers to one question this marker may mark, in the marker's own order."""
    tender = _check_assigned(user_id, tender_id, question_id)
    user = db.session.get(User, user_id)
    named = _named(user, tender)
    labels = bidder_labels(tender_id)
    own = _own_marks(user_id, question_id)
    return [
        AnswerRef(
            bid_id=bid.id,
            label=answer_label(bid, labels),
            status=_status(own.get(bid.id)),
            bidder_name=bid.organisation.name if named else None,
        )
        for bid in _ordered_bids(user_id, tender_id, question_id)
    ]


def _answer_text(bid: Bid, question_id: int, actor: User) -> str:
    """Only this question's answer leaves this function: never the price or other answers."""
    version = bid.current_version
    if version is None:
        return ""
    content = sealing.open_for_officer(
        bid.tender, bid.id, bid.organisation_id, actor, version.ciphertext
    )
    answer = (content.get("answers") or {}).get(str(question_id), "")
    return answer if isinstance(answer, str) else ""


def _others(user_id: int, bid_id: int, question_id: int) -> list[OtherMark]:
    rows = db.session.execute(
        select(Mark, User.full_name)
        .join(User, Mark.marker_id == User.id)
        .where(
            Mark.bid_id == bid_id,
            Mark.question_id == question_id,
            Mark.marker_id != user_id,
            Mark.submitted_at.is_not(None),
        )
        .order_by(Mark.submitted_at, Mark.id)
    ).all()
    return [OtherMark(name, mark.mark, mark.rationale) for mark, name in rows]


def answer_view(user_id: int, tender_id: int, question_id: int, bid_id: int) -> AnswerView:
    """One answer for marking. Others' marks only once the marker's own mark is submitted."""
    tender = _check_assigned(user_id, tender_id, question_id)
    if not evaluation_access.may_mark(user_id, bid_id, question_id):
        raise MarkingNotFound()
    ordered = [bid.id for bid in _ordered_bids(user_id, tender_id, question_id)]
    if bid_id not in ordered:
        raise MarkingNotFound()
    user = db.session.get(User, user_id)
    bid = db.session.get(Bid, bid_id)
    question = db.session.get(QualityQuestion, question_id)
    own = _own_marks(user_id, question_id).get(bid_id)
    submitted = own is not None and own.submitted_at is not None
    answer = _answer_text(bid, question_id, user)
    index = ordered.index(bid_id)
    return AnswerView(
        tender_id=tender.id,
        tender_reference=tender.reference,
        tender_title=tender.title,
        bid_id=bid_id,
        label=answer_label(bid),
        question_id=question_id,
        number=question.number,
        text=question.text,
        guidance=question.guidance,
        plain_guidance=question.plain_guidance,
        word_limit=question.word_limit,
        max_mark=question.max_mark,
        scale=parse_scale(question.scale),
        answer=answer,
        word_count=len(answer.split()),
        own=own,
        others=_others(user_id, bid_id, question_id) if submitted else [],
        position=index + 1,
        count=len(ordered),
        previous_bid_id=ordered[index - 1] if index > 0 else None,
        next_bid_id=ordered[index + 1] if index + 1 < len(ordered) else None,
        bidder_name=bid.organisation.name if _named(user, tender) else None,
    )


# Writing -------------------------------------------------------------------------------------


def _parse_mark(raw: str | None, max_mark: int) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 <= int(text) <= max_mark:
        raise MarkingError(f"Choose a mark from 0 to {max_mark}", "mark")
    return int(text)


def save_mark(
    user_id: int,
    tender_id: int,
    question_id: int,
    bid_id: int,
    mark: str | None,
    rationale: str,
    submit: bool,
) -> Mark:
    """Save a draft (may be incomplete) or submit (mark and rationale required). A submitted
    mark is final for its marker: the moderator agrees the final mark."""
    tender = _check_assigned(user_id, tender_id, question_id)
    if not evaluation_access.may_mark(user_id, bid_id, question_id):
        raise MarkingNotFound()
    question = db.session.get(QualityQuestion, question_id)
    existing = db.session.scalar(
        select(Mark)
        .where(Mark.bid_id == bid_id, Mark.question_id == question_id, Mark.marker_id == user_id)
        .with_for_update()
    )
    if existing is not None and existing.submitted_at is not None:
        raise MarkingError(
            "You have already submitted your mark for this answer, so it cannot be changed. "
            "The moderator will agree the final mark with the other markers."
        )
    value = _parse_mark(mark, question.max_mark)
    rationale = (rationale or "").strip()
    if len(rationale) > RATIONALE_MAX:
        raise MarkingError(
            f"Your rationale must be {RATIONALE_MAX:,} characters or fewer", "rationale"
        )
    if submit and value is None:
        raise MarkingError("Choose a mark before you submit", "mark")
    if submit and not rationale:
        raise MarkingError("Explain why you gave this mark before you submit", "rationale")
    row = existing or Mark(
        tender_id=tender.id, bid_id=bid_id, question_id=question_id, marker_id=user_id
    )
    row.mark = Decimal(value) if value is not None else None
    row.rationale = rationale
    row.saved_at = now()
    if submit:
        row.submitted_at = now()
    if existing is None:
        db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same marker saving twice at once
        db.session.rollback()
        raise MarkingError(
            "This mark was saved from another window at the same time. Check it and try again."
        ) from exc
    if submit:
        audit.record(
            "evaluation.mark_submitted",
            "evaluation_mark",
            row.id,
            {
                "tender": tender.reference,
                "question": question.number,
                "bid": bid_id,
                "mark": value,
            },
            actor=db.session.get(User, user_id),
        )
    db.session.commit()
    return row
