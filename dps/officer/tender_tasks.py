"""What the tender pages show: the task list and the check-your-answers summary, as data for
the GOV.UK task list and summary list macros."""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape

from dps.models.tender import Tender
from dps.services import tenders
from dps.services.tender_rules import (
    MARKED_BY,
    TIE_BREAKS,
    earliest_closing_date,
    minimum_period_rule,
    plain_number,
    price_model_title,
    standstill_last_day,
)
from dps.state.clock import format_date, format_london, now

DONE = {"text": "Completed"}
OPTIONAL = {"text": "Optional"}


def _todo(text: str = "Not yet started") -> dict:
    return {"tag": {"text": text, "classes": "govuk-tag--blue"}}


def _lines(lines) -> Markup:
    return Markup("<br>").join(escape(line) for line in lines)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


_number = plain_number


def weighting_words(tender: Tender) -> str:
    limit = (
        f"at most {plural(tender.max_lots_per_provider, 'lot')} a provider"
        if tender.max_lots_per_provider
        else "no limit on lots a provider may win"
    )
    return (
        f"Quality {_number(tender.quality_weight)}%, price {_number(tender.price_weight)}%; {limit}"
    )


def tasks(tender: Tender) -> list[dict]:
    """The task list of a draft tender, in the order an officer works through it."""
    tid = tender.id
    timetable_problems = tenders.check_timetable(tender, tenders.timetable_of(tender))
    timetable_set = tender.closing_at is not None
    problems = tenders.publication_problems(tender)
    items = [
        ("Details", "officer.tender_details", tender.title, DONE),
        (
            "Lots",
            "officer.tender_lots",
            f"{len(tender.lots)} lot{'s' if len(tender.lots) != 1 else ''}" if tender.lots else "",
            DONE if tender.lots else _todo(),
        ),
        (
            "Quality questions",
            "officer.tender_questions",
            f"{len(tender.questions)} question{'s' if len(tender.questions) != 1 else ''}"
            if tender.questions
            else "",
            DONE if tender.questions else _todo(),
        ),
        (
            "Price model",
            "officer.tender_price_model",
            price_model_title(tender.cost_template),
            DONE if tender.cost_template else _todo(),
        ),
        ("Weighting and rules", "officer.tender_rules", weighting_words(tender), DONE),
        (
            "Timetable",
            "officer.tender_timetable",
            f"Closes {format_london(tender.closing_at)}" if timetable_set else "",
            DONE
            if timetable_set and not timetable_problems
            else (_todo("Incomplete") if timetable_set else _todo()),
        ),
        (
            "Documents",
            "officer.tender_documents",
            f"{len(tender.documents)} attached" if tender.documents else "",
            OPTIONAL,
        ),
        (
            "Check and publish",
            "officer.tender_publish",
            "",
            _todo("Cannot publish yet") if problems else _todo("Ready to publish"),
        ),
    ]
    result = []
    for title, endpoint, hint, status in items:
        item = {
            "title": {"text": title},
            "href": url_for(endpoint, tender_id=tid),
            "status": status,
        }
        if hint:
            item["hint"] = {"text": hint}
        result.append(item)
    return result


def period_rule(tender: Tender) -> str:
    days = tenders.minimum_days(tender)
    earliest = earliest_closing_date(now(), days)
    return (
        f"{minimum_period_rule(tender.dps.regime, days)}. If you publish today, the closing date "
        f"must be {format_date(earliest)} or later."
    )


def _row(key: str, value, href: str | None = None, what: str = "") -> dict:
    row = {"key": {"text": key}}
    row["value"] = {"html": value} if isinstance(value, Markup) else {"text": value or "Not set"}
    if href:
        row["actions"] = {
            "items": [{"href": href, "text": "Change", "visuallyHiddenText": what or key.lower()}]
        }
    return row


