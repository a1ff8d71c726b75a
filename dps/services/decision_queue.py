"""The officers' queue of applications and the decision clock of each, in words.

Reading only: the decisions themselves are in dps.services.decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from dps.extensions import db
from dps.models.dps import DynamicPurchasingSystem, Zone, dps_partner
from dps.models.messaging import Document
from dps.models.provider import (
    Application,
    ApplicationDocument,
    ApplicationScope,
    Clarification,
    InsurancePolicy,
)
from dps.services.notices import long_date
from dps.state.application import APPLICATION_TRANSITIONS, OPEN_STATES, STATUS_LABELS
from dps.state.calendar import REGIMES, add_working_days, working_days_between
from dps.state.clock import now, to_london

# Filters the queue page offers: "open" is everything still waiting for a decision.
STATUS_FILTERS = {
    "open": ("Waiting for a decision", OPEN_STATES),
    "submitted": ("Awaiting decision", ("submitted",)),
    "clarification": ("Clarification asked", ("clarification",)),
    "admitted": ("Admitted", ("admitted",)),
    "rejected": ("Rejected", ("rejected",)),
    "withdrawn": ("Withdrawn", ("withdrawn",)),
    "all": (
        "All applications",
        ("submitted", "clarification", "admitted", "rejected", "withdrawn"),
    ),
}
SORTS = ("due", "-due")


def involving(organisation_id: int | None):
    """A WHERE clause on the DPS: those the organisation leads or is a partner in."""
    partner_of = select(dps_partner.c.dps_id).where(
        dps_partner.c.organisation_id == organisation_id
    )
    return or_(
        DynamicPurchasingSystem.lead_authority_id == organisation_id,
        DynamicPurchasingSystem.id.in_(partner_of),
    )


def officer_can_see(organisation_id: int | None, dps_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(DynamicPurchasingSystem.id).where(
                DynamicPurchasingSystem.id == dps_id, involving(organisation_id)
            )
        )
    )


def london_today() -> date:
    return to_london(now()).date()


def clock_running(application: Application) -> bool:
    """Whether the decision clock runs now (it never runs once decided; some regimes pause it)."""
    if application.status == "submitted":
        return True
    if application.status == "clarification":
        return not REGIMES[application.dps.regime].clock_pauses_for_clarification
    return False


@dataclass(frozen=True)
class Clock:
    """Where an application stands against its decision deadline, for people to read."""

    received_on: date | None
    due_on: date | None
    working_days_left: int | None
    overdue: bool
    running: bool

    @property
    def words(self) -> str:
        if self.due_on is None:
            return "No decision date"
        due = long_date(self.due_on)
        if not self.running:
            return f"Decision was due by {due}"
        if self.overdue:
            late = -self.working_days_left
            return f"Overdue: the decision was due by {due} ({late} working day{_s(late)} late)"
        if self.working_days_left == 0:
            return f"Decision due by {due}: today is the last working day"
        days = self.working_days_left
        return f"Decision due by {due}: {days} working day{_s(days)} left"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def clock_for(application: Application, today: date | None = None) -> Clock:
    today = today or london_today()
    received = to_london(application.submitted_at).date() if application.submitted_at else None
    due = application.decision_due_on
    running = clock_running(application) and due is not None
    left = working_days_between(today, due) if running else None
    return Clock(received, due, left, running and today > due, running)


@dataclass(frozen=True)
class QueueRow:
    application_id: int
    reference: str
    provider_name: str
    dps_id: int
    dps_reference: str
    status: str
    status_label: str
    scope_count: int
    extended: bool
    clock: Clock


def queue(
    organisation_id: int | None,
    dps_id: int | None = None,
    status: str = "open",
    sort: str = "due",
    today: date | None = None,
) -> list[QueueRow]:
    """Applications to DPSs the officer's authority runs, with their clocks: one query."""
    today = today or london_today()
    states = STATUS_FILTERS.get(status, STATUS_FILTERS["open"])[1]
    scope_count = (
        select(func.count(ApplicationScope.id))
        .where(ApplicationScope.application_id == Application.id)
        .correlate(Application)
        .scalar_subquery()
    )
    due_order = (
        Application.decision_due_on.desc() if sort == "-due" else Application.decision_due_on
    )
    statement = (
        select(Application, scope_count)
        .join(Application.dps)
        .options(joinedload(Application.organisation), contains_eager(Application.dps))
        .where(Application.status.in_(states), involving(organisation_id))
        .order_by(due_order, Application.submitted_at, Application.id)
    )
    if dps_id is not None:
        statement = statement.where(Application.dps_id == dps_id)
    rows = []
    for application, count in db.session.execute(statement):
        rows.append(
            QueueRow(
                application_id=application.id,
                reference=application.reference,
                provider_name=application.organisation.name,
                dps_id=application.dps_id,
                dps_reference=application.dps.reference,
                status=application.status,
                status_label=STATUS_LABELS.get(application.status, application.status),
                scope_count=count,
                extended=application.extended,
                clock=clock_for(application, today),
            )
        )
    return rows


def get_application(application_id: int, organisation_id: int | None) -> Application | None:
    """An application (not a draft) to a DPS the officer's authority runs, with everything its
    detail page shows; None otherwise."""
    return db.session.scalar(
        select(Application)
        .join(Application.dps)
        .where(
            Application.id == application_id,
            Application.status != "draft",
            involving(organisation_id),
        )
        .options(
            joinedload(Application.organisation),
            contains_eager(Application.dps),
            selectinload(Application.scopes).joinedload(ApplicationScope.category),
            selectinload(Application.scopes)
            .joinedload(ApplicationScope.zone)
            .joinedload(Zone.parent),
            selectinload(Application.evidence).joinedload(ApplicationDocument.document),
            selectinload(Application.insurances),
            selectinload(Application.clarifications),
        )
    )


def extension_unavailable(application: Application) -> str | None:
    """Why the decision period cannot be extended now (asked of the table's guard), or None."""
    transition = APPLICATION_TRANSITIONS.get((application.status, "extend"))
    if transition is None:
        return "This application has already been decided."
    return transition.guard(application, {"reason": "given"}) if transition.guard else None


def extended_due_on(application: Application) -> date | None:
    """The decision date an extension would give (counted from receipt), where there is one."""
    days = REGIMES[application.dps.regime].decision_extension_working_days
    if days is None or application.submitted_at is None:
        return None
    return add_working_days(to_london(application.submitted_at).date(), days)


def evidence_document(application_id: int, document_id: int):
    """A document that belongs to this application (evidence, insurance or an answer), or None."""
    linked = (
        select(ApplicationDocument.document_id)
        .where(ApplicationDocument.application_id == application_id)
        .union(
            select(InsurancePolicy.document_id).where(
                InsurancePolicy.application_id == application_id
            ),
            select(Clarification.document_id).where(Clarification.application_id == application_id),
        )
    )
    if document_id not in set(db.session.scalars(linked)):
        return None
    return db.session.get(Document, document_id)


def dps_choices(organisation_id: int | None) -> list[tuple[int, str]]:
    """The published DPSs the officer's authority runs, for filters and choices."""
    return [
        (dps.id, f"{dps.reference}: {dps.title}")
        for dps in db.session.scalars(
            select(DynamicPurchasingSystem)
            .where(DynamicPurchasingSystem.status != "draft", involving(organisation_id))
            .order_by(DynamicPurchasingSystem.reference)
        )
    ]
