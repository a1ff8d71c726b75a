"""Building and publishing mini-tenders (call-offs) under a DPS.

Services take ids and plain values, check them against `tender_rules`, write one audit record
and commit. Lots, questions and documents live in `tender_parts`, the queries pages read in
`tender_queries`; both are re-exported here, so callers need only this module.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from dps.extensions import db
from dps.jobs.outbox import schedule
from dps.models.dps import Category, DynamicPurchasingSystem
from dps.models.organisation import User
from dps.models.tender import Invitation, Lot, QualityQuestion, Tender, TenderDocument
from dps.services import audit
from dps.services.sealing import ensure_tender_key
from dps.services.tender_parts import (  # noqa: F401 - re-exported for callers
    TenderNotFound,
    add_lot,
    add_question,
    attach_document,
    document_of,
    draft,
    find,
    parse_benchmark_rate,
    remove_document,
    remove_lot,
    remove_question,
    scale_of,
    set_scale,
    update_lot,
    update_question,
)
from dps.services.tender_queries import (  # noqa: F401 - re-exported for callers
    OPEN_STATUS,
    InvitationRow,
    for_officer,
    invitations_of,
    invitee_names,
    invitees,
    open_dps_categories,
    open_opportunities,
    public_tender,
    tenders_for,
    works_on,
)
from dps.services.tender_rules import (  # noqa: F401 - re-exported for callers
    DEFAULT_TIE_BREAK,
    PRICE_MODELS,
    REFERENCE,
    TIE_BREAKS,
    TenderError,
    Timetable,
    check_weighting,
    min_tender_days,
    parse_decimal,
    price_model_code,
    timetable_problems,
)
from dps.state.clock import now
from dps.state.machine import fire
from dps.state.tender import TENDER_TRANSITIONS

# ---------------------------------------------------------------------------------------------
# Creating and changing a draft


def _next_reference(dps: DynamicPurchasingSystem) -> str:
    """The DPS's reference and a running number: NCC-DPS-2026-T001."""
    prefix = "".join(c if c.isalnum() or c == "-" else "-" for c in dps.reference)[:34]
    count = db.session.scalar(select(func.count(Tender.id)).where(Tender.dps_id == dps.id)) or 0
    while True:
        count += 1
        reference = f"{prefix}-T{count:03d}"
        if not db.session.scalar(select(Tender.id).where(Tender.reference == reference)):
            return reference


def _check_reference(reference: str) -> str:
    reference = reference.strip().upper()
    if not REFERENCE.match(reference):
        raise TenderError(
            "The reference must be up to 40 letters, numbers and hyphens, like NCC-HC-2026-01",
            "reference",
        )
    if db.session.scalar(select(Tender.id).where(Tender.reference == reference)):
        raise TenderError(f"A tender with the reference {reference} already exists", "reference")
    return reference


def _check_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise TenderError("Enter a title for the tender", "title")
    if len(title) > 200:
        raise TenderError("The title must be 200 characters or fewer", "title")
    return title


def create_tender(
    actor: User,
    dps_id: int,
    category_id: int,
    reference: str | None = None,
    title: str = "",
    description: str = "",
) -> Tender:
    """A draft tender for one category of a published DPS; the reference is made if not given."""
    dps = db.session.get(DynamicPurchasingSystem, dps_id)
    if dps is None or dps.status != "published" or not works_on(actor, dps.id):
        raise TenderError("Choose a dynamic purchasing system that is open", "scope")
    category = db.session.get(Category, category_id)
    if category is None or category.dps_id != dps.id:
        raise TenderError("Choose a service of this dynamic purchasing system", "scope")
    title = _check_title(title)
    reference = _check_reference(reference) if reference else _next_reference(dps)
    tender = Tender(
        dps=dps,
        category=category,
        reference=reference,
        title=title,
        description=(description or "").strip(),
        cost_template="",
        tie_break=DEFAULT_TIE_BREAK,
        created_by_id=actor.id,
    )
    db.session.add(tender)
    db.session.flush()
    audit.record(
        "tender.created",
        "tender",
        tender.id,
        {"reference": reference, "dps": dps.reference, "category": category.code},
        actor=actor,
    )
    db.session.commit()
    return tender


def update_details(actor: User, tender_id: int, *, title: str, description: str = "") -> Tender:
    tender = draft(tender_id, lock=True)
    tender.title = _check_title(title)
    description = (description or "").strip()
    if len(description) > 20000:
        raise TenderError("The description must be 20,000 characters or fewer", "description")
    tender.description = description
    audit.record(
        "tender.details_changed", "tender", tender.id, {"title": tender.title}, actor=actor
    )
    db.session.commit()
    return tender


