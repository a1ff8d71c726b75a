"""Who marks what: the lead officer assigns markers to quality questions, each marker declares
their conflicts with the bidders before seeing anything, and the coverage that remains shows
which answers still lack enough markers who may mark them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from dps.extensions import db
from dps.models.bid import Bid
from dps.models.dps import DynamicPurchasingSystem, dps_partner
from dps.models.evaluation import (
    ConflictDeclaration,
    DeclaredConflict,
    EvaluationAssignment,
    Mark,
)
from dps.models.organisation import Organisation, Role, User
from dps.models.tender import QualityQuestion, Tender
from dps.services import audit, opening
from dps.services.evaluation_coverage import Coverage, CoverageRow, coverage  # noqa: F401
from dps.state.tender import TENDER_LABELS

EVALUATION_STATUS = "in_evaluation"
MIN_MARKERS, MAX_MARKERS = 1, 10
MAX_NATURE = 500
MARKER_ROLES = {"officer": (Role.OFFICER, Role.EVALUATOR), "panel": (Role.PANEL,)}
HANDLING = "Kept away from this bidder's answers."


class AssignmentError(Exception):
    """A step that cannot be taken, in words for the person who tried it."""


class NotFound(AssignmentError):
    """Nothing this person may see (a 404)."""


# Lookups ---------------------------------------------------------------------------------


def lead_tender(actor: User, tender_id: int, *, changing: bool = False) -> Tender:
    """The tender of the officer's authority; changing assignments needs it in evaluation."""
    tender = opening.officer_tender(actor, tender_id)
    if tender is None or actor.role != Role.OFFICER:
        raise NotFound("No such tender.")
    if changing and tender.status != EVALUATION_STATUS:
        label = TENDER_LABELS.get(tender.status, tender.status).lower()
        raise AssignmentError(
            f"Markers can be changed only while the tender is in evaluation; it is {label}."
        )
    return tender


def _question(tender: Tender, question_id: int) -> QualityQuestion:
    question = db.session.get(QualityQuestion, question_id)
    if question is None or question.tender_id != tender.id:
        raise NotFound("No such question.")
    return question


def authority_ids(tender: Tender) -> list[int]:
    """The lead authority of the tender's DPS and its partner authorities."""
    partners = db.session.scalars(
        select(dps_partner.c.organisation_id).where(dps_partner.c.dps_id == tender.dps_id)
    )
    lead = db.session.scalar(
        select(DynamicPurchasingSystem.lead_authority_id).where(
            DynamicPurchasingSystem.id == tender.dps_id
        )
    )
    return sorted({lead, *partners})


def eligible_people(tender: Tender) -> dict[str, list[User]]:
    """Who may be assigned, by how a question is marked ("officer" or "panel")."""
    users = db.session.scalars(
        select(User)
        .where(
            User.organisation_id.in_(authority_ids(tender)),
            User.role.in_([Role.OFFICER, Role.EVALUATOR, Role.PANEL]),
            User.is_enabled.is_(True),
        )
        .order_by(User.full_name, User.email)
    ).all()
    return {
        marked_by: [user for user in users if user.role in roles]
        for marked_by, roles in MARKER_ROLES.items()
    }


def questions(tender_id: int) -> list[QualityQuestion]:
    return list(
        db.session.scalars(
            select(QualityQuestion)
            .where(QualityQuestion.tender_id == tender_id)
            .order_by(QualityQuestion.number)
        )
    )


def assignments(tender_id: int) -> dict[int, list[EvaluationAssignment]]:
    """Each question's assignments (question id -> assignments, by marker name)."""
    rows = db.session.scalars(
        select(EvaluationAssignment)
        .join(User, EvaluationAssignment.user_id == User.id)
        .where(EvaluationAssignment.tender_id == tender_id)
        .options(selectinload(EvaluationAssignment.user))
        .order_by(User.full_name, User.email)
    )
    by_question: dict[int, list[EvaluationAssignment]] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    return by_question


def bidding_organisations(tender_id: int) -> list[tuple[int, str]]:
    """(id, name) of every organisation with a submitted bid on the tender, by name."""
    return [
        (row.id, row.name)
        for row in db.session.execute(
            select(Organisation.id, Organisation.name)
            .join(Bid, Bid.organisation_id == Organisation.id)
            .where(Bid.tender_id == tender_id, Bid.status == "submitted")
            .group_by(Organisation.id, Organisation.name)
            .order_by(Organisation.name)
        )
    ]


# Assigning -------------------------------------------------------------------------------


