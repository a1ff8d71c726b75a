"""What each procurement regime means for a DPS, in words for officers and providers.

The numbers (decision periods, the PCR 2015 cut-off) come from ``dps.state.calendar.REGIMES``;
the few setup rules kept here (conditions of membership, fees) are data too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dps.models.dps import DynamicPurchasingSystem
from dps.state.calendar import REGIMES
from dps.state.clock import format_date


def long_date(day: date) -> str:
    """GOV.UK style, without the weekday: "24 February 2029"."""
    return format_date(day, weekday=False)


def term_in_words(starts_on: date, ends_on: date) -> str:
    """The length of a term in whole years and months: "10 years", "2 years and 11 months"."""
    months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month
    if ends_on.day < starts_on.day:
        months -= 1
    years, months = divmod(max(months, 0), 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " and ".join(parts) or "Less than a month"


@dataclass(frozen=True)
class RegimeSetup:
    """What the regime means for setting up and running the DPS, beyond REGIMES."""

    short_name: str
    # Whether membership may be limited by conditions of membership (PA 2023 s.35).
    conditions_of_membership_allowed: bool
    # Whether the law itself forbids a fee (PCR 2015 reg. 34(9)); we never charge one anyway.
    fee_forbidden_by_law: bool
    # The regime in plain words, for providers.
    plain_words: str


REGIME_SETUP: dict[str, RegimeSetup] = {
    "pcr2015_dps": RegimeSetup(
        short_name="PCR 2015 dynamic purchasing system",
        conditions_of_membership_allowed=False,
        fee_forbidden_by_law=True,
        plain_words=(
            "A dynamic purchasing system under the Public Contracts Regulations 2015. Any "
            "provider that meets the selection criteria is admitted, and the list stays open "
            "for applications for its whole term."
        ),
    ),
    "light_touch": RegimeSetup(
        short_name="Light-touch regime arrangement",
        conditions_of_membership_allowed=False,
        fee_forbidden_by_law=False,
        plain_words=(
            "An open list run under the light-touch rules for care services, which works like "
            "a dynamic purchasing system: any provider that meets the selection criteria is "
            "admitted, at any time during its term."
        ),
    ),
    "pa2023_dynamic_market": RegimeSetup(
        short_name="Procurement Act 2023 dynamic market",
        conditions_of_membership_allowed=True,
        fee_forbidden_by_law=False,
        plain_words=(
            "A dynamic market under the Procurement Act 2023. Any provider that meets the "
            "conditions of membership is admitted, and the market stays open for applications "
            "for its whole term."
        ),
    ),
}


def regime_rules_in_words(regime: str) -> list[str]:
    """The rules a regime sets, one sentence each, for the officer choosing it."""
    rules = REGIMES[regime]
    setup = REGIME_SETUP[regime]
    sentences = []
    if rules.decision_period_is_statutory:
        sentence = (
            f"Applications must be decided within {rules.decision_working_days} working days "
            "(set by law)"
        )
    elif setup.conditions_of_membership_allowed:
        sentence = (
            "Applications must be decided within a reasonable period: you set a target "
            f"(normally {rules.decision_working_days} working days)"
        )
    else:
        sentence = (
            "Applications are decided within the target you set "
            f"(normally {rules.decision_working_days} working days)"
        )
    if rules.decision_extension_working_days:
        sentence += (
            f", extendable to {rules.decision_extension_working_days} working days "
            "with a recorded reason"
        )
    sentences.append(sentence + ".")
    if rules.last_end_date is not None:
        sentences.append(f"It cannot run past {long_date(rules.last_end_date)}.")
    if setup.conditions_of_membership_allowed:
        sentences.append("Membership may be limited by conditions of membership.")
    if setup.fee_forbidden_by_law:
        sentences.append("The law forbids charging providers a fee.")
    else:
        sentences.append("No fee is charged to providers.")
    return sentences


def decision_period_in_words(dps: DynamicPurchasingSystem) -> str:
    """When an applicant hears back, as a sentence or two."""
    rules = REGIMES[dps.regime]
    days = f"{dps.decision_target_days} working days"
    if REGIME_SETUP[dps.regime].conditions_of_membership_allowed:
        words = f"Within a reasonable period of receiving an application: our target is {days}."
    elif rules.decision_period_is_statutory:
        words = f"Within {days} of receiving an application (set by law)."
    else:
        words = f"Within {days} of receiving an application."
    if rules.decision_extension_working_days:
        words += (
            f" This can be extended to {rules.decision_extension_working_days} working days, "
            "with a recorded reason."
        )
    return words
