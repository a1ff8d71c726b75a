"""The lifecycles of a tender and of a bid, as transition tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dps.state.clock import now
from dps.state.machine import Transition


def _ready_to_publish(tender, context: Mapping[str, Any]) -> str | None:
    problems = context.get("problems") or []
    return "Fix these before publishing: " + "; ".join(problems) + "." if problems else None


def _on_publish(tender, context: Mapping[str, Any]) -> None:
    tender.published_at = now()


def _closing_time_passed(tender, context: Mapping[str, Any]) -> str | None:
    if tender.closing_at is None or now() < tender.closing_at:
        return "The closing time has not passed yet."
    return None


def _can_open(tender, context: Mapping[str, Any]) -> str | None:
    problem = _closing_time_passed(tender, context)
    if problem:
        return "Bids cannot be opened before the closing time."
    actor = context["actor"]
    if tender.opening_needs_two_officers:
        if tender.opening_requested_by_id is None:
            return "A first officer must ask to open the bids."
        if tender.opening_requested_by_id == actor.id:
            return "A second, different officer must confirm the opening."
    return None


def _on_open(tender, context: Mapping[str, Any]) -> None:
    tender.opened_at = now()
    tender.opened_by_id = context["actor"].id


def _reason_given(tender, context: Mapping[str, Any]) -> str | None:
    return None if (context.get("reason") or "").strip() else "Give a reason."


TENDER_TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("draft", "publish"): Transition("published", _ready_to_publish, _on_publish),
    ("draft", "cancel"): Transition("cancelled", _reason_given),
    ("published", "close"): Transition("closed", _closing_time_passed),
    ("published", "cancel"): Transition("cancelled", _reason_given),
    ("closed", "open"): Transition("opened", _can_open, _on_open),
    ("closed", "cancel"): Transition("cancelled", _reason_given),
    ("opened", "start_evaluation"): Transition("in_evaluation"),
    ("opened", "cancel"): Transition("cancelled", _reason_given),
    ("in_evaluation", "award"): Transition("awarded"),
    ("in_evaluation", "cancel"): Transition("cancelled", _reason_given),
}

TENDER_LABELS = {
    "draft": "Draft",
    "published": "Open for bids",
    "closed": "Closed, not yet opened",
    "opened": "Opened",
    "in_evaluation": "In evaluation",
    "awarded": "Awarded",
    "cancelled": "Cancelled",
}


def _before_closing(bid, context: Mapping[str, Any]) -> str | None:
    tender = bid.tender
    if tender.status != "published" or tender.closing_at is None or now() >= tender.closing_at:
        return "The closing time has passed, so bids can no longer be changed or submitted."
    return None


def _on_submit(bid, context: Mapping[str, Any]) -> None:
    bid.submitted_at = now()


BID_TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("draft", "submit"): Transition("submitted", _before_closing, _on_submit),
    ("submitted", "replace"): Transition("submitted", _before_closing, _on_submit),
    ("submitted", "withdraw"): Transition("withdrawn", _before_closing),
    ("withdrawn", "submit"): Transition("submitted", _before_closing, _on_submit),
    ("draft", "save"): Transition("draft", _before_closing),
    ("withdrawn", "save"): Transition("withdrawn", _before_closing),
    ("submitted", "save"): Transition("submitted", _before_closing),
}

BID_LABELS = {"draft": "Draft (not submitted)", "submitted": "Submitted", "withdrawn": "Withdrawn"}
