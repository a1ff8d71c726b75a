"""Stage 1 and 2 of the demo: a published Nottinghamshire-style DPS, ~70 applications in every
state, and two mini-tenders with bids.

Made through the real services with the clock frozen in the past (dps.demo_timeline), so the
audit log, inbox messages and e-mails are those the platform itself writes. Most providers are
admitted for generic home care in one to three districts (a few only in part, some for other
services too); some applications wait for a decision (one overdue, one extended), some have a
clarification question, two are rejected, and one member is suspended because its insurance
expired yesterday. North Bassetlaw's villages are left thin, and five providers have not
applied. This module plans stage 1; dps.demo_applications carries out its steps and
dps.demo_tenders plans stage 2.

`load_market(summary)` does nothing if the demo DPS already exists, so loading twice is safe.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from dps import demo_applications as steps
from dps import demo_content as content
from dps.demo import DEMO_DOMAIN, DemoSummary, provider_names
from dps.demo_timeline import (
    DEMO_DPS_REFERENCE,
    MEMBER_OUTCOMES,
    OFFICER,
    OFFICER2,
    Applicant,
    Market,
    Timeline,
    london_at,
    working_day_on_or_before,
    working_days_before,
)
from dps.extensions import db
from dps.models.bid import Bid
from dps.models.dps import DynamicPurchasingSystem
from dps.models.organisation import Organisation
from dps.models.provider import Application, Membership
from dps.models.tender import Tender
from dps.services import membership
from dps.state.calendar import add_working_days, working_days_between
from dps.state.clock import now, to_london

__all__ = ["DEMO_DPS_REFERENCE", "OFFICER", "OFFICER2", "load_market"]

PUBLISHED_DAYS_AGO = 63  # about two months of applications and decisions
REJECTED = ("rejected_mandatory", "rejected_misconduct")

# What becomes of each provider's application (by its place in dps.demo.provider_names);
# everyone not listed is admitted in full. None: the provider has not applied.
OUTCOMES: dict[int, str | None] = {
    1: "admitted",  # provider@: a member, invited to the open tender
    2: "pending",  # provider2@: waiting in the officers' queue
    17: "pending",
    58: "pending",
    63: "pending",
    45: "overdue",
    30: "extended",
    9: "clarification",
    40: "clarification",
    55: "clarification",
    12: "clarified",
    44: "clarified",
    26: "rejected_mandatory",
    60: "rejected_misconduct",
    35: "suspended",  # its public liability insurance expired yesterday
    7: "partial",
    31: "partial",
    59: "partial",
    65: "draft",
    68: "draft",
    33: None,
    50: None,
    61: None,
    66: None,
    69: None,
}
# Working days ago each application was sent, where the story needs a particular day.
SENT_WORKING_DAYS_AGO = {
    1: 36, 2: 2, 17: 6, 58: 4, 63: 1, 45: 12, 30: 11, 9: 5, 40: 7, 55: 8,
    12: 22, 44: 18, 26: 25, 60: 15, 35: 38, 65: 3, 68: 9, 57: 30, 13: 28,
}  # fmt: skip
CLARIFICATION_ASKED = {12: 0, 44: 1, 9: 2, 40: 3, 55: 4}  # index into content.CLARIFICATIONS
FIXED_SCOPES = {
    1: [("generic_home_care", "ashfield"), ("generic_home_care", "mansfield"),
        ("dementia", "mansfield")],
    7: [("generic_home_care", "gedling"), ("generic_home_care", "vale_of_belvoir_rural")],
    14: [("childrens_care", "broxtowe")],
    41: [("supported_living", "newark_sherwood"), ("supported_living", "mansfield")],
    71: [("generic_home_care", "bassetlaw"), ("generic_home_care", "bassetlaw_north_rural")],
}  # fmt: skip
THIN_ZONE = "bassetlaw_north_rural"
THIN_ZONE_MEMBERS = (24, 71)  # the only providers for North Bassetlaw's villages
VARIATION_INDEX = 57  # a member asking to add a district and dementia care
INSURANCE_WARNED_INDEX = 19  # its employer's liability runs out in 20 days
NIGHT_CARE_HOMES = ("newark_sherwood", "bassetlaw", "mansfield")
NIGHT_CARE_MIN_AGE = 26  # working days: admitted before the night care tender is published
OTHER_SERVICES = (  # (category, chance) offered in the provider's home district
    ("dementia", 0.22),
    ("end_of_life", 0.1),
    ("respite", 0.06),
    ("extra_care", 0.05),
    ("supported_living", 0.04),
)
RATINGS = ("Good",) * 14 + ("Outstanding",) * 3 + ("Requires improvement",) * 3
LOCATIONS = {"micro": 1, "small": 1, "medium": 2, "large": 3}
NOT_RATED = "Not yet rated"


def load_market(summary: DemoSummary) -> None:
    """Add the stage 1 and stage 2 demo (once): nothing happens if the demo DPS exists."""
    from dps.demo_tenders import plan_tenders

    exists = db.session.scalar(
        select(DynamicPurchasingSystem.id).where(
            DynamicPurchasingSystem.reference == DEMO_DPS_REFERENCE
        )
    )
    if exists:
        return
    db.session.flush()
    loaded_at = now()
    market = Market(loaded_at, Timeline(loaded_at))
    plan_applicants(market, random.Random(2017))
    add_stage1_steps(market, random.Random(34))
    plan_tenders(market, random.Random(2026))
    market.timeline.run()
    _count(summary, market.dps_id)


def _count(summary: DemoSummary, dps_id: int) -> None:
    def rows(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    tender_ids = select(Tender.id).where(Tender.dps_id == dps_id)
    summary.add("applications", rows(Application, Application.dps_id == dps_id))
    summary.add("members", rows(Membership, Membership.dps_id == dps_id))
    summary.add("tenders", rows(Tender, Tender.dps_id == dps_id))
    summary.add("bids", rows(Bid, Bid.tender_id.in_(tender_ids)))


def published_on(today: date) -> date:
    """The day the demo DPS opened for applications."""
    return working_day_on_or_before(today - timedelta(days=PUBLISHED_DAYS_AGO))


# ---- planning (nothing is written) -----------------------------------------------------------


def plan_applicants(market: Market, rng: random.Random) -> None:
    """Who applies for what, and when they send and hear: the same story every time."""
    organisations = {
        org.name: org.id
        for org in db.session.scalars(select(Organisation).where(Organisation.kind == "provider"))
    }
    today = market.today
    oldest = working_days_between(published_on(today), today) - 1
    for index, (name, size) in enumerate(provider_names(), start=1):
        email = f"provider@{DEMO_DOMAIN}" if index == 1 else f"provider{index}@{DEMO_DOMAIN}"
        home = content.HOME_DISTRICT[name.split()[0]]
        outcome = OUTCOMES.get(index, "admitted")
        applicant = Applicant(index, organisations[name], email, size.value, home, outcome)
        market.applicants.append(applicant)
        if outcome is not None:
            _plan_one(applicant, rng, today, oldest)


def _plan_one(applicant: Applicant, rng: random.Random, today: date, oldest: int) -> None:
    applicant.scopes = FIXED_SCOPES.get(applicant.index) or _scopes(rng, applicant)
    applicant.rating = rng.choice(RATINGS) if rng.random() > 0.04 else NOT_RATED
    if applicant.rating != NOT_RATED:
        applicant.rated_on = today - timedelta(days=rng.randint(150, 1000))
    applicant.locations = [
        f"1-{rng.randrange(10**8, 10**10)}" for _ in range(LOCATIONS[applicant.size])
    ]
    applicant.insurance_warned = applicant.index == INSURANCE_WARNED_INDEX
    if applicant.outcome == "partial":
        applicant.refused = [_refusable(rng, applicant)]
    sent = SENT_WORKING_DAYS_AGO.get(applicant.index)
    if sent is None:
        night = any(category == "night_care" for category, _zone in applicant.scopes)
        sent = rng.randint(NIGHT_CARE_MIN_AGE if night else 8, oldest)
    sent = min(sent, oldest)
    sent_on = working_days_before(today, sent)
    applicant.submitted_at = london_at(sent_on, rng.randint(9, 16), rng.randrange(0, 60, 5))
    if applicant.outcome in MEMBER_OUTCOMES + REJECTED:
        wait = 6 if applicant.outcome == "clarified" else rng.randint(2, min(9, sent - 1))
        decided_on = working_days_before(today, sent - wait)
        applicant.decided_at = london_at(decided_on, rng.randint(10, 16), rng.randrange(60))


def _scopes(rng: random.Random, applicant: Applicant) -> list[tuple[str, str]]:
    """Generic home care at home and in neighbouring districts (more for bigger providers),
    villages now and then, and other services at home."""
    neighbours = content.NEIGHBOURS[applicant.home]
    count = {
        "micro": rng.choice((1, 1, 2)),
        "small": rng.choice((1, 2, 2)),
        "medium": rng.choice((2, 3)),
        "large": rng.choice((3, 4)),
    }[applicant.size]
    districts = [applicant.home, *rng.sample(neighbours, min(count - 1, len(neighbours)))]
    scopes = [("generic_home_care", district) for district in districts]
    for district in districts:
        for village in content.RURAL.get(district, ()):
            if rng.random() < 0.3:
                scopes.append(("generic_home_care", village))
    if applicant.index in THIN_ZONE_MEMBERS:
        scopes.append(("generic_home_care", THIN_ZONE))
    for category, chance in OTHER_SERVICES:
        if rng.random() < chance:
            scopes.append((category, applicant.home))
    if applicant.size in ("medium", "large") and rng.random() < 0.25:
        scopes.append(("crisis_response", applicant.home))
    if applicant.home in NIGHT_CARE_HOMES and rng.random() < 0.75:
        night_zones = {"newark_sherwood", "bassetlaw"} & {applicant.home, *districts}
        if not night_zones or rng.random() < 0.3:
            night_zones |= {"newark_sherwood", "bassetlaw"}
        scopes += [("night_care", zone) for zone in sorted(night_zones)]
    return scopes


def _refusable(rng: random.Random, applicant: Applicant) -> tuple[str, str]:
    """A scope the officer will not admit: a district or villages away from home."""
    choices = [
        scope
        for scope in applicant.scopes
        if scope[0] == "generic_home_care" and scope[1] not in (applicant.home, THIN_ZONE)
    ]
    if not choices:
        extra = ("generic_home_care", content.NEIGHBOURS[applicant.home][0])
        applicant.scopes.append(extra)
        return extra
    return rng.choice(choices)


# ---- the steps of stage 1 ----------------------------------------------------------------------


def add_stage1_steps(market: Market, rng: random.Random) -> None:
    timeline, today = market.timeline, market.today
    opened_on = published_on(today)
    timeline.add(
        london_at(working_days_before(opened_on, 2), 10, 15), steps.create_dps, market, opened_on
    )
    timeline.add(london_at(opened_on, 9, 30), steps.publish_dps, market)
    pdf = steps.policy_pdf()
    for applicant in market.applicants:
        if applicant.outcome is None:
            continue
        complete = applicant.outcome != "draft"
        fill_at = applicant.submitted_at - timedelta(minutes=rng.randint(10, 90))
        timeline.add(fill_at, steps.fill_application, market, applicant, pdf, complete, rng)
        if complete:
            timeline.add(applicant.submitted_at, steps.submit, market, applicant)
        _add_decision_steps(market, applicant, rng)
    member = market.applicant(VARIATION_INDEX)
    if member.decided_at is not None:
        timeline.add(london_at(working_days_before(today, 3), 14, 10), steps.vary, market, member)
    _add_clock_steps(market)


def _add_decision_steps(market: Market, applicant: Applicant, rng: random.Random) -> None:
    timeline = market.timeline
    officer = OFFICER if applicant.index % 3 else OFFICER2
    sent_on = to_london(applicant.submitted_at).date()
    if applicant.index in CLARIFICATION_ASKED:
        question, answer = content.CLARIFICATIONS[CLARIFICATION_ASKED[applicant.index]]
        asked_at = london_at(add_working_days(sent_on, 2), 11, 40)
        timeline.add(asked_at, steps.ask, market, applicant, officer, question)
        if answer is not None:
            answered_at = london_at(add_working_days(sent_on, 4), 10, 5)
            timeline.add(answered_at, steps.answer_clarification, market, applicant, answer)
    if applicant.outcome == "extended":
        extended_at = london_at(add_working_days(sent_on, 8), 15, 0)
        timeline.add(extended_at, steps.extend, market, applicant, officer)
    if applicant.outcome in MEMBER_OUTCOMES:
        timeline.add(applicant.decided_at, steps.admit, market, applicant, officer)
        if applicant.rated_on is not None:
            recorded_at = applicant.decided_at + timedelta(minutes=rng.randint(10, 50))
            timeline.add(recorded_at, steps.record_rating, market, applicant, officer)
    elif applicant.outcome in REJECTED:
        reason = content.REJECT_MANDATORY
        if applicant.outcome == "rejected_misconduct":
            reason = content.REJECT_MISCONDUCT
        timeline.add(applicant.decided_at, steps.reject, market, applicant, officer, reason)


def _add_clock_steps(market: Market) -> None:
    """What `flask dps tick` would have done on the mornings it mattered, and this morning."""
    timeline, today = market.timeline, market.today
    overdue = next(a for a in market.applicants if a.outcome == "overdue")
    due_on = add_working_days(to_london(overdue.submitted_at).date(), 10)
    flag_on = due_on + timedelta(days=1)
    timeline.add(london_at(flag_on, 6, 30), membership.mark_overdue, flag_on)
    warn_on = today - timedelta(days=31)  # the expired policy's 30-day warning
    timeline.add(london_at(warn_on, 6, 30), membership.insurance_warnings, warn_on)
    timeline.add(london_at(today, 0, 5), steps.this_morning, today)
