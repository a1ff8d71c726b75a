"""CSV and XLSX downloads of the market dashboard's tables, the DPS membership and the
applications with their decision times.

Cells a spreadsheet would read as a formula (= + - @, tab, carriage return) get a leading quote,
as in the evaluation exports, so a provider's name can never run on an officer's computer.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from dps.extensions import db
from dps.models.dps import Category, Zone
from dps.models.organisation import Organisation, User
from dps.models.provider import Application, CqcRating, Membership, MembershipScope
from dps.services import audit, market
from dps.services.evaluation_exports import FORMATS, safe_cell, safe_filename
from dps.state.application import MEMBERSHIP_LABELS, STATUS_LABELS
from dps.state.calendar import working_days_between
from dps.state.clock import to_london

__all__ = ["FORMATS", "TABLES", "Table", "export", "safe_filename"]

TABLES = {
    "providers": "Admitted providers by zone and service",
    "thin": "Thin markets",
    "sizes": "Provider size",
    "cqc": "CQC ratings",
    "prices": "Bid prices by zone",
    "hours": "Contracted hours by zone",
    "decisions": "Applications decided on time",
    "membership": "Membership",
    "applications": "Applications and decision times",
}
SIZE_NAMES = {"micro": "Micro", "small": "Small", "medium": "Medium", "large": "Large"}


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]


def dashboard_tables(view: market.Market) -> dict[str, Table]:
    """The dashboard's tables as plain rows: the page and the downloads share them."""
    categories = view.shown_categories
    providers = Table(
        TABLES["providers"],
        ["Zone", *[name for _, name in categories], "Providers in the zone"],
        [
            [
                zone.label,
                *[view.grid.get((zone.id, category_id), 0) for category_id, _ in categories],
                view.zone_totals.get(zone.id, 0),
            ]
            for zone in view.shown_zones
        ],
    )
    thin = Table(
        TABLES["thin"],
        ["Zone", "Providers", "Hard to serve"],
        [
            [zone.label, view.zone_totals.get(zone.id, 0), "Yes" if zone.hard_to_serve else "No"]
            for zone in view.thin_zones
        ],
    )
    sizes = Table(
        TABLES["sizes"],
        ["Size", "Providers", "Share (%)"],
        [
            [SIZE_NAMES.get(size, size), count, market.percent(count, view.providers)]
            for size, count in view.sizes
        ],
    )
    cqc = Table(
        TABLES["cqc"],
        ["Latest CQC rating", "Providers", "Share (%)"],
        [[rating, count, market.percent(count, view.providers)] for rating, count in view.ratings],
    )
    prices = Table(
        TABLES["prices"],
        [
            "Zone",
            "Bids",
            "Lowest (£ an hour)",
            "Median (£ an hour)",
            "Highest (£ an hour)",
            "Benchmark",
            "Bids below the benchmark",
        ],
        [
            [r.zone.label, r.bids, r.lowest, r.median, r.highest, r.benchmark, r.below_benchmark]
            for r in view.prices
        ],
    )
    hours = Table(
        TABLES["hours"],
        ["Zone", "Contracts", "Hours a week"],
        [[r.zone.label, r.contracts, r.hours_per_week] for r in view.hours],
    )
    d = view.decisions
    decisions = Table(
        TABLES["decisions"],
        ["Measure", "Applications"],
        [
            ["Decided", d.decided],
            ["Decided on time", d.on_time],
            ["Decided late", d.late],
            ["Waiting, within the decision period", d.open_in_time],
            ["Waiting, past the decision date", d.open_overdue],
        ],
    )
    return {
        "providers": providers,
        "thin": thin,
        "sizes": sizes,
        "cqc": cqc,
        "prices": prices,
        "hours": hours,
        "decisions": decisions,
    }


