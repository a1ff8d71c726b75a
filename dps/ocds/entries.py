"""OCDS building blocks: plain data in, JSON-ready dicts out (no database, no Flask).

The release modules read the models and feed these (awards and contracts: ``dps.ocds.awards``).
Numbers leave as int or float: every figure here is a whole number or rounded to the penny,
and a float's shortest form prints those digits exactly (``number`` refuses anything else).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from dps.state.clock import LONDON, to_london

CURRENCY = "GBP"
SERVICE_SCHEME = "x_service_type"  # a DPS category code (service type)
ZONE_SCHEME = "x_zone"  # a DPS zone code (district or locality)
ROLE_ORDER = ("buyer", "procuringEntity", "tenderer", "supplier", "payer")
SME_SIZES = frozenset({"micro", "small", "medium"})
HOUR_UNIT = {"scheme": "UNCEFACT", "id": "HUR", "name": "Hour"}
_PERCENT_PLACES = Decimal("0.01")


# Values ---------------------------------------------------------------------------------------


def instant(moment: datetime) -> str:
    """An instant in UK time with its offset, e.g. 2026-03-02T17:00:00+00:00."""
    return to_london(moment).isoformat(timespec="seconds")


def day_start(day: date) -> str:
    """The first second of a UK calendar day."""
    return datetime.combine(day, time(0, 0), LONDON).isoformat(timespec="seconds")


def day_end(day: date) -> str:
    """The last second of a UK calendar day (how this service writes end-of-day deadlines)."""
    return datetime.combine(day, time(23, 59, 59), LONDON).isoformat(timespec="seconds")


def period(start: str | None, end: str | None) -> dict | None:
    value = {key: item for key, item in (("startDate", start), ("endDate", end)) if item}
    return value or None


def number(value: Decimal | int) -> int | float:
    """A JSON number for a Decimal; refuses more digits than a float keeps exactly."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) != value.normalize():
        raise ValueError(f"{value} has more digits than the export keeps")
    return as_float


