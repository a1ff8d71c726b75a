"""Officer routes: creating a DPS, changing its categories, zones and partners, publishing it.

Registered on the officer blueprint, whose before_request lets only officers in. An officer
sees only the DPSs their authority leads or is a partner in (404 for any other id).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from dps.officer.dps_forms import (
    CategoryForm,
    ConfirmForm,
    DpsForm,
    PartnersForm,
    ZoneEditForm,
    ZoneFlagsForm,
    ZoneForm,
)
from dps.officer.routes import bp
from dps.services import dps_directory, dps_regimes, dps_setup, dps_structure
from dps.services.dps_regimes import REGIME_SETUP, long_date
from dps.services.dps_setup import GROUND_LABELS, QUESTION_TYPE_LABELS, SetupError
from dps.services.organisations import authorities
from dps.state.calendar import REGIMES

_WARNING_KEY = "dps_term_warning"

bp.add_app_template_filter(long_date, "long_date")


def _dps_or_404(dps_id: int):
    dps = dps_directory.for_officer(current_user, dps_id)
    if dps is None:
        abort(404)
    return dps


def _show_error(form, error: SetupError, fallback: str) -> None:
    """Put the service's message beside the field it is about."""
    field = form._fields.get(error.field or "") or form._fields[fallback]
    field.errors = [*field.errors, str(error)]


def _status(form) -> int:
    return 400 if request.method == "POST" else 200


@bp.route("/dps")
def dps_list():
    return render_template(
        "officer/dps/list.html", systems=dps_directory.visible_to(current_user), setup=REGIME_SETUP
    )


@bp.route("/dps/new", methods=["GET", "POST"])
def dps_new():
    form = DpsForm()
    form.lead_authority_id.choices = [(org.id, org.name) for org in authorities()]
    partners = dps_directory.other_authorities(current_user)
    form.partner_ids.choices = [(org.id, org.name) for org in partners]
    if request.method == "GET":
        form.lead_authority_id.data = current_user.organisation_id
    if form.validate_on_submit():
        try:
            dps, warning = dps_setup.create_dps(
                current_user,
                reference=form.reference.data,
                title=form.title.data,
                description=form.description.data or "",
                regime=form.regime.data,
                lead_authority_id=form.lead_authority_id.data,
                partner_ids=form.partner_ids.data or [],
                starts_on=form.starts_on.data,
                term_years=form.term_years.data,
                decision_target_days=form.decision_target_days.data or 10,
                conditions_of_membership=form.conditions_of_membership.data or "",
            )
        except SetupError as error:
            _show_error(form, error, "reference")
        else:
            if warning:
                session[_WARNING_KEY] = {"dps_id": dps.id, "text": warning}
            flash(f"{dps.reference} created as a draft. Check it, then publish it.")
            return redirect(url_for("officer.dps_show", dps_id=dps.id))
    regime_hints = {code: dps_regimes.regime_rules_in_words(code) for code in REGIMES}
    return render_template(
        "officer/dps/new.html", form=form, regime_hints=regime_hints, has_partners=bool(partners)
    ), _status(form)


def _show(dps, *, publish_error: str | None = None, status: int = 200):
    saved = session.get(_WARNING_KEY)
    warning = None
    if saved and saved.get("dps_id") == dps.id:
        warning = session.pop(_WARNING_KEY)["text"]
    return render_template(
        "officer/dps/show.html",
        dps=dps,
        regime=REGIMES[dps.regime],
        regime_setup=REGIME_SETUP[dps.regime],
        decision_words=dps_regimes.decision_period_in_words(dps),
        term=dps_regimes.term_in_words(dps.starts_on, dps.ends_on),
        warning=warning or dps_setup.term_note(dps),
        zone_tree=dps_directory.zone_tree(dps),
        questionnaire=dps_setup.questionnaire_of(dps),
        problems=dps_setup.publish_problems(dps) if dps.status == "draft" else [],
        publish_error=publish_error,
        confirm=ConfirmForm(),
    ), status


@bp.route("/dps/<int:dps_id>")
def dps_show(dps_id: int):
    return _show(_dps_or_404(dps_id))


