"""Template filters and globals: times in UK time, money, plain labels."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, current_app
from flask_login import current_user
from markupsafe import Markup, escape

from dps.state.clock import format_london, format_london_date


def money(value: Decimal | int | str | None) -> str:
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"£{amount:,}"


def london(value: datetime | None) -> str:
    return format_london(value) if value else ""


def london_date(value: datetime | None) -> str:
    return format_london_date(value) if value else ""


def link_html(href: str, text: str, bold: bool = False) -> Markup:
    """A GOV.UK link as safe HTML, for table cells built as data."""
    html = Markup('<a class="govuk-link" href="{}">{}</a>').format(href, text)
    return Markup("<strong>{}</strong>").format(html) if bold else html


_URL = re.compile(r"https?://[^\s<>\"']+")


def linkify(text: str) -> Markup:
    """Escape plain text and turn the web addresses in it into links (inbox messages)."""
    escaped = str(escape(text))
    return Markup(
        _URL.sub(lambda m: f'<a class="govuk-link" href="{m.group(0)}">{m.group(0)}</a>', escaped)
    )


def navigation() -> list[dict]:
    """Service navigation items for the signed-in person's role."""
    if not current_user.is_authenticated:
        return [
            {"href": "/", "text": "Home"},
            {"href": "/opportunities", "text": "Opportunities"},
            {"href": "/dps", "text": "Join the DPS"},
            {"href": "/cost-of-care", "text": "Hourly rates"},
            {"href": "/sign-in", "text": "Sign in"},
        ]
    items = {
        "provider": [
            ("/provider/", "Dashboard"),
            ("/provider/applications", "Applications"),
            ("/provider/tenders", "Tenders"),
            ("/provider/cost-of-care", "Cost of care"),
            ("/provider/inbox", "Inbox"),
            ("/provider/team", "Team"),
        ],
        "officer": [
            ("/officer/", "Dashboard"),
            ("/officer/dps", "DPS"),
            ("/officer/applications", "Applications"),
            ("/officer/members", "Members"),
            ("/officer/tenders", "Tenders"),
            ("/officer/cost-of-care", "Cost of care"),
            ("/officer/market", "Market"),
            ("/officer/inbox", "Inbox"),
        ],
        "evaluator": [("/evaluator/", "Marking")],
        "panel": [("/panel/", "Your marking")],
        "admin": [
            ("/admin/", "Dashboard"),
            ("/admin/users", "Accounts"),
            ("/admin/outbox", "E-mail outbox"),
            ("/admin/audit", "Audit log"),
        ],
    }[current_user.role]
    return [{"href": href, "text": text} for href, text in items] + [
        {"href": "/sign-out", "text": "Sign out"}
    ]


def register(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(london)
    app.add_template_filter(linkify)
    app.add_template_filter(london_date)
    app.add_template_global(navigation)
    app.add_template_global(link_html)
    app.add_template_global(escape)
    app.add_template_global(lambda: current_app.config["SERVICE_NAME"], "service_name")
    app.add_template_global(lambda: current_app.config["COUNCIL_NAME"], "council_name")
