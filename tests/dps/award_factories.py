"""Results for the award tests, built by hand over an evaluation_world (so the award does not
depend on the marking and moderation pages): bidder i's marks, prices and the winner per lot.

    world = evaluation_world(app, make_user, bidders=4)
    results = hand_results(app, world)            # a ready TenderResults
    monkeypatch.setattr(awards, "results_for", lambda tender_id: results)
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from dps.extensions import db
from dps.models import Lot, Organisation, Tender
from dps.services.results_types import BidResult, LotResult, QuestionResult, TenderResults
from tests.conftest import app_ctx

Q = Decimal("0.01")
QUALITY, PRICE = Decimal(60), Decimal(40)


def mark_for(bidder: int, question_number: int, lot_number: int) -> Decimal:
    """Marks out of 5: bidder 0 is strongest on lot 1, the last bidder on lot 2."""
    base = 5 - (bidder % 4) if lot_number == 1 else 2 + (bidder % 4)
    return Decimal(max(2, min(5, base - (question_number == 3 and bidder % 2))))


def price_for(bidder: int) -> Decimal:
    return (Decimal("27.10") + Decimal("0.12") * bidder).quantize(Q)


def rationale(bidder: int, question_number: int) -> str:
    return f"Consensus: bidder {bidder} question {question_number} named local recruiters."


def hand_results(app, world, ready: bool = True) -> TenderResults:
    with app_ctx(app):
        tender = db.session.get(Tender, world.tender_id)
        questions = sorted(tender.questions, key=lambda q: q.number)
        total_weight = sum(Decimal(q.weight) for q in questions)
        names = {
            org.id: org.name
            for org in db.session.scalars(
                db.select(Organisation).where(Organisation.id.in_(world.bidder_org_ids))
            )
        }
        lots = []
        for lot in db.session.scalars(
            db.select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.number)
        ):
            prices = {i: price_for(i) for i in range(len(world.bidder_org_ids))}
            lowest = min(prices.values())
            rows = []
            for index, org_id in enumerate(world.bidder_org_ids):
                marks = []
                for q in questions:
                    mark = mark_for(index, q.number, lot.number)
                    points = (
                        mark / q.max_mark * Decimal(q.weight) / total_weight * QUALITY
                    ).quantize(Q, ROUND_HALF_UP)
                    marks.append(
                        QuestionResult(
                            q.id,
                            q.number,
                            q.text,
                            Decimal(q.weight),
                            q.max_mark,
                            mark,
                            points,
                            rationale(index, q.number),
                        )
                    )
                quality = sum(m.points for m in marks)
                price_score = (lowest / prices[index] * PRICE).quantize(Q, ROUND_HALF_UP)
                rows.append(
                    dict(
                        bid_id=world.bid_ids[(org_id, lot.id)],
                        organisation_id=org_id,
                        organisation_name=names[org_id],
                        quality_score=quality,
                        price=prices[index],
                        price_score=price_score,
                        combined=quality + price_score,
                        questions=tuple(marks),
                    )
                )
            rows.sort(key=lambda r: (-r["combined"], r["price"]))
            bids = tuple(
                BidResult(
                    **row,
                    position=n,
                    excluded=False,
                    exclusion_reasons=(),
                    won=n == 1,
                    reason="Highest total score" if n == 1 else "Ranked lower",
                    capacity_hours=Decimal(400),
                )
                for n, row in enumerate(rows, start=1)
            )
            lots.append(
                LotResult(
                    lot_id=lot.id,
                    number=lot.number,
                    title=lot.title,
                    hours_per_week=Decimal(lot.hours_per_week),
                    providers_to_appoint=lot.providers_to_appoint,
                    bids=bids,
                    winner_bid_ids=(bids[0].bid_id,),
                )
            )
        results = TenderResults(
            tender_id=tender.id,
            reference=tender.reference,
            title=tender.title,
            quality_weight=QUALITY,
            price_weight=PRICE,
            lots=tuple(lots),
            ready=True,
            questions=tuple(
                {
                    "number": q.number,
                    "text": q.text,
                    "weight": str(q.weight),
                    "max_mark": q.max_mark,
                }
                for q in questions
            ),
        )
    if not ready:
        results = replace(
            results, ready=False, not_ready_reasons=("2 answers lack a consensus mark",)
        )
    return results
