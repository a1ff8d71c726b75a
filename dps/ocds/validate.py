"""Checking OCDS release packages against the 1.1.5 schema with our extensions applied.

The extensions' release schemas are JSON Merge Patches (RFC 7396), applied to the core release
schema in the order the shared README gives. The patched schema is registered under its own
``id`` URL, which is what the package schema's ``$ref`` names, so nothing is fetched.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).with_name("schema")
# The order matters: later patches refer to definitions that earlier ones add.
EXTENSIONS = ("lots", "bid", "techniques", "awardCriteriaBreakdown", "submissionTerms")
_LONG_ENUM = 8  # enums longer than this (currencies, countries) are not spelt out in messages
_MAX_MESSAGE = 300


class InvalidPackage(ValueError):
    """A release package that does not validate; ``errors`` holds one message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("The OCDS release package is not valid: " + "; ".join(errors))
        self.errors = errors


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: objects merge key by key, ``null`` deletes, the rest replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _load(relative: str) -> dict:
    return json.loads((SCHEMA_DIR / relative).read_text(encoding="utf-8"))


@cache
def release_schema() -> dict:
    """The core release schema with every extension patch applied (shared: do not modify)."""
    schema = _load("core/release-schema.json")
    for name in EXTENSIONS:
        schema = merge_patch(schema, _load(f"extensions/{name}/release-schema.json"))
    return schema


@cache
def _validator() -> Draft4Validator:
    release = release_schema()
    registry = Registry().with_resource(release["id"], Resource.from_contents(release))
    return Draft4Validator(
        _load("core/release-package-schema.json"),
        registry=registry,
        format_checker=Draft4Validator.FORMAT_CHECKER,
    )


def _message(error: ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(package)"
    if error.validator == "enum" and len(error.validator_value) > _LONG_ENUM:
        text = f"{error.instance!r} is not one of the allowed codes"
    else:
        text = error.message
    if len(text) > _MAX_MESSAGE:
        text = text[: _MAX_MESSAGE - 1] + "…"
    return f"{where}: {text}"


def validate_package(package: Any) -> list[str]:
    """Every problem with a release package, as "path: message" lines; empty when valid."""
    errors = sorted(
        _validator().iter_errors(package),
        key=lambda error: [str(part) for part in error.absolute_path],
    )
    return [_message(error) for error in errors]


def assert_valid(package: Any) -> None:
    """Raise :class:`InvalidPackage` listing every problem, unless the package is valid."""
    errors = validate_package(package)
    if errors:
        raise InvalidPackage(errors)
