"""Release packages built from a DPS and from tenders made in the test: valid, and saying the
right things (parties, lots, weightings, bid counts), without ever decrypting a bid."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dps.ocds.build import (
    EXTENSION_URLS,
    AwardData,
    ContractData,
    ItemData,
    Parties,
    Party,
    RateChange,
    award_entries,
    contract_entries,
    dps_release_package,
    lot_id,
    tender_release_package,
)
from dps.ocds.entries import Classification, QuestionData, award_criteria, number
from dps.ocds.selection import selection_summary
from dps.ocds.validate import validate_package
from dps.services import sealing
from dps.state import clock
from tests.dps.ocds import ocds_data as data

AFTER_CLOSING = data.START + timedelta(days=15)


@pytest.fixture
def no_decrypting(monkeypatch):
    """Any attempt to open a sealed bid fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the OCDS export must never decrypt a bid")

    for name in ("open_for_bidder", "open_for_officer", "_decrypt", "_tender_key"):
        monkeypatch.setattr(sealing, name, refuse)


def release_of(package: dict) -> dict:
    assert validate_package(package) == []
    assert len(package["releases"]) == 1
    return package["releases"][0]


def parties_by_name(release: dict) -> dict[str, dict]:
    return {party["name"]: party for party in release["parties"]}


def statistics(release: dict) -> dict[str, int]:
    return {stat["id"]: stat["value"] for stat in release.get("bids", {}).get("statistics", [])}


# The DPS --------------------------------------------------------------------------------------


def test_dps_package_is_valid_and_names_every_party_in_its_role(ctx):
    clock.set_fixed(data.START)
    dps_id = data.make_dps("OC-DPS-1", partners=2)
    member = data.provider("Bright Homecare", companies_house="01234567")
    data.admit(dps_id, member, [(0, 0), (0, 1), (2, 0)])
    suspended = data.provider("Paused Care")
    data.admit(dps_id, suspended, [(0, 0)], status="suspended")
    package = dps_release_package(data.dps_of(dps_id))
    release = release_of(package)

    assert package["version"] == "1.1"
    assert package["extensions"] == list(EXTENSION_URLS)
    assert package["uri"] == "http://localhost/ocds/dps/OC-DPS-1.json"
    assert release["ocid"] == "ocds-commission-dps-OC-DPS-1"
    assert release["tag"] == ["tender", "award"]
    parties = parties_by_name(release)
    lead = parties["Council for OC-DPS-1"]
    assert lead["roles"] == ["buyer", "procuringEntity"]
    assert lead["contactPoint"] == {"email": "procurement@example.gov.uk"}
    assert parties["Partner 1 of OC-DPS-1"]["roles"] == ["buyer"]
    assert parties["Partner 2 of OC-DPS-1"]["roles"] == ["buyer"]
    bright = parties["Bright Homecare"]
    assert bright["roles"] == ["supplier"]
    assert bright["identifier"] == {
        "scheme": "GB-COH",
        "id": "01234567",
        "legalName": "Bright Homecare Limited",
    }
    assert "contactPoint" not in bright  # providers' contact details are not published
    assert "Paused Care" not in parties  # suspended members are not shown, as on the DPS page
    assert release["buyer"] == {"id": lead["id"], "name": lead["name"]}
    assert release["tender"]["procuringEntity"] == release["buyer"]


def test_dps_tender_describes_the_system(ctx):
    clock.set_fixed(data.START)
    dps_id = data.make_dps("OC-DPS-2")
    dps = data.dps_of(dps_id)
    tender = release_of(dps_release_package(dps))["tender"]

    assert tender["techniques"] == {
        "hasDynamicPurchasingSystem": True,
        "dynamicPurchasingSystem": {"type": "closed", "status": "active"},
    }
    assert tender["status"] == "active"
    assert tender["procurementMethod"] == "selective"
    assert [item["id"] for item in tender["items"]] == [c.code for c in dps.categories]
    first = tender["items"][0]
    assert first["classification"]["scheme"] == "x_service_type"
    assert [z["id"] for z in first["additionalClassifications"]] == [z.code for z in dps.zones]
    assert tender["tenderPeriod"]["startDate"] == "2026-03-02T12:00:00+00:00"
    assert tender["contractPeriod"]["startDate"] == "2026-03-02T00:00:00+00:00"
    assert tender["contractPeriod"]["endDate"].endswith("T23:59:59+00:00")
    criteria = tender["eligibilityCriteria"]
    assert "Mandatory exclusion grounds" in criteria
    assert "Employer's liability of at least £5,000,000.00" in criteria


