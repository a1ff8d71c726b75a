"""Membership of a DPS over its ten years: suspension, reinstatement, removal, CQC ratings and
re-confirmation of the self-declaration.

Status changes go through MEMBERSHIP_TRANSITIONS; each tells the provider and writes one audit
record. What the clock does (overdue decisions, insurance) is in dps.services.membership_clock
and is re-exported here for `flask dps tick`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from dps.extensions import db
from dps.models.dps import Zone
from dps.models.organisation import Organisation, OrganisationKind, User
from dps.models.provider import (
    CqcRating,
    InsurancePolicy,
    Membership,
    MembershipScope,
)
from dps.services import audit
from dps.services.decision_queue import involving, officer_can_see
from dps.services.membership_clock import (  # noqa: F401 - re-exported for `flask dps tick`
    insurance_warnings,
    mark_overdue,
    suspend_expired_insurance,
)
from dps.services.notices import long_date, tell_organisation
from dps.services.reconfirmation import (  # noqa: F401 - re-exported
    ReconfirmationError,
    confirm,
    dps_of,
    non_responders,
    reconfirmation_for,
    reconfirmation_visible,
    reconfirmations_of,
    request_reconfirmation,
    response_of,
    responses,
)
from dps.state.application import MEMBERSHIP_LABELS, MEMBERSHIP_TRANSITIONS
from dps.state.clock import now, to_london
from dps.state.machine import TransitionError, fire

CQC_RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
STATUS_EVENTS = ("suspend", "reinstate", "remove")


class MembershipError(Exception):
    """A change to a membership that cannot be made, in words for the officer; `field` names
    the form field the message belongs beside."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _today() -> date:
    return to_london(now()).date()


# ---- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    status_label: str
    scopes_by_category: list[tuple[str, list[str]]]
    insurance_expires_on: date | None
    cqc_rating: CqcRating | None


def scopes_by_category(membership: Membership) -> list[tuple[str, list[str]]]:
    grouped: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    for scope in membership.scopes:
        grouped[(scope.category.position, scope.category.name)].append(
            (scope.zone.position, scope.zone.label)
        )
    return [
        (name, [label for _, label in sorted(zones)])
        for (_, name), zones in sorted(grouped.items())
    ]


def current_insurance(organisation_ids: list[int]) -> dict[int, dict[str, date]]:
    """For each organisation, the latest expiry date of each type of insurance it holds."""
    latest: dict[int, dict[str, date]] = defaultdict(dict)
    if not organisation_ids:
        return latest
    for organisation_id, insurance_type, expires_on in db.session.execute(
        select(
            InsurancePolicy.organisation_id,
            InsurancePolicy.insurance_type,
            func.max(InsurancePolicy.expires_on),
        )
        .where(InsurancePolicy.organisation_id.in_(organisation_ids))
        .group_by(InsurancePolicy.organisation_id, InsurancePolicy.insurance_type)
    ):
        latest[organisation_id][insurance_type] = expires_on
    return latest


def latest_ratings(organisation_ids: list[int]) -> dict[int, CqcRating]:
    ratings: dict[int, CqcRating] = {}
    if not organisation_ids:
        return ratings
    for rating in db.session.scalars(
        select(CqcRating)
        .where(CqcRating.organisation_id.in_(organisation_ids))
        .order_by(CqcRating.rated_on, CqcRating.id)
    ):
        ratings[rating.organisation_id] = rating
    return ratings


def members_of(dps_id: int) -> list[MemberRow]:
    """Every member of a DPS with its scopes, next insurance expiry and CQC rating (4 queries)."""
    memberships = list(
        db.session.scalars(
            select(Membership)
            .join(Membership.organisation)
            .where(Membership.dps_id == dps_id)
            .options(
                joinedload(Membership.organisation),
                selectinload(Membership.scopes).joinedload(MembershipScope.category),
                selectinload(Membership.scopes)
                .joinedload(MembershipScope.zone)
                .joinedload(Zone.parent),
            )
            .order_by(Membership.suspension_proposed.is_(None), Organisation.name)
        )
    )
    organisation_ids = [m.organisation_id for m in memberships]
    insurance = current_insurance(organisation_ids)
    ratings = latest_ratings(organisation_ids)
    return [
        MemberRow(
            membership=m,
            status_label=MEMBERSHIP_LABELS.get(m.status, m.status),
            scopes_by_category=scopes_by_category(m),
            insurance_expires_on=min(insurance[m.organisation_id].values(), default=None),
            cqc_rating=ratings.get(m.organisation_id),
        )
        for m in memberships
    ]


def get_membership(membership_id: int, organisation_id: int | None) -> Membership | None:
    """The membership if the officer's authority runs its DPS; None otherwise."""
    return db.session.scalar(
        select(Membership)
        .join(Membership.dps)
        .where(Membership.id == membership_id, involving(organisation_id))
        .options(
            joinedload(Membership.organisation),
            joinedload(Membership.dps),
            selectinload(Membership.scopes).joinedload(MembershipScope.category),
            selectinload(Membership.scopes)
            .joinedload(MembershipScope.zone)
            .joinedload(Zone.parent),
        )
    )


def policies_of(organisation_id: int) -> list[InsurancePolicy]:
    return list(
        db.session.scalars(
            select(InsurancePolicy)
            .where(InsurancePolicy.organisation_id == organisation_id)
            .order_by(InsurancePolicy.insurance_type, InsurancePolicy.expires_on.desc())
        )
    )


