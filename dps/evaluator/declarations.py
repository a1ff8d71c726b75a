"""Evaluator route: declaring conflicts of interest with a tender's bidders before marking."""

from __future__ import annotations

from dps.declaration_forms import EVALUATOR, declaration_page
from dps.evaluator.routes import bp


@bp.route("/tenders/<int:tender_id>/declaration", methods=["GET", "POST"])
def declare(tender_id: int):
    return declaration_page("evaluator", "evaluator/declaration.html", EVALUATOR, tender_id)