def set_price_model(
    actor: User,
    tender_id: int,
    template_code: str,
    ask_call_length_rates: bool = False,
    benchmark_rate: str | Decimal | None = None,
) -> Tender:
    """The cost template bidders fill in, and whether they also quote 15-60 minute visits."""
    tender = draft(tender_id, lock=True)
    template = PRICE_MODELS.get(template_code or "")
    if template is None:
        raise TenderError("Choose the cost breakdown bidders must fill in", "template")
    tender.benchmark_rate = parse_benchmark_rate(benchmark_rate)
    tender.cost_template = json.dumps(template.to_dict())
    tender.ask_call_length_rates = bool(ask_call_length_rates)
    audit.record(
        "tender.price_model_set",
        "tender",
        tender.id,
        {
            "template": template.id,
            "call_length_rates": tender.ask_call_length_rates,
            "benchmark_rate": None if tender.benchmark_rate is None else str(tender.benchmark_rate),
        },
        actor=actor,
    )
    db.session.commit()
    return tender


def set_rules(
    actor: User,
    tender_id: int,
    *,
    quality_weight: Decimal | str,
    price_weight: Decimal | str,
    max_lots_per_provider: int | None,
    tie_break: str,
) -> Tender:
    """The quality/price weighting, the most lots one provider may win and the tie-break rule."""
    tender = draft(tender_id, lock=True)
    quality = parse_decimal(quality_weight, "the quality weighting", "quality_weight")
    price = parse_decimal(price_weight, "the price weighting", "price_weight")
    check_weighting(quality, price)
    if max_lots_per_provider is not None and not 1 <= max_lots_per_provider <= 100:
        raise TenderError(
            "The most lots one provider may win must be between 1 and 100, or leave it blank",
            "max_lots_per_provider",
        )
    if tie_break not in TIE_BREAKS:
        raise TenderError("Choose how ties are broken", "tie_break")
    tender.quality_weight = quality
    tender.price_weight = price
    tender.max_lots_per_provider = max_lots_per_provider
    tender.tie_break = tie_break
    audit.record(
        "tender.rules_set",
        "tender",
        tender.id,
        {
            "quality_weight": str(quality),
            "price_weight": str(price),
            "max_lots_per_provider": max_lots_per_provider,
            "tie_break": tie_break,
        },
        actor=actor,
    )
    db.session.commit()
    return tender


def configured_min_days() -> int | None:
    value = current_app.config.get("TENDER_MIN_DAYS")
    return int(value) if value not in (None, "") else None


def minimum_days(tender: Tender) -> int:
    return min_tender_days(tender.dps.regime, configured_min_days())


def timetable_of(tender: Tender) -> Timetable:
    return Timetable(
        tender.clarification_deadline,
        tender.closing_at,
        tender.evaluation_on,
        tender.award_on,
        tender.contract_start_on,
    )


def check_timetable(tender: Tender, timetable: Timetable) -> list[tuple[str, str]]:
    """Problems with the timetable if the tender were published now."""
    return timetable_problems(
        timetable,
        regime=tender.dps.regime,
        published_at=tender.published_at or now(),
        min_days=minimum_days(tender),
        voluntary_standstill=tender.voluntary_standstill,
    )


def set_timetable(
    actor: User,
    tender_id: int,
    *,
    clarification_deadline: datetime | None,
    closing_at: datetime | None,
    evaluation_on: date | None,
    award_on: date | None,
    contract_start_on: date | None,
) -> Tender:
    """Set the timetable (aware instants, dates in UK time); refused with the first problem."""
    tender = draft(tender_id, lock=True)
    for value in (clarification_deadline, closing_at):
        if value is not None and value.tzinfo is None:
            raise ValueError("timetable times must be timezone-aware")
    timetable = Timetable(
        clarification_deadline, closing_at, evaluation_on, award_on, contract_start_on
    )
    problems = check_timetable(tender, timetable)
    if problems:
        field, message = problems[0]
        raise TenderError(message, field)
    tender.clarification_deadline = clarification_deadline
    tender.closing_at = closing_at
    tender.evaluation_on = evaluation_on
    tender.award_on = award_on
    tender.contract_start_on = contract_start_on
    audit.record(
        "tender.timetable_set",
        "tender",
        tender.id,
        {
            "clarification_deadline": clarification_deadline.isoformat(),
            "closing_at": closing_at.isoformat(),
            "evaluation_on": evaluation_on.isoformat(),
            "award_on": award_on.isoformat(),
            "contract_start_on": contract_start_on.isoformat(),
        },
        actor=actor,
    )
    db.session.commit()
    return tender


