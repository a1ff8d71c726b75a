"""Panel route: "Do you know any of these organisations?", asked before any marking."""

from __future__ import annotations

from dps.declaration_forms import PANEL, declaration_page
from dps.panel.routes import bp


@bp.route("/tenders/<int:tender_id>/declaration", methods=["GET", "POST"])
def declare(tender_id: int):
    return declaration_page("panel", "panel/declaration.html", PANEL, tender_id)
