"""A provider's application to join a DPS: starting (or resuming) it, sending it, clarifications
and variations (asking for more categories or zones later).

Completeness and the questionnaire answers live in application_sections, the other sections'
saves in application_details; the names a view needs from both are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.dps import DynamicPurchasingSystem
from dps.models.messaging import Document
from dps.models.organisation import Organisation, User
from dps.models.provider import (
    Application,
    ApplicationDocument,
    Clarification,
    InsurancePolicy,
    Membership,
)
from dps.services import audit, inbox, mail, uploads
from dps.services.application_details import (  # noqa: F401 - re-exported for the views
    add_insurance,
    held_scopes,
    remove_insurance,
    save_cqc,
    save_organisation,
    save_scopes,
    save_size,
    scope_choices,
)
from dps.services.application_sections import (  # noqa: F401 - re-exported for the views
    CQC_RATINGS,
    STATUS_LABELS,
    ApplicationError,
    ApplicationNotFound,
    answers_of,
    attach_evidence,
    draft_for,
    for_organisation,
    insurance_types,
    missing_sections,
    questionnaire_section,
    save_answers,
    save_section_page,
    section_status,
    sections_of,
)
from dps.state.application import APPLICATION_TRANSITIONS, OPEN_STATES
from dps.state.clock import format_date, now, to_london
from dps.state.machine import TransitionError, fire

UNFINISHED_STATES = ("draft", *OPEN_STATES)


def _reference_prefix() -> str:
    return f"APP-{to_london(now()).year}-"


def _next_reference() -> str:
    """The next free reference this year, like APP-2026-00042."""
    prefix = _reference_prefix()
    last = db.session.scalar(
        select(func.max(Application.reference)).where(Application.reference.like(prefix + "%"))
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _insert_with_reference(application: Application) -> None:
    """Add the application under a unique reference (another request may take one first)."""
    for _attempt in range(10):
        application.reference = _next_reference()
        try:
            with db.session.begin_nested():
                db.session.add(application)
                db.session.flush()
            return
        except IntegrityError:
            continue
    raise ApplicationError("Sorry, we could not start the application. Try again.")


def _published_dps(dps_id: int) -> DynamicPurchasingSystem:
    dps = db.session.get(DynamicPurchasingSystem, dps_id)
    if dps is None or dps.status != "published":
        raise ApplicationError("This dynamic purchasing system is not open for applications.")
    return dps


def _membership(dps_id: int, organisation_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.dps_id == dps_id, Membership.organisation_id == organisation_id
        )
    )


def _unfinished(dps_id: int, organisation_id: int, kind: str) -> Application | None:
    return db.session.scalar(
        select(Application)
        .where(
            Application.dps_id == dps_id,
            Application.organisation_id == organisation_id,
            Application.kind == kind,
            Application.status.in_(UNFINISHED_STATES),
        )
        .order_by(Application.id)
        .limit(1)
    )


def start_or_resume(dps_id: int, organisation_id: int, actor: User) -> Application:
    """The organisation's unfinished application to this DPS, or a new draft.

    A second start never makes a duplicate: it returns the draft (or the application that is
    waiting for a decision).
    """
    existing = _unfinished(dps_id, organisation_id, "initial")
    if existing is not None:
        return existing
    _published_dps(dps_id)
    membership = _membership(dps_id, organisation_id)
    if membership is not None and membership.status != "removed":
        raise ApplicationError(
            "Your organisation is already a member of this dynamic purchasing system. "
            "Apply to add services or zones instead."
        )
    application = Application(
        dps_id=dps_id, organisation_id=organisation_id, kind="initial", status="draft"
    )
    _insert_with_reference(application)
    audit.record(
        "application.started",
        "application",
        application.id,
        {"reference": application.reference, "dps_id": dps_id},
        actor=actor,
    )
    db.session.commit()
    return application


def _latest_admitted(dps_id: int, organisation_id: int) -> Application | None:
    return db.session.scalar(
        select(Application)
        .where(
            Application.dps_id == dps_id,
            Application.organisation_id == organisation_id,
            Application.status == "admitted",
        )
        .order_by(Application.decided_at.desc().nulls_last(), Application.id.desc())
        .limit(1)
    )


def start_variation(dps_id: int, organisation_id: int, actor: User) -> Application:
    """A draft asking for more categories or zones, carrying over everything else.

    The organisation details, answers, insurance policies and evidence of the latest admitted
    application are copied; the provider is only asked which new services and zones it wants.
    """
    existing = _unfinished(dps_id, organisation_id, "variation")
    if existing is not None:
        return existing
    _published_dps(dps_id)
    membership = _membership(dps_id, organisation_id)
    if membership is None or membership.status != "active":
        raise ApplicationError(
            "Only an active member can apply to add services or zones. Apply to join first."
        )
    source = _latest_admitted(dps_id, organisation_id)
    organisation = db.session.get(Organisation, organisation_id)
    application = Application(
        dps_id=dps_id, organisation_id=organisation_id, kind="variation", status="draft"
    )
    if source is not None:
        for name in (
            "legal_name",
            "companies_house_number",
            "cqc_provider_id",
            "cqc_location_ids",
            "cqc_rating",
            "cqc_rating_date",
            "size",
            "answers",
        ):
            setattr(application, name, getattr(source, name))
    else:
        application.legal_name = organisation.legal_name or organisation.name
        application.companies_house_number = organisation.companies_house_number
        application.cqc_provider_id = organisation.cqc_provider_id
        application.size = organisation.size
    _insert_with_reference(application)
    if source is not None:
        for item in source.evidence:
            application.evidence.append(
                ApplicationDocument(question_id=item.question_id, document_id=item.document_id)
            )
        for policy in source.insurances:
            db.session.add(
                InsurancePolicy(
                    organisation_id=organisation_id,
                    application_id=application.id,
                    insurance_type=policy.insurance_type,
                    insurer=policy.insurer,
                    cover=policy.cover,
                    expires_on=policy.expires_on,
                    document_id=policy.document_id,
                )
            )
    audit.record(
        "application.variation_started",
        "application",
        application.id,
        {
            "reference": application.reference,
            "dps_id": dps_id,
            "copied_from": source.reference if source else None,
        },
        actor=actor,
    )
    db.session.commit()
    return application


def decision_due_text(application: Application) -> str:
    """ "Friday 5 December 2026", or "" before the application is sent."""
    return format_date(application.decision_due_on) if application.decision_due_on else ""


def _application_link(application_id: int) -> str:
    """The provider's page for the application (built without a request: jobs send e-mail too)."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/provider/applications/{application_id}"


