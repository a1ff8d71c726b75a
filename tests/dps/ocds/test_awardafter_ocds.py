"""A tender's release gains its awards once approved (pending during standstill, active after)
and its contracts once recorded; it still validates against the patched OCDS schema."""

from __future__ import annotations

import json
from datetime import date, timedelta

from dps.extensions import db
from dps.models import Tender
from dps.models.award import AwardDecision
from dps.ocds.build import tender_release_package
from dps.ocds.validate import validate_package
from dps.services import award_after
from tests.conftest import app_ctx
from tests.dps import tender_factories as f
from tests.dps.award_after_factories import awarded_world, lot_ids


def _release(tender_id: int) -> dict:
    package = tender_release_package(db.session.get(Tender, tender_id))
    assert validate_package(package) == []
    [release] = package["releases"]
    return release


def test_awardafter_no_awards_in_the_release_before_approval(app, make_user):
    world = awarded_world(app, make_user, status="proposed")
    with app_ctx(app):
        release = _release(world.tender_id)
        assert "awards" not in release and "contracts" not in release
        assert "award" not in release["tag"]


def test_awardafter_release_with_awards_and_contracts_validates(app, make_user):
    world = awarded_world(app, make_user, status="standstill", ends_in=timedelta(days=4))
    with app_ctx(app):
        release = _release(world.tender_id)
        assert [award["status"] for award in release["awards"]] == ["pending", "pending"]
        assert [award["relatedLots"] for award in release["awards"]] == [["lot-1"], ["lot-2"]]
        names = [[s["name"] for s in award["suppliers"]] for award in release["awards"]]
        assert names == [["Care Provider A Ltd"], ["Care Provider B Ltd"]]
        roles = {party["name"]: party["roles"] for party in release["parties"]}
        assert roles["Care Provider A Ltd"] == ["tenderer", "supplier"]
        assert roles["Care Provider C Ltd"] == ["tenderer"]
        assert "contracts" not in release

        award = db.session.get(AwardDecision, world.award_id)
        award.status = "standstill_over"
        db.session.commit()
        officer = f.user(world.world.officer)
        lots = lot_ids(world.tender_id)
        award_after.record_contract(
            world.tender_id,
            officer,
            lot_id=lots[1],
            organisation_id=world.world.bidder_org_ids[1],
            start_on=date(2027, 6, 1),
            end_on=date(2029, 5, 31),
            hourly_rate="28.00",
            hours_per_week="250",
            reference="CON-2",
        )
        release = _release(world.tender_id)
        assert [award["status"] for award in release["awards"]] == ["active", "active"]
        assert release["tag"] == ["tenderUpdate", "award", "contract"]
        [contract] = release["contracts"]
        assert contract["id"] == "CON-2"
        assert contract["awardID"] == release["awards"][1]["id"]
        assert contract["period"]["startDate"].startswith("2027-06-01")
        assert contract["period"]["endDate"].startswith("2029-05-31")
        assert contract["items"][0]["unit"]["value"] == {"amount": 28, "currency": "GBP"}
        assert contract["items"][0]["quantity"] == 250
        assert release["awards"][1]["contractPeriod"]["startDate"].startswith("2027-06-01")


def test_awardafter_ocds_route_serves_the_awards(app, make_user):
    world = awarded_world(app, make_user, status="standstill_over", ends_in=None)
    response = app.test_client().get(f"/ocds/tenders/{world.reference}.json")
    assert response.status_code == 200
    [release] = json.loads(response.get_data(as_text=True))["releases"]
    assert [award["id"] for award in release["awards"]] == ["award-1", "award-2"]
