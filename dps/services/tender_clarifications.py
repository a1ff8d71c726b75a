"""Clarification questions on a published tender, their answers, and changes to its deadlines.

Invited providers ask before the clarification deadline (server time decides). Officers answer
to every invitee, anonymised (the question may be reworded and never shows who asked), or
privately to the asker with a recorded reason. The public questions and answers are part of
the tender documents. Every change of deadline is told to every invitee.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from dps.extensions import db
from dps.jobs.outbox import schedule
from dps.models.organisation import Organisation, User
from dps.models.tender import Invitation, Tender, TenderClarification
from dps.services import audit, inbox
from dps.services.notices import link, tell_organisation
from dps.services.opening import officer_tender
from dps.state.calendar import REGIMES
from dps.state.clock import format_london, now

MAX_QUESTION = 5000
MAX_ANSWER = 10000
MAX_REASON = 2000
REDACTED = "[provider name removed]"


class ClarificationError(Exception):
    """Something that cannot be done, in words for the person; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# Who may see what ---------------------------------------------------------------------------


def provider_tender(tender_id: int, organisation_id: int | None) -> Tender | None:
    """The tender if the organisation was invited to it; None otherwise (callers answer 404)."""
    if organisation_id is None:
        return None
    return db.session.scalar(
        select(Tender)
        .join(Invitation, Invitation.tender_id == Tender.id)
        .where(
            Tender.id == tender_id,
            Tender.status != "draft",
            Invitation.organisation_id == organisation_id,
        )
    )


def question_deadline(tender: Tender) -> datetime | None:
    """When questions stop: the clarification deadline, or the closing time if none was set."""
    return tender.clarification_deadline or tender.closing_at


def questions_open(tender: Tender) -> bool:
    deadline = question_deadline(tender)
    return tender.status == "published" and deadline is not None and now() < deadline


def invitee_count(tender_id: int) -> int:
    return db.session.scalar(
        select(func.count(Invitation.id)).where(Invitation.tender_id == tender_id)
    )


# Asking ---------------------------------------------------------------------------------------


def ask(tender_id: int, organisation_id: int, actor: User, question: str) -> TenderClarification:
    """Record an invitee's question and tell the lead authority; refused after the deadline."""
    tender = provider_tender(tender_id, organisation_id)
    if tender is None:
        raise ClarificationError("Only invited providers can ask questions about this tender.")
    question = (question or "").strip()
    if not questions_open(tender):
        deadline = question_deadline(tender)
        when = f" was {format_london(deadline)}" if deadline else " has passed"
        raise ClarificationError(
            f"The deadline for clarification questions{when}. "
            "You can no longer ask questions about this tender.",
            "question",
        )
    if not question:
        raise ClarificationError("Enter your question", "question")
    if len(question) > MAX_QUESTION:
        raise ClarificationError(
            f"Your question must be {MAX_QUESTION:,} characters or fewer", "question"
        )
    clarification = TenderClarification(
        tender_id=tender.id,
        organisation_id=organisation_id,
        asked_by_id=actor.id,
        question=question,
        asked_at=now(),
    )
    db.session.add(clarification)
    db.session.flush()
    audit.record(
        "tender.clarification_asked",
        "tender_clarification",
        clarification.id,
        {"tender": tender.reference, "organisation_id": organisation_id},
        actor=actor,
    )
    answer_page = link(
        "officer.clarification_answer", tender_id=tender.id, clarification_id=clarification.id
    )
    inbox.post(
        tender.dps.lead_authority_id,
        f"New clarification question: {tender.reference}",
        f"A provider has asked a question about {tender.reference} {tender.title}.\n\n"
        f"{question}\n\nAnswer it here: {answer_page}",
        current_app.config["SERVICE_NAME"],
        dedupe_key=f"tender-clarification:{clarification.id}:asked",
    )
    db.session.commit()
    return clarification


def own_pending(tender_id: int, organisation_id: int) -> list[TenderClarification]:
    """The organisation's questions still waiting for an answer."""
    return list(
        db.session.scalars(
            select(TenderClarification)
            .where(
                TenderClarification.tender_id == tender_id,
                TenderClarification.organisation_id == organisation_id,
                TenderClarification.answered_at.is_(None),
            )
            .order_by(TenderClarification.asked_at, TenderClarification.id)
        )
    )


# Answering ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerQuestion:
    """A question as officers see it: with the organisation that asked."""

    clarification: TenderClarification
    organisation_name: str


