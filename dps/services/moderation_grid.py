"""The read side of moderation: every answer's submitted marks side by side, the spread and
the engine's discussion flag, and the consensus if agreed. Bulk loads only, so the number of
statements does not grow with the number of bids. Agreeing lives in dps.services.moderation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from dps.extensions import db
from dps.models.bid import Bid
from dps.models.evaluation import ConsensusMark, Mark
from dps.models.organisation import Organisation, User
from dps.models.tender import Lot, QualityQuestion, Tender
from dps.services import sealing
from dps.services.evaluation_access import conflicted_organisation_ids
from dps.services.opening import officer_tender
from dps.services.tender_rules import parse_scale
from evaluation import answers_for_discussion, mark_spread
from evaluation.money import plain

VIEWABLE = ("in_evaluation", "awarded")  # the grid stays readable after award
EDITABLE = ("in_evaluation",)
SHOW = ("all", "discuss", "not-agreed")


class ModerationError(Exception):
    """Refused, in words for the moderator; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ModerationNotFound(ModerationError):
    """Nothing the officer may see here (another authority's tender, a conflict): a 404."""


@dataclass(frozen=True)
class IndividualMark:
    mark_id: int
    marker_id: int
    marker_name: str
    mark: Decimal
    rationale: str
    submitted_at: datetime

    @property
    def shown(self) -> str:
        return plain(self.mark)


@dataclass(frozen=True)
class Agreed:
    mark: Decimal
    reason: str
    moderator_name: str
    agreed_at: datetime

    @property
    def shown(self) -> str:
        return plain(self.mark)


@dataclass(frozen=True)
class AnswerRow:
    bid_id: int
    question_id: int
    lot_number: int
    organisation_id: int
    bidder: str  # "Care Provider B Ltd (Bidder B)"
    marks: list[IndividualMark]
    markers_needed: int
    spread: Decimal | None
    spread_reason: str
    needs_discussion: bool
    consensus: Agreed | None
    moderator_marked: bool  # the viewing officer is one of the markers
    conflicted: bool  # the viewing officer declared a conflict with this bidder

    @property
    def spread_shown(self) -> str:
        return plain(self.spread) if self.spread is not None else ""

    @property
    def missing(self) -> int:
        return max(self.markers_needed - len(self.marks), 0)

    @property
    def ready(self) -> bool:
        return self.missing == 0 and bool(self.marks)


@dataclass(frozen=True)
class QuestionGrid:
    question_id: int
    number: int
    text: str
    max_mark: int
    markers_needed: int
    marked_by: str
    answers: list[AnswerRow]  # after the filter
    total: int  # before the filter
    agreed: int
    discuss: int


@dataclass(frozen=True)
class ModerationGrid:
    tender: Tender
    questions: list[QuestionGrid]
    show: str
    editable: bool
    viewable: bool

    @property
    def total(self) -> int:
        return sum(question.total for question in self.questions)

    @property
    def agreed(self) -> int:
        return sum(question.agreed for question in self.questions)

    @property
    def discuss(self) -> int:
        return sum(question.discuss for question in self.questions)

    @property
    def marked_by_moderator(self) -> int:
        return sum(row.moderator_marked for q in self.questions for row in q.answers)


@dataclass(frozen=True)
class AnswerDetail:
    tender: Tender
    question: QualityQuestion
    row: AnswerRow
    scale: list[dict]
    answer_text: str
    editable: bool
    own_mark: IndividualMark | None = None
    scale_marks: list[Decimal] = field(default_factory=list)


# Loading ------------------------------------------------------------------------------------


def _tender(actor: User, tender_id: int) -> Tender:
    tender = officer_tender(actor, tender_id)
    if tender is None:
        raise ModerationNotFound("No such tender.")
    return tender