def test_each_active_member_is_an_award_of_its_categories_and_zones(ctx):
    clock.set_fixed(data.START)
    dps_id = data.make_dps("OC-DPS-3")
    dps = data.dps_of(dps_id)
    member = data.provider("Bright Homecare")
    membership = data.admit(dps_id, member, [(0, 0), (0, 1), (2, 0)])
    release = release_of(dps_release_package(dps))

    [award] = release["awards"]
    assert award["id"] == f"membership-{membership}"
    assert award["status"] == "active"
    assert award["suppliers"][0]["name"] == "Bright Homecare"
    items = {item["id"]: item for item in award["items"]}
    assert sorted(items) == sorted([dps.categories[0].code, dps.categories[2].code])
    zones = [zone["id"] for zone in items[dps.categories[0].code]["additionalClassifications"]]
    assert zones == [dps.zones[0].code, dps.zones[1].code]
    assert award["contractPeriod"]["endDate"].startswith(dps.ends_on.isoformat())
    assert statistics(release) == {"requests": 1}


def test_a_dps_with_no_members_has_no_awards(ctx):
    clock.set_fixed(data.START)
    release = release_of(dps_release_package(data.dps_of(data.make_dps("OC-DPS-4"))))
    assert "awards" not in release
    assert release["tag"] == ["tender"]
    assert statistics(release) == {"requests": 0}


# A tender -------------------------------------------------------------------------------------


def test_published_tender_has_lots_items_periods_and_technique(ctx, no_decrypting):
    clock.set_fixed(data.START + timedelta(days=1))
    dps_id = data.make_dps("OC-DPS-5")
    tender_id = data.make_tender(dps_id, "OC-T-5")
    package = tender_release_package(data.tender_of(tender_id))
    release = release_of(package)
    tender = release["tender"]

    assert release["ocid"] == "ocds-commission-tender-OC-T-5"
    assert release["tag"] == ["tender"]
    assert tender["status"] == "active"
    assert [lot["id"] for lot in tender["lots"]] == ["lot-1", "lot-2"]
    assert tender["lots"][1]["contractPeriod"] == {
        "startDate": "2026-06-02T00:00:00+01:00",
        "endDate": "2029-05-29T23:59:59+01:00",
    }
    assert tender["lots"][1]["description"].endswith("2 providers to appoint.")
    assert [(item["relatedLot"], item["quantity"]) for item in tender["items"]] == [
        ("lot-1", 512.5),
        ("lot-2", 512.5),
    ]
    assert tender["tenderPeriod"] == {
        "startDate": "2026-03-02T12:00:00+00:00",
        "endDate": "2026-03-16T12:00:00+00:00",
    }
    assert tender["enquiryPeriod"]["endDate"] == "2026-03-09T12:00:00+00:00"
    assert tender["awardPeriod"]["startDate"] == "2026-04-20T00:00:00+01:00"
    assert tender["lotDetails"] == {"maximumLotsAwardedPerSupplier": 1}
    assert tender["techniques"]["hasDynamicPurchasingSystem"] is True
    assert tender["techniques"]["dynamicPurchasingSystem"]["status"] == "active"
    assert tender["hasEnquiries"] is False
    assert release["relatedProcesses"] == [
        {
            "id": "dps",
            "relationship": ["framework"],
            "title": "Home care OC-DPS-5",
            "scheme": "ocid",
            "identifier": "ocds-commission-dps-OC-DPS-5",
            "uri": "http://localhost/ocds/dps/OC-DPS-5.json",
        }
    ]
    lead = parties_by_name(release)["Council for OC-DPS-5"]
    assert lead["roles"] == ["buyer", "procuringEntity"]


