"""The lifecycle of an application to join a DPS, and of a provider's membership."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dps.state.calendar import REGIMES, add_working_days, decision_due
from dps.state.clock import now, to_london
from dps.state.machine import Transition


def _reason_given(obj, context: Mapping[str, Any]) -> str | None:
    if not (context.get("reason") or "").strip():
        return "Give a reason."
    return None


def _complete(application, context: Mapping[str, Any]) -> str | None:
    missing = context.get("missing") or []
    if missing:
        return "Finish every section before you submit: " + ", ".join(missing) + "."
    if not (context.get("declaration_name") or "").strip():
        return "Confirm the declaration by typing your full name."
    return None


def _on_submit(application, context: Mapping[str, Any]) -> None:
    application.submitted_at = now()
    application.declaration_name = context["declaration_name"].strip()
    application.decision_due_on = decision_due(
        application.submitted_at, application.dps.decision_target_days
    )


def _can_extend(application, context: Mapping[str, Any]) -> str | None:
    rules = REGIMES[application.dps.regime]
    if rules.decision_extension_working_days is None:
        return (
            f"The {rules.name} has no extension of the decision period; decide within a "
            "reasonable period."
        )
    if application.extended:
        return "The decision period has already been extended."
    return _reason_given(application, context)


def _on_extend(application, context: Mapping[str, Any]) -> None:
    rules = REGIMES[application.dps.regime]
    received = to_london(application.submitted_at).date()
    application.decision_due_on = add_working_days(received, rules.decision_extension_working_days)
    application.extended = True
    application.extension_reason = context["reason"].strip()


def _some_scope_admitted(application, context: Mapping[str, Any]) -> str | None:
    if not context.get("admitted_scope_ids"):
        return "Choose at least one service and zone to admit, or reject the application."
    return None


def _on_decide(application, context: Mapping[str, Any]) -> None:
    application.decided_at = now()
    application.decision_reason = (context.get("reason") or "").strip() or None


APPLICATION_TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("draft", "submit"): Transition("submitted", _complete, _on_submit),
    ("draft", "withdraw"): Transition("withdrawn"),
    ("submitted", "request_clarification"): Transition("clarification", _reason_given),
    ("clarification", "answer_clarification"): Transition("submitted", _reason_given),
    ("submitted", "extend"): Transition("submitted", _can_extend, _on_extend),
    ("clarification", "extend"): Transition("clarification", _can_extend, _on_extend),
    ("submitted", "admit"): Transition("admitted", _some_scope_admitted, _on_decide),
    ("clarification", "admit"): Transition("admitted", _some_scope_admitted, _on_decide),
    ("submitted", "reject"): Transition("rejected", _reason_given, _on_decide),
    ("clarification", "reject"): Transition("rejected", _reason_given, _on_decide),
    ("submitted", "withdraw"): Transition("withdrawn"),
    ("clarification", "withdraw"): Transition("withdrawn"),
}

OPEN_STATES = ("submitted", "clarification")
STATUS_LABELS = {
    "draft": "Draft",
    "submitted": "Awaiting decision",
    "clarification": "Clarification asked",
    "admitted": "Admitted",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}


def _on_status_change(membership, context: Mapping[str, Any]) -> None:
    membership.status_reason = context["reason"].strip()
    membership.status_changed_at = now()
    membership.suspension_proposed = None


MEMBERSHIP_TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("active", "suspend"): Transition("suspended", _reason_given, _on_status_change),
    ("suspended", "reinstate"): Transition("active", _reason_given, _on_status_change),
    ("active", "remove"): Transition("removed", _reason_given, _on_status_change),
    ("suspended", "remove"): Transition("removed", _reason_given, _on_status_change),
    ("removed", "readmit"): Transition("active", _reason_given, _on_status_change),
}

MEMBERSHIP_LABELS = {"active": "Member", "suspended": "Suspended", "removed": "Removed"}


def _dps_ready(dps, context: Mapping[str, Any]) -> str | None:
    if not dps.categories:
        return "Add at least one category before publishing."
    if not dps.zones:
        return "Add at least one zone before publishing."
    return None


def _on_publish(dps, context: Mapping[str, Any]) -> None:
    dps.published_at = now()


DPS_TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("draft", "publish"): Transition("published", _dps_ready, _on_publish),
    ("published", "close"): Transition("closed"),
}
