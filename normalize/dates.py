"""Dates printed in Bolivian documents, always day first.

Contract: DATASETS.md "Layout" (dates are Arrow ``date32``: a ``datetime.date``
here) and the date columns ``documentos.fecha``, ``poa_operaciones.fecha_inicio`` /
``fecha_fin``, ``presupuesto_ejecucion.fecha_corte`` ("al 31 de diciembre de 2020").

Forms recognized (anywhere inside the text, case-insensitive):

- numeric, day first: ``14/12/2020``, ``14-12-2020``, ``14.12.2020``, ``14/12/20``
  (with dots the year must have 4 digits, so task codes like ``10.1.19`` are not
  dates);
- ISO: ``2020-12-14`` (a 4-digit first group is the year);
- day, month name or abbreviation, year: ``1-ene-19``, ``31 dic. 2020``,
  ``31dic. 2020``, ``31 Diciembre 2020``, ``14 de febrero de 2024``,
  ``23 de junio del 2020``, ``1º de mayo de 2020``.

A 2-digit year is 20yy.  A date needs day, month and year: ``'Septiembre'`` or
``'Enero 2020'`` alone is not a date (nothing is invented).  Dates in words
("catorce de febrero de dos mil veinticuatro") are not read.

Regexes and a month table (data, below) instead of dateparser: about 100x
faster, and day-first and Spanish-only by construction.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache

__all__ = ["DateParseError", "parse_date", "find_date", "MONTHS"]

#: Spanish month names and abbreviations (already casefolded, no accents) -> month.
MONTHS: dict[str, int] = {
    "enero": 1, "ene": 1,
    "febrero": 2, "feb": 2,
    "marzo": 3, "mar": 3,
    "abril": 4, "abr": 4,
    "mayo": 5, "may": 5,
    "junio": 6, "jun": 6,
    "julio": 7, "jul": 7,
    "agosto": 8, "ago": 8,
    "septiembre": 9, "setiembre": 9, "sept": 9, "sep": 9, "set": 9,
    "octubre": 10, "oct": 10,
    "noviembre": 11, "nov": 11,
    "diciembre": 12, "dic": 12,
}


class DateParseError(ValueError):
    """A cell that should hold a date does not.  ``text`` is the input."""

    def __init__(self, text: object, reason: str = "no date found") -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{reason}: {text!r}")


_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"(?P<y>[0-9]{4}|[0-9]{2})(?![0-9])"
_DATE_RE = re.compile(
    # day + month name + year
    r"(?<![0-9])(?P<d>[0-9]{1,2})(?:\s*(?:º|°|ro|er)(?![^\W\d_]))?"
    r"\s*(?:(?:de|del)\s+|[-/.]\s*)?"
    r"(?P<mn>" + _MONTH_ALT + r")(?![^\W\d_])\.?"
    r"\s*(?:(?:de|del)\s+|[-/.,]\s*)?"
    + _YEAR
    # numeric, day first, same separator twice; '.' only with a 4-digit year
    + r"|(?<![0-9.])(?P<d2>[0-9]{1,2})(?P<sep>[-/])(?P<m2>[0-9]{1,2})(?P=sep)"
    r"(?P<y2>[0-9]{4}|[0-9]{2})(?![0-9]|[-/.][0-9])"
    r"|(?<![0-9.])(?P<d3>[0-9]{1,2})\.(?P<m3>[0-9]{1,2})\.(?P<y3>[0-9]{4})(?![0-9]|\.[0-9])"
    # ISO year first
    r"|(?<![0-9.])(?P<y4>[0-9]{4})(?P<sep4>[-/])(?P<m4>[0-9]{1,2})(?P=sep4)(?P<d4>[0-9]{1,2})"
    r"(?![0-9]|[-/.][0-9])",
    re.IGNORECASE,
)


def _year(y: str) -> int:
    return 2000 + int(y) if len(y) == 2 else int(y)


def _candidates(text: str):
    """Yield (date or None, matched text) for each date-shaped match, in order."""
    for m in _DATE_RE.finditer(text):
        g = m.groupdict()
        if g["d"] is not None:
            d, mo, y = int(g["d"]), MONTHS[g["mn"].casefold()], _year(g["y"])
        elif g["d2"] is not None:
            d, mo, y = int(g["d2"]), int(g["m2"]), _year(g["y2"])
        elif g["d3"] is not None:
            d, mo, y = int(g["d3"]), int(g["m3"]), int(g["y3"])
        else:
            d, mo, y = int(g["d4"]), int(g["m4"]), int(g["y4"])
        try:
            yield _dt.date(y, mo, d), m.group(0)
        except ValueError:  # 31/02/2020, 14/13/2020, day 0
            yield None, m.group(0)


@lru_cache(maxsize=16384)
def find_date(text: str | None) -> _dt.date | None:
    """Find the first valid date inside a longer text.

    Input: any text (a heading, a cell, a page line) or None.
    Output: the first date of the forms in the module docstring that is a real
    calendar date, as ``datetime.date``; ``None`` when there is none (also for
    None/blank input).  ``'La Paz, 14 de febrero de 2024'`` -> 2024-02-14,
    ``'Ejecución al 31dic. 2020'`` -> 2020-12-31.  Raises nothing.

    Contract: DATASETS.md "Layout" (dates are date32) and the date columns.
    """
    if not text:
        return None
    for value, _ in _candidates(text):
        if value is not None:
            return value
    return None


@lru_cache(maxsize=16384)
def parse_date(text: str | None) -> _dt.date | None:
    """Parse a cell or heading that holds a date.

    Input: text such as ``'1-ene-19'``, ``'14/12/2020'``, ``'2020-12-14'``,
    ``'al 31 de diciembre de 2020'``, ``'La Paz, 14 de febrero de 2024'`` (text
    around the date is allowed; the first date is taken), or None.
    Output: ``datetime.date`` (day first; 2-digit years are 20yy); ``None`` for
    None or blank text.
    Raises :class:`DateParseError` (a ``ValueError``) when no date is found
    (``'Septiembre'``, ``'Enero 2020'``, ``'abc'``) or the first date-shaped
    part is not a calendar date (``'31/02/2020'``).

    Contract: DATASETS.md "Layout" (dates are date32) and the date columns.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise DateParseError(text, "not a string")
    if not text.strip():
        return None
    for value, raw in _candidates(text):
        if value is None:
            raise DateParseError(text, f"{raw!r} is not a calendar date")
        return value
    raise DateParseError(text)
