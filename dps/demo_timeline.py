"""The demo market's history: steps dated before today, run through the real services in order.

The services read the time from dps.state.clock, so the demo makes history by freezing the clock
at each step's moment. Steps run in date order (steps at the same moment in the order they were
added), so the audit log, inbox messages and e-mails read as if the months had really passed.
Nothing is ever dated after the moment the demo is loaded.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from dps.demo import DEMO_DOMAIN
from dps.extensions import db
from dps.models.dps import Category, Zone
from dps.models.organisation import User
from dps.state.calendar import is_working_day
from dps.state.clock import LONDON, frozen, to_london

DEMO_DPS_REFERENCE = "NCC-DPS-HC-01"
OFFICER = f"officer@{DEMO_DOMAIN}"
OFFICER2 = f"officer2@{DEMO_DOMAIN}"


def london_at(day: date, hour: int, minute: int = 0) -> datetime:
    """The UTC instant of a UK wall-clock time (demo times avoid the small hours)."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def working_days_before(day: date, count: int) -> date:
    """The working day `count` working days before `day` (0: `day` itself)."""
    while count > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def daytime(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A moment between `start` and `end`, on the minute, when people are at work (8am to 8pm
    UK time) if there is one; providers write bids in the evening too, but rarely at 4am."""
    for _ in range(50):
        moment = start + (end - start) * rng.random()
        moment = moment.replace(second=0, microsecond=0)
        if start < moment < end and 8 <= to_london(moment).hour < 20:
            return moment
    return start + (end - start) / 2


@dataclass(order=True)
class Step:
    at: datetime
    number: int
    action: Callable[..., object] = field(compare=False)
    args: tuple = field(compare=False, default=())


class Timeline:
    """Steps to run with the clock frozen at their moment; never later than `latest`."""

    def __init__(self, loaded_at: datetime) -> None:
        self.latest = loaded_at - timedelta(seconds=1)
        self._steps: list[Step] = []

    def add(self, at: datetime, action: Callable[..., object], *args) -> datetime:
        """Schedule a step; a moment after the load time is brought back to just before it."""
        at = min(at, self.latest)
        self._steps.append(Step(at, len(self._steps), action, args))
        return at

    def run(self) -> None:
        for step in sorted(self._steps):
            with frozen(step.at):
                step.action(*step.args)


@dataclass
class Applicant:
    """One demo provider's part in stage 1: what it asks for and what becomes of it."""

    index: int
    organisation_id: int
    email: str
    size: str
    home: str
    outcome: str | None
    scopes: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    rating: str = "Good"
    rated_on: date | None = None
    locations: list[str] = field(default_factory=list)
    insurance_warned: bool = False
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    application_id: int | None = None

    @property
    def admitted_scopes(self) -> list[tuple[str, str]]:
        if self.decided_at is None or self.outcome not in MEMBER_OUTCOMES:
            return []
        return [scope for scope in self.scopes if scope not in self.refused]

    def member_before(self, moment: datetime) -> bool:
        """Admitted before `moment`: what an invitation to a tender published then needs."""
        return bool(self.admitted_scopes) and self.decided_at < moment


MEMBER_OUTCOMES = ("admitted", "partial", "clarified", "suspended")


@dataclass
class Market:
    """What both stages share: the moment of loading, the DPS, its people and providers."""

    loaded_at: datetime
    timeline: Timeline
    dps_id: int = 0
    applicants: list[Applicant] = field(default_factory=list)
    _users: dict[str, User] = field(default_factory=dict)
    _categories: dict[str, int] = field(default_factory=dict)
    _zones: dict[str, int] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return to_london(self.loaded_at).date()

    def user(self, email: str) -> User:
        if email not in self._users:
            self._users[email] = db.session.scalar(select(User).where(User.email == email))
        return self._users[email]

    def category_id(self, code: str) -> int:
        if not self._categories:
            rows = db.session.execute(
                select(Category.code, Category.id).where(Category.dps_id == self.dps_id)
            )
            self._categories = dict(rows.all())
        return self._categories[code]

    def zone_id(self, code: str) -> int:
        if not self._zones:
            rows = db.session.execute(select(Zone.code, Zone.id).where(Zone.dps_id == self.dps_id))
            self._zones = dict(rows.all())
        return self._zones[code]

    def applicant(self, index: int) -> Applicant:
        return next(a for a in self.applicants if a.index == index)
