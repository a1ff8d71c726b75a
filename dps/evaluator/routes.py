"""The evaluator's area: quality questions assigned to them for marking."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from dps.guards import require_roles
from dps.models.organisation import Role
from dps.services import marking

bp = Blueprint("evaluator", __name__, url_prefix="/evaluator")
require_roles(bp, Role.EVALUATOR, Role.OFFICER)


def declaration_url(tender_id: int) -> str | None:
    """The declaration page (another feature's) when it is there."""
    if "evaluator.declare" in current_app.view_functions:
        return url_for("evaluator.declare", tender_id=tender_id)
    return None


@bp.route("/")
def dashboard():
    return render_template(
        "evaluator/dashboard.html",
        tenders=marking.marker_overview(current_user.id),
        declaration_url=declaration_url,
    )


# Route modules that register on this blueprint.
from dps.evaluator import declarations  # noqa: E402, F401
from dps.evaluator import marking as marking_routes  # noqa: E402, F401
