"""The sections of an application to join a DPS, when each is complete, and the questionnaire
answers (the other sections are saved by application_details).

The questionnaire answers are kept in ``Application.answers`` (JSON), one entry per question id:

- ``pass_fail``: ``{"answer": "yes" | "no"}``
- ``yes_no_evidence``: ``{"answer": "yes" | "no", "explanation": "..."}`` (the explanation is
  required when the answer is the question's ``evidence_on``)
- ``information``: ``{"text": "..."}`` (at most ``max_words`` words)
- ``file``: ``{"uploaded": true | false}``; the files themselves are ApplicationDocument rows.

A question with an entry has been answered on a saved page, which is how a section that only
holds optional questions still shows as started.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from dps.extensions import db
from dps.models.organisation import SIZE_LABELS, User
from dps.models.provider import Application, ApplicationDocument
from dps.services import audit, uploads
from dps.services.dps_setup import questionnaire_of
from dps.state.clock import now, to_london

# Stored as CQC words them, like the ratings officers record (services.membership).
NOT_RATED = "Not yet rated"
CQC_RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate", NOT_RATED)
YES_NO = {"yes": "Yes", "no": "No"}
EXPLANATION_MAX_WORDS = 500
NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
STATUS_LABELS = {NOT_STARTED: "Not yet started", IN_PROGRESS: "Incomplete", COMPLETED: "Completed"}


class ApplicationError(Exception):
    """A problem with what was sent, in words for the person; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ApplicationNotFound(ApplicationError):
    """No such application for this organisation (the page answers 404)."""

    def __init__(self) -> None:
        super().__init__("No such application.")


# --- Loading ---------------------------------------------------------------------------------


def for_organisation(application_id: int, organisation_id: int) -> Application | None:
    """The application if it is the organisation's own, else None."""
    return db.session.scalar(
        select(Application).where(
            Application.id == application_id, Application.organisation_id == organisation_id
        )
    )


def draft_for(application_id: int, organisation_id: int) -> Application:
    """The organisation's application, if it can still be changed (else ApplicationError)."""
    application = for_organisation(application_id, organisation_id)
    if application is None:
        raise ApplicationNotFound()
    if application.status != "draft":
        raise ApplicationError(
            "This application has been sent, so it can no longer be changed.", "status"
        )
    return application


def answers_of(application: Application) -> dict[str, Any]:
    try:
        answers = json.loads(application.answers or "{}")
    except ValueError:
        return {}
    return answers if isinstance(answers, dict) else {}


def _set_answers(application: Application, answers: dict[str, Any]) -> None:
    application.answers = json.dumps(answers, sort_keys=True)


# --- Sections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str  # "organisation", "cqc", "size", "services", "insurance" or "questions"
    title: str
    questionnaire_id: str | None = None  # for key == "questions"
    questions: tuple[dict, ...] = ()
    intro: str = ""

    @property
    def slug(self) -> str:
        return self.questionnaire_id or self.key


def sections_of(application: Application) -> list[Section]:
    """The sections the provider fills in: a variation only asks for the new services."""
    services = Section("services", "Services and zones")
    if application.kind == "variation":
        return [services]
    questionnaire = questionnaire_of(application.dps)
    return [
        Section("organisation", "Organisation details"),
        Section("cqc", "CQC registration and rating"),
        Section("size", "Size of your organisation"),
        services,
        *(
            Section(
                "questions",
                item["title"],
                questionnaire_id=item["id"],
                questions=tuple(item["questions"]),
                intro=item.get("intro", ""),
            )
            for item in questionnaire["sections"]
        ),
        Section("insurance", "Insurance"),
    ]


def questionnaire_section(application: Application, section_id: str) -> Section | None:
    for section in sections_of(application):
        if section.questionnaire_id == section_id:
            return section
    return None


def section_status(application: Application, section: Section) -> str:
    started, done = _progress(application, section)
    if done and started:
        return COMPLETED
    return IN_PROGRESS if started else NOT_STARTED


def missing_sections(application: Application) -> list[str]:
    """Titles of the sections not yet complete (empty when the application can be sent)."""
    return [
        section.title
        for section in sections_of(application)
        if section_status(application, section) != COMPLETED
    ]


def _progress(application: Application, section: Section) -> tuple[bool, bool]:
    """(started, complete) for one section."""
    if section.key == "organisation":
        return bool(application.legal_name), bool(application.legal_name)
    if section.key == "cqc":
        values = (application.cqc_provider_id, application.cqc_location_ids, application.cqc_rating)
        rated = application.cqc_rating not in (None, NOT_RATED)
        done = all(values) and (application.cqc_rating_date is not None or not rated)
        return any(values), done
    if section.key == "size":
        return bool(application.size), bool(application.size)
    if section.key == "services":
        return bool(application.scopes), bool(application.scopes)
    if section.key == "insurance":
        return bool(application.insurances), not insurance_gaps(application)
    answers = answers_of(application)
    evidence = {item.question_id for item in application.evidence}
    ids = [question["id"] for question in section.questions]
    started = any(qid in answers or qid in evidence for qid in ids)
    done = all(
        question["id"] in answers and not answer_problems(question, answers[question["id"]])
        for question in section.questions
        if question["type"] != "file"
    ) and all(
        question["id"] in answers and (question.get("optional") or question["id"] in evidence)
        for question in section.questions
        if question["type"] == "file"
    )
    return started, done


