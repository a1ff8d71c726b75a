"""Pages anyone can see, and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, send_from_directory
from sqlalchemy import text

from config.settings import ROOT
from dps.extensions import db, queue

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    return render_template("public/home.html")


@bp.route("/cookies")
def cookies():
    return render_template("public/cookies.html")


@bp.route("/accessibility")
def accessibility():
    return render_template("public/accessibility.html")


@bp.route("/assets/<path:filename>")
def assets(filename: str):
    """GOV.UK Frontend's CSS asks for fonts and images at /assets/."""
    return send_from_directory(ROOT / "static" / "assets", filename, max_age=3600)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure as unhealthy
        db.session.rollback()
        database = f"error: {type(exc).__name__}"
    redis_status = "ok" if queue.ping() else "unreachable"
    healthy = database == "ok" and redis_status == "ok"
    return jsonify(status="ok" if healthy else "degraded", database=database, redis=redis_status), (
        200 if healthy else 503
    )


# Route modules that register on this blueprint.
from dps.public import (  # noqa: E402, F401
    awards,
    cost_of_care,
    dps_pages,
    opportunities,
)
