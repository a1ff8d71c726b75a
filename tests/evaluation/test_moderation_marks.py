"""Moderation: spreads of individual marks and consensus marks with reasons."""

from decimal import Decimal as D

import pytest

from evaluation.scoring import agree_consensus, answers_for_discussion, mark_spread


def test_spread_of_individual_marks():
    spread = mark_spread({"officer": D(2), "panel": D(3), "nhs": D(4)})
    assert (spread.lowest, spread.highest, spread.spread) == (D(2), D(4), D(2))
    assert spread.needs_discussion
    assert "discuss" in spread.reason


def test_marks_one_apart_need_no_discussion():
    assert not mark_spread({"a": D(3), "b": D(4)}).needs_discussion


def test_answers_for_discussion_lists_only_wide_spreads():
    marks = {
        ("bid1", "q1"): {"a": D(1), "b": D(4)},
        ("bid1", "q2"): {"a": D(3), "b": D(3)},
        ("bid2", "q1"): {"a": D(5), "b": D(3)},
    }
    assert sorted(answers_for_discussion(marks)) == [("bid1", "q1"), ("bid2", "q1")]


def test_consensus_matching_a_mark_needs_no_reason():
    consensus = agree_consensus({"a": D(3), "b": D(4)}, D(4))
    assert not consensus.differs_from_all and consensus.reason


def test_consensus_differing_from_every_mark_needs_a_reason():
    with pytest.raises(ValueError, match="give the reason"):
        agree_consensus({"a": D(2), "b": D(4)}, D(3))
    consensus = agree_consensus({"a": D(2), "b": D(4)}, D(3), "met most of the descriptor")
    assert consensus.differs_from_all and consensus.reason == "met most of the descriptor"


def test_no_marks_and_float_marks_are_refused():
    with pytest.raises(ValueError):
        mark_spread({})
    with pytest.raises(TypeError):
        mark_spread({"a": 3.5})
