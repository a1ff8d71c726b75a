"""tender_results: scores against hand-worked numbers, exclusions, the lot limit, readiness and
the weighting sensitivity.

Questions weigh 30/30/40 out of 5 (minimum 2) and quality is 60, so the questions are worth
18, 18 and 24 points; price is 40 points for the lowest price.
  A: 4,4,4 -> 48.00; £25.00 -> 20/25 x 40 = 32.00; combined 80.00
  B: 5,5,3 -> 18 + 18 + 14.40 = 50.40; £27.50 -> 29.09; combined 79.49
  C: 3,3,5 -> 10.80 + 10.80 + 24 = 45.60; £20.00 -> 40.00; combined 85.60
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from dps.services.evaluation_results import tender_results
from dps.services.results_types import TenderResults
from tests.conftest import app_ctx
from tests.dps.evalresults_setup import names, set_tender, settle
from tests.dps.evaluation_factories import evaluation_world

D = Decimal
A, B, C, DD, E = range(5)
MARKS = {A: (4, 4, 4), B: (5, 5, 3), C: (3, 3, 5)}


@pytest.fixture
def world(app, make_user):
    return evaluation_world(app, make_user, bidders=5, lots=2)


def results(app, world) -> TenderResults:
    with app_ctx(app):
        return tender_results(world.tender_id)


def by_name(lot, name):
    return next(bid for bid in lot.bids if bid.organisation_name == name)


def three_bidders(app, world, lot2_price_a="25.00", **kwargs):
    marks = {(who, lot): MARKS[who] for who in (A, B, C) for lot in (0, 1)}
    prices = {(A, 0): "25.00", (B, 0): "27.50", (C, 0): "20.00"}
    prices |= {(A, 1): lot2_price_a, (B, 1): "27.50", (C, 1): "20.00"}
    settle(app, world, marks, prices, **kwargs)


def test_scores_match_the_hand_worked_numbers(app, world):
    three_bidders(app, world)
    # D and E have no marks or reviews: only bidders A to C are in this test's lots
    result = results(app, world)
    lot = result.lots[0]
    n = names(world)

    a, b, c = by_name(lot, n[A]), by_name(lot, n[B]), by_name(lot, n[C])
    assert (a.quality_score, a.price, a.price_score, a.combined) == (
        D("48.00"),
        D("25.00"),
        D("32.00"),
        D("80.00"),
    )
    assert (b.quality_score, b.price_score, b.combined) == (D("50.40"), D("29.09"), D("79.49"))
    assert (c.quality_score, c.price_score, c.combined) == (D("45.60"), D("40.00"), D("85.60"))
    assert [bid.organisation_name for bid in lot.bids[:3]] == [n[C], n[A], n[B]]
    assert (c.position, a.position, b.position) == (1, 2, 3)
    assert c.won and not a.won and not b.won
    assert lot.winner_bid_ids == (c.bid_id,)
    assert "wins (ranked 1st, score 85.60)" in c.reason
    assert [q.points for q in b.questions] == [D("18.00"), D("18.00"), D("14.40")]
    assert b.questions[0].rationale == "Marker 1 on Q1: clear plan. / Marker 2 on Q1: clear plan."
    assert any("lowest price 20.00 / price 25.00 x 40 = 32.00" in s for s in lot.tie_break_steps)


def test_consensus_reason_is_the_rationale(app, world):
    three_bidders(app, world, reasons={(A, 0, 2): "Agreed: strong rota plan."})
    a = by_name(results(app, world).lots[0], names(world)[A])
    assert a.questions[1].rationale == "Agreed: strong rota plan."


def test_rejected_price_and_a_mark_below_the_minimum_exclude(app, world):
    three_bidders(app, world)
    settle(
        app,
        world,
        {(DD, 0): (5, 5, 5), (E, 0): (1, 5, 5)},
        {
            (DD, 0): ("15.00", "rejected", "Pays £10.50 an hour, under the National Living Wage."),
            (E, 0): "19.00",
        },
    )
    lot = results(app, world).lots[0]
    n = names(world)
    d, e = by_name(lot, n[DD]), by_name(lot, n[E])
    assert d.excluded and d.position is None and d.combined is None and not d.won
    assert d.exclusion_reasons == (
        "price rejected: Pays £10.50 an hour, under the National Living Wage.",
    )
    assert e.excluded and e.exclusion_reasons == ("question 1: mark 1 is below the minimum 2",)
    # excluded prices do not set the lowest price: C's £20.00 still scores in full
    assert by_name(lot, n[C]).price_score == D("40.00")
    assert {bid.bid_id for bid in lot.bids[-2:]} == {d.bid_id, e.bid_id}


def test_lot_limit_gives_the_next_bidder_the_lot_and_says_why(app, world):
    # Lot 2: A at £24.00 -> 33.33, combined 81.33; C wins lot 1 and A lot 2 (166.93 > 165.60)
    set_tender(app, world.tender_id, max_lots_per_provider=1)
    three_bidders(app, world, lot2_price_a="24.00")
    result = results(app, world)
    n = names(world)
    lot1, lot2 = result.lots
    assert by_name(lot1, n[C]).won
    c2, a2 = by_name(lot2, n[C]), by_name(lot2, n[A])
    assert c2.position == 1 and not c2.won
    assert a2.won and a2.combined == D("81.33")
    assert "is at the limit of 1 lot: it wins Lot 1" in c2.reason
    assert any("limit of 1 lot" in line for line in lot2.allocation_explanation)


def test_capacity_counts_against_lot_demand(app, world):
    three_bidders(app, world, capacity="600")  # each lot needs 500 hours: one lot each
    result = results(app, world)
    c2 = by_name(result.lots[1], names(world)[C])
    assert not c2.won and "cannot take this lot's 500 hours" in c2.reason


def test_not_ready_lists_unmoderated_answers_and_unsettled_prices(app, world):
    three_bidders(app, world)
    settle(
        app,
        world,
        {(DD, 0): (4, 4, None), (E, 0): (4, 4, 4)},
        {(DD, 0): "21.00", (E, 0): ("18.00", "explanation_requested")},
    )
    result = results(app, world)
    n = names(world)
    assert not result.ready
    lot1 = result.lots[0]
    assert (
        f"Lot 1: {lot1.title.split(': ', 1)[1]}, {n[DD]}: the answer to question 3 has no "
        "consensus mark yet." in result.not_ready_reasons
    )
    assert any(
        n[E] in reason
        and "price check is not finished (explanation requested from the bidder)" in reason
        for reason in result.not_ready_reasons
    )
    d, e = by_name(lot1, n[DD]), by_name(lot1, n[E])
    assert d.excluded and d.exclusion_reasons == ("not yet moderated",)
    assert e.exclusion_reasons == ("price checks not finished",)
    # provisional results are still there
    assert by_name(lot1, n[C]).won


def test_ready_when_everything_is_settled(app, make_user):
    world = evaluation_world(app, make_user, bidders=2, lots=1)
    settle(app, world, {(0, 0): (4, 4, 4), (1, 0): (3, 3, 3)}, {(0, 0): "25", (1, 0): "22"})
    result = results(app, world)
    assert result.ready and result.not_ready_reasons == ()
    assert TenderResults.from_dict(result.to_dict()) == result


def test_sensitivity_shows_winners_under_other_weightings(app, world):
    # A: 80 at any split; C: 100 - 0.24q; B: 72.73 + 0.1127q -> B overtakes C at q = 77.32
    three_bidders(app, world)
    lot = results(app, world).lots[0]
    n = names(world)
    winners = {row.quality_weight: row.winners for row in lot.sensitivity}
    assert winners[D(50)] == (n[C],) and winners[D(75)] == (n[C],)
    assert winners[D(80)] == (n[B],) and winners[D(90)] == (n[B],)
    assert "17.32 points towards quality" in lot.sensitivity_summary
    row60 = next(row for row in lot.sensitivity if row.quality_weight == D(60))
    assert row60.scores[0] == (n[C], D("85.60"))


def test_an_unopened_tender_is_not_ready_and_nothing_wins(app, make_user):
    world = evaluation_world(app, make_user, bidders=2, lots=1, status="closed")
    result = results(app, world)
    assert not result.ready
    assert result.not_ready_reasons[0] == "The bids have not been opened yet."
    assert any(
        "the price check is not finished (not checked yet)" in r for r in result.not_ready_reasons
    )
    assert result.lots[0].winner_bid_ids == ()
    assert all(bid.excluded and not bid.won for bid in result.lots[0].bids)
