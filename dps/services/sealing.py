"""Sealed bids: each tender has its own AES-GCM key, itself kept encrypted (wrapped) under the
platform's master key. Bid content is stored only as ciphertext. The key is released to the
bidding organisation for its own bid, and to officers only after the audited opening.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from dps.extensions import db
from dps.models.organisation import User
from dps.models.tender import Tender
from dps.services import audit

NONCE_BYTES = 12


class SealedError(Exception):
    """Refused: the bid is sealed for this person at this time."""


def canonical(content: dict[str, Any]) -> bytes:
    """The exact bytes that are encrypted and hashed for the receipt."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def _master_key() -> bytes:
    configured = current_app.config.get("BID_MASTER_KEY")
    if configured:
        key = base64.urlsafe_b64decode(configured)
        if len(key) != 32:
            raise RuntimeError("BID_MASTER_KEY must be 32 bytes, URL-safe base64 encoded")
        return key
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"commission-bid-master", info=b"bids"
    ).derive(current_app.config["SECRET_KEY"].encode())


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise SealedError("The sealed content could not be decrypted.") from exc


def ensure_tender_key(tender: Tender) -> None:
    """Give the tender its own key, wrapped under the master key (done once, when published)."""
    if tender.wrapped_key is None:
        wrapped = _encrypt(_master_key(), AESGCM.generate_key(256), f"tender:{tender.id}".encode())
        tender.wrapped_key = base64.urlsafe_b64encode(wrapped).decode()


def _tender_key(tender: Tender) -> bytes:
    if tender.wrapped_key is None:
        raise SealedError("This tender has no key yet.")
    wrapped = base64.urlsafe_b64decode(tender.wrapped_key)
    return _decrypt(_master_key(), wrapped, f"tender:{tender.id}".encode())


def _aad(tender: Tender, bid_id: int, organisation_id: int) -> bytes:
    return f"tender:{tender.id}:bid:{bid_id}:org:{organisation_id}".encode()


def seal(tender: Tender, bid_id: int, organisation_id: int, content: dict[str, Any]) -> bytes:
    return _encrypt(_tender_key(tender), canonical(content), _aad(tender, bid_id, organisation_id))


def open_for_bidder(
    tender: Tender, bid_id: int, bid_organisation_id: int, organisation_id: int, sealed: bytes
) -> dict[str, Any]:
    """The bidding organisation may always read its own bid."""
    if organisation_id != bid_organisation_id:
        raise SealedError("Only the bidder can read its own bid before opening.")
    aad = _aad(tender, bid_id, bid_organisation_id)
    return json.loads(_decrypt(_tender_key(tender), sealed, aad))


def open_for_officer(
    tender: Tender, bid_id: int, bid_organisation_id: int, actor: User, sealed: bytes
) -> dict[str, Any]:
    """Officers read bids only after the recorded opening; any earlier attempt is audited."""
    if tender.opened_at is None:
        audit.record(
            "bid.read_refused",
            "bid",
            bid_id,
            {"tender": tender.reference, "status": tender.status},
            actor=actor,
        )
        db.session.commit()  # the refusal is on record even though the request fails
        raise SealedError(
            "Bids stay sealed until the tender has been opened after its closing time."
        )
    aad = _aad(tender, bid_id, bid_organisation_id)
    return json.loads(_decrypt(_tender_key(tender), sealed, aad))
