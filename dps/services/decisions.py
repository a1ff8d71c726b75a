"""Deciding applications to join a DPS: the queue with its legal clock, and each decision.

Every decision moves the application through APPLICATION_TRANSITIONS, tells the provider (inbox
and e-mail, with the outcome for each category and zone) and writes one audit record.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager

from sqlalchemy import select

from dps.extensions import db
from dps.models.organisation import User
from dps.models.provider import (
    Application,
    ApplicationScope,
    Clarification,
    Membership,
    MembershipScope,
)
from dps.services import audit

# The queue and the clock are read from decision_queue; re-exported for callers of this module.
from dps.services.decision_queue import (  # noqa: F401
    Clock,
    QueueRow,
    clock_for,
    clock_running,
    dps_choices,
    evidence_document,
    extended_due_on,
    extension_unavailable,
    get_application,
    london_today,
    officer_can_see,
    queue,
)
from dps.services.notices import link, long_date, tell_organisation
from dps.state.application import (
    APPLICATION_TRANSITIONS,
    MEMBERSHIP_TRANSITIONS,
    OPEN_STATES,
)
from dps.state.calendar import REGIMES
from dps.state.clock import now
from dps.state.machine import TransitionError, fire


class DecisionError(Exception):
    """A decision that cannot be made, in words for the officer; `field` is the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _load(application_id: int, actor: User) -> Application:
    """The application, locked for the decision, if the officer's authority runs its DPS."""
    application = db.session.scalar(
        select(Application)
        .where(Application.id == application_id, Application.status != "draft")
        .with_for_update()
    )
    if application is None or not officer_can_see(actor.organisation_id, application.dps_id):
        raise DecisionError("There is no such application.")
    return application


def _scope_label(scope: ApplicationScope | MembershipScope) -> str:
    return f"{scope.category.name} in {scope.zone.label}"


def _sender(application: Application) -> str:
    return application.dps.lead_authority.name


def _intro(application: Application) -> str:
    return (
        f"Your application {application.reference} to join {application.dps.title} "
        f"({application.dps.reference})"
    )


def _tell_provider(application: Application, key: str, subject: str, body: str) -> None:
    tell_organisation(
        application.organisation_id,
        f"{subject}: {application.reference}",
        body,
        _sender(application),
        dedupe_key=f"application:{application.id}:{key}",
    )


@contextmanager
def _deciding():
    """Undo anything half-done when a decision is refused, then let the refusal through."""
    try:
        yield
    except (TransitionError, DecisionError):
        db.session.rollback()
        raise


def request_clarification(application_id: int, actor: User, question: str) -> Clarification:
    """Ask the applicant a question; the clock keeps running unless the regime pauses it."""
    with _deciding():
        application = _load(application_id, actor)
        fire(APPLICATION_TRANSITIONS, application, "request_clarification", reason=question)
    clarification = Clarification(
        application=application, question=question.strip(), asked_by_id=actor.id
    )
    db.session.add(clarification)
    db.session.flush()
    rules = REGIMES[application.dps.regime]
    clock = (
        "The decision period stops until you answer."
        if rules.clock_pauses_for_clarification
        else f"We still aim to decide by {long_date(application.decision_due_on)}, so please "
        "answer as soon as you can."
    )
    _tell_provider(
        application,
        f"clarification:{clarification.id}",
        "We have a question about your application",
        f"{_intro(application)}: we need you to clarify something before we decide.\n\n"
        f"Our question:\n{clarification.question}\n\n{clock}\n\n"
        "Answer it here: "
        + link(
            "provider.application_clarification",
            fallback="provider.dashboard",
            application_id=application.id,
            clarification_id=clarification.id,
        ),
    )
    audit.record(
        "application.clarification_requested",
        "application",
        application.id,
        {"reference": application.reference, "clarification_id": clarification.id},
        actor=actor,
    )
    db.session.commit()
    return clarification


def extend(application_id: int, actor: User, reason: str) -> Application:
    """Extend the decision period (PCR 2015: to 15 working days, with a recorded reason)."""
    with _deciding():
        application = _load(application_id, actor)
        fire(APPLICATION_TRANSITIONS, application, "extend", reason=reason)
    due = long_date(application.decision_due_on)
    _tell_provider(
        application,
        "extended",
        "We need longer to decide your application",
        f"{_intro(application)}: we have extended the time we take to decide it. "
        f"We will decide by {due}.\n\nWhy: {application.extension_reason}",
    )
    audit.record(
        "application.extended",
        "application",
        application.id,
        {
            "reference": application.reference,
            "due_on": application.decision_due_on.isoformat(),
            "reason": application.extension_reason,
        },
        actor=actor,
    )
    db.session.commit()
    return application


