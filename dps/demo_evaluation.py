"""Evaluation in the demo, done through the evaluation services as the markers would.

The night-care tender is part-way through evaluation: markers assigned (2 per answer), four of
them declared and marked (evaluator2@ declared a conflict with one bidder, so officer@ marks that
bidder's answers instead), a few answers 2 or more apart are left for discussion, every other
answer has its consensus; one bidder sharpened its price before closing so far that it is
abnormally low, and the explanation asked for is awaited. evaluator@ and panel@ are assigned
but have not declared yet: someone trying the demo goes from declaration to marking as them.
dps.demo_award uses the same steps to evaluate the awarded tender completely.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from dps.demo import DEMO_DOMAIN
from dps.demo_bids import TenderPlan
from dps.demo_timeline import OFFICER, OFFICER2, Market
from dps.extensions import db
from dps.models.bid import Bid
from dps.models.evaluation import PriceReview
from dps.models.organisation import User
from dps.models.tender import QualityQuestion
from dps.services import bids, evaluation_access, marking, moderation, price_review
from dps.services import evaluation_assignments as assignments
from dps.state.calendar import add_working_days
from dps.state.clock import LONDON, now, to_london

EVALUATOR = f"evaluator@{DEMO_DOMAIN}"
EVALUATOR2 = f"evaluator2@{DEMO_DOMAIN}"
PANEL, PANEL2, PANEL3 = (f"{name}@{DEMO_DOMAIN}" for name in ("panel", "panel2", "panel3"))
# Who marks what, in the order they are asked to (officer@ covers evaluator2@'s conflict).
MARKERS = {"officer": (EVALUATOR2, OFFICER2, OFFICER, EVALUATOR), "panel": (PANEL2, PANEL3, PANEL)}
UNDECLARED = (EVALUATOR, PANEL)  # assigned, left for a person trying the demo
MARKERS_NEEDED = 2
BENCHMARK_RATE = Decimal("27.00")  # the councils' cost-of-care rate: below 90% is abnormally low
CONFLICT = "I was a trustee of this organisation until March 2025 and my sister works there."
# The night-care bid that cuts its price before closing (abnormally low, above the NLW).
LEAN_COSTS = {
    "basic_pay": "12.80",
    "travel_minutes_per_hour": "7",
    "miles_per_hour": "1.5",
    "mileage_rate": "0.30",
    "training_rate": "0.012",
    "sickness_rate": "0.005",
    "running_rate": "0.15",
    "profit_rate": "0.01",
}
EXPLANATION_REQUEST = (
    "Your hourly rate is well below the councils' cost of care for night care. Explain how it "
    "covers your care workers' pay for the whole night, travel between homes, training, "
    "supervision and your office costs, with evidence (for example your payroll figures)."
)
DISCUSS_EVERY = 6  # about one answer in six: markers 2 apart, for discussion at moderation

# What markers write, by mark; {topic} is what the question is about.
RATIONALES = {
    5: (
        "An excellent answer on {topic}, with specific, evidenced examples from services the "
        "bidder runs now.",
        "Names who does what and by when, and shows how it is checked; nothing left to chance.",
        "Convincing local detail and clear figures; I have no doubts about delivery.",
    ),
    4: (
        "A good answer on {topic}: clear arrangements and some local evidence.",
        "Covers the points in the guidance well; a little more on how it is monitored would "
        "have made it excellent.",
        "Realistic and specific, with examples, though one or two claims are not evidenced.",
    ),
    3: (
        "An acceptable answer on {topic} that meets the requirement.",
        "Mostly general statements of intent; few examples from existing services.",
        "Covers the basics but does not say who is responsible or how often it is reviewed.",
    ),
    2: (
        "A weak answer on {topic}: key parts of the question are not addressed.",
        "Relies on policy wording rather than showing how it works in practice.",
        "Little evidence that this has been done before; I have concerns about delivery.",
    ),
}
PANEL_RATIONALES = {
    5: ("This is what I would want for my mum. It shows they really listen.",),
    4: ("They ask people what they want and act on it. I would like more examples.",),
    3: ("It is all right, but it reads like a policy. I could not tell what changes.",),
    2: ("It does not say how people get a say. Families are hardly mentioned.",),
}
TOPICS = (  # a word in the question -> what the answer is about
    ("start new packages", "starting new packages quickly"),
    ("recruit", "recruiting and keeping care workers"),
    ("staff", "staffing nights at short notice"),
    ("safe", "keeping people and night staff safe"),
    ("district nurses", "working with health colleagues"),
)


def benchmark_rate(plan: TenderPlan) -> Decimal | None:
    """The tenders judged against the cost of care (the open home-care tender is not)."""
    return BENCHMARK_RATE if plan.category == "night_care" or "Reablement" in plan.title else None


def plan_night_care(market: Market, plan: TenderPlan, closing: datetime) -> None:
    """The lean rebid before closing, then the evaluation after opening (minutes ago)."""
    timeline, loaded = market.timeline, market.loaded_at
    timeline.add(closing - timedelta(minutes=90), lean_rebid, market, plan)
    timeline.add(loaded - timedelta(minutes=11), assign_markers, market, plan, True)
    timeline.add(loaded - timedelta(minutes=10), check_prices, market, plan, True)
    for minutes, email in zip((9, 8, 7, 6), (EVALUATOR2, OFFICER2, OFFICER, PANEL2), strict=True):
        timeline.add(loaded - timedelta(minutes=minutes), declare, market, plan, email)
    timeline.add(loaded - timedelta(minutes=6), declare, market, plan, PANEL3)
    timeline.add(loaded - timedelta(minutes=5), mark_all, market, plan, True)
    timeline.add(loaded - timedelta(minutes=2), agree_all, market, plan, False)


# ---- the steps ------------------------------------------------------------------------------


def lean_rebid(market: Market, plan: TenderPlan) -> None:
    """The first night-care bidder cuts its costs and submits a second version."""
    bid = db.session.scalar(
        select(Bid)
        .where(Bid.tender_id == plan.tender_id, Bid.status == "submitted")
        .order_by(Bid.id)
    )
    if bid is None:
        return
    user = _provider_user(bid.organisation_id)
    sharper = dict(bids.bid_view(plan.tender_id, bid.lot_id, bid.organisation_id).content)
    sharper["cost_inputs"] = {**sharper["cost_inputs"], **LEAN_COSTS}
    bids.save_draft(bid.id, bid.organisation_id, user, sharper)
    bids.submit(bid.id, bid.organisation_id, user)


def assign_markers(market: Market, plan: TenderPlan, with_undeclared: bool) -> None:
    """officer@ assigns the markers (evaluator@ and panel@ too, if they are to try it)."""
    officer = market.user(OFFICER)
    for question in _questions(plan):
        for email in MARKERS[question.marked_by]:
            if email in UNDECLARED and not with_undeclared:
                continue
            assignments.assign(officer, plan.tender_id, question.id, market.user(email).id)
        assignments.set_markers_needed(officer, plan.tender_id, question.id, MARKERS_NEEDED)


def check_prices(market: Market, plan: TenderPlan, ask: bool) -> None:
    """The engine's checks for every bid; an abnormally low price gets a request to explain."""
    price_review.ensure_reviews(plan.tender_id)
    if not ask:
        return
    due = _due_in_working_days(5)
    for review in _reviews(plan, "low"):
        price_review.request_explanation(
            market.user(OFFICER), plan.tender_id, review.bid_id, EXPLANATION_REQUEST, due
        )