def _refuse_ineligible(question: QualityQuestion) -> AssignmentError:
    if question.marked_by == "panel":
        return AssignmentError(
            f"Question {question.number} is marked by the Experts by Experience panel: "
            "choose a panel member of the councils running this DPS."
        )
    return AssignmentError(
        f"Question {question.number} is marked by officers: choose an officer or evaluator "
        "of the councils running this DPS."
    )


def assign(actor: User, tender_id: int, question_id: int, user_id: int) -> EvaluationAssignment:
    tender = lead_tender(actor, tender_id, changing=True)
    question = _question(tender, question_id)
    people = eligible_people(tender).get(question.marked_by, [])
    marker = next((user for user in people if user.id == user_id), None)
    if marker is None:
        raise _refuse_ineligible(question)
    exists = db.session.scalar(
        select(EvaluationAssignment.id).where(
            EvaluationAssignment.question_id == question.id,
            EvaluationAssignment.user_id == marker.id,
        )
    )
    if exists is not None:
        raise AssignmentError(f"{marker.full_name} is already marking question {question.number}.")
    assignment = EvaluationAssignment(
        tender_id=tender.id, question_id=question.id, user_id=marker.id, assigned_by_id=actor.id
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "evaluation.marker_assigned",
        "tender",
        tender.id,
        {"question": question.number, "marker": marker.email, "role": marker.role},
        actor=actor,
    )
    db.session.commit()
    return assignment


def unassign(actor: User, tender_id: int, question_id: int, user_id: int) -> None:
    """Take a marker off a question; refused once they have submitted a mark for it."""
    tender = lead_tender(actor, tender_id, changing=True)
    question = _question(tender, question_id)
    assignment = db.session.scalar(
        select(EvaluationAssignment).where(
            EvaluationAssignment.question_id == question.id,
            EvaluationAssignment.user_id == user_id,
        )
    )
    if assignment is None:
        raise AssignmentError(f"That person is not marking question {question.number}.")
    marks = list(
        db.session.scalars(
            select(Mark).where(Mark.question_id == question.id, Mark.marker_id == user_id)
        )
    )
    submitted = [mark for mark in marks if mark.submitted_at is not None]
    name = assignment.user.full_name
    if submitted:
        raise AssignmentError(
            f"{name} has already submitted {len(submitted)} "
            f"mark{'' if len(submitted) == 1 else 's'} for question {question.number}, "
            "so they stay on it: submitted marks are part of the evaluation record."
        )
    for mark in marks:  # unsubmitted drafts only: they would never be finished
        db.session.delete(mark)
    db.session.delete(assignment)
    audit.record(
        "evaluation.marker_removed",
        "tender",
        tender.id,
        {"question": question.number, "marker": assignment.user.email, "drafts": len(marks)},
        actor=actor,
    )
    db.session.commit()


def set_markers_needed(actor: User, tender_id: int, question_id: int, markers_needed: int) -> None:
    tender = lead_tender(actor, tender_id, changing=True)
    question = _question(tender, question_id)
    if (
        not isinstance(markers_needed, int)
        or isinstance(markers_needed, bool)
        or not MIN_MARKERS <= markers_needed <= MAX_MARKERS
    ):
        raise AssignmentError(f"Each answer needs between {MIN_MARKERS} and {MAX_MARKERS} markers.")
    before = question.markers_needed
    question.markers_needed = markers_needed
    audit.record(
        "evaluation.markers_needed_set",
        "tender",
        tender.id,
        {"question": question.number, "from": before, "to": markers_needed},
        actor=actor,
    )
    db.session.commit()


# Declarations ------------------------------------------------------------------------------


def declarations(tender_id: int) -> list[ConflictDeclaration]:
    """The declarations made so far, with their conflicts, earliest first."""
    return list(
        db.session.scalars(
            select(ConflictDeclaration)
            .where(ConflictDeclaration.tender_id == tender_id)
            .options(
                selectinload(ConflictDeclaration.user),
                selectinload(ConflictDeclaration.conflicts).selectinload(
                    DeclaredConflict.organisation
                ),
            )
            .order_by(ConflictDeclaration.declared_at, ConflictDeclaration.id)
        )
    )


@dataclass(frozen=True)
class DeclarationState:
    """What a marker's declaration page shows: the bidders by name (no prices) and what they
    have declared already."""

    tender: Tender
    bidders: list[tuple[int, str]]
    declaration: ConflictDeclaration | None

    @property
    def conflicted_ids(self) -> set[int]:
        return (
            {c.organisation_id for c in self.declaration.conflicts} if self.declaration else set()
        )

    @property
    def open_bidders(self) -> list[tuple[int, str]]:
        """The bidders not declared as conflicts yet (a conflict may be added, never removed)."""
        return [
            (org_id, name) for org_id, name in self.bidders if org_id not in self.conflicted_ids
        ]


