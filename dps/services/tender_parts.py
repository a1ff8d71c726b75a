"""The parts of a draft tender: lots, quality questions and documents.

Each function takes ids and plain values, checks them, writes one audit record and commits.
`dps.services.tenders` re-exports them, so callers need only that module.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from dps.extensions import db
from dps.models.dps import Zone
from dps.models.organisation import User
from dps.models.tender import Lot, QualityQuestion, Tender, TenderDocument
from dps.services import audit
from dps.services.tender_rules import (
    HOURS_LIMIT,
    MARKED_BY,
    MAX_MARK_LIMIT,
    PROVIDERS_PER_LOT_LIMIT,
    WORD_LIMIT_RANGE,
    TenderError,
    default_scale,
    parse_decimal,
    parse_scale,
    scale_json,
)
from dps.services.uploads import UploadRefused, accept_upload


class TenderNotFound(TenderError):
    """No such tender (or part of one): pages answer 404."""


def find(tender_id: int) -> Tender | None:
    return db.session.get(Tender, tender_id)


def draft(tender_id: int, *, lock: bool = False) -> Tender:
    """The tender, if it can still be changed here (it is a draft)."""
    query = select(Tender).where(Tender.id == tender_id)
    tender = db.session.scalar(query.with_for_update() if lock else query)
    if tender is None:
        raise TenderNotFound("No such tender")
    if tender.status != "draft":
        raise TenderError("This tender has been published, so it can no longer be changed here")
    return tender


def _required_text(value: str | None, what: str, field: str, limit: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise TenderError(f"Enter {what}", field)
    if limit and len(text) > limit:
        raise TenderError(f"{what[0].upper()}{what[1:]} must be {limit} characters or fewer", field)
    return text


# ---------------------------------------------------------------------------------------------
# Lots


def _lot_of(tender: Tender, lot_id: int) -> Lot:
    for lot in tender.lots:
        if lot.id == lot_id:
            return lot
    raise TenderNotFound("No such lot")


def _check_lot(
    tender: Tender,
    lot: Lot | None,
    *,
    title: str,
    zone_ids: list[int],
    hours_per_week: Decimal | str,
    contract_start_on: date | None,
    contract_end_on: date | None,
    providers_to_appoint: int | None,
) -> dict:
    title = _required_text(title, "a name for the lot", "title", 200)
    if not zone_ids:
        raise TenderError("Select at least one zone", "zone_ids")
    zones = list(
        db.session.scalars(
            select(Zone).where(Zone.id.in_(set(zone_ids)), Zone.dps_id == tender.dps_id)
        )
    )
    if len(zones) != len(set(zone_ids)):
        raise TenderError("Select zones of this dynamic purchasing system", "zone_ids")
    for other in tender.lots:
        if other is lot:
            continue
        shared = sorted(z.label for z in other.zones if z.id in set(zone_ids))
        if shared:
            raise TenderError(
                f"{', '.join(shared)} is already in lot {other.number}: a zone can be in one "
                "lot only",
                "zone_ids",
            )
    hours = parse_decimal(hours_per_week, "the estimated hours of care a week", "hours_per_week")
    if not Decimal(0) < hours <= HOURS_LIMIT:
        raise TenderError(
            f"The estimated hours a week must be more than 0 and no more than {HOURS_LIMIT:,}",
            "hours_per_week",
        )
    if contract_start_on is None:
        raise TenderError("Enter the contract start date", "contract_start_on")
    if contract_end_on is None:
        raise TenderError("Enter the contract end date", "contract_end_on")
    if contract_end_on <= contract_start_on:
        raise TenderError("The contract end date must be after the start date", "contract_end_on")
    if providers_to_appoint is None or not 1 <= providers_to_appoint <= PROVIDERS_PER_LOT_LIMIT:
        raise TenderError(
            f"The number of providers to appoint must be between 1 and {PROVIDERS_PER_LOT_LIMIT}",
            "providers_to_appoint",
        )
    return {
        "title": title,
        "zones": sorted(zones, key=lambda z: z.position),
        "hours_per_week": hours,
        "contract_start_on": contract_start_on,
        "contract_end_on": contract_end_on,
        "providers_to_appoint": providers_to_appoint,
    }


def _lot_detail(lot: Lot) -> dict:
    return {
        "number": lot.number,
        "title": lot.title,
        "zones": [z.code for z in lot.zones],
        "hours_per_week": str(lot.hours_per_week),
        "contract_start_on": lot.contract_start_on.isoformat(),
        "contract_end_on": lot.contract_end_on.isoformat(),
        "providers_to_appoint": lot.providers_to_appoint,
    }


def add_lot(actor: User, tender_id: int, **values) -> Lot:
    """Add a lot: a zone or group of zones, with its hours, contract dates and places."""
    tender = draft(tender_id, lock=True)
    checked = _check_lot(tender, None, **values)
    number = (
        db.session.scalar(select(func.max(Lot.number)).where(Lot.tender_id == tender.id)) or 0
    ) + 1
    lot = Lot(tender=tender, number=number, **checked)
    db.session.add(lot)
    db.session.flush()
    audit.record("tender.lot_added", "tender", tender.id, _lot_detail(lot), actor=actor)
    db.session.commit()
    return lot


def update_lot(actor: User, tender_id: int, lot_id: int, **values) -> Lot:
    tender = draft(tender_id, lock=True)
    lot = _lot_of(tender, lot_id)
    for name, value in _check_lot(tender, lot, **values).items():
        setattr(lot, name, value)
    audit.record("tender.lot_changed", "tender", tender.id, _lot_detail(lot), actor=actor)
    db.session.commit()
    return lot


def remove_lot(actor: User, tender_id: int, lot_id: int) -> None:
    """Remove a lot and number the others 1, 2, 3... again."""
    tender = draft(tender_id, lock=True)
    lot = _lot_of(tender, lot_id)
    detail = _lot_detail(lot)
    tender.lots.remove(lot)
    db.session.flush()
    for number, other in enumerate(sorted(tender.lots, key=lambda item: item.number), start=1):
        if other.number != number:
            other.number = number
            db.session.flush()
    audit.record("tender.lot_removed", "tender", tender.id, detail, actor=actor)
    db.session.commit()


# ---------------------------------------------------------------------------------------------
# Quality questions


def _question_of(tender: Tender, question_id: int) -> QualityQuestion:
    for question in tender.questions:
        if question.id == question_id:
            return question
    raise TenderNotFound("No such question")


def _check_question(
    *,
    text: str,
    guidance: str = "",
    plain_guidance: str = "",
    word_limit: int | None,
    weight: Decimal | str,
    max_mark: int | None = 5,
    min_mark: int | None = None,
    marked_by: str = "officer",
) -> dict:
    text = _required_text(text, "the question", "text", 5000)
    guidance = (guidance or "").strip()
    plain_guidance = (plain_guidance or "").strip()
    if len(guidance) > 10000:
        raise TenderError("Guidance must be 10,000 characters or fewer", "guidance")
    if len(plain_guidance) > 10000:
        raise TenderError(
            "Guidance for the panel must be 10,000 characters or fewer", "plain_guidance"
        )
    low, high = WORD_LIMIT_RANGE
    if word_limit is None or not low <= word_limit <= high:
        raise TenderError(f"The word limit must be between {low} and {high:,}", "word_limit")
    weight = parse_decimal(weight, "the weight", "weight")
    if not Decimal(0) < weight <= Decimal(1000):
        raise TenderError("The weight must be more than 0 and no more than 1,000", "weight")
    if max_mark is None or not 1 <= max_mark <= MAX_MARK_LIMIT:
        raise TenderError(f"The maximum mark must be between 1 and {MAX_MARK_LIMIT}", "max_mark")
    if min_mark is not None and not 0 <= min_mark <= max_mark:
        raise TenderError(
            f"The minimum acceptable mark must be between 0 and the maximum mark, {max_mark}",
            "min_mark",
        )
    if marked_by not in MARKED_BY:
        raise TenderError("Select who marks this question", "marked_by")
    if marked_by == "panel" and not plain_guidance:
        raise TenderError(
            "Enter guidance in plain English for the Experts by Experience panel",
            "plain_guidance",
        )
    return {
        "text": text,
        "guidance": guidance,
        "plain_guidance": plain_guidance,
        "word_limit": word_limit,
        "weight": weight,
        "max_mark": max_mark,
        "min_mark": min_mark,
        "marked_by": marked_by,
    }


def _question_detail(question: QualityQuestion) -> dict:
    return {
        "number": question.number,
        "text": question.text,
        "weight": str(question.weight),
        "max_mark": question.max_mark,
        "min_mark": question.min_mark,
        "marked_by": question.marked_by,
        "word_limit": question.word_limit,
    }


def add_question(actor: User, tender_id: int, **values) -> QualityQuestion:
    """Add a quality question with the default scale for its maximum mark."""
    tender = draft(tender_id, lock=True)
    checked = _check_question(**values)
    number = (
        db.session.scalar(
            select(func.max(QualityQuestion.number)).where(QualityQuestion.tender_id == tender.id)
        )
        or 0
    ) + 1
    question = QualityQuestion(
        tender=tender,
        number=number,
        scale=scale_json(default_scale(checked["max_mark"])),
        **checked,
    )
    db.session.add(question)
    db.session.flush()
    audit.record(
        "tender.question_added", "tender", tender.id, _question_detail(question), actor=actor
    )
    db.session.commit()
    return question


def update_question(actor: User, tender_id: int, question_id: int, **values) -> QualityQuestion:
    """Change a question; a new maximum mark brings the default scale for it."""
    tender = draft(tender_id, lock=True)
    question = _question_of(tender, question_id)
    checked = _check_question(**values)
    if checked["max_mark"] != question.max_mark:
        question.scale = scale_json(default_scale(checked["max_mark"]))
    for name, value in checked.items():
        setattr(question, name, value)
    audit.record(
        "tender.question_changed", "tender", tender.id, _question_detail(question), actor=actor
    )
    db.session.commit()
    return question


def set_scale(
    actor: User, tender_id: int, question_id: int, entries: list[tuple[str, str]]
) -> QualityQuestion:
    """Set the label and descriptor of each mark from 0 to the maximum mark."""
    tender = draft(tender_id, lock=True)
    question = _question_of(tender, question_id)
    if len(entries) != question.max_mark + 1:
        raise TenderError("Describe every mark on the scale", "mark_0_label")
    scale = []
    for mark, (label, descriptor) in enumerate(entries):
        label = _required_text(label, f"a name for mark {mark}", f"mark_{mark}_label", 60)
        descriptor = _required_text(
            descriptor, f"what earns mark {mark}", f"mark_{mark}_descriptor", 2000
        )
        scale.append({"mark": mark, "label": label, "descriptor": descriptor})
    question.scale = scale_json(scale)
    audit.record(
        "tender.scale_changed",
        "tender",
        tender.id,
        {"question": question.number, "scale": scale},
        actor=actor,
    )
    db.session.commit()
    return question


def scale_of(question: QualityQuestion) -> list[dict]:
    return parse_scale(question.scale)


def remove_question(actor: User, tender_id: int, question_id: int) -> None:
    tender = draft(tender_id, lock=True)
    question = _question_of(tender, question_id)
    detail = _question_detail(question)
    tender.questions.remove(question)
    db.session.flush()
    for number, other in enumerate(sorted(tender.questions, key=lambda q: q.number), start=1):
        if other.number != number:
            other.number = number
            db.session.flush()
    audit.record("tender.question_removed", "tender", tender.id, detail, actor=actor)
    db.session.commit()


# ---------------------------------------------------------------------------------------------
# Documents


def attach_document(
    actor: User, tender_id: int, file_storage: FileStorage | None, title: str = ""
) -> TenderDocument:
    """Check the file by its content, store it and attach it (the specification, a contract)."""
    tender = draft(tender_id, lock=True)
    title = (title or "").strip()
    if len(title) > 200:
        raise TenderError("The document's title must be 200 characters or fewer", "title")
    try:
        document = accept_upload(
            file_storage,
            organisation_id=tender.dps.lead_authority_id,
            uploaded_by_id=actor.id,
            purpose="tender_document",
        )
    except UploadRefused as refused:
        raise TenderError(refused.message, "file") from refused
    db.session.flush()
    attached = TenderDocument(
        tender=tender, document=document, title=title or document.original_name.rsplit(".", 1)[0]
    )
    db.session.add(attached)
    db.session.flush()
    audit.record(
        "tender.document_attached",
        "tender",
        tender.id,
        {"title": attached.title, "name": document.original_name, "sha256": document.sha256},
        actor=actor,
    )
    db.session.commit()
    return attached


def remove_document(actor: User, tender_id: int, tender_document_id: int) -> None:
    """Detach a document from the draft; the stored file stays (the audit log refers to it)."""
    tender = draft(tender_id, lock=True)
    attached = next((d for d in tender.documents if d.id == tender_document_id), None)
    if attached is None:
        raise TenderNotFound("No such document")
    tender.documents.remove(attached)
    audit.record(
        "tender.document_removed",
        "tender",
        tender.id,
        {"title": attached.title, "sha256": attached.document.sha256},
        actor=actor,
    )
    db.session.commit()


def document_of(tender: Tender, tender_document_id: int) -> TenderDocument | None:
    return next((d for d in tender.documents if d.id == tender_document_id), None)


BENCHMARK_LIMIT = Decimal("200")


def parse_benchmark_rate(raw: str | Decimal | None) -> Decimal | None:
    """The cost-of-care hourly rate prices are compared with (blank: none, so nothing is low)."""
    if raw is None or (isinstance(raw, str) and not raw.strip().lstrip("£").strip()):
        return None
    text = raw if isinstance(raw, Decimal) else raw.strip().lstrip("£").strip()
    value = parse_decimal(text, "the benchmark hourly rate", "benchmark_rate")
    if not Decimal(0) < value <= BENCHMARK_LIMIT:
        raise TenderError(
            f"The benchmark hourly rate must be more than £0 and no more than £{BENCHMARK_LIMIT}",
            "benchmark_rate",
        )
    return value
