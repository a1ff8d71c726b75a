"""Inbox and e-mail dedupe keys written with one INSERT ... ON CONFLICT DO NOTHING (the deadline
rush's receipts), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from dps.extensions import db
from dps.models import EmailMessage, Message, Organisation, OrganisationKind
from dps.services import inbox
from dps.services.mail import send_email
from dps.state.clock import now
from tests.conftest import app_ctx


def _organisation() -> int:
    organisation = Organisation(
        kind=OrganisationKind.PROVIDER, name="Dedupe Care Ltd", legal_name="Dedupe Care Ltd"
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation.id


def _count(model, key: str) -> int:
    return db.session.scalar(select(func.count(model.id)).where(model.dedupe_key == key))


def test_a_repeated_inbox_key_returns_the_first_message_in_and_across_transactions(app):
    with app_ctx(app):
        org = _organisation()
        first = inbox.post(org, "Receipt " + "x" * 300, "Body", "Sender", dedupe_key="k:1")
        again = inbox.post(org, "Other", "Other body", "Other sender", dedupe_key="k:1")
        assert again is first
        assert len(first.subject) == 200 and first.created_at is not None
        assert first.read_at is None and first.document_id is None
        db.session.commit()
        later = inbox.post(org, "Later", "Later body", "Sender", dedupe_key="k:1")
        assert later.id == first.id and later.subject == first.subject
        plain = [inbox.post(org, "No key", "Body", "Sender") for _ in range(2)]
        db.session.commit()
        assert plain[0].id != plain[1].id
        assert _count(Message, "k:1") == 1
        assert inbox.unread_count(org) == 3


def test_a_key_written_by_another_transaction_is_not_an_error(app):
    with app_ctx(app):
        org = _organisation()
        with db.engine.begin() as other:  # committed elsewhere after this session began
            other.execute(
                insert(Message).values(
                    organisation_id=org,
                    subject="From the other one",
                    body="B",
                    sender_label="S",
                    dedupe_key="k:2",
                    created_at=now(),
                )
            )
            other.execute(
                insert(EmailMessage).values(
                    to_address="a@example.com",
                    subject="From the other one",
                    body="B",
                    status="stored",
                    attempts=0,
                    dedupe_key="k:2",
                    created_at=now(),
                )
            )
        message = inbox.post(org, "Mine", "Mine", "Sender", dedupe_key="k:2")
        email = send_email("a@example.com", "Mine", "Mine", dedupe_key="k:2")
        db.session.commit()
        assert message.subject == "From the other one" and email.subject == "From the other one"
        assert _count(Message, "k:2") == 1 and _count(EmailMessage, "k:2") == 1


def test_a_new_e_mail_with_a_key_is_stored_with_its_defaults(app):
    with app_ctx(app):
        email = send_email("b@example.com", "S" * 250, "Body", dedupe_key="k:3")
        assert email.status == "stored" and email.attempts == 0
        assert len(email.subject) == 200 and email.created_at is not None
        db.session.commit()
        stored = db.session.scalar(select(EmailMessage).where(EmailMessage.dedupe_key == "k:3"))
        assert stored.to_address == "b@example.com" and stored.sent_at is None
