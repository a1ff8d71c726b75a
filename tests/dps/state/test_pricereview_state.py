"""The price review lifecycle: every row of the table allowed with its context, refused by its
guard without it; pairs not in the table refused; no rejection for being low before the
deadline unless an answer has been rejected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from dps.state import clock
from dps.state.machine import TransitionError, fire
from dps.state.price_review import PRICE_REVIEW_TRANSITIONS, STATUS_LABELS

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ACTOR = SimpleNamespace(id=7)


def _review(status: str, due: datetime | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        status=status,
        request_text=None,
        response_due_at=due,
        requested_at=None,
        requested_by_id=None,
        response_text=None,
        responded_at=None,
        responded_by_id=None,
        decision_reason=None,
        decided_by_id=None,
        decided_at=None,
    )


# (state, event) -> (due relative to now, good context, bad contexts with the expected words)
CASES = {
    ("low", "request_explanation"): (
        None,
        {"text": "Explain pay.", "due_at": T0 + timedelta(days=5)},
        [
            ({"text": " ", "due_at": T0 + timedelta(days=5)}, "what you want"),
            ({"text": "Explain pay.", "due_at": None}, "date and time"),
            ({"text": "Explain pay.", "due_at": T0 - timedelta(minutes=1)}, "in the future"),
            ({"text": "Explain pay.", "due_at": T0}, "in the future"),
        ],
    ),
    ("explanation_requested", "receive"): (
        timedelta(days=1),
        {"text": "Our costs are lean."},
        [({"text": ""}, "Enter your explanation")],
    ),
    ("explanation_received", "accept"): (
        timedelta(days=-1),
        {"reason": "Explained by volunteer drivers."},
        [({"reason": "  "}, "reason")],
    ),
    ("explanation_received", "reject"): (
        timedelta(days=-1),
        {"reason": "Not explained."},
        [({}, "reason")],
    ),
    ("explanation_requested", "reject"): (
        timedelta(minutes=-1),
        {"reason": "No answer by the deadline."},
        [({"reason": ""}, "reason")],
    ),
}


def test_pricereview_every_row_has_a_case():
    assert set(CASES) == set(PRICE_REVIEW_TRANSITIONS)
    for transition in PRICE_REVIEW_TRANSITIONS.values():
        assert transition.next_state in STATUS_LABELS


@pytest.mark.parametrize("key", sorted(PRICE_REVIEW_TRANSITIONS))
def test_pricereview_transition_allowed(key):
    state, event = key
    offset, good, _bad = CASES[key]
    with clock.frozen(T0):
        review = _review(state, T0 + offset if offset is not None else None)
        new = fire(PRICE_REVIEW_TRANSITIONS, review, event, actor=ACTOR, **good)
    assert new == PRICE_REVIEW_TRANSITIONS[key].next_state == review.status
    if event == "request_explanation":
        assert (review.request_text, review.response_due_at) == (good["text"], good["due_at"])
        assert (review.requested_at, review.requested_by_id) == (T0, 7)
    elif event == "receive":
        assert (review.response_text, review.responded_at, review.responded_by_id) == (
            good["text"],
            T0,
            7,
        )
    else:
        assert (review.decision_reason, review.decided_at, review.decided_by_id) == (
            good["reason"],
            T0,
            7,
        )


@pytest.mark.parametrize("key", sorted(PRICE_REVIEW_TRANSITIONS))
def test_pricereview_transition_refused_by_guard(key):
    state, event = key
    offset, _good, bad = CASES[key]
    for context, words in bad:
        with clock.frozen(T0):
            review = _review(state, T0 + offset if offset is not None else None)
            with pytest.raises(TransitionError, match=words):
                fire(PRICE_REVIEW_TRANSITIONS, review, event, actor=ACTOR, **context)
        assert review.status == state


@pytest.mark.parametrize("due_offset", [timedelta(seconds=1), timedelta(days=3)])
def test_pricereview_low_price_not_rejected_before_deadline(due_offset):
    with clock.frozen(T0):
        review = _review("explanation_requested", T0 + due_offset)
        with pytest.raises(TransitionError, match="still has time"):
            fire(PRICE_REVIEW_TRANSITIONS, review, "reject", actor=ACTOR, reason="Too low.")
    assert review.status == "explanation_requested"


def test_pricereview_answer_refused_after_deadline():
    with clock.frozen(T0):
        review = _review("explanation_requested", T0)
        with pytest.raises(TransitionError, match="deadline"):
            fire(PRICE_REVIEW_TRANSITIONS, review, "receive", actor=ACTOR, text="Late answer.")


EVENTS = sorted({event for _state, event in PRICE_REVIEW_TRANSITIONS})
PAIRS = [
    (state, event)
    for state in STATUS_LABELS
    for event in EVENTS
    if (state, event) not in PRICE_REVIEW_TRANSITIONS
]


@pytest.mark.parametrize("state,event", PAIRS)
def test_pricereview_pairs_not_in_table_refused(state, event):
    context = {"text": "x", "reason": "y", "due_at": T0 + timedelta(days=1), "actor": ACTOR}
    with clock.frozen(T0):
        review = _review(state, T0 - timedelta(days=1))
        with pytest.raises(TransitionError):
            fire(PRICE_REVIEW_TRANSITIONS, review, event, **context)
    assert review.status == state


def test_pricereview_low_cannot_be_rejected_directly():
    assert ("low", "reject") in PAIRS and ("low", "accept") in PAIRS
