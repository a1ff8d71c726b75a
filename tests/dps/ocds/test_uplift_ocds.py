"""An approved uplift is published as an amendment of each contract it changed (tagged
contractAmendment), the contract's item carries the new rate, and the release still validates."""

from __future__ import annotations

from dps.extensions import db
from dps.models import Tender
from dps.models.award import Contract
from dps.ocds.build import tender_release_package
from dps.ocds.validate import validate_package
from dps.services import uplifts
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.uplift_setup import EFFECTIVE, uplift_world


def _release(tender_id: int) -> dict:
    package = tender_release_package(db.session.get(Tender, tender_id))
    assert validate_package(package) == []
    [release] = package["releases"]
    return release


def test_uplift_amendments_in_the_tender_release(app, make_user):
    world = uplift_world(app, make_user)
    with app_ctx(app):
        c1 = db.session.get(Contract, world.contract_ids["C1"])
        tender_id, reference = c1.tender_id, c1.reference
        before = _release(tender_id)
        assert "contractAmendment" not in before["tag"]
        assert all("amendments" not in contract for contract in before["contracts"])

        officer = f.user(world.officer)
        round_ = uplifts.create_round(officer, "April 2027 uplift", EFFECTIVE, {"nlw": "13.21"})
        uplifts.approve(officer, round_.id)
        old_rate, new_rate = uplifts.history(c1.id)[0].old_rate, c1.hourly_rate

        release = _release(tender_id)
        assert "contractAmendment" in release["tag"]
        contracts = {contract["id"]: contract for contract in release["contracts"]}
        [amendment] = contracts[reference]["amendments"]
        assert amendment["description"] == (
            f"The hourly rate changed from £{old_rate:.2f} to £{new_rate:.2f}."
        )
        assert (
            "April 2027 uplift" in amendment["rationale"]
            and "1 April 2027" in (amendment["rationale"])
        )
        assert amendment["relatedLots"] == ["lot-1"]
        assert release["date"] >= amendment["date"]
        old_contract = db.session.get(Contract, world.contract_ids["OLD"]).reference
        assert "amendments" not in contracts[old_contract]  # ended before the uplift


def test_uplift_a_broken_amendment_fails_validation(app, make_user):
    world = uplift_world(app, make_user)
    with app_ctx(app):
        officer = f.user(world.officer)
        round_ = uplifts.create_round(officer, "April 2027 uplift", EFFECTIVE, {"nlw": "13.21"})
        uplifts.approve(officer, round_.id)
        c1 = db.session.get(Contract, world.contract_ids["C1"])
        package = tender_release_package(db.session.get(Tender, c1.tender_id))
        contract = next(c for c in package["releases"][0]["contracts"] if c.get("amendments"))
        contract["amendments"][0]["date"] = "the first of April"
        assert validate_package(package) != []
