"""`ocds-export OUTDIR`: one valid release package file per published DPS and tender."""

from __future__ import annotations

import json
from datetime import timedelta

import click
import pytest

from dps.ocds import export
from dps.ocds.validate import validate_package
from dps.state import clock
from tests.conftest import app_ctx
from tests.dps.ocds import ocds_data as data


@pytest.fixture
def group():
    """A click group holding the command, as `flask dps` will."""

    @click.group()
    def dps():
        pass

    export.register(dps)
    return dps


@pytest.fixture
def published(app):
    clock.set_fixed(data.START + timedelta(days=1))
    with app_ctx(app):
        first = data.make_dps("OC-DPS-E1")
        second = data.make_dps("OC-DPS-E2")
        data.admit(second, data.provider("Bright Homecare"), [(0, 0)])
        data.make_tender(first, "OC-T-E1")
        data.make_tender(second, "OC-T-E2", status="cancelled")
        data.make_tender(second, "OC-T-E3", status="draft")
        data.make_dps("OC-DPS-E3", publish=False)


def test_export_writes_one_valid_file_per_package(app, published, group, tmp_path):
    outdir = tmp_path / "open-data"
    result = app.test_cli_runner().invoke(group, ["ocds-export", str(outdir)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 4 release packages to {outdir}\n"
    names = sorted(path.name for path in outdir.iterdir())
    assert names == [
        "dps-OC-DPS-E1.json",
        "dps-OC-DPS-E2.json",
        "tender-OC-T-E1.json",
        "tender-OC-T-E2.json",
    ]
    for path in outdir.iterdir():
        package = json.loads(path.read_text(encoding="utf-8"))
        assert validate_package(package) == [], path.name


def test_export_with_nothing_published(app, group, tmp_path):
    result = app.test_cli_runner().invoke(group, ["ocds-export", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 0 release packages to {tmp_path}\n"


def test_an_invalid_package_stops_the_export_before_anything_is_written(
    app, published, group, tmp_path, monkeypatch
):
    real = export.dps_release_package

    def without_ocid(dps):
        package = real(dps)
        del package["releases"][0]["ocid"]
        return package

    monkeypatch.setattr(export, "dps_release_package", without_ocid)
    outdir = tmp_path / "open-data"
    result = app.test_cli_runner().invoke(group, ["ocds-export", str(outdir)])
    assert result.exit_code == 1
    assert "Nothing was written" in result.output
    assert "dps-OC-DPS-E1.json: releases/0: 'ocid' is a required property" in result.output
    assert not outdir.exists()


def test_file_names_are_safe():
    assert export.file_name("tender", "A/B C") == "tender-A_B_C.json"


def test_every_release_the_demo_produces_validates(app):
    from dps.demo import load_demo

    with app_ctx(app):
        load_demo()
        built = export.packages()
        for name, package in built:
            assert validate_package(package) == [], name
