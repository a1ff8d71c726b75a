"""The issue's check: an uplift applied to the demo's contracts gives a history row per contract,
each at the engine's new rate from the winning bid's own breakdown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from dps.demo import DEMO_DOMAIN
from dps.extensions import db
from dps.models.award import Contract
from dps.models.cost_of_care import ContractRateChange
from dps.services import uplifts
from dps.state.clock import now, to_london
from tests.conftest import app_ctx
from tests.dps import tender_factories as f


def test_uplift_of_the_demo_contracts(app):
    result = app.test_cli_runner().invoke(args=["dps", "demo"])
    assert result.exit_code == 0, result.output
    with app_ctx(app):
        officer = f.user(f"officer@{DEMO_DOMAIN}")
        today = to_london(now()).date()
        effective = date(today.year + 1, 4, 1)
        live = [c for c in db.session.scalars(select(Contract)) if c.end_on > effective]
        assert live, "the demo has contracts running past next April"
        rates = {c.id: c.hourly_rate for c in live}
        nlw = {"nlw": "13.21"} if effective.year <= 2027 else {"nlw": "14.00"}
        round_ = uplifts.create_round(officer, "Demo uplift", effective, nlw)
        preview = uplifts.preview(round_, officer)
        assert not preview.problems
        assert {item.basis.source for item in preview.items} == {"bid"}
        uplifts.approve(officer, round_.id)
        changes = db.session.scalars(
            select(ContractRateChange).where(ContractRateChange.uplift_id == round_.id)
        ).all()
        assert sorted(c.contract_id for c in changes) == sorted(rates)
        for change in changes:
            assert change.old_rate == rates[change.contract_id]
            assert change.new_rate > change.old_rate
            assert db.session.get(Contract, change.contract_id).hourly_rate == change.new_rate
        assert preview.annual_after > preview.annual_before > Decimal(0)
