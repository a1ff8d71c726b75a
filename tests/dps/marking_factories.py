"""Markers for the marking tests: assignments and conflict declarations written directly (the
assignment and declaration screens are tested with their own feature)."""

from __future__ import annotations

from dps.extensions import db
from dps.models.evaluation import ConflictDeclaration, DeclaredConflict, EvaluationAssignment
from tests.dps import tender_factories as f


def assign(tender_id: int, question_id: int, email: str) -> None:
    db.session.add(
        EvaluationAssignment(tender_id=tender_id, question_id=question_id, user_id=f.user(email).id)
    )
    db.session.commit()


def declare(tender_id: int, email: str, conflicts: tuple[int, ...] = ()) -> None:
    """A declaration (no conflicts unless organisation ids are given)."""
    declaration = ConflictDeclaration(tender_id=tender_id, user_id=f.user(email).id)
    for organisation_id in conflicts:
        declaration.conflicts.append(
            DeclaredConflict(organisation_id=organisation_id, nature="Director is a relative.")
        )
    db.session.add(declaration)
    db.session.commit()
