"""The shape of a tender's evaluation results: what the results page, the exports, the report,
the award decision (as a JSON snapshot) and the letters all read.

`dps.services.evaluation_results.tender_results(tender_id)` builds one from the consensus marks,
the price reviews and the engine; `TenderResults.to_dict()` / `from_dict()` round-trip it through
JSON (Decimals as strings) so an approved award keeps the results exactly as they were approved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class QuestionResult:
    question_id: int
    number: int
    text: str
    weight: Decimal
    max_mark: int
    mark: Decimal  # the consensus mark
    points: Decimal  # weighted points the mark earns
    rationale: str  # the consensus reason, else the markers' rationales joined


@dataclass(frozen=True)
class BidResult:
    bid_id: int
    organisation_id: int
    organisation_name: str
    quality_score: Decimal | None
    price: Decimal | None  # hourly price
    price_score: Decimal | None
    combined: Decimal | None
    position: int | None  # rank in the lot, None when excluded
    excluded: bool
    exclusion_reasons: tuple[str, ...]
    won: bool
    reason: str  # why it won, or why it did not (e.g. lot limit, capacity, ranked lower)
    questions: tuple[QuestionResult, ...] = ()
    capacity_hours: Decimal | None = None


@dataclass(frozen=True)
class SensitivityRow:
    quality_weight: Decimal
    price_weight: Decimal
    winners: tuple[str, ...]  # organisation names that would win the lot at this weighting
    scores: tuple[tuple[str, Decimal], ...] = ()  # (organisation name, combined), best first


@dataclass(frozen=True)
class LotResult:
    lot_id: int
    number: int
    title: str
    hours_per_week: Decimal
    providers_to_appoint: int
    bids: tuple[BidResult, ...]  # ranked first (best first), then excluded
    winner_bid_ids: tuple[int, ...]
    unfilled_reason: str | None = None
    tie_break_steps: tuple[str, ...] = ()
    sensitivity: tuple[SensitivityRow, ...] = ()
    sensitivity_summary: str = ""
    allocation_explanation: tuple[str, ...] = ()  # the engine's sentences for this lot


@dataclass(frozen=True)
class TenderResults:
    tender_id: int
    reference: str
    title: str
    quality_weight: Decimal
    price_weight: Decimal
    lots: tuple[LotResult, ...]
    ready: bool  # every answer moderated and every price check settled
    not_ready_reasons: tuple[str, ...] = ()
    allocation_notes: tuple[str, ...] = ()
    questions: tuple[dict[str, Any], ...] = field(default=())  # number, text, weight, max_mark

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TenderResults:
        def question(item: dict[str, Any]) -> QuestionResult:
            return QuestionResult(
                **{
                    **item,
                    "weight": Decimal(item["weight"]),
                    "mark": Decimal(item["mark"]),
                    "points": Decimal(item["points"]),
                }
            )

        def bid(item: dict[str, Any]) -> BidResult:
            values = dict(item)
            for key in ("quality_score", "price", "price_score", "combined", "capacity_hours"):
                values[key] = None if values.get(key) is None else Decimal(values[key])
            values["exclusion_reasons"] = tuple(values["exclusion_reasons"])
            values["questions"] = tuple(question(q) for q in values.get("questions", ()))
            return BidResult(**values)

        def sensitivity(item: dict[str, Any]) -> SensitivityRow:
            return SensitivityRow(
                Decimal(item["quality_weight"]),
                Decimal(item["price_weight"]),
                tuple(item["winners"]),
                tuple((name, Decimal(score)) for name, score in item.get("scores", ())),
            )

        def lot(item: dict[str, Any]) -> LotResult:
            values = dict(item)
            values["hours_per_week"] = Decimal(values["hours_per_week"])
            values["bids"] = tuple(bid(b) for b in values["bids"])
            values["winner_bid_ids"] = tuple(values["winner_bid_ids"])
            values["tie_break_steps"] = tuple(values.get("tie_break_steps", ()))
            values["sensitivity"] = tuple(sensitivity(s) for s in values.get("sensitivity", ()))
            values["allocation_explanation"] = tuple(values.get("allocation_explanation", ()))
            return LotResult(**values)

        return cls(
            tender_id=data["tender_id"],
            reference=data["reference"],
            title=data["title"],
            quality_weight=Decimal(data["quality_weight"]),
            price_weight=Decimal(data["price_weight"]),
            lots=tuple(lot(item) for item in data["lots"]),
            ready=data["ready"],
            not_ready_reasons=tuple(data.get("not_ready_reasons", ())),
            allocation_notes=tuple(data.get("allocation_notes", ())),
            questions=tuple(data.get("questions", ())),
        )


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
