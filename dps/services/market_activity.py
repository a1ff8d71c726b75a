"""Market intelligence, the activity half: checked bid prices, contracted hours and decisions
on applications, each one GROUP BY per zone (see dps.services.market for the members' half).

Prices are read from the price checks of opened tenders only: sealed bids are never decrypted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import String, and_, case, exists, func, select, text, type_coerce

from dps.extensions import db
from dps.models.award import Contract
from dps.models.bid import Bid
from dps.models.dps import DynamicPurchasingSystem
from dps.models.evaluation import PriceReview
from dps.models.provider import Application, ApplicationScope
from dps.models.tender import Tender, lot_zone
from dps.services.decision_queue import london_today

PENNY = Decimal("0.01")
OPENED_STATES = ("opened", "in_evaluation", "awarded")
DECIDED_STATES = ("admitted", "rejected")
OPEN_STATES = ("submitted", "clarification")


@dataclass(frozen=True)
class PriceRow:
    zone: Any  # market.ZoneInfo
    bids: int
    lowest: Decimal
    median: Decimal
    highest: Decimal
    benchmark_low: Decimal | None
    benchmark_high: Decimal | None
    below_benchmark: int

    @property
    def benchmark(self) -> str:
        if self.benchmark_low is None:
            return "None set"
        if self.benchmark_low == self.benchmark_high:
            return f"£{self.benchmark_low}"
        return f"£{self.benchmark_low} to £{self.benchmark_high}"


@dataclass(frozen=True)
class HoursRow:
    zone: Any  # market.ZoneInfo
    contracts: int
    hours_per_week: Decimal


@dataclass(frozen=True)
class Decisions:
    target_days: int
    decided: int = 0
    on_time: int = 0
    open_in_time: int = 0
    open_overdue: int = 0

    @property
    def late(self) -> int:
        return self.decided - self.on_time

    @property
    def on_time_percent(self) -> Decimal | None:
        return percent(self.on_time, self.decided)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def money(value) -> Decimal:
    """A price the database gave back (Decimal on PostgreSQL, maybe float on SQLite), to pence."""
    return Decimal(str(value)).quantize(PENNY, ROUND_HALF_UP)


def london_day(column):
    """The Europe/London calendar date of a UTC timestamp column, in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Europe/London", column))
    # SQLite: UK summer time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
    # last Sunday of October (the first Sunday on or after the 25th).
    stamp = type_coerce(column, String)
    year = func.strftime("%Y", stamp)
    starts = func.date(year.concat("-03-25"), "weekday 0").concat(" 01:00:00")
    ends = func.date(year.concat("-10-25"), "weekday 0").concat(" 01:00:00")
    shift = case((and_(stamp >= starts, stamp < ends), "+1 hours"), else_="+0 hours")
    return func.date(func.datetime(stamp, shift))


def prices(dps_id, category_id, zone_ids, by_id) -> list[PriceRow]:
    """Lowest, median and highest checked hourly price of submitted bids per zone, in one
    statement. The median is the mean of the middle one or two prices: on PostgreSQL from two
    percentile_disc aggregates (ascending and descending), elsewhere from a row_number window."""
    where = [
        Tender.dps_id == dps_id,
        Tender.status.in_(OPENED_STATES),
        Tender.opened_at.is_not(None),
        Bid.status == "submitted",
        PriceReview.hourly_price.is_not(None),
    ]
    if category_id is not None:
        where.append(Tender.category_id == category_id)
    if zone_ids is not None:
        where.append(lot_zone.c.zone_id.in_(zone_ids))
    price = PriceReview.hourly_price
    zone = lot_zone.c.zone_id
    benchmark = Tender.benchmark_rate
    below = func.sum(case((price < benchmark, 1), else_=0))

    def checked(*columns):
        return (
            select(*columns)
            .select_from(PriceReview)
            .join(Bid, Bid.id == PriceReview.bid_id)
            .join(Tender, Tender.id == Bid.tender_id)
            .join(lot_zone, lot_zone.c.lot_id == Bid.lot_id)
            .where(*where)
        )

    if db.session.get_bind().dialect.name == "postgresql":
        # Sorting ~80,000 (zone, price) rows at demo scale spills past the default 4 MB.
        db.session.execute(text("SET LOCAL work_mem = '32MB'"))
        statement = checked(
            zone,
            func.count(),
            func.min(price),
            func.percentile_disc(0.5).within_group(price.asc()),
            func.percentile_disc(0.5).within_group(price.desc()),
            func.max(price),
            func.min(benchmark),
            func.max(benchmark),
            below,
        ).group_by(zone)
    else:
        window = {"partition_by": zone}
        ranked = checked(
            zone.label("zone_id"),
            price.label("price"),
            func.row_number().over(order_by=price, **window).label("position"),
            func.count().over(**window).label("bids"),
        ).subquery()
        middle = (ranked.c.position == (ranked.c.bids + 1) // 2) | (
            ranked.c.position == (ranked.c.bids + 2) // 2
        )
        medians = (
            select(
                ranked.c.zone_id,
                func.min(ranked.c.price).label("low"),
                func.max(ranked.c.price).label("high"),
            )
            .where(middle)
            .group_by(ranked.c.zone_id)
            .subquery()
        )
        statement = (
            checked(
                zone,
                func.count(),
                func.min(price),
                func.min(medians.c.low),
                func.min(medians.c.high),
                func.max(price),
                func.min(benchmark),
                func.max(benchmark),
                below,
            )
            .join(medians, medians.c.zone_id == zone)
            .group_by(zone)
        )
    rows = db.session.execute(statement).all()
    result = []
    for zone_id, bids, lowest, low_middle, high_middle, highest, b_low, b_high, below in rows:
        result.append(
            PriceRow(
                zone=by_id[zone_id],
                bids=bids,
                lowest=money(lowest),
                median=((money(low_middle) + money(high_middle)) / 2).quantize(
                    PENNY, ROUND_HALF_UP
                ),
                highest=money(highest),
                benchmark_low=None if b_low is None else money(b_low),
                benchmark_high=None if b_high is None else money(b_high),
                below_benchmark=int(below or 0),
            )
        )
    return _in_zone_order(result, by_id)


