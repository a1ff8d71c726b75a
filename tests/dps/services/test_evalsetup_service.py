"""Assigning markers, markers needed, conflict declarations and the coverage that remains."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dps.extensions import db
from dps.models import (
    AuditEvent,
    ConflictDeclaration,
    DeclaredConflict,
    EvaluationAssignment,
    Mark,
    Organisation,
    QualityQuestion,
    Role,
    Tender,
    User,
    dps_partner,
)
from dps.services import evaluation_assignments as assignments
from dps.services import evaluation_progress
from dps.services.audit import verify
from dps.state.clock import now
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.evaluation_factories import evaluation_world


@pytest.fixture
def world(app, make_user):
    return evaluation_world(app, make_user, bidders=3, lots=2)


def _user(email: str) -> User:
    return f.user(email)


def _name(email: str, full_name: str) -> None:
    _user(email).full_name = full_name
    db.session.commit()


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
    )


def _assign(world, question_index: int, email: str, officer: str | None = None):
    return assignments.assign(
        _user(officer or world.officer),
        world.tender_id,
        world.question_ids[question_index],
        _user(email).id,
    )


# Eligibility ---------------------------------------------------------------------------------


def test_officers_and_evaluators_mark_officer_questions_panel_members_panel_ones(app, world):
    with app_ctx(app):
        for email in (world.evaluators[0], world.officer2, world.officer):
            _assign(world, 0, email)
        _assign(world, 2, world.panel[0])
        rows = db.session.scalars(select(EvaluationAssignment)).all()
        assert len(rows) == 4
        assert {row.assigned_by_id for row in rows} == {_user(world.officer).id}
        events = _events("evaluation.marker_assigned")
        assert [json.loads(e.detail) for e in events] == [
            {"question": 1, "marker": world.evaluators[0], "role": "evaluator"},
            {"question": 1, "marker": world.officer2, "role": "officer"},
            {"question": 1, "marker": world.officer, "role": "officer"},
            {"question": 3, "marker": world.panel[0], "role": "panel"},
        ]
        assert {e.actor_user_id for e in events} == {_user(world.officer).id}
        assert verify().ok


@pytest.mark.parametrize(
    "question_index, who, words",
    [
        (0, "panel", "marked by officers"),
        (2, "evaluator", "Experts by Experience panel"),
        (2, "officer", "Experts by Experience panel"),
        (0, "provider", "marked by officers"),
        (0, "outsider", "marked by officers"),
    ],
)
def test_anyone_else_is_refused_with_a_clear_message(app, world, question_index, who, words):
    email = {
        "panel": world.panel[0],
        "evaluator": world.evaluators[0],
        "officer": world.officer2,
        "provider": world.bidders[0],
        "outsider": world.outsider_officer,
    }[who]
    with app_ctx(app):
        with pytest.raises(assignments.AssignmentError, match=words):
            _assign(world, question_index, email)
        assert db.session.scalar(select(func.count(EvaluationAssignment.id))) == 0
        assert _events("evaluation.marker_assigned") == []


def test_a_partner_authoritys_evaluator_may_mark_a_disabled_one_may_not(app, make_user, world):
    partner = make_user(Role.EVALUATOR, email="nhs@icb.example", organisation="NHS ICB")
    other = make_user(Role.EVALUATOR, email="nhs@elsewhere.example", organisation="Elsewhere ICB")
    with app_ctx(app):
        tender = db.session.get(Tender, world.tender_id)
        db.session.execute(
            dps_partner.insert().values(
                dps_id=tender.dps_id, organisation_id=_user(partner).organisation_id
            )
        )
        _user(world.evaluators[1]).is_enabled = False
        db.session.commit()
        _assign(world, 0, partner)
        with pytest.raises(assignments.AssignmentError):
            _assign(world, 0, other)
        with pytest.raises(assignments.AssignmentError):
            _assign(world, 0, world.evaluators[1])
        eligible = assignments.eligible_people(db.session.get(Tender, world.tender_id))
        emails = {user.email for user in eligible["officer"]}
        assert partner in emails and other not in emails and world.evaluators[1] not in emails
        assert {user.email for user in eligible["panel"]} == set(world.panel)


def test_assigning_twice_is_refused(app, world):
    with app_ctx(app):
        _assign(world, 0, world.evaluators[0])
        with pytest.raises(assignments.AssignmentError, match="already marking question 1"):
            _assign(world, 0, world.evaluators[0])


def test_another_authoritys_officer_gets_not_found(app, world):
    with app_ctx(app):
        outsider = _user(world.outsider_officer)
        with pytest.raises(assignments.NotFound):
            assignments.lead_tender(outsider, world.tender_id)
        with pytest.raises(assignments.NotFound):
            _assign(world, 0, world.evaluators[0], officer=world.outsider_officer)
        with pytest.raises(assignments.NotFound):
            assignments.set_markers_needed(outsider, world.tender_id, world.question_ids[0], 3)
        with pytest.raises(assignments.NotFound):
            assignments.unassign(
                outsider, world.tender_id, world.question_ids[0], _user(world.evaluators[0]).id
            )


def test_an_evaluator_cannot_assign(app, world):
    with app_ctx(app):
        with pytest.raises(assignments.NotFound):
            _assign(world, 0, world.evaluators[1], officer=world.evaluators[0])


def test_a_question_of_another_tender_is_not_found(app, world, make_user):
    with app_ctx(app):
        other_id = f.make_tender(world.officer, reference="NCC-OTHER-1")
        question = QualityQuestion(
            tender_id=other_id, number=1, text="Q", weight=Decimal(100), scale="[]"
        )
        db.session.add(question)
        db.session.commit()
        with pytest.raises(assignments.NotFound):
            assignments.assign(
                _user(world.officer), world.tender_id, question.id, _user(world.evaluators[0]).id
            )


@pytest.mark.parametrize("status", ["opened", "closed", "awarded", "cancelled"])
def test_a_tender_not_in_evaluation_is_refused(app, world, status):
    with app_ctx(app):
        _assign(world, 0, world.evaluators[0])
        db.session.get(Tender, world.tender_id).status = status
        db.session.commit()
        officer = _user(world.officer)
        with pytest.raises(
            assignments.AssignmentError, match="only while the tender is in evaluation; it is "
        ):
            _assign(world, 0, world.evaluators[1])
        with pytest.raises(assignments.AssignmentError, match="in evaluation"):
            assignments.set_markers_needed(officer, world.tender_id, world.question_ids[0], 3)
        with pytest.raises(assignments.AssignmentError, match="in evaluation"):
            assignments.unassign(
                officer, world.tender_id, world.question_ids[0], _user(world.evaluators[0]).id
            )
        with pytest.raises(assignments.NotFound):  # markers cannot declare either
            assignments.declare(_user(world.evaluators[0]).id, world.tender_id, {})
        assert db.session.scalar(select(func.count(EvaluationAssignment.id))) == 1


# Markers needed ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 2, 7, 10])
def test_markers_needed_within_bounds_is_saved_and_audited(app, world, value):
    with app_ctx(app):
        assignments.set_markers_needed(
            _user(world.officer), world.tender_id, world.question_ids[1], value
        )
        assert db.session.get(QualityQuestion, world.question_ids[1]).markers_needed == value
        (event,) = _events("evaluation.markers_needed_set")
        assert json.loads(event.detail) == {"question": 2, "from": 2, "to": value}


@pytest.mark.parametrize("value", [0, -1, 11, 100, True, "3", 2.5, None])
def test_markers_needed_out_of_bounds_is_refused(app, world, value):
    with app_ctx(app):
        with pytest.raises(assignments.AssignmentError, match="between 1 and 10 markers"):
            assignments.set_markers_needed(
                _user(world.officer), world.tender_id, world.question_ids[0], value
            )
        assert db.session.get(QualityQuestion, world.question_ids[0]).markers_needed == 2
        assert _events("evaluation.markers_needed_set") == []


# Removing ------------------------------------------------------------------------------------


def _mark(world, email: str, question_index: int, submitted: bool) -> None:
    bid_id = next(iter(world.bid_ids.values()))
    db.session.add(
        Mark(
            tender_id=world.tender_id,
            bid_id=bid_id,
            question_id=world.question_ids[question_index],
            marker_id=_user(email).id,
            mark=Decimal(3),
            rationale="Sound plan.",
            submitted_at=now() if submitted else None,
        )
    )
    db.session.commit()


def test_removing_a_marker_with_only_drafts_removes_the_drafts_too(app, world):
    with app_ctx(app):
        _assign(world, 0, world.evaluators[0])
        _mark(world, world.evaluators[0], 0, submitted=False)
        assignments.unassign(
            _user(world.officer),
            world.tender_id,
            world.question_ids[0],
            _user(world.evaluators[0]).id,
        )
        assert db.session.scalar(select(func.count(EvaluationAssignment.id))) == 0
        assert db.session.scalar(select(func.count(Mark.id))) == 0
        (event,) = _events("evaluation.marker_removed")
        assert json.loads(event.detail)["drafts"] == 1


def test_removing_a_marker_who_submitted_marks_is_refused_with_the_reason(app, world):
    with app_ctx(app):
        _assign(world, 0, world.evaluators[0])
        _mark(world, world.evaluators[0], 0, submitted=True)
        with pytest.raises(assignments.AssignmentError, match="already submitted 1 mark for q"):
            assignments.unassign(
                _user(world.officer),
                world.tender_id,
                world.question_ids[0],
                _user(world.evaluators[0]).id,
            )
        assert db.session.scalar(select(func.count(EvaluationAssignment.id))) == 1
        assert _events("evaluation.marker_removed") == []


def test_removing_someone_not_assigned_is_refused(app, world):
    with app_ctx(app):
        with pytest.raises(assignments.AssignmentError, match="not marking question 1"):
            assignments.unassign(
                _user(world.officer),
                world.tender_id,
                world.question_ids[0],
                _user(world.evaluators[0]).id,
            )


# Declarations --------------------------------------------------------------------------------


def test_only_assigned_markers_declare_and_see_the_bidders_names(app, world):
    with app_ctx(app):
        _assign(world, 2, world.panel[0])
        with pytest.raises(assignments.NotFound):
            assignments.declaration_state(_user(world.panel[1]).id, world.tender_id)
        with pytest.raises(assignments.NotFound):
            assignments.declare(_user(world.panel[1]).id, world.tender_id, {})
        state = assignments.declaration_state(_user(world.panel[0]).id, world.tender_id)
        assert [name for _, name in state.bidders] == [
            "Care Provider A Ltd",
            "Care Provider B Ltd",
            "Care Provider C Ltd",
        ]
        assert [org_id for org_id, _ in state.bidders] == sorted(world.bidder_org_ids)


def test_a_declaration_of_none_and_one_with_conflicts_are_recorded_and_audited(app, world):
    with app_ctx(app):
        _assign(world, 0, world.evaluators[0])
        _assign(world, 0, world.evaluators[1])
        first, second = _user(world.evaluators[0]).id, _user(world.evaluators[1]).id
        assignments.declare(first, world.tender_id, {})
        b = world.bidder_org_ids[1]
        assignments.declare(second, world.tender_id, {b: "  My sister manages their office. "})
        declarations = assignments.declarations(world.tender_id)
        assert [d.user_id for d in declarations] == [first, second]
        assert declarations[0].conflicts == []
        (conflict,) = declarations[1].conflicts
        assert (
            conflict.organisation_id == b and conflict.nature == "My sister manages their office."
        )
        assert conflict.handling == "Kept away from this bidder's answers."
        events = _events("evaluation.conflicts_declared")
        assert [json.loads(e.detail) for e in events] == [
            {"marker": world.evaluators[0], "amendment": False, "conflicts": {}, "none": True},
            {
                "marker": world.evaluators[1],
                "amendment": False,
                "conflicts": {"Care Provider B Ltd": "My sister manages their office."},
                "none": False,
            },
        ]
        assert events[1].actor_user_id == second
        assert verify().ok


@pytest.mark.parametrize(
    "conflicts, words",
    [
        ({"B": ""}, "Say how you know Care Provider B Ltd"),
        ({"B": "   "}, "Say how you know Care Provider B Ltd"),
        ({"B": "x" * 501}, "500 characters or fewer"),
        ({"outsider": "I know them"}, "Choose from the organisations listed"),
    ],
)
def test_a_conflict_needs_a_nature_and_a_bidder(app, world, make_user, conflicts, words):
    make_user(Role.PROVIDER, email="x@notbidding.example", organisation="Not Bidding Ltd")
    with app_ctx(app):
        _assign(world, 0, world.evaluators[0])
        ids = {
            "B": world.bidder_org_ids[1],
            "outsider": f.organisation_id("Not Bidding Ltd"),
        }
        with pytest.raises(assignments.AssignmentError, match=words):
            assignments.declare(
                _user(world.evaluators[0]).id,
                world.tender_id,
                {ids[key]: nature for key, nature in conflicts.items()},
            )
        assert db.session.scalar(select(func.count(ConflictDeclaration.id))) == 0
        assert _events("evaluation.conflicts_declared") == []


def test_a_declaration_is_final_conflicts_may_be_added_never_removed(app, world):
    a, b, c = world.bidder_org_ids
    with app_ctx(app):
        _assign(world, 0, world.evaluators[0])
        marker = _user(world.evaluators[0]).id
        assignments.declare(marker, world.tender_id, {a: "Former employer."})
        with pytest.raises(assignments.AssignmentError, match="already recorded"):
            assignments.declare(marker, world.tender_id, {})
        with pytest.raises(assignments.AssignmentError, match="already recorded"):
            assignments.declare(marker, world.tender_id, {a: "Changed my mind."})
        # A mark already given to C's bid before the conflict is declared is flagged for moderation.
        db.session.add(
            Mark(
                tender_id=world.tender_id,
                bid_id=world.bid_ids[(c, world.lot_ids[0])],
                question_id=world.question_ids[0],
                marker_id=marker,
                mark=Decimal(4),
                rationale="Good.",
            )
        )
        db.session.commit()
        assignments.declare(marker, world.tender_id, {c: "Realised my cousin works there."})
        conflicts = {
            row.organisation_id: row
            for row in db.session.scalars(select(DeclaredConflict).order_by(DeclaredConflict.id))
        }
        assert set(conflicts) == {a, c}
        assert conflicts[a].nature == "Former employer."
        assert "Declared after marking began" in conflicts[c].handling
        assert db.session.scalar(select(func.count(ConflictDeclaration.id))) == 1
        events = [json.loads(e.detail) for e in _events("evaluation.conflicts_declared")]
        assert [e["amendment"] for e in events] == [False, True]
        assert events[1]["conflicts"] == {"Care Provider C Ltd": "Realised my cousin works there."}
        state = assignments.declaration_state(marker, world.tender_id)
        assert [org_id for org_id, _ in state.open_bidders] == [b]


def test_pending_declarations_lists_tenders_not_declared_yet(app, world):
    with app_ctx(app):
        _assign(world, 0, world.evaluators[0])
        _assign(world, 1, world.evaluators[0])
        marker = _user(world.evaluators[0]).id
        assert [t.id for t in assignments.pending_declarations(marker)] == [world.tender_id]
        assignments.declare(marker, world.tender_id, {})
        assert assignments.pending_declarations(marker) == []
        assert assignments.pending_declarations(_user(world.evaluators[1]).id) == []


# Coverage ------------------------------------------------------------------------------------


def test_coverage_counts_markers_per_answer_with_conflicts_and_undeclared(app, world):
    a, b, c = world.bidder_org_ids
    with app_ctx(app):
        _name(world.evaluators[0], "Eve Clarke")
        _name(world.evaluators[1], "Bob Singh")
        _name(world.officer2, "Ann Patel")
        for email in world.evaluators:
            _assign(world, 1, email)
        _assign(world, 0, world.officer2)
        _assign(world, 2, world.panel[0])
        assignments.declare(_user(world.evaluators[0]).id, world.tender_id, {b: "Ex-employer"})
        assignments.declare(_user(world.evaluators[1]).id, world.tender_id, {})
        result = assignments.coverage(world.tender_id)
        assert len(result.rows) == 3 * 3 * 2  # questions × bidders × lots
        by_key = {(r.question_number, r.organisation_name, r.lot_number): r for r in result.rows}

        conflicted = by_key[(2, "Care Provider B Ltd", 1)]
        assert (conflicted.count, conflicted.needed, conflicted.short) == (1, 2, True)
        assert conflicted.conflicted == ("Eve Clarke",)
        assert conflicted.declared == ("Bob Singh",)
        assert conflicted.sentence() == (
            "Question 2, Care Provider B Ltd (lot 1): 1 of 2 markers, Eve Clarke is conflicted"
        )
        clear = by_key[(2, "Care Provider A Ltd", 2)]
        assert (clear.count, clear.short, clear.conflicted) == (2, False, ())

        single = by_key[(1, "Care Provider C Ltd", 1)]
        assert (single.count, single.short, single.undeclared) == (1, True, ("Ann Patel",))
        assert single.sentence() == (
            "Question 1, Care Provider C Ltd (lot 1): 1 of 2 markers, "
            "Ann Patel has not declared yet"
        )
        assert len(result.shortfalls) == 2 + 6 + 6  # B on q2 (2 lots), all of q1 and q3
        assert result.undeclared == sorted([_user(world.panel[0]).full_name, "Ann Patel"])
        assert not result.complete

        # One marker per answer on q1 and q3 closes those gaps; declarations complete it.
        officer = _user(world.officer)
        for index in (0, 2):
            assignments.set_markers_needed(officer, world.tender_id, world.question_ids[index], 1)
        assignments.set_markers_needed(officer, world.tender_id, world.question_ids[1], 1)
        assignments.declare(_user(world.officer2).id, world.tender_id, {})
        assignments.declare(_user(world.panel[0]).id, world.tender_id, {})
        result = assignments.coverage(world.tender_id)
        assert result.shortfalls == [] and result.undeclared == [] and result.complete


def test_coverage_of_a_question_without_markers_says_so(app, world):
    with app_ctx(app):
        row = assignments.coverage(world.tender_id).rows[0]
        assert row.count == 0 and row.short
        assert row.sentence().endswith(": 0 of 2 markers, no markers assigned")


def test_coverage_queries_do_not_grow_with_the_number_of_bids(app, make_user):
    from sqlalchemy import event

    small = evaluation_world(app, make_user, bidders=2, lots=1, prefix="s-")
    large = evaluation_world(app, make_user, bidders=6, lots=2, prefix="l-")
    counts = []
    with app_ctx(app):
        for world in (small, large):
            _assign(world, 0, world.evaluators[0])
            assignments.declare(_user(world.evaluators[0]).id, world.tender_id, {})
            statements = []

            def count(*args, statements=statements):
                statements.append(1)

            event.listen(db.engine, "before_cursor_execute", count)
            try:
                db.session.expire_all()
                rows = assignments.coverage(world.tender_id).rows
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            assert len(rows) == 3 * len(world.bid_ids)
            counts.append(len(statements))
    assert counts[0] == counts[1] <= 6


# The hub's progress --------------------------------------------------------------------------


def test_progress_counts_marks_and_statuses(app, world):
    with app_ctx(app):
        tender = db.session.get(Tender, world.tender_id)
        state = evaluation_progress.progress(tender)
        assert state.bids == 6 and state.answers == 18
        assert state.markers_status == "Not started"
        assert state.marking_status == "Cannot start yet"
        assert [q.needed for q in state.questions] == [12, 12, 12]
        _assign(world, 0, world.evaluators[0])
        _mark(world, world.evaluators[0], 0, submitted=True)
        _mark(world, world.evaluators[1], 0, submitted=False)  # a draft does not count
        state = evaluation_progress.progress(db.session.get(Tender, world.tender_id))
        assert state.markers_status == "In progress"
        assert [q.submitted for q in state.questions] == [1, 0, 0]
        assert (state.marks_submitted, state.marks_needed) == (1, 36)
        assert state.marking_status == "In progress"
        assert state.moderation_status == "Not started"
        assert state.results_status == "Cannot start yet"


def test_organisation_names_come_from_submitted_bids_only(app, world):
    with app_ctx(app):
        _assign(world, 0, world.evaluators[0])
        bid_org = world.bidder_org_ids[0]
        for bid_id in [v for (org, _), v in world.bid_ids.items() if org == bid_org]:
            from dps.models import Bid

            db.session.get(Bid, bid_id).status = "withdrawn"
        db.session.commit()
        state = assignments.declaration_state(_user(world.evaluators[0]).id, world.tender_id)
        assert bid_org not in {org_id for org_id, _ in state.bidders}
        assert db.session.get(Organisation, bid_org).name not in {n for _, n in state.bidders}


def test_a_declared_conflict_keeps_the_marker_away_from_that_bidders_answers(app, world):
    from dps.services import evaluation_access

    a, b, c = world.bidder_org_ids
    with app_ctx(app):
        _assign(world, 0, world.evaluators[0])
        marker = _user(world.evaluators[0]).id
        question = world.question_ids[0]
        assert evaluation_access.markable_bids(marker, world.tender_id, question) == []
        assignments.declare(marker, world.tender_id, {b: "Director is my brother."})
        visible = {
            bid.organisation_id
            for bid in evaluation_access.markable_bids(marker, world.tender_id, question)
        }
        assert visible == {a, c}
        assert not evaluation_access.may_mark(
            marker, world.bid_ids[(b, world.lot_ids[0])], question
        )
        assert evaluation_access.may_mark(marker, world.bid_ids[(a, world.lot_ids[0])], question)
