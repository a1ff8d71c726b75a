"""The procurement officer's area."""

from __future__ import annotations

from flask import Blueprint, render_template

from dps.guards import require_roles
from dps.inbox_views import add_inbox_routes
from dps.models.organisation import Role

bp = Blueprint("officer", __name__, url_prefix="/officer")
require_roles(bp, Role.OFFICER)


@bp.route("/")
def dashboard():
    return render_template("officer/dashboard.html")


add_inbox_routes(bp)


# Route modules that register on this blueprint.
from dps.officer import (  # noqa: E402, F401
    applications,
    award,
    award_contracts,
    cost_of_care,
    dps_setup,
    evaluation_results,
    evaluation_setup,
    market,
    members,
    moderation,
    price_checks,
    tender_opening,
    tenders,
    uplifts,
)