def ratings_of(organisation_id: int) -> list[CqcRating]:
    return list(
        db.session.scalars(
            select(CqcRating)
            .where(CqcRating.organisation_id == organisation_id)
            .order_by(CqcRating.rated_on.desc(), CqcRating.id.desc())
        )
    )


# ---- status changes ------------------------------------------------------------------------

_NOTICES = {
    "suspend": (
        "Your membership is suspended",
        "Your membership of {title} ({reference}) is suspended.\n\nWhy: {reason}\n\n"
        "While it is suspended we will not invite you to new mini-tenders. Contracts you "
        "already hold continue. Contact us to put things right, and we will reinstate you.",
    ),
    "reinstate": (
        "Your membership is active again",
        "Your membership of {title} ({reference}) is active again.\n\nWhy: {reason}\n\n"
        "We will invite you to mini-tenders for the services and zones you are admitted for.",
    ),
    "remove": (
        "You have been removed from the DPS",
        "You have been removed from {title} ({reference}).\n\nWhy: {reason}\n\n"
        "You may apply to join again once the reason no longer applies.",
    ),
}


def change_status(
    membership_id: int, actor: User | None, event: str, reason: str, commit: bool = True
) -> Membership:
    """Suspend, reinstate or remove a member through MEMBERSHIP_TRANSITIONS, telling it why."""
    if event not in STATUS_EVENTS:
        raise MembershipError("That is not something you can do to a membership.")
    membership = db.session.scalar(
        select(Membership).where(Membership.id == membership_id).with_for_update()
    )
    if membership is None or (
        actor is not None and not officer_can_see(actor.organisation_id, membership.dps_id)
    ):
        raise MembershipError("There is no such membership.")
    before = membership.status
    try:
        fire(MEMBERSHIP_TRANSITIONS, membership, event, reason=reason)
    except TransitionError:
        db.session.rollback()
        raise
    record = audit.record(
        f"membership.{event}",
        "membership",
        membership.id,
        {"from": before, "to": membership.status, "reason": membership.status_reason},
        actor=actor,
    )
    subject, body = _NOTICES[event]
    tell_organisation(
        membership.organisation_id,
        subject,
        body.format(
            title=membership.dps.title,
            reference=membership.dps.reference,
            reason=membership.status_reason,
        ),
        membership.dps.lead_authority.name,
        dedupe_key=f"membership:{membership.id}:{event}:{record.seq}",
    )
    if commit:
        db.session.commit()
    return membership


def suspend(membership_id: int, actor: User | None, reason: str) -> Membership:
    return change_status(membership_id, actor, "suspend", reason)


def reinstate(membership_id: int, actor: User | None, reason: str) -> Membership:
    return change_status(membership_id, actor, "reinstate", reason)


def remove(membership_id: int, actor: User | None, reason: str) -> Membership:
    return change_status(membership_id, actor, "remove", reason)


def dismiss_suspension_proposal(membership_id: int, actor: User, reason: str) -> Membership:
    """An officer decides not to act on a proposed suspension, and says why."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or not officer_can_see(actor.organisation_id, membership.dps_id):
        raise MembershipError("There is no such membership.")
    if not membership.suspension_proposed:
        raise MembershipError("No suspension is proposed for this member.")
    if not (reason or "").strip():
        raise MembershipError("Give a reason.", field="reason")
    audit.record(
        "membership.suspension_proposal_dismissed",
        "membership",
        membership.id,
        {"proposal": membership.suspension_proposed, "reason": reason.strip()},
        actor=actor,
    )
    membership.suspension_proposed = None
    db.session.commit()
    return membership


# ---- CQC ratings -----------------------------------------------------------------------------


def record_cqc_rating(organisation_id: int, actor: User, rating: str, rated_on: date) -> CqcRating:
    """Record a CQC rating with its date; the newest Inadequate proposes suspension everywhere."""
    if rating not in CQC_RATINGS:
        raise MembershipError("Choose the CQC rating.", field="rating")
    if rated_on > _today():
        raise MembershipError(
            "The date of the rating must be today or in the past.", field="rated_on"
        )
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != OrganisationKind.PROVIDER:
        raise MembershipError("There is no such provider.")
    newer = db.session.scalar(
        select(func.count(CqcRating.id)).where(
            CqcRating.organisation_id == organisation_id, CqcRating.rated_on > rated_on
        )
    )
    row = CqcRating(
        organisation_id=organisation_id,
        rating=rating,
        rated_on=rated_on,
        recorded_by_id=actor.id,
        recorded_at=now(),
    )
    db.session.add(row)
    proposed = []
    if not newer:
        active = db.session.scalars(
            select(Membership).where(
                Membership.organisation_id == organisation_id, Membership.status == "active"
            )
        )
        for membership in active:
            if rating == "Inadequate":
                membership.suspension_proposed = f"CQC rated Inadequate on {long_date(rated_on)}"
                proposed.append(membership.id)
            else:
                membership.suspension_proposed = None
    db.session.flush()
    audit.record(
        "organisation.cqc_rating_recorded",
        "organisation",
        organisation_id,
        {
            "rating": rating,
            "rated_on": rated_on.isoformat(),
            "suspension_proposed_for": proposed,
        },
        actor=actor,
    )
    db.session.commit()
    return row