def summary(tender: Tender) -> list[tuple[str, list[dict]]]:
    """Every answer, section by section, with change links while the tender is a draft."""
    draft = tender.status == "draft"

    def link(endpoint: str, **values) -> str | None:
        return url_for(endpoint, tender_id=tender.id, **values) if draft else None

    details = [
        _row("Reference", tender.reference),
        _row("Dynamic purchasing system", tender.dps.title),
        _row("Service", tender.category.name),
        _row("Title", tender.title, link("officer.tender_details")),
        _row("Description", tender.description, link("officer.tender_details")),
    ]
    lots = [
        _row(
            f"Lot {lot.number}: {lot.title}",
            _lines(
                [
                    "Zones: " + ", ".join(zone.label for zone in lot.zones),
                    f"About {_number(lot.hours_per_week)} hours of care a week",
                    f"Contract {format_date(lot.contract_start_on)} "
                    f"to {format_date(lot.contract_end_on)}",
                    f"{lot.providers_to_appoint} provider"
                    f"{'s' if lot.providers_to_appoint != 1 else ''} to appoint",
                ]
            ),
            link("officer.tender_lot", lot_id=lot.id),
            f"lot {lot.number}",
        )
        for lot in tender.lots
    ] or [_row("Lots", "None yet", link("officer.tender_lots"))]
    questions = [
        _row(
            f"Question {question.number}",
            _lines(
                [
                    question.text,
                    f"Weight {_number(question.weight)}; marked 0 to {question.max_mark}"
                    + (
                        f", at least {question.min_mark} needed"
                        if question.min_mark is not None
                        else ""
                    ),
                    f"Marked by: {MARKED_BY[question.marked_by]}",
                    f"Up to {question.word_limit} words",
                ]
            ),
            link("officer.tender_question", question_id=question.id),
            f"question {question.number}",
        )
        for question in tender.questions
    ] or [_row("Questions", "None yet", link("officer.tender_questions"))]
    price = [
        _row(
            "Cost breakdown",
            price_model_title(tender.cost_template),
            link("officer.tender_price_model"),
        ),
        _row(
            "Rates for 15, 30, 45 and 60-minute visits",
            "Asked for" if tender.ask_call_length_rates else "Not asked for",
            link("officer.tender_price_model"),
            "call-length rates",
        ),
    ]
    rules = [
        _row(
            "Weighting",
            f"Quality {_number(tender.quality_weight)}%, price {_number(tender.price_weight)}%",
            link("officer.tender_rules"),
        ),
        _row(
            "Most lots one provider may win",
            str(tender.max_lots_per_provider) if tender.max_lots_per_provider else "No limit",
            link("officer.tender_rules"),
        ),
        _row(
            "Equal scores",
            TIE_BREAKS.get(tender.tie_break, tender.tie_break),
            link("officer.tender_rules"),
        ),
    ]
    timetable = [
        _row("Published", format_london(tender.published_at) if tender.published_at else "Not yet"),
        _row(
            "Clarification deadline",
            format_london(tender.clarification_deadline) if tender.clarification_deadline else "",
            link("officer.tender_timetable"),
        ),
        _row(
            "Closing time",
            format_london(tender.closing_at) if tender.closing_at else "",
            link("officer.tender_timetable"),
        ),
        _row(
            "Evaluation",
            format_date(tender.evaluation_on) if tender.evaluation_on else "",
            link("officer.tender_timetable"),
        ),
        _row(
            "Award",
            format_date(tender.award_on) if tender.award_on else "",
            link("officer.tender_timetable"),
        ),
        _row("Standstill", standstill_words(tender)),
        _row(
            "Contract start",
            format_date(tender.contract_start_on) if tender.contract_start_on else "",
            link("officer.tender_timetable"),
        ),
    ]
    attached = [
        _row(
            "Documents",
            _lines(document.title for document in tender.documents) if tender.documents else "None",
            link("officer.tender_documents"),
        )
    ]
    return [
        ("Details", details),
        ("Lots", lots),
        ("Quality questions", questions),
        ("Price model", price),
        ("Weighting and rules", rules),
        ("Timetable", timetable),
        ("Documents", attached),
    ]


def standstill_words(tender: Tender) -> str:
    if not tender.voluntary_standstill:
        return "None"
    if tender.award_on is None:
        return "Set the award date to see when standstill ends"
    last_day = standstill_last_day(tender.award_on, tender.dps.regime)
    return (
        f"Ends at midnight at the end of {format_date(last_day)} if the award letters go out on "
        "the award date"
    )
