"""An opened tender in evaluation, with bidders, officer- and panel-marked questions and sealed
bids whose cost breakdowns the engine can calculate: the starting point of every evaluation and
award test.

    world = evaluation_world(app, make_user, bidders=4)

returns ids and e-mails only (plain data); every user signs in with tests.conftest.PASSWORD.
Bidder i (0-based) bids for every lot; `low_pay` bidders pay under the NLW, `cheap` bidders
are priced far under the benchmark (abnormally low but lawful).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from dps.extensions import db
from dps.models import Lot, QualityQuestion, Tender
from dps.services.tender_rules import default_scale, scale_json
from dps.state.clock import now
from evaluation.costs import UKHCA_STYLE_2026
from tests.conftest import app_ctx
from tests.dps import tender_factories as f

AUTHORITY = "Test Council"
BENCHMARK = Decimal("26.50")  # bidders' prices: about 27.10 (+0.12 per bidder); cheap: ~21.9

QUESTIONS = (  # (text, weight, marked_by, min_mark)
    ("How will you recruit and keep enough care workers in this zone?", "30", "officer", 2),
    (
        "How will you make sure people get the care they need, when they need it?",
        "30",
        "officer",
        2,
    ),
    (
        "How will you listen to the people you support and act on what they tell you?",
        "40",
        "panel",
        2,
    ),
)


def costs(basic_pay: str = "12.85", running_rate: str = "0.28", profit_rate: str = "0.03") -> dict:
    """UKHCA-style cost inputs (engine units) around the template's defaults."""
    values = {name: format(value, "f") for name, value in UKHCA_STYLE_2026.defaults().items()}
    values.update(basic_pay=basic_pay, running_rate=running_rate, profit_rate=profit_rate)
    return values


def content(question_ids: list[int], seed: int, cost_inputs: dict, capacity: str = "400") -> dict:
    answers = {
        str(qid): f"Bidder answer {seed} to question {n}: we recruit locally, train well, "
        f"and keep people. Detail number {seed * 7 + n}."
        for n, qid in enumerate(question_ids, start=1)
    }
    return {
        "answers": answers,
        "cost_inputs": cost_inputs,
        "call_rates": {},
        "capacity_hours": capacity,
        "subcontractors": [],
    }


@dataclass
class EvaluationWorld:
    tender_id: int
    lot_ids: list[int]
    question_ids: list[int]  # in number order; the last is panel-marked
    officer: str  # lead officer (created the tender)
    officer2: str  # a second officer of the same authority
    evaluators: list[str]  # evaluator-role users of the authority
    panel: list[str]  # panel members
    bidders: list[str]  # one provider user e-mail per bidding organisation
    bidder_org_ids: list[int]
    bid_ids: dict[tuple[int, int], int] = field(default_factory=dict)  # (org_id, lot_id) -> bid
    outsider_officer: str = ""  # an officer of another authority


def evaluation_world(
    app,
    make_user,
    *,
    bidders: int = 4,
    lots: int = 2,
    low_pay: tuple[int, ...] = (),
    cheap: tuple[int, ...] = (),
    status: str = "in_evaluation",
    prefix: str = "",
) -> EvaluationWorld:
    officer = make_user("officer", email=f"{prefix}lead@council.example", organisation=AUTHORITY)
    officer2 = make_user("officer", email=f"{prefix}second@council.example", organisation=AUTHORITY)
    evaluators = [
        make_user("evaluator", email=f"{prefix}eval{i}@council.example", organisation=AUTHORITY)
        for i in (1, 2)
    ]
    panel = [
        make_user("panel", email=f"{prefix}panel{i}@council.example", organisation=AUTHORITY)
        for i in (1, 2)
    ]
    outsider = make_user(
        "officer", email=f"{prefix}outsider@other.example", organisation="Other Council"
    )
    emails = [
        make_user(
            "provider",
            email=f"{prefix}bidder{i}@care{i}.example",
            organisation=f"{prefix}Care Provider {chr(65 + i)} Ltd",
        )
        for i in range(bidders)
    ]
    with app_ctx(app):
        tender_id = f.make_tender(officer, lots=lots, two_officers=False)
        tender = db.session.get(Tender, tender_id)
        tender.cost_template = json.dumps(UKHCA_STYLE_2026.to_dict())
        tender.benchmark_rate = BENCHMARK
        for number, (text, weight, marked_by, min_mark) in enumerate(QUESTIONS, start=1):
            tender.questions.append(
                QualityQuestion(
                    number=number,
                    text=text,
                    guidance="What a good answer covers.",
                    plain_guidance="A good answer tells you how they will do this.",
                    word_limit=400,
                    weight=Decimal(weight),
                    max_mark=5,
                    min_mark=min_mark,
                    scale=scale_json(default_scale(5)),
                    marked_by=marked_by,
                )
            )
        db.session.commit()
        question_ids = [q.id for q in tender.questions]
        lot_ids = [
            lot.id
            for lot in db.session.scalars(
                db.select(Lot).where(Lot.tender_id == tender_id).order_by(Lot.number)
            )
        ]
        org_ids = []
        bid_ids = {}
        for index, email in enumerate(emails):
            org_id = f.invite(tender_id, f.user(email).organisation_id)
            org_ids.append(org_id)
            pay = "10.50" if index in low_pay else f"{Decimal('12.80') + Decimal(index) / 20:.2f}"
            running = "0.05" if index in cheap else "0.28"
            profit = "0.00" if index in cheap else "0.03"
            for lot_number, lot_id in enumerate(lot_ids, start=1):
                bid_ids[(org_id, lot_id)] = f.make_bid(
                    tender_id,
                    lot_number,
                    org_id,
                    f.user(email).id,
                    content=content(question_ids, index, costs(pay, running, profit)),
                )
        tender = db.session.get(Tender, tender_id)
        tender.closing_at = now()
        tender.status = status
        if status in ("opened", "in_evaluation"):
            tender.opened_at = now()
            tender.opened_by_id = f.user(officer).id
        db.session.commit()
    return EvaluationWorld(
        tender_id=tender_id,
        lot_ids=lot_ids,
        question_ids=question_ids,
        officer=officer,
        officer2=officer2,
        evaluators=evaluators,
        panel=panel,
        bidders=emails,
        bidder_org_ids=org_ids,
        bid_ids=bid_ids,
        outsider_officer=outsider,
    )
