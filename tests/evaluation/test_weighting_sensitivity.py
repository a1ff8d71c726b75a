"""Sensitivity: winners from 50/50 to 90/10 and the smallest change of weighting that matters."""

import json
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.scoring import Question, quality_scores
from evaluation.sensitivity import weighting_sensitivity

QUESTION = [Question("q", D(1), D(100))]


def quality(marks, weight=D(60)):
    return quality_scores(QUESTION, {bid: {"q": D(mark)} for bid, mark in marks.items()}, weight)


def test_grid_runs_from_50_50_to_90_10_in_fives():
    result = weighting_sensitivity(quality({"A": 100, "B": 80}), {"A": D(20), "B": D(15)}, D(60))
    assert [outcome.quality_weight for outcome in result.outcomes] == [
        D(50), D(55), D(60), D(65), D(70), D(75), D(80), D(85), D(90)
    ]
    assert all(o.price_weight == 100 - o.quality_weight for o in result.outcomes)


def test_smallest_change_is_the_nearest_crossing():
    # A = q + 0.75(100 - q); B = 0.8q + (100 - q): level at q = 25 / 0.45 = 55.55...
    result = weighting_sensitivity(quality({"A": 100, "B": 80}), {"A": D(20), "B": D(15)}, D(60))
    assert result.winner == "A" and result.new_winner == "B"
    assert abs(result.change_at - D(500) / D(9)) < D("1e-20")
    assert abs(result.smallest_change - (D(60) - D(500) / D(9))) < D("1e-20")
    winners = {o.quality_weight: o.winner for o in result.outcomes}
    assert winners[D(50)] == winners[D(55)] == "B"
    assert all(winners[q] == "A" for q in winners if q >= 60)
    assert "towards price" in result.explanation and "below" in result.explanation


def test_a_crossing_exactly_on_the_grid_counts_when_the_challenger_wins_the_tie():
    # A = q + 0.75(100 - q); B = 0.75q + (100 - q): level at exactly 50.
    marks, prices = quality({"A": 100, "B": 75}), {"A": D(20), "B": D(15)}
    on_price = weighting_sensitivity(marks, prices, D(60), tie_break=("price",))
    assert on_price.change_at == D(50) and on_price.smallest_change == D(10)
    assert on_price.outcomes[0].winner == "B"
    assert "tie and win" in on_price.explanation
    on_quality = weighting_sensitivity(marks, prices, D(60))
    assert on_quality.smallest_change is None and on_quality.new_winner is None
    assert "none in range" in on_quality.explanation


def test_dominant_bid_wins_everywhere():
    result = weighting_sensitivity(quality({"A": 90, "B": 60}), {"A": D(14), "B": D(16)}, D(70))
    assert result.smallest_change is None
    assert {o.winner for o in result.outcomes} == {"A"}
    json.dumps(result.to_dict())


def test_no_eligible_bid():
    result = weighting_sensitivity(quality({"A": 90}), {"A": D(14)}, D(70),
                                   excluded={"A": "failed viability"})
    assert result.winner is None and "No bid is eligible" in result.explanation


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(
    marks=st.lists(st.integers(1, 100), min_size=2, max_size=5),
    prices=st.lists(st.integers(1000, 2500), min_size=5, max_size=5),
    today=st.sampled_from([D(50), D(60), D(65), D(70), D(90)]),
)
def test_tipping_point_agrees_with_the_grid(marks, prices, today):
    bids = {f"bid{i}": mark for i, mark in enumerate(marks)}
    priced = {bid: D(prices[i]).scaleb(-2) for i, bid in enumerate(bids)}
    result = weighting_sensitivity(quality(bids), priced, today)
    for outcome in result.outcomes:
        distance = abs(outcome.quality_weight - today)
        if result.smallest_change is None or distance < result.smallest_change:
            assert outcome.winner == result.winner
        elif result.change_at is not None:
            beyond = (outcome.quality_weight - result.change_at) * (result.change_at - today)
            if beyond > 0:
                assert outcome.winner != result.winner