def declare(market: Market, plan: TenderPlan, email: str) -> None:
    """No conflicts, except evaluator2@ with the first bidder by name."""
    conflicts = {}
    if email == EVALUATOR2:
        first = assignments.bidding_organisations(plan.tender_id)[0][0]
        conflicts = {first: CONFLICT}
    assignments.declare(market.user(email).id, plan.tender_id, conflicts)


def mark_all(market: Market, plan: TenderPlan, discuss: bool) -> None:
    """Each answer marked and submitted by the first markers (in MARKERS order) who may."""
    for number, (question, bid) in enumerate(_answers(plan)):
        people = [market.user(email) for email in MARKERS[question.marked_by]]
        markers = [
            user
            for user in people
            if user.email not in UNDECLARED
            and evaluation_access.may_mark(user.id, bid.id, question.id)
        ][:MARKERS_NEEDED]
        for user, value in zip(markers, _marks(bid, question, discuss, number), strict=False):
            rationale = _rationale(bid, question, user, value)
            marking.save_mark(
                user.id, plan.tender_id, question.id, bid.id, str(value), rationale, submit=True
            )


def agree_all(market: Market, plan: TenderPlan, flagged_too: bool) -> None:
    """officer@ agrees the consensus of every answer (those for discussion only if asked)."""
    officer = market.user(OFFICER)
    grid = moderation.moderation_grid(plan.tender_id, officer, "all")
    for question in grid.questions:
        for row in question.answers:
            if not row.ready or row.consensus or (row.needs_discussion and not flagged_too):
                continue
            values = sorted(mark.mark for mark in row.marks)
            middle = (values[0] + values[-1]) / 2
            agreed = middle if middle % 1 == 0 else values[-1]  # a half: the higher mark
            reason = _consensus_reason(values, agreed, row.needs_discussion)
            moderation.agree(plan.tender_id, row.bid_id, row.question_id, agreed, reason, officer)


