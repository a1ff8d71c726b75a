"""`flask dps ocds-export OUTDIR`: every published release package, validated, as files."""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask.cli import with_appcontext

from dps.ocds import catalogue
from dps.ocds.build import dps_release_package, tender_release_package, to_json

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_name(kind: str, reference: str) -> str:
    return f"{kind}-{_UNSAFE.sub('_', reference)}.json"


def packages() -> list[tuple[str, dict]]:
    """(file name, package) for each published DPS and each tender past its draft."""
    found = [
        (file_name("dps", dps.reference), dps_release_package(dps)) for dps in catalogue.systems()
    ]
    found += [
        (file_name("tender", tender.reference), tender_release_package(tender))
        for tender in catalogue.tenders()
    ]
    return found


def export_packages(outdir: Path) -> int:
    """Validate every package, then write them all; nothing is written if any is invalid."""
    from dps.ocds.validate import validate_package  # slow to import: only when exporting

    built = packages()
    problems = [
        f"{name}: {error}" for name, package in built for error in validate_package(package)
    ]
    if problems:
        raise click.ClickException(
            "Nothing was written: these release packages are not valid OCDS.\n"
            + "\n".join(problems)
        )
    outdir.mkdir(parents=True, exist_ok=True)
    for name, package in built:
        (outdir / name).write_text(to_json(package), encoding="utf-8")
    return len(built)


@click.command("ocds-export", help="Write an OCDS release package per published DPS and tender.")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def ocds_export(outdir: Path) -> None:
    written = export_packages(outdir)
    click.echo(f"Wrote {written} release packages to {outdir}")


def register(group: click.Group) -> None:
    """Add the command to a click group (``flask dps``)."""
    group.add_command(ocds_export)