def test_award_criteria_carry_the_weightings(ctx):
    clock.set_fixed(data.START + timedelta(days=1))
    dps_id = data.make_dps("OC-DPS-6")
    tender_id = data.make_tender(
        dps_id,
        "OC-T-6",
        questions=(("1", 2, "officer"), ("1", None, "officer"), ("1", None, "panel")),
    )
    release = release_of(tender_release_package(data.tender_of(tender_id)))
    criteria = release["tender"]["lots"][0]["awardCriteria"]
    quality = [c for c in criteria["criteria"] if c["type"] == "quality"]
    price = [c for c in criteria["criteria"] if c["type"] == "price"]

    assert [c["numbers"][0] for c in quality] == [{"number": 20, "weight": "percentageExact"}] * 3
    assert quality[0]["numbers"][1] == {"number": 2, "threshold": "minimumScore"}
    assert "A mark below 2 excludes the bid." in quality[0]["description"]
    assert "Experts by Experience" in quality[2]["description"]
    assert price == [
        {
            "type": "price",
            "name": "Price",
            "description": "The hourly rate, with a full breakdown of its costs.",
            "numbers": [{"number": 40, "weight": "percentageExact"}],
        }
    ]
    assert criteria["weightingDescription"].startswith("Quality 60%, price 40%.")
    assert release["tender"]["awardCriteriaDetails"].endswith("quality 60%, price 40%.")
    # every lot carries the same criteria
    assert release["tender"]["lots"][1]["awardCriteria"] == criteria


def test_uneven_question_weights_are_rounded_shares_of_the_quality_weighting(ctx):
    clock.set_fixed(data.START + timedelta(days=1))
    dps_id = data.make_dps("OC-DPS-7")
    tender_id = data.make_tender(
        dps_id, "OC-T-7", questions=(("2", None, "officer"), ("1", None, "officer"))
    )
    release = release_of(tender_release_package(data.tender_of(tender_id)))
    numbers = [
        c["numbers"][0]["number"] for c in release["tender"]["lots"][0]["awardCriteria"]["criteria"]
    ]
    assert numbers == [40, 20, 40]


def test_before_closing_only_invitations_are_counted_and_no_bidder_is_named(ctx, no_decrypting):
    clock.set_fixed(data.START + timedelta(days=5))
    dps_id = data.make_dps("OC-DPS-8")
    tender_id = data.make_tender(dps_id, "OC-T-8")
    bright, able = data.provider("Bright Homecare"), data.provider("Able Care")
    data.invite(tender_id, bright, [1, 2])
    data.invite(tender_id, able, [1])
    data.bid(tender_id, 1, bright)
    release = release_of(tender_release_package(data.tender_of(tender_id)))

    assert statistics(release) == {"lot-1-invitations": 2, "lot-2-invitations": 1}
    assert "tenderers" not in release["tender"]
    assert "numberOfTenderers" not in release["tender"]
    assert "Bright Homecare" not in parties_by_name(release)


def test_after_closing_bids_are_counted_per_lot_and_bidders_are_tenderers(ctx, no_decrypting):
    clock.set_fixed(data.START)
    dps_id = data.make_dps("OC-DPS-9")
    tender_id = data.make_tender(dps_id, "OC-T-9")
    bright = data.provider("Bright Homecare", size="micro")
    able = data.provider("Able Care", size="large")
    carers = data.provider("Carers Together", size="medium")
    late = data.provider("Late Starters")
    for organisation in (bright, able, carers, late):
        data.invite(tender_id, organisation, [1, 2])
    data.bid(tender_id, 1, bright)
    data.bid(tender_id, 2, bright)
    data.bid(tender_id, 1, able)
    data.bid(tender_id, 2, carers, status="withdrawn")
    data.bid(tender_id, 2, late, status="draft")
    data.set_status(tender_id, "closed")
    clock.set_fixed(AFTER_CLOSING)
    release = release_of(tender_release_package(data.tender_of(tender_id)))

    assert release["tag"] == ["tenderUpdate"]
    assert statistics(release) == {
        "lot-1-invitations": 4,
        "lot-1-bids": 2,
        "lot-1-smeBids": 1,
        "lot-2-invitations": 4,
        "lot-2-bids": 1,
        "lot-2-smeBids": 1,
        "bids": 3,
        "bidders": 2,
    }
    by_id = {stat["id"]: stat for stat in release["bids"]["statistics"]}
    assert by_id["lot-2-bids"]["measure"] == "bids"
    assert by_id["lot-2-bids"]["relatedLot"] == "lot-2"
    assert "relatedLot" not in by_id["bids"]
    parties = parties_by_name(release)
    assert parties["Able Care"]["roles"] == ["tenderer"]
    assert parties["Bright Homecare"]["roles"] == ["tenderer"]
    assert "Carers Together" not in parties and "Late Starters" not in parties
    assert release["tender"]["numberOfTenderers"] == 2
    assert [t["name"] for t in release["tender"]["tenderers"]] == ["Able Care", "Bright Homecare"]
    assert release["date"] == "2026-03-16T12:00:00+00:00"  # the closing time


