"""The annual uplift service: new figures -> every live contract's new rate by the engine, a
history row per contract, the rates changed, and one notice per provider however often the jobs
run."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from dps.extensions import db
from dps.models.audit import AuditEvent
from dps.models.award import Contract
from dps.models.cost_of_care import AuthorityCostTemplate, ContractRateChange, UpliftRound
from dps.models.messaging import EmailMessage, Message, OutboxJob
from dps.services import uplifts
from dps.services.uplift_basis import uplift_basis
from dps.services.uplift_pricing import changes_for, previous_of
from dps.services.uplifts import UPLIFT_TRANSITIONS, UpliftError
from dps.state.machine import TransitionError, fire
from evaluation.costs import UKHCA_STYLE_2026, calculate
from evaluation.fees import uplift
from evaluation.money import penny
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.uplift_setup import EFFECTIVE, bid_inputs, bid_rate, uplift_world

FIGURES = {"nlw": "13.21", "employer_ni_rate": "16"}  # NLW 12.71 -> 13.21; NI 15% -> 16%
ENGINE_CHANGES = {"employer_ni_rate": D("0.16")}


def _create(email, figures=None, effective=EFFECTIVE, title="April 2027 uplift"):
    return uplifts.create_round(
        f.user(email), title, effective, FIGURES if figures is None else figures
    )


@pytest.fixture
def world(app, make_user):
    return uplift_world(app, make_user)


def test_uplift_approval_records_the_engines_new_rate_for_every_live_contract(app, world):
    with app_ctx(app):
        round_id = _create(world.officer).id
        uplifts.approve(f.user(world.officer), round_id)
        changes = {
            c.contract_id: c
            for c in db.session.scalars(
                select(ContractRateChange).where(ContractRateChange.uplift_id == round_id)
            )
        }
        ids = world.contract_ids
        assert set(changes) == {ids["C1"], ids["C2"], ids["C3"]}  # not the ended contract

        # C1 is at its bid's price: the new rate is the engine's, basic pay up by the NLW rise.
        inputs = bid_inputs(0)
        expected = uplift(
            UKHCA_STYLE_2026, inputs, {"basic_pay": D("13.30"), **ENGINE_CHANGES}
        ).after.total_rounded
        c1 = changes[ids["C1"]]
        assert (c1.old_rate, c1.new_rate) == (bid_rate(0), expected)
        assert c1.effective_on == EFFECTIVE
        assert "winning bid" in c1.explanation and "12.80 + the NLW rise 0.50" in c1.explanation

        # C2 was negotiated above its bid: it moves by the engine's percentage for bid B.
        b = bid_inputs(1)
        result = uplift(UKHCA_STYLE_2026, b, {"basic_pay": D("13.35"), **ENGINE_CHANGES})
        c2 = changes[ids["C2"]]
        assert c2.new_rate == penny(D("30.00") * result.after.total / result.before.total)
        assert "same percentage" in c2.explanation

        # C3 has no bid: the tender's template with its defaults, scaled to 25.00.
        result = uplift(UKHCA_STYLE_2026, None, {"basic_pay": D("13.21"), **ENGINE_CHANGES})
        c3 = changes[ids["C3"]]
        assert c3.new_rate == penny(D("25.00") * result.after.total / result.before.total)
        assert "tender's template" in c3.explanation

        for key, change in (("C1", c1), ("C2", c2), ("C3", c3)):
            assert db.session.get(Contract, ids[key]).hourly_rate == change.new_rate
        assert db.session.get(Contract, ids["OLD"]).hourly_rate == D("26.00")
        round_ = db.session.get(UpliftRound, round_id)
        assert round_.status == "approved" and round_.approved_at is not None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "uplift.approved"))
        assert json.loads(event.detail)["rates"][c1.contract.reference] == [
            str(c1.old_rate),
            str(c1.new_rate),
        ]


def test_uplift_approval_twice_is_refused_and_changes_nothing(app, world):
    with app_ctx(app):
        round_id = _create(world.officer).id
        uplifts.approve(f.user(world.officer), round_id)
        rates = {c.id: c.hourly_rate for c in db.session.scalars(select(Contract))}
        with pytest.raises(UpliftError, match="already approved"):
            uplifts.approve(f.user(world.officer2), round_id)
        db.session.expire_all()
        assert {c.id: c.hourly_rate for c in db.session.scalars(select(Contract))} == rates
        count = db.session.scalar(select(func.count(ContractRateChange.id)))
        assert count == 3


def test_uplift_notifies_each_provider_once_however_often_the_jobs_run(app, world, run_jobs):
    with app_ctx(app):
        round_id = _create(world.officer).id
        uplifts.approve(f.user(world.officer), round_id)
        assert (
            db.session.scalar(
                select(func.count(OutboxJob.id)).where(OutboxJob.job_name == "notify_uplift")
            )
            == 3
        )
    assert run_jobs() >= 3
    run_jobs()
    with app_ctx(app):
        from dps.jobs.uplift_jobs import notify_uplift

        assert notify_uplift(round_id, world.org_ids["C1"]) == 1  # a third run sends nothing
        db.session.remove()
    with app_ctx(app):
        for key in ("C1", "C2", "C3"):
            messages = db.session.scalars(
                select(Message).where(Message.organisation_id == world.org_ids[key])
            ).all()
            uplift_messages = [m for m in messages if "New hourly rates" in m.subject]
            assert len(uplift_messages) == 1
            contract = db.session.get(Contract, world.contract_ids[key])
            assert contract.reference in uplift_messages[0].body
            assert f"to £{contract.hourly_rate} an hour" in uplift_messages[0].body
        no_notice = db.session.scalars(
            select(Message).where(Message.organisation_id == world.org_ids["OLD"])
        ).all()
        assert not [m for m in no_notice if "New hourly rates" in m.subject]
        for email in (world.bidders[0], world.bidders[1], world.extra_provider):
            sent = db.session.scalar(
                select(func.count(EmailMessage.id)).where(
                    EmailMessage.to_address == email, EmailMessage.subject.like("New hourly%")
                )
            )
            assert sent == 1


def test_uplift_a_second_round_starts_from_the_first_rounds_breakdown(app, world):
    with app_ctx(app):
        first = _create(world.officer).id
        uplifts.approve(f.user(world.officer), first)
        second = _create(world.officer, {"nlw": "13.71"}, date(2028, 4, 1), "April 2028").id
        round_ = db.session.get(UpliftRound, second)
        assert previous_of(round_)["nlw"] == D("13.21")  # the first round's NLW
        preview = uplifts.preview(round_, f.user(world.officer))
        c1 = next(i for i in preview.items if i.contract.id == world.contract_ids["C1"])
        # Before = basic pay 13.30 and NI 16%, so the contract's rate is the breakdown's own.
        assert c1.result.before.parameters["basic_pay"] == D("13.30")
        assert c1.result.before.total_rounded == c1.old_rate
        assert "is this breakdown's rate" in c1.scaling
        expected = calculate(
            UKHCA_STYLE_2026, {**bid_inputs(0), "basic_pay": D("13.80"), **ENGINE_CHANGES}
        ).total_rounded
        assert c1.new_rate == expected
        uplifts.approve(f.user(world.officer), second)
        history = uplifts.history(world.contract_ids["C1"])
        assert [h.uplift_id for h in history] == [first, second]
        assert history[1].old_rate == history[0].new_rate


def test_uplift_uses_the_benchmark_when_a_contract_has_no_bid(app, world):
    with app_ctx(app):
        officer = f.user(world.officer)
        template = UKHCA_STYLE_2026.to_dict()
        template["id"] = "council-test"
        db.session.add(
            AuthorityCostTemplate(
                authority_id=officer.organisation_id,
                name="Our 2027 benchmark",
                template=json.dumps(template),
                benchmark_year=2027,
            )
        )
        db.session.commit()
        contract = db.session.get(Contract, world.contract_ids["C3"])
        assert uplift_basis(contract, officer, EFFECTIVE).source == "benchmark"
        assert uplift_basis(contract, officer, date(2027, 3, 31)).source == "tender"  # 2026/27
        bid_contract = db.session.get(Contract, world.contract_ids["C1"])
        assert uplift_basis(bid_contract, officer, EFFECTIVE).source == "bid"


def test_uplift_changes_for_keeps_the_margin_above_the_nlw_and_floors_at_it():
    previous = {"nlw": D("12.71"), "ni_threshold": D("5000")}
    changes, notes = changes_for(
        {"basic_pay": D("12.80"), "ni_threshold_per_hour": D("3.5920")},
        {"nlw": D("13.21"), "ni_threshold": D("6000")},
        previous,
    )
    assert changes == {"basic_pay": D("13.30"), "ni_threshold_per_hour": D("4.3104")}
    changes, notes = changes_for({"basic_pay": D("10.00")}, {"nlw": D("13.21")}, previous)
    assert changes == {"basic_pay": D("13.21")} and "raised to the new NLW" in notes[0]
    changes, notes = changes_for({"basic_pay": D("13")}, {"pension_rate": D("0.05")}, previous)
    assert changes == {} and "no line for: Employer pension rate" in notes[0]


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        ({}, "nlw", "Enter at least one new figure"),
        ({"nlw": "abc"}, "nlw", "must be a number"),
        ({"nlw": "-1"}, "nlw", "cannot be negative"),
        ({"nlw": "0"}, "nlw", "more than 0"),
        ({"employer_ni_rate": "120"}, "employer_ni_rate", "100 or less"),
        ({"pension_rate": "3.123"}, "pension_rate", "decimal places"),
    ],
)
def test_uplift_bad_figures_are_refused_with_a_message(app, world, typed, field, words):
    with app_ctx(app):
        with pytest.raises(UpliftError) as raised:
            _create(world.officer, typed)
        assert words in raised.value.errors[field]
        assert db.session.scalar(select(func.count(UpliftRound.id))) == 0


def test_uplift_title_and_date_are_required(app, world):
    with app_ctx(app):
        with pytest.raises(UpliftError) as raised:
            uplifts.create_round(f.user(world.officer), "  ", None, FIGURES)
        assert set(raised.value.errors) == {"title", "effective_on"}
        with pytest.raises(UpliftError) as raised:
            uplifts.create_round(f.user(world.officer), "Early", date(2016, 3, 1), FIGURES)
        assert "after 1 April 2016" in raised.value.errors["effective_on"]


def test_uplift_of_another_authority_is_not_found(app, world):
    with app_ctx(app):
        round_id = _create(world.officer).id
        outsider = f.user(world.outsider)
        assert uplifts.own_round(outsider, round_id) is None
        assert uplifts.own_contract(outsider, world.contract_ids["C1"]) is None
        with pytest.raises(LookupError):
            uplifts.approve(outsider, round_id)
        # The outsider's own round sees none of this authority's contracts.
        other = _create(world.outsider)
        with pytest.raises(UpliftError, match="no live contracts"):
            uplifts.approve(outsider, other.id)


@pytest.mark.parametrize(("state", "event"), list(UPLIFT_TRANSITIONS))
def test_uplift_transition_table(app, world, state, event):
    with app_ctx(app):
        round_ = _create(world.officer)
        assert round_.status == state
        actor = f.user(world.officer)
        with pytest.raises(TransitionError):
            fire(UPLIFT_TRANSITIONS, round_, event, actor=actor, contracts=[])
        fire(UPLIFT_TRANSITIONS, round_, event, actor=actor, contracts=[object()])
        assert round_.status == UPLIFT_TRANSITIONS[(state, event)].next_state
        assert round_.approved_by_id == actor.id
        with pytest.raises(TransitionError):
            fire(UPLIFT_TRANSITIONS, round_, event, actor=actor, contracts=[object()])
        db.session.rollback()


def test_uplift_a_draft_made_before_an_earlier_round_was_approved_must_be_made_again(app, world):
    with app_ctx(app):
        later = _create(world.officer, {"nlw": "13.71"}, date(2028, 4, 1), "April 2028").id
        earlier = _create(world.officer).id
        uplifts.approve(f.user(world.officer), earlier)
        with pytest.raises(UpliftError, match="Create this uplift again"):
            uplifts.approve(f.user(world.officer), later)
        assert db.session.get(UpliftRound, later).status == "draft"
