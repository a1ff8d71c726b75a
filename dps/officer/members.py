"""Officer routes: the members of each DPS, suspending, reinstating and removing them, CQC
ratings, and asking every member to re-confirm its self-declaration."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from dps.officer import decision_forms as forms
from dps.officer.routes import bp
from dps.services import decision_queue, membership
from dps.services.dps_setup import questionnaire_of
from dps.services.notices import long_date
from dps.state.application import MEMBERSHIP_LABELS, MEMBERSHIP_TRANSITIONS
from dps.state.machine import TransitionError, allowed_events


def _render(template: str, status: int = 200, **context):
    return render_template(f"officer/members/{template}", long_date=long_date, **context), status


def _status(form) -> int:
    return 400 if request.method == "POST" else 200


def _chosen_dps(dps_id: int | None) -> tuple[int | None, list[tuple[int, str]]]:
    """The DPS asked for if the officer may see it, else the first one; and all the choices."""
    choices = decision_queue.dps_choices(current_user.organisation_id)
    ids = [choice for choice, _ in choices]
    if dps_id in ids:
        return dps_id, choices
    return (ids[0] if ids else None), choices


def _membership_or_404(membership_id: int):
    found = membership.get_membership(membership_id, current_user.organisation_id)
    if found is None:
        abort(404)
    return found


@bp.route("/members")
def member_list():
    dps_id, choices = _chosen_dps(request.args.get("dps", type=int))
    rows = membership.members_of(dps_id) if dps_id else []
    return _render(
        "list.html",
        dps_id=dps_id,
        dps_choices=choices,
        dps_label=dict(choices).get(dps_id, ""),
        rows=rows,
    )


@bp.route("/members/<int:membership_id>")
def member_detail(membership_id: int):
    member = _membership_or_404(membership_id)
    names = {
        item["code"]: item["name"]
        for item in questionnaire_of(member.dps).get("insurance_types", [])
    }
    return _render(
        "detail.html",
        member=member,
        status_label=MEMBERSHIP_LABELS.get(member.status, member.status),
        events=[
            event
            for event in membership.STATUS_EVENTS
            if event in allowed_events(MEMBERSHIP_TRANSITIONS, member.status)
        ],
        scopes=membership.scopes_by_category(member),
        policies=membership.policies_of(member.organisation_id),
        insurance_names=names,
        ratings=membership.ratings_of(member.organisation_id),
    )


@bp.route(
    "/members/<int:membership_id>/<any(suspend, reinstate, remove):event>", methods=["GET", "POST"]
)
def member_status(membership_id: int, event: str):
    member = _membership_or_404(membership_id)
    form = forms.StatusChangeForm()
    label, button = forms.STATUS_LABELS[event]
    form.reason.label.text = label
    form.submit.label.text = button
    if request.method == "GET" and event == "suspend" and member.suspension_proposed:
        form.reason.data = member.suspension_proposed
    if request.method == "GET" and event not in allowed_events(
        MEMBERSHIP_TRANSITIONS, member.status
    ):
        flash(
            f"{member.organisation.name} is {MEMBERSHIP_LABELS[member.status].lower()}: "
            f"you cannot {event} it now."
        )
        return redirect(url_for("officer.member_detail", membership_id=member.id))
    if form.validate_on_submit():
        try:
            membership.change_status(member.id, current_user, event, form.reason.data)
        except (TransitionError, membership.MembershipError) as error:
            form.reason.errors = [str(error)]
        else:
            flash(
                f"{member.organisation.name}: {MEMBERSHIP_LABELS[member.status].lower()}. "
                "We have told the provider why."
            )
            return redirect(url_for("officer.member_detail", membership_id=member.id))
    return _render("status.html", _status(form), member=member, form=form, event=event)


@bp.route("/members/<int:membership_id>/dismiss-proposal", methods=["GET", "POST"])
def member_dismiss_proposal(membership_id: int):
    member = _membership_or_404(membership_id)
    if request.method == "GET" and not member.suspension_proposed:
        return redirect(url_for("officer.member_detail", membership_id=member.id))
    form = forms.DismissProposalForm()
    if form.validate_on_submit():
        try:
            membership.dismiss_suspension_proposal(member.id, current_user, form.reason.data)
        except membership.MembershipError as error:
            form.reason.errors = [str(error)]
        else:
            flash(f"{member.organisation.name} stays a member. Your reason is recorded.")
            return redirect(url_for("officer.member_detail", membership_id=member.id))
    return _render("dismiss.html", _status(form), member=member, form=form)


@bp.route("/members/<int:membership_id>/cqc-rating", methods=["GET", "POST"])
def member_cqc_rating(membership_id: int):
    member = _membership_or_404(membership_id)
    form = forms.CqcRatingForm()
    if form.validate_on_submit():
        try:
            membership.record_cqc_rating(
                member.organisation_id, current_user, form.rating.data, form.rated_on.data
            )
        except membership.MembershipError as error:
            getattr(form, error.field or "rating").errors = [str(error)]
        else:
            flash(f"CQC rating recorded for {member.organisation.name}.")
            return redirect(url_for("officer.member_detail", membership_id=member.id))
    return _render("cqc_rating.html", _status(form), member=member, form=form)


@bp.route("/reconfirmations")
def reconfirmation_list():
    dps_id, choices = _chosen_dps(request.args.get("dps", type=int))
    requests = membership.reconfirmations_of(dps_id) if dps_id else []
    return _render(
        "reconfirmations.html",
        dps_id=dps_id,
        dps_choices=choices,
        dps_label=dict(choices).get(dps_id, ""),
        requests=[(item, len(membership.non_responders(item.id))) for item in requests],
    )


@bp.route("/reconfirmations/new", methods=["GET", "POST"])
def reconfirmation_new():
    dps_id, choices = _chosen_dps(request.args.get("dps", type=int))
    form = forms.ReconfirmationForm()
    form.dps_id.choices = choices
    if request.method == "GET" and dps_id:
        form.dps_id.data = dps_id
    if form.validate_on_submit():
        try:
            created = membership.request_reconfirmation(
                form.dps_id.data, current_user, form.due_on.data, form.message.data
            )
        except membership.ReconfirmationError as error:
            getattr(form, error.field or "message").errors = [str(error)]
        else:
            flash("We have asked every active member to re-confirm its self-declaration.")
            return redirect(url_for("officer.reconfirmation_status", reconfirmation_id=created.id))
    return _render("reconfirmation_new.html", _status(form), form=form)


@bp.route("/reconfirmations/<int:reconfirmation_id>")
def reconfirmation_status(reconfirmation_id: int):
    found = membership.reconfirmation_visible(reconfirmation_id, current_user.organisation_id)
    if found is None:
        abort(404)
    return _render(
        "reconfirmation_status.html",
        reconfirmation=found,
        waiting=membership.non_responders(found.id),
        responded=membership.responses(found.id),
    )