def test_a_tender_cancelled_before_closing_keeps_its_bids_private(ctx):
    clock.set_fixed(data.START + timedelta(days=2))
    dps_id = data.make_dps("OC-DPS-10")
    tender_id = data.make_tender(dps_id, "OC-T-10", status="cancelled")
    data.bid(tender_id, 1, data.provider("Bright Homecare"))
    release = release_of(tender_release_package(data.tender_of(tender_id)))
    assert release["tag"] == ["tenderCancellation"]
    assert release["tender"]["status"] == "cancelled"
    assert release["tender"]["lots"][0]["status"] == "cancelled"
    assert "lot-1-bids" not in statistics(release)


def test_ocds_prefix_comes_from_the_settings(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "OCDS_PREFIX", "ocds-zz9x8y")
    clock.set_fixed(data.START + timedelta(days=1))
    dps_id = data.make_dps("OC-DPS-11")
    tender_id = data.make_tender(dps_id, "OC-T-11")
    dps_release = release_of(dps_release_package(data.dps_of(dps_id)))
    tender_release = release_of(tender_release_package(data.tender_of(tender_id)))
    assert dps_release["ocid"] == "ocds-zz9x8y-dps-OC-DPS-11"
    assert dps_release["id"].startswith("ocds-zz9x8y-dps-OC-DPS-11-published-")
    assert tender_release["ocid"] == "ocds-zz9x8y-tender-OC-T-11"
    assert tender_release["relatedProcesses"][0]["identifier"] == "ocds-zz9x8y-dps-OC-DPS-11"


def test_a_broken_release_fails_validation(ctx):
    clock.set_fixed(data.START + timedelta(days=1))
    tender_id = data.make_tender(data.make_dps("OC-DPS-12"), "OC-T-12")
    package = copy.deepcopy(tender_release_package(data.tender_of(tender_id)))
    del package["releases"][0]["ocid"]
    assert validate_package(package) == ["releases/0: 'ocid' is a required property"]


# Awards and contracts, from plain data ------------------------------------------------------


SERVICE = Classification("x_service_type", "generic", "Generic home care")
WINNER = Party(id=9001, name="Bright Homecare", companies_house_number="01234567")


def made_up_award() -> AwardData:
    return AwardData(
        id="award-1",
        status="active",
        suppliers=(WINNER,),
        lot_ids=(lot_id(1),),
        date=datetime(2026, 4, 20, 9, 0, tzinfo=UTC),
        title="Lot 1 awarded",
        items=(
            ItemData(
                id="award-1-item",
                description="Home care in lot 1",
                service=SERVICE,
                hours_per_week=Decimal("512.5"),
                hourly_rate=Decimal("15.61"),
                lot_id=lot_id(1),
            ),
        ),
        contract_start_on=datetime(2026, 6, 1).date(),
        contract_end_on=datetime(2029, 5, 31).date(),
    )


def made_up_contract() -> ContractData:
    return ContractData(
        id="contract-1",
        award_id="award-1",
        status="active",
        start_on=datetime(2026, 6, 1).date(),
        end_on=datetime(2029, 5, 31).date(),
        date_signed=datetime(2026, 5, 15, 10, 0, tzinfo=UTC),
        items=(
            ItemData(
                id="contract-1-item",
                description="Home care in lot 1",
                service=SERVICE,
                hourly_rate=Decimal("16.20"),
                lot_id=lot_id(1),
            ),
        ),
        rate_changes=(
            RateChange(
                id="uplift-2027",
                date=datetime(2027, 4, 1, 0, 0, tzinfo=UTC),
                rate_before=Decimal("15.61"),
                rate_after=Decimal("16.20"),
                rationale="Annual uplift for the National Living Wage.",
                lot_ids=(lot_id(1),),
            ),
        ),
    )


def test_award_entries_from_plain_data():
    parties = Parties()
    [award] = award_entries([made_up_award()], parties)
    assert award["relatedLots"] == ["lot-1"]
    assert award["suppliers"] == [{"id": "org-9001", "name": "Bright Homecare"}]
    assert award["date"] == "2026-04-20T10:00:00+01:00"
    assert award["contractPeriod"] == {
        "startDate": "2026-06-01T00:00:00+01:00",
        "endDate": "2029-05-31T23:59:59+01:00",
    }
    assert award["items"][0]["unit"] == {
        "scheme": "UNCEFACT",
        "id": "HUR",
        "name": "Hour",
        "value": {"amount": 15.61, "currency": "GBP"},
    }
    assert parties.entries()[0]["roles"] == ["supplier"]


