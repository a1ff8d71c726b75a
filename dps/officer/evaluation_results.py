"""Officer routes: the evaluation results page, its XLSX/CSV exports and the evaluation report."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, current_app, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from dps.officer.routes import bp
from dps.services import evaluation_exports, evaluation_report_data, opening
from dps.services.evaluation_results import tender_results
from dps.services.results_types import LotResult
from dps.services.tender_rules import TIE_BREAKS
from evaluation.money import plain

COLOURS = ("#1d70b8", "#00703c", "#d4351c", "#4c2c92", "#6f777b")  # GOV.UK palette
MAX_SERIES = 4
ROW, BAR, LEFT, WIDTH = 14, 12, 72, 480


def _tender_or_404(tender_id: int):
    tender = opening.officer_tender(current_user, tender_id)
    if tender is None:
        abort(404)
    return tender


def _link(endpoint: str, fallback: str, **values) -> str:
    """A link to another feature's page when it is registered, else the fallback path."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return fallback


def _series(lot: LotResult) -> list[str]:
    """The bidders the chart draws: those that win at any weighting, then the best at today's."""
    names: list[str] = []
    for row in lot.sensitivity:
        for name in row.winners:
            if name not in names:
                names.append(name)
    ranked = [bid.organisation_name for bid in lot.bids if bid.position is not None]
    for name in ranked:
        if len(names) >= MAX_SERIES:
            break
        if name not in names:
            names.append(name)
    return names[:MAX_SERIES]


def _split(row) -> str:
    return f"{plain(row.quality_weight)}/{plain(row.price_weight)}"


def chart_summary(lot: LotResult) -> str:
    """The chart in words: who wins over which range of weightings."""
    runs: list[tuple[str, str, str]] = []
    for row in lot.sensitivity:
        who = " and ".join(row.winners) or "nobody"
        if runs and runs[-1][0] == who:
            runs[-1] = (who, runs[-1][1], _split(row))
        else:
            runs.append((who, _split(row), _split(row)))
    parts = [
        f"{who} wins at {start}" if start == end else f"{who} wins from {start} to {end}"
        for who, start, end in runs
    ]
    return (
        f"Bar chart of combined scores for {lot.title} at quality/price weightings from "
        f"{_split(lot.sensitivity[0])} to {_split(lot.sensitivity[-1])}: " + "; ".join(parts) + "."
    )


def sensitivity_chart(lot: LotResult) -> Markup:
    """An inline SVG bar chart (no JavaScript): each weighting's combined score per bidder."""
    if not lot.sensitivity:
        return Markup("")
    names = _series(lot)
    legend_height = 22 * len(names)
    group = ROW * len(names) + 10
    height = legend_height + group * len(lot.sensitivity) + 10
    parts = [
        Markup(
            '<svg class="app-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
            'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        ).format(chart_summary(lot), LEFT + WIDTH + 60, height)
    ]
    for index, name in enumerate(names):
        y = index * 22
        parts.append(
            Markup(
                '<rect x="0" y="{}" width="14" height="14" fill="{}"/>'
                '<text x="20" y="{}" font-size="13" fill="#0b0c0c">{}</text>'
            ).format(y, COLOURS[index], y + 12, name)
        )
    for number, row in enumerate(lot.sensitivity):
        top = legend_height + number * group
        parts.append(
            Markup('<text x="0" y="{}" font-size="13" fill="#0b0c0c">{}</text>').format(
                top + group / 2, _split(row)
            )
        )
        scores = dict(row.scores)
        for index, name in enumerate(names):
            score = scores.get(name)
            if score is None:
                continue
            width = max(Decimal(1), score / Decimal(100) * WIDTH)
            y = top + index * ROW
            mark = " (wins)" if name in row.winners else ""
            parts.append(
                Markup(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="11" fill="#0b0c0c">{}{}</text>'
                ).format(
                    LEFT,
                    y,
                    f"{width:.1f}",
                    BAR,
                    COLOURS[index],
                    f"{LEFT + width + 4:.1f}",
                    y + 10,
                    f"{score:.2f}",
                    mark,
                )
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


@bp.route("/tenders/<int:tender_id>/evaluation/results")
def evaluation_results(tender_id: int):
    tender = _tender_or_404(tender_id)
    results = tender_results(tender.id)
    tender_path = f"/officer/tenders/{tender.id}"
    return render_template(
        "officer/evaluation_results/results.html",
        tender=tender,
        results=results,
        tie_break=TIE_BREAKS.get(tender.tie_break, tender.tie_break),
        back=_link("officer.evaluation", tender_path, tender_id=tender.id),
        charts={lot.lot_id: sensitivity_chart(lot) for lot in results.lots},
        plain=plain,
    )


@bp.route("/tenders/<int:tender_id>/evaluation/results.<fmt>")
def evaluation_export(tender_id: int, fmt: str):
    if fmt not in evaluation_exports.FORMATS:
        abort(404)
    tender = _tender_or_404(tender_id)
    body, mimetype = evaluation_exports.export(current_user, tender.id, fmt)
    filename = f"{evaluation_exports.safe_filename(tender.reference)}-evaluation.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/tenders/<int:tender_id>/evaluation/report.pdf")
def evaluation_report(tender_id: int):
    tender = _tender_or_404(tender_id)
    pdf = evaluation_report_data.report_pdf(current_user, tender.id)
    filename = f"{evaluation_exports.safe_filename(tender.reference)}-evaluation-report.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