def questions_for_officer(tender_id: int) -> list[OfficerQuestion]:
    """Every question on the tender, oldest first, with who asked (officers may know)."""
    rows = db.session.execute(
        select(TenderClarification, Organisation.name)
        .join(Organisation, Organisation.id == TenderClarification.organisation_id)
        .where(TenderClarification.tender_id == tender_id)
        .order_by(TenderClarification.asked_at, TenderClarification.id)
    ).all()
    return [OfficerQuestion(clarification, name) for clarification, name in rows]


def clarification_for_officer(
    actor: User, tender_id: int, clarification_id: int
) -> TenderClarification | None:
    if officer_tender(actor, tender_id) is None:
        return None
    return db.session.scalar(
        select(TenderClarification).where(
            TenderClarification.id == clarification_id,
            TenderClarification.tender_id == tender_id,
        )
    )


def anonymised(question: str, organisation: Organisation) -> str:
    """The question with the asker's names taken out: the default wording for everyone."""
    text = question
    for name in {organisation.name, organisation.legal_name or ""}:
        if len(name.strip()) >= 3:
            text = re.sub(re.escape(name.strip()), REDACTED, text, flags=re.IGNORECASE)
    return text


def asker_name(clarification: TenderClarification) -> str:
    """For officers only: bidders never see who asked."""
    return db.session.get(Organisation, clarification.organisation_id).name


def default_wording(clarification: TenderClarification) -> str:
    asker = db.session.get(Organisation, clarification.organisation_id)
    return anonymised(clarification.question, asker)


def answer(
    clarification_id: int,
    actor: User,
    answer: str,
    to_all: bool,
    published_question: str | None = None,
    private_reason: str | None = None,
) -> TenderClarification:
    """Answer to every invitee (anonymised) or only to the asker (with a recorded reason)."""
    clarification = db.session.get(TenderClarification, clarification_id)
    tender = clarification and officer_tender(actor, clarification.tender_id)
    if tender is None:
        raise ClarificationError("No such question.")
    if clarification.answered_at is not None:
        raise ClarificationError("This question has already been answered.")
    if tender.status != "published":
        raise ClarificationError(
            "The tender has closed, so answers can no longer help providers with their bids."
        )
    answer = (answer or "").strip()
    if not answer:
        raise ClarificationError("Enter the answer", "answer")
    if len(answer) > MAX_ANSWER:
        raise ClarificationError(f"The answer must be {MAX_ANSWER:,} characters or fewer", "answer")
    if to_all:
        wording = (published_question or "").strip() or default_wording(clarification)
        if len(wording) > MAX_QUESTION:
            raise ClarificationError(
                f"The question must be {MAX_QUESTION:,} characters or fewer", "published_question"
            )
        clarification.published_question = wording
        clarification.private_reason = None
    else:
        reason = (private_reason or "").strip()
        if not reason:
            raise ClarificationError(
                "Give the reason for answering only the provider who asked", "private_reason"
            )
        if len(reason) > MAX_REASON:
            raise ClarificationError(
                f"The reason must be {MAX_REASON:,} characters or fewer", "private_reason"
            )
        clarification.published_question = None
        clarification.private_reason = reason
    clarification.to_all = to_all
    clarification.answer = answer
    clarification.answered_by_id = actor.id
    clarification.answered_at = now()
    qa_page = link("provider.clarifications", tender_id=tender.id)
    if to_all:
        event = audit.record(
            "tender.clarification_answered",
            "tender_clarification",
            clarification.id,
            {
                "tender": tender.reference,
                "to_all": True,
                "subject": f"New clarification answer: {tender.reference}",
                "body": f"An answer to a clarification question about {tender.reference} "
                f"{tender.title} has been published to every invited provider.\n\n"
                f"Question: {clarification.published_question}\n\nAnswer: {answer}\n\n"
                f"Read every question and answer for this tender: {qa_page}",
            },
            actor=actor,
        )
        db.session.flush()
        schedule("notify_invitees", tender.id, event.seq)
    else:
        audit.record(
            "tender.clarification_answered",
            "tender_clarification",
            clarification.id,
            {
                "tender": tender.reference,
                "to_all": False,
                "organisation_id": clarification.organisation_id,
                "private_reason": clarification.private_reason,
            },
            actor=actor,
        )
        tell_organisation(
            clarification.organisation_id,
            f"Answer to your clarification question: {tender.reference}",
            f"Your question about {tender.reference} {tender.title}:\n\n"
            f"{clarification.question}\n\nAnswer (sent only to you): {answer}\n\n"
            f"Read it with the other questions and answers: {qa_page}",
            tender.dps.lead_authority.name,
            dedupe_key=f"tender-clarification:{clarification.id}:answer",
        )
    db.session.commit()
    return clarification


