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
    dps_setup,
    members,
    tender_opening,
    tenders,
)
