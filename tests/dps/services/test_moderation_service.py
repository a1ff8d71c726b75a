"""Moderation: consensus marks agreed from the submitted marks, which stay untouched."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import AuditEvent, ConflictDeclaration, ConsensusMark, DeclaredConflict, Mark
from dps.services import moderation
from dps.services.audit import verify
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.evaluation_factories import evaluation_world
from tests.dps.moderation_factories import add_mark, user_id


@pytest.fixture
def world(app, make_user):
    return evaluation_world(app, make_user, bidders=2, lots=1)


def _bid(world, index: int = 0) -> int:
    return world.bid_ids[(world.bidder_org_ids[index], world.lot_ids[0])]


def _two_marks(world, first, second, bid_index: int = 0, question_index: int = 0):
    bid_id, question_id = _bid(world, bid_index), world.question_ids[question_index]
    add_mark(world.tender_id, bid_id, question_id, world.officer2, first, "Zoë’s view: solid ✓")
    add_mark(world.tender_id, bid_id, question_id, world.evaluators[0], second)
    db.session.commit()
    return bid_id, question_id


def _agree(world, bid_id, question_id, mark, reason="", who=None):
    return moderation.agree(
        world.tender_id, bid_id, question_id, mark, reason, f.user(who or world.officer)
    )


def _row(world, bid_id, question_id, who=None) -> moderation.AnswerRow:
    grid = moderation.moderation_grid(world.tender_id, f.user(who or world.officer))
    question = next(q for q in grid.questions if q.question_id == question_id)
    return next(row for row in question.answers if row.bid_id == bid_id)


def _mark_columns() -> list[tuple]:
    return [
        tuple(getattr(mark, column.key) for column in Mark.__table__.columns)
        for mark in db.session.scalars(select(Mark).order_by(Mark.id))
    ]


def test_moderation_grid_shows_the_marks_spread_and_what_is_missing(app, world):
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 2, 4)
        other = _bid(world, 1)
        add_mark(world.tender_id, other, question_id, world.officer2, 3)
        add_mark(world.tender_id, other, question_id, world.evaluators[0], 4, submitted=False)
        db.session.commit()
        row = _row(world, bid_id, question_id)
        assert [(m.marker_id, m.mark) for m in row.marks] == [
            (user_id(world.officer2), Decimal("2")),
            (user_id(world.evaluators[0]), Decimal("4")),
        ]
        assert row.marks[0].rationale == "Zoë’s view: solid ✓"
        assert row.spread == Decimal("2") and row.needs_discussion and row.ready
        assert row.bidder.startswith("Care Provider ") and "(Bidder " in row.bidder
        assert row.consensus is None
        half = _row(world, other, question_id)
        assert (
            len(half.marks) == 1 and half.missing == 1 and not half.ready
        )  # a draft is not counted
        grid = moderation.moderation_grid(world.tender_id, f.user(world.officer))
        assert grid.total == 2 * 3 and grid.agreed == 0 and grid.discuss == 1
        only = moderation.moderation_grid(world.tender_id, f.user(world.officer), "discuss")
        assert [(r.bid_id, r.question_id) for q in only.questions for r in q.answers] == [
            (bid_id, question_id)
        ]


@pytest.mark.parametrize(
    "marks, flagged",
    [
        ((3, 4), False),
        ((3, 3), False),
        ((2, 4), True),
        ((1, 5), True),
        ((5, 3), True),
        ((2, 3, 4), True),
        ((2, 3, 3), False),
    ],
)
def test_moderation_discussion_flag_at_a_gap_of_two(app, world, marks, flagged):
    markers = [world.officer2, *world.evaluators]
    with app_ctx(app):
        bid_id, question_id = _bid(world), world.question_ids[0]
        for marker, mark in zip(markers, marks, strict=False):
            add_mark(world.tender_id, bid_id, question_id, marker, mark)
        db.session.commit()
        assert _row(world, bid_id, question_id).needs_discussion is flagged


@pytest.mark.parametrize(
    "consensus, reason, refused",
    [
        ("2", "", False),  # as one marker marked: no reason needed
        ("4", "", False),
        ("3", "", True),  # differs from both: a reason is required
        ("3", "   ", True),
        ("3", "Both agreed the staffing plan is sound but thin on retention.", False),
        ("0", "", True),
        ("5", "Evidence of retention rates given at the meeting.", False),
    ],
)
def test_moderation_reason_required_exactly_when_the_consensus_differs_from_every_mark(
    app, world, consensus, reason, refused
):
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 2, 4)
        if refused:
            with pytest.raises(moderation.ModerationError) as error:
                _agree(world, bid_id, question_id, consensus, reason)
            assert error.value.field == "reason"
            assert "differs from every individual mark (2, 4); give the reason" in str(error.value)
            assert db.session.scalar(select(ConsensusMark)) is None
        else:
            _agree(world, bid_id, question_id, consensus, reason)
            saved = db.session.scalar(select(ConsensusMark))
            assert saved.mark == Decimal(consensus) and saved.reason == reason.strip()
            snapshot = json.loads(saved.individual)
            assert [m["mark"] for m in snapshot["marks"]] == ["2.00", "4.00"]
            assert snapshot["differs_from_all"] is (consensus not in ("2", "4"))


def test_moderation_keeps_the_original_marks_byte_for_byte(app, world):
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 1, 4)
        add_mark(
            world.tender_id, _bid(world, 1), question_id, world.officer2, None, submitted=False
        )
        db.session.commit()
        before = _mark_columns()
        _agree(world, bid_id, question_id, "3", "Met in person; agreed the middle.")
        _agree(world, bid_id, question_id, "4", "", who=world.officer2)
        db.session.expire_all()
        assert _mark_columns() == before
        assert len(before) == 3


@pytest.mark.parametrize("submitted", [0, 1])
def test_moderation_refused_while_marks_are_missing(app, world, submitted):
    with app_ctx(app):
        bid_id, question_id = _bid(world), world.question_ids[0]
        if submitted:
            add_mark(world.tender_id, bid_id, question_id, world.officer2, 3)
        add_mark(world.tender_id, bid_id, question_id, world.evaluators[0], 3, submitted=False)
        db.session.commit()
        with pytest.raises(moderation.ModerationError) as error:
            _agree(world, bid_id, question_id, "3")
        missing = 2 - submitted
        verb = "is" if missing == 1 else "are"
        assert (
            f"{missing} of the 2 marks needed for this answer {verb} still to be submitted "
            f"({submitted} submitted so far)"
        ) in error.value.message
        assert db.session.scalar(select(ConsensusMark)) is None


def test_moderation_follows_the_questions_markers_needed(app, world):
    with app_ctx(app):
        from dps.models import QualityQuestion

        bid_id, question_id = _bid(world), world.question_ids[0]
        db.session.get(QualityQuestion, question_id).markers_needed = 3
        add_mark(world.tender_id, bid_id, question_id, world.officer2, 3)
        add_mark(world.tender_id, bid_id, question_id, world.evaluators[0], 3)
        db.session.commit()
        with pytest.raises(moderation.ModerationError, match="1 of the 3 marks needed"):
            _agree(world, bid_id, question_id, "3")
        add_mark(world.tender_id, bid_id, question_id, world.evaluators[1], 4)
        db.session.commit()
        assert _agree(world, bid_id, question_id, "3").mark == Decimal("3")


def test_moderation_reagreeing_replaces_the_consensus_and_audits_old_and_new(app, world):
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 2, 4)
        first = _agree(world, bid_id, question_id, "2")
        second = _agree(world, bid_id, question_id, "3", "Agreed at the moderation meeting.")
        assert first.id == second.id
        rows = db.session.scalars(select(ConsensusMark)).all()
        assert len(rows) == 1 and rows[0].mark == Decimal("3")
        assert rows[0].reason == "Agreed at the moderation meeting."
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "evaluation.consensus_agreed")
            .order_by(AuditEvent.seq)
        ).all()
        assert len(events) == 2
        details = [json.loads(e.detail) if isinstance(e.detail, str) else e.detail for e in events]
        assert details[0]["previous"] is None
        assert details[0]["consensus"]["mark"] == "2"
        assert details[0]["consensus"]["reason"] == "agreed at 2, as marked by at least one marker"
        assert details[1]["previous"]["mark"] == "2.00"
        assert details[1]["consensus"]["mark"] == "3"
        assert details[1]["consensus"]["differs_from_all"] is True
        assert details[1]["moderator_was_marker"] is False
        assert all(e.actor_label == world.officer for e in events)
        assert verify().ok


def test_moderation_by_a_marker_is_allowed_and_recorded(app, world):
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 3, 4)
        assert _row(world, bid_id, question_id, who=world.officer2).moderator_marked
        assert not _row(world, bid_id, question_id).moderator_marked
        _agree(world, bid_id, question_id, "4", who=world.officer2)
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "evaluation.consensus_agreed")
        )
        detail = json.loads(event.detail) if isinstance(event.detail, str) else event.detail
        assert detail["moderator_was_marker"] is True


@pytest.mark.parametrize("mark", ["", None, "6", "-1", "2.5", "three", "NaN", "Infinity", "1e1"])
def test_moderation_mark_must_be_on_the_scale(app, world, mark):
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 3, 4)
        with pytest.raises(moderation.ModerationError) as error:
            _agree(world, bid_id, question_id, mark, "A reason")
        assert error.value.field == "mark" and "from 0 to 5" in error.value.message


def test_moderation_long_reason_refused(app, world):
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 3, 4)
        with pytest.raises(moderation.ModerationError) as error:
            _agree(world, bid_id, question_id, "2", "x" * (moderation.MAX_REASON + 1))
        assert error.value.field == "reason"


def test_moderation_officer_of_another_authority_sees_nothing(app, world):
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 3, 4)
        outsider = f.user(world.outsider_officer)
        with pytest.raises(moderation.ModerationNotFound):
            moderation.moderation_grid(world.tender_id, outsider)
        with pytest.raises(moderation.ModerationNotFound):
            moderation.answer_detail(world.tender_id, bid_id, question_id, outsider)
        with pytest.raises(moderation.ModerationNotFound):
            moderation.agree(world.tender_id, bid_id, question_id, "3", "", outsider)
        assert db.session.scalar(select(ConsensusMark)) is None


def test_moderation_answer_of_another_tender_is_not_found(app, world, make_user):
    other = evaluation_world(app, make_user, bidders=1, lots=1, prefix="x")
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 3, 4)
        foreign_bid = next(iter(other.bid_ids.values()))
        for bid, question in ((foreign_bid, question_id), (bid_id, other.question_ids[0])):
            with pytest.raises(moderation.ModerationNotFound):
                _agree(world, bid, question, "3")


@pytest.mark.parametrize("status", ["opened", "closed"])
def test_moderation_refused_for_a_tender_not_in_evaluation(app, make_user, status):
    world = evaluation_world(app, make_user, bidders=1, lots=1, status=status)
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 3, 4)
        grid = moderation.moderation_grid(world.tender_id, f.user(world.officer))
        assert not grid.viewable and grid.questions == []
        with pytest.raises(moderation.ModerationError):
            _agree(world, bid_id, question_id, "3")
        assert db.session.scalar(select(ConsensusMark)) is None


def test_moderation_after_award_is_read_only(app, world):
    with app_ctx(app):
        from dps.models import Tender

        bid_id, question_id = _two_marks(world, 3, 4)
        _agree(world, bid_id, question_id, "4")
        db.session.get(Tender, world.tender_id).status = "awarded"
        db.session.commit()
        grid = moderation.moderation_grid(world.tender_id, f.user(world.officer))
        assert grid.viewable and not grid.editable and grid.agreed == 1
        with pytest.raises(moderation.ModerationError, match="only be agreed while the tender is"):
            _agree(world, bid_id, question_id, "3", "Changed my mind")


def test_moderation_conflicted_officer_cannot_moderate_that_bidder(app, world):
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 3, 4)
        declaration = ConflictDeclaration(tender_id=world.tender_id, user_id=user_id(world.officer))
        declaration.conflicts.append(
            DeclaredConflict(organisation_id=world.bidder_org_ids[0], nature="My sister runs it")
        )
        db.session.add(declaration)
        db.session.commit()
        assert _row(world, bid_id, question_id).conflicted
        with pytest.raises(moderation.ModerationNotFound, match="conflict of interest"):
            _agree(world, bid_id, question_id, "3")
        with pytest.raises(moderation.ModerationNotFound):
            moderation.answer_detail(world.tender_id, bid_id, question_id, f.user(world.officer))
        assert _agree(world, bid_id, question_id, "3", who=world.officer2).mark == 3


def test_moderation_answer_detail_decrypts_only_that_answer(app, world):
    with app_ctx(app):
        bid_id, question_id = _two_marks(world, 3, 4)
        detail = moderation.answer_detail(
            world.tender_id, bid_id, question_id, f.user(world.officer)
        )
        assert detail.answer_text.startswith("Bidder answer 0 to question 1:")
        assert [item["mark"] for item in detail.scale] == [5, 4, 3, 2, 1, 0]
        assert detail.editable and detail.own_mark is None
