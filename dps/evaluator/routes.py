"""The evaluator's area: quality questions assigned to them for marking."""

from __future__ import annotations

from flask import Blueprint, render_template

from dps.guards import require_roles
from dps.models.organisation import Role

bp = Blueprint("evaluator", __name__, url_prefix="/evaluator")
require_roles(bp, Role.EVALUATOR, Role.OFFICER)


@bp.route("/")
def dashboard():
    return render_template("evaluator/dashboard.html")