def submit(application_id: int, actor: User, declaration_name: str) -> Application:
    """Send the application: every section complete and the declaration signed.

    Raises TransitionError with the sentence to show when something is missing.
    """
    application = for_organisation(application_id, actor.organisation_id)
    if application is None:
        raise ApplicationNotFound()
    fire(
        APPLICATION_TRANSITIONS,
        application,
        "submit",
        missing=missing_sections(application),
        declaration_name=(declaration_name or "")[:200],
    )
    dps = application.dps
    what = "to add services or zones to" if application.kind == "variation" else "to join"
    due = decision_due_text(application)
    organisation = application.organisation
    link = _application_link(application.id)
    audit.record(
        "application.submitted",
        "application",
        application.id,
        {
            "reference": application.reference,
            "kind": application.kind,
            "declaration_name": application.declaration_name,
            "decision_due_on": application.decision_due_on.isoformat(),
            "scopes": len(application.scopes),
        },
        actor=actor,
    )
    mail.send_email(
        actor.email,
        f"Application {application.reference} received",
        f"Dear {actor.full_name},\n\n"
        f"We have received your application {what} {dps.title} ({dps.reference}).\n\n"
        f"Your reference is {application.reference}.\n\n"
        f"We will decide by {due}. We will write to you on {current_app.config['SERVICE_NAME']} "
        f"and by e-mail, and we may ask you a question before we decide.\n\n"
        f"See your application: {link}\n\nThere is no fee to join.\n",
        dedupe_key=f"application-submitted-email-{application.id}",
    )
    inbox.post(
        application.organisation_id,
        f"Application {application.reference} received",
        f"We have received your application {what} {dps.title}.\n\n"
        f"Your reference is {application.reference}. We will decide by {due}.",
        dps.lead_authority.name,
        dedupe_key=f"application-submitted-provider-{application.id}",
    )
    inbox.post(
        dps.lead_authority_id,
        f"New application {application.reference} from {organisation.name}",
        f"{organisation.name} has applied {what} {dps.title} ({dps.reference}).\n\n"
        f"Reference: {application.reference}\n"
        f"Services and zones asked for: {len(application.scopes)}\n"
        f"Decision due by {due}.",
        current_app.config["SERVICE_NAME"],
        dedupe_key=f"application-submitted-authority-{application.id}",
    )
    db.session.commit()
    return application