def money(amount: Decimal) -> dict:
    return {
        "amount": number(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
        "currency": CURRENCY,
    }


def compact(entry: dict) -> dict:
    """Drop keys whose value is None or an empty list, so optional fields are simply absent."""
    return {key: value for key, value in entry.items() if value is not None and value != []}


# Parties ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """An organisation as it is published. Contact details are given for authorities only."""

    id: int
    name: str
    legal_name: str | None = None
    companies_house_number: str | None = None
    contact_email: str | None = None


def party_id(organisation_id: int) -> str:
    return f"org-{organisation_id}"


class Parties:
    """The release's ``parties``: each organisation once, with every role it plays."""

    def __init__(self) -> None:
        self._parties: dict[int, Party] = {}
        self._roles: dict[int, set[str]] = {}

    def add(self, party: Party, *roles: str) -> dict:
        """Record the party in these roles; returns the OrganizationReference to it."""
        self._parties.setdefault(party.id, party)
        self._roles.setdefault(party.id, set()).update(roles)
        return {"id": party_id(party.id), "name": party.name}

    def roles_of(self, organisation_id: int) -> list[str]:
        return sorted(self._roles.get(organisation_id, ()), key=ROLE_ORDER.index)

    def entries(self) -> list[dict]:
        return [self._entry(party) for party in self._parties.values()]

    def _entry(self, party: Party) -> dict:
        identifier = None
        if party.companies_house_number:
            identifier = compact(
                {
                    "scheme": "GB-COH",
                    "id": party.companies_house_number,
                    "legalName": party.legal_name,
                }
            )
        contact = {"email": party.contact_email} if party.contact_email else None
        return compact(
            {
                "id": party_id(party.id),
                "name": party.name,
                "identifier": identifier,
                "contactPoint": contact,
                "roles": self.roles_of(party.id),
            }
        )


# Items ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    scheme: str
    id: str
    description: str

    def entry(self) -> dict:
        return {"scheme": self.scheme, "id": self.id, "description": self.description}


@dataclass(frozen=True)
class ItemData:
    """What is bought: a service type, where (zones), how much (hours a week), at what rate."""

    id: str
    description: str
    service: Classification
    zones: tuple[Classification, ...] = ()
    hours_per_week: Decimal | None = None
    hourly_rate: Decimal | None = None
    lot_id: str | None = None


def item_entry(item: ItemData) -> dict:
    unit = None
    if item.hours_per_week is not None or item.hourly_rate is not None:
        unit = dict(HOUR_UNIT)
        if item.hourly_rate is not None:
            unit["value"] = money(item.hourly_rate)
    return compact(
        {
            "id": item.id,
            "description": item.description,
            "classification": item.service.entry(),
            "additionalClassifications": [zone.entry() for zone in item.zones],
            "quantity": number(item.hours_per_week) if item.hours_per_week is not None else None,
            "unit": unit,
            "relatedLot": item.lot_id,
        }
    )


# Award criteria (awardCriteriaBreakdown extension) --------------------------------------------


@dataclass(frozen=True)
class QuestionData:
    number: int
    text: str
    weight: Decimal  # relative to the other questions' weights
    max_mark: int
    min_mark: int | None = None
    marked_by_panel: bool = False


def _percent(value: Decimal) -> int | float:
    return number(value.quantize(_PERCENT_PLACES, rounding=ROUND_HALF_UP))


def award_criteria(
    quality_weight: Decimal, price_weight: Decimal, questions: Sequence[QuestionData]
) -> dict:
    """Lot.awardCriteria: each quality question's share of the quality weighting, and price."""
    criteria = []
    total = sum((question.weight for question in questions), Decimal(0))
    if quality_weight > 0 and total > 0:
        for question in questions:
            share = question.weight / total * quality_weight
            numbers = [{"number": _percent(share), "weight": "percentageExact"}]
            if question.min_mark is not None:
                numbers.append({"number": question.min_mark, "threshold": "minimumScore"})
            criteria.append(
                compact(
                    {
                        "type": "quality",
                        "name": f"Quality question {question.number}",
                        "description": _question_words(question),
                        "numbers": numbers,
                    }
                )
            )
    elif quality_weight > 0:
        criteria.append(
            {
                "type": "quality",
                "name": "Quality",
                "numbers": [{"number": _percent(quality_weight), "weight": "percentageExact"}],
            }
        )
    if price_weight > 0:
        criteria.append(
            {
                "type": "price",
                "name": "Price",
                "description": "The hourly rate, with a full breakdown of its costs.",
                "numbers": [{"number": _percent(price_weight), "weight": "percentageExact"}],
            }
        )
    return compact(
        {
            "weightingDescription": weighting_words(quality_weight, price_weight),
            "criteria": criteria,
        }
    )


def weighting_words(quality_weight: Decimal, price_weight: Decimal) -> str:
    return (
        f"Quality {_percent(quality_weight)}%, price {_percent(price_weight)}%. Each quality "
        "question's share of the quality weighting is its weight divided by the total of the "
        "question weights, shown here rounded to two decimal places."
    )


def _question_words(question: QuestionData) -> str:
    words = [question.text.strip(), f"Marked out of {question.max_mark}."]
    if question.min_mark is not None:
        words.append(f"A mark below {question.min_mark} excludes the bid.")
    if question.marked_by_panel:
        words.append("Marked by the Experts by Experience panel.")
    return " ".join(word for word in words if word)


# Bid statistics (bid extension) ---------------------------------------------------------------


@dataclass(frozen=True)
class LotCounts:
    """Per lot: providers invited, and (once bids are final) submitted bids and those from SMEs."""

    lot_id: str
    invitations: int
    bids: int | None = None
    sme_bids: int | None = None


def bid_statistics(lots: Sequence[LotCounts], bidders: int | None, as_of: datetime) -> list[dict]:
    """bids.statistics: counts only, never anything from inside a bid."""
    when = instant(as_of)
    statistics = []
    for lot in lots:
        statistics.append(
            {
                "id": f"{lot.lot_id}-invitations",
                "measure": "invitations",
                "value": lot.invitations,
                "notes": "Providers invited to bid: those admitted to the DPS for the service "
                "and the lot's zones when the tender was published.",
                "date": when,
                "relatedLot": lot.lot_id,
            }
        )
        if lot.bids is not None:
            statistics.append(
                {
                    "id": f"{lot.lot_id}-bids",
                    "measure": "bids",
                    "value": lot.bids,
                    "date": when,
                    "relatedLot": lot.lot_id,
                }
            )
        if lot.sme_bids is not None:
            statistics.append(
                {
                    "id": f"{lot.lot_id}-smeBids",
                    "measure": "smeBids",
                    "value": lot.sme_bids,
                    "date": when,
                    "relatedLot": lot.lot_id,
                }
            )
    if bidders is not None:
        total = sum(lot.bids or 0 for lot in lots)
        statistics.append({"id": "bids", "measure": "bids", "value": total, "date": when})
        statistics.append({"id": "bidders", "measure": "bidders", "value": bidders, "date": when})
    return statistics
