"""Public OCDS pages: an index, and a release package per DPS and per tender (JSON)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from dps.ocds import catalogue
from dps.ocds.build import dps_release_package, ocid, package_path, tender_release_package, to_json
from dps.state.tender import TENDER_LABELS

bp = Blueprint("ocds", __name__, url_prefix="/ocds")

DPS_LABELS = {"published": "Open", "closed": "Closed"}


@bp.route("/")
def index():
    systems, tenders = catalogue.systems(), catalogue.tenders()
    return render_template(
        "ocds/index.html",
        systems=systems,
        tenders=tenders,
        tender_labels=TENDER_LABELS,
        dps_labels=DPS_LABELS,
        ocid=ocid,
        package_path=package_path,
    )


def _json(package: dict) -> Response:
    # Imported here: loading jsonschema's format checkers costs over a second, which every
    # process (web workers, rq workers, the clock) would otherwise pay at start-up.
    from dps.ocds.validate import assert_valid

    assert_valid(package)  # never publish what the schema rejects
    response = Response(to_json(package), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/dps/<reference>.json")
def dps_package(reference: str):
    dps = catalogue.dps_by_reference(reference)
    if dps is None:
        abort(404)
    return _json(dps_release_package(dps))


@bp.route("/tenders/<reference>.json")
def tender_package(reference: str):
    tender = catalogue.tender_by_reference(reference)
    if tender is None:
        abort(404)
    return _json(tender_release_package(tender))