def _membership_for(application: Application, reason: str) -> Membership:
    """The provider's one membership of this DPS, made if new, re-admitted if it was removed."""
    membership = db.session.scalar(
        select(Membership).where(
            Membership.dps_id == application.dps_id,
            Membership.organisation_id == application.organisation_id,
        )
    )
    if membership is None:
        membership = Membership(
            dps_id=application.dps_id,
            organisation_id=application.organisation_id,
            status="active",
            admitted_at=now(),
        )
        db.session.add(membership)
    elif membership.status == "removed":
        fire(
            MEMBERSHIP_TRANSITIONS,
            membership,
            "readmit",
            reason=reason or f"Admitted again on application {application.reference}",
        )
        membership.scopes.clear()  # a new admission: the old scopes ended with the removal
        membership.admitted_at = now()
    return membership


def admit(
    application_id: int, actor: User, admitted_scope_ids: Iterable[int], reason: str = ""
) -> Application:
    """Admit the provider to the chosen categories in the chosen zones; the rest are rejected."""
    with _deciding():
        application = _load(application_id, actor)
        chosen = {int(scope_id) for scope_id in admitted_scope_ids}
        requested = {scope.id for scope in application.scopes}
        if chosen - requested:
            raise DecisionError("Choose only from the services and zones the provider applied for.")
        reason = (reason or "").strip()
        if chosen and chosen != requested and not reason and application.status in OPEN_STATES:
            raise DecisionError(
                "Give the reasons for not admitting the provider to every service and zone.",
                field="reason",
            )
        fire(
            APPLICATION_TRANSITIONS,
            application,
            "admit",
            admitted_scope_ids=sorted(chosen),
            reason=reason,
        )
        membership = _membership_for(application, reason)
    application.decided_by_id = actor.id
    existing = {(scope.category_id, scope.zone_id) for scope in membership.scopes}
    for scope in application.scopes:
        scope.outcome = "admitted" if scope.id in chosen else "rejected"
        if scope.id in chosen and (scope.category_id, scope.zone_id) not in existing:
            membership.scopes.append(
                MembershipScope(
                    category_id=scope.category_id,
                    zone_id=scope.zone_id,
                    application_id=application.id,
                    admitted_at=now(),
                )
            )
    for policy in application.insurances:
        if policy.organisation_id != application.organisation_id:
            policy.organisation_id = application.organisation_id
    db.session.flush()
    _tell_provider(
        application, "decision", "Decision on your application", _decision_body(application)
    )
    audit.record(
        "application.admitted",
        "application",
        application.id,
        {
            "reference": application.reference,
            "membership_id": membership.id,
            "admitted": [_scope_label(s) for s in application.scopes if s.outcome == "admitted"],
            "not_admitted": [
                _scope_label(s) for s in application.scopes if s.outcome == "rejected"
            ],
            "reason": application.decision_reason,
        },
        actor=actor,
    )
    db.session.commit()
    return application


def reject(application_id: int, actor: User, reason: str) -> Application:
    """Reject the whole application, with the reasons the provider will read."""
    with _deciding():
        application = _load(application_id, actor)
        fire(APPLICATION_TRANSITIONS, application, "reject", reason=reason)
    application.decided_by_id = actor.id
    for scope in application.scopes:
        scope.outcome = "rejected"
    _tell_provider(
        application, "decision", "Decision on your application", _decision_body(application)
    )
    audit.record(
        "application.rejected",
        "application",
        application.id,
        {"reference": application.reference, "reason": application.decision_reason},
        actor=actor,
    )
    db.session.commit()
    return application


def _decision_body(application: Application) -> str:
    admitted = [_scope_label(s) for s in application.scopes if s.outcome == "admitted"]
    refused = [_scope_label(s) for s in application.scopes if s.outcome == "rejected"]
    parts = []
    if admitted:
        parts.append(f"{_intro(application)} has been decided.")
        parts.append("You are admitted for:\n" + "\n".join(f"- {item}" for item in admitted))
        if refused:
            parts.append("You are not admitted for:\n" + "\n".join(f"- {item}" for item in refused))
        parts.append(
            "You will be invited to mini-tenders for the services and zones you are admitted for."
            + (" You may apply for the others again at any time." if refused else "")
        )
    else:
        parts.append(f"{_intro(application)} has not been successful.")
        parts.append("You are not admitted for:\n" + "\n".join(f"- {item}" for item in refused))
        parts.append("You may apply again at any time.")
    if application.decision_reason:
        parts.append(f"Our reasons:\n{application.decision_reason}")
    return "\n\n".join(parts)
