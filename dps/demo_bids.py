"""The demo's bids: who bids for which lot, when, and what each bid says.

Bids are written through dps.services.bids as a provider's pages would: sealed drafts, then
submission with a receipt. Cost breakdowns vary around the UKHCA-style defaults (pay at or a
little above the National Living Wage, more travel in rural lots); two drafts pay last year's
rate, so the viability warning shows. Answers are a few sentences from content banks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from dps import demo_content as content
from dps.demo_timeline import Applicant, Market, daytime, london_at
from dps.services import bids
from dps.state.clock import to_london
from evaluation.costs import UKHCA_STYLE_2026, calculate
from evaluation.fees import call_rates

HOME_CARE_BIDS = 39  # and provider@'s draft: about 40
NIGHT_CARE_BIDDERS = 8  # and one more who starts a bid and never submits it
PROVIDER = 1  # provider@, by its place in dps.demo.provider_names
PROVIDER_LOT = "Ashfield"  # provider@'s draft; its Mansfield lot has no bid yet
RURAL_LOTS = ("Bassetlaw", "Newark and Sherwood", "Rushcliffe")
CAPACITY = {"micro": (40, 160), "small": (120, 450), "medium": (300, 900), "large": (600, 1800)}
LOW_PAY = (Decimal("12.21"), Decimal("12.50"))  # below the 12.71 in force from April 2026


@dataclass
class TenderPlan:
    """One demo tender: its settings, and its ids once the steps have built it."""

    title: str
    description: str
    category: str
    lots: tuple
    questions: tuple
    call_rates: bool
    tender_id: int = 0
    lot_ids: dict[str, int] = field(default_factory=dict)
    question_ids: list[int] = field(default_factory=list)

    def lots_of(self, applicant: Applicant) -> list[str]:
        """The lots an applicant's admitted scopes get it invited to."""
        zones = {zone for category, zone in applicant.admitted_scopes if category == self.category}
        return [title for title, lot_zones, *_ in self.lots if zones & set(lot_zones)]


@dataclass
class BidPlan:
    bidder: Applicant
    lot: str
    seed: int
    completeness: str  # "full", "nearly" (no capacity or partners yet) or "started"
    low_pay: bool = False
    bid_id: int = 0


def bidders(market: Market, plan: TenderPlan, published: datetime) -> list[Applicant]:
    """Members invited at publication (admitted by then), other than provider@."""
    cutoff = published - timedelta(hours=1)
    return [
        applicant
        for applicant in market.applicants
        if applicant.member_before(cutoff)
        and plan.lots_of(applicant)
        and applicant.index != PROVIDER
        and applicant.outcome != "suspended"
    ]


def add_night_care_bids(
    market: Market, plan: TenderPlan, rng: random.Random, published: datetime, closing: datetime
) -> None:
    """Submitted bids from most invitees before closing; one started and never submitted."""
    candidates = bidders(market, plan, published)
    chosen = rng.sample(candidates, min(NIGHT_CARE_BIDDERS + 1, len(candidates)))
    for number, bidder in enumerate(chosen):
        complete = number < NIGHT_CARE_BIDDERS
        lots = plan.lots_of(bidder)
        if len(lots) > 1 and rng.random() < 0.5:
            lots = [rng.choice(lots)]
        for lot in lots:
            bid = BidPlan(bidder, lot, rng.randrange(10**9), "full" if complete else "started")
            saved = daytime(rng, published + timedelta(hours=20), closing - timedelta(days=4))
            market.timeline.add(saved, save_bid, market, plan, bid)
            if complete:
                sent = daytime(rng, saved, closing - timedelta(hours=2))
                market.timeline.add(sent, submit_bid, market, bid)


def add_home_care_bids(
    market: Market, plan: TenderPlan, rng: random.Random, published: datetime
) -> None:
    """About 40 bids, every other one submitted; provider@'s own draft for Ashfield."""
    planned = _spread(plan, bidders(market, plan, published), rng)
    until = market.loaded_at - timedelta(minutes=20)
    low_pay_left = len(LOW_PAY)
    on_lot: dict[str, int] = {}
    for number, (bidder, lot) in enumerate(planned):
        on_lot[lot] = on_lot.get(lot, 0) + 1
        submitted = on_lot[lot] % 2 == 1  # every other bid on each lot
        completeness = "full" if submitted else rng.choice(("full", "nearly", "started", "started"))
        low_pay = not submitted and completeness != "started" and low_pay_left > 0
        low_pay_left -= low_pay
        bid = BidPlan(bidder, lot, rng.randrange(10**9), completeness, low_pay)
        saved = daytime(
            rng, published + timedelta(minutes=90), published + (until - published) * 0.7
        )
        market.timeline.add(saved, save_bid, market, plan, bid)
        if submitted:
            sent = daytime(rng, saved + timedelta(minutes=30), until)
            market.timeline.add(sent, submit_bid, market, bid)
            if number == 0:  # one bidder sharpens its price and submits a second version
                market.timeline.add(daytime(rng, sent, until), replace_bid, market, plan, bid)
    own = BidPlan(market.applicant(PROVIDER), PROVIDER_LOT, rng.randrange(10**9), "nearly")
    evening = london_at(to_london(published).date() + timedelta(days=2), 19, 30)
    market.timeline.add(evening, save_bid, market, plan, own)


