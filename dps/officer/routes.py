"""The procurement officer's area."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_file, url_for
from flask_login import current_user

from dps.guards import require_roles
from dps.models.organisation import Role
from dps.services import documents, inbox

bp = Blueprint("officer", __name__, url_prefix="/officer")
require_roles(bp, Role.OFFICER)


@bp.route("/")
def dashboard():
    return render_template("officer/dashboard.html")


@bp.route("/inbox")
def inbox_list():
    return render_template(
        "shared/inbox.html",
        messages=inbox.messages_for(current_user.organisation_id),
        message_endpoint="officer.inbox_message",
    )


@bp.route("/inbox/<int:message_id>")
def inbox_message(message_id: int):
    message = inbox.open_message(current_user.organisation_id, message_id)
    if message is None:
        abort(404)
    return render_template(
        "shared/message.html",
        message=message,
        back=url_for("officer.inbox_list"),
        document_endpoint="officer.document",
    )


@bp.route("/documents/<int:document_id>")
def document(document_id: int):
    found = documents.for_organisation(current_user.organisation_id, document_id)
    if found is None:
        abort(404)
    return send_file(**documents.send_args(found))


# Route modules that register on this blueprint.
from dps.officer import (  # noqa: E402, F401
    applications,
    dps_setup,
    members,
    tender_opening,
    tenders,
)
