"""Stage 2 of the demo: two mini-tenders under the demo DPS, built by the tender services.

- "Generic home care — 7 district lots": published about 5 days ago, closing in 9 days
  (questions until 4 days from now), 60/40, at most 2 lots per provider, the UKHCA-style price
  model with visit-length rates and four quality questions, one marked by the Experts by
  Experience panel. About 40 bids (dps.demo_bids); one clarification question, answered to
  every invitee. provider@ has a draft for Ashfield and nothing yet for Mansfield.
- "Night care — Newark and Sherwood and Bassetlaw": published 20 days ago, closed on the last
  working day with about ten submitted bids, opened by two officers this morning (officer@
  asks, officer2@ confirms) and part-way through evaluation (dps.demo_evaluation).
- "Reablement at home — 2 lots": closed four weeks ago, evaluated, awarded, letters sent,
  standstill over and contracts recorded (dps.demo_award).

What the worker would do a moment later (sending invitations and answers to every invitee) is
done here by calling the job functions, which send nothing twice when the worker runs them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from dps import demo_bids, demo_evaluation
from dps import demo_content as content
from dps.demo_bids import TenderPlan
from dps.demo_timeline import (
    OFFICER,
    OFFICER2,
    Applicant,
    Market,
    london_at,
    working_day_on_or_after,
    working_day_on_or_before,
)
from dps.extensions import db
from dps.jobs.tender_jobs import notify_invitees, send_invitations
from dps.models.audit import AuditEvent
from dps.models.organisation import Organisation
from dps.services import opening, tender_clarifications, tenders
from dps.state.clock import to_london

CONTRACT_YEARS = 3
ASKING_PROVIDER = 13  # asks the clarification question on the open tender
OPENING = (  # minutes before loading, what is done, by whom
    (25, opening.request_opening, OFFICER),
    (18, opening.confirm_opening, OFFICER2),
    (12, opening.start_evaluation, OFFICER),
)


def plan_tenders(market: Market, rng: random.Random) -> None:
    today, timeline = market.today, market.timeline
    night = TenderPlan(
        content.NIGHT_CARE_TITLE,
        content.NIGHT_CARE_DESCRIPTION,
        "night_care",
        content.NIGHT_CARE_LOTS,
        content.NIGHT_CARE_QUESTIONS,
        call_rates=False,
    )
    published = london_at(working_day_on_or_before(today - timedelta(days=20)), 10)
    closing = london_at(working_day_on_or_before(today - timedelta(days=1)), 12)
    deadline = london_at(to_london(closing).date() - timedelta(days=5), 17)
    _add_tender_steps(market, night, published, closing, deadline)
    demo_bids.add_night_care_bids(market, night, rng, published, closing)
    demo_evaluation.plan_night_care(market, night, closing)
    timeline.add(closing + timedelta(minutes=1), opening.close_due_tenders)  # the tick
    for minutes, action, email in OPENING:
        timeline.add(
            market.loaded_at - timedelta(minutes=minutes), _open, market, night, action, email
        )

    home = TenderPlan(
        content.HOME_CARE_TITLE,
        content.HOME_CARE_DESCRIPTION,
        "generic_home_care",
        content.HOME_CARE_LOTS,
        content.HOME_CARE_QUESTIONS,
        call_rates=True,
    )
    published = london_at(working_day_on_or_before(today - timedelta(days=5)), 10)
    closing = london_at(working_day_on_or_after(today + timedelta(days=9)), 12)
    deadline = london_at(working_day_on_or_after(today + timedelta(days=4)), 17)
    _add_tender_steps(market, home, published, closing, deadline)
    asker = market.applicant(ASKING_PROVIDER)
    timeline.add(published + timedelta(days=1, minutes=80), _ask, market, home, asker)
    timeline.add(published + timedelta(days=2, hours=5), _answer, market, home)
    demo_bids.add_home_care_bids(market, home, rng, published)
    from dps.demo_award import plan_reablement

    plan_reablement(market, random.Random(2027))  # the awarded tender, with its own seed


def _add_tender_steps(
    market: Market,
    plan: TenderPlan,
    published: datetime,
    closing: datetime,
    deadline: datetime,
    first_day: date | None = None,
) -> None:
    built_on = working_day_on_or_before(to_london(published).date() - timedelta(days=2))
    market.timeline.add(london_at(built_on, 14), _build, market, plan, closing, deadline, first_day)
    market.timeline.add(published, _publish, market, plan)
    market.timeline.add(published + timedelta(minutes=5), _send_invitations, plan)


def _build(
    market: Market,
    plan: TenderPlan,
    closing: datetime,
    deadline: datetime,
    first_day: date | None = None,
) -> None:
    """A draft tender with its price model, rules, lots, questions and timetable."""
    officer = market.user(OFFICER)
    tender = tenders.create_tender(
        officer,
        market.dps_id,
        market.category_id(plan.category),
        title=plan.title,
        description=plan.description,
    )
    plan.tender_id = tender.id
    benchmark = demo_evaluation.benchmark_rate(plan)
    tenders.set_price_model(officer, tender.id, "ukhca_2026", plan.call_rates, benchmark)
    tenders.set_rules(
        officer,
        tender.id,
        quality_weight=Decimal(60),
        price_weight=Decimal(40),
        max_lots_per_provider=2,
        tie_break=tenders.DEFAULT_TIE_BREAK,
    )
    first_day = first_day or max(to_london(closing).date(), market.today)
    award_on = first_day + timedelta(days=16)
    contract_start = award_on + timedelta(days=30)
    contract_end = contract_start.replace(year=contract_start.year + CONTRACT_YEARS)
    for title, zones, hours, places in plan.lots:
        lot = tenders.add_lot(
            officer,
            tender.id,
            title=title,
            zone_ids=[market.zone_id(code) for code in zones],
            hours_per_week=Decimal(hours),
            contract_start_on=contract_start,
            contract_end_on=contract_end - timedelta(days=1),
            providers_to_appoint=places,
        )
        plan.lot_ids[title] = lot.id
    for question in plan.questions:
        added = tenders.add_question(
            officer,
            tender.id,
            text=question["text"],
            guidance=content.GUIDANCE,
            plain_guidance=question.get("plain_guidance", ""),
            word_limit=question["word_limit"],
            weight=Decimal(question["weight"]),
            max_mark=5,
            min_mark=question["min_mark"],
            marked_by=question["marked_by"],
        )
        plan.question_ids.append(added.id)
    tenders.set_timetable(
        officer,
        tender.id,
        clarification_deadline=deadline,
        closing_at=closing,
        evaluation_on=first_day + timedelta(days=2),
        award_on=award_on,
        contract_start_on=contract_start,
    )


def _publish(market: Market, plan: TenderPlan) -> None:
    tenders.publish(market.user(OFFICER), plan.tender_id)


def _send_invitations(plan: TenderPlan) -> None:
    send_invitations(plan.tender_id)


def _open(market: Market, plan: TenderPlan, action, email: str) -> None:
    action(plan.tender_id, market.user(email))


def _ask(market: Market, plan: TenderPlan, asker: Applicant) -> None:
    name = db.session.get(Organisation, asker.organisation_id).name
    question = content.TENDER_QUESTION.format(name=name)
    user = market.user(asker.email)
    tender_clarifications.ask(plan.tender_id, asker.organisation_id, user, question)


def _answer(market: Market, plan: TenderPlan) -> None:
    """Answered to every invitee, in anonymised words, and sent to them all."""
    question = tender_clarifications.questions_for_officer(plan.tender_id)[0].clarification
    tender_clarifications.answer(
        question.id,
        market.user(OFFICER2),
        content.TENDER_ANSWER,
        to_all=True,
        published_question=content.TENDER_PUBLISHED_QUESTION,
    )
    seq = db.session.scalar(
        select(func.max(AuditEvent.seq)).where(
            AuditEvent.action == "tender.clarification_answered",
            AuditEvent.object_id == str(question.id),
        )
    )
    notify_invitees(plan.tender_id, seq)
