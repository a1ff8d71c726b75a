"""Asking every member to re-confirm its self-declaration by a date, and who has not."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from dps.extensions import db
from dps.models.dps import DynamicPurchasingSystem
from dps.models.organisation import Organisation, User
from dps.models.provider import Membership, Reconfirmation, ReconfirmationResponse
from dps.services import audit
from dps.services.decision_queue import officer_can_see
from dps.services.notices import link, long_date, tell_organisation
from dps.state.clock import now, to_london


class ReconfirmationError(Exception):
    """A request or confirmation that cannot be made, in words for the person who tried;
    `field` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _today() -> date:
    return to_london(now()).date()


def request_reconfirmation(dps_id: int, actor: User, due_on: date, message: str) -> Reconfirmation:
    """Ask every active member to re-confirm its self-declaration by a date."""
    dps = db.session.get(DynamicPurchasingSystem, dps_id)
    if dps is None or dps.status == "draft" or not officer_can_see(actor.organisation_id, dps_id):
        raise ReconfirmationError("Choose a DPS that has been published.", field="dps_id")
    if due_on <= _today():
        raise ReconfirmationError("The date to reply by must be in the future.", field="due_on")
    message = (message or "").strip()
    if not message:
        raise ReconfirmationError("Enter a message to the members.", field="message")
    reconfirmation = Reconfirmation(
        dps_id=dps_id,
        due_on=due_on,
        message=message,
        created_by_id=actor.id,
        created_at=now(),
    )
    db.session.add(reconfirmation)
    db.session.flush()
    members = list(
        db.session.scalars(
            select(Membership).where(Membership.dps_id == dps_id, Membership.status == "active")
        )
    )
    for membership in members:
        tell_organisation(
            membership.organisation_id,
            f"Please re-confirm your self-declaration by {long_date(due_on)}",
            f"{message}\n\nAs a member of {dps.title} ({dps.reference}), please confirm that "
            f"your answers to the selection questionnaire are still true, by "
            f"{long_date(due_on)}.\n\n"
            f"Confirm here: {link('provider.reconfirm', reconfirmation_id=reconfirmation.id)}",
            dps.lead_authority.name,
            dedupe_key=f"reconfirmation:{reconfirmation.id}:{membership.organisation_id}",
        )
    audit.record(
        "dps.reconfirmation_requested",
        "dps",
        dps_id,
        {
            "reconfirmation_id": reconfirmation.id,
            "due_on": due_on.isoformat(),
            "members_asked": len(members),
        },
        actor=actor,
    )
    db.session.commit()
    return reconfirmation


def reconfirmation_for(reconfirmation_id: int, organisation_id: int) -> Reconfirmation | None:
    """The request if this organisation is (or was) a member of its DPS; else None (404)."""
    reconfirmation = db.session.get(Reconfirmation, reconfirmation_id)
    if reconfirmation is None:
        return None
    member = db.session.scalar(
        select(Membership.id).where(
            Membership.dps_id == reconfirmation.dps_id,
            Membership.organisation_id == organisation_id,
            Membership.status != "removed",
        )
    )
    return reconfirmation if member else None


def dps_of(reconfirmation: Reconfirmation) -> DynamicPurchasingSystem:
    return db.session.get(DynamicPurchasingSystem, reconfirmation.dps_id)


def reconfirmation_visible(reconfirmation_id: int, organisation_id: int | None):
    """The request if the officer's authority runs its DPS; None otherwise."""
    reconfirmation = db.session.get(Reconfirmation, reconfirmation_id)
    if reconfirmation is None or not officer_can_see(organisation_id, reconfirmation.dps_id):
        return None
    return reconfirmation


def response_of(reconfirmation_id: int, organisation_id: int) -> ReconfirmationResponse | None:
    return db.session.scalar(
        select(ReconfirmationResponse).where(
            ReconfirmationResponse.reconfirmation_id == reconfirmation_id,
            ReconfirmationResponse.organisation_id == organisation_id,
        )
    )


def confirm(reconfirmation_id: int, organisation_id: int, actor: User) -> ReconfirmationResponse:
    """The provider confirms its self-declaration still holds (a second confirm changes nothing)."""
    if reconfirmation_for(reconfirmation_id, organisation_id) is None:
        raise ReconfirmationError("There is no such request for your organisation.")
    existing = response_of(reconfirmation_id, organisation_id)
    if existing is not None:
        return existing
    response = ReconfirmationResponse(
        reconfirmation_id=reconfirmation_id,
        organisation_id=organisation_id,
        confirmed_by_id=actor.id,
        confirmed_at=now(),
    )
    db.session.add(response)
    db.session.flush()
    audit.record(
        "organisation.self_declaration_reconfirmed",
        "organisation",
        organisation_id,
        {"reconfirmation_id": reconfirmation_id},
        actor=actor,
    )
    db.session.commit()
    return response


def non_responders(reconfirmation_id: int) -> list[Membership]:
    """Active members admitted by the time of the request that have not confirmed."""
    reconfirmation = db.session.get(Reconfirmation, reconfirmation_id)
    if reconfirmation is None:
        return []
    responded = select(ReconfirmationResponse.organisation_id).where(
        ReconfirmationResponse.reconfirmation_id == reconfirmation_id
    )
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.organisation)
            .options(joinedload(Membership.organisation))
            .where(
                Membership.dps_id == reconfirmation.dps_id,
                Membership.status == "active",
                Membership.admitted_at <= reconfirmation.created_at,
                Membership.organisation_id.not_in(responded),
            )
            .order_by(Organisation.name)
        )
    )


def responses(reconfirmation_id: int) -> list[tuple[ReconfirmationResponse, str]]:
    return list(
        db.session.execute(
            select(ReconfirmationResponse, Organisation.name)
            .join(Organisation, Organisation.id == ReconfirmationResponse.organisation_id)
            .where(ReconfirmationResponse.reconfirmation_id == reconfirmation_id)
            .order_by(Organisation.name)
        ).tuples()
    )


def reconfirmations_of(dps_id: int) -> list[Reconfirmation]:
    return list(
        db.session.scalars(
            select(Reconfirmation)
            .where(Reconfirmation.dps_id == dps_id)
            .order_by(Reconfirmation.created_at.desc(), Reconfirmation.id.desc())
        )
    )
