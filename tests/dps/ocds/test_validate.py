"""The OCDS validator: the 1.1.5 schema with the extension patches applied, nothing fetched."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from dps.ocds.validate import (
    EXTENSIONS,
    SCHEMA_DIR,
    InvalidPackage,
    assert_valid,
    merge_patch,
    release_schema,
    validate_package,
)

SHARED = Path(__file__).resolve().parents[4] / "shared" / "ocds"

MINIMAL = {
    "uri": "https://example.gov.uk/ocds/tenders/T-1.json",
    "version": "1.1",
    "publisher": {"name": "Example Council"},
    "publishedDate": "2026-03-02T12:00:00+00:00",
    "releases": [
        {
            "ocid": "ocds-test-tender-T-1",
            "id": "ocds-test-tender-T-1-published-20260302T120000",
            "date": "2026-03-02T12:00:00+00:00",
            "tag": ["tender"],
            "initiationType": "tender",
            "tender": {
                "id": "T-1",
                "status": "active",
                "lots": [
                    {
                        "id": "lot-1",
                        "awardCriteria": {
                            "criteria": [
                                {
                                    "type": "quality",
                                    "numbers": [{"number": 60, "weight": "percentageExact"}],
                                },
                                {
                                    "type": "price",
                                    "numbers": [{"number": 40, "weight": "percentageExact"}],
                                },
                            ]
                        },
                    }
                ],
                "techniques": {
                    "hasDynamicPurchasingSystem": True,
                    "dynamicPurchasingSystem": {"type": "closed", "status": "active"},
                },
            },
            "bids": {
                "statistics": [{"id": "1", "measure": "bids", "value": 3, "relatedLot": "lot-1"}]
            },
        }
    ],
}


def broken(change) -> dict:
    package = copy.deepcopy(MINIMAL)
    change(package["releases"][0])
    return package


def test_a_known_good_minimal_package_passes():
    assert validate_package(MINIMAL) == []
    assert_valid(MINIMAL)


def test_a_release_without_an_ocid_fails_naming_ocid():
    package = broken(lambda release: release.pop("ocid"))
    errors = validate_package(package)
    assert errors == ["releases/0: 'ocid' is a required property"]
    with pytest.raises(InvalidPackage) as raised:
        assert_valid(package)
    assert raised.value.errors == errors
    assert "ocid" in str(raised.value)


def test_a_code_outside_a_closed_codelist_fails():
    errors = validate_package(broken(lambda release: release["tender"].update(status="open")))
    assert len(errors) == 1
    assert errors[0].startswith("releases/0/tender/status: 'open' is not one of")


def test_extension_codelists_are_checked_too():
    def change(release):
        release["tender"]["techniques"]["dynamicPurchasingSystem"]["type"] = "sideways"

    errors = validate_package(broken(change))
    assert errors == [
        "releases/0/tender/techniques/dynamicPurchasingSystem/type: "
        "'sideways' is not one of ['open', 'closed', None]"
    ]


def test_long_enums_are_not_spelt_out():
    errors = validate_package(broken(lambda r: r["tender"].update(value={"currency": "QQQ"})))
    assert errors == ["releases/0/tender/value/currency: 'QQQ' is not one of the allowed codes"]


def test_formats_are_checked():
    errors = validate_package(broken(lambda release: release.update(date="2 March 2026")))
    assert errors == ["releases/0/date: '2 March 2026' is not a 'date-time'"]
    package = copy.deepcopy(MINIMAL)
    package["uri"] = "not a uri"
    assert validate_package(package) == ["uri: 'not a uri' is not a 'uri'"]


def test_the_extension_patches_are_applied():
    # Lot.id must be a string (lots patch); Statistic needs a value (bid patch).
    def change(release):
        release["tender"]["lots"][0]["id"] = 1
        del release["bids"]["statistics"][0]["value"]

    errors = validate_package(broken(change))
    assert "releases/0/bids/statistics/0: 'value' is a required property" in errors
    assert "releases/0/tender/lots/0/id: 1 is not of type 'string'" in errors


def test_lots_with_submission_terms_resolve():
    package = broken(
        lambda r: r["tender"]["lots"][0].update(submissionTerms={"variantPolicy": "notAllowed"})
    )
    assert validate_package(package) == []


def test_errors_come_sorted_by_path_and_every_one_is_reported():
    def change(release):
        release.pop("ocid")
        release["tag"] = ["tenderish"]

    errors = validate_package(broken(change))
    assert errors[0] == "releases/0: 'ocid' is a required property"
    assert errors[1].startswith("releases/0/tag/0: 'tenderish' is not one of the allowed codes")


def test_not_a_package_at_all():
    assert validate_package([]) == ["(package): [] is not of type 'object'"]


def test_merge_patch_follows_rfc_7396():
    target = {"a": {"b": 1, "c": 2}, "list": [1, 2], "gone": True}
    patch = {"a": {"c": None, "d": 3}, "list": [3], "gone": None, "new": {"x": None}}
    assert merge_patch(target, patch) == {"a": {"b": 1, "d": 3}, "list": [3], "new": {}}
    assert target == {"a": {"b": 1, "c": 2}, "list": [1, 2], "gone": True}  # untouched
    assert merge_patch({"a": 1}, "replaced") == "replaced"


def test_the_patched_schema_is_built_once():
    schema = release_schema()
    assert release_schema() is schema
    definitions = schema["definitions"]
    for name in ("Lot", "Statistic", "Techniques", "AwardCriteria", "SubmissionTerms"):
        assert name in definitions
    assert (
        schema["id"] == "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
    )


def test_schema_files_are_unmodified_copies_with_their_licences():
    names = ["core/release-schema.json", "core/release-package-schema.json", "core/LICENSE"]
    for extension in EXTENSIONS:
        names += [
            f"extensions/{extension}/{file}"
            for file in ("release-schema.json", "extension.json", "LICENSE")
        ]
    for name in names:
        assert (SCHEMA_DIR / name).is_file(), name
        if SHARED.is_dir():
            assert (SCHEMA_DIR / name).read_bytes() == (SHARED / name).read_bytes(), name