# --- Questionnaire answers -------------------------------------------------------------------


def field_name(question_id: str, part: str = "answer") -> str:
    """The form field for one part of a question's answer (shared by forms and this module)."""
    return f"q_{question_id}" if part in ("answer", "text", "file") else f"q_{question_id}_{part}"


def word_count(text: str) -> int:
    return len((text or "").split())


def answer_problems(question: dict, answer: Any) -> dict[str, str]:
    """What is wrong with one answer: {part: message}; empty when it is a complete answer."""
    answer = answer if isinstance(answer, dict) else {}
    kind = question["type"]
    if kind in ("pass_fail", "yes_no_evidence"):
        problems = {}
        if answer.get("answer") not in YES_NO:
            problems["answer"] = "Select yes or no"
        if kind == "yes_no_evidence":
            evidence_on = YES_NO[question.get("evidence_on", "yes")]
            explanation = (answer.get("explanation") or "").strip()
            needed = answer.get("answer") == question.get("evidence_on", "yes")
            if needed and not explanation:
                problems["explanation"] = f"Give details, because you answered {evidence_on}"
            elif word_count(explanation) > EXPLANATION_MAX_WORDS:
                problems["explanation"] = f"Details must be {EXPLANATION_MAX_WORDS} words or fewer"
        return problems
    if kind == "information":
        text = (answer.get("text") or "").strip()
        if not text:
            return {"text": "Enter your answer"}
        limit = question.get("max_words")
        if limit and word_count(text) > limit:
            return {"text": f"Your answer must be {limit} words or fewer"}
        return {}
    return {}


def save_answers(
    application_id: int,
    organisation_id: int,
    actor: User,
    section_id: str,
    values: dict[str, dict],
) -> Application:
    """Save every answer of one questionnaire section; all must be complete."""
    application = draft_for(application_id, organisation_id)
    section = questionnaire_section(application, section_id)
    if section is None:
        raise ApplicationNotFound()
    answers = answers_of(application)
    evidence = {item.question_id for item in application.evidence}
    for question in section.questions:
        qid = question["id"]
        if question["type"] == "file":
            if not question.get("optional") and qid not in evidence:
                raise ApplicationError(uploads.MISSING, field_name(qid))
            answers[qid] = {"uploaded": qid in evidence}
            continue
        value = values.get(qid) or {}
        problems = answer_problems(question, value)
        if problems:
            part, message = next(iter(problems.items()))
            raise ApplicationError(message, field_name(qid, part))
        answers[qid] = _clean_answer(question, value)
    _set_answers(application, answers)
    audit.record(
        "application.section_saved",
        "application",
        application.id,
        {"section": section_id},
        actor=actor,
    )
    db.session.commit()
    return application


def _clean_answer(question: dict, value: dict) -> dict:
    if question["type"] == "information":
        return {"text": value["text"].strip()}
    cleaned = {"answer": value["answer"]}
    if question["type"] == "yes_no_evidence":
        cleaned["explanation"] = (value.get("explanation") or "").strip()
    return cleaned


def attach_evidence(
    application_id: int, organisation_id: int, actor: User, question_id: str, file_storage
) -> ApplicationDocument:
    """Check and store a file for a file question, replacing an earlier one (UploadRefused)."""
    application = draft_for(application_id, organisation_id)
    questions = {
        question["id"]: question
        for section in sections_of(application)
        for question in section.questions
    }
    if questions.get(question_id, {}).get("type") != "file":
        raise ApplicationNotFound()
    document = uploads.accept_upload(
        file_storage,
        organisation_id=organisation_id,
        uploaded_by_id=actor.id,
        purpose="evidence",
    )
    db.session.flush()
    for old in [item for item in application.evidence if item.question_id == question_id]:
        application.evidence.remove(old)
    link = ApplicationDocument(question_id=question_id, document_id=document.id)
    application.evidence.append(link)
    audit.record(
        "application.evidence_added",
        "application",
        application.id,
        {"question": question_id, "document_id": document.id, "sha256": document.sha256},
        actor=actor,
    )
    db.session.commit()
    return link


def save_section_page(
    application_id: int,
    organisation_id: int,
    actor: User,
    section_id: str,
    values: dict[str, dict] | None,
    files: dict[str, Any],
) -> Application:
    """Keep every file that passed its checks, then (if `values` is given) save the answers.

    Files are kept even when something else on the page needs correcting, so nobody has to
    choose the same file twice.
    """
    for question_id, file_storage in files.items():
        attach_evidence(application_id, organisation_id, actor, question_id, file_storage)
    if values is None:
        return draft_for(application_id, organisation_id)
    return save_answers(application_id, organisation_id, actor, section_id, values)


# --- Insurance -------------------------------------------------------------------------------


def insurance_types(application: Application) -> list[dict]:
    return questionnaire_of(application.dps).get("insurance_types", [])


def insurance_gaps(application: Application) -> list[str]:
    """Names of the required insurance types without a current policy at the minimum cover."""
    today = to_london(now()).date()
    gaps = []
    for kind in insurance_types(application):
        if kind.get("optional"):
            continue
        minimum = Decimal(kind.get("minimum_cover") or "0")
        if not any(
            policy.insurance_type == kind["code"]
            and policy.expires_on > today
            and policy.cover >= minimum
            for policy in application.insurances
        ):
            gaps.append(kind["name"])
    return gaps


def size_label(size: str | None) -> str:
    return SIZE_LABELS.get(size, size or "")