# ---- helpers --------------------------------------------------------------------------------


def _questions(plan: TenderPlan) -> list[QualityQuestion]:
    return assignments.questions(plan.tender_id)


def _answers(plan: TenderPlan) -> list[tuple[QualityQuestion, Bid]]:
    submitted = db.session.scalars(
        select(Bid)
        .where(Bid.tender_id == plan.tender_id, Bid.status == "submitted")
        .order_by(Bid.id)
    ).all()
    return [(question, bid) for question in _questions(plan) for bid in submitted]


def _reviews(plan: TenderPlan, status: str) -> list[PriceReview]:
    return list(
        db.session.scalars(
            select(PriceReview)
            .where(PriceReview.tender_id == plan.tender_id, PriceReview.status == status)
            .order_by(PriceReview.id)
        )
    )


def _provider_user(organisation_id: int) -> User:
    return db.session.scalar(
        select(User).where(User.organisation_id == organisation_id).order_by(User.id)
    )


def _due_in_working_days(days: int) -> datetime:
    """5pm UK time `days` working days from now."""
    day = add_working_days(to_london(now()).date(), days)
    return datetime(day.year, day.month, day.day, 17, tzinfo=LONDON)


def _marks(bid: Bid, question: QualityQuestion, discuss: bool, number: int) -> list[int]:
    """Two markers' marks: close together, or (one answer in six) 2 apart for discussion."""
    rng = random.Random(f"{bid.organisation.name}:{bid.lot_id}:{question.number}")
    base = rng.choice((2, 3, 3, 4, 4, 4, 5))
    if discuss and number % DISCUSS_EVERY == DISCUSS_EVERY - 1:
        high = max(min(base + 1, question.max_mark), 4)
        return [high, high - 2] if rng.random() < 0.5 else [high - 2, high]
    other = min(max(base + rng.choice((-1, 0, 0, 1)), 2), question.max_mark)
    return [base, other]


def _rationale(bid: Bid, question: QualityQuestion, user: User, value: int) -> str:
    rng = random.Random(f"{bid.id}:{question.id}:{user.email}")
    if question.marked_by == "panel":
        return rng.choice(PANEL_RATIONALES[min(max(value, 2), 5)])
    topic = next((words for key, words in TOPICS if key in question.text), "this question")
    first, second = rng.sample(RATIONALES[min(max(value, 2), 5)], 2)
    return f"{first.format(topic=topic)} {second}"


def _consensus_reason(values: list[Decimal], agreed: Decimal, discussed: bool) -> str:
    if values[0] == values[-1]:
        return "Both markers gave the same mark; agreed without change."
    if discussed:
        return (
            f"Marks of {values[0]:.0f} and {values[-1]:.0f} discussed at the moderation meeting: "
            f"the answer meets the requirement with some good examples, so {agreed:.0f} was "
            "agreed by both markers."
        )
    return (
        f"Agreed at {agreed:.0f} after discussion: the stronger evidence noted by one marker "
        "was accepted by the other."
    )
