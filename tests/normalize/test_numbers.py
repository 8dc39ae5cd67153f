"""normalize.numbers: per-column format detection and per-cell parsing.

Rules: DATASETS.md "Layout" (money in Bs, percent units, lone dash = 0, blank =
null) and STYLE.md habit 7 (format decided per column).  Expected values below
are written from those rules and the module docstring, by hand.
"""

import math

import pytest
from hypothesis import assume, given, settings, strategies as st

from normalize.numbers import (
    ES,
    US,
    ColumnParse,
    NumberFormat,
    NumberParseError,
    detect_format,
    looks_numeric,
    parse_column,
    parse_number,
)

SETTINGS = settings(max_examples=500, deadline=None, database=None)


# ----------------------------------------------------------------------------- parse_number

@pytest.mark.parametrize(
    "text, fmt, expected",
    [
        # blanks and dashes
        (None, None, None),
        ("", None, None),
        ("   ", None, None),
        ("\n", ES, None),
        ("-", None, 0.0),
        ("–", None, 0.0),  # en dash
        ("—", None, 0.0),  # em dash
        ("−", None, 0.0),  # U+2212 minus
        (" - ", ES, 0.0),
        ("Bs -", None, 0.0),
        ("-", US, 0.0),
        # plain integers
        ("1426800", None, 1426800.0),
        ("0", None, 0.0),
        ("007", None, 7.0),
        ("1426800", ES, 1426800.0),
        ("1426800", US, 1426800.0),
        # ES, read on their own
        ("1.234.567,89", None, 1234567.89),
        ("75,17", None, 75.17),
        ("1.093.082", None, 1093082.0),
        ("0,00", None, 0.0),
        (" 24.000 ", None, 24000.0),
        ("9999,9", None, 9999.9),
        ("14.508.436,00", None, 14508436.0),
        ("\n1.234,56\n", None, 1234.56),
        # US, read on their own
        ("1,234,567.89", None, 1234567.89),
        ("2.5", None, 2.5),
        ("0.5", None, 0.5),
        ("75.68", None, 75.68),
        ("-12,731,515.67", None, -12731515.67),
        ("1,234.5", None, 1234.5),
        # a single separator followed by 3 digits after a 1-3 digit head: grouping
        ("1.234", None, 1234.0),
        ("1,234", None, 1234.0),
        ("508.076", None, 508076.0),
        ("332,000", None, 332000.0),
        # ... but not when the head starts with 0 or has more than 3 digits
        ("0.500", None, 0.5),
        ("0,500", None, 0.5),
        ("1234,567", None, 1234.567),
        ("1234.567", None, 1234.567),
        # leading decimal separator
        (".5", None, 0.5),
        (",5", None, 0.5),
        (",5", ES, 0.5),
        # currency marks are stripped, the value is kept as printed
        ("Bs 1.234,50", None, 1234.5),
        ("Bs. 1.234,50", None, 1234.5),
        ("Bs1.234,50", None, 1234.5),
        ("BS 12", None, 12.0),
        ("1.234,50 Bs", None, 1234.5),
        ("1.234,50 Bs.", None, 1234.5),
        ("$ 12", None, 12.0),
        ("$us 1,500.00", None, 1500.0),
        ("Bs 1.500.-", None, 1500.0),  # Bolivian closing '.-'
        ("1.500,-", ES, 1500.0),
        # spaces as thousands separators
        ("1 234", None, 1234.0),
        ("1 234 567,89", None, 1234567.89),
        ("1\u00a0234,5", None, 1234.5),
        ("12 345.6", None, 12345.6),
        ("1 234,5", ES, 1234.5),
        ("1 234.5", US, 1234.5),
        # percent signs are stripped, never rescaled
        ("5,01%", None, 5.01),
        ("5,01 %", None, 5.01),
        ("% 5", None, 5.0),
        ("2.5%", None, 2.5),
        ("100,00 %", None, 100.0),
        ("20%", None, 20.0),
        # negatives
        ("-1.234,5", None, -1234.5),
        ("(1.234,50)", None, -1234.5),
        ("( 1.234,50 )", ES, -1234.5),
        ("- 13.200", None, -13200.0),
        ("−13.200,00", None, -13200.0),  # U+2212
        ("–798.723,55", None, -798723.55),  # en dash as minus
        ("-Bs 100", None, -100.0),
        ("Bs -100", None, -100.0),
        ("-5%", None, -5.0),
        ("+5", None, 5.0),
        ("-9,510,912.80", US, -9510912.8),
        # with an explicit column format
        ("1.234", ES, 1234.0),
        ("1,234", ES, 1.234),
        ("75,17", ES, 75.17),
        ("1.234.567,89", ES, 1234567.89),
        ("12,5%", ES, 12.5),
        ("0,00", ES, 0.0),
        ("1,234", US, 1234.0),
        ("1.234", US, 1.234),
        ("2.5", US, 2.5),
        ("332,000", US, 332000.0),
        ("75.68", US, 75.68),
        ("0.00", US, 0.0),
    ],
)
def test_parse_number(text, fmt, expected):
    got = parse_number(text, fmt)
    if expected is None:
        assert got is None
    else:
        assert isinstance(got, float)
        assert got == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("text", ["-0,00", "-0", "(0,00)", "- 0.00"])
