"""The provider's area: dashboard, inbox, documents and team."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from dps.extensions import db
from dps.guards import require_roles
from dps.models.organisation import Role, User
from dps.provider.forms import InviteColleagueForm
from dps.services import accounts, documents, inbox

bp = Blueprint("provider", __name__, url_prefix="/provider")
require_roles(bp, Role.PROVIDER)


@bp.route("/")
def dashboard():
    return render_template(
        "provider/dashboard.html",
        organisation=current_user.organisation,
        unread=inbox.unread_count(current_user.organisation_id),
    )


@bp.route("/inbox")
def inbox_list():
    return render_template(
        "shared/inbox.html",
        messages=inbox.messages_for(current_user.organisation_id),
        message_endpoint="provider.inbox_message",
    )


@bp.route("/inbox/<int:message_id>")
def inbox_message(message_id: int):
    message = inbox.open_message(current_user.organisation_id, message_id)
    if message is None:
        abort(404)
    return render_template(
        "shared/message.html",
        message=message,
        back=url_for("provider.inbox_list"),
        document_endpoint="provider.document",
    )


@bp.route("/documents/<int:document_id>")
def document(document_id: int):
    found = documents.for_organisation(current_user.organisation_id, document_id)
    if found is None:
        abort(404)
    return send_file(**documents.send_args(found))


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
from dps.provider import applications, bids, reconfirm, tender_questions  # noqa: E402, F401
