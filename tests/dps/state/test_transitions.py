"""Every row of the stage 1 transition tables, tested from the tables themselves.

For each row: its guard refusing (every refusing case below) and allowing. For each table: every
(state, event) pair that is NOT a row is refused with TransitionError. A new row is tested by
being added; a new guard needs its cases added to GUARD_CASES (a test checks that).
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from dps.state.application import (
    APPLICATION_TRANSITIONS,
    DPS_TRANSITIONS,
    MEMBERSHIP_TRANSITIONS,
)
from dps.state.clock import LONDON, set_fixed
from dps.state.machine import TransitionError, fire

TABLES = {
    "application": APPLICATION_TRANSITIONS,
    "membership": MEMBERSHIP_TRANSITIONS,
    "dps": DPS_TRANSITIONS,
}


def _application(state: str) -> SimpleNamespace:
    dps = SimpleNamespace(regime="pcr2015_dps", decision_target_days=10)
    return SimpleNamespace(
        status=state,
        dps=dps,
        submitted_at=datetime(2026, 11, 2, 10, tzinfo=LONDON),
        decision_due_on=None,
        declaration_name=None,
        extended=False,
        extension_reason=None,
        decided_at=None,
        decision_reason=None,
    )


def _membership(state: str) -> SimpleNamespace:
    return SimpleNamespace(
        status=state,
        status_reason=None,
        status_changed_at=None,
        suspension_proposed="CQC rated Inadequate",
        scopes=[],
        admitted_at=None,
    )


def _dps(state: str) -> SimpleNamespace:
    return SimpleNamespace(
        status=state, categories=["generic"], zones=["ashfield"], published_at=None
    )


MAKERS = {"application": _application, "membership": _membership, "dps": _dps}


def _pa2023(obj):
    obj.dps.regime = "pa2023_dynamic_market"


def _already_extended(obj):
    obj.extended = True


def _no_categories(obj):
    obj.categories = []


def _no_zones(obj):
    obj.zones = []


def _as_is(obj):
    return None


# guard name -> (what makes it allow, [what makes it refuse, with the words of the refusal])
# Each case is (change to the object, context passed to fire, words expected).
GUARD_CASES = {
    "_reason_given": (
        (_as_is, {"reason": "Because the evidence is now complete"}),
        [
            (_as_is, {}, "Give a reason"),
            (_as_is, {"reason": "   "}, "Give a reason"),
        ],
    ),
    "_complete": (
        (_as_is, {"missing": [], "declaration_name": "Pat Provider"}),
        [
            (_as_is, {"missing": ["Insurance"], "declaration_name": "Pat"}, "Finish every section"),
            (_as_is, {"missing": [], "declaration_name": "  "}, "Confirm the declaration"),
        ],
    ),
    "_can_extend": (
        (_as_is, {"reason": "Waiting for references from two councils"}),
        [
            (_pa2023, {"reason": "Busy"}, "has no extension of the decision period"),
            (_already_extended, {"reason": "Busy"}, "already been extended"),
            (_as_is, {"reason": ""}, "Give a reason"),
        ],
    ),
    "_some_scope_admitted": (
        (_as_is, {"admitted_scope_ids": [1, 2]}),
        [
            (_as_is, {"admitted_scope_ids": []}, "Choose at least one service and zone"),
            (_as_is, {}, "Choose at least one service and zone"),
        ],
    ),
    "_dps_ready": (
        (_as_is, {}),
        [
            (_no_categories, {}, "at least one category"),
            (_no_zones, {}, "at least one zone"),
        ],
    ),
}

ROWS = [
    pytest.param(name, state, event, id=f"{name}:{state}-{event}")
    for name, table in TABLES.items()
    for (state, event) in table
]
REFUSALS = [
    pytest.param(name, state, event, index, id=f"{name}:{state}-{event}-refusal{index}")
    for name, table in TABLES.items()
    for (state, event), transition in table.items()
    if transition.guard is not None
    for index in range(len(GUARD_CASES.get(transition.guard.__name__, (None, [None]))[1]))
]


def _states(table) -> list[str]:
    return sorted({state for state, _ in table} | {t.next_state for t in table.values()})


def _events(table) -> list[str]:
    return sorted({event for _, event in table})


MISSING = [
    pytest.param(name, state, event, id=f"{name}:{state}-{event}")
    for name, table in TABLES.items()
    for state in _states(table)
    for event in _events(table)
    if (state, event) not in table
]


@pytest.fixture(autouse=True)
def fixed_clock():
    set_fixed(datetime(2026, 11, 2, 10, tzinfo=LONDON))


def test_every_guard_in_the_tables_has_cases():
    guards = {
        transition.guard.__name__
        for table in TABLES.values()
        for transition in table.values()
        if transition.guard is not None
    }
    assert guards <= set(GUARD_CASES), f"add cases for {sorted(guards - set(GUARD_CASES))}"


@pytest.mark.parametrize("name, state, event", ROWS)
def test_each_row_moves_when_its_guard_allows(name, state, event):
    transition = TABLES[name][(state, event)]
    obj = MAKERS[name](state)
    context: dict = {}
    if transition.guard is not None:
        change, context = GUARD_CASES[transition.guard.__name__][0]
        change(obj)
    assert fire(TABLES[name], obj, event, **context) == transition.next_state
    assert obj.status == transition.next_state


@pytest.mark.parametrize("name, state, event, index", REFUSALS)
def test_each_row_is_refused_when_its_guard_refuses(name, state, event, index):
    transition = TABLES[name][(state, event)]
    change, context, words = GUARD_CASES[transition.guard.__name__][1][index]
    obj = MAKERS[name](state)
    change(obj)
    before = dict(vars(obj))
    with pytest.raises(TransitionError, match=words):
        fire(TABLES[name], obj, event, **context)
    assert obj.status == state
    assert vars(obj) == before  # a refused move changes nothing


@pytest.mark.parametrize("name, state, event", MISSING)
def test_every_pair_not_in_the_table_is_refused(name, state, event):
    obj = MAKERS[name](state)
    with pytest.raises(TransitionError, match=f"You cannot {event.replace('_', ' ')} when it is"):
        fire(TABLES[name], obj, event, reason="A reason", admitted_scope_ids=[1])
    assert obj.status == state


def test_the_handlers_do_what_the_moves_mean():
    application = _application("submitted")
    fire(APPLICATION_TRANSITIONS, application, "extend", reason="  Waiting for references ")
    assert str(application.decision_due_on) == "2026-11-23"  # 15 working days after receipt
    assert application.extension_reason == "Waiting for references" and application.extended
    fire(APPLICATION_TRANSITIONS, application, "admit", admitted_scope_ids=[1], reason="")
    assert application.decided_at is not None and application.decision_reason is None
    membership = _membership("active")
    fire(MEMBERSHIP_TRANSITIONS, membership, "suspend", reason=" Insurance expired ")
    assert membership.status_reason == "Insurance expired"
    assert membership.suspension_proposed is None and membership.status_changed_at is not None
