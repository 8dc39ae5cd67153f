"""What kind of value a piece of cell text is: number, percentage, date, code or text.

The table strategies use it to tell *atomic* columns (amounts, dates, codes: one value
per printed line, never wrapped) from text columns whose values wrap over several
lines, and header text from body values.  Pure functions on strings; the parsers of
:mod:`normalize` decide the values later, this only classifies.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from normalize.numbers import looks_numeric

Kind = Literal["empty", "number", "percent", "date", "code", "text"]
ATOMIC: frozenset[str] = frozenset({"number", "percent", "date", "code"})

_DASH = re.compile(r"^[-\u2013\u2014]$")
_PERCENT = re.compile(r"^[-+(]?\s*\d[\d.,\s]*\)?\s*%$|^%\s*\d[\d.,]*$")
_DATE = re.compile(
    r"^\d{1,2}\s*[-/.]\s*(?:\d{1,2}|[a-záéíóú]{3,10}\.?)\s*[-/.]\s*\d{2,4}$"
    r"|^\d{4}-\d{2}-\d{2}$", re.I)
_CODE = re.compile(
    r"^\d{1,3}(?:\s*\.\s*\d{1,4})+\.?$"                # 4.1.2.3, 22.1.
    r"|^[A-ZÁÉÍÓÚÑ]{1,6}(?:\s?[A-ZÁÉÍÓÚÑ]{1,6})?\s?[-–]?\s?\d{1,3}$"  # DNAF 1, ME UNAI 3, UNT1
    r"|^\d{2}\s\d{1,14}\s\d{3}$"                       # 00 0 001
)
_DOT_LEADER = re.compile(r"^[.\u2026·_\s]+$")


@lru_cache(maxsize=65536)
def kind_of(text: str) -> Kind:
    """Classify one piece of cell text (already whitespace-folded).

    >>> kind_of("1.332.834,00"), kind_of("5,01%"), kind_of("1-ene-19"), kind_of("22.1.1")
    ('number', 'percent', 'date', 'code')
    >>> kind_of("DNAF 1"), kind_of("Tareas"), kind_of("–")
    ('code', 'text', 'number')
    """
    t = " ".join((text or "").split())
    if not t:
        return "empty"
    if _DASH.match(t):
        return "number"
    if _PERCENT.match(t):
        return "percent"
    if _DATE.match(t):
        return "date"
    if _CODE.match(t) and not re.fullmatch(r"\d{1,3}(?:\.\d{3})+", t):
        return "code"
    if looks_numeric(t):
        return "number"
    return "text"


def is_dot_leader(text: str) -> bool:
    """True for leader dots between a label and its figures (``'.'``, ``'. . .'``)."""
    return bool(_DOT_LEADER.match(text or "")) and "." in (text or "") or text in ("…",)


def strip_leaders(text: str) -> str:
    """``text`` without trailing leader dots (``'Total . . . .'`` -> ``'Total'``)."""
    return re.sub(r"(?:\s*\.){2,}\s*$", "", text or "").strip()