@bp.route("/dps/<int:dps_id>/publish", methods=["POST"])
def dps_publish(dps_id: int):
    dps = _dps_or_404(dps_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        dps_setup.publish_dps(current_user, dps.id)
    except SetupError as error:
        return _show(dps, publish_error=str(error), status=400)
    return redirect(url_for("officer.dps_published", dps_id=dps.id))


@bp.route("/dps/<int:dps_id>/published")
def dps_published(dps_id: int):
    dps = _dps_or_404(dps_id)
    if dps.status != "published":
        return redirect(url_for("officer.dps_show", dps_id=dps.id))
    return render_template(
        "officer/dps/published.html",
        dps=dps,
        decision_words=dps_regimes.decision_period_in_words(dps),
    )


@bp.route("/dps/<int:dps_id>/questionnaire")
def dps_questionnaire(dps_id: int):
    dps = _dps_or_404(dps_id)
    return render_template(
        "officer/dps/questionnaire.html",
        dps=dps,
        questionnaire=dps_setup.questionnaire_of(dps),
        type_labels=QUESTION_TYPE_LABELS,
        ground_labels=GROUND_LABELS,
    )


# Categories -------------------------------------------------------------------------------


@bp.route("/dps/<int:dps_id>/categories", methods=["GET", "POST"])
def dps_categories(dps_id: int):
    dps = _dps_or_404(dps_id)
    form = CategoryForm()
    if dps.status == "draft" and form.validate_on_submit():
        try:
            category = dps_structure.add_category(
                current_user, dps.id, form.name.data, form.description.data or ""
            )
        except SetupError as error:
            _show_error(form, error, "name")
        else:
            flash(f"{category.name} added.")
            return redirect(url_for("officer.dps_categories", dps_id=dps.id))
    elif request.method == "POST" and dps.status != "draft":
        abort(400)
    return render_template("officer/dps/categories.html", dps=dps, form=form), _status(form)


def _category_or_404(dps, category_id: int):
    category = next((c for c in dps.categories if c.id == category_id), None)
    if category is None:
        abort(404)
    return category


@bp.route("/dps/<int:dps_id>/categories/<int:category_id>", methods=["GET", "POST"])
def dps_category(dps_id: int, category_id: int):
    dps = _dps_or_404(dps_id)
    category = _category_or_404(dps, category_id)
    if dps.status != "draft":
        return redirect(url_for("officer.dps_categories", dps_id=dps.id))
    form = CategoryForm(obj=category)
    form.submit.label.text = "Save category"
    if form.validate_on_submit():
        try:
            dps_structure.update_category(
                current_user, dps.id, category.id, form.name.data, form.description.data or ""
            )
        except SetupError as error:
            _show_error(form, error, "name")
        else:
            flash(f"{form.name.data} saved.")
            return redirect(url_for("officer.dps_categories", dps_id=dps.id))
    return render_template(
        "officer/dps/category.html",
        dps=dps,
        category=category,
        form=form,
        confirm=ConfirmForm(),
        remove_error=None,
    ), _status(form)


@bp.route("/dps/<int:dps_id>/categories/<int:category_id>/remove", methods=["POST"])
def dps_category_remove(dps_id: int, category_id: int):
    dps = _dps_or_404(dps_id)
    category = _category_or_404(dps, category_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = category.name
    try:
        dps_structure.remove_category(current_user, dps.id, category.id)
    except SetupError as error:
        form = CategoryForm(formdata=None, obj=category)
        form.submit.label.text = "Save category"
        return render_template(
            "officer/dps/category.html",
            dps=dps,
            category=category,
            form=form,
            confirm=ConfirmForm(),
            remove_error=str(error),
        ), 400
    flash(f"{name} removed.")
    return redirect(url_for("officer.dps_categories", dps_id=dps.id))


# Zones ------------------------------------------------------------------------------------


def _flags(form) -> dict[str, bool]:
    chosen = set(form.flags.data or [])
    return {"hard_to_serve": "hard_to_serve" in chosen, "rural": "rural" in chosen}


@bp.route("/dps/<int:dps_id>/zones", methods=["GET", "POST"])
def dps_zones(dps_id: int):
    dps = _dps_or_404(dps_id)
    form = ZoneForm()
    form.parent.choices = [(0, "A district")] + [
        (zone.id, f"A locality in {zone.name}") for zone in dps.zones if zone.parent_id is None
    ]
    if request.method == "POST" and dps.status != "draft":
        abort(400)
    if form.validate_on_submit():
        try:
            zone = dps_structure.add_zone(
                current_user, dps.id, form.name.data, form.parent.data or None, **_flags(form)
            )
        except SetupError as error:
            _show_error(form, error, "name")
        else:
            flash(f"{zone.name} added.")
            return redirect(url_for("officer.dps_zones", dps_id=dps.id))
    return render_template(
        "officer/dps/zones.html", dps=dps, form=form, zone_tree=dps_directory.zone_tree(dps)
    ), _status(form)


def _zone_or_404(dps, zone_id: int):
    zone = next((z for z in dps.zones if z.id == zone_id), None)
    if zone is None:
        abort(404)
    return zone


def _zone_page(dps, zone, form, remove_error=None, status=200):
    return render_template(
        "officer/dps/zone.html",
        dps=dps,
        zone=zone,
        form=form,
        confirm=ConfirmForm(),
        remove_error=remove_error,
    ), status


@bp.route("/dps/<int:dps_id>/zones/<int:zone_id>", methods=["GET", "POST"])
def dps_zone(dps_id: int, zone_id: int):
    """A draft's zone: name and flags. A published DPS's zone: its flags only."""
    dps = _dps_or_404(dps_id)
    zone = _zone_or_404(dps, zone_id)
    form_class = ZoneEditForm if dps.status == "draft" else ZoneFlagsForm
    form = form_class(obj=zone)
    if request.method == "GET":
        form.flags.data = [flag for flag in ("hard_to_serve", "rural") if getattr(zone, flag)]
    if form.validate_on_submit():
        name = form.name.data if "name" in form._fields else None
        try:
            dps_structure.update_zone(current_user, dps.id, zone.id, name=name, **_flags(form))
        except SetupError as error:
            _show_error(form, error, "name" if name is not None else "flags")
        else:
            flash(f"{zone.name} saved.")
            return redirect(url_for("officer.dps_zones", dps_id=dps.id))
    return _zone_page(dps, zone, form, status=_status(form))


@bp.route("/dps/<int:dps_id>/zones/<int:zone_id>/remove", methods=["POST"])
def dps_zone_remove(dps_id: int, zone_id: int):
    dps = _dps_or_404(dps_id)
    zone = _zone_or_404(dps, zone_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = zone.name
    try:
        dps_structure.remove_zone(current_user, dps.id, zone.id)
    except SetupError as error:
        form_class = ZoneEditForm if dps.status == "draft" else ZoneFlagsForm
        form = form_class(formdata=None, obj=zone)
        form.flags.data = [flag for flag in ("hard_to_serve", "rural") if getattr(zone, flag)]
        return _zone_page(dps, zone, form, remove_error=str(error), status=400)
    flash(f"{name} removed.")
    return redirect(url_for("officer.dps_zones", dps_id=dps.id))


# Partners ---------------------------------------------------------------------------------


@bp.route("/dps/<int:dps_id>/partners", methods=["GET", "POST"])
def dps_partners(dps_id: int):
    dps = _dps_or_404(dps_id)
    if dps.status != "draft":
        return redirect(url_for("officer.dps_show", dps_id=dps.id))
    form = PartnersForm()
    form.partner_ids.choices = [
        (org.id, org.name) for org in authorities() if org.id != dps.lead_authority_id
    ]
    if request.method == "GET":
        form.partner_ids.data = [org.id for org in dps.partners]
    if form.validate_on_submit():
        try:
            dps_structure.set_partners(current_user, dps.id, form.partner_ids.data or [])
        except SetupError as error:
            _show_error(form, error, "partner_ids")
        else:
            flash("Partner authorities saved.")
            return redirect(url_for("officer.dps_show", dps_id=dps.id))
    return render_template(
        "officer/dps/partners.html", dps=dps, form=form, has_choices=bool(form.partner_ids.choices)
    ), _status(form)
