"""Building and publishing tenders: the rules, the invitation list and the invitation jobs."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from dps.extensions import db
from dps.jobs.outbox import schedule
from dps.models import (
    AuditEvent,
    EmailMessage,
    Invitation,
    Membership,
    MembershipScope,
    Message,
    Organisation,
    OutboxJob,
    Role,
    Tender,
    User,
)
from dps.services import audit, tenders
from dps.services.dps_setup import create_dps, publish_dps
from dps.services.tender_rules import TenderError, default_scale, parse_scale
from dps.state.clock import frozen
from dps.state.machine import TransitionError
from tests.conftest import app_ctx

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Setup:
    officer_id: int
    dps_id: int
    category_id: int
    other_category_id: int
    zones: dict[str, int]


@pytest.fixture
def setup(app, make_user):
    """A council officer and a published PCR 2015 DPS (the Nottinghamshire structure)."""
    email = make_user(Role.OFFICER, organisation="Nottinghamshire County Council")
    with frozen(MONDAY), app_ctx(app):
        officer = db.session.scalar(select(User).where(User.email == email))
        dps, _ = create_dps(
            officer,
            reference="NCC-DPS-2026",
            title="Nottinghamshire home care DPS",
            description="Home care across the county.",
            regime="pcr2015_dps",
            lead_authority_id=officer.organisation_id,
            partner_ids=[],
            starts_on=date(2026, 1, 5),
            term_years=3,
        )
        publish_dps(officer, dps.id)
        return Setup(
            officer.id,
            dps.id,
            dps.categories[0].id,
            dps.categories[1].id,
            {zone.code: zone.id for zone in dps.zones},
        )


def officer_of(setup: Setup) -> User:
    return db.session.get(User, setup.officer_id)


def lot_values(setup: Setup, title: str, *codes: str, **changes) -> dict:
    values = {
        "title": title,
        "zone_ids": [setup.zones[code] for code in codes],
        "hours_per_week": "850",
        "contract_start_on": date(2026, 6, 1),
        "contract_end_on": date(2029, 5, 31),
        "providers_to_appoint": 2,
    }
    return {**values, **changes}


def question_values(**changes) -> dict:
    values = {
        "text": "How will you recruit and keep care workers in rural villages?",
        "guidance": "Give examples from services you run now.",
        "plain_guidance": "",
        "word_limit": 500,
        "weight": "40",
        "max_mark": 5,
        "min_mark": 2,
        "marked_by": "officer",
    }
    return {**values, **changes}


def timetable(start: datetime, closing_days: int = 14) -> dict:
    closing = start + timedelta(days=closing_days)
    return {
        "clarification_deadline": start + timedelta(days=7),
        "closing_at": closing.replace(hour=12),
        "evaluation_on": closing.date() + timedelta(days=1),
        "award_on": closing.date() + timedelta(days=14),
        "contract_start_on": closing.date() + timedelta(days=60),
    }


def build(setup: Setup, start: datetime = MONDAY, *, reference: str | None = None) -> int:
    """A complete draft: two lots (Ashfield; Bassetlaw), two questions, UKHCA-style, 60/40."""
    officer = officer_of(setup)
    tender = tenders.create_tender(
        officer,
        setup.dps_id,
        setup.category_id,
        reference=reference,
        title="Home care in Ashfield and Bassetlaw",
    )
    tenders.add_lot(officer, tender.id, **lot_values(setup, "Ashfield", "ashfield"))
    tenders.add_lot(
        officer, tender.id, **lot_values(setup, "Bassetlaw", "bassetlaw", "bassetlaw_north_rural")
    )
    tenders.add_question(officer, tender.id, **question_values())
    tenders.add_question(
        officer,
        tender.id,
        **question_values(
            text="How will the people you support shape how the service is run?",
            plain_guidance="Look for real examples of listening to people and changing things.",
            marked_by="panel",
            weight="60",
        ),
    )
    tenders.set_price_model(officer, tender.id, "ukhca_2026", ask_call_length_rates=True)
    tenders.set_rules(
        officer,
        tender.id,
        quality_weight="60",
        price_weight="40",
        max_lots_per_provider=1,
        tie_break="quality,price,submission",
    )
    tenders.set_timetable(officer, tender.id, **timetable(start))
    return tender.id


def member(setup: Setup, name: str, scopes: list[tuple[int, str]], status: str = "active") -> int:
    """A provider organisation (with one user) admitted to (category, zone code) scopes."""
    org = Organisation(kind="provider", name=name, legal_name=name, size="small")
    db.session.add(org)
    db.session.flush()
    db.session.add(
        User(
            email=f"{name.split()[0].lower()}@example.com",
            full_name=f"{name} admin",
            role=Role.PROVIDER,
            organisation=org,
        )
    )
    membership = Membership(dps_id=setup.dps_id, organisation_id=org.id, status=status)
    membership.scopes = [
        MembershipScope(category_id=category_id, zone_id=setup.zones[code])
        for category_id, code in scopes
    ]
    db.session.add(membership)
    db.session.commit()
    return org.id


# ---------------------------------------------------------------------------------------------
# Building


def test_a_tender_is_built_under_an_open_dps_with_a_made_reference(app, setup):
    with frozen(MONDAY), app_ctx(app):
        tender_id = build(setup)
        tender = db.session.get(Tender, tender_id)
        assert tender.reference == "NCC-DPS-2026-T001" and tender.status == "draft"
        assert [lot.number for lot in tender.lots] == [1, 2]
        assert [z.code for z in tender.lots[1].zones] == ["bassetlaw", "bassetlaw_north_rural"]
        assert tender.quality_weight == Decimal("60.00") and tender.max_lots_per_provider == 1
        assert json.loads(tender.cost_template)["id"] == "ukhca-style-2026-27"
        assert tender.ask_call_length_rates is True
        assert tenders.publication_problems(tender) == []
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "tender")
        ).all()
        assert actions[0] == "tender.created" and "tender.timetable_set" in actions
        second = tenders.create_tender(
            officer_of(setup), setup.dps_id, setup.category_id, title="Two"
        )
        assert second.reference == "NCC-DPS-2026-T002"


def test_a_tender_needs_an_open_dps_of_the_officers_authority_and_one_of_its_services(
    app, setup, make_user
):
    with app_ctx(app):
        with pytest.raises(TenderError, match="service of this dynamic purchasing system"):
            tenders.create_tender(officer_of(setup), setup.dps_id, 999_999, title="Care")
        with pytest.raises(TenderError, match="Enter a title"):
            tenders.create_tender(officer_of(setup), setup.dps_id, setup.category_id, title=" ")
        tenders.create_tender(
            officer_of(setup), setup.dps_id, setup.category_id, reference="ncc-hc-01", title="Care"
        )
        with pytest.raises(TenderError, match="already exists"):
            tenders.create_tender(
                officer_of(setup),
                setup.dps_id,
                setup.category_id,
                reference="NCC-HC-01",
                title="Care",
            )
        with pytest.raises(TenderError, match="letters, numbers and hyphens"):
            tenders.create_tender(
                officer_of(setup), setup.dps_id, setup.category_id, reference="a/b", title="Care"
            )
    stranger = make_user(Role.OFFICER, organisation="Derby City Council")
    with app_ctx(app):
        outsider = db.session.scalar(select(User).where(User.email == stranger))
        with pytest.raises(TenderError, match="open"):
            tenders.create_tender(outsider, setup.dps_id, setup.category_id, title="Care")


def test_lots_take_zones_of_the_dps_once_each_with_sensible_numbers(app, setup):
    with app_ctx(app):
        officer = officer_of(setup)
        tender = tenders.create_tender(officer, setup.dps_id, setup.category_id, title="Care")
        with pytest.raises(TenderError, match="Select at least one zone") as refused:
            tenders.add_lot(officer, tender.id, **lot_values(setup, "Nowhere"))
        assert refused.value.field == "zone_ids"
        with pytest.raises(TenderError, match="zones of this dynamic purchasing system"):
            tenders.add_lot(
                officer, tender.id, **{**lot_values(setup, "Bad"), "zone_ids": [999_999]}
            )
        lot = tenders.add_lot(officer, tender.id, **lot_values(setup, "Ashfield", "ashfield"))
        with pytest.raises(TenderError, match="already in lot 1"):
            tenders.add_lot(officer, tender.id, **lot_values(setup, "Again", "ashfield", "gedling"))
        for changes, message in [
            ({"hours_per_week": "0"}, "more than 0"),
            ({"hours_per_week": "lots"}, "must be a number"),
            ({"hours_per_week": "1.234"}, "2 decimal places"),
            ({"contract_end_on": date(2026, 5, 1)}, "end date must be after the start date"),
            ({"contract_start_on": None}, "Enter the contract start date"),
            ({"providers_to_appoint": 0}, "between 1 and 50"),
        ]:
            with pytest.raises(TenderError, match=message):
                tenders.add_lot(
                    officer, tender.id, **lot_values(setup, "Gedling", "gedling", **changes)
                )
        second = tenders.add_lot(officer, tender.id, **lot_values(setup, "Gedling", "gedling"))
        tenders.update_lot(
            officer, tender.id, lot.id, **lot_values(setup, "Ashfield North", "ashfield")
        )
        tenders.remove_lot(officer, tender.id, lot.id)
        db.session.refresh(second)
        assert second.number == 1 and second.title == "Gedling"
        assert [lot.title for lot in db.session.get(Tender, tender.id).lots] == ["Gedling"]


def test_questions_get_the_default_scale_and_their_rules(app, setup):
    with app_ctx(app):
        officer = officer_of(setup)
        tender = tenders.create_tender(officer, setup.dps_id, setup.category_id, title="Care")
        question = tenders.add_question(officer, tender.id, **question_values())
        scale = parse_scale(question.scale)
        assert [entry["mark"] for entry in scale] == [0, 1, 2, 3, 4, 5]
        assert scale[0]["label"] == "Unacceptable" and scale[5]["label"] == "Excellent"
        for changes, message in [
            ({"weight": "0"}, "more than 0"),
            ({"weight": "-5"}, "more than 0"),
            ({"min_mark": 6}, "between 0 and the maximum mark, 5"),
            ({"max_mark": 0}, "between 1 and 10"),
            ({"word_limit": 10}, "between 50 and 5,000"),
            ({"marked_by": "panel"}, "plain English for the Experts by Experience panel"),
            ({"marked_by": "robot"}, "Select who marks"),
            ({"text": ""}, "Enter the question"),
        ]:
            with pytest.raises(TenderError, match=message):
                tenders.add_question(officer, tender.id, **question_values(**changes))
        changed = tenders.update_question(
            officer, tender.id, question.id, **question_values(max_mark=10, min_mark=4)
        )
        assert len(parse_scale(changed.scale)) == 11
        assert parse_scale(changed.scale) == default_scale(10)
        entries = [(f"Mark {m}", f"What earns {m}") for m in range(11)]
        tenders.set_scale(officer, tender.id, question.id, entries)
        assert parse_scale(db.session.get(type(question), question.id).scale)[3] == {
            "mark": 3,
            "label": "Mark 3",
            "descriptor": "What earns 3",
        }
        with pytest.raises(TenderError, match="Describe every mark"):
            tenders.set_scale(officer, tender.id, question.id, entries[:5])
        tenders.remove_question(officer, tender.id, question.id)
        assert db.session.get(Tender, tender.id).questions == []


def test_weighting_tie_break_and_price_model(app, setup):
    with app_ctx(app):
        officer = officer_of(setup)
        tender = tenders.create_tender(officer, setup.dps_id, setup.category_id, title="Care")
        rules = {"max_lots_per_provider": None, "tie_break": "price,quality,submission"}
        with pytest.raises(TenderError, match="add up to 100 \\(they add up to 90\\)"):
            tenders.set_rules(officer, tender.id, quality_weight="60", price_weight="30", **rules)
        with pytest.raises(TenderError, match="between 0 and 100"):
            tenders.set_rules(officer, tender.id, quality_weight="120", price_weight="-20", **rules)
        with pytest.raises(TenderError, match="Choose how ties are broken"):
            tenders.set_rules(
                officer,
                tender.id,
                quality_weight="70",
                price_weight="30",
                max_lots_per_provider=None,
                tie_break="coin",
            )
        saved = tenders.set_rules(
            officer, tender.id, quality_weight="62.5", price_weight="37.5", **rules
        )
        assert saved.quality_weight == Decimal("62.50") and saved.max_lots_per_provider is None
        with pytest.raises(TenderError, match="Choose the cost breakdown"):
            tenders.set_price_model(officer, tender.id, "cheapest")
        assert "Choose the price model" in tenders.publication_problems(tender)
        tenders.set_price_model(officer, tender.id, "stockport_2018")
        assert tenders.price_model_code(tender.cost_template) == "stockport_2018"


# ---------------------------------------------------------------------------------------------
# The timetable and the regime


def test_pcr_call_off_needs_ten_days_from_invitation_to_closing(app, setup):
    with frozen(MONDAY), app_ctx(app):
        officer = officer_of(setup)
        tender = tenders.create_tender(officer, setup.dps_id, setup.category_id, title="Care")
        with pytest.raises(TenderError) as refused:
            tenders.set_timetable(officer, tender.id, **timetable(MONDAY, closing_days=9))
        assert refused.value.field == "closing"
        assert refused.value.message == (
            "Under the Public Contracts Regulations 2015, a call-off from a dynamic purchasing "
            "system must allow at least 10 days from the invitation to the closing date. If it "
            "is published on Monday 2 March 2026, the closing date must be Thursday 12 March 2026 "
            "or later"
        )
        tenders.set_timetable(officer, tender.id, **timetable(MONDAY, closing_days=10))
        # Configuring a minimum does not change the law's 10 days.
        app.config["TENDER_MIN_DAYS"] = 20
        try:
            assert tenders.minimum_days(tender) == 10
        finally:
            app.config.pop("TENDER_MIN_DAYS")


def test_under_the_procurement_act_the_configured_minimum_applies(app, setup, make_user):
    with frozen(MONDAY), app_ctx(app):
        officer = officer_of(setup)
        dps, _ = create_dps(
            officer,
            reference="NCC-DM-2026",
            title="Dynamic market",
            description="",
            regime="pa2023_dynamic_market",
            lead_authority_id=officer.organisation_id,
            partner_ids=[],
            starts_on=date(2026, 1, 5),
        )
        publish_dps(officer, dps.id)
        tender = tenders.create_tender(officer, dps.id, dps.categories[0].id, title="Care")
        app.config["TENDER_MIN_DAYS"] = 15
        try:
            with pytest.raises(
                TenderError, match="must be reasonable: the council's minimum is 15"
            ):
                tenders.set_timetable(officer, tender.id, **timetable(MONDAY, closing_days=14))
            tenders.set_timetable(officer, tender.id, **timetable(MONDAY, closing_days=15))
        finally:
            app.config.pop("TENDER_MIN_DAYS")
        assert tenders.minimum_days(tender) == 10  # the regime's default without a setting


def test_the_timetable_runs_in_order(app, setup):
    with frozen(MONDAY), app_ctx(app):
        officer = officer_of(setup)
        tender = tenders.create_tender(officer, setup.dps_id, setup.category_id, title="Care")
        good = timetable(MONDAY)
        for changes, field, message in [
            ({"closing_at": None}, "closing", "Enter the closing date and time"),
            (
                {"clarification_deadline": good["closing_at"] + timedelta(hours=1)},
                "clarification_deadline",
                "before the closing time",
            ),
            (
                {"clarification_deadline": MONDAY - timedelta(hours=1)},
                "clarification_deadline",
                "must be in the future",
            ),
            (
                {"evaluation_on": good["closing_at"].date() - timedelta(days=1)},
                "evaluation_on",
                "on or after the closing date",
            ),
            ({"award_on": good["evaluation_on"] - timedelta(days=1)}, "award_on", "evaluation"),
            ({"contract_start_on": good["award_on"]}, "contract_start_on", "after the award date"),
            (
                {"contract_start_on": good["award_on"] + timedelta(days=3)},
                "contract_start_on",
                "after the standstill period, which ends at midnight at the end of",
            ),
        ]:
            with pytest.raises(TenderError, match=message) as refused:
                tenders.set_timetable(officer, tender.id, **{**good, **changes})
            assert refused.value.field == field
        with pytest.raises(ValueError, match="timezone-aware"):
            tenders.set_timetable(
                officer,
                tender.id,
                **{**good, "closing_at": good["closing_at"].replace(tzinfo=None)},
            )
        saved = tenders.set_timetable(officer, tender.id, **good)
        assert saved.closing_at == good["closing_at"]


def test_uk_wall_clock_times_become_utc_and_the_skipped_hour_is_refused():
    from datetime import time

    from dps.services.tender_rules import london_instant

    summer = london_instant(date(2026, 6, 1), time(17, 0))
    assert summer == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    assert london_instant(date(2026, 1, 5), time(17, 0)).hour == 17
    with pytest.raises(ValueError, match="does not exist"):
        london_instant(date(2026, 3, 29), time(1, 30))
    assert london_instant(date(2026, 10, 25), time(1, 30)).tzinfo is UTC


# ---------------------------------------------------------------------------------------------
# Publishing and invitations


def test_publishing_invites_active_members_of_the_category_in_the_lots_zones(app, setup):
    with frozen(MONDAY), app_ctx(app):
        tender_id = build(setup)
        cat, other = setup.category_id, setup.other_category_id
        ashfield_only = member(setup, "Ashfield Care Ltd", [(cat, "ashfield"), (cat, "gedling")])
        both = member(
            setup, "Both Lots Care Ltd", [(cat, "ashfield"), (cat, "bassetlaw_north_rural")]
        )
        other_category = member(
            setup, "Extra Care Ltd", [(other, "ashfield"), (other, "bassetlaw")]
        )
        suspended = member(setup, "Suspended Care Ltd", [(cat, "ashfield")], status="suspended")
        removed = member(setup, "Removed Care Ltd", [(cat, "bassetlaw")], status="removed")
        elsewhere = member(setup, "Gedling Care Ltd", [(cat, "gedling"), (cat, "mansfield")])

        tender = db.session.get(Tender, tender_id)
        lot1, lot2 = (lot.id for lot in tender.lots)
        assert tenders.invitee_names(tender) == ["Ashfield Care Ltd", "Both Lots Care Ltd"]

        published = tenders.publish(officer_of(setup), tender_id)
        assert published.status == "published" and published.published_at == MONDAY
        assert published.wrapped_key
        invited = {
            row.organisation_id: json.loads(row.lot_ids)
            for row in db.session.scalars(select(Invitation))
        }
        assert invited == {ashfield_only: [lot1], both: [lot1, lot2]}
        for left_out in (other_category, suspended, removed, elsewhere):
            assert left_out not in invited
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tender.published"))
        assert json.loads(event.detail)["invited"] == {
            str(ashfield_only): [lot1],
            str(both): [lot1, lot2],
        }
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.job_name == "send_invitations"))
        assert json.loads(job.args) == [tender_id]
        assert audit.verify().ok


def test_the_list_is_recorded_as_it_stood_and_a_second_publish_is_refused(app, setup):
    with frozen(MONDAY), app_ctx(app):
        tender_id = build(setup)
        member(setup, "First Care Ltd", [(setup.category_id, "ashfield")])
        tenders.publish(officer_of(setup), tender_id)
        member(setup, "Late Care Ltd", [(setup.category_id, "ashfield")])
        with pytest.raises(TransitionError, match="You cannot publish when it is published"):
            tenders.publish(officer_of(setup), tender_id)
        db.session.rollback()
        names = [row.organisation.name for row in tenders.invitations_of(tender_id)]
        assert names == ["First Care Ltd"]
        with pytest.raises(TenderError, match="can no longer be changed"):
            tenders.add_lot(officer_of(setup), tender_id, **lot_values(setup, "Gedling", "gedling"))


def test_publishing_is_refused_until_the_tender_is_complete(app, setup):
    with frozen(MONDAY), app_ctx(app):
        officer = officer_of(setup)
        tender = tenders.create_tender(officer, setup.dps_id, setup.category_id, title="Care")
        with pytest.raises(TransitionError) as refused:
            tenders.publish(officer, tender.id)
        message = str(refused.value)
        assert message.startswith("Fix these before publishing: Add at least one lot;")
        assert "Choose the price model" in message and "Enter the closing date and time" in message
        db.session.rollback()
        assert db.session.get(Tender, tender.id).status == "draft"
        assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_the_minimum_period_is_checked_again_at_publication(app, setup):
    with frozen(MONDAY), app_ctx(app):
        tender_id = build(setup, MONDAY)  # closes 14 days after Monday
    with frozen(MONDAY + timedelta(days=5)), app_ctx(app):
        problems = tenders.publication_problems(db.session.get(Tender, tender_id))
        assert any("at least 10 days" in problem for problem in problems)
        with pytest.raises(TransitionError, match="published on Saturday 7 March 2026"):
            tenders.publish(officer_of(setup), tender_id)


def test_invitation_jobs_deliver_each_message_and_e_mail_once(app, setup, run_jobs):
    with frozen(MONDAY), app_ctx(app):
        tender_id = build(setup)
        first = member(setup, "Ashfield Care Ltd", [(setup.category_id, "ashfield")])
        second = member(setup, "Bassetlaw Care Ltd", [(setup.category_id, "bassetlaw")])
        member(setup, "Extra Care Ltd", [(setup.other_category_id, "ashfield")])
        tenders.publish(officer_of(setup), tender_id)
    assert run_jobs() == 1
    assert run_jobs() == 0
    with app_ctx(app):
        from dps.jobs.tender_jobs import send_invitations

        assert send_invitations(tender_id) == 2  # run by hand again: still nothing new
        messages = db.session.scalars(select(Message).order_by(Message.organisation_id)).all()
        assert [m.organisation_id for m in messages] == [first, second]
        assert messages[0].subject == (
            "Invitation to tender: Home care in Ashfield and Bassetlaw (NCC-DPS-2026-T001)"
        )
        assert "- Lot 1: Ashfield (Ashfield)" in messages[0].body
        assert "Lot 2" not in messages[0].body
        assert "The closing time is midday on Monday 16 March 2026" in messages[0].body
        assert "/opportunities/NCC-DPS-2026-T001" in messages[0].body
        emails = db.session.scalars(select(EmailMessage.to_address)).all()
        assert sorted(emails) == ["ashfield@example.com", "bassetlaw@example.com"]
        rows = tenders.invitations_of(tender_id)
        assert all(row.told for row in rows)


def test_notify_invitees_posts_the_audited_notice_once_to_each_invitee(app, setup, run_jobs):
    with frozen(MONDAY), app_ctx(app):
        tender_id = build(setup)
        member(setup, "Ashfield Care Ltd", [(setup.category_id, "ashfield")])
        member(setup, "Bassetlaw Care Ltd", [(setup.category_id, "bassetlaw")])
        tenders.publish(officer_of(setup), tender_id)
        event = audit.record(
            "tender.deadline_changed",
            "tender",
            tender_id,
            {"subject": "Closing time changed", "body": "The tender now closes later."},
            actor=officer_of(setup),
        )
        db.session.flush()
        seq = event.seq
        schedule("notify_invitees", tender_id, seq)
        db.session.commit()
    run_jobs()
    run_jobs()
    with app_ctx(app):
        from dps.jobs.tender_jobs import notify_invitees

        assert notify_invitees(tender_id, seq) == 2
        notices = db.session.scalars(
            select(Message).where(Message.subject == "Closing time changed")
        ).all()
        assert len(notices) == 2 and notices[0].body == "The tender now closes later."
        assert (
            db.session.scalar(
                select(func.count(EmailMessage.id)).where(
                    EmailMessage.subject == "Closing time changed"
                )
            )
            == 2
        )
        other = audit.record(
            "tender.created", "tender", tender_id + 1, {"subject": "x", "body": "y"}
        )
        db.session.commit()
        assert notify_invitees(tender_id, other.seq) == 0  # about another tender


# ---------------------------------------------------------------------------------------------
# Copying and documents


def test_a_copy_keeps_the_content_and_clears_the_dates(app, setup):
    with frozen(MONDAY), app_ctx(app):
        tender_id = build(setup)
        tenders.attach_document(
            officer_of(setup), tender_id, FileStorage(io.BytesIO(PDF), "spec.pdf"), "Specification"
        )
        copy = tenders.copy_tender(officer_of(setup), tender_id)
        source = db.session.get(Tender, tender_id)
        assert copy.status == "draft" and copy.copied_from_id == tender_id
        assert copy.reference == "NCC-DPS-2026-T002" and copy.title.endswith("(copy)")
        assert [lot.title for lot in copy.lots] == [lot.title for lot in source.lots]
        assert [z.id for z in copy.lots[1].zones] == [z.id for z in source.lots[1].zones]
        assert [(q.text, q.marked_by, q.scale) for q in copy.questions] == [
            (q.text, q.marked_by, q.scale) for q in source.questions
        ]
        assert copy.cost_template == source.cost_template and copy.max_lots_per_provider == 1
        assert (copy.closing_at, copy.clarification_deadline, copy.award_on) == (None, None, None)
        assert [d.document_id for d in copy.documents] == [d.document_id for d in source.documents]
        assert "Enter the closing date and time" in tenders.publication_problems(copy)


def test_documents_are_checked_by_content(app, setup):
    with app_ctx(app):
        officer = officer_of(setup)
        tender = tenders.create_tender(officer, setup.dps_id, setup.category_id, title="Care")
        attached = tenders.attach_document(
            officer, tender.id, FileStorage(io.BytesIO(PDF), "C:\\docs\\spec.pdf"), ""
        )
        assert attached.title == "spec" and attached.document.content_type == "application/pdf"
        assert attached.document.organisation_id == officer.organisation_id
        with pytest.raises(TenderError, match="must be a PDF") as refused:
            tenders.attach_document(
                officer, tender.id, FileStorage(io.BytesIO(b"MZ\x90\x00"), "spec.pdf"), ""
            )
        assert refused.value.field == "file"
        tenders.remove_document(officer, tender.id, attached.id)
        assert db.session.get(Tender, tender.id).documents == []


def test_open_opportunities_are_published_tenders_before_their_closing_time(app, setup):
    with frozen(MONDAY), app_ctx(app):
        open_id = build(setup)
        build(setup, reference="NCC-DRAFT-1")
        tenders.publish(officer_of(setup), open_id)
        assert [t.id for t in tenders.open_opportunities()] == [open_id]
        assert tenders.public_tender("NCC-DRAFT-1") is None
        reference = db.session.get(Tender, open_id).reference
    with frozen(MONDAY + timedelta(days=15)), app_ctx(app):
        assert tenders.open_opportunities() == []
        assert tenders.public_tender(reference) is not None
