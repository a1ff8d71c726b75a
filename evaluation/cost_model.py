"""Cost templates as data (the calculator that prices them is in `evaluation.calculator`).

A template is the council's (or UKHCA's) way of building an hourly rate: named parameters with
defaults, and named lines that are inputs, percentages of other lines, travel minutes per hour,
quantity x rate, or subtotals. It round-trips through JSON so the web app can store it as a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evaluation.money import as_decimal, parse_decimal

LINE_KINDS = ("input", "percent", "minutes_per_hour", "quantity_rate", "subtotal")


def lower_first(label: str) -> str:
    """'Employer NI' -> 'employer NI' for use mid-sentence; acronyms such as 'NI' stay put."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


@dataclass(frozen=True)
class Parameter:
    """A named number a line reads; default None means the bidder must supply it."""

    name: str
    default: Decimal | None = None
    label: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if self.default is not None:
            as_decimal(self.default, f"parameter {self.name!r} default")

    @property
    def words(self) -> str:
        return lower_first(self.label) if self.label else self.name.replace("_", " ")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "default": None if self.default is None else str(self.default),
            "label": self.label,
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Parameter:
        name = str(data["name"])
        default = data.get("default")
        return cls(
            name=name,
            default=None if default is None else parse_decimal(default, f"parameter {name!r}"),
            label=str(data.get("label", "")),
            description=str(data.get("description", "")),
        )


# Which fields each kind of line must name: parameters (by role) and whether it reads other lines.
_KIND_PARAMETERS = {
    "input": ("parameter",),
    "percent": ("rate",),
    "minutes_per_hour": ("minutes",),
    "quantity_rate": ("quantity", "rate"),
    "subtotal": (),
}
_KIND_READS_LINES = {"percent", "minutes_per_hour", "subtotal"}


@dataclass(frozen=True)
class Line:
    """One row of the breakdown; which fields matter depends on kind (see LINE_KINDS)."""

    id: str
    label: str
    kind: str
    parameter: str | None = None
    rate: str | None = None
    quantity: str | None = None
    minutes: str | None = None
    of: tuple[str, ...] = ()
    above: str | None = None
    base_label: str | None = None
    expected: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "of", tuple(self.of))
        if self.kind not in LINE_KINDS:
            raise ValueError(f"line {self.id!r}: unknown kind {self.kind!r}; use {LINE_KINDS}")
        for role in _KIND_PARAMETERS[self.kind]:
            if not getattr(self, role):
                raise ValueError(f"line {self.id!r}: a {self.kind} line needs {role!r}")
        if self.kind in _KIND_READS_LINES and not self.of:
            raise ValueError(f"line {self.id!r}: a {self.kind} line needs 'of' (lines it reads)")
        if self.kind not in _KIND_READS_LINES and self.of:
            raise ValueError(f"line {self.id!r}: a {self.kind} line cannot read other lines")
        if self.above and self.kind != "percent":
            raise ValueError(f"line {self.id!r}: only a percent line can have a threshold")

    @property
    def counts_in_total(self) -> bool:
        """Subtotals only restate other lines, so they never count towards the total."""
        return self.kind != "subtotal"

    def parameter_roles(self) -> dict[str, str]:
        """Role -> parameter name for every parameter this line reads."""
        roles = {role: getattr(self, role) for role in _KIND_PARAMETERS[self.kind]}
        if self.above:
            roles["above"] = self.above
        return roles

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "label": self.label, "kind": self.kind}
        data.update(self.parameter_roles())
        if self.of:
            data["of"] = list(self.of)
        if self.base_label:
            data["base_label"] = self.base_label
        data["expected"] = self.expected
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Line:
        known = {"id", "label", "kind", "parameter", "rate", "quantity", "minutes", "of", "above",
                 "base_label", "expected"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"line {data.get('id')!r}: unknown field {unknown[0]!r}")
        if isinstance(data.get("of"), str):
            raise ValueError(f"line {data.get('id')!r}: 'of' must be a list of line ids")
        return cls(
            id=str(data["id"]),
            label=str(data.get("label", data["id"])),
            kind=str(data["kind"]),
            parameter=data.get("parameter"),
            rate=data.get("rate"),
            quantity=data.get("quantity"),
            minutes=data.get("minutes"),
            of=tuple(data.get("of", ())),
            above=data.get("above"),
            base_label=data.get("base_label"),
            expected=bool(data.get("expected", False)),
        )


@dataclass(frozen=True)
class CostTemplate:
    """A whole cost model; checked when built so a broken template never reaches a bidder."""

    id: str
    title: str
    parameters: tuple[Parameter, ...]
    lines: tuple[Line, ...]
    description: str = ""
    _order: tuple[Line, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", tuple(self.parameters))
        object.__setattr__(self, "lines", tuple(self.lines))
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"template {self.id!r}: parameter names must be unique")
        ids = [line.id for line in self.lines]
        if len(set(ids)) != len(ids):
            raise ValueError(f"template {self.id!r}: line ids must be unique")
        for line in self.lines:
            for role, name in line.parameter_roles().items():
                if name not in names:
                    raise ValueError(f"line {line.id!r}: {role} parameter {name!r} is not defined")
            for other in line.of:
                if other not in ids:
                    raise ValueError(f"line {line.id!r}: reads unknown line {other!r}")
        object.__setattr__(self, "_order", self._evaluation_order())

    def _evaluation_order(self) -> tuple[Line, ...]:
        """Order lines so each comes after the lines it reads; a cycle is an error naming a line."""
        by_id = {line.id: line for line in self.lines}
        done: dict[str, bool] = {}  # False while visiting, True when placed
        order: list[Line] = []

        def visit(line: Line, path: tuple[str, ...]) -> None:
            if done.get(line.id) is True:
                return
            if done.get(line.id) is False:
                cycle = " -> ".join(path[path.index(line.id):] + (line.id,))
                raise ValueError(f"line {line.id!r} is part of a cycle: {cycle}")
            done[line.id] = False
            for other in line.of:
                visit(by_id[other], path + (line.id,))
            done[line.id] = True
            order.append(line)

        for line in self.lines:
            visit(line, ())
        return tuple(order)

    @property
    def evaluation_order(self) -> tuple[Line, ...]:
        return self._order

    def parameter(self, name: str) -> Parameter:
        for candidate in self.parameters:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def line(self, line_id: str) -> Line:
        for candidate in self.lines:
            if candidate.id == line_id:
                return candidate
        raise KeyError(line_id)

    def defaults(self) -> dict[str, Decimal]:
        """The parameter values used when a bidder supplies nothing."""
        return {p.name: p.default for p in self.parameters if p.default is not None}

    def with_defaults(self, **defaults: Decimal) -> CostTemplate:
        """A copy with new default values, e.g. next year's NLW; unknown names are an error."""
        unknown = sorted(set(defaults) - {p.name for p in self.parameters})
        if unknown:
            raise ValueError(f"template {self.id!r} has no parameter {unknown[0]!r}")
        parameters = tuple(
            Parameter(p.name, defaults.get(p.name, p.default), p.label, p.description)
            for p in self.parameters
        )
        return CostTemplate(self.id, self.title, parameters, self.lines, self.description)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "parameters": [p.to_dict() for p in self.parameters],
            "lines": [line.to_dict() for line in self.lines],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CostTemplate:
        return cls(
            id=str(data["id"]),
            title=str(data.get("title", data["id"])),
            description=str(data.get("description", "")),
            parameters=tuple(Parameter.from_dict(p) for p in data.get("parameters", ())),
            lines=tuple(Line.from_dict(line) for line in data.get("lines", ())),
        )
