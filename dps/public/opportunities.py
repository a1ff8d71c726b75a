"""Public routes: open opportunities (registered on the public blueprint).

Anyone may see published tenders and their documents; nothing about bids is shown here.
"""

from __future__ import annotations

from flask import abort, render_template, send_file

from dps.public.routes import bp
from dps.services import documents, tenders
from dps.services.tender_rules import plain_number
from dps.state.clock import now
from dps.state.tender import TENDER_LABELS


@bp.route("/opportunities")
def opportunities():
    return render_template("public/opportunities/list.html", tenders=tenders.open_opportunities())


@bp.route("/opportunities/<reference>")
def opportunity(reference: str):
    tender = tenders.public_tender(reference)
    if tender is None:
        abort(404)
    is_open = tender.status == tenders.OPEN_STATUS and tender.closing_at > now()
    return render_template(
        "public/opportunities/detail.html",
        tender=tender,
        is_open=is_open,
        status_label="Open for bids" if is_open else TENDER_LABELS.get(tender.status, ""),
        tie_breaks=tenders.TIE_BREAKS,
        number=plain_number,
    )


@bp.route("/opportunities/<reference>/documents/<int:document_id>")
def opportunity_document(reference: str, document_id: int):
    tender = tenders.public_tender(reference)
    attached = tenders.document_of(tender, document_id) if tender else None
    if attached is None:
        abort(404)
    return send_file(**documents.send_args(attached.document))
