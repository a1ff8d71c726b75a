"""The bid service: drafts sealed as saved, clear refusals, receipts, closing time, counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from dps.extensions import db
from dps.models import AuditEvent, Bid, BidVersion, EmailMessage, Message, Role, Tender
from dps.services import bid_receipts, bids, sealing
from dps.services.bid_content import BidError, engine_to_typed, typed_to_engine, word_count
from dps.services.bid_figures import MONEY, parse_number
from dps.state import clock
from evaluation.costs import UKHCA_STYLE_2026, calculate
from tests.dps.stage2_factories import invite, make_tender, organisation_id, user

ANSWER = "We start packages within a day because our Ashfield coordinators hold spare rota slots."


def full_content(ids, **changes) -> dict:
    costs = {name: str(value) for name, value in UKHCA_STYLE_2026.defaults().items()}
    costs["basic_pay"] = "13.87"
    content = {
        "answers": {str(qid): f"{ANSWER} Answer {n}." for n, qid in enumerate(ids.question_ids)},
        "cost_inputs": costs,
        "call_rates": {"15": "6.10", "30": "11.20", "45": "16.30", "60": "21.40"},
        "capacity_hours": "300",
        "subcontractors": [],
    }
    content.update(changes)
    return content


@pytest.fixture
def setup(ctx, make_user):
    """A tender with two lots; Acme invited to lot 1 only; Birch not invited."""
    acme_email = make_user(Role.PROVIDER, organisation="Acme Care Ltd")
    birch_email = make_user(Role.PROVIDER, organisation="Birch Homecare Ltd")
    ids = make_tender()
    acme = organisation_id(acme_email)
    invite(ids.tender_id, acme, [ids.lot_ids[0]])

    class Setup:
        pass

    s = Setup()
    s.ids, s.acme, s.birch = ids, acme, organisation_id(birch_email)
    s.actor, s.birch_actor = user(acme_email), user(birch_email)
    s.lot = ids.lot_ids[0]
    return s


def started(s) -> int:
    return bids.start_or_resume_bid(s.ids.tender_id, s.lot, s.acme, actor=s.actor).id


# --- who may bid for what ----------------------------------------------------------------------


def test_invited_tenders_list_only_invited_lots(setup):
    s = setup
    [entry] = bids.tenders_for(s.acme)
    assert entry.tender.id == s.ids.tender_id
    assert [item.lot.id for item in entry.lots] == [s.lot] and entry.lots[0].bid is None
    assert bids.tenders_for(s.birch) == []
    assert bids.invited_tender(s.ids.tender_id, s.birch) is None


def test_start_or_resume_is_idempotent_and_refuses_other_lots(setup):
    s = setup
    first = started(s)
    assert started(s) == first
    with pytest.raises(bids.BidNotFound, match="not invited to bid for that lot"):
        bids.start_or_resume_bid(s.ids.tender_id, s.ids.lot_ids[1], s.acme)
    other = make_tender(reference="NCC-HC-2026-02")
    with pytest.raises(bids.BidNotFound, match="not part of this tender"):
        bids.start_or_resume_bid(s.ids.tender_id, other.lot_ids[0], s.acme)
    with pytest.raises(bids.BidNotFound, match="not invited to this tender"):
        bids.start_or_resume_bid(s.ids.tender_id, s.lot, s.birch)
    bid = db.session.get(Bid, first)
    assert bid.status == "draft" and bid.draft_ciphertext is not None


def test_another_organisations_bid_id_is_not_found(setup):
    s = setup
    bid_id = started(s)
    invite(s.ids.tender_id, s.birch, [s.lot])
    with pytest.raises(bids.BidNotFound):
        bids.save_draft(bid_id, s.birch, s.birch_actor, full_content(s.ids))
    with pytest.raises(bids.BidNotFound):
        bids.submit(bid_id, s.birch, s.birch_actor)
    with pytest.raises(bids.BidNotFound):
        bids.withdraw(bid_id, s.birch, s.birch_actor)
    assert bids.receipt(bid_id, s.birch, 1) is None


# --- drafts ------------------------------------------------------------------------------------


def test_a_draft_is_saved_sealed_and_read_back_by_the_bidder(setup):
    s = setup
    bid_id = started(s)
    content = full_content(s.ids)
    assert bids.save_draft(bid_id, s.acme, s.actor, content).warnings == []
    view = bids.bid_view(s.ids.tender_id, s.lot, s.acme)
    assert view.content == content and view.problems == {}
    assert ANSWER.encode() not in view.bid.draft_ciphertext


def test_over_the_word_limit_is_saved_with_a_warning_but_not_submitted(setup):
    s = setup
    bid_id = started(s)
    long_answer = "word " * 301  # question 1 allows 300 words
    content = full_content(s.ids)
    content["answers"][str(s.ids.question_ids[0])] = long_answer
    result = bids.save_draft(bid_id, s.acme, s.actor, content)
    assert result.warnings == [
        "Your answer to question 1 is 301 words, over the 300-word limit. It is saved, but "
        "shorten it before you submit."
    ]
    with pytest.raises(BidError) as refused:
        bids.submit(bid_id, s.acme, s.actor)
    assert refused.value.errors == {
        f"answers.{s.ids.question_ids[0]}": "Shorten your answer to question 1 to 300 words or "
        "fewer (it has 301)"
    }
    assert db.session.get(Bid, bid_id).status == "draft"


@pytest.mark.parametrize("length", [20_001, 100_000])
def test_very_long_answers_are_refused_and_nothing_saved_is_lost(setup, length):
    s = setup
    bid_id = started(s)
    bids.save_draft(bid_id, s.acme, s.actor, full_content(s.ids))
    before = db.session.get(Bid, bid_id).draft_ciphertext
    content = full_content(s.ids)
    content["answers"][str(s.ids.question_ids[1])] = "x" * length
    with pytest.raises(BidError) as refused:
        bids.save_draft(bid_id, s.acme, s.actor, content)
    assert refused.value.errors == {
        f"answers.{s.ids.question_ids[1]}": "Your answer to question 2 must be 20,000 characters "
        f"or fewer (it has {length:,})"
    }
    db.session.expire_all()
    assert db.session.get(Bid, bid_id).draft_ciphertext == before


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("basic_pay", "twelve", "Basic pay must be a number, like 12.71"),
        ("basic_pay", "12.7l", "Basic pay must be a number, like 12.71"),
        ("basic_pay", "-12.71", "Basic pay cannot be negative"),
        ("basic_pay", "NaN", "Basic pay must be a number, like 12.71"),
        ("basic_pay", "Infinity", "Basic pay must be a number, like 12.71"),
        ("basic_pay", "1e3", "Basic pay must be a number, like 12.71"),
        ("basic_pay", "12.715", "Enter basic pay in pounds and pence, like 12.71"),
        ("basic_pay", "100001", "Basic pay must be 100,000 or less"),
        (
            "holiday_rate",
            "0.120701",
            "Enter holiday rate in no more than 4 decimal places, like 0.1207",
        ),
        ("holiday_rate", "1.5", "Holiday rate must be 1 or less"),
        ("mileage_rate", ["0.45"], "Mileage rate must be a number, like 12.71"),
        ("no_such_thing", "1", "The cost breakdown has no item by that name"),
    ],
)
def test_bad_figures_are_refused_with_a_clear_message(setup, name, value, message):
    s = setup
    bid_id = started(s)
    content = full_content(s.ids)
    content["cost_inputs"][name] = value
    with pytest.raises(BidError) as refused:
        bids.save_draft(bid_id, s.acme, s.actor, content)
    assert refused.value.errors == {f"cost_inputs.{name}": message}
    assert message in refused.value.message


@pytest.mark.parametrize(
    "part, value, key, message",
    [
        (
            "call_rates",
            {"30": "ten"},
            "call_rates.30",
            "The rate for a 30-minute visit must be a number, like 12.71",
        ),
        (
            "call_rates",
            {"20": "5.00"},
            "call_rates.20",
            "This tender does not ask for that visit length",
        ),
        ("capacity_hours", "0", "capacity_hours", "Capacity must be more than 0 hours a week"),
        ("capacity_hours", "-5", "capacity_hours", "Capacity cannot be negative"),
        ("capacity_hours", "lots", "capacity_hours", "Capacity must be a number, like 120"),
        (
            "answers",
            {"999999": "Hello"},
            "answers.999999",
            "That question is not part of this tender",
        ),
        (
            "subcontractors",
            [{"name": "Small Co", "role": "subcontractor", "zones": ["mansfield"], "share": "20"}],
            "subcontractors.0.zones",
            "Select zones from this lot only",
        ),
        (
            "subcontractors",
            [{"name": "", "role": "subcontractor", "zones": ["ashfield"], "share": "20"}],
            "subcontractors.0.name",
            "Enter the name of the subcontractor or partner",
        ),
        (
            "subcontractors",
            [{"name": "A", "role": "boss", "zones": ["ashfield"], "share": "20"}],
            "subcontractors.0.role",
            "Select whether it is a subcontractor or a consortium partner",
        ),
        (
            "subcontractors",
            [
                {"name": "A", "role": "subcontractor", "zones": ["ashfield"], "share": "60"},
                {"name": "B", "role": "consortium", "zones": ["ashfield"], "share": "41"},
            ],
            "subcontractors",
            "The shares of the hours add up to more than 100%",
        ),
    ],
)
def test_other_parts_of_a_bid_are_checked(setup, part, value, key, message):
    s = setup
    bid_id = started(s)
    with pytest.raises(BidError) as refused:
        bids.save_draft(bid_id, s.acme, s.actor, full_content(s.ids, **{part: value}))
    assert refused.value.errors == {key: message}


def test_subcontractors_are_kept_with_their_zones(setup):
    s = setup
    bid_id = started(s)
    partner = {
        "name": "Kirkby Carers CIC",
        "role": "consortium",
        "zones": ["ashfield"],
        "share": "25",
    }
    bids.save_draft(bid_id, s.acme, s.actor, full_content(s.ids, subcontractors=[partner]))
    assert bids.bid_view(s.ids.tender_id, s.lot, s.acme).content["subcontractors"] == [partner]


def test_pages_of_the_bid_merge_into_the_draft(setup):
    s = setup
    bid_id = started(s)
    qid = s.ids.question_ids[0]
    bids.update_draft(bid_id, s.acme, s.actor, "answer", {"question_id": qid, "text": ANSWER})
    bids.update_draft(
        bid_id,
        s.acme,
        s.actor,
        "costs",
        {"basic_pay": "£13.50", "holiday_rate": "12.07%", "pension_rate": "3"},
    )
    bids.update_draft(bid_id, s.acme, s.actor, "capacity", {"capacity_hours": "120"})
    bids.update_draft(
        bid_id,
        s.acme,
        s.actor,
        "add_partner",
        {"name": "A", "role": "subcontractor", "zones": ["ashfield"], "share": "5"},
    )
    bids.update_draft(bid_id, s.acme, s.actor, "remove_partner", {"index": 0})
    content = bids.bid_view(s.ids.tender_id, s.lot, s.acme).content
    assert content["answers"] == {str(qid): ANSWER}
    assert content["cost_inputs"] == {
        "basic_pay": "13.50",
        "holiday_rate": "0.1207",
        "pension_rate": "0.03",
    }
    assert content["capacity_hours"] == "120" and content["subcontractors"] == []


def test_typed_percentages_become_fractions_and_back(setup):
    s = setup
    facts = bids.bid_view(s.ids.tender_id, s.lot, s.acme).facts
    engine = typed_to_engine(
        {"holiday_rate": "12.07", "basic_pay": "12.70", "travel_minutes_per_hour": "11.4"}, facts
    )
    assert engine == {
        "holiday_rate": "0.1207",
        "basic_pay": "12.70",
        "travel_minutes_per_hour": "11.4",
    }
    assert engine_to_typed(engine, facts) == {
        "holiday_rate": "12.07",
        "basic_pay": "12.70",
        "travel_minutes_per_hour": "11.4",
    }
    with pytest.raises(BidError) as refused:
        typed_to_engine({"holiday_rate": "112"}, facts)
    assert refused.value.errors == {"cost_inputs.holiday_rate": "Holiday rate must be 100 or less"}


# --- the engine's view -------------------------------------------------------------------------


def test_breakdown_is_the_engines_calculation_with_viability_findings(setup):
    s = setup
    tender = db.session.get(Tender, s.ids.tender_id)
    content = full_content(s.ids)
    assessment = bids.breakdown(content, tender, tender.lots[0])
    expected = calculate(
        UKHCA_STYLE_2026, {k: Decimal(v) for k, v in content["cost_inputs"].items()}
    )
    assert assessment.breakdown.total_rounded == expected.total_rounded
    assert assessment.warnings == () and assessment.error is None
    assert [rate.minutes for rate in assessment.pro_rata] == [15, 30, 45, 60]
    assert bids.breakdown(content, tender).breakdown.total == assessment.breakdown.total
    content["cost_inputs"]["basic_pay"] = "11.50"
    low = bids.breakdown(content, tender, tender.lots[0])
    assert [f.code for f in low.warnings][:1] == ["below_nlw"]
    assert "below the National Living Wage of 12.71" in low.warnings[0].message


# --- submission --------------------------------------------------------------------------------


def test_an_incomplete_bid_cannot_be_submitted(setup):
    s = setup
    bid_id = started(s)
    with pytest.raises(BidError) as refused:
        bids.submit(bid_id, s.acme, s.actor)
    errors = refused.value.errors
    assert errors[f"answers.{s.ids.question_ids[0]}"] == "Answer question 1"
    assert errors["cost_inputs"].startswith("Complete your cost breakdown (enter basic pay")
    assert errors["call_rates"] == "Enter your rates for 15, 30, 45, 60-minute visits"
    assert errors["capacity_hours"] == "Enter how many hours of care a week you can take on"
    assert errors["subcontractors"] == (
        "Say whether you will use subcontractors or consortium partners"
    )
    assert db.session.scalar(select(BidVersion.id)) is None


def test_submission_gives_a_receipt_on_screen_in_the_inbox_and_by_email(setup):
    s = setup
    clock.set_fixed(datetime(2026, 3, 2, 15, 5, 9, tzinfo=UTC))
    bid_id = started(s)
    s.ids = s.ids
    content = full_content(s.ids)
    bids.save_draft(bid_id, s.acme, s.actor, content)
    version = bids.submit(bid_id, s.acme, s.actor)
    reference = f"BID-NCC-HC-2026-01-L1-{s.acme}-v1"
    assert version.version == 1 and version.receipt_reference == reference
    assert version.digest == sealing.digest(content)
    assert bids.receipt_time(version.submitted_at) == "3:05:09pm on Monday 2 March 2026"
    bid = db.session.get(Bid, bid_id)
    assert bid.status == "submitted" and bid.submitted_version == 1
    message = db.session.scalar(select(Message).where(Message.organisation_id == s.acme))
    email = db.session.scalar(select(EmailMessage))
    for body in (message.body, email.body):
        assert reference in body and version.digest in body
        assert "3:05:09pm on Monday 2 March 2026 (UK time)" in body
        assert ANSWER not in body and "13.87" not in body
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bid.submitted"))
    assert json.loads(audit.detail) == {
        "tender": "NCC-HC-2026-01",
        "lot": 1,
        "version": 1,
        "reference": reference,
        "digest": version.digest,
    }


def test_replace_withdraw_and_resubmit_keep_every_version(setup):
    s = setup
    bid_id = started(s)
    bids.save_draft(bid_id, s.acme, s.actor, full_content(s.ids))
    first = bids.submit(bid_id, s.acme, s.actor)
    bids.save_draft(bid_id, s.acme, s.actor, full_content(s.ids, capacity_hours="280"))
    assert bids.bid_view(s.ids.tender_id, s.lot, s.acme).changed_since_submission
    second = bids.submit(bid_id, s.acme, s.actor)
    assert second.version == 2 and second.digest != first.digest
    withdrawn = bids.withdraw(bid_id, s.acme, s.actor)
    assert withdrawn.id == second.id and withdrawn.withdrawn_at is not None
    assert db.session.get(Bid, bid_id).status == "withdrawn"
    assert bids.counts_for_officers(s.ids.tender_id) == {s.lot: 0, s.ids.lot_ids[1]: 0}
    third = bids.submit(bid_id, s.acme, s.actor)
    assert [v.version for v in db.session.get(Bid, bid_id).versions] == [1, 2, 3]
    assert third.receipt_reference.endswith("-v3") and third.withdrawn_at is None
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert [a for a in actions if a.startswith("bid.")] == [
        "bid.started",
        "bid.draft_saved",
        "bid.submitted",
        "bid.draft_saved",
        "bid.replaced",
        "bid.withdrawn",
        "bid.submitted",
    ]
    with pytest.raises(BidError, match="cannot withdraw when it is draft"):
        other = make_tender(reference="NCC-HC-2026-03")
        invite(other.tender_id, s.acme, other.lot_ids)
        draft = bids.start_or_resume_bid(other.tender_id, other.lot_ids[0], s.acme)
        bids.withdraw(draft.id, s.acme, s.actor)


def test_a_bid_one_second_after_closing_is_refused_and_one_second_before_accepted(setup):
    s = setup
    bid_id = started(s)
    bids.save_draft(bid_id, s.acme, s.actor, full_content(s.ids))
    closing_at = db.session.get(Tender, s.ids.tender_id).closing_at

    clock.set_fixed(closing_at + timedelta(seconds=1))
    with pytest.raises(BidError) as refused:
        bids.submit(bid_id, s.acme, s.actor)
    assert refused.value.message == (
        "The closing time has passed, so bids can no longer be changed or submitted."
    )
    with pytest.raises(BidError, match="The closing time has passed"):
        bids.save_draft(bid_id, s.acme, s.actor, full_content(s.ids, capacity_hours="1"))
    db.session.expire_all()
    bid = db.session.get(Bid, bid_id)
    assert bid.status == "draft" and bid.versions == [] and bid.submitted_at is None
    assert db.session.scalar(select(Message.id)) is None
    assert bids.bid_view(s.ids.tender_id, s.lot, s.acme).content["capacity_hours"] == "300"

    clock.set_fixed(closing_at - timedelta(seconds=1))
    version = bids.submit(bid_id, s.acme, s.actor)
    assert version.version == 1 and version.submitted_at == closing_at - timedelta(seconds=1)


def test_a_bid_cannot_be_started_after_closing(setup):
    s = setup
    closing_at = db.session.get(Tender, s.ids.tender_id).closing_at
    clock.set_fixed(closing_at)
    with pytest.raises(BidError, match="The closing time has passed"):
        started(s)
    assert db.session.scalar(select(Bid.id)) is None


# --- sealed until opening ----------------------------------------------------------------------


def _every_stored_value() -> list[object]:
    values: list[object] = []
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"')):
                values.extend(row)
    return values


def test_the_database_holds_no_plaintext_answer_or_price(setup):
    s = setup
    clock.set_fixed(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))  # no stray digits in timestamps
    bid_id = started(s)
    content = full_content(s.ids)
    bids.save_draft(bid_id, s.acme, s.actor, content)
    bids.submit(bid_id, s.acme, s.actor)
    bids.save_draft(bid_id, s.acme, s.actor, full_content(s.ids))
    tender = db.session.get(Tender, s.ids.tender_id)
    total = str(bids.breakdown(content, tender, tender.lots[0]).breakdown.total_rounded)
    values = _every_stored_value()
    assert any(isinstance(v, bytes) and len(v) > 500 for v in values)  # the ciphertexts
    for needle in (ANSWER, "rota slots", "13.87", total, "21.40"):
        for value in values:
            if isinstance(value, bytes | bytearray | memoryview):
                assert needle.encode() not in bytes(value), needle
            else:
                assert needle not in str(value), (needle, value)


def test_officers_see_only_counts_of_submitted_bids(setup, make_user):
    s = setup
    birch_bid = None
    invite_lots = [s.lot, s.ids.lot_ids[1]]
    db.session.execute(text("DELETE FROM invitation"))
    db.session.commit()
    invite(s.ids.tender_id, s.acme, invite_lots)
    invite(s.ids.tender_id, s.birch, invite_lots)
    acme_bid = started(s)
    bids.save_draft(acme_bid, s.acme, s.actor, full_content(s.ids))
    bids.submit(acme_bid, s.acme, s.actor)
    birch_bid = bids.start_or_resume_bid(s.ids.tender_id, s.lot, s.birch).id
    assert bids.counts_for_officers(s.ids.tender_id) == {s.lot: 1, s.ids.lot_ids[1]: 0}
    bids.save_draft(birch_bid, s.birch, s.birch_actor, full_content(s.ids))
    bids.submit(birch_bid, s.birch, s.birch_actor)
    assert bids.counts_for_officers(s.ids.tender_id) == {s.lot: 2, s.ids.lot_ids[1]: 0}


# --- words and times ---------------------------------------------------------------------------


def test_word_count_counts_runs_of_non_space():
    assert word_count("") == 0
    assert word_count("  one two\nthree\t four  ") == 4


@pytest.mark.parametrize(
    "left, words",
    [
        (timedelta(days=6, hours=23, minutes=5), "6 days and 23 hours left"),
        (timedelta(days=1), "1 day left"),
        (timedelta(hours=1, minutes=1), "1 hour and 1 minute left"),
        (timedelta(minutes=35, seconds=20), "35 minutes left"),
        (timedelta(seconds=30), "Less than a minute left"),
        (timedelta(0), "Closed"),
        (timedelta(seconds=-5), "Closed"),
    ],
)
def test_time_left_in_words(left, words):
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert bids.time_left_words(at + left, at) == words


def test_receipt_time_is_uk_time_to_the_second():
    summer = datetime(2026, 7, 1, 11, 0, 1, tzinfo=UTC)
    assert bids.receipt_time(summer) == "12:00:01pm on Wednesday 1 July 2026"


def test_long_tender_references_still_fit_the_receipt_reference(setup):
    s = setup
    tender = db.session.get(Tender, s.ids.tender_id)
    tender.reference = "NCC-HOME-CARE-CALL-OFF-2026-27-ROUND-001"
    assert bid_receipts.reference(tender, tender.lots[0], 12, 3) == f"BID-T{tender.id}-L1-12-v3"
    db.session.rollback()


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("12.71", Decimal("12.71")),
        ("£1,012.50", Decimal("1012.50")),
        (" 12.7 ", Decimal("12.7")),
        (".5", Decimal("0.5")),
        ("12.", Decimal("12")),
        ("", None),
        (None, None),
    ],
)
def test_typed_money_is_read_leniently(typed, expected):
    assert parse_number(typed, "Basic pay", MONEY) == expected


@pytest.mark.parametrize("typed", ["١٢", "12\n3", "0x10", "1_000", "12..5", "+12", "1e3", "£x"])
def test_anything_but_a_plain_number_is_refused(typed):
    with pytest.raises(ValueError, match="Basic pay must be a number, like 12.71"):
        parse_number(typed, "Basic pay", MONEY)