def test_negative_zero_is_plain_zero(text):
    got = parse_number(text)
    assert got == 0.0
    assert math.copysign(1.0, got) == 1.0


@pytest.mark.parametrize(
    "text, fmt",
    [
        ("12 documentos", None),
        ("abc", None),
        ("1.2.3,4,5", None),
        ("1.2.3,4,5", ES),
        ("20 41", None),  # two numbers, not a space-grouped one
        ("12 34", None),
        ("1 2345", None),
        ("%", None),
        ("Bs", None),
        ("$", None),
        ("(-5)", None),  # parentheses and a sign together
        ("(5", None),
        ("5)", None),
        ("- -5", None),
        ("1e5", None),
        ("nan", None),
        ("inf", None),
        ("--", None),
        ("1.234,", None),
        ("1..2", None),
        ("1,2,3", None),
        ("10.1.1", None),  # a task code is not a number
        ("1-ene-19", None),
        ("3 y 6", None),
        ("100% de solicitudes atendidas", None),
        ("TOTAL", None),
        ("１２", None),  # fullwidth digits
        ("٣", None),  # Arabic-Indic digit
        # cells that do not fit the column's format
        ("2.5", ES),
        ("0.5", ES),
        ("75,17", US),
        ("1.234.567,89", US),
        ("1,234.5", ES),
        ("1 234,5", US),
        ("1.2345", ES),
    ],
)
def test_parse_number_errors(text, fmt):
    with pytest.raises(NumberParseError) as info:
        parse_number(text, fmt)
    assert info.value.text == text
    assert isinstance(info.value, ValueError)


def test_parse_number_rejects_non_strings():
    with pytest.raises(NumberParseError):
        parse_number(12)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- NumberFormat

def test_number_format_constants():
    assert ES == NumberFormat(decimal=",", thousands=".")
    assert US == NumberFormat(decimal=".", thousands=",")
    assert ES != US


@pytest.mark.parametrize("decimal, thousands", [(",", ","), (".", "."), (".", " "), (";", ","), ("", ".")])
def test_number_format_invalid(decimal, thousands):
    with pytest.raises(ValueError):
        NumberFormat(decimal, thousands)


def test_number_format_is_frozen():
    with pytest.raises(AttributeError):
        ES.decimal = "."  # type: ignore[misc]


# ----------------------------------------------------------------------------- detect_format

@pytest.mark.parametrize(
    "cells, expected",
    [
        (["1.234.567,89", "75,17", "-"], ES),
        (["1,234,567.89", "2.5"], US),
        (["1426800", "0"], None),
        ([], None),
        ([None, "", "  ", "-"], None),
        (["1.234", "5.678"], None),  # ambiguous only
        (["1,234", "5,678"], None),
        (["1.093.082", "189.428"], ES),  # repeated dot = ES grouping
        (["332,000", "1,925,000"], US),  # repeated comma = US grouping
        (["75.20", "77.00", "74.46"], US),
        (["9,00", "5,00"], ES),
        (["Total", "GESTION", "14.508.436,00"], ES),  # text cells are ignored
        (["2.5", "75,17"], None),  # 1 vs 1: a tie is no decision
        (["1.234,5", "2.5"], ES),  # strong (2) beats weak (1)
        (["2.5", "3.5", "75,17"], US),  # 2 weak beat 1 weak
        (["1,234.5", "75,17"], US),
        (["3.1.3", "4.1.1"], None),  # codes are not evidence
        (["1 234,5"], ES),
        (["1 234.5"], US),
        (["5,01%", "20%"], ES),
        (["(1.234,50)", "Bs 12,00"], ES),
        (["-9,510,912.80", "0.00"], US),
        (["0,500"], ES),  # head 0: decimal comma
        (["0.500"], US),
    ],
)
def test_detect_format(cells, expected):
    assert detect_format(cells) == expected


def test_detect_format_accepts_any_iterable():
    assert detect_format(c for c in ["1.234,5", None]) == ES


# ----------------------------------------------------------------------------- parse_column

def test_parse_column_es_with_blank_dash_and_text():
    cp = parse_column(["1.234", "75,17", "-", None, "abc", ""])
    assert isinstance(cp, ColumnParse)
    assert cp.format == ES
    assert cp.values == [1234.0, 75.17, 0.0, None, None, None]
    assert cp.errors == [4]


def test_parse_column_us():
    cp = parse_column(["1,234", "2.5", "(3.00)"])
    assert cp.format == US
    assert cp.values == [1234.0, 2.5, -3.0]
    assert cp.errors == []