def _bidder_names(tender_id: int, names: dict[int, str]) -> dict[int, str]:
    """Officers see names and the markers' labels: "Care Provider B Ltd (Bidder B)"."""
    try:
        from dps.services.marking import bidder_labels
    except ImportError:  # the marking service is optional: names alone still identify bidders
        return dict(names)
    labels = bidder_labels(tender_id)
    return {
        org_id: f"{name} ({labels[org_id]})" if org_id in labels else name
        for org_id, name in names.items()
    }


def _bids(tender_id: int, bid_id: int | None = None) -> list[tuple[Bid, str, int]]:
    query = (
        select(Bid, Organisation.name, Lot.number)
        .join(Organisation, Bid.organisation_id == Organisation.id)
        .join(Lot, Bid.lot_id == Lot.id)
        .where(Bid.tender_id == tender_id, Bid.status == "submitted")
    )
    if bid_id is not None:
        query = query.where(Bid.id == bid_id)
    return [tuple(row) for row in db.session.execute(query)]


def _marks(tender_id: int, bid_id: int | None = None, question_id: int | None = None):
    """Submitted marks, grouped by (bid, question), in the order they were submitted."""
    query = (
        select(Mark, User.full_name)
        .join(User, Mark.marker_id == User.id)
        .where(Mark.tender_id == tender_id, Mark.submitted_at.is_not(None), Mark.mark.is_not(None))
        .order_by(Mark.submitted_at, Mark.id)
    )
    if bid_id is not None:
        query = query.where(Mark.bid_id == bid_id, Mark.question_id == question_id)
    grouped: dict[tuple[int, int], list[IndividualMark]] = {}
    for mark, name in db.session.execute(query):
        grouped.setdefault((mark.bid_id, mark.question_id), []).append(
            IndividualMark(
                mark.id, mark.marker_id, name, mark.mark, mark.rationale, mark.submitted_at
            )
        )
    return grouped


def _consensus(tender_id: int, bid_id: int | None = None, question_id: int | None = None):
    query = (
        select(ConsensusMark, User.full_name)
        .join(User, ConsensusMark.moderator_id == User.id)
        .where(ConsensusMark.tender_id == tender_id)
    )
    if bid_id is not None:
        query = query.where(
            ConsensusMark.bid_id == bid_id, ConsensusMark.question_id == question_id
        )
    return {
        (row.bid_id, row.question_id): Agreed(row.mark, row.reason, name, row.agreed_at)
        for row, name in db.session.execute(query)
    }


def _rows(tender_id, questions, bids, marks, agreed, actor) -> dict[int, list[AnswerRow]]:
    """Every answer (bid × question) with its marks, spread and consensus: no queries here
    except the bidder labels and the officer's conflicts (one each)."""
    names = _bidder_names(tender_id, {bid.organisation_id: name for bid, name, _ in bids})
    conflicted = conflicted_organisation_ids(actor.id, tender_id)
    by_answer = {key: {m.marker_id: m.mark for m in found} for key, found in marks.items()}
    spreads = {key: mark_spread(values) for key, values in by_answer.items() if values}
    flagged = answers_for_discussion(by_answer)
    ordered = sorted(bids, key=lambda item: (item[2], names[item[0].organisation_id], item[0].id))
    rows: dict[int, list[AnswerRow]] = {}
    for question in questions:
        for bid, _, lot_number in ordered:
            key = (bid.id, question.id)
            found = marks.get(key, [])
            spread = spreads.get(key)
            rows.setdefault(question.id, []).append(
                AnswerRow(
                    bid_id=bid.id,
                    question_id=question.id,
                    lot_number=lot_number,
                    organisation_id=bid.organisation_id,
                    bidder=names[bid.organisation_id],
                    marks=found,
                    markers_needed=max(question.markers_needed, 1),
                    spread=spread.spread if spread else None,
                    spread_reason=spread.reason if spread else "",
                    needs_discussion=key in flagged,
                    consensus=agreed.get(key),
                    moderator_marked=any(m.marker_id == actor.id for m in found),
                    conflicted=bid.organisation_id in conflicted,
                )
            )
    return rows


