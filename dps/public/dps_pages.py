"""Public routes: published DPSs, how to apply and who is admitted (on the public blueprint)."""

from __future__ import annotations

from flask import abort, render_template

from dps.public.routes import bp
from dps.services import dps_directory, dps_regimes, dps_setup
from dps.services.dps_regimes import REGIME_SETUP, long_date

bp.add_app_template_filter(long_date, "long_date")


@bp.route("/dps")
def dps_index():
    systems = dps_setup.published()
    return render_template(
        "public/dps/index.html",
        systems=systems,
        regime_setup=REGIME_SETUP,
        decision_words={dps.id: dps_regimes.decision_period_in_words(dps) for dps in systems},
        terms={dps.id: dps_regimes.term_in_words(dps.starts_on, dps.ends_on) for dps in systems},
    )


@bp.route("/dps/<reference>")
def dps_detail(reference: str):
    dps = dps_directory.published_by_reference(reference)
    if dps is None:
        abort(404)
    admitted = dps_directory.admitted_providers(dps.id)
    return render_template(
        "public/dps/detail.html",
        dps=dps,
        regime_setup=REGIME_SETUP[dps.regime],
        decision_words=dps_regimes.decision_period_in_words(dps),
        term=dps_regimes.term_in_words(dps.starts_on, dps.ends_on),
        zone_tree=dps_directory.zone_tree(dps),
        admitted=admitted,
    )
