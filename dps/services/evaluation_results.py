"""A tender's evaluation results: consensus marks and settled prices through the engine.

`tender_results(tender_id)` bulk-loads everything in a fixed number of SELECTs (the count does
not grow with the bids), scores quality, ranks each lot, allocates the lots under the lot limit
and capacities, and tests the weighting. Bids still being moderated or price-checked are left
out for now with the reason, so the page is useful during evaluation; `ready` says when not.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from dps.models.evaluation import ConsensusMark
from dps.models.tender import Lot, QualityQuestion
from dps.services.evaluation_results_load import BidRow, Loaded, ResultsError, load
from dps.services.results_types import (
    BidResult,
    LotResult,
    QuestionResult,
    SensitivityRow,
    TenderResults,
)
from evaluation import Question, allocate, quality_scores, rank_lot, weighting_sensitivity
from evaluation.allocation import POLICIES
from evaluation.ranking import DEFAULT_TIE_BREAK, TIE_BREAK_RULES, ordinal

__all__ = ["ResultsError", "lot_label", "tender_results", "tie_break_rules", "two"]

PRICE_COUNTS = ("checked", "accepted")
PRICE_PENDING_WORDS = {
    "low": "abnormally low, no explanation requested yet",
    "explanation_requested": "explanation requested from the bidder",
    "explanation_received": "the bidder's explanation is waiting for a decision",
}
NOT_MODERATED = "not yet moderated"
PRICE_UNSETTLED = "price checks not finished"
MAX_REASONS = 30
HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def two(value: Decimal | None) -> Decimal | None:
    """Scores are kept to two decimal places, rounded half-up, as every paper shows them."""
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def lot_label(lot: Lot | LotResult) -> str:
    """How the engine's sentences (and the exports) name a lot: "Lot 1: Ashfield"."""
    prefix = f"Lot {lot.number}"
    return lot.title if lot.title.startswith(prefix) else f"{prefix}: {lot.title}"


def tie_break_rules(text: str) -> tuple[str, ...]:
    """The tender's stored rule ("quality,price,submission") as engine rule names."""
    rules = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    known = tuple(rule for rule in rules if rule in TIE_BREAK_RULES)
    return known or DEFAULT_TIE_BREAK


def _engine_questions(questions: list[QualityQuestion]) -> list[Question]:
    return [
        Question(
            id=str(question.number),
            weight=Decimal(question.weight),
            max_mark=Decimal(question.max_mark),
            min_mark=None if question.min_mark is None else Decimal(question.min_mark),
            text=question.text,
        )
        for question in questions
    ]


class _LotBuilder:
    """One lot: sorts its bids into scored, excluded and not-yet-ready, then ranks them."""

    def __init__(self, data: Loaded, lot: Lot, not_ready: list[str]):
        self.data, self.lot, self.label = data, lot, lot_label(lot)
        self.not_ready = not_ready
        self.bids = {bid.name: bid for bid in data.bids if bid.lot_id == lot.id}
        self.marks: dict[str, dict[str, Decimal]] = {}
        self.prices: dict[str, Decimal] = {}
        self.engine_excluded: dict[str, tuple[str, ...]] = {}
        self.outside: dict[str, tuple[str, ...]] = {}  # excluded without an engine result
        self.capacity: dict[str, Decimal] = {}
        for name, bid in self.bids.items():
            self._sort(name, bid)
        self.quality = self._quality()
        self.ranking = rank_lot(
            self.quality,
            {name: self.prices[name] for name in self.quality},
            Decimal(data.tender.price_weight),
            lot=self.label,
            submitted_at=self._times(),
            tie_break=tie_break_rules(data.tender.tie_break),
            excluded=self.engine_excluded,
        )

    def _times(self) -> dict[str, datetime]:
        return {
            name: bid.submitted_at
            for name, bid in self.bids.items()
            if name in self.quality and bid.submitted_at is not None
        }

    def _sort(self, name: str, bid: BidRow) -> None:
        where = f"{self.label}, {name}"
        review = self.data.reviews.get(bid.id)
        given = self.data.consensus.get(bid.id, {})
        missing = [
            q
            for q in self.data.questions
            if q.id not in given or not 0 <= given[q.id].mark <= q.max_mark
        ]
        if review is not None and review.capacity_hours is not None:
            self.capacity[name] = Decimal(review.capacity_hours)
        if review is not None and review.status == "rejected":
            reason = f"price rejected: {review.decision_reason or 'no reason recorded'}"
            if missing or review.hourly_price is None or not self.data.questions:
                self.outside[name] = (reason,)
            else:
                self._take(name, given, review.hourly_price)
                self.engine_excluded[name] = (reason,)
            return
        pending = []
        if missing:
            numbers = " and ".join(", ".join(str(q.number) for q in missing).rsplit(", ", 1))
            plural = "s" if len(missing) > 1 else ""
            self.not_ready.append(
                f"{where}: the answer{plural} to question{plural} {numbers} "
                f"{'have' if plural else 'has'} no consensus mark yet."
            )
            pending.append(NOT_MODERATED)
        if review is None or review.status not in PRICE_COUNTS:
            state = (
                "not checked yet"
                if review is None
                else PRICE_PENDING_WORDS.get(review.status, review.status.replace("_", " "))
            )
            self.not_ready.append(f"{where}: the price check is not finished ({state}).")
            pending.append(PRICE_UNSETTLED)
        elif review.hourly_price is None or review.hourly_price <= 0:
            self.not_ready.append(f"{where}: the price check recorded no hourly price.")
            pending.append(PRICE_UNSETTLED)
        if pending:
            self.outside[name] = tuple(pending)
            return
        self._take(name, given, review.hourly_price)

    def _take(self, name: str, given: dict[int, ConsensusMark], price: Decimal) -> None:
        numbers = {q.id: str(q.number) for q in self.data.questions}
        self.marks[name] = {
            numbers[qid]: Decimal(mark.mark) for qid, mark in given.items() if qid in numbers
        }
        self.prices[name] = Decimal(price)

    def _quality(self):
        if not self.marks:
            return {}
        return quality_scores(
            _engine_questions(self.data.questions),
            self.marks,
            Decimal(self.data.tender.quality_weight),
        )


