"""The provider's area: dashboard, inbox, documents and team."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from dps.extensions import db
from dps.guards import require_roles
from dps.inbox_views import add_inbox_routes
from dps.models.organisation import Role, User
from dps.provider.forms import InviteColleagueForm
from dps.services import accounts, inbox, price_review

bp = Blueprint("provider", __name__, url_prefix="/provider")
require_roles(bp, Role.PROVIDER)


@bp.route("/")
def dashboard():
    return render_template(
        "provider/dashboard.html",
        organisation=current_user.organisation,
        unread=inbox.unread_count(current_user.organisation_id),
        price_requests=price_review.open_requests(current_user.organisation_id),
    )


add_inbox_routes(bp)


@bp.route("/team", methods=["GET", "POST"])
def team():
    form = InviteColleagueForm()
    if request.method == "POST":
        if not current_user.is_org_admin:
            abort(403)
        if form.validate_on_submit():
            try:
                accounts.invite_user(
                    inviter=current_user,
                    email=form.email.data,
                    full_name=form.full_name.data,
                    role=Role.PROVIDER,
                    organisation_id=current_user.organisation_id,
                    is_org_admin=form.is_admin.data == "yes",
                )
            except accounts.AccountError as error:
                form.email.errors = [str(error)]
            else:
                flash(f"We have sent an invitation to {form.email.data}.")
                return redirect(url_for("provider.team"))
    members = db.session.scalars(
        select(User)
        .where(User.organisation_id == current_user.organisation_id)
        .order_by(User.full_name)
    ).all()
    status = 400 if request.method == "POST" else 200
    return render_template("provider/team.html", form=form, members=members), status


# Route modules that register on this blueprint.
from dps.provider import (  # noqa: E402, F401
    applications,
    bids,
    cost_of_care,
    price_explanations,
    reconfirm,
    tender_questions,
)