def test_contract_entries_from_plain_data():
    [contract] = contract_entries([made_up_contract()])
    assert contract["awardID"] == "award-1"
    assert contract["period"] == {
        "startDate": "2026-06-01T00:00:00+01:00",
        "endDate": "2029-05-31T23:59:59+01:00",
    }
    assert contract["dateSigned"] == "2026-05-15T11:00:00+01:00"
    assert contract["items"][0]["unit"]["value"] == {"amount": 16.2, "currency": "GBP"}
    assert contract["amendments"] == [
        {
            "id": "uplift-2027",
            "date": "2027-04-01T01:00:00+01:00",
            "rationale": "Annual uplift for the National Living Wage.",
            "description": "The hourly rate changed from £15.61 to £16.20.",
            "relatedLots": ["lot-1"],
        }
    ]


def test_a_tender_release_with_awards_and_contracts_validates(ctx, no_decrypting):
    clock.set_fixed(data.START)
    tender_id = data.make_tender(data.make_dps("OC-DPS-13"), "OC-T-13")
    winner_id = data.provider("Bright Homecare", companies_house="01234567")
    data.bid(tender_id, 1, winner_id)
    data.set_status(tender_id, "awarded")
    clock.set_fixed(datetime(2027, 5, 1, tzinfo=UTC))
    winner = Party(id=winner_id, name="Bright Homecare", companies_house_number="01234567")
    award = AwardData(**{**made_up_award().__dict__, "suppliers": (winner,)})
    package = tender_release_package(
        data.tender_of(tender_id), awards=[award], contracts=[made_up_contract()]
    )
    release = release_of(package)

    assert release["tag"] == ["tenderUpdate", "award", "contract", "contractAmendment"]
    assert release["tender"]["status"] == "complete"
    assert parties_by_name(release)["Bright Homecare"]["roles"] == ["tenderer", "supplier"]
    assert release["awards"][0]["relatedLots"] == ["lot-1"]
    assert release["contracts"][0]["awardID"] == release["awards"][0]["id"]
    assert release["date"] == "2027-04-01T01:00:00+01:00"  # the latest change: the uplift
    assert package["publishedDate"] == release["date"]


def test_numbers_keep_their_digits_or_are_refused():
    assert number(Decimal("15.61")) == 15.61
    assert number(Decimal("60.00")) == 60
    assert isinstance(number(Decimal("60.00")), int)
    with pytest.raises(ValueError):
        number(Decimal("0.1234567890123456789"))


def test_award_criteria_without_questions_or_without_price():
    criteria = award_criteria(Decimal("100"), Decimal("0"), [])
    assert criteria["criteria"] == [
        {
            "type": "quality",
            "name": "Quality",
            "numbers": [{"number": 100, "weight": "percentageExact"}],
        }
    ]
    thirds = award_criteria(
        Decimal("70"),
        Decimal("30"),
        [QuestionData(number=n, text="", weight=Decimal(1), max_mark=5) for n in (1, 2, 3)],
    )
    assert [c["numbers"][0]["number"] for c in thirds["criteria"]] == [23.33, 23.33, 23.33, 30]
    assert thirds["criteria"][0]["description"] == "Marked out of 5."


def test_selection_summary_names_sections_insurance_and_conditions():
    questionnaire = {
        "sections": [
            {"title": "Exclusions", "questions": [{"type": "pass_fail"}, {"type": "pass_fail"}]},
            {"title": "Policies", "questions": [{"type": "yes_no_evidence"}, {"type": "file"}]},
        ],
        "insurance_types": [{"name": "Public liability", "minimum_cover": "5000000.00"}],
    }
    words = selection_summary(questionnaire, "Members must be registered with CQC.")
    assert "Exclusions: 2 questions (2 pass or fail)." in words
    assert "Policies: 2 questions (1 yes or no, with evidence; 1 a document to upload)." in words
    assert "Insurance required: Public liability of at least £5,000,000.00." in words
    assert words.endswith("Conditions of membership: Members must be registered with CQC.")