@pytest.mark.parametrize(
    "default, expected",
    [(US, [1234.0, 5678.0]), (ES, [1.234, 5.678]), (None, [1234.0, 5678.0])],
)
def test_parse_column_uses_default_without_evidence(default, expected):
    cp = parse_column(["1,234", "5,678"], default=default)
    assert cp.format == default
    assert cp.values == pytest.approx(expected)
    assert cp.errors == []


def test_parse_column_evidence_beats_default():
    cp = parse_column(["75,17", "1.234"], default=US)
    assert cp.format == ES
    assert cp.values == [75.17, 1234.0]


def test_parse_column_minority_cells_are_errors():
    cp = parse_column(["1.234.567,89", "2.5", "75,17"])
    assert cp.format == ES
    assert cp.values == [1234567.89, None, 75.17]
    assert cp.errors == [1]


def test_parse_column_without_any_format_reads_cells_alone():
    cp = parse_column(["1426800", "0", "-", None])
    assert cp.format is None
    assert cp.values == [1426800.0, 0.0, 0.0, None]
    assert cp.errors == []


# ----------------------------------------------------------------------------- looks_numeric

@pytest.mark.parametrize(
    "text, fmt, expected",
    [
        ("1.234", None, True),
        ("-", None, True),
        ("5%", None, True),
        ("(1,5)", None, True),
        ("Bs 10", None, True),
        ("0", None, True),
        (None, None, False),
        ("", None, False),
        ("   ", None, False),
        ("abc", None, False),
        ("%", None, False),
        ("12 documentos", None, False),
        ("3.1.3", None, False),
        ("2.5", ES, False),
        ("2.5", US, True),
    ],
)
def test_looks_numeric(text, fmt, expected):
    assert looks_numeric(text, fmt) is expected


# ----------------------------------------------------------------------------- properties

def _format(value: float, decimal: str, thousands: str) -> str:
    """Write ``value`` with 2 decimals, grouping by 3 (a formatter independent of the parser)."""
    cents = round(abs(value) * 100)
    int_part, frac = divmod(cents, 100)
    digits = str(int_part)
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    sign = "-" if value < 0 and cents else ""
    return f"{sign}{thousands.join(groups)}{decimal}{frac:02d}"


amounts = st.floats(min_value=-1e13, max_value=1e13, allow_nan=False, allow_infinity=False).map(
    lambda x: round(x, 2)
)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0) or (a == 0 and abs(b) < 1e-9)


@SETTINGS
@given(amounts)
def test_roundtrip_es(x):
    s = _format(x, ",", ".")
    assert _same(parse_number(s, ES), x), s
    # with 2 decimals the cell alone is unambiguous too
    assert _same(parse_number(s), x), s


@SETTINGS
@given(amounts)
def test_roundtrip_us(x):
    s = _format(x, ".", ",")
    assert _same(parse_number(s, US), x), s
    assert _same(parse_number(s), x), s


@SETTINGS
@given(amounts)
def test_roundtrip_decorated(x):
    """Currency, percent, parentheses and space grouping do not change the value."""
    es = _format(abs(x), ",", ".")
    spaced = _format(abs(x), ",", " ")
    assert _same(parse_number(f"Bs {es}", ES), abs(x))
    assert _same(parse_number(f"{es} %", ES), abs(x))
    assert _same(parse_number(spaced, ES), abs(x))
    assert _same(parse_number(f"({es})", ES), -abs(x))


@SETTINGS
@given(st.lists(amounts, min_size=1, max_size=12))
def test_detect_format_on_formatted_columns(xs):
    es_col = [_format(x, ",", ".") for x in xs]
    us_col = [_format(x, ".", ",") for x in xs]
    assert detect_format(es_col) == ES
    assert detect_format(us_col) == US
    assert parse_column(es_col).values == pytest.approx(xs, rel=1e-9)
    assert parse_column(us_col).values == pytest.approx(xs, rel=1e-9)


number_like = st.text(alphabet="0123456789.,- ()%Bs$\u00a0–—−+\n", max_size=24)


@SETTINGS
@given(st.one_of(st.text(), number_like), st.sampled_from([None, ES, US]))
def test_parse_number_only_raises_number_parse_error(s, fmt):
    try:
        value = parse_number(s, fmt)
    except NumberParseError as e:
        assert e.text == s
        assert looks_numeric(s, fmt) is False
        return
    if value is None:
        assert s.strip() == ""
    else:
        assert isinstance(value, float) and math.isfinite(value)
        assert looks_numeric(s, fmt) is True


@SETTINGS
@given(st.integers(min_value=0, max_value=10**15))
def test_plain_integers(n):
    assert parse_number(str(n)) == float(n)
    assume(n >= 1000)
    # grouped by dots (ES) or commas (US): same integer, read alone or with the format
    es = f"{n:,}".replace(",", ".")
    assert parse_number(es, ES) == float(n)
    assert parse_number(es) == float(n)
    assert parse_number(f"{n:,}") == float(n)
    assert parse_number(f"{n:,}", US) == float(n)
