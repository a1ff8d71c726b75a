"""What `flask dps tick` does for stage 1 because time has passed.

Each function takes the UK date it runs for, does its work once however often it runs (the
`overdue_flagged_at` and `warned_at` columns and the membership status say what is done),
commits, and returns how many things it did.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from dps.extensions import db
from dps.models.dps import DynamicPurchasingSystem
from dps.models.provider import Application, InsurancePolicy, Membership
from dps.services import audit, inbox
from dps.services.dps_setup import questionnaire_of
from dps.services.notices import link, long_date, tell_organisation
from dps.state.application import OPEN_STATES
from dps.state.calendar import REGIMES
from dps.state.clock import now, to_london


def _today(today: date | None) -> date:
    return today or to_london(now()).date()


def _required_types_reader() -> Callable[[DynamicPurchasingSystem], dict[str, str]]:
    """Insurance type code -> name as each DPS's questionnaire asks; each DPS read once."""
    cache: dict[int, dict[str, str]] = {}

    def required_types(dps: DynamicPurchasingSystem) -> dict[str, str]:
        if dps.id not in cache:
            cache[dps.id] = {
                item["code"]: item["name"]
                for item in questionnaire_of(dps).get("insurance_types", [])
            }
        return cache[dps.id]

    return required_types


def mark_overdue(today: date | None = None) -> int:
    """Flag open applications past their decision date (once each) and tell the lead authority."""
    today = _today(today)
    candidates = db.session.scalars(
        select(Application)
        .options(joinedload(Application.dps), joinedload(Application.organisation))
        .where(
            Application.status.in_(OPEN_STATES),
            Application.decision_due_on < today,
            Application.overdue_flagged_at.is_(None),
        )
        .order_by(Application.decision_due_on, Application.id)
    ).all()
    by_authority: dict[int, list[Application]] = defaultdict(list)
    for application in candidates:
        rules = REGIMES[application.dps.regime]
        if application.status == "clarification" and rules.clock_pauses_for_clarification:
            continue
        application.overdue_flagged_at = now()
        by_authority[application.dps.lead_authority_id].append(application)
        audit.record(
            "application.overdue",
            "application",
            application.id,
            {
                "reference": application.reference,
                "due_on": application.decision_due_on.isoformat(),
            },
        )
    for authority_id, applications in by_authority.items():
        count = len(applications)
        lines = "\n".join(
            f"- {a.reference} from {a.organisation.name} ({a.dps.reference}): "
            f"due by {long_date(a.decision_due_on)}"
            for a in applications
        )
        inbox.post(
            authority_id,
            f"{count} application{'' if count == 1 else 's'} overdue for a decision",
            "These applications have passed the date their decision was due:\n\n"
            f"{lines}\n\nDecide them now: {link('officer.application_queue')}",
            "Commission",
        )
    db.session.commit()
    return sum(len(applications) for applications in by_authority.values())


def _active_memberships(only_suspending: bool = False) -> list[Membership]:
    statement = (
        select(Membership)
        .join(Membership.dps)
        .options(joinedload(Membership.dps))
        .where(Membership.status == "active", DynamicPurchasingSystem.status == "published")
    )
    if only_suspending:
        statement = statement.where(DynamicPurchasingSystem.suspend_on_insurance_expiry.is_(True))
    return list(db.session.scalars(statement))


def insurance_warnings(today: date | None = None) -> int:
    """Warn members whose insurance expires within the DPS's warning period; once per policy."""
    today = _today(today)
    required_types = _required_types_reader()
    memberships = _active_memberships()
    by_organisation: dict[int, list[Membership]] = defaultdict(list)
    for membership in memberships:
        by_organisation[membership.organisation_id].append(membership)
    if not by_organisation:
        return 0
    longest = max(m.dps.insurance_warning_days for m in memberships)
    policies = db.session.scalars(
        select(InsurancePolicy).where(
            InsurancePolicy.organisation_id.in_(list(by_organisation)),
            InsurancePolicy.warned_at.is_(None),
            InsurancePolicy.expires_on >= today,
            InsurancePolicy.expires_on <= today + timedelta(days=longest),
        )
    ).all()
    latest = _latest_expiry(list(by_organisation))
    warned = 0
    for policy in policies:
        if latest[(policy.organisation_id, policy.insurance_type)] > policy.expires_on:
            continue  # a renewed policy is already on file
        affected = [
            m
            for m in by_organisation[policy.organisation_id]
            if policy.insurance_type in required_types(m.dps)
            and policy.expires_on <= today + timedelta(days=m.dps.insurance_warning_days)
        ]
        if not affected:
            continue
        policy.warned_at = now()
        name = required_types(affected[0].dps)[policy.insurance_type]
        consequences = "\n".join(
            f"- {m.dps.title} ({m.dps.reference}): "
            + (
                "your membership will be suspended if it expires"
                if m.dps.suspend_on_insurance_expiry
                else "you must hold this insurance to stay a member"
            )
            for m in affected
        )
        tell_organisation(
            policy.organisation_id,
            f"Your {name.lower()} insurance expires on {long_date(policy.expires_on)}",
            f"Your {name.lower()} insurance with {policy.insurer} expires on "
            f"{long_date(policy.expires_on)}.\n\nPlease give us the details of the renewed "
            f"policy before then.\n\n{consequences}",
            affected[0].dps.lead_authority.name,
            dedupe_key=f"insurance:{policy.id}:warning",
        )
        audit.record(
            "insurance.expiry_warned",
            "insurance_policy",
            policy.id,
            {"organisation_id": policy.organisation_id, "expires_on": policy.expires_on},
        )
        warned += 1
    db.session.commit()
    return warned


def _latest_expiry(organisation_ids: list[int]) -> dict[tuple[int, str], date]:
    return {
        (organisation_id, insurance_type): expires_on
        for organisation_id, insurance_type, expires_on in db.session.execute(
            select(
                InsurancePolicy.organisation_id,
                InsurancePolicy.insurance_type,
                func.max(InsurancePolicy.expires_on),
            )
            .where(InsurancePolicy.organisation_id.in_(organisation_ids))
            .group_by(InsurancePolicy.organisation_id, InsurancePolicy.insurance_type)
        )
    }


def suspend_expired_insurance(today: date | None = None) -> int:
    """Suspend active members whose required insurance has expired with nothing newer on file.

    A policy covers its expiry date, so it has expired from the next day on.
    """
    from dps.services.membership import change_status

    today = _today(today)
    required_types = _required_types_reader()
    memberships = _active_memberships(only_suspending=True)
    if not memberships:
        return 0
    latest = _latest_expiry(sorted({m.organisation_id for m in memberships}))
    suspended = 0
    for membership in memberships:
        expired = [
            f"{name} on {long_date(latest[(membership.organisation_id, code)])}"
            for code, name in required_types(membership.dps).items()
            if (membership.organisation_id, code) in latest
            and latest[(membership.organisation_id, code)] < today
        ]
        if expired:
            change_status(
                membership.id,
                None,
                "suspend",
                "Insurance expired: " + "; ".join(expired),
                commit=False,
            )
            suspended += 1
    db.session.commit()
    return suspended
