"""The rules for building a tender, as data and pure functions: no Flask, no database.

The services in `tenders` and `tender_parts` apply them and record what changed; the pages
show their sentences as they are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from dps.state.calendar import REGIMES, standstill_end
from dps.state.clock import LONDON, format_date, format_london_date, to_london
from evaluation.costs import STOCKPORT_2018, UKHCA_STYLE_2026, CostTemplate


class TenderError(Exception):
    """A change to a tender that is refused, in words for the officer; `field` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# The cost templates an officer may ask bidders to fill in, by the code the pages use.
PRICE_MODELS: dict[str, CostTemplate] = {
    "ukhca_2026": UKHCA_STYLE_2026,
    "stockport_2018": STOCKPORT_2018,
}

# Tie-break rules: the order in which ties in the combined score are broken.
TIE_BREAKS: dict[str, str] = {
    "quality,price,submission": (
        "Higher quality score first, then lower price, then the bid submitted first"
    ),
    "price,quality,submission": (
        "Lower price first, then higher quality score, then the bid submitted first"
    ),
}
DEFAULT_TIE_BREAK = "quality,price,submission"

MARKED_BY = {"officer": "Officers (evaluators)", "panel": "Experts by Experience panel"}

# The usual 0 to 5 marking scale, in plain words that evaluators and the panel read alike.
DEFAULT_SCALE: tuple[tuple[str, str], ...] = (
    ("Unacceptable", "No answer, or the answer does not address the question."),
    (
        "Poor",
        "The answer addresses the question only in part. It leaves out important points or "
        "gives little evidence, so we have serious doubts the provider could do this well.",
    ),
    (
        "Weak",
        "The answer addresses the question but is missing detail or evidence in several "
        "places, so we have some doubts.",
    ),
    (
        "Satisfactory",
        "The answer meets what we asked for, with enough detail and evidence. We have only "
        "minor doubts.",
    ),
    (
        "Good",
        "The answer meets everything we asked for, with relevant detail and evidence. We have "
        "no doubts.",
    ),
    (
        "Excellent",
        "The answer meets everything we asked for, with detailed evidence, and shows how the "
        "provider would make life better for the people it supports.",
    ),
)

MAX_MARK_LIMIT = 10
WORD_LIMIT_RANGE = (50, 5000)
PROVIDERS_PER_LOT_LIMIT = 50
HOURS_LIMIT = Decimal("100000")
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


def default_scale(max_mark: int) -> list[dict]:
    """The default scale from 0 to max_mark: the plain 0-5 descriptors, or a plain linear one."""
    if max_mark == len(DEFAULT_SCALE) - 1:
        return [
            {"mark": mark, "label": label, "descriptor": descriptor}
            for mark, (label, descriptor) in enumerate(DEFAULT_SCALE)
        ]
    scale = []
    for mark in range(max_mark + 1):
        if mark == 0:
            label, descriptor = DEFAULT_SCALE[0]
        elif mark == max_mark:
            label, descriptor = DEFAULT_SCALE[-1]
        else:
            label = f"{mark} out of {max_mark}"
            descriptor = (
                f"Better than a mark of {mark - 1} and not as good as a mark of {mark + 1}."
            )
        scale.append({"mark": mark, "label": label, "descriptor": descriptor})
    return scale


def scale_json(scale: list[dict]) -> str:
    return json.dumps(scale, ensure_ascii=False)


def parse_scale(stored: str) -> list[dict]:
    return json.loads(stored) if stored else []


def price_model_code(cost_template: str) -> str | None:
    """Which of PRICE_MODELS a stored template is, or None when none is chosen yet."""
    if not cost_template:
        return None
    template_id = json.loads(cost_template).get("id")
    for code, template in PRICE_MODELS.items():
        if template.id == template_id:
            return code
    return "custom"


def price_model_title(cost_template: str) -> str:
    if not cost_template:
        return ""
    return json.loads(cost_template).get("title", "")


def parse_decimal(raw: str | Decimal | None, what: str, field: str) -> Decimal:
    """A Decimal from what a person typed ("1,250.5", "60%"), or TenderError naming the input."""
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = (raw or "").strip().replace(",", "").rstrip("%").strip()
        if not text:
            raise TenderError(f"Enter {what}", field)
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise TenderError(f"{what[0].upper()}{what[1:]} must be a number", field) from None
    if not value.is_finite():
        raise TenderError(f"{what[0].upper()}{what[1:]} must be a number", field)
    if value != value.quantize(Decimal("0.01")):
        raise TenderError(f"{what[0].upper()}{what[1:]} can have up to 2 decimal places", field)
    return value.quantize(Decimal("0.01"))


