"""Cost breakdowns: templates as data, `calculate`, and the templates the engine ships.

This module is the public face; the model lives in `cost_model`, the calculator in
`calculator` and the shipped templates in `cost_templates`, so each stays small.
"""

from evaluation.calculator import Breakdown, LineResult, calculate
from evaluation.cost_model import LINE_KINDS, CostTemplate, Line, Parameter
from evaluation.cost_templates import (
    STOCKPORT_2018,
    STOCKPORT_2018_DATA,
    UKHCA_STYLE_2026,
    per_hour_threshold,
    ukhca_style_template,
)

__all__ = [
    "LINE_KINDS",
    "STOCKPORT_2018",
    "STOCKPORT_2018_DATA",
    "UKHCA_STYLE_2026",
    "Breakdown",
    "CostTemplate",
    "Line",
    "LineResult",
    "Parameter",
    "calculate",
    "per_hour_threshold",
    "ukhca_style_template",
]
