"""What an application says, section by section, in words: for "check your answers" and for
reading a sent application back."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from dps.extensions import db
from dps.models.messaging import Document
from dps.models.provider import Application
from dps.services.application_sections import (
    YES_NO,
    Section,
    answers_of,
    insurance_types,
    section_status,
    sections_of,
    size_label,
)

OUTCOME_LABELS = {"pending": "", "admitted": "admitted", "rejected": "not admitted"}


@dataclass
class ReviewRow:
    label: str
    lines: list[str] = field(default_factory=list)
    document: Document | None = None
    warning: str | None = None
    anchor: str = ""


@dataclass
class ReviewSection:
    section: Section
    status: str
    rows: list[ReviewRow]


def review(application: Application) -> list[ReviewSection]:
    return [
        ReviewSection(section, section_status(application, section), _rows(application, section))
        for section in sections_of(application)
    ]


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _rows(application: Application, section: Section) -> list[ReviewRow]:
    if section.key == "organisation":
        return [
            ReviewRow("Legal name", [application.legal_name or "Not given"]),
            ReviewRow(
                "Companies House number",
                [application.companies_house_number or "None (not a company)"],
            ),
        ]
    if section.key == "cqc":
        rows = [
            ReviewRow("CQC provider ID", [application.cqc_provider_id or "Not given"]),
            ReviewRow("CQC location IDs", [application.cqc_location_ids or "Not given"]),
            ReviewRow(
                "Current CQC rating",
                [application.cqc_rating or "Not given"],
            ),
        ]
        if application.cqc_rating_date:
            rows.append(ReviewRow("Date of the rating", [_day(application.cqc_rating_date)]))
        return rows
    if section.key == "size":
        return [ReviewRow("Size", [size_label(application.size) or "Not given"])]
    if section.key == "services":
        return _service_rows(application)
    if section.key == "insurance":
        return _insurance_rows(application)
    return _question_rows(application, section)


def _service_rows(application: Application) -> list[ReviewRow]:
    by_category: dict[int, ReviewRow] = {}
    positions = {category.id: category.position for category in application.dps.categories}
    scopes = sorted(
        application.scopes, key=lambda s: (positions.get(s.category_id, 0), s.zone.position)
    )
    for scope in scopes:
        row = by_category.setdefault(scope.category_id, ReviewRow(scope.category.name))
        outcome = OUTCOME_LABELS.get(scope.outcome, "")
        row.lines.append(f"{scope.zone.label} ({outcome})" if outcome else scope.zone.label)
    return list(by_category.values()) or [ReviewRow("Services and zones", ["None chosen"])]


def _insurance_rows(application: Application) -> list[ReviewRow]:
    names = {kind["code"]: kind["name"] for kind in insurance_types(application)}
    rows = []
    for policy in application.insurances:
        cover = Decimal(policy.cover).quantize(Decimal("0.01"))
        rows.append(
            ReviewRow(
                names.get(policy.insurance_type, policy.insurance_type),
                [
                    f"Insurer: {policy.insurer}",
                    f"Cover: £{cover:,}",
                    f"Expires: {_day(policy.expires_on)}",
                ],
                document=_document(policy.document_id),
            )
        )
    return rows or [ReviewRow("Policies", ["None added"])]


def _document(document_id: int | None) -> Document | None:
    if document_id is None:
        return None
    return db.session.get(Document, document_id)


def _question_rows(application: Application, section: Section) -> list[ReviewRow]:
    answers = answers_of(application)
    evidence = {item.question_id: item.document for item in application.evidence}
    rows = []
    for question in section.questions:
        qid = question["id"]
        answer = answers.get(qid) or {}
        row = ReviewRow(question["text"], anchor=f"q_{qid}")
        kind = question["type"]
        if kind in ("pass_fail", "yes_no_evidence"):
            row.lines.append(YES_NO.get(answer.get("answer"), "Not answered"))
            if answer.get("explanation"):
                row.lines.append(answer["explanation"])
            if kind == "pass_fail" and answer.get("answer") == question.get("fail_on"):
                row.warning = (
                    "This answer means we must exclude your organisation."
                    if question.get("ground") == "mandatory"
                    else "This answer means you do not meet this requirement."
                )
        elif kind == "information":
            row.lines.append(answer.get("text") or "Not answered")
        elif kind == "file":
            row.document = evidence.get(qid)
            if row.document is None:
                row.lines.append("No file uploaded")
        rows.append(row)
    return rows
