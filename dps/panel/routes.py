"""The Experts by Experience panel member's area: plain English, one answer per page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from dps.guards import require_roles
from dps.models.organisation import Role
from dps.services import marking

bp = Blueprint("panel", __name__, url_prefix="/panel")
require_roles(bp, Role.PANEL)


@bp.route("/")
def dashboard():
    tenders = marking.marker_overview(current_user.id)
    questions = [q for tender in tenders if tender.declared for q in tender.questions]
    return render_template(
        "panel/dashboard.html",
        tenders=tenders,
        total=sum(q.total for q in questions),
        marked=sum(q.submitted for q in questions),
        can_declare="panel.declare" in current_app.view_functions,
    )


# Route modules that register on this blueprint.
from dps.panel import declarations  # noqa: E402, F401
from dps.panel import marking as marking_pages  # noqa: E402, F401