def _questions(tender_id: int, question_id: int | None = None) -> list[QualityQuestion]:
    query = select(QualityQuestion).where(QualityQuestion.tender_id == tender_id)
    if question_id is not None:
        query = query.where(QualityQuestion.id == question_id)
    return list(db.session.scalars(query.order_by(QualityQuestion.number)))


def _keep(row: AnswerRow, show: str) -> bool:
    if show == "discuss":
        return row.needs_discussion
    if show == "not-agreed":
        return row.consensus is None
    return True


def moderation_grid(tender_id: int, actor: User, show: str = "all") -> ModerationGrid:
    """Per question, every submitted bid's answer with its marks, spread and consensus."""
    tender = _tender(actor, tender_id)
    show = show if show in SHOW else "all"
    viewable = tender.status in VIEWABLE and tender.opened_at is not None
    if not viewable:
        return ModerationGrid(tender, [], show, False, False)
    questions = _questions(tender.id)
    rows = _rows(
        tender.id, questions, _bids(tender.id), _marks(tender.id), _consensus(tender.id), actor
    )
    grids = []
    for question in questions:
        answers = rows.get(question.id, [])
        grids.append(
            QuestionGrid(
                question_id=question.id,
                number=question.number,
                text=question.text,
                max_mark=question.max_mark,
                markers_needed=max(question.markers_needed, 1),
                marked_by=question.marked_by,
                answers=[row for row in answers if _keep(row, show)],
                total=len(answers),
                agreed=sum(row.consensus is not None for row in answers),
                discuss=sum(row.needs_discussion for row in answers),
            )
        )
    return ModerationGrid(tender, grids, show, tender.status in EDITABLE, True)


def scale_of(question: QualityQuestion) -> list[dict]:
    """The question's scale, best first; a plain 0..max_mark one if none was stored."""
    scale = parse_scale(question.scale)
    if not scale:
        scale = [
            {"mark": mark, "label": str(mark), "descriptor": ""}
            for mark in range(question.max_mark + 1)
        ]
    return sorted(scale, key=lambda item: Decimal(str(item["mark"])), reverse=True)


def load_answer(tender_id: int, bid_id: int, question_id: int, actor: User):
    tender = _tender(actor, tender_id)
    if tender.status not in VIEWABLE or tender.opened_at is None:
        raise ModerationNotFound("This tender is not in evaluation.")
    questions = _questions(tender.id, question_id)
    bids = _bids(tender.id, bid_id)
    if not questions or not bids:
        raise ModerationNotFound("No such answer.")
    rows = _rows(
        tender.id,
        questions,
        bids,
        _marks(tender.id, bid_id, question_id),
        _consensus(tender.id, bid_id, question_id),
        actor,
    )
    row = rows[question_id][0]
    if row.conflicted:
        raise ModerationNotFound(
            "You declared a conflict of interest with this bidder: another officer must "
            "moderate its answers."
        )
    return tender, questions[0], bids[0][0], row


def answer_detail(tender_id: int, bid_id: int, question_id: int, actor: User) -> AnswerDetail:
    """One answer for the moderator: its text (decrypted), each mark and rationale, the scale."""
    tender, question, bid, row = load_answer(tender_id, bid_id, question_id, actor)
    version = bid.current_version
    text = ""
    if version is not None:
        content = sealing.open_for_officer(
            tender, bid.id, bid.organisation_id, actor, version.ciphertext
        )
        text = str((content.get("answers") or {}).get(str(question.id)) or "")
    scale = scale_of(question)
    own = next((mark for mark in row.marks if mark.marker_id == actor.id), None)
    return AnswerDetail(
        tender=tender,
        question=question,
        row=row,
        scale=scale,
        answer_text=text,
        editable=tender.status in EDITABLE,
        own_mark=own,
        scale_marks=[Decimal(str(item["mark"])) for item in scale],
    )
