"""The cost-of-care calculator and scenario pages, registered on the officer, provider and public
blueprints (the public one without saving). GET-based so every result is a link."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dps.forms import BaseForm
from dps.services import cost_of_care as costs
from dps.services.cost_of_care import CostError

TEMPLATES = "shared/cost_of_care/"


class CsrfForm(BaseForm):
    """Only the CSRF token: the calculator's fields come from the template being priced."""


def error_list(errors: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"text": message, "href": f"#{field}"} for field, message in errors.items()]


MAX_ID = 2**31 - 1  # PostgreSQL integer: a larger id is simply not found


def id_of(raw: str | None) -> int | None:
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    return int(raw) if int(raw) <= MAX_ID else None


def _text(source: Mapping[str, Any], name: str) -> str | None:
    value = source.get(name)
    return value if isinstance(value, str) else None


def calculator_context(actor: Any, source: Mapping[str, Any], public: bool) -> dict[str, Any]:
    """Everything the calculator page shows for these typed figures; `errors` says what is wrong.

    `scenario` starts the figures from a saved scenario (its own copy of the template); otherwise
    `template` picks one of the templates the person may see. Anything not visible is a 404.
    """
    scenario = None
    scenario_id = _text(source, "scenario")
    if scenario_id and not public:
        found = id_of(scenario_id)
        scenario = costs.scenario(actor, found) if found is not None else None
        if scenario is None:
            abort(404)
        template = costs.scenario_template(scenario)
        starting = costs.scenario_inputs(scenario)
        chosen_key = ""
    else:
        chosen = costs.choice(actor, _text(source, "template"))
        if chosen is None:
            abort(404)
        template, starting, chosen_key = chosen.template, chosen.template.defaults(), chosen.key
    fields = costs.fields(template)
    typed = {}
    for field in fields:
        raw = _text(source, "p_" + field.name)
        typed["p_" + field.name] = raw if raw is not None else field.typed(starting.get(field.name))
    inputs, errors = costs.read_figures(template, typed)
    breakdown, problem = None, None
    if not errors:
        try:
            breakdown = costs.price(template, inputs)
        except CostError as error:
            problem = str(error)
    call_typed = {name: _text(source, name) or "" for name in costs_call_fields()}
    rates, hourly, call_errors = costs.visit_rates(
        breakdown.total_rounded if breakdown else None, call_typed
    )
    errors.update(call_errors)
    return {
        "choices": costs.choices(actor),
        "chosen_key": chosen_key,
        "scenario": scenario,
        "template": template,
        "fields": fields,
        "typed": typed,
        "call_typed": call_typed,
        "breakdown": breakdown,
        "problem": problem,
        "rates": rates,
        "hourly": hourly,
        "errors": errors,
        "public": public,
        "name": _text(source, "name") or "",
    }


def costs_call_fields() -> tuple[str, ...]:
    return ("call_rate", "minimum_minutes", "minimum_payment")


def _status(context: Mapping[str, Any]) -> int:
    return 400 if context["errors"] or context["problem"] else 200


