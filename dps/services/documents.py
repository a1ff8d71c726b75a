"""Stored documents: checked by content, kept outside static/ under a generated name."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from dps.extensions import db
from dps.models.messaging import Document


def storage_path(document: Document) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / document.storage_name


def store_bytes(
    content: bytes,
    *,
    original_name: str,
    content_type: str,
    organisation_id: int | None,
    uploaded_by_id: int | None = None,
    purpose: str = "evidence",
) -> Document:
    """Write the bytes under a random name and add the row (the caller commits)."""
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    storage_name = secrets.token_hex(20)
    (folder / storage_name).write_bytes(content)
    document = Document(
        organisation_id=organisation_id,
        uploaded_by_id=uploaded_by_id,
        original_name=original_name[:255] or "document",
        content_type=content_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=storage_name,
        purpose=purpose,
    )
    db.session.add(document)
    return document


def for_organisation(organisation_id: int, document_id: int) -> Document | None:
    return db.session.scalar(
        select(Document).where(
            Document.id == document_id, Document.organisation_id == organisation_id
        )
    )


def send_args(document: Document) -> dict:
    return {
        "path_or_file": storage_path(document),
        "mimetype": document.content_type,
        "as_attachment": True,
        "download_name": document.original_name,
    }
