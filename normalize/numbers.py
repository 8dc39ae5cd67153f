"""Numbers printed in table cells: amounts in Bs, counts, percentages.

Frictionless-style (see ../shared/STYLE.md, habit 7): the number format (which
character is the decimal separator, which one groups thousands) is decided once
per column with :func:`detect_format`, then every cell is parsed with that
format by :func:`parse_number`.  :func:`parse_column` does both and collects the
cells that failed instead of raising.

Contract: DATASETS.md "Layout": money is float64 in Bs, percentages are in
percent units and never rescaled, a lone dash in a numeric column is 0, null
means blank in the source.

What a cell may hold around the number (everything else is an error):

- surrounding whitespace, and spaces used as thousands separators
  (``'1 234 567,89'``: groups after the first must have exactly 3 digits);
- a currency mark before or after: ``Bs``, ``Bs.``, ``$``, ``$us``, ``$b``, ``USD``
  (only stripped: the value is returned as printed, never converted);
- a ``%`` before or after (only stripped: ``'5,01%'`` -> ``5.01``);
- a sign ``-``/``+`` (also U+2212 minus, en dash and em dash) before or after the
  currency mark, possibly followed by spaces (``'- 13.200'`` -> ``-13200.0``), or
  accounting parentheses (``'(1.234,50)'`` -> ``-1234.5``), not both;
- the Bolivian closing ``.-`` of amounts written in full (``'Bs 1.500.-'`` -> 1500);
- only ASCII digits 0-9 (no exponents, no ``inf``/``nan``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

__all__ = [
    "NumberFormat",
    "ES",
    "US",
    "NumberParseError",
    "ColumnParse",
    "detect_format",
    "parse_number",
    "parse_column",
    "looks_numeric",
]


@dataclass(frozen=True)
class NumberFormat:
    """How a column writes its numbers.

    ``decimal``: the decimal separator, ``','`` or ``'.'``.
    ``thousands``: the grouping separator, the other one of the two.
    Spaces are always accepted as an extra grouping separator.
    Raises ``ValueError`` on any other combination (validated once, when the
    format is built, not on every cell).
    """

    decimal: str
    thousands: str

    def __post_init__(self) -> None:
        if {self.decimal, self.thousands} != {",", "."}:
            raise ValueError(
                f"NumberFormat needs decimal and thousands to be ',' and '.' in some order, "
                f"got decimal={self.decimal!r} thousands={self.thousands!r}"
            )


ES = NumberFormat(decimal=",", thousands=".")
"""Spanish/Bolivian style: ``1.234.567,89``."""
US = NumberFormat(decimal=".", thousands=",")
"""US style (SIGEP exports): ``1,234,567.89``."""


class NumberParseError(ValueError):
    """A cell that should hold a number does not.

    ``text`` is the cell text as received, ``reason`` a short English phrase.
    """

    def __init__(self, text: object, reason: str = "not a number") -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{reason}: {text!r}")


@dataclass(frozen=True)
class ColumnParse:
    """Result of :func:`parse_column`.

    ``values``: one float (or None for blank/failed cells) per input cell, same order.
    ``errors``: indices of the cells that were not blank and did not parse.
    ``format``: the format the column was parsed with (detected, else the
    caller's default); None when there was neither, and each cell was read on
    its own (see :func:`parse_number`).
    """

    values: list[float | None]
    errors: list[int]
    format: NumberFormat | None


# --------------------------------------------------------------------------- regexes

_WS_RE = re.compile(r"[\s\u200b\ufeff]+")
_PLAIN_RE = re.compile(r"[0-9]+")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
# A lone dash, optionally with a currency mark or a percent sign: means 0.
_DASH_RE = re.compile(
    r"(?:(?:bs\.?|\$us|\$b|\$|usd)\s*)?[" + _DASHES + r"](?:\s*%)?", re.IGNORECASE
)
_SIGNS = "+\\-\u2212\u2013\u2014"
_CELL_RE = re.compile(
    r"""
    (?P<lp>\()?\s*
    (?P<s1>[""" + _SIGNS + r"""])?\s*
    (?:(?:bs\.?|\$us|\$b|\$|usd)\s*)?
    (?P<s2>[""" + _SIGNS + r"""])?\s*
    (?:%\s*)?
    (?P<body>
        (?:[.,](?=[0-9]))?          # optional leading separator: ',5'
        [0-9]
        (?:[0-9]|[.,](?=[0-9])|\x20(?=[0-9]))*   # every separator is followed by a digit
    )
    (?:[.,]-)?                      # '1.500.-'
    \s*(?:%)?
    \s*(?:bs\.?)?
    \s*(?P<rp>\))?
    """,
    re.VERBOSE | re.IGNORECASE,
)
_SPACED_RE = re.compile(r"[0-9]{1,3}(?:\x20[0-9]{3})+(?:([.,])([0-9]+))?")
_GROUPED = {
    ".": re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+"),
    ",": re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+"),
}
# A first group that could be the head of a thousands-grouped number: 1-3 digits,
# not starting with 0 ('0.500' can only be a decimal).
_LEAD_RE = re.compile(r"[1-9][0-9]{0,2}")


# --------------------------------------------------------------------------- internals

def _split_cell(text: str) -> tuple[str, bool] | None:
    """Return (body, negative) of a cell, or None when it is not number-shaped."""
    m = _CELL_RE.fullmatch(text)
    if m is None:
        return None
    lp, rp, s1, s2 = m.group("lp"), m.group("rp"), m.group("s1"), m.group("s2")
    if (lp is None) != (rp is None):
        return None
    if s1 is not None and s2 is not None:
        return None
    sign = s1 or s2
    if lp is not None and sign is not None:
        return None
    return m.group("body"), (lp is not None or (sign is not None and sign != "+"))


def _with_format(body: str, fmt: NumberFormat) -> float | None:
    """Value of a separator body under ``fmt``; None when it does not fit."""
    d, t = fmt.decimal, fmt.thousands
    ip, _, fp = body.partition(d)
    if d in fp or t in fp:
        return None
    if t in ip:
        if _GROUPED[t].fullmatch(ip) is None:
            return None
        ip = ip.replace(t, "")
    return float((ip or "0") + "." + fp) if fp else float(ip)


def _evidence(body: str) -> tuple[NumberFormat, int] | None:
    """What one body says about its column's format: (format, weight) or None.

    Weight 2 ("strong"): both separators ('1.234.567,89', '1,234.5'), or one
    separator repeated, which can only be grouping ('1.093.082', '1,234,567').
    Weight 1: a single separator that cannot be grouping because it is not
    followed by exactly 3 digits or the part before it is not a valid first
    group ('75,17', '2.5', '0,500', '1234.567'); or a space-grouped number with
    a decimal part ('1 234,5').
    None: no separator, or one separator followed by exactly 3 digits after a
    1-3 digit group ('1.234', '1,234': ambiguous), or a body invalid in both.
    """
    if " " in body:
        m = _SPACED_RE.fullmatch(body)
        if m is None or m.group(1) is None:
            return None
        return (ES if m.group(1) == "," else US), 1
    nd, nc = body.count("."), body.count(",")
    if nd and nc:
        fmt = ES if body.rfind(",") > body.rfind(".") else US
        return (fmt, 2) if _with_format(body, fmt) is not None else None
    if not nd and not nc:
        return None
    sep, n = (".", nd) if nd else (",", nc)
    if n > 1:
        fmt = ES if sep == "." else US  # repeated separator = thousands
        return (fmt, 2) if _with_format(body, fmt) is not None else None
    ip, _, fp = body.partition(sep)
    if len(fp) == 3 and _LEAD_RE.fullmatch(ip):
        return None  # ambiguous
    return (ES if sep == "," else US), 1  # single separator used as decimal


def _infer(body: str) -> float | None:
    """Value of a body read on its own (no column format); None if invalid.

    Both separators: the last one is the decimal ('1.234,5', '1,234.5').
    One separator repeated: grouping ('1.093.082' ES, '1,234,567' US).
    A single separator: when it is followed by exactly 3 digits after a 1-3
    digit group not starting with 0 it is read as grouping, whichever it is
    ('1.234' -> 1234.0 as in ES, '1,234' -> 1234.0 as in US); otherwise it is
    the decimal separator ('75,17', '2.5', '0.500', '0,5', '1234,567').
    Why grouping for the ambiguous case: amounts carry 0 or 2 decimals and
    percentages 0-2, so a 3-digit tail is a thousands group in practice; in the
    benchmark corpus every lone-comma-3-digit cell ('332,000', '8,300' in
    segip_rendicion_cuentas_2020 p. 20) is US grouping and every lone-dot one
    ('508.076') ES grouping.  Both readings give the same integer, so the
    choice does not depend on guessing the document's language.
    """
    nd, nc = body.count("."), body.count(",")
    if nd and nc:
        fmt = ES if body.rfind(",") > body.rfind(".") else US
    elif nd > 1:
        fmt = ES
    elif nc > 1:
        fmt = US
    else:
        sep = "." if nd else ","
        ip, _, fp = body.partition(sep)
        grouping = len(fp) == 3 and _LEAD_RE.fullmatch(ip) is not None
        # grouping by '.' is ES, grouping by ',' is US; decimal likewise swapped
        fmt = (ES if sep == "." else US) if grouping else (US if sep == "." else ES)
    return _with_format(body, fmt)


@lru_cache(maxsize=65536)
def _parse(text: str, fmt: NumberFormat | None) -> float | None:
    s = text.strip()
    if not s:
        return None
    if _PLAIN_RE.fullmatch(s):
        return float(s)
    s = _WS_RE.sub(" ", s)
    if _DASH_RE.fullmatch(s):
        return 0.0
    split = _split_cell(s)
    if split is None:
        raise NumberParseError(text)
    body, negative = split
    if " " in body:
        m = _SPACED_RE.fullmatch(body)
        if m is None:
            raise NumberParseError(text, "spaces inside a number must group thousands")
        sep, frac = m.group(1), m.group(2)
        if sep is not None and fmt is not None and sep != fmt.decimal:
            raise NumberParseError(text, f"decimal separator is not {fmt.decimal!r}")
        ip = body[: m.start(1)] if sep is not None else body
        value = float(ip.replace(" ", "") + ("." + frac if frac else ""))
    else:
        value = _with_format(body, fmt) if fmt is not None else _infer(body)
        if value is None:
            raise NumberParseError(
                text,
                "separators do not fit the column format "
                f"(decimal {fmt.decimal!r}, thousands {fmt.thousands!r})"
                if fmt is not None
                else "separators do not form a number",
            )
    # '+ 0.0' turns the -0.0 of '-0,00' into 0.0
    return (-value if negative else value) + 0.0


# --------------------------------------------------------------------------- public

def parse_number(text: str | None, fmt: NumberFormat | None = None) -> float | None:
    """Parse one cell into a float.

    Input: the cell text (``str`` or ``None``) and the column's format, or
    ``None`` to read the cell on its own.
    Output: ``float`` in the units printed (Bs for money, percent units for a
    ``%`` cell: ``'5,01%'`` -> ``5.01``, never rescaled); ``None`` for ``None`` or
    a blank cell; ``0.0`` for a lone dash (``'-'``, ``'–'``, ``'—'``, also
    ``'Bs -'``).  Negative zero is returned as ``0.0``.

    With ``fmt`` the cell must fit it exactly: ``'2.5'`` under ``ES`` is an
    error (a thousands group must have 3 digits).  Without ``fmt`` the cell
    is read on its own (see :func:`_infer`): two kinds of separator, the last
    is the decimal; a repeated one groups; a single one followed by exactly 3
    digits after a 1-3 digit head groups (``'1.234'`` -> 1234.0, and
    ``'1,234'`` -> 1234.0), otherwise it is the decimal (``'2.5'``, ``'0.5'``,
    ``'0.500'``, ``'75,17'``).

    Raises :class:`NumberParseError` (a ``ValueError``) when the text is not a
    number: words (``'12 documentos'``, ``'abc'``), bad grouping
    (``'1.2.3,4,5'``), digits split by spaces that are not thousands groups
    (``'20 41'``).  Nothing else is raised for ``str`` input.

    Contract: DATASETS.md "Layout" (money in Bs as float64, percentages in
    percent units, lone dash is 0, null means blank).
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise NumberParseError(text, "not a string")
    return _parse(text, fmt)


def looks_numeric(text: str | None, fmt: NumberFormat | None = None) -> bool:
    """True when :func:`parse_number` accepts ``text`` and it holds a number.

    Input: cell text or None; optional column format.
    Output: ``True`` for a number (a digit is present) or a lone dash; ``False``
    for None, blank, or anything :func:`parse_number` rejects.  Raises nothing.

    Contract: DATASETS.md "Layout" (lone dash in a numeric column is 0).
    """
    try:
        return parse_number(text, fmt) is not None
    except NumberParseError:
        return False


def detect_format(cells: Iterable[str | None]) -> NumberFormat | None:
    """Decide the number format of one column from all its cells.

    Input: the column's cell texts (None/blank and non-numeric cells are ignored).
    Output: ``ES``, ``US``, or ``None`` when no cell is evidence either way
    (only plain integers, dashes, or ambiguous ``'1.234'``/``'1,234'``): the
    caller then uses its document-level default.

    Rules (per cell, see :func:`_evidence`): a cell with both separators, or with
    one separator repeated, weighs 2 for the format it proves ('1.234.567,89' and
    '1.093.082' -> ES; '1,234,567.89' and '1,234,567' -> US); a single separator
    not followed by exactly 3 digits weighs 1 for the format in which it is the
    decimal ('75,17' -> ES; '2.5' -> US).  The heavier side wins; a tie returns
    ``None`` (a column that contradicts itself is left to the default, and its
    minority cells then show up as errors in :func:`parse_column`).
    Raises nothing.

    Contract: STYLE.md habit 7 (format decided per column); DATASETS.md "Layout".
    """
    es = us = 0
    for cell in cells:
        if not cell:
            continue
        s = _WS_RE.sub(" ", cell.strip())
        if not s or _PLAIN_RE.fullmatch(s):
            continue
        split = _split_cell(s)
        if split is None:
            continue
        ev = _evidence(split[0])
        if ev is None:
            continue
        if ev[0] == ES:
            es += ev[1]
        else:
            us += ev[1]
    if es > us:
        return ES
    if us > es:
        return US
    return None


def parse_column(
    cells: Sequence[str | None], default: NumberFormat | None = None
) -> ColumnParse:
    """Detect a column's format, then parse each of its cells with it.

    Input: the column's cells, in order; ``default``: the document-level
    format used when :func:`detect_format` finds no evidence.
    Output: :class:`ColumnParse` with one value per cell (None for blank cells
    and for cells that failed), the indices of failed cells in ``errors``
    (data problems are collected, not raised), and the format used.
    Raises nothing for ``str``/``None`` cells.

    Contract: STYLE.md habit 7; DATASETS.md "Layout".
    """
    fmt = detect_format(cells) or default
    values: list[float | None] = []
    errors: list[int] = []
    for i, cell in enumerate(cells):
        try:
            values.append(parse_number(cell, fmt))
        except NumberParseError:
            values.append(None)
            errors.append(i)
    return ColumnParse(values=values, errors=errors, format=fmt)


def format_bolivian(x: float, decimals: int = 2) -> str:
    """A figure printed the Bolivian way (the corpus forms' style: '.' thousands, ','
    decimals): ``format_bolivian(1234567.8)`` -> ``'1.234.567,80'``,
    ``format_bolivian(2015086, 0)`` -> ``'2.015.086'``.  For messages to analysts."""
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