def clarification_for(
    application_id: int, clarification_id: int, organisation_id: int
) -> Clarification | None:
    return db.session.scalar(
        select(Clarification)
        .join(Application, Application.id == Clarification.application_id)
        .where(
            Clarification.id == clarification_id,
            Clarification.application_id == application_id,
            Application.organisation_id == organisation_id,
        )
    )


def answer_clarification(
    clarification_id: int, organisation_id: int, actor: User, answer: str, upload=None
) -> Clarification:
    """Answer an officer's question (with an optional file); the application goes back to them."""
    clarification = db.session.scalar(
        select(Clarification)
        .join(Application, Application.id == Clarification.application_id)
        .where(Clarification.id == clarification_id, Application.organisation_id == organisation_id)
    )
    if clarification is None:
        raise ApplicationNotFound()
    application = clarification.application
    if clarification.answered_at is not None or application.status != "clarification":
        raise ApplicationError("This question has already been answered.")
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError("Enter your answer", "answer")
    try:
        if upload:
            document = uploads.accept_upload(
                upload,
                organisation_id=organisation_id,
                uploaded_by_id=actor.id,
                purpose="clarification",
            )
            db.session.flush()
            clarification.document_id = document.id
        fire(APPLICATION_TRANSITIONS, application, "answer_clarification", reason=answer)
    except (uploads.UploadRefused, TransitionError):
        db.session.rollback()
        raise
    clarification.answer = answer
    clarification.answered_at = now()
    audit.record(
        "application.clarification_answered",
        "application",
        application.id,
        {"clarification_id": clarification.id, "document_id": clarification.document_id},
        actor=actor,
    )
    inbox.post(
        application.dps.lead_authority_id,
        f"Clarification answered: {application.reference}",
        f"{application.organisation.name} has answered your question about application "
        f"{application.reference}.\n\nQuestion: {clarification.question}\n\nAnswer: {answer}",
        current_app.config["SERVICE_NAME"],
        document_id=clarification.document_id,
        dedupe_key=f"clarification-answered-{clarification.id}",
    )
    db.session.commit()
    return clarification


def document_for(application_id: int, organisation_id: int, document_id: int) -> Document | None:
    """A file attached to the organisation's application (evidence, insurance or clarification)."""
    application = for_organisation(application_id, organisation_id)
    if application is None:
        return None
    linked = (
        {item.document_id for item in application.evidence}
        | {policy.document_id for policy in application.insurances if policy.document_id}
        | {item.document_id for item in application.clarifications if item.document_id}
    )
    if document_id not in linked:
        return None
    return db.session.get(Document, document_id)


# --- What the provider sees in its list ------------------------------------------------------


def for_organisation_list(organisation_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.organisation_id == organisation_id)
            .order_by(Application.created_at.desc(), Application.id.desc())
        )
    )


@dataclass(frozen=True)
class DpsChoice:
    """A published DPS and what the organisation can do about it now."""

    dps: DynamicPurchasingSystem
    action: str  # "apply", "continue", "vary", "view" or "none"
    application: Application | None = None
    membership_status: str | None = None


def dps_choices(organisation_id: int, published: list[DynamicPurchasingSystem]) -> list[DpsChoice]:
    choices = []
    for dps in published:
        membership = _membership(dps.id, organisation_id)
        member = membership is not None and membership.status != "removed"
        kind = "variation" if member else "initial"
        open_application = _unfinished(dps.id, organisation_id, kind)
        status = membership.status if membership else None
        if open_application is not None:
            action = "continue" if open_application.status == "draft" else "view"
        elif member:
            action = "vary" if membership.status == "active" else "none"
        else:
            action = "apply"
        choices.append(DpsChoice(dps, action, open_application, status))
    return choices
