"""The Experts by Experience panel member's area: plain English, one answer per page."""

from __future__ import annotations

from flask import Blueprint, render_template

from dps.guards import require_roles
from dps.models.organisation import Role

bp = Blueprint("panel", __name__, url_prefix="/panel")
require_roles(bp, Role.PANEL)


@bp.route("/")
def dashboard():
    return render_template("panel/dashboard.html")
