"""The lifecycle of an award decision (AwardDecision.status) and of one award letter, as tables.

An award is proposed by the lead officer and approved by a different officer; approval queues
the letters; when the last letter is made the standstill starts (or, with no standstill, is
over at once); the tick ends it; a challenge holds the award until it is lifted; recording the
contracts concludes it. Services add the audit record, the messages and the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dps.state.calendar import standstill_end, standstill_over
from dps.state.clock import now, to_london
from dps.state.machine import Transition

PA_2023 = "pa2023_dynamic_market"


def standstill_applies(regime: str, voluntary_standstill: bool) -> bool:
    """PA 2023 always has a standstill; a PCR 2015 call-off (or light touch) has one only if the
    tender chose a voluntary standstill."""
    return regime == PA_2023 or bool(voluntary_standstill)


def _different_officer(award, context: Mapping[str, Any]) -> str | None:
    actor = context.get("actor")
    if actor is None:
        return "An officer must approve the award."
    if actor.id == award.proposed_by_id:
        return (
            "You proposed this award, so you cannot approve it. A different officer must "
            "approve it."
        )
    return None


def _on_approve(award, context: Mapping[str, Any]) -> None:
    """Approval sends the letters: the standstill counts from this moment (the letters' date)."""
    award.approved_by_id = context["actor"].id
    award.approved_at = now()
    award.letters_sent_at = award.approved_at
    regime = context["regime"]
    award.standstill_applies = standstill_applies(regime, context.get("voluntary_standstill", True))
    award.standstill_ends_at = (
        standstill_end(award.letters_sent_at, regime) if award.standstill_applies else None
    )


def _reason_given(award, context: Mapping[str, Any]) -> str | None:
    return None if (context.get("reason") or "").strip() else "Give a reason."


def _on_letters_done(award, context: Mapping[str, Any]) -> None:
    """If the batch finished on a later UK day than it started, the standstill runs from the
    later day: it is only ever lengthened, never shortened."""
    finished = now()
    started = award.letters_sent_at or finished
    if to_london(finished).date() > to_london(started).date():
        award.letters_sent_at = finished
        if award.standstill_applies:
            later = standstill_end(finished, context["regime"])
            if award.standstill_ends_at is None or later > award.standstill_ends_at:
                award.standstill_ends_at = later


def _standstill_passed(award, context: Mapping[str, Any]) -> str | None:
    if not award.standstill_applies:
        return None
    if award.standstill_ends_at is None or not standstill_over(award.standstill_ends_at, now()):
        return "The standstill period has not ended yet."
    return None


def _on_challenge(award, context: Mapping[str, Any]) -> None:
    award.challenged_at = now()
    award.challenge_details = context["reason"].strip()
    actor = context.get("actor")
    award.challenge_recorded_by_id = actor.id if actor is not None else None


def _contracts_recorded(award, context: Mapping[str, Any]) -> str | None:
    return None if context.get("contracts_recorded") else "Record the contracts first."


def _on_conclude(award, context: Mapping[str, Any]) -> None:
    award.concluded_at = now()


AWARD_TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("proposed", "approve"): Transition("approved", _different_officer, _on_approve),
    ("proposed", "withdraw"): Transition("withdrawn", _reason_given),
    # "standstill"; the service fires end_standstill at once when no standstill applies.
    ("approved", "letters_done"): Transition("standstill", None, _on_letters_done),
    ("standstill", "end_standstill"): Transition("standstill_over", _standstill_passed),
    ("standstill", "challenge"): Transition("challenged", _reason_given, _on_challenge),
    ("standstill_over", "challenge"): Transition("challenged", _reason_given, _on_challenge),
    ("challenged", "lift_challenge"): Transition("standstill_over", _reason_given),
    ("standstill_over", "conclude"): Transition("concluded", _contracts_recorded, _on_conclude),
}

AWARD_LABELS = {
    "proposed": "Proposed, waiting for a second officer to approve",
    "approved": "Approved, letters being made",
    "withdrawn": "Withdrawn",
    "standstill": "Letters sent, in standstill",
    "standstill_over": "Standstill over",
    "challenged": "Challenged, award on hold",
    "concluded": "Concluded, contracts recorded",
}

LETTER_LABELS = {
    "pending": "Waiting",
    "made": "Made and sent",
    "failed": "Failed",
}
