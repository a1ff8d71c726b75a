"""allocate: optimal awards under lot limits, places per lot and capacity, with reasons."""

import json
from decimal import Decimal as D

import pytest

from evaluation.allocation import allocate


def scores(**pairs):
    """scores(A_L1="90") -> {("A", "L1"): Decimal("90")}."""
    return {tuple(key.split("_")): D(value) for key, value in pairs.items()}


def test_single_lot_goes_to_the_highest_score():
    result = allocate(scores(A_L1="70", B_L1="80"))
    assert result.awards == {"L1": ["B"]}
    assert result.total_score == D(80)
    assert result.unfilled == {}


def test_optimum_beats_the_greedy_pass_under_a_lot_limit():
    # Greedy in lot order gives L1 to A (90) and L2 to B (50): 140. Optimal: A->L2, B->L1: 160.
    table = scores(A_L1="90", A_L2="85", B_L1="75", B_L2="50")
    greedy = allocate(table, max_lots_per_bidder=1, policy="priority")
    best = allocate(table, max_lots_per_bidder=1)
    assert greedy.awards == {"L1": ["A"], "L2": ["B"]} and greedy.total_score == D(140)
    assert best.awards == {"L1": ["B"], "L2": ["A"]} and best.total_score == D(160)
    assert any("limit of 1 lot" in line for line in best.explanations["L1"])


def test_places_filled_come_before_total_score():
    # Scoring alone prefers A->L1 (100, one lot). Filling both lots wins: A->L2 + B->L1.
    result = allocate(scores(A_L1="100", A_L2="60", B_L1="10"), max_lots_per_bidder=1)
    assert result.awards == {"L1": ["B"], "L2": ["A"]}
    assert result.places_filled == 2 and result.total_score == D(70)


def test_capacity_limits_the_lots_a_bidder_can_win():
    table = scores(A_L1="90", A_L2="90", B_L1="60", B_L2="50")
    result = allocate(table, capacity={"A": D(100)}, demand={"L1": D(60), "L2": D(50)})
    assert result.awards == {"L1": ["B"], "L2": ["A"]}
    explanation = " ".join(result.explanations["L1"])
    assert "capacity is 100 hours" in explanation and "50 hours in L2" in explanation


def test_bidder_whose_capacity_is_below_a_lots_demand_cannot_win_it():
    result = allocate(scores(A_L1="90"), capacity={"A": D(10)}, demand={"L1": D(20)})
    assert result.awards == {"L1": []}
    assert "could not take it" in result.unfilled["L1"]


def test_unfilled_lots_carry_a_reason():
    result = allocate(scores(A_L1="90", A_L2="80"), max_lots_per_bidder=1,
                      winners_per_lot={"L1": 1, "L2": 1, "L3": 1})
    assert result.awards["L2"] == [] and result.awards["L3"] == []
    assert result.unfilled["L3"] == "no eligible bids"
    assert "A: lot limit" in result.unfilled["L2"]
    assert result.places_filled == 1 and result.places_available == 3


def test_several_winners_per_lot():
    table = scores(A_L1="90", B_L1="80", C_L1="70", A_L2="60", C_L2="65")
    result = allocate(table, max_lots_per_bidder=1, winners_per_lot={"L1": 2, "L2": 1})
    assert result.places_filled == 3
    assert result.awards == {"L1": ["A", "B"], "L2": ["C"]}


def test_priority_policy_awards_lots_in_published_order():
    table = scores(A_L1="90", A_L2="85", B_L1="75", B_L2="50")
    result = allocate(table, max_lots_per_bidder=1, policy="priority", lot_priority=["L2", "L1"])
    assert result.awards == {"L2": ["A"], "L1": ["B"]}
    assert list(result.awards) == ["L2", "L1"]


def test_ties_go_to_the_better_ranked_bidder_in_lot_priority_order():
    table = scores(A_L1="80", A_L2="80", B_L1="80", B_L2="80")
    assert allocate(table, max_lots_per_bidder=1).awards == {"L1": ["A"], "L2": ["B"]}
    flipped = allocate(table, max_lots_per_bidder=1, lot_rankings={"L1": ["B", "A"]})
    assert flipped.awards == {"L1": ["B"], "L2": ["A"]}
    reordered = allocate(table, max_lots_per_bidder=1, lot_priority=["L2", "L1"])
    assert reordered.awards == {"L2": ["A"], "L1": ["B"]}


def test_result_is_deterministic():
    table = {(f"B{b}", f"L{lot}"): D(50 + (b * lot) % 7) for b in range(5) for lot in range(4)}
    first = allocate(table, max_lots_per_bidder=1)
    for _ in range(3):
        assert allocate(table, max_lots_per_bidder=1) == first


def test_integer_keys_work():
    result = allocate({(1, 10): D(5), (2, 10): D(6), (1, 20): D(4)}, max_lots_per_bidder=1)
    assert result.awards == {10: [2], 20: [1]}


def test_lot_limit_of_zero_awards_nothing():
    result = allocate(scores(A_L1="5"), max_lots_per_bidder=0)
    assert result.awards == {"L1": []}


def test_scores_with_many_decimal_places_are_noted():
    result = allocate({("A", "L1"): D("1.1234567"), ("B", "L1"): D("1.1234566")})
    assert result.awards == {"L1": ["A"]}
    assert any("6 decimal places" in note for note in result.notes)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"scores": {("A", "L1"): 1.5}}, TypeError),
        ({"scores": {"A": D(1)}}, ValueError),
        ({"scores": {("A", "L1"): D(-1)}}, ValueError),
        ({"scores": {("A", "L1"): D(1)}, "capacity": {"A": D(5)}}, ValueError),
        ({"scores": {("A", "L1"): D(1)}, "winners_per_lot": {"L2": 1}}, ValueError),
        ({"scores": {("A", "L1"): D(1)}, "max_lots_per_bidder": -1}, ValueError),
        ({"scores": {("A", "L1"): D(1)}, "policy": "lottery"}, ValueError),
        ({"scores": {("A", "L1"): D(1)}, "lot_priority": ["L2"]}, ValueError),
    ],
)
def test_bad_input_is_refused(kwargs, error):
    with pytest.raises(error):
        allocate(**kwargs)


def test_allocation_is_json_friendly():
    result = allocate(scores(A_L1="90", B_L1="80"))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["awards"] == [{"lot": "L1", "bidders": ["A"]}]
    assert data["total_score"] == "90"
    assert result.lots_won("A") == ["L1"]
