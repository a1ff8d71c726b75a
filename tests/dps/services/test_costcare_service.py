"""The cost-of-care service: typed figures to the engine's, scenarios audited per organisation,
comparing breakdowns of different templates, and which templates each person may price."""

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from dps.extensions import db
from dps.models import Role, User
from dps.models.audit import AuditEvent
from dps.services import cost_of_care as costs
from dps.services import cost_templates_admin as admin
from dps.services.cost_of_care import CostError
from evaluation.costs import STOCKPORT_2018, UKHCA_STYLE_2026


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_costcare_percentages_are_typed_as_percentages_and_blank_means_the_default():
    inputs, errors = costs.read_figures(
        STOCKPORT_2018,
        {"p_pension_rate": "3", "p_basic_pay": "", "p_travel_minutes_per_hour": "12"},
    )
    assert errors == {}
    assert inputs == {"pension_rate": D("0.03"), "travel_minutes_per_hour": D("12")}
    _, errors = costs.read_figures(STOCKPORT_2018, {"p_travel_minutes_per_hour": "61"})
    assert "60 or less" in errors["p_travel_minutes_per_hour"]


def test_costcare_visit_rates_need_a_rate_and_check_the_rule():
    rates, hourly, errors = costs.visit_rates(None, {})
    assert rates == () and hourly is None and errors == {}
    rates, hourly, errors = costs.visit_rates(D("15.61"), {"minimum_minutes": "0"})
    assert rates == () and "whole number of minutes from 1 to 60" in errors["minimum_minutes"]
    rates, hourly, _ = costs.visit_rates(D("15.61"), {"call_rate": "14.20"})
    assert hourly == D("14.20") and [r.rounded for r in rates] == [
        D("3.55"),
        D("7.10"),
        D("10.65"),
        D("14.20"),
    ]


def test_costcare_comparing_different_templates_keeps_every_line_of_both():
    first = costs.price(STOCKPORT_2018, {})
    second = costs.price(UKHCA_STYLE_2026, {})
    lines, difference = costs.compare(first, second)
    labels = [line.label for line in lines]
    assert "Direct pay" in labels and "Gross pay" in labels
    direct = next(line for line in lines if line.label == "Direct pay")
    assert direct.second is None and direct.difference is None and direct.is_subtotal
    assert difference == second.total_rounded - first.total_rounded


def test_costcare_scenarios_are_audited_and_kept_per_organisation(app, make_user, ctx):
    owner = _user(make_user(Role.PROVIDER))
    other = _user(make_user(Role.PROVIDER, organisation="Other Care Ltd"))
    row = costs.save_scenario(owner, "  Plan A  ", STOCKPORT_2018, {"basic_pay": D("8.71")})
    assert row.name == "Plan A" and row.total == D("16.37")
    assert costs.scenario(other, row.id) is None and costs.scenarios(other) == []
    with pytest.raises(LookupError):
        costs.rename_scenario(other, row.id, "Mine now")
    with pytest.raises(LookupError):
        costs.delete_scenario(other, row.id)
    costs.rename_scenario(owner, row.id, "Plan B")
    costs.delete_scenario(owner, row.id)
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "cost_scenario")
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == ["cost_scenario.saved", "cost_scenario.renamed", "cost_scenario.deleted"]


def test_costcare_saving_refuses_figures_the_engine_cannot_price(app, make_user, ctx):
    owner = _user(make_user(Role.PROVIDER))
    with pytest.raises(CostError, match="cannot be priced"):
        costs.save_scenario(owner, "Bad", STOCKPORT_2018, {"pension_rate": D("2")})


def test_costcare_who_sees_which_templates(app, make_user, ctx):
    officer = _user(make_user(Role.OFFICER))
    other_officer = _user(make_user(Role.OFFICER, organisation="Other Council"))
    provider = _user(make_user(Role.PROVIDER))
    own = admin.create_template(officer, "Ours", STOCKPORT_2018.id)
    benchmark = admin.create_template(officer, "Benchmark", UKHCA_STYLE_2026.id)
    admin.set_benchmark(officer, benchmark.id, "2026")
    keys = {
        who: {c.key for c in costs.choices(user)}
        for who, user in (("officer", officer), ("other", other_officer), ("provider", provider))
    }
    built_in = set(costs.BUILT_IN)
    assert keys["officer"] == built_in | {f"council-{own.id}", f"council-{benchmark.id}"}
    assert keys["other"] == built_in
    assert keys["provider"] == built_in | {f"council-{benchmark.id}"}
    assert {c.key for c in costs.choices(None)} == keys["provider"]
    # a template copied from another council's template is refused as unknown
    with pytest.raises(CostError, match="Select the template"):
        admin.create_template(other_officer, "Copy", f"council-{own.id}")
