"""Market intelligence over one DPS: who is admitted where, how big and how well rated they are
(here), what they bid, what is contracted and how fast applications are decided
(dps.services.market_activity).

Every figure comes from a GROUP BY (or a window) in the database, so the page costs the same
handful of statements whether the DPS has ten members or a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from dps.extensions import db
from dps.models.dps import Category, DynamicPurchasingSystem, Zone
from dps.models.organisation import Organisation, ProviderSize
from dps.models.provider import CqcRating, Membership, MembershipScope
from dps.services import market_activity as activity
from dps.services.decision_queue import involving
from dps.services.market_activity import Decisions, HoursRow, PriceRow, percent
from dps.services.membership import CQC_RATINGS

DEFAULT_THRESHOLD = 3
MAX_THRESHOLD = 999
SIZE_ORDER = [size.value for size in ProviderSize]
NOT_RECORDED = "Not recorded"


class MarketError(Exception):
    """A filter the page cannot use; the message says what to change."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Filters:
    category_id: int | None = None
    zone_id: int | None = None
    threshold: int = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class ZoneInfo:
    id: int
    label: str
    hard_to_serve: bool
    parent_id: int | None


@dataclass
class Market:
    dps: DynamicPurchasingSystem
    filters: Filters
    categories: list[tuple[int, str]]
    zones: list[ZoneInfo]
    shown_categories: list[tuple[int, str]]
    shown_zones: list[ZoneInfo]
    grid: dict[tuple[int, int], int] = field(default_factory=dict)
    zone_totals: dict[int, int] = field(default_factory=dict)
    sizes: list[tuple[str, int]] = field(default_factory=list)
    ratings: list[tuple[str, int]] = field(default_factory=list)
    prices: list[PriceRow] = field(default_factory=list)
    hours: list[HoursRow] = field(default_factory=list)
    decisions: Decisions | None = None

    @property
    def providers(self) -> int:
        return sum(count for _, count in self.sizes)

    @property
    def micro_and_small(self) -> int:
        return sum(count for size, count in self.sizes if size in ("micro", "small"))

    @property
    def micro_and_small_percent(self) -> Decimal | None:
        return percent(self.micro_and_small, self.providers)

    @property
    def thin_zones(self) -> list[ZoneInfo]:
        threshold = self.filters.threshold
        return [z for z in self.shown_zones if self.zone_totals.get(z.id, 0) < threshold]


def dps_for_officer(organisation_id: int | None, dps_id: int) -> DynamicPurchasingSystem | None:
    """The DPS if the officer's authority leads it or is a partner in it, else None (404)."""
    return db.session.scalar(
        select(DynamicPurchasingSystem).where(
            DynamicPurchasingSystem.id == dps_id, involving(organisation_id)
        )
    )


def dps_list(organisation_id: int | None) -> list[DynamicPurchasingSystem]:
    return list(
        db.session.scalars(
            select(DynamicPurchasingSystem)
            .where(DynamicPurchasingSystem.status != "draft", involving(organisation_id))
            .order_by(DynamicPurchasingSystem.reference)
        )
    )


def _structure(dps_id: int) -> tuple[list[tuple[int, str]], list[ZoneInfo]]:
    """Categories and zones (labelled with their parent) in two statements."""
    categories = [
        (row.id, row.name)
        for row in db.session.execute(
            select(Category.id, Category.name)
            .where(Category.dps_id == dps_id)
            .order_by(Category.position, Category.id)
        )
    ]
    rows = db.session.execute(
        select(Zone.id, Zone.name, Zone.parent_id, Zone.hard_to_serve)
        .where(Zone.dps_id == dps_id)
        .order_by(Zone.position, Zone.id)
    ).all()
    names = {row.id: row.name for row in rows}
    zones = [
        ZoneInfo(
            row.id,
            f"{names[row.parent_id]}: {row.name}" if row.parent_id in names else row.name,
            row.hard_to_serve,
            row.parent_id,
        )
        for row in rows
    ]
    return categories, zones


def _whole_number(raw: str | None, name: str, field_name: str, low: int, high: int) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and low <= int(text) <= high):
        raise MarketError(f"{name} must be a whole number from {low} to {high}", field_name)
    return int(text)


