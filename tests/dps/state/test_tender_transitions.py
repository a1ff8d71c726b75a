"""Every row of the tender and bid transition tables: its guard refusing and allowing, its
handler's effect, and every (state, event) pair not in a table refused.

A new row is tested by adding it to the table; a new guard needs its cases in GUARD_CASES.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from dps.state import clock
from dps.state.machine import TransitionError, fire
from dps.state.tender import BID_LABELS, BID_TRANSITIONS, TENDER_LABELS, TENDER_TRANSITIONS

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PAST = NOW - timedelta(minutes=1)
FUTURE = NOW + timedelta(days=3)
FIRST = SimpleNamespace(id=1, email="first@example.com")
SECOND = SimpleNamespace(id=2, email="second@example.com")


def tender(status: str, **values) -> SimpleNamespace:
    fields = {
        "status": status,
        "closing_at": PAST,
        "opening_needs_two_officers": True,
        "opening_requested_by_id": FIRST.id,
        "opened_at": None,
        "opened_by_id": None,
        "published_at": None,
    }
    return SimpleNamespace(**{**fields, **values})


def bid(bid_status: str, **tender_values) -> SimpleNamespace:
    parent = tender("published", closing_at=FUTURE)
    for key, value in tender_values.items():
        setattr(parent, key, value)
    return SimpleNamespace(status=bid_status, tender=parent, submitted_at=None)


# guard name -> (cases that allow, cases that refuse): each case (make object(state), context)
GUARD_CASES = {
    "_ready_to_publish": (
        [(tender, {"problems": []}), (tender, {})],
        [(tender, {"problems": ["Add a lot", "Add a question"]})],
    ),
    "_reason_given": (
        [(tender, {"reason": "The service is no longer needed"})],
        [(tender, {"reason": "   "}), (tender, {})],
    ),
    "_closing_time_passed": (
        [(lambda s: tender(s, closing_at=PAST), {}), (lambda s: tender(s, closing_at=NOW), {})],
        [(lambda s: tender(s, closing_at=FUTURE), {}), (lambda s: tender(s, closing_at=None), {})],
    ),
    "_can_open": (
        [
            (tender, {"actor": SECOND}),  # asked by the first, confirmed by a second officer
            (
                lambda s: tender(s, opening_needs_two_officers=False, opening_requested_by_id=None),
                {"actor": FIRST},
            ),
        ],
        [
            (lambda s: tender(s, closing_at=FUTURE), {"actor": SECOND}),  # before closing
            (lambda s: tender(s, opening_requested_by_id=None), {"actor": SECOND}),  # nobody asked
            (tender, {"actor": FIRST}),  # the same officer cannot confirm
            (
                lambda s: tender(s, closing_at=FUTURE, opening_needs_two_officers=False),
                {"actor": FIRST},
            ),
        ],
    ),
    "_before_closing": (
        [(bid, {})],
        [
            (lambda s: bid(s, closing_at=PAST), {}),
            (lambda s: bid(s, closing_at=NOW), {}),
            (lambda s: bid(s, status="closed"), {}),
            (lambda s: bid(s, closing_at=None), {}),
        ],
    ),
}

# What each handler leaves on the object.
HANDLER_EFFECTS = {
    "_on_publish": lambda obj: obj.published_at == NOW,
    "_on_open": lambda obj: obj.opened_at == NOW and obj.opened_by_id is not None,
    "_on_submit": lambda obj: obj.submitted_at == NOW,
}

ROWS = [
    pytest.param(TENDER_TRANSITIONS, key, tender, id=f"tender:{key[0]}-{key[1]}")
    for key in TENDER_TRANSITIONS
] + [
    pytest.param(BID_TRANSITIONS, key, bid, id=f"bid:{key[0]}-{key[1]}") for key in BID_TRANSITIONS
]

GUARDED_ROWS = [row for row in ROWS if row.values[0][row.values[1]].guard is not None]


@pytest.fixture(autouse=True)
def _fixed_time():
    clock.set_fixed(NOW)


def _cases(transition, make_default):
    if transition.guard is None:
        return [(make_default, {"actor": SECOND})], []
    name = transition.guard.__name__
    assert name in GUARD_CASES, f"add allowing and refusing cases for the guard {name}"
    return GUARD_CASES[name]


@pytest.mark.parametrize("table, key, make_default", ROWS)
def test_the_guard_allows_and_the_move_happens(table, key, make_default):
    state, event = key
    transition = table[key]
    allowing, _ = _cases(transition, make_default)
    for make, context in allowing:
        obj = make(state)
        assert fire(table, obj, event, **context) == transition.next_state
        assert obj.status == transition.next_state
        if transition.handler is not None:
            assert HANDLER_EFFECTS[transition.handler.__name__](obj)


@pytest.mark.parametrize("table, key, make_default", GUARDED_ROWS)
def test_the_guard_refuses_with_a_message_and_nothing_changes(table, key, make_default):
    state, event = key
    transition = table[key]
    _, refusing = _cases(transition, make_default)
    assert refusing, f"add a refusing case for {transition.guard.__name__}"
    for make, context in refusing:
        obj = make(state)
        before = dict(vars(obj))
        with pytest.raises(TransitionError) as error:
            fire(table, obj, event, **context)
        assert str(error.value).strip(), "a refusal must say why"
        assert vars(obj) == before


def _missing(table, labels):
    states = set(labels) | {s for s, _ in table} | {t.next_state for t in table.values()}
    events = {e for _, e in table}
    return [
        pytest.param(table, state, event, id=f"{state}-{event}")
        for state in sorted(states)
        for event in sorted(events)
        if (state, event) not in table
    ]


@pytest.mark.parametrize(
    "table, state, event",
    _missing(TENDER_TRANSITIONS, TENDER_LABELS) + _missing(BID_TRANSITIONS, BID_LABELS),
)
def test_every_pair_not_in_the_table_is_refused(table, state, event):
    obj = tender(state) if table is TENDER_TRANSITIONS else bid(state)
    with pytest.raises(TransitionError, match="You cannot"):
        fire(table, obj, event, actor=SECOND, reason="A reason", problems=[])
    assert obj.status == state


def test_the_labels_name_every_state():
    for table, labels in ((TENDER_TRANSITIONS, TENDER_LABELS), (BID_TRANSITIONS, BID_LABELS)):
        states = {s for s, _ in table} | {t.next_state for t in table.values()}
        assert states <= set(labels)


def test_the_lifecycle_runs_draft_to_awarded():
    """draft → published → closed → opened → in evaluation → awarded."""
    obj = tender("draft", closing_at=FUTURE, opening_requested_by_id=None)
    fire(TENDER_TRANSITIONS, obj, "publish", problems=[])
    with pytest.raises(TransitionError, match="has not passed"):
        fire(TENDER_TRANSITIONS, obj, "close")
    clock.set_fixed(FUTURE)
    fire(TENDER_TRANSITIONS, obj, "close")
    obj.opening_requested_by_id = FIRST.id
    fire(TENDER_TRANSITIONS, obj, "open", actor=SECOND)
    fire(TENDER_TRANSITIONS, obj, "start_evaluation")
    fire(TENDER_TRANSITIONS, obj, "award")
    assert obj.status == "awarded" and obj.opened_by_id == SECOND.id


@pytest.mark.parametrize("state", ["draft", "published", "closed", "opened", "in_evaluation"])
def test_a_tender_can_be_cancelled_until_awarded_with_a_reason(state):
    obj = tender(state)
    fire(TENDER_TRANSITIONS, obj, "cancel", reason="Funding withdrawn")
    assert obj.status == "cancelled"
