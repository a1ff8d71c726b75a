"""The demo's evaluation and award: the night-care tender part-way through evaluation (marks,
consensus, answers for discussion, an explanation awaited, two markers left to try it) and the
reablement tender awarded, with one letter per bidder, standstill over and contracts per lot.

Loading the demo takes a while, so everything is checked after one load (plus the reload), now
and at an awkward moment.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from dps.demo import DEMO_DOMAIN
from dps.extensions import db
from dps.models import Bid, Organisation, Tender, User
from dps.models.award import AwardDecision, AwardLetter, Contract
from dps.models.evaluation import (
    ConflictDeclaration,
    ConsensusMark,
    EvaluationAssignment,
    Mark,
    PriceReview,
)
from dps.models.messaging import Message as InboxMessage
from dps.ocds.export import packages
from dps.ocds.validate import validate_package
from dps.services import audit
from dps.services.documents import storage_path
from dps.services.moderation_grid import moderation_grid
from dps.state import clock
from tests.conftest import app_ctx

# A Sunday just after midnight, after the New Year bank holidays: the awkward moment to load.
AWKWARD_MOMENT = datetime(2027, 1, 3, 0, 20, tzinfo=UTC)


def _email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _user(local: str) -> User:
    return db.session.scalar(select(User).where(User.email == _email(local)))


def _tender(title_start: str) -> Tender:
    return db.session.scalar(select(Tender).where(Tender.title.startswith(title_start)))


def _rows(model, tender_id: int) -> list:
    return list(db.session.scalars(select(model).where(model.tender_id == tender_id)))


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _load(app) -> str:
    result = app.test_cli_runner().invoke(args=["dps", "demo"])
    assert result.exit_code == 0, result.output
    return result.output


def _check_night_care() -> None:
    night = _tender("Night care")
    assert night.status == "in_evaluation"
    submitted = [b for b in _rows(Bid, night.id) if b.status == "submitted"]
    assert 8 <= len(submitted) <= 12
    questions = sorted(night.questions, key=lambda q: q.number)
    assert all(q.markers_needed == 2 for q in questions)

    assigned = defaultdict(set)
    for row in _rows(EvaluationAssignment, night.id):
        assigned[row.question.marked_by].add(row.user.email)
    officer_markers = {_email(n) for n in ("evaluator", "evaluator2", "officer2", "officer")}
    assert assigned["officer"] == officer_markers
    assert assigned["panel"] == {_email(n) for n in ("panel", "panel2", "panel3")}
    declared = {d.user.email: d for d in _rows(ConflictDeclaration, night.id)}
    assert set(declared) == {_email(n) for n in ("evaluator2", "officer2", "officer")} | {
        _email("panel2"),
        _email("panel3"),
    }  # evaluator@ and panel@ are left to declare and mark by whoever tries the demo
    conflicts = declared[_email("evaluator2")].conflicts
    assert len(conflicts) == 1 and conflicts[0].nature
    conflicted = conflicts[0].organisation_id

    marks = _rows(Mark, night.id)
    assert all(m.submitted_at and m.rationale and m.mark is not None for m in marks)
    assert len({m.rationale for m in marks}) > 10  # varied, not one sentence everywhere
    by_answer = defaultdict(list)
    for mark in marks:
        by_answer[(mark.bid_id, mark.question_id)].append(mark)
    assert len(by_answer) == len(submitted) * len(questions)
    assert all(len(rows) == 2 for rows in by_answer.values())
    evaluator2, officer = _user("evaluator2"), _user("officer")
    for (bid_id, _question_id), rows in by_answer.items():
        markers = {m.marker_id for m in rows}
        if db.session.get(Bid, bid_id).organisation_id == conflicted:
            assert evaluator2.id not in markers
    officer_bids = {m.bid_id for m in marks if m.marker_id == officer.id}
    assert officer_bids and all(
        db.session.get(Bid, bid_id).organisation_id == conflicted for bid_id in officer_bids
    )

    flagged = {
        key
        for key, rows in by_answer.items()
        if max(m.mark for m in rows) - min(m.mark for m in rows) >= 2
    }
    consensus = {(c.bid_id, c.question_id) for c in _rows(ConsensusMark, night.id)}
    assert 2 <= len(flagged) <= 8
    assert consensus == set(by_answer) - flagged  # every answer but those for discussion
    grid = moderation_grid(night.id, officer, "discuss")
    assert grid.discuss == len(flagged) and grid.agreed == len(consensus)

    reviews = _rows(PriceReview, night.id)
    assert len(reviews) == len(submitted)
    statuses = Counter(r.status for r in reviews)
    assert statuses == {"checked": len(submitted) - 1, "explanation_requested": 1}
    waiting = next(r for r in reviews if r.status == "explanation_requested")
    assert waiting.hourly_price < night.benchmark_rate * 9 / 10
    assert waiting.response_due_at > clock.now() and waiting.response_text is None
    asked = db.session.scalars(
        select(InboxMessage.subject).where(
            InboxMessage.organisation_id == waiting.bid.organisation_id
        )
    ).all()
    assert f"Explain your price: {night.reference}" in asked


def _check_awarded() -> Tender:
    tender = _tender("Reablement at home")
    assert tender.status == "awarded" and len(tender.lots) == 2
    award = db.session.scalar(select(AwardDecision).where(AwardDecision.tender_id == tender.id))
    assert award.status == "concluded"
    assert award.proposed_by.email == _email("officer")
    assert award.approved_by.email == _email("officer2")
    assert award.standstill_ends_at < clock.now() and award.concluded_at < clock.now()

    submitted = [b for b in _rows(Bid, tender.id) if b.status == "submitted"]
    answers = len(submitted) * len(tender.questions)
    assert len(_rows(ConsensusMark, tender.id)) == answers  # evaluated completely
    assert len(_rows(Mark, tender.id)) == 2 * answers
    assert {r.status for r in _rows(PriceReview, tender.id)} <= {"checked", "accepted"}

    bidders = {b.organisation_id for b in submitted}
    letters = _rows(AwardLetter, tender.id)
    assert sorted(letter.organisation_id for letter in letters) == sorted(bidders)  # one each
    for letter in letters:
        assert letter.status == "made" and letter.document.content_type == "application/pdf"
        text = PdfReader(io.BytesIO(storage_path(letter.document).read_bytes())).pages[0]
        assert tender.reference in text.extract_text()
        message = db.session.get(InboxMessage, letter.message_id)
        assert message.organisation_id == letter.organisation_id
        assert message.document_id == letter.document_id

    contracts = _rows(Contract, tender.id)
    assert {c.lot_id for c in contracts} == {lot.id for lot in tender.lots}
    starts = {c.lot_id: c.start_on for c in contracts}
    assert len(set(starts.values())) == 2  # each lot starts on its own date
    assert all(c.organisation_id in bidders and c.hourly_rate > 0 for c in contracts)
    winners = {c.organisation.name for c in contracts}
    assert winners <= {db.session.get(Organisation, o).name for o in bidders}
    return tender


@pytest.mark.parametrize("moment", [None, AWKWARD_MOMENT], ids=["now", "after-new-year"])
def test_demo_evaluation_and_award_are_loaded_once_and_valid(app, moment):
    if moment is not None:
        clock.set_fixed(moment)
    _load(app)
    with app_ctx(app):
        _check_night_care()
        awarded = _check_awarded()
        assert audit.verify().ok
        built = dict(packages())
        for name, package in built.items():
            assert validate_package(package) == [], name
        release = next(p for n, p in built.items() if awarded.reference in n)["releases"][0]
        assert len(release["awards"]) == 2 and len(release["contracts"]) >= 2
        before = _row_counts()

    assert "nothing to add" in _load(app)
    with app_ctx(app):
        assert _row_counts() == before
        assert audit.verify().ok