def _rationale(data: Loaded, bid_id: int, question_id: int) -> str:
    consensus = data.consensus.get(bid_id, {}).get(question_id)
    if consensus is not None and consensus.reason and consensus.reason.strip():
        return consensus.reason.strip()
    return " / ".join(data.rationales.get((bid_id, question_id), ()))


def _question_results(data: Loaded, bid_id: int, quality) -> tuple[QuestionResult, ...]:
    """Each question's consensus mark and points; without an engine result, those given."""
    total = sum((Decimal(q.weight) for q in data.questions), Decimal(0))
    scored = {item.question_id: item.points for item in quality.questions} if quality else {}
    results = []
    for question in data.questions:
        consensus = data.consensus.get(bid_id, {}).get(question.id)
        if consensus is None:
            continue
        points = scored.get(str(question.number))
        if points is None and total > 0:
            available = Decimal(question.weight) / total * Decimal(data.tender.quality_weight)
            points = Decimal(consensus.mark) / Decimal(question.max_mark) * available
        results.append(
            QuestionResult(
                question_id=question.id,
                number=question.number,
                text=question.text,
                weight=Decimal(question.weight),
                max_mark=question.max_mark,
                mark=Decimal(consensus.mark),
                points=two(points or Decimal(0)),
                rationale=_rationale(data, bid_id, question.id),
            )
        )
    return tuple(results)


def _why(explanation: tuple[str, ...], name: str, won: bool) -> str | None:
    prefix = f"{name} wins" if won else f"{name} (ranked"
    return next((line for line in explanation if line.startswith(prefix)), None)


def _bid_results(builder: _LotBuilder, winners: list[str], explanation: tuple[str, ...]):
    data, quality, ranking = builder.data, builder.quality, builder.ranking
    results = []
    for entry in ranking.ranked:
        bid = builder.bids[entry.bid]
        won = entry.bid in winners
        reason = _why(explanation, entry.bid, won) or (
            f"{entry.bid} ranked {ordinal(entry.position)} with {two(entry.combined)}: "
            f"below the winning bid{'s' if len(winners) > 1 else ''}."
        )
        results.append(
            BidResult(
                bid.id,
                bid.organisation_id,
                entry.bid,
                two(entry.quality_score),
                entry.price,
                two(entry.price_score),
                two(entry.combined),
                entry.position,
                False,
                (),
                won,
                reason,
                _question_results(data, bid.id, quality[entry.bid]),
                builder.capacity.get(entry.bid),
            )
        )
    excluded = [(item.bid, item.reasons) for item in ranking.excluded]
    excluded += sorted(builder.outside.items())
    for name, reasons in excluded:
        bid = builder.bids[name]
        result = quality.get(name)
        results.append(
            BidResult(
                bid.id,
                bid.organisation_id,
                name,
                two(result.score) if result else None,
                builder.prices.get(name) or _review_price(data, bid.id),
                None,
                None,
                None,
                True,
                tuple(reasons),
                False,
                "Excluded: " + "; ".join(reasons) + ".",
                _question_results(data, bid.id, result),
                builder.capacity.get(name),
            )
        )
    return tuple(results)