# The log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QaEntry:
    """One question and answer as bidders see it: never who asked."""

    number: int | None  # public entries are numbered; private answers are not
    question: str
    answer: str
    answered_at: datetime
    private: bool


def qa_log(tender_id: int, organisation_id: int | None = None) -> list[QaEntry]:
    """The public questions and answers, plus (for a provider) its own private answers."""
    answered = db.session.scalars(
        select(TenderClarification)
        .where(
            TenderClarification.tender_id == tender_id,
            TenderClarification.answered_at.is_not(None),
        )
        .order_by(TenderClarification.answered_at, TenderClarification.id)
    )
    entries, number = [], 0
    for row in answered:
        if row.to_all:
            number += 1
            entries.append(
                QaEntry(number, row.published_question, row.answer, row.answered_at, False)
            )
        elif organisation_id is not None and row.organisation_id == organisation_id:
            entries.append(QaEntry(None, row.question, row.answer, row.answered_at, True))
    return entries


# Deadlines ------------------------------------------------------------------------------------


def earliest_closing(tender: Tender) -> datetime | None:
    """The regime's minimum tendering period, counted from publication."""
    if tender.published_at is None:
        return None
    return tender.published_at + timedelta(days=REGIMES[tender.dps.regime].min_tender_days)


def change_deadlines(
    tender_id: int,
    actor: User,
    closing_at: datetime | None = None,
    clarification_deadline: datetime | None = None,
    reason: str = "",
) -> Tender:
    """Move the closing time and/or the clarification deadline, and tell every invitee."""
    tender = officer_tender(actor, tender_id)
    if tender is None:
        raise ClarificationError("No such tender.")
    if tender.status != "published":
        raise ClarificationError("Deadlines can only be changed while the tender is open for bids.")
    if closing_at == tender.closing_at:
        closing_at = None
    if clarification_deadline == tender.clarification_deadline:
        clarification_deadline = None
    if closing_at is None and clarification_deadline is None:
        raise ClarificationError("Change the closing time or the clarification deadline", "closing")
    reason = (reason or "").strip()
    if not reason:
        raise ClarificationError("Give the reason for the change", "reason")
    if len(reason) > MAX_REASON:
        raise ClarificationError(f"The reason must be {MAX_REASON:,} characters or fewer", "reason")
    current = now()
    if closing_at is not None:
        if closing_at <= current:
            raise ClarificationError("The new closing time must be in the future", "closing")
        minimum = earliest_closing(tender)
        if minimum is not None and closing_at < minimum:
            rules = REGIMES[tender.dps.regime]
            raise ClarificationError(
                f"The closing time must be at least {rules.min_tender_days} days after the "
                f"tender was published, so no earlier than {format_london(minimum)}",
                "closing",
            )
    new_closing = closing_at or tender.closing_at
    if clarification_deadline is not None:
        if clarification_deadline <= current:
            raise ClarificationError(
                "The new clarification deadline must be in the future", "clarification"
            )
    new_clarification = clarification_deadline or tender.clarification_deadline
    if new_clarification is not None and new_closing is not None:
        if new_clarification >= new_closing:
            raise ClarificationError(
                "The clarification deadline must be before the closing time", "clarification"
            )
    changes = []
    if closing_at is not None:
        changes.append(
            f"The closing time has moved from {_when(tender.closing_at)} to {_when(closing_at)}."
        )
    if clarification_deadline is not None:
        changes.append(
            "The deadline for clarification questions has moved from "
            f"{_when(tender.clarification_deadline)} to {_when(clarification_deadline)}."
        )
    event = audit.record(
        "tender.deadlines_changed",
        "tender",
        tender.id,
        {
            "reference": tender.reference,
            "closing_at": [tender.closing_at, new_closing],
            "clarification_deadline": [tender.clarification_deadline, new_clarification],
            "reason": reason,
            "subject": f"Deadlines changed: {tender.reference}",
            "body": f"The deadlines for {tender.reference} {tender.title} have changed.\n\n"
            + "\n".join(changes)
            + f"\n\nReason: {reason}\n\nBids must be submitted before "
            f"{_when(new_closing)}. Server time decides.",
        },
        actor=actor,
    )
    tender.closing_at = new_closing
    tender.clarification_deadline = new_clarification
    db.session.flush()
    schedule("notify_invitees", tender.id, event.seq)
    db.session.commit()
    return tender


def _when(moment: datetime | None) -> str:
    return format_london(moment) if moment else "not set"
