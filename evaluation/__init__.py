"""Commission's evaluation engine: cost breakdowns, viability, scores, ranking, lot allocation,
sensitivity and fees. Pure Python with Decimal money; it imports nothing from the web app, so a
letter, a report and an export can all explain a number the same way.
"""

from evaluation.allocation import Allocation, allocate
from evaluation.costs import (
    STOCKPORT_2018,
    UKHCA_STYLE_2026,
    Breakdown,
    CostTemplate,
    calculate,
)
from evaluation.fees import budget_effect, call_rates, uplift
from evaluation.nlw import NLW_TABLE, nlw_on
from evaluation.ranking import LotRanking, rank_lot
from evaluation.scoring import (
    QualityResult,
    Question,
    agree_consensus,
    answers_for_discussion,
    mark_spread,
    price_scores,
    quality_scores,
)
from evaluation.sensitivity import Sensitivity, weighting_sensitivity
from evaluation.viability import Finding, ViabilityRules, check

__all__ = [
    "NLW_TABLE",
    "STOCKPORT_2018",
    "UKHCA_STYLE_2026",
    "Allocation",
    "Breakdown",
    "CostTemplate",
    "Finding",
    "LotRanking",
    "QualityResult",
    "Question",
    "Sensitivity",
    "ViabilityRules",
    "agree_consensus",
    "allocate",
    "answers_for_discussion",
    "budget_effect",
    "calculate",
    "call_rates",
    "check",
    "mark_spread",
    "nlw_on",
    "price_scores",
    "quality_scores",
    "rank_lot",
    "uplift",
    "weighting_sensitivity",
]