def check_weighting(quality_weight: Decimal, price_weight: Decimal) -> None:
    for value, name, field in (
        (quality_weight, "quality", "quality_weight"),
        (price_weight, "price", "price_weight"),
    ):
        if not Decimal(0) <= value <= Decimal(100):
            raise TenderError(f"The {name} weighting must be between 0 and 100", field)
    if quality_weight + price_weight != Decimal(100):
        raise TenderError(
            f"The quality and price weightings must add up to 100 (they add up to "
            f"{(quality_weight + price_weight).normalize():f})",
            "quality_weight",
        )


# ---------------------------------------------------------------------------------------------
# The timetable


@dataclass(frozen=True)
class Timetable:
    clarification_deadline: datetime | None
    closing_at: datetime | None
    evaluation_on: date | None
    award_on: date | None
    contract_start_on: date | None


def london_instant(day: date, at: time) -> datetime:
    """The aware instant of a UK wall-clock time; refuses the hour the clocks skip in March."""
    local = datetime.combine(day, at, tzinfo=LONDON)
    round_trip = local.astimezone(UTC).astimezone(LONDON)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError("that time does not exist in the UK on that day")
    return local.astimezone(UTC)


def min_tender_days(regime: str, configured: int | None = None) -> int:
    """Calendar days from invitation to closing: the law's number, or the council's minimum.

    `configured` (the app's TENDER_MIN_DAYS setting) only applies where the regime leaves the
    period to the authority (the Procurement Act's "reasonable" period); the law's figure stays.
    """
    rules = REGIMES[regime]
    if rules.min_tender_days_is_statutory or configured is None:
        return rules.min_tender_days
    return max(int(configured), 1)


def earliest_closing_date(published_at: datetime, days: int) -> date:
    """Counting from the UK date of the invitation: the invitation day itself is not counted."""
    return to_london(published_at).date() + timedelta(days=days)


def minimum_period_rule(regime: str, days: int) -> str:
    """The rule on the tendering period, in words."""
    if regime == "pcr2015_dps":
        return (
            "Under the Public Contracts Regulations 2015, a call-off from a dynamic purchasing "
            f"system must allow at least {days} days from the invitation to the closing date"
        )
    if regime == "pa2023_dynamic_market":
        return (
            "Under the Procurement Act 2023 the tendering period must be reasonable: the "
            f"council's minimum is {days} days from the invitation to the closing date"
        )
    return f"The council's minimum is {days} days from the invitation to the closing date"


def timetable_problems(
    timetable: Timetable,
    *,
    regime: str,
    published_at: datetime,
    min_days: int,
    voluntary_standstill: bool,
) -> list[tuple[str, str]]:
    """Every problem with the timetable as (field, sentence); `published_at` is now when the
    tender is still a draft, since publishing now is the earliest it can be sent."""
    problems: list[tuple[str, str]] = []
    missing = [
        ("clarification_deadline", timetable.clarification_deadline, "clarification deadline"),
        ("closing", timetable.closing_at, "closing date and time"),
        ("evaluation_on", timetable.evaluation_on, "evaluation date"),
        ("award_on", timetable.award_on, "award date"),
        ("contract_start_on", timetable.contract_start_on, "contract start date"),
    ]
    for field, value, words in missing:
        if value is None:
            problems.append((field, f"Enter the {words}"))
    if problems:
        return problems
    closing_day = to_london(timetable.closing_at).date()
    earliest = earliest_closing_date(published_at, min_days)
    if closing_day < earliest:
        problems.append(
            (
                "closing",
                f"{minimum_period_rule(regime, min_days)}. If it is published on "
                f"{format_london_date(published_at)}, the closing date must be "
                f"{format_date(earliest)} or later",
            )
        )
    if timetable.clarification_deadline <= published_at:
        problems.append(
            ("clarification_deadline", "The clarification deadline must be in the future")
        )
    if timetable.clarification_deadline >= timetable.closing_at:
        problems.append(
            (
                "clarification_deadline",
                "The clarification deadline must be before the closing time",
            )
        )
    if timetable.evaluation_on < closing_day:
        problems.append(
            ("evaluation_on", "The evaluation date must be on or after the closing date")
        )
    if timetable.award_on < timetable.evaluation_on:
        problems.append(("award_on", "The award date must be on or after the evaluation date"))
    if timetable.contract_start_on <= timetable.award_on:
        problems.append(
            ("contract_start_on", "The contract start date must be after the award date")
        )
    elif voluntary_standstill:
        last_day = standstill_last_day(timetable.award_on, regime)
        if timetable.contract_start_on <= last_day:
            problems.append(
                (
                    "contract_start_on",
                    "The contract start date must be after the standstill period, which ends "
                    f"at midnight at the end of {format_date(last_day)} if the award letters go "
                    "out on the award date",
                )
            )
    return problems


def standstill_last_day(award_on: date, regime: str) -> date:
    """The last day of standstill if the award letters are sent on the award date."""
    return standstill_end(datetime.combine(award_on, time(12), tzinfo=LONDON), regime).date()


def plain_number(value: Decimal | int) -> str:
    """850.00 -> "850", 62.50 -> "62.5": a Decimal as people write it (never "8.5E+2")."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
