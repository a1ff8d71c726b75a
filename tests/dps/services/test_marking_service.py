"""Independent marking: labels, each marker's order, conflicts, declarations, others' marks only
after submitting, submitted marks final, and the validation of marks and rationales."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import AuditEvent, Bid
from dps.models.evaluation import Mark
from dps.services import marking
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.evaluation_factories import evaluation_world
from tests.dps.marking_factories import assign, declare


@pytest.fixture
def world(app, make_user):
    w = evaluation_world(app, make_user, bidders=4, lots=2)
    q1, q2, _panel = w.question_ids
    with app_ctx(app):
        for email in w.evaluators:
            assign(w.tender_id, q1, email)
            assign(w.tender_id, q2, email)
            declare(w.tender_id, email)
        assign(w.tender_id, q1, w.officer2)  # assigned, not declared yet
    return SimpleNamespace(w=w, q1=q1, q2=q2, tender_id=w.tender_id)


def _uid(email: str) -> int:
    return f.user(email).id


def test_labels_are_stable_letters_for_every_bidder_not_in_name_or_id_order(app, world):
    with app_ctx(app):
        labels = marking.bidder_labels(world.tender_id)
        assert sorted(labels) == sorted(world.w.bidder_org_ids)
        assert sorted(labels.values()) == ["Bidder A", "Bidder B", "Bidder C", "Bidder D"]
        assert marking.bidder_labels(world.tender_id) == labels
        bid = db.session.get(Bid, world.w.bid_ids[(world.w.bidder_org_ids[1], world.w.lot_ids[1])])
        assert marking.answer_label(bid) == f"{labels[bid.organisation_id]}, lot 2"


def test_labels_do_not_follow_id_order_on_some_tender(app, make_user):
    # The hash order must differ from id order for at least one of a few tenders.
    orders = []
    for prefix in ("a", "b", "c"):
        w = evaluation_world(app, make_user, bidders=4, lots=1, prefix=prefix)
        with app_ctx(app):
            labels = marking.bidder_labels(w.tender_id)
            orders.append([labels[org_id] for org_id in sorted(labels)])
    assert any(order != sorted(order) for order in orders)


def test_same_letter_across_questions_and_markers(app, world):
    one, two = world.w.evaluators
    with app_ctx(app):
        seen = {}
        for email in (one, two):
            for question_id in (world.q1, world.q2):
                for ref in marking.answers_for(_uid(email), world.tender_id, question_id):
                    seen.setdefault(ref.bid_id, set()).add(ref.label)
        assert len(seen) == 8
        assert all(len(labels) == 1 for labels in seen.values())


def test_each_marker_reads_in_their_own_stable_order(app, world):
    one, two = world.w.evaluators
    with app_ctx(app):
        first = [a.bid_id for a in marking.answers_for(_uid(one), world.tender_id, world.q1)]
        again = [a.bid_id for a in marking.answers_for(_uid(one), world.tender_id, world.q1)]
        other = [a.bid_id for a in marking.answers_for(_uid(two), world.tender_id, world.q1)]
        assert first == again
        assert sorted(first) == sorted(other) and first != other
        assert {a.status for a in marking.answers_for(_uid(one), world.tender_id, world.q1)} == {
            "Not started"
        }


def test_conflicted_marker_never_sees_that_bidders_answers(app, make_user, world):
    conflicted_org = world.w.bidder_org_ids[2]
    make_user("evaluator", email="conflicted@council.example", organisation="Test Council")
    with app_ctx(app):
        assign(world.tender_id, world.q1, "conflicted@council.example")
        declare(world.tender_id, "conflicted@council.example", conflicts=(conflicted_org,))
        uid = _uid("conflicted@council.example")
        refs = marking.answers_for(uid, world.tender_id, world.q1)
        hidden = {world.w.bid_ids[(conflicted_org, lot)] for lot in world.w.lot_ids}
        assert len(refs) == 6 and not hidden & {r.bid_id for r in refs}
        for bid_id in hidden:
            with pytest.raises(marking.MarkingNotFound):
                marking.answer_view(uid, world.tender_id, world.q1, bid_id)
            with pytest.raises(marking.MarkingNotFound):
                marking.save_mark(uid, world.tender_id, world.q1, bid_id, "3", "Fine", True)
        overview = marking.marker_overview(uid)
        assert overview[0].questions[0].total == 6


def test_not_declared_needs_declaration_and_not_assigned_is_not_found(app, world):
    bid_id = next(iter(world.w.bid_ids.values()))
    with app_ctx(app):
        officer2 = _uid(world.w.officer2)
        with pytest.raises(marking.DeclarationNeeded):
            marking.answers_for(officer2, world.tender_id, world.q1)
        with pytest.raises(marking.DeclarationNeeded):
            marking.answer_view(officer2, world.tender_id, world.q1, bid_id)
        with pytest.raises(marking.MarkingNotFound):  # not assigned to question 2
            marking.answers_for(officer2, world.tender_id, world.q2)
        evaluator = _uid(world.w.evaluators[0])
        panel_question = world.w.question_ids[2]
        with pytest.raises(marking.MarkingNotFound):
            marking.answers_for(evaluator, world.tender_id, panel_question)
        with pytest.raises(marking.MarkingNotFound):
            marking.answer_view(evaluator, world.tender_id, panel_question, bid_id)
        overview = marking.marker_overview(officer2)
        assert [(t.declared, [q.total for q in t.questions]) for t in overview] == [(False, [0])]


def test_answer_view_shows_only_this_answer_and_its_place(app, world):
    one = world.w.evaluators[0]
    with app_ctx(app):
        uid = _uid(one)
        order = [a.bid_id for a in marking.answers_for(uid, world.tender_id, world.q1)]
        view = marking.answer_view(uid, world.tender_id, world.q1, order[1])
        index = world.w.bidder_org_ids.index(db.session.get(Bid, order[1]).organisation_id)
        assert view.answer.startswith(f"Bidder answer {index} to question 1:")
        assert view.word_count == len(view.answer.split())
        assert (view.position, view.count) == (2, 8)
        assert (view.previous_bid_id, view.next_bid_id) == (order[0], order[2])
        assert [s["mark"] for s in view.scale] == [0, 1, 2, 3, 4, 5]
        assert view.own is None and view.others == [] and view.bidder_name is None
        assert "question 2" not in view.answer and "cost" not in repr(view).lower()
        last = marking.answer_view(uid, world.tender_id, world.q1, order[-1])
        assert last.next_bid_id is None and last.position == 8


def test_named_marking_shows_names_to_officers_only(app, world):
    with app_ctx(app):
        tender = db.session.get(Bid, next(iter(world.w.bid_ids.values()))).tender
        tender.named_marking = True
        db.session.commit()
        declare(world.tender_id, world.w.officer2)
        officer = marking.answers_for(_uid(world.w.officer2), world.tender_id, world.q1)
        evaluator = marking.answers_for(_uid(world.w.evaluators[0]), world.tender_id, world.q1)
        assert all(r.bidder_name and r.bidder_name.startswith("Care Provider") for r in officer)
        assert all(r.bidder_name is None for r in evaluator)


def test_others_marks_appear_only_after_submitting_own(app, world):
    one, two = world.w.evaluators
    bid_id = next(iter(world.w.bid_ids.values()))
    with app_ctx(app):
        marking.save_mark(_uid(two), world.tender_id, world.q1, bid_id, "4", "Strong plan.", True)
        marking.save_mark(_uid(one), world.tender_id, world.q1, bid_id, "3", "Some gaps.", False)
        draft = marking.answer_view(_uid(one), world.tender_id, world.q1, bid_id)
        assert draft.others == [] and draft.own.mark == Decimal(3)
        assert draft.own.submitted_at is None
        statuses = {
            a.bid_id: a.status for a in marking.answers_for(_uid(one), world.tender_id, world.q1)
        }
        assert statuses[bid_id] == "In progress"
        marking.save_mark(_uid(one), world.tender_id, world.q1, bid_id, "3", "Some gaps.", True)
        after = marking.answer_view(_uid(one), world.tender_id, world.q1, bid_id)
        assert [(o.marker_name, o.mark, o.rationale) for o in after.others] == [
            ("Test evaluator", Decimal(4), "Strong plan.")
        ]
        progress = marking.marker_overview(_uid(one))[0].questions[0]
        assert (progress.total, progress.saved, progress.submitted) == (8, 0, 1)


def test_submitted_mark_is_final_and_audited(app, world):
    one = world.w.evaluators[0]
    bid_id = next(iter(world.w.bid_ids.values()))
    with app_ctx(app):
        uid = _uid(one)
        mark = marking.save_mark(uid, world.tender_id, world.q2, bid_id, "5", "Excellent.", True)
        assert mark.submitted_at is not None
        with pytest.raises(marking.MarkingError, match="moderator"):
            marking.save_mark(uid, world.tender_id, world.q2, bid_id, "1", "Changed mind", True)
        with pytest.raises(marking.MarkingError, match="moderator"):
            marking.save_mark(uid, world.tender_id, world.q2, bid_id, "1", "Draft", False)
        stored = db.session.scalars(select(Mark)).all()
        assert [(m.mark, m.rationale) for m in stored] == [(Decimal(5), "Excellent.")]
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "evaluation.mark_submitted")
        ).all()
        assert len(events) == 1
        assert '"mark":5' in events[0].detail and "Excellent" not in events[0].detail


@pytest.mark.parametrize(
    ("mark", "rationale", "submit", "field"),
    [
        ("6", "Too high", True, "mark"),
        ("-1", "Negative", True, "mark"),
        ("3.5", "Half", False, "mark"),
        ("three", "Words", False, "mark"),
        ("", "No mark", True, "mark"),
        (None, "No mark", True, "mark"),
        ("3", "", True, "rationale"),
        ("3", "   ", True, "rationale"),
        ("3", "x" * 5001, False, "rationale"),
    ],
)
def test_invalid_marks_are_refused_with_the_field(app, world, mark, rationale, submit, field):
    bid_id = next(iter(world.w.bid_ids.values()))
    with app_ctx(app):
        uid = _uid(world.w.evaluators[0])
        with pytest.raises(marking.MarkingError) as caught:
            marking.save_mark(uid, world.tender_id, world.q1, bid_id, mark, rationale, submit)
        assert caught.value.field == field and caught.value.message
        assert db.session.scalars(select(Mark)).all() == []


def test_drafts_may_be_incomplete_and_are_updated(app, world):
    bid_id = next(iter(world.w.bid_ids.values()))
    with app_ctx(app):
        uid = _uid(world.w.evaluators[0])
        marking.save_mark(uid, world.tender_id, world.q1, bid_id, None, "Half way", False)
        marking.save_mark(uid, world.tender_id, world.q1, bid_id, "0", "", False)
        stored = db.session.scalars(select(Mark)).all()
        assert [(m.mark, m.rationale, m.submitted_at) for m in stored] == [(Decimal(0), "", None)]
        assert marking.marker_overview(uid)[0].questions[0].saved == 1


def test_nothing_to_mark_once_the_tender_leaves_evaluation(app, world):
    bid_id = next(iter(world.w.bid_ids.values()))
    with app_ctx(app):
        tender = db.session.get(Bid, bid_id).tender
        tender.status = "awarded"
        db.session.commit()
        uid = _uid(world.w.evaluators[0])
        assert marking.marker_overview(uid) == []
        with pytest.raises(marking.MarkingNotFound):
            marking.save_mark(uid, world.tender_id, world.q1, bid_id, "3", "Fine", True)