def copy_tender(actor: User, tender_id: int) -> Tender:
    """A new draft like an earlier tender: lots, questions, price model, rules and documents;
    a new reference, and the timetable left for the officer to set."""
    source = for_officer(actor, tender_id)
    if source is None:
        raise TenderNotFound("No such tender")
    if source.dps.status != "published":
        raise TenderError("The dynamic purchasing system of that tender is no longer open")
    copy = Tender(
        dps_id=source.dps_id,
        category_id=source.category_id,
        reference=_next_reference(source.dps),
        title=f"{source.title[:193]} (copy)",
        description=source.description,
        quality_weight=source.quality_weight,
        price_weight=source.price_weight,
        max_lots_per_provider=source.max_lots_per_provider,
        tie_break=source.tie_break,
        allocation_policy=source.allocation_policy,
        cost_template=source.cost_template,
        ask_call_length_rates=source.ask_call_length_rates,
        named_marking=source.named_marking,
        opening_needs_two_officers=source.opening_needs_two_officers,
        voluntary_standstill=source.voluntary_standstill,
        copied_from_id=source.id,
        created_by_id=actor.id,
    )
    for lot in source.lots:
        copy.lots.append(
            Lot(
                number=lot.number,
                title=lot.title,
                zones=list(lot.zones),
                hours_per_week=lot.hours_per_week,
                contract_start_on=lot.contract_start_on,
                contract_end_on=lot.contract_end_on,
                providers_to_appoint=lot.providers_to_appoint,
            )
        )
    for question in source.questions:
        copy.questions.append(
            QualityQuestion(
                number=question.number,
                text=question.text,
                guidance=question.guidance,
                plain_guidance=question.plain_guidance,
                word_limit=question.word_limit,
                weight=question.weight,
                max_mark=question.max_mark,
                min_mark=question.min_mark,
                scale=question.scale,
                marked_by=question.marked_by,
            )
        )
    for attached in source.documents:
        copy.documents.append(
            TenderDocument(document_id=attached.document_id, title=attached.title)
        )
    db.session.add(copy)
    db.session.flush()
    audit.record(
        "tender.copied",
        "tender",
        copy.id,
        {"reference": copy.reference, "copied_from": source.reference},
        actor=actor,
    )
    db.session.commit()
    return copy


# ---------------------------------------------------------------------------------------------
# Publishing


def publication_problems(tender: Tender) -> list[str]:
    """Everything that stops the tender being published now, in words for the officer."""
    problems: list[str] = []
    if tender.dps.status != "published":
        problems.append("The dynamic purchasing system is not open")
    if not tender.lots:
        problems.append("Add at least one lot")
    for lot in tender.lots:
        if not lot.zones:
            problems.append(f"Lot {lot.number} has no zones")
    if tender.quality_weight > 0 and not tender.questions:
        problems.append("Add at least one quality question, or give quality no weight")
    if tender.price_weight > 0 and not tender.cost_template:
        problems.append("Choose the price model")
    if tender.quality_weight + tender.price_weight != 100:
        problems.append("The quality and price weightings must add up to 100")
    problems.extend(message for _field, message in check_timetable(tender, timetable_of(tender)))
    if tender.award_on is not None:
        for lot in tender.lots:
            if lot.contract_start_on <= tender.award_on:
                problems.append(
                    f"Lot {lot.number}'s contract start date must be after the award date"
                )
    return problems


def publish(actor: User, tender_id: int) -> Tender:
    """Publish: seal-key the tender, record who is invited as membership stands now, and queue
    the invitations. Raises TransitionError with the problems if it is not ready."""
    tender = db.session.scalar(select(Tender).where(Tender.id == tender_id).with_for_update())
    if tender is None or not works_on(actor, tender.dps_id):
        raise TenderNotFound("No such tender")
    problems = publication_problems(tender) if tender.status == "draft" else []
    fire(TENDER_TRANSITIONS, tender, "publish", problems=problems)
    ensure_tender_key(tender)
    invited = invitees(tender)
    for organisation_id, lot_ids in invited.items():
        db.session.add(
            Invitation(
                tender_id=tender.id,
                organisation_id=organisation_id,
                lot_ids=json.dumps(lot_ids),
                invited_at=tender.published_at,
            )
        )
    audit.record(
        "tender.published",
        "tender",
        tender.id,
        {
            "reference": tender.reference,
            "closing_at": tender.closing_at.isoformat(),
            "invited": {str(org): lots for org, lots in invited.items()},
        },
        actor=actor,
    )
    schedule("send_invitations", tender.id)
    db.session.commit()
    return tender
