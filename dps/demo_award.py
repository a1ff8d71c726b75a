"""The demo's awarded tender: "Reablement at home — 2 lots", from publication to contracts.

Published about six weeks ago, closed four weeks ago and opened that afternoon; evaluated over
the next week (markers, declarations, marks, consensus on every answer, price checks); the award
proposed by officer@ and approved by officer2@; one letter per bidder made by the letter job
(run here at once, as the worker would a moment later); the standstill ended by the tick; and
the contracts recorded lot by lot on different days, each lot starting on its own date.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from dps import demo_bids
from dps import demo_content as content
from dps import demo_evaluation as evaluation
from dps.demo_bids import BidPlan, TenderPlan
from dps.demo_timeline import (
    OFFICER,
    OFFICER2,
    Market,
    daytime,
    london_at,
    working_day_on_or_after,
    working_day_on_or_before,
)
from dps.extensions import db
from dps.jobs.award_jobs import make_award_letter
from dps.models.award import AwardLetter
from dps.services import award_after, awards, opening
from dps.state.calendar import add_working_days, standstill_end
from dps.state.clock import to_london

TITLE = "Reablement at home — 2 lots"
DESCRIPTION = (
    "Short-term reablement at home for up to six weeks after a hospital stay or a crisis, "
    "helping people regain their confidence and skills, in the north and south of the county. "
    "Awarded on quality (60%) and price (40%); one provider may win at most two lots."
)
# (lot title, zones, hours a week, providers to appoint): small lots, so that most bidders'
# stated capacity covers them.
LOTS = (
    ("Mansfield and Ashfield", ("mansfield", "ashfield"), "120", 2),
    ("Gedling and Rushcliffe", ("gedling", "rushcliffe"), "100", 2),
)
QUESTIONS = (
    {**content.HOME_CARE_QUESTIONS[0], "weight": "40"},
    {**content.HOME_CARE_QUESTIONS[1], "weight": "35"},
    {**content.HOME_CARE_QUESTIONS[2], "weight": "25"},
)
BIDS_PER_LOT = 5
CLOSED_DAYS_AGO = 28
REGIME = "light_touch"  # the demo DPS's (dps.demo_applications)
LOT_START_GAP = 14  # days: the second lot starts a fortnight after the first


def plan_reablement(market: Market, rng: random.Random) -> None:
    """Every step of the awarded tender, dated before today (see the module docstring)."""
    from dps.demo_tenders import OPENING, _add_tender_steps

    timeline, today = market.timeline, market.today
    plan = TenderPlan(TITLE, DESCRIPTION, "generic_home_care", LOTS, QUESTIONS, call_rates=False)
    closed_on = working_day_on_or_before(today - timedelta(days=CLOSED_DAYS_AGO))
    closing = london_at(closed_on, 12)
    published = london_at(working_day_on_or_before(closed_on - timedelta(days=15)), 10)
    deadline = london_at(working_day_on_or_before(closed_on - timedelta(days=6)), 17)
    _add_tender_steps(market, plan, published, closing, deadline, first_day=closed_on)
    _add_bids(market, plan, rng, published, closing)
    timeline.add(closing + timedelta(minutes=1), opening.close_due_tenders)  # the tick
    for minutes, action, email in OPENING:  # that afternoon
        timeline.add(closing + timedelta(minutes=150 - minutes), _open, market, plan, action, email)

    def on(working_days: int, hour: int, minute: int = 0) -> datetime:
        return london_at(add_working_days(closed_on, working_days), hour, minute)

    timeline.add(on(1, 9, 30), evaluation.assign_markers, market, plan, False)
    timeline.add(on(1, 9, 45), evaluation.check_prices, market, plan, False)
    people = (evaluation.EVALUATOR2, OFFICER2, OFFICER, evaluation.PANEL2, evaluation.PANEL3)
    for hour, email in zip(range(10, 15), people, strict=True):
        timeline.add(on(1, hour, 20), evaluation.declare, market, plan, email)
    timeline.add(on(3, 16, 30), evaluation.mark_all, market, plan, True)
    timeline.add(on(5, 11), evaluation.agree_all, market, plan, True)
    timeline.add(on(6, 10), _propose, market, plan)
    approved_at = on(7, 11, 15)
    timeline.add(approved_at, _approve, market, plan)
    timeline.add(approved_at + timedelta(minutes=4), _make_letters, plan)
    ends = standstill_end(approved_at, REGIME)
    over_on = to_london(ends).date() + timedelta(days=1)
    timeline.add(london_at(over_on, 6, 30), award_after.end_due_standstills)  # the tick
    first = working_day_on_or_after(over_on)
    for number, (title, *_rest) in enumerate(LOTS):
        recorded = london_at(add_working_days(first, number), 10 + number, 40)
        timeline.add(recorded, _record_contracts, market, plan, title, number * LOT_START_GAP)


def _add_bids(
    market: Market, plan: TenderPlan, rng: random.Random, published: datetime, closing: datetime
) -> None:
    """A handful of full bids per lot from the members invited, all submitted in time."""
    candidates = demo_bids.bidders(market, plan, published)
    rng.shuffle(candidates)
    taken: dict[str, int] = {}
    for bidder in candidates:
        lots = [lot for lot in plan.lots_of(bidder) if taken.get(lot, 0) < BIDS_PER_LOT]
        for lot in lots[: 2 if bidder.size in ("medium", "large") else 1]:
            taken[lot] = taken.get(lot, 0) + 1
            bid = BidPlan(bidder, lot, rng.randrange(10**9), "full")
            saved = daytime(rng, published + timedelta(days=1), closing - timedelta(days=3))
            market.timeline.add(saved, demo_bids.save_bid, market, plan, bid)
            sent = daytime(rng, saved + timedelta(minutes=30), closing - timedelta(hours=3))
            market.timeline.add(sent, demo_bids.submit_bid, market, bid)


def _open(market: Market, plan: TenderPlan, action, email: str) -> None:
    action(plan.tender_id, market.user(email))


def _propose(market: Market, plan: TenderPlan) -> None:
    awards.propose(plan.tender_id, market.user(OFFICER))


def _approve(market: Market, plan: TenderPlan) -> None:
    awards.approve(plan.tender_id, market.user(OFFICER2))


def _make_letters(plan: TenderPlan) -> None:
    """What the worker does with the queued letter jobs (each is safe to run again)."""
    letter_ids = db.session.scalars(
        select(AwardLetter.id)
        .where(AwardLetter.tender_id == plan.tender_id)
        .order_by(AwardLetter.id)
    ).all()
    for letter_id in letter_ids:
        make_award_letter(letter_id)


def _record_contracts(market: Market, plan: TenderPlan, lot_title: str, start_gap: int) -> None:
    """officer@ records each winner's contract for one lot, starting on the lot's own date."""
    officer = market.user(OFFICER)
    award = award_after.award_of(plan.tender_id)
    for slot in award_after.slots(award):
        if slot.lot.title != lot_title or slot.contract is not None:
            continue
        start = working_day_on_or_after(slot.start_on + timedelta(days=start_gap))
        award_after.record_contract(
            plan.tender_id,
            officer,
            lot_id=slot.lot.id,
            organisation_id=slot.organisation_id,
            start_on=start,
            end_on=_years_later(start, 3) - timedelta(days=1),
            hourly_rate=slot.hourly_rate,
            hours_per_week=slot.hours_per_week,
            reference=slot.reference,
        )


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