def _marker_tender(user_id: int, tender_id: int) -> Tender:
    tender = db.session.get(Tender, tender_id)
    assigned = db.session.scalar(
        select(func.count(EvaluationAssignment.id)).where(
            EvaluationAssignment.tender_id == tender_id, EvaluationAssignment.user_id == user_id
        )
    )
    if tender is None or not assigned or tender.status != EVALUATION_STATUS:
        raise NotFound("No such tender.")
    return tender


def declaration_state(user_id: int, tender_id: int) -> DeclarationState:
    tender = _marker_tender(user_id, tender_id)
    declaration = db.session.scalar(
        select(ConflictDeclaration)
        .where(ConflictDeclaration.tender_id == tender_id, ConflictDeclaration.user_id == user_id)
        .options(
            selectinload(ConflictDeclaration.conflicts).selectinload(DeclaredConflict.organisation)
        )
    )
    return DeclarationState(tender, bidding_organisations(tender_id), declaration)


def _checked_conflicts(
    conflicts: dict[int, str], bidders: dict[int, str], already: set[int]
) -> dict[int, str]:
    cleaned = {}
    for org_id, nature in conflicts.items():
        if org_id not in bidders:
            raise AssignmentError("Choose from the organisations listed.")
        nature = (nature or "").strip()
        if not nature:
            raise AssignmentError(f"Say how you know {bidders[org_id]}.")
        if len(nature) > MAX_NATURE:
            raise AssignmentError(
                f"Keep how you know {bidders[org_id]} to {MAX_NATURE} characters or fewer."
            )
        if org_id not in already:
            cleaned[org_id] = nature
    return cleaned


def declare(user_id: int, tender_id: int, conflicts: dict[int, str]) -> ConflictDeclaration:
    """Record a marker's conflicts (none: an empty dict). Final: a later call may only add."""
    state = declaration_state(user_id, tender_id)
    bidders = dict(state.bidders)
    user = db.session.get(User, user_id)
    new = _checked_conflicts(conflicts, bidders, state.conflicted_ids)
    declaration = state.declaration
    amendment = declaration is not None
    if amendment and not new:
        raise AssignmentError(
            "Your declaration is already recorded. To add to it, tick an organisation you have "
            "not declared yet and say how you know them."
        )
    if declaration is None:
        declaration = ConflictDeclaration(tender_id=tender_id, user_id=user_id)
        db.session.add(declaration)
        db.session.flush()
    marked = _marks_per_bidder(user_id, tender_id) if amendment else {}
    for org_id, nature in new.items():
        handling = HANDLING
        if marked.get(org_id):
            handling = (
                "Declared after marking began: kept away from this bidder's answers from then "
                f"on; {marked[org_id]} earlier mark(s) for this bidder to be set aside at "
                "moderation."
            )
        declaration.conflicts.append(
            DeclaredConflict(organisation_id=org_id, nature=nature, handling=handling)
        )
    audit.record(
        "evaluation.conflicts_declared",
        "tender",
        tender_id,
        {
            "marker": user.email,
            "amendment": amendment,
            "conflicts": {bidders[org_id]: nature for org_id, nature in new.items()},
            "none": not new,
        },
        actor=user,
    )
    db.session.commit()
    return declaration


def _marks_per_bidder(user_id: int, tender_id: int) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Bid.organisation_id, func.count(Mark.id))
            .join(Bid, Mark.bid_id == Bid.id)
            .where(Mark.tender_id == tender_id, Mark.marker_id == user_id)
            .group_by(Bid.organisation_id)
        )
        .tuples()
        .all()
    )


def pending_declarations(user_id: int) -> list[Tender]:
    """Tenders in evaluation where this marker is assigned but has not declared yet (for the
    markers' dashboards)."""
    declared = select(ConflictDeclaration.tender_id).where(ConflictDeclaration.user_id == user_id)
    return list(
        db.session.scalars(
            select(Tender)
            .join(EvaluationAssignment, EvaluationAssignment.tender_id == Tender.id)
            .where(
                EvaluationAssignment.user_id == user_id,
                Tender.status == EVALUATION_STATUS,
                Tender.id.not_in(declared),
            )
            .group_by(Tender.id)
            .order_by(Tender.id)
        )
    )
