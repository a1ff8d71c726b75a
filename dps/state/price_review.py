"""The price check of one opened bid, and the abnormally-low explanation procedure.

Nothing is rejected for being low without asking the bidder first: "low" can only become
"rejected" through a request for an explanation and either a reasoned rejection of the answer
or a deadline passed with no answer. A bid below the National Living Wage is rejected by the
rule itself when it is checked ("rejected" is then set directly by the service, not by an event).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dps.state.clock import now
from dps.state.machine import Transition

STATUS_LABELS = {
    "checked": "Checked",
    "low": "Abnormally low",
    "explanation_requested": "Explanation requested",
    "explanation_received": "Explanation received",
    "accepted": "Explanation accepted",
    "rejected": "Rejected",
}
SETTLED = ("checked", "accepted", "rejected")


def _text(context: Mapping[str, Any], key: str) -> str:
    return (context.get(key) or "").strip()


def _request_ready(review, context: Mapping[str, Any]) -> str | None:
    if not _text(context, "text"):
        return "Enter what you want the bidder to explain."
    due = context.get("due_at")
    if due is None:
        return "Enter the date and time the explanation is due."
    if due <= now():
        return "The date the explanation is due must be in the future."
    return None


def _on_request(review, context: Mapping[str, Any]) -> None:
    review.request_text = _text(context, "text")
    review.response_due_at = context["due_at"]
    review.requested_at = now()
    review.requested_by_id = context["actor"].id


def _answer_ready(review, context: Mapping[str, Any]) -> str | None:
    if review.response_due_at is not None and now() >= review.response_due_at:
        return "The deadline for the explanation has passed."
    if not _text(context, "text"):
        return "Enter your explanation."
    return None


def _on_answer(review, context: Mapping[str, Any]) -> None:
    review.response_text = _text(context, "text")
    review.responded_at = now()
    review.responded_by_id = context["actor"].id


def _reason_given(review, context: Mapping[str, Any]) -> str | None:
    return None if _text(context, "reason") else "Give the reason for your decision."


def _unanswered_after_deadline(review, context: Mapping[str, Any]) -> str | None:
    if review.response_due_at is None or now() < review.response_due_at:
        return (
            "The bidder still has time to explain: a price can be rejected without an "
            "answer only after the deadline has passed."
        )
    return _reason_given(review, context)


def _on_decide(review, context: Mapping[str, Any]) -> None:
    review.decision_reason = _text(context, "reason")
    review.decided_at = now()
    review.decided_by_id = context["actor"].id


PRICE_REVIEW_TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("low", "request_explanation"): Transition(
        "explanation_requested", _request_ready, _on_request
    ),
    ("explanation_requested", "receive"): Transition(
        "explanation_received", _answer_ready, _on_answer
    ),
    ("explanation_received", "accept"): Transition("accepted", _reason_given, _on_decide),
    ("explanation_received", "reject"): Transition("rejected", _reason_given, _on_decide),
    ("explanation_requested", "reject"): Transition(
        "rejected", _unanswered_after_deadline, _on_decide
    ),
}
