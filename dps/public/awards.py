"""The public award page: who won each lot of a tender, and the contracts once recorded.

Shown only once the award is approved (404 before). Hourly rates and hours are published in
award notices anyway, so they are shown here; nothing about losing bids is.
"""

from __future__ import annotations

from flask import abort, render_template, url_for

from dps.public.routes import bp
from dps.services import award_after


@bp.route("/awards/<reference>")
def award(reference: str):
    found = award_after.public_award(reference)
    if found is None:
        abort(404)
    tender, decision = found
    award_after.refresh(decision)
    slots = award_after.slots(decision)
    results = award_after.results_of(decision)
    lots = [
        (lot_result, [slot for slot in slots if slot.lot.id == lot_result.lot_id])
        for lot_result in sorted(results.lots, key=lambda item: item.number)
    ]
    return render_template(
        "public/awards/award.html",
        tender=tender,
        award=decision,
        lots=lots,
        standstill_running=award_after.standstill_running(decision),
        weekly_value=award_after.weekly_value,
    )


@bp.context_processor
def _award_links():
    """`public_award_href(tender)` for the opportunity pages: the award page, once there is one."""

    def public_award_href(tender) -> str | None:
        if award_after.public_award(tender.reference) is None:
            return None
        return url_for("public.award", reference=tender.reference)

    return {"public_award_href": public_award_href}