def add_cost_routes(bp: Blueprint, can_save: bool) -> None:
    """Register `<bp>.cost_calculator` and, when people may save, the scenario pages."""
    name = bp.name

    def actor():
        return current_user if can_save else None

    def calculator():
        context = calculator_context(actor(), request.args, public=not can_save)
        return render_template(
            TEMPLATES + "calculator.html", **context, bp=name, csrf_form=CsrfForm()
        ), _status(context)

    bp.add_url_rule("/cost-of-care", "cost_calculator", calculator)
    if not can_save:
        return

    def scenario_list():
        form = CsrfForm()
        if request.method == "POST":
            context = calculator_context(current_user, request.form, public=False)
            if not form.validate_on_submit():
                context["errors"]["name"] = "The form had expired. Try saving again."
            if not context["errors"] and not context["problem"]:
                inputs, _ = costs.read_figures(context["template"], context["typed"])
                try:
                    row = costs.save_scenario(
                        current_user, request.form.get("name"), context["template"], inputs
                    )
                except CostError as error:
                    context["errors"].update(error.errors or {"name": str(error)})
                else:
                    flash(f"Scenario ‘{row.name}’ saved.")
                    return redirect(url_for(f"{name}.cost_scenario", scenario_id=row.id))
            return render_template(
                TEMPLATES + "calculator.html", **context, bp=name, csrf_form=form
            ), 400
        return render_template(
            TEMPLATES + "scenarios.html", scenarios=costs.scenarios(current_user), bp=name
        )

    def scenario_page(scenario_id: int):
        row = costs.scenario(current_user, scenario_id) if scenario_id <= MAX_ID else None
        if row is None:
            abort(404)
        return _scenario_page(row, CsrfForm(), {}, 200)

    def _scenario_page(row, form, errors, status):
        return render_template(
            TEMPLATES + "scenario.html",
            scenario=row,
            template=costs.scenario_template(row),
            breakdown=costs.scenario_breakdown(row),
            csrf_form=form,
            errors=errors,
            typed_name=request.form.get("name", row.name) if request.method == "POST" else row.name,
            bp=name,
        ), status

    def rename(scenario_id: int):
        row = costs.scenario(current_user, scenario_id) if scenario_id <= MAX_ID else None
        if row is None:
            abort(404)
        form = CsrfForm()
        if not form.validate_on_submit():
            return _scenario_page(row, form, {"name": "The form had expired. Try again."}, 400)
        try:
            costs.rename_scenario(current_user, scenario_id, request.form.get("name"))
        except CostError as error:
            return _scenario_page(row, form, error.errors, 400)
        flash("Scenario renamed.")
        return redirect(url_for(f"{name}.cost_scenario", scenario_id=scenario_id))

    def delete(scenario_id: int):
        row = costs.scenario(current_user, scenario_id) if scenario_id <= MAX_ID else None
        if row is None:
            abort(404)
        form = CsrfForm()
        if not form.validate_on_submit():
            return _scenario_page(row, form, {"name": "The form had expired. Try again."}, 400)
        deleted = costs.delete_scenario(current_user, scenario_id)
        flash(f"Scenario ‘{deleted}’ deleted.")
        return redirect(url_for(f"{name}.cost_scenarios"))

    def compare():
        rows = costs.scenarios(current_user)
        picked = {}
        errors = {}
        for key in ("a", "b"):
            raw = request.args.get(key, "")
            if not raw:
                continue
            found = id_of(raw)
            row = costs.scenario(current_user, found) if found is not None else None
            if row is None:
                abort(404)
            picked[key] = row
        if request.args and len(picked) < 2:
            for key, label in (("a", "first"), ("b", "second")):
                if key not in picked:
                    errors[key] = f"Select the {label} scenario"
        lines, difference = [], None
        if len(picked) == 2:
            lines, difference = costs.compare(
                costs.scenario_breakdown(picked["a"]), costs.scenario_breakdown(picked["b"])
            )
        return render_template(
            TEMPLATES + "compare.html",
            scenarios=rows,
            picked=picked,
            lines=lines,
            difference=difference,
            errors=errors,
            bp=name,
        ), (400 if errors else 200)

    bp.add_url_rule(
        "/cost-of-care/scenarios", "cost_scenarios", scenario_list, methods=["GET", "POST"]
    )
    bp.add_url_rule("/cost-of-care/scenarios/compare", "cost_compare", compare)
    bp.add_url_rule("/cost-of-care/scenarios/<int:scenario_id>", "cost_scenario", scenario_page)
    bp.add_url_rule(
        "/cost-of-care/scenarios/<int:scenario_id>/rename",
        "cost_scenario_rename",
        rename,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/cost-of-care/scenarios/<int:scenario_id>/delete",
        "cost_scenario_delete",
        delete,
        methods=["POST"],
    )