def _review_price(data: Loaded, bid_id: int) -> Decimal | None:
    review = data.reviews.get(bid_id)
    return None if review is None or review.hourly_price is None else Decimal(review.hourly_price)


def _sensitivity(builder: _LotBuilder) -> tuple[tuple[SensitivityRow, ...], str]:
    tender = builder.data.tender
    quality_weight = Decimal(tender.quality_weight)
    if quality_weight + Decimal(tender.price_weight) != HUNDRED or not builder.quality:
        return (), "Not tested: it needs scored bids and weightings that add up to 100."
    result = weighting_sensitivity(
        builder.quality,
        {name: builder.prices[name] for name in builder.quality},
        quality_weight,
        lot=builder.label,
        submitted_at=builder._times(),
        tie_break=tie_break_rules(tender.tie_break),
        excluded=builder.engine_excluded,
    )
    places = builder.lot.providers_to_appoint
    rows = tuple(
        SensitivityRow(
            outcome.quality_weight,
            outcome.price_weight,
            tuple(outcome.order[:places]),
            tuple((name, two(outcome.combined[name])) for name in outcome.order),
        )
        for outcome in result.outcomes
    )
    return rows, result.explanation


def tender_results(tender_id: int) -> TenderResults:
    """The results as they stand: provisional (with reasons) until everything is settled."""
    data = load(tender_id)
    tender = data.tender
    not_ready: list[str] = []
    if tender.opened_at is None:
        not_ready.append("The bids have not been opened yet.")
    if not data.questions:
        not_ready.append("The tender has no quality questions to score.")
    if not data.bids:
        not_ready.append("No submitted bids to evaluate.")
    builders = [_LotBuilder(data, lot, not_ready) for lot in data.lots]
    scores = {
        (entry.bid, builder.label): entry.combined
        for builder in builders
        for entry in builder.ranking.ranked
    }
    capacity: dict[str, Decimal] = {}
    for builder in builders:
        for name, hours in builder.capacity.items():
            capacity[name] = max(hours, capacity.get(name, hours))
    bidders = {name for name, _ in scores}
    allocation = (
        allocate(
            scores,
            max_lots_per_bidder=tender.max_lots_per_provider,
            winners_per_lot={b.label: b.lot.providers_to_appoint for b in builders},
            capacity={name: hours for name, hours in capacity.items() if name in bidders},
            demand={b.label: Decimal(b.lot.hours_per_week) for b in builders},
            policy=tender.allocation_policy if tender.allocation_policy in POLICIES else "optimal",
            lot_priority=[b.label for b in builders],
            lot_rankings={b.label: b.ranking.order for b in builders},
        )
        if builders
        else None
    )
    lots = []
    for builder in builders:
        winners = allocation.awards.get(builder.label, []) if allocation else []
        explanation = allocation.explanations.get(builder.label, ()) if allocation else ()
        bids = _bid_results(builder, winners, explanation)
        sensitivity, summary = _sensitivity(builder)
        lots.append(
            LotResult(
                lot_id=builder.lot.id,
                number=builder.lot.number,
                title=builder.lot.title,
                hours_per_week=Decimal(builder.lot.hours_per_week),
                providers_to_appoint=builder.lot.providers_to_appoint,
                bids=bids,
                winner_bid_ids=tuple(b.bid_id for b in bids if b.won),
                unfilled_reason=allocation.unfilled.get(builder.label) if allocation else None,
                tie_break_steps=builder.ranking.steps,
                sensitivity=sensitivity,
                sensitivity_summary=summary,
                allocation_explanation=tuple(explanation),
            )
        )
    reasons = not_ready[:MAX_REASONS]
    if len(not_ready) > MAX_REASONS:
        reasons.append(f"And {len(not_ready) - MAX_REASONS} more.")
    return TenderResults(
        tender_id=tender.id,
        reference=tender.reference,
        title=tender.title,
        quality_weight=Decimal(tender.quality_weight),
        price_weight=Decimal(tender.price_weight),
        lots=tuple(lots),
        ready=not not_ready,
        not_ready_reasons=tuple(reasons),
        allocation_notes=tuple(allocation.notes) if allocation else (),
        questions=tuple(
            {"number": q.number, "text": q.text, "weight": str(q.weight), "max_mark": q.max_mark}
            for q in data.questions
        ),
    )
