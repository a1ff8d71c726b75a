"""The inbox and document pages every organisation's area has, registered on its blueprint.

The views read only the signed-in person's organisation (404 for anyone else's message or
document); the blueprint's own before_request has already checked the role.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_file, url_for
from flask_login import current_user

from dps.services import documents, inbox


def add_inbox_routes(bp: Blueprint) -> None:
    """Register `<bp>.inbox_list`, `<bp>.inbox_message` and `<bp>.document` on `bp`."""

    def inbox_list():
        return render_template(
            "shared/inbox.html",
            messages=inbox.messages_for(current_user.organisation_id),
            message_endpoint=f"{bp.name}.inbox_message",
        )

    def inbox_message(message_id: int):
        message = inbox.open_message(current_user.organisation_id, message_id)
        if message is None:
            abort(404)
        return render_template(
            "shared/message.html",
            message=message,
            back=url_for(f"{bp.name}.inbox_list"),
            document_endpoint=f"{bp.name}.document",
        )

    def document(document_id: int):
        found = documents.for_organisation(current_user.organisation_id, document_id)
        if found is None:
            abort(404)
        return send_file(**documents.send_args(found))

    bp.add_url_rule("/inbox", view_func=inbox_list)
    bp.add_url_rule("/inbox/<int:message_id>", view_func=inbox_message)
    bp.add_url_rule("/documents/<int:document_id>", view_func=document)