def parse_filters(dps_id: int, args) -> tuple[Filters, list[tuple[int, str]], list[ZoneInfo]]:
    """The page's GET form read strictly: unknown categories, zones or thresholds are errors."""
    categories, zones = _structure(dps_id)
    category_id = _whole_number(args.get("category"), "Category", "category", 1, 2**31 - 1)
    if category_id is not None and category_id not in dict(categories):
        raise MarketError("Select a service from the list", "category")
    zone_id = _whole_number(args.get("zone"), "Zone", "zone", 1, 2**31 - 1)
    if zone_id is not None and zone_id not in {zone.id for zone in zones}:
        raise MarketError("Select a zone from the list", "zone")
    threshold = _whole_number(
        args.get("threshold"), "The thin-market threshold", "threshold", 1, MAX_THRESHOLD
    )
    return (
        Filters(category_id, zone_id, DEFAULT_THRESHOLD if threshold is None else threshold),
        categories,
        zones,
    )


def _zone_ids(zones: list[ZoneInfo], zone_id: int | None) -> list[int] | None:
    """The chosen zone and the localities inside it (None: every zone)."""
    if zone_id is None:
        return None
    return [zone.id for zone in zones if zone.id == zone_id or zone.parent_id == zone_id]


def build(dps: DynamicPurchasingSystem, filters: Filters, categories, zones) -> Market:
    """Every table of the dashboard: seven aggregate statements after the structure."""
    zone_ids = _zone_ids(zones, filters.zone_id)
    market = Market(
        dps=dps,
        filters=filters,
        categories=categories,
        zones=zones,
        shown_categories=[c for c in categories if filters.category_id in (None, c[0])],
        shown_zones=[z for z in zones if zone_ids is None or z.id in zone_ids],
    )
    by_id = {zone.id: zone for zone in zones}

    scope_filter = [Membership.dps_id == dps.id, Membership.status == "active"]
    if filters.category_id is not None:
        scope_filter.append(MembershipScope.category_id == filters.category_id)
    if zone_ids is not None:
        scope_filter.append(MembershipScope.zone_id.in_(zone_ids))
    providers = func.count(func.distinct(Membership.organisation_id))
    scoped = select().select_from(MembershipScope).join(Membership).where(*scope_filter)

    pair = (MembershipScope.zone_id, MembershipScope.category_id)
    for zone_id, category_id, count in db.session.execute(
        scoped.add_columns(*pair, providers).group_by(*pair)
    ):
        market.grid[(zone_id, category_id)] = count
    market.zone_totals = dict(
        db.session.execute(
            scoped.add_columns(MembershipScope.zone_id, providers).group_by(MembershipScope.zone_id)
        ).all()
    )

    # Members matching the filters: one subquery feeds the size and rating mixes.
    member_ids = scoped.add_columns(Membership.organisation_id).distinct().subquery()
    sizes = dict(
        db.session.execute(
            select(Organisation.size, func.count())
            .join(member_ids, member_ids.c.organisation_id == Organisation.id)
            .group_by(Organisation.size)
        ).all()
    )
    market.sizes = [(size, sizes.pop(size, 0)) for size in SIZE_ORDER]
    if sum(sizes.values()):  # no size recorded, or one this list does not know
        market.sizes.append((NOT_RECORDED, sum(sizes.values())))

    latest = (
        select(
            CqcRating.organisation_id,
            CqcRating.rating,
            func.row_number()
            .over(
                partition_by=CqcRating.organisation_id,
                order_by=(CqcRating.rated_on.desc(), CqcRating.id.desc()),
            )
            .label("newest"),
        )
        .join(member_ids, member_ids.c.organisation_id == CqcRating.organisation_id)
        .subquery()
    )
    ratings = dict(
        db.session.execute(
            select(latest.c.rating, func.count())
            .where(latest.c.newest == 1)
            .group_by(latest.c.rating)
        ).all()
    )
    market.ratings = [(rating, ratings.pop(rating, 0)) for rating in CQC_RATINGS]
    market.ratings += sorted(ratings.items())
    market.ratings.append((NOT_RECORDED, market.providers - sum(c for _, c in market.ratings)))

    market.prices = activity.prices(dps.id, filters.category_id, zone_ids, by_id)
    market.hours = activity.hours(dps.id, filters.category_id, zone_ids, by_id)
    market.decisions = activity.decisions(dps, filters.category_id, zone_ids)
    return market
