"""The coverage of an evaluation: for each answer (question × submitted bid), how many of the
assigned markers may mark it, who is conflicted and who has not declared yet, in words for the
lead officer. A fixed number of queries, whatever the number of bids."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from dps.extensions import db
from dps.models.bid import Bid
from dps.models.evaluation import ConflictDeclaration, DeclaredConflict, EvaluationAssignment
from dps.models.organisation import Organisation, User
from dps.models.tender import Lot, QualityQuestion


def _names(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class CoverageRow:
    """One answer (question × bid): the assigned markers who may mark it, and who may not."""

    question_number: int
    question_id: int
    bid_id: int
    organisation_name: str
    lot_number: int
    needed: int
    declared: tuple[str, ...]  # declared, no conflict with this bidder
    undeclared: tuple[str, ...]  # not declared yet: may mark once they declare no conflict
    conflicted: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.declared) + len(self.undeclared)

    @property
    def short(self) -> bool:
        return self.count < self.needed

    def sentence(self) -> str:
        """e.g. "Question 2, Care Provider B Ltd (lot 1): 1 of 2 markers, Eve Clarke is
        conflicted"."""
        text = (
            f"Question {self.question_number}, {self.organisation_name} (lot {self.lot_number}): "
            f"{self.count} of {self.needed} marker{'' if self.needed == 1 else 's'}"
        )
        reasons = []
        if self.conflicted:
            verb = "is" if len(self.conflicted) == 1 else "are"
            reasons.append(f"{_names(self.conflicted)} {verb} conflicted")
        if self.undeclared:
            verb = "has" if len(self.undeclared) == 1 else "have"
            reasons.append(f"{_names(self.undeclared)} {verb} not declared yet")
        if not reasons and self.count == 0:
            reasons.append("no markers assigned")
        return text + (", " + "; ".join(reasons) if reasons else "")


@dataclass
class Coverage:
    rows: list[CoverageRow] = field(default_factory=list)
    undeclared: list[str] = field(default_factory=list)  # assigned markers yet to declare

    @property
    def shortfalls(self) -> list[CoverageRow]:
        return [row for row in self.rows if row.short]

    @property
    def complete(self) -> bool:
        """Every answer has enough markers, and every marker has declared."""
        return bool(self.rows) and not self.shortfalls and not self.undeclared


def coverage(tender_id: int) -> Coverage:
    """Question × submitted bid, in a fixed number of queries whatever the number of bids."""
    question_rows = db.session.scalars(
        select(QualityQuestion)
        .where(QualityQuestion.tender_id == tender_id)
        .order_by(QualityQuestion.number)
    ).all()
    bids = db.session.execute(
        select(Bid.id, Bid.organisation_id, Organisation.name, Lot.number)
        .join(Organisation, Bid.organisation_id == Organisation.id)
        .join(Lot, Bid.lot_id == Lot.id)
        .where(Bid.tender_id == tender_id, Bid.status == "submitted")
        .order_by(Lot.number, Organisation.name, Bid.id)
    ).all()
    assigned = db.session.execute(
        select(EvaluationAssignment.question_id, User.id, User.full_name)
        .join(User, EvaluationAssignment.user_id == User.id)
        .where(EvaluationAssignment.tender_id == tender_id)
        .order_by(User.full_name, User.id)
    ).all()
    declared_ids = set(
        db.session.scalars(
            select(ConflictDeclaration.user_id).where(ConflictDeclaration.tender_id == tender_id)
        )
    )
    conflicts = set(
        db.session.execute(
            select(ConflictDeclaration.user_id, DeclaredConflict.organisation_id)
            .join(DeclaredConflict, DeclaredConflict.declaration_id == ConflictDeclaration.id)
            .where(ConflictDeclaration.tender_id == tender_id)
        )
        .tuples()
        .all()
    )
    markers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for question_id, user_id, name in assigned:
        markers[question_id].append((user_id, name))
    result = Coverage(
        undeclared=sorted({name for _, uid, name in assigned if uid not in declared_ids})
    )
    for question in question_rows:
        people = markers.get(question.id, [])
        for bid_id, org_id, org_name, lot_number in bids:
            conflicted = tuple(name for uid, name in people if (uid, org_id) in conflicts)
            clear = [(uid, name) for uid, name in people if (uid, org_id) not in conflicts]
            result.rows.append(
                CoverageRow(
                    question_number=question.number,
                    question_id=question.id,
                    bid_id=bid_id,
                    organisation_name=org_name,
                    lot_number=lot_number,
                    needed=question.markers_needed,
                    declared=tuple(name for uid, name in clear if uid in declared_ids),
                    undeclared=tuple(name for uid, name in clear if uid not in declared_ids),
                    conflicted=conflicted,
                )
            )
    return result
