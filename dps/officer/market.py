"""Officer routes: the market intelligence dashboard of a DPS and its CSV/XLSX downloads,
including the membership and the applications with their decision times."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from dps.officer.routes import bp
from dps.services import market, market_exports
from dps.services.market_exports import FORMATS, TABLES

FILTER_KEYS = ("category", "zone", "threshold")


def _dps_or_404(dps_id: int):
    found = market.dps_for_officer(current_user.organisation_id, dps_id)
    if found is None:
        abort(404)
    return found


def _typed() -> dict[str, str]:
    """What the officer put in the filter form, to show it back (and carry into downloads)."""
    return {key: request.args.get(key, "") for key in FILTER_KEYS if request.args.get(key)}


@bp.route("/market")
def market_index():
    return render_template(
        "officer/market/index.html", dps_list=market.dps_list(current_user.organisation_id)
    )


@bp.route("/dps/<int:dps_id>/market")
def market_dashboard(dps_id: int):
    dps = _dps_or_404(dps_id)
    try:
        filters, categories, zones = market.parse_filters(dps.id, request.args)
    except market.MarketError as error:
        categories, zones = market.parse_filters(dps.id, {})[1:]
        return render_template(
            "officer/market/dashboard.html",
            dps=dps,
            error=error,
            typed=_typed(),
            categories=categories,
            zones=zones,
            view=None,
            tables={},
        ), 400
    view = market.build(dps, filters, categories, zones)
    return render_template(
        "officer/market/dashboard.html",
        dps=dps,
        error=None,
        typed=_typed(),
        categories=categories,
        zones=zones,
        view=view,
        tables=market_exports.dashboard_tables(view),
    )


@bp.route("/dps/<int:dps_id>/market/<name>.<fmt>")
def market_download(dps_id: int, name: str, fmt: str):
    if fmt not in FORMATS or name not in TABLES:
        abort(404)
    dps = _dps_or_404(dps_id)
    if name in ("membership", "applications"):
        source = dps.id
    else:
        try:
            source = market.build(dps, *market.parse_filters(dps.id, request.args))
        except market.MarketError as error:
            return Response(f"{error}\n", status=400, mimetype="text/plain")
    body, mimetype = market_exports.export(
        current_user, source, name, fmt, target_days=dps.decision_target_days
    )
    filename = f"{market_exports.safe_filename(dps.reference)}-{name}.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
