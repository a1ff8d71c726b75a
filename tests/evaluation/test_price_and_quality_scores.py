"""Price scores (lowest / price x points, and the benchmark methods) and weighted quality."""

import json
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.scoring import (
    Question,
    price_scores,
    price_scores_explained,
    quality_scores,
)

QUESTIONS = [
    Question("q1", weight=D(20), max_mark=D(5), min_mark=D(2)),
    Question("q2", weight=D(10), max_mark=D(5)),
    Question("q3", weight=D(30), max_mark=D(10), min_mark=D(4)),
]


def test_lowest_price_gets_full_marks_others_pro_rata():
    scores = price_scores({"A": D("15.00"), "B": D("20.00")}, D(40))
    assert scores == {"A": D(40), "B": D(30)}


def test_price_scores_are_unrounded():
    scores = price_scores({"A": D("15.61"), "B": D("15.99")}, D(40))
    assert scores["B"] == D("15.61") / D("15.99") * 40


def test_price_score_reasons_show_the_sum():
    explained = price_scores_explained({"A": D("15.00"), "B": D("20.00")}, D(40))
    assert explained["B"].reason == "lowest price 15.00 / price 20.00 x 40 = 30.00"


@pytest.mark.parametrize("bad", [D(0), D("-1")])
def test_zero_or_negative_price_is_refused(bad):
    with pytest.raises(ValueError):
        price_scores({"A": D(15), "B": bad}, D(40))


def test_float_price_is_refused():
    with pytest.raises(TypeError):
        price_scores({"A": 15.0}, D(40))


def test_benchmark_method_caps_at_full_marks():
    scores = price_scores({"A": D("14.00"), "B": D("16.00"), "C": D("20.00")}, D(40),
                          method="benchmark", benchmark=D("16.00"))
    assert scores == {"A": D(40), "B": D(40), "C": D("32.00")}


def test_mean_method_uses_the_mean_price():
    scores = price_scores({"A": D("10"), "B": D("20")}, D(30), method="mean")
    assert scores == {"A": D(30), "B": D("22.5")}


def test_unknown_method_and_missing_benchmark_are_errors():
    with pytest.raises(ValueError, match="unknown price method"):
        price_scores({"A": D(1)}, D(40), method="median")
    with pytest.raises(ValueError, match="needs a benchmark"):
        price_scores({"A": D(1)}, D(40), method="benchmark")


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(
    prices=st.lists(st.decimals(min_value=D("0.01"), max_value=D(1000), places=2),
                    min_size=1, max_size=12),
    max_points=st.decimals(min_value=D(1), max_value=D(100), places=1),
    method=st.sampled_from(["lowest", "mean", "benchmark"]),
)
def test_price_scores_lie_in_zero_to_max_and_the_lowest_gets_max(prices, max_points, method):
    bids = {f"bid{i}": price for i, price in enumerate(prices)}
    scores = price_scores(bids, max_points, method=method, benchmark=D("15.61"))
    for score in scores.values():
        assert 0 < score <= max_points
    lowest = min(prices)
    for bid, price in bids.items():
        if price == lowest:
            assert scores[bid] == max_points or method == "benchmark"
        assert scores[bid] >= min(scores.values())
    if method == "lowest":
        ordered = sorted(bids, key=bids.__getitem__)
        assert [scores[b] for b in ordered] == sorted(scores.values(), reverse=True)


def test_quality_is_weighted_and_scaled_to_the_quality_weighting():
    results = quality_scores(QUESTIONS, {"A": {"q1": D(5), "q2": D(5), "q3": D(10)},
                                         "B": {"q1": D(3), "q2": D(4), "q3": D(6)}}, D(60))
    assert results["A"].score == D(60)
    # B: 3/5 x 20 + 4/5 x 10 + 6/10 x 30 = 12 + 8 + 18 = 38 of 60 weight points -> 38 of 60.
    assert results["B"].score == D(38)
    assert results["B"].share == D(38) / D(60)
    assert not results["B"].excluded
    assert results["B"].questions[0].reason == "3/5 x 20.00 = 12.00"


def test_bid_under_a_question_minimum_is_excluded_with_the_reason():
    results = quality_scores(QUESTIONS, {"C": {"q1": D(1), "q2": D(5), "q3": D(10)}}, D(60))
    assert results["C"].excluded
    assert results["C"].exclusion_reasons == ("question q1: mark 1 is below the minimum 2",)


def test_bid_under_the_overall_threshold_is_excluded():
    results = quality_scores(QUESTIONS, {"D": {"q1": D(2), "q2": D(0), "q3": D(4)}}, D(60),
                             min_share=D("0.5"))
    assert results["D"].excluded
    assert "below the threshold of 50%" in results["D"].exclusion_reasons[0]


@pytest.mark.parametrize(
    "marks, error",
    [
        ({"q1": D(3), "q2": D(3)}, ValueError),
        ({"q1": D(6), "q2": D(3), "q3": D(3)}, ValueError),
        ({"q1": D(3), "q2": D(3), "q3": D(3), "q9": D(1)}, ValueError),
        ({"q1": 3.0, "q2": D(3), "q3": D(3)}, TypeError),
    ],
)
def test_bad_marks_are_refused(marks, error):
    with pytest.raises(error):
        quality_scores(QUESTIONS, {"A": marks}, D(60))


def test_quality_results_are_json_friendly():
    results = quality_scores(QUESTIONS, {"A": {"q1": D(5), "q2": D(5), "q3": D(10)}}, D(60))
    json.dumps(results["A"].to_dict())