def _spread(
    plan: TenderPlan, candidates: list[Applicant], rng: random.Random
) -> list[tuple[Applicant, str]]:
    """(bidder, lot) pairs taken lot by lot in turn, so every district gets bids; bigger
    providers bid for two lots, most small ones for one."""
    pools = {title: [] for title, *_ in plan.lots}
    for candidate in candidates:
        for title in plan.lots_of(candidate):
            pools[title].append(candidate)
    for pool in pools.values():
        rng.shuffle(pool)
    allowed = {
        c.index: 2 if c.size in ("medium", "large") or rng.random() < 0.25 else 1
        for c in candidates
    }
    planned: list[tuple[Applicant, str]] = []
    while len(planned) < HOME_CARE_BIDS and any(pools.values()):
        for title, pool in pools.items():
            while pool and len(planned) < HOME_CARE_BIDS:
                candidate = pool.pop()
                if allowed[candidate.index] > 0:
                    allowed[candidate.index] -= 1
                    planned.append((candidate, title))
                    break
    return planned


# ---- what a bid says -------------------------------------------------------------------------


def bid_content(plan: TenderPlan, bid: BidPlan) -> dict:
    """A bid as the pages would build it: answers, costs in the engine's units, and the rest."""
    rng = random.Random(bid.seed)
    pairs = list(zip(plan.question_ids, plan.questions, strict=True))
    if bid.completeness == "started":
        pairs = pairs[: rng.randint(1, len(pairs) - 1)]
    answers = {}
    for question_id, question in pairs:
        bank = question["answers"]
        sentences = rng.sample(bank, rng.randint(3, min(5, len(bank))))
        answers[str(question_id)] = " ".join(s.format(lot=bid.lot) for s in sentences)
    costs = _costs(rng, bid.lot in RURAL_LOTS, bid.low_pay)
    built = {
        "answers": answers,
        "cost_inputs": costs,
        "call_rates": _visit_rates(rng, costs) if plan.call_rates else {},
        "capacity_hours": None,
        "subcontractors": None,
    }
    if bid.completeness == "started":  # the first few figures of the breakdown only
        built["cost_inputs"] = {name: costs[name] for name in list(costs)[:3]}
        built["call_rates"] = {}
    if bid.completeness == "full":
        low, high = CAPACITY[bid.bidder.size]
        built["capacity_hours"] = str(rng.randrange(low, high, 10))
        built["subcontractors"] = []
        if rng.random() < 0.12:
            zones = next(lot_zones for title, lot_zones, *_ in plan.lots if title == bid.lot)
            partner = {
                "name": content.SUBCONTRACTOR_NAME,
                "role": content.SUBCONTRACTOR_ROLE,
                "zones": list(zones[-1:]),
                "share": str(rng.choice((10, 15, 20))),
            }
            built["subcontractors"] = [partner]
    return built


def _costs(rng: random.Random, rural: bool, low_pay: bool) -> dict[str, str]:
    """Figures around the UKHCA defaults: pay at or a little above the NLW, local travel."""
    defaults = UKHCA_STYLE_2026.defaults()
    pay = rng.choice(LOW_PAY) if low_pay else Decimal(rng.randint(1271, 1360)) / 100
    travel = rng.randint(20, 30) if rural else rng.randint(16, 26)
    miles = rng.randint(5, 8) if rural else rng.randint(3, 5)
    values = {
        "basic_pay": pay,
        "travel_minutes_per_hour": Decimal(travel) / 2,
        "mileage_rate": Decimal(rng.choice(("0.30", "0.35", "0.40", "0.45", "0.45"))),
        "miles_per_hour": Decimal(miles) / 2,
        "holiday_rate": defaults["holiday_rate"],
        "employer_ni_rate": defaults["employer_ni_rate"],
        "ni_threshold_per_hour": defaults["ni_threshold_per_hour"],
        "pension_rate": Decimal(rng.choice(("0.03", "0.03", "0.03", "0.04", "0.05"))),
        "pension_threshold_per_hour": defaults["pension_threshold_per_hour"],
        "training_rate": Decimal(rng.randint(150, 250)) / 10000,
        "sickness_rate": Decimal(rng.randint(50, 120)) / 10000,
        "running_rate": Decimal(rng.randint(22, 32)) / 100,
        "profit_rate": Decimal(rng.randint(20, 50)) / 1000,
    }
    return {name: format(value, "f") for name, value in values.items()}


def _visit_rates(rng: random.Random, costs: dict[str, str]) -> dict[str, str]:
    """Pro rata to the hourly rate, with the usual premium on short visits."""
    total = calculate(UKHCA_STYLE_2026, {k: Decimal(v) for k, v in costs.items()}).total
    premium = {15: Decimal(rng.randint(110, 130)) / 100, 30: Decimal(rng.randint(100, 108)) / 100}
    return {
        str(rate.minutes): format(
            (rate.amount * premium.get(rate.minutes, 1)).quantize(Decimal("0.01")), "f"
        )
        for rate in call_rates(total)
    }


# ---- the steps -------------------------------------------------------------------------------


def save_bid(market: Market, plan: TenderPlan, bid: BidPlan) -> None:
    user = market.user(bid.bidder.email)
    organisation_id = bid.bidder.organisation_id
    started = bids.start_or_resume_bid(plan.tender_id, plan.lot_ids[bid.lot], organisation_id, user)
    bid.bid_id = started.id
    bids.save_draft(started.id, organisation_id, user, bid_content(plan, bid))


def submit_bid(market: Market, bid: BidPlan) -> None:
    bids.submit(bid.bid_id, bid.bidder.organisation_id, market.user(bid.bidder.email))


def replace_bid(market: Market, plan: TenderPlan, bid: BidPlan) -> None:
    user = market.user(bid.bidder.email)
    sharper = bid_content(plan, bid)
    sharper["cost_inputs"]["profit_rate"] = "0.02"
    bids.save_draft(bid.bid_id, bid.bidder.organisation_id, user, sharper)
    bids.submit(bid.bid_id, bid.bidder.organisation_id, user)
