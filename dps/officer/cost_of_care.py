"""Officers' cost of care: the calculator and scenarios, the council's templates and benchmark
for a year, and the budget effect of alternative rates."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dps.cost_views import MAX_ID, CsrfForm, add_cost_routes
from dps.officer.routes import bp
from dps.services import cost_of_care as costs
from dps.services import cost_templates_admin as admin
from dps.services.bid_figures import HOURS, MONEY
from dps.services.cost_of_care import CostError
from evaluation.money import plain

add_cost_routes(bp, can_save=True)

TEMPLATES = "shared/cost_of_care/"
EXPIRED = "The form had expired. Try again."


def _own(template_id: int):
    row = admin.own_template(current_user, template_id) if template_id <= MAX_ID else None
    if row is None:
        abort(404)
    return row


@bp.route("/cost-of-care/templates")
def cost_templates():
    return render_template(
        TEMPLATES + "templates.html",
        built_in=list(costs.BUILT_IN.values()),
        rows=admin.own_templates(current_user),
    )


@bp.route("/cost-of-care/templates/new", methods=["GET", "POST"])
def cost_template_new():
    form = CsrfForm()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            errors["name"] = EXPIRED
        else:
            try:
                row = admin.create_template(
                    current_user, request.form.get("name"), request.form.get("start_from")
                )
            except CostError as error:
                errors = error.errors or {"name": str(error)}
            else:
                flash(f"Template ‘{row.name}’ created. Change its figures and labels below.")
                return redirect(url_for("officer.cost_template", template_id=row.id))
    return render_template(
        TEMPLATES + "template_new.html",
        csrf_form=form,
        errors=errors,
        choices=costs.choices(current_user),
        typed={k: v for k, v in request.form.items() if isinstance(v, str)},
    ), (400 if errors else 200)


def _edit_page(row, form, errors, problem, typed, status=200):
    template = costs.template_of(row)
    return render_template(
        TEMPLATES + "template_edit.html",
        row=row,
        template=template,
        fields=costs.fields(template),
        csrf_form=form,
        errors=errors,
        problem=problem,
        typed=typed,
        year_words=costs.year_words,
    ), status


def _typed_template(row) -> dict[str, str]:
    template = costs.template_of(row)
    typed = {"name": row.name, "description": template.description}
    for field in costs.fields(template):
        typed[f"label_{field.name}"] = field.label
        typed[f"description_{field.name}"] = field.description
        typed[f"default_{field.name}"] = field.typed(field.default)
    typed["year"] = "" if row.benchmark_year is None else str(row.benchmark_year)
    return typed


@bp.route("/cost-of-care/templates/<int:template_id>", methods=["GET", "POST"])
def cost_template(template_id: int):
    row = _own(template_id)
    form = CsrfForm()
    if request.method == "GET":
        return _edit_page(row, form, {}, None, _typed_template(row))
    typed = {
        **_typed_template(row),
        **{k: v for k, v in request.form.items() if isinstance(v, str)},
    }
    if not form.validate_on_submit():
        return _edit_page(row, form, {}, EXPIRED, typed, 400)
    try:
        admin.update_template(current_user, row.id, request.form)
    except CostError as error:
        problem = None if error.errors else str(error)
        return _edit_page(row, form, error.errors, problem, typed, 400)
    flash("Template saved.")
    return redirect(url_for("officer.cost_template", template_id=row.id))


@bp.route("/cost-of-care/templates/<int:template_id>/benchmark", methods=["POST"])
def cost_template_benchmark(template_id: int):
    row = _own(template_id)
    form = CsrfForm()
    typed = {**_typed_template(row), "year": request.form.get("year", "")}
    if not form.validate_on_submit():
        return _edit_page(row, form, {"year": EXPIRED}, None, typed, 400)
    try:
        row = admin.set_benchmark(current_user, row.id, request.form.get("year"))
    except CostError as error:
        return _edit_page(row, form, error.errors or {"year": str(error)}, None, typed, 400)
    if row.benchmark_year is None:
        flash(f"‘{row.name}’ is no longer a benchmark.")
    else:
        flash(f"‘{row.name}’ is now the benchmark for {costs.year_words(row.benchmark_year)}.")
    return redirect(url_for("officer.cost_template", template_id=row.id))


@bp.route("/cost-of-care/budget")
def cost_budget():
    hours, average, count = admin.contracted(current_user)
    typed = {
        "rates": request.args.get("rates", ""),
        "current": request.args.get("current", "" if average is None else str(average)),
        "hours": request.args.get("hours", plain(hours) if hours else ""),
    }
    result, errors = None, {}
    if "rates" in request.args:
        try:
            result = admin.budget(typed)
        except CostError as error:
            errors = error.errors
    return render_template(
        TEMPLATES + "budget.html",
        typed=typed,
        result=result,
        bars=admin.chart_bars(result) if result else [],
        errors=errors,
        contracted_hours=hours,
        average=average,
        contract_count=count,
        money_unit=MONEY,
        hours_unit=HOURS,
        plain=plain,
    ), (400 if errors else 200)
