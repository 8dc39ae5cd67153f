"""normalize.percentages: values in percent units, never rescaled (DATASETS.md "Layout")."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from normalize.numbers import ES, US, NumberParseError, parse_number
from normalize.percentages import parse_percent

SETTINGS = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize(
    "text, fmt, expected",
    [
        ("5,01%", None, 5.01),
        ("20%", None, 20.0),
        ("0.5", None, 0.5),  # already percent: not 50
        ("0,5%", None, 0.5),
        ("100,00 %", None, 100.0),
        ("100.00%", None, 100.0),
        ("2.5%", None, 2.5),
        ("75.68", None, 75.68),
        ("150%", None, 150.0),  # above 100 is kept as printed
        ("-3,5%", None, -3.5),
        ("-", None, 0.0),
        ("–", None, 0.0),
        ("0%", None, 0.0),
        ("70,06%", ES, 70.06),
        ("12,5", ES, 12.5),
        ("99.5", US, 99.5),
        ("9", None, 9.0),
        (None, None, None),
        ("", None, None),
        ("  ", ES, None),
    ],
)
def test_parse_percent(text, fmt, expected):
    got = parse_percent(text, fmt)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "text, fmt",
    [
        ("abc", None),
        ("%", None),
        ("N/A", None),
        ("100% de solicitudes atendidas", None),
        ("5,01%%x", None),
        ("2.5%", ES),  # does not fit the column format
        ("3 y 6", None),
    ],
)
def test_parse_percent_errors(text, fmt):
    with pytest.raises(NumberParseError):
        parse_percent(text, fmt)


def test_parse_percent_rejects_non_strings():
    with pytest.raises(NumberParseError):
        parse_percent(0.5)  # type: ignore[arg-type]


@SETTINGS
@given(st.integers(min_value=0, max_value=100_000), st.sampled_from([ES, US]), st.booleans())
def test_percent_sign_never_rescales(hundredths, fmt, space):
    """'x%' and 'x' give the same number, which is x (percent units)."""
    whole, frac = divmod(hundredths, 100)
    s = f"{whole}{fmt.decimal}{frac:02d}"
    with_sign = s + (" %" if space else "%")
    expected = hundredths / 100
    assert math.isclose(parse_percent(with_sign, fmt), expected, rel_tol=1e-12, abs_tol=1e-12)
    assert parse_percent(with_sign, fmt) == parse_number(s, fmt)