def hours(dps_id, category_id, zone_ids, by_id) -> list[HoursRow]:
    """Weekly hours of contracts running today or later, per zone; a lot covering several
    zones shares its hours equally between them."""
    zones_per_lot = (
        select(lot_zone.c.lot_id, func.count().label("zones"))
        .group_by(lot_zone.c.lot_id)
        .subquery()
    )
    where = [Tender.dps_id == dps_id, Contract.end_on >= london_today()]
    if category_id is not None:
        where.append(Tender.category_id == category_id)
    if zone_ids is not None:
        where.append(lot_zone.c.zone_id.in_(zone_ids))
    rows = db.session.execute(
        select(
            lot_zone.c.zone_id,
            func.count(Contract.id),
            func.sum(Contract.hours_per_week / zones_per_lot.c.zones),
        )
        .join(Tender, Tender.id == Contract.tender_id)
        .join(lot_zone, lot_zone.c.lot_id == Contract.lot_id)
        .join(zones_per_lot, zones_per_lot.c.lot_id == Contract.lot_id)
        .where(*where)
        .group_by(lot_zone.c.zone_id)
    ).all()
    return _in_zone_order(
        [HoursRow(by_id[zone_id], count, money(hours or 0)) for zone_id, count, hours in rows],
        by_id,
    )


def _in_zone_order(rows, by_id):
    order = {zone_id: index for index, zone_id in enumerate(by_id)}
    return sorted(rows, key=lambda row: order[row.zone.id])


def decisions(dps: DynamicPurchasingSystem, category_id, zone_ids) -> Decisions:
    """Applications decided by their due date (London calendar), and those still open, grouped
    by status, due date and decision date in the database."""
    where = [Application.dps_id == dps.id, Application.status.in_(DECIDED_STATES + OPEN_STATES)]
    if category_id is not None or zone_ids is not None:
        scope = [ApplicationScope.application_id == Application.id]
        if category_id is not None:
            scope.append(ApplicationScope.category_id == category_id)
        if zone_ids is not None:
            scope.append(ApplicationScope.zone_id.in_(zone_ids))
        where.append(exists().where(*scope))
    decided_on = london_day(Application.decided_at).label("decided_on")
    rows = db.session.execute(
        select(Application.status, Application.decision_due_on, decided_on, func.count())
        .where(*where)
        .group_by(Application.status, Application.decision_due_on, decided_on)
    ).all()
    today = london_today()
    decided = on_time = open_in_time = open_overdue = 0
    for status, due_on, decided_day, count in rows:
        if status in DECIDED_STATES:
            decided += count
            if due_on is None or (decided_day and _as_date(decided_day) <= due_on):
                on_time += count
        elif due_on is not None and due_on < today:
            open_overdue += count
        else:
            open_in_time += count
    return Decisions(dps.decision_target_days, decided, on_time, open_in_time, open_overdue)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
