"""The engine stays a pure library with Decimal money: no web imports, floats refused."""

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from evaluation.money import as_decimal, money, parse_decimal, penny, percent, plain

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("dps", "flask", "sqlalchemy", "flask_sqlalchemy", "rq", "redis")


def test_importing_the_engine_pulls_in_no_web_framework():
    code = (
        "import sys, evaluation, evaluation.costs, evaluation.allocation, evaluation.fees, "
        "evaluation.sensitivity, evaluation.viability; "
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}); "
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == ""


def test_penny_rounding_is_half_up():
    assert penny(D("0.125")) == D("0.13")
    assert penny(D("0.78755")) == D("0.79")
    assert money(D("9.24335")) == "9.24"


def test_number_words():
    assert percent(D("0.1207")) == "12.07%"
    assert percent(D("0.27")) == "27%"
    assert plain(D("11.40")) == "11.4"
    assert plain(D("2E+1")) == "20"


@pytest.mark.parametrize("value", [1.5, True, "1.5", None])
def test_as_decimal_refuses_anything_but_decimal_and_int(value):
    with pytest.raises(TypeError):
        as_decimal(value, "x")


def test_as_decimal_refuses_nan_and_parse_decimal_reads_strings():
    with pytest.raises(ValueError):
        as_decimal(D("NaN"), "x")
    assert parse_decimal("8.29", "x") == D("8.29")
    with pytest.raises(ValueError):
        parse_decimal("eight", "x")
    with pytest.raises(TypeError):
        parse_decimal(8.29, "x")