def membership_table(dps_id: int) -> Table:
    """Every member with its status, services and zones and latest CQC rating (3 statements)."""
    members = db.session.execute(
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.dps_id == dps_id)
        .order_by(Organisation.name, Membership.id)
    ).all()
    scopes: dict[int, list[str]] = defaultdict(list)
    for membership_id, category, zone in db.session.execute(
        select(MembershipScope.membership_id, Category.name, Zone.name)
        .join(Category, Category.id == MembershipScope.category_id)
        .join(Zone, Zone.id == MembershipScope.zone_id)
        .join(Membership, Membership.id == MembershipScope.membership_id)
        .where(Membership.dps_id == dps_id)
        .order_by(Category.position, Zone.position)
    ):
        scopes[membership_id].append(f"{category}: {zone}")
    ratings: dict[int, CqcRating] = {}
    for rating in db.session.scalars(
        select(CqcRating)
        .join(Membership, Membership.organisation_id == CqcRating.organisation_id)
        .where(Membership.dps_id == dps_id)
        .order_by(CqcRating.rated_on, CqcRating.id)
    ):
        ratings[rating.organisation_id] = rating
    rows = []
    for membership, organisation in members:
        rating = ratings.get(organisation.id)
        rows.append(
            [
                organisation.name,
                organisation.legal_name or "",
                organisation.companies_house_number or "",
                organisation.cqc_provider_id or "",
                SIZE_NAMES.get(organisation.size or "", organisation.size or ""),
                MEMBERSHIP_LABELS.get(membership.status, membership.status),
                to_london(membership.admitted_at).date(),
                "; ".join(scopes[membership.id]),
                rating.rating if rating else "",
                rating.rated_on if rating else None,
            ]
        )
    return Table(
        TABLES["membership"],
        [
            "Provider",
            "Legal name",
            "Companies House number",
            "CQC provider ID",
            "Size",
            "Status",
            "Admitted on",
            "Services and zones",
            "Latest CQC rating",
            "Rated on",
        ],
        rows,
    )


def applications_table(dps_id: int, target_days: int) -> Table:
    """Every submitted application with its decision time in working days (one statement)."""
    rows = []
    for application, provider in db.session.execute(
        select(Application, Organisation.name)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Application.dps_id == dps_id, Application.status != "draft")
        .order_by(Application.submitted_at, Application.id)
    ):
        received = to_london(application.submitted_at).date() if application.submitted_at else None
        decided = to_london(application.decided_at).date() if application.decided_at else None
        taken = working_days_between(received, decided) if received and decided else None
        due = application.decision_due_on
        on_time = "" if decided is None or due is None else ("Yes" if decided <= due else "No")
        rows.append(
            [
                application.reference,
                provider,
                application.kind,
                STATUS_LABELS.get(application.status, application.status),
                received,
                due,
                "Yes" if application.extended else "No",
                decided,
                taken,
                target_days,
                on_time,
            ]
        )
    return Table(
        TABLES["applications"],
        [
            "Reference",
            "Provider",
            "Kind",
            "Status",
            "Received on",
            "Decision due by",
            "Period extended",
            "Decided on",
            "Working days to decision",
            "Target (working days)",
            "Decided on time",
        ],
        rows,
    )


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(name) for name in table.header])
    for row in table.rows:
        writer.writerow(["" if value is None else safe_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]
    sheet.append([safe_cell(name) for name in table.header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export(
    actor: User, view_or_dps: market.Market | int, name: str, fmt: str, target_days: int = 0
) -> tuple[bytes, str]:
    """One table as CSV or XLSX, with an audit record of who downloaded what."""
    if isinstance(view_or_dps, market.Market):
        dps_id = view_or_dps.dps.id
        table = dashboard_tables(view_or_dps)[name]
    elif name == "membership":
        dps_id, table = view_or_dps, membership_table(view_or_dps)
    else:
        dps_id, table = view_or_dps, applications_table(view_or_dps, target_days)
    body = to_csv(table) if fmt == "csv" else to_xlsx(table)
    audit.record("market.export", "dps", dps_id, {"table": name, "format": fmt}, actor=actor)
    db.session.commit()
    return body, FORMATS[fmt]
