"""Every row of the award transition table: its guard refusing and allowing, its handler's
effect, and every (state, event) pair not in the table refused.

A new row is tested by adding it to the table; a new guard needs its cases in GUARD_CASES.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from dps.state import clock
from dps.state.award import AWARD_LABELS, AWARD_TRANSITIONS, standstill_applies
from dps.state.machine import TransitionError, fire

# Tuesday 3 March 2026, 10:00 UK time.
NOW = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
PCR_END = datetime(2026, 3, 13, 23, 59, 59, tzinfo=UTC)
PROPOSER = SimpleNamespace(id=1)
SECOND = SimpleNamespace(id=2)


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_fixed(NOW)
    yield
    clock.set_fixed(None)


def award(status: str, **values) -> SimpleNamespace:
    fields = {
        "status": status,
        "proposed_by_id": PROPOSER.id,
        "approved_by_id": None,
        "approved_at": None,
        "letters_sent_at": NOW,
        "standstill_applies": True,
        "standstill_ends_at": PCR_END,
        "challenged_at": None,
        "challenge_details": None,
        "challenge_recorded_by_id": None,
        "concluded_at": None,
    }
    return SimpleNamespace(**{**fields, **values})


def ended(status):
    return award(status, standstill_ends_at=datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC))


APPROVE = {"actor": SECOND, "regime": "pcr2015_dps", "voluntary_standstill": True}
GUARD_CASES = {
    "_different_officer": (
        [(award, APPROVE)],
        [(award, {**APPROVE, "actor": PROPOSER}), (award, {"regime": "pcr2015_dps"})],
    ),
    "_reason_given": (
        [(award, {"reason": "Bidder B asked for a review", "actor": SECOND})],
        [(award, {"reason": "  "}), (award, {})],
    ),
    "_standstill_passed": (
        [(ended, {}), (lambda s: award(s, standstill_applies=False, standstill_ends_at=None), {})],
        [(award, {}), (lambda s: award(s, standstill_ends_at=None), {})],
    ),
    "_contracts_recorded": (
        [(award, {"contracts_recorded": True})],
        [(award, {"contracts_recorded": False}), (award, {})],
    ),
}
ROWS = sorted(AWARD_TRANSITIONS.items())


def _guard_name(transition) -> str | None:
    return transition.guard.__name__ if transition.guard else None


@pytest.mark.parametrize(("key", "transition"), ROWS, ids=[f"{s}-{e}" for (s, e), _ in ROWS])
def test_award_every_row_allows_and_refuses_as_its_guard_says(key, transition):
    state, event = key
    name = _guard_name(transition)
    if name is None:
        assert fire(AWARD_TRANSITIONS, award(state), event, regime="pcr2015_dps")
        return
    assert name in GUARD_CASES, f"add cases for {name}"
    allowed, refused = GUARD_CASES[name]
    for make, context in allowed:
        obj = make(state)
        assert fire(AWARD_TRANSITIONS, obj, event, **context) == transition.next_state
    for make, context in refused:
        obj = make(state)
        with pytest.raises(TransitionError):
            fire(AWARD_TRANSITIONS, obj, event, **context)
        assert obj.status == state


@pytest.mark.parametrize("state", sorted(AWARD_LABELS))
@pytest.mark.parametrize("event", sorted({event for (_, event) in AWARD_TRANSITIONS} | {"publish"}))
def test_award_pairs_not_in_the_table_are_refused(state, event):
    if (state, event) in AWARD_TRANSITIONS:
        return
    with pytest.raises(TransitionError, match="You cannot"):
        fire(AWARD_TRANSITIONS, award(state), event, actor=SECOND, reason="x")


def test_award_approval_by_the_proposer_says_why():
    with pytest.raises(TransitionError, match="You proposed this award, so you cannot approve"):
        fire(AWARD_TRANSITIONS, award("proposed"), "approve", **{**APPROVE, "actor": PROPOSER})


@pytest.mark.parametrize(
    ("regime", "voluntary", "ends"),
    [
        ("pcr2015_dps", True, PCR_END),
        ("pcr2015_dps", False, None),
        ("light_touch", True, PCR_END),
        ("pa2023_dynamic_market", False, datetime(2026, 3, 12, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_award_approval_sends_the_letters_and_sets_the_standstill(regime, voluntary, ends):
    obj = award("proposed", letters_sent_at=None, standstill_ends_at=None)
    fire(
        AWARD_TRANSITIONS,
        obj,
        "approve",
        actor=SECOND,
        regime=regime,
        voluntary_standstill=voluntary,
    )
    assert obj.approved_by_id == SECOND.id and obj.approved_at == NOW == obj.letters_sent_at
    assert obj.standstill_applies is (ends is not None) and obj.standstill_ends_at == ends
    assert standstill_applies(regime, voluntary) is (ends is not None)


def test_award_a_batch_finishing_the_next_day_only_lengthens_the_standstill():
    obj = award("approved", letters_sent_at=datetime(2026, 3, 2, 22, 0, tzinfo=UTC))
    obj.standstill_ends_at = datetime(2026, 3, 12, 23, 59, 59, tzinfo=UTC)
    fire(AWARD_TRANSITIONS, obj, "letters_done", regime="pcr2015_dps")
    assert obj.status == "standstill"
    assert obj.letters_sent_at == NOW and obj.standstill_ends_at == PCR_END
    same_day = award("approved")
    fire(AWARD_TRANSITIONS, same_day, "letters_done", regime="pcr2015_dps")
    assert same_day.standstill_ends_at == PCR_END


def test_award_challenge_and_conclusion_are_recorded():
    obj = award("standstill")
    fire(AWARD_TRANSITIONS, obj, "challenge", actor=SECOND, reason=" Bidder B disputes Q2 ")
    assert obj.status == "challenged" and obj.challenged_at == NOW
    assert obj.challenge_details == "Bidder B disputes Q2" and obj.challenge_recorded_by_id == 2
    fire(AWARD_TRANSITIONS, obj, "lift_challenge", reason="Withdrawn by the bidder")
    fire(AWARD_TRANSITIONS, obj, "conclude", contracts_recorded=True)
    assert obj.status == "concluded" and obj.concluded_at == NOW
