"""rank_lot: combined scores, exclusions apart, ties broken by the named rule, all explained."""

import json
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from evaluation.ranking import rank_lot
from evaluation.scoring import Question, quality_scores

QUESTIONS = [Question("q1", D(1), D(5), min_mark=D(2)), Question("q2", D(1), D(5))]


def quality(marks, weight=D(60), **kwargs):
    consensus = {bid: {"q1": D(a), "q2": D(b)} for bid, (a, b) in marks.items()}
    return quality_scores(QUESTIONS, consensus, weight, **kwargs)


def test_combined_score_is_quality_plus_price():
    ranking = rank_lot(quality({"A": (5, 5), "B": (4, 4)}), {"A": D(20), "B": D(16)}, D(40))
    assert ranking.order == ["A", "B"]
    assert ranking.ranked[0].combined == D(60) + D(32)
    assert ranking.ranked[1].combined == D(48) + D(40)
    assert ranking.winner == "A"
    assert ranking.ranked[0].reason == "1st: quality 60.00 + price 32.00 = 92.00"


def test_excluded_bids_are_listed_apart_and_do_not_set_the_lowest_price():
    ranking = rank_lot(quality({"A": (5, 5), "B": (1, 5)}), {"A": D(20), "B": D(10)}, D(40))
    assert ranking.order == ["A"]
    assert ranking.ranked[0].price_score == D(40)
    assert ranking.excluded[0].bid == "B"
    assert "below the minimum" in ranking.excluded[0].reasons[0]


def test_other_exclusions_such_as_viability_are_listed_with_reasons():
    ranking = rank_lot(quality({"A": (5, 5), "B": (4, 4)}), {"A": D(20), "B": D(16)}, D(40),
                       excluded={"A": "basic pay below the National Living Wage"})
    assert ranking.order == ["B"]
    assert ranking.excluded[0].reasons == ("basic pay below the National Living Wage",)


def level_pair():
    """Two bids equal on quality and price, so only the later rules can separate them."""
    return quality({"A": (4, 4), "B": (4, 4)}), {"A": D(16), "B": D(16)}


def test_default_tie_break_is_quality_then_price_then_submission():
    marks = quality({"A": (5, 3), "B": (3, 3)})  # quality A 48, B 36
    # A: 48 + 40 x 14/20 = 76; B: 36 + 40 = 76.
    ranking = rank_lot(marks, {"A": D(20), "B": D(14)}, D(40))
    assert ranking.ranked[0].combined == ranking.ranked[1].combined == D(76)
    assert ranking.order == ["A", "B"]
    assert "higher quality score" in ranking.ranked[1].reason
    assert any("A ranks above B" in step for step in ranking.steps)


def test_submission_time_breaks_a_tie_on_quality_and_price():
    marks, prices = level_pair()
    times = {"A": datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
             "B": datetime(2026, 5, 1, 11, 0, tzinfo=UTC)}
    ranking = rank_lot(marks, prices, D(40), submitted_at=times)
    assert ranking.order == ["B", "A"]
    assert "earlier submission" in ranking.ranked[1].reason


def test_named_rule_order_is_respected():
    marks = quality({"A": (5, 3), "B": (3, 3)})
    ranking = rank_lot(marks, {"A": D(20), "B": D(14)}, D(40), tie_break=("price", "quality"))
    assert ranking.order == ["B", "A"]


def test_bids_level_on_every_rule_go_in_reference_order():
    marks, prices = level_pair()
    ranking = rank_lot(marks, prices, D(40))
    assert ranking.order == ["A", "B"]
    assert "by reference" in ranking.ranked[1].reason


def test_unknown_rule_and_missing_price_are_errors():
    marks, prices = level_pair()
    with pytest.raises(ValueError, match="unknown tie-break rule"):
        rank_lot(marks, prices, D(40), tie_break=("coin",))
    with pytest.raises(ValueError, match="has no price"):
        rank_lot(marks, {"A": D(16)}, D(40))


def test_ranking_is_json_friendly_and_every_step_is_a_sentence():
    marks, prices = level_pair()
    ranking = rank_lot(marks, prices, D(40), lot="North")
    json.dumps(ranking.to_dict())
    assert all(step.endswith(".") for step in ranking.steps)
