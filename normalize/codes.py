"""Codes printed in plans and budgets, normalized so equal codes compare equal.

Contract: DATASETS.md section "Codes" (every rule below cites its bullet).
Each function takes the cell text (or None), returns the normalized code as
``str`` (None for None/blank), and raises :class:`CodeParseError` (a
``ValueError``) when the text is not that kind of code.  Only ASCII digits count.
"""

from __future__ import annotations

import re

__all__ = [
    "CodeParseError",
    "dotted_code",
    "operation_code",
    "categoria_programatica",
    "fuente_code",
    "partida_code",
    "rubro_code",
    "grupo_code",
    "split_code_prefix",
]


class CodeParseError(ValueError):
    """Text that is not a code of the expected kind.

    ``text``: the input; ``kind``: which code was expected (``'dotted'``,
    ``'operation'``, ``'categoria_programatica'``, ``'fuente'``, ``'partida'``).
    """

    def __init__(self, text: object, kind: str, reason: str = "") -> None:
        self.text = text
        self.kind = kind
        super().__init__(f"not a {kind} code{': ' + reason if reason else ''}: {text!r}")


_WS_RE = re.compile(r"[\s\u200b\ufeff]+")
_DOT_SPACES_RE = re.compile(r" ?\. ?")
_DOTS_RE = re.compile(r"\.{2,}")
_DOTTED_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_NUMERIC_CODE_RE = re.compile(r"[0-9][0-9. ]*")
_OPERATION_RE = re.compile(
    r"(?P<prefix>[^\W\d_](?:[^\W\d_]|[ \-\u2013])*?)[ \-\u2013]*(?P<num>[0-9]+)\.?"
)
_PREFIX_DROP_RE = re.compile(r"[ \-\u2013]+")
# An operation prefix is a unit's acronym, possibly printed in pieces ("ME UNAI",
# "DDL P"): at most 3 pieces and 12 letters, so that labels such as
# "ACCIÓN DE CORTO PLAZO 2021" are not read as codes.
_MAX_PREFIX_PARTS = 3
_MAX_PREFIX_LEN = 12
_CAT_SPLIT_RE = re.compile(r"[ \-./]+")
_FUENTE_RE = re.compile(
    r"(?:(?:fte|fuente|f)\s*\.?\s*(?:n\s*[°º.]\s*)?:?\s*)?"
    r"(?P<code>[0-9]{2})(?:\s*[-/]\s*[0-9]{3,4})?\s*[.:]?",
    re.IGNORECASE,
)
_PARTIDA_RE = re.compile(r"[0-9]+(?:[ .\-][0-9]+)*")
_PREFIX_RE = re.compile(
    r"(?P<code>[0-9]+(?: ?\. ?[0-9]+)*)"
    r"(?:"
    r" ?\. ?(?=[^\W\d_]|[\"“'(¿¡])"        # '22. Texto', '22.Texto'
    r"| ?[-\u2013\u2014:] ?(?=[^\W\d_]|[\"“'(¿¡])"  # '4.1 - Texto', '4.1: Texto'
    r"| (?=[^\W\d_]|[\"“'(¿¡])"            # '4.1.1.1 Texto'
    r")"
    r"(?P<rest>.*)",
    re.DOTALL,
)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    s = _WS_RE.sub(" ", text).strip()
    return s or None


def _dotted(s: str, kind: str, original: str) -> str:
    """Dotted rule on an already whitespace-folded, non-empty string."""
    c = _DOT_SPACES_RE.sub(".", s)
    c = _DOTS_RE.sub(".", c).rstrip(".")
    if not _DOTTED_RE.fullmatch(c):
        raise CodeParseError(original, kind, "expected digits joined by dots")
    return c


def dotted_code(text: str | None) -> str | None:
    """Normalize a dotted numeric code (PEI, action, operation, activity, task).

    Input: ``'3.1.3.'``, ``'4.2. '``, ``'22.1.2.1'``, ``'22. '``, ``'4 .1. 2'``, or None.
    Output: digits joined by single dots, no spaces, no trailing dot:
    ``'3.1.3'``, ``'4.2'``, ``'22.1.2.1'``, ``'22'``, ``'4.1.2'``; ``None`` for
    None/blank.  Spaces are dropped only next to a dot (``'22 1'`` is two
    numbers, not the code ``'221'``); a doubled dot counts as one
    (``'3..1'`` -> ``'3.1'``).  Digits, including leading zeros, are kept as
    printed (``'3.01'`` stays).
    Raises :class:`CodeParseError` when anything else remains (letters, commas,
    a leading dot, spaces between digits).

    Contract: DATASETS.md "Codes", dotted numeric codes.
    """
    s = _clean(text)
    if s is None:
        return None
    return _dotted(s, "dotted", text)  # type: ignore[arg-type]


def operation_code(text: str | None) -> str | None:
    """Normalize an operation code: ``PREFIX-N``, or a dotted code.

    Input: ``'DNAF 1'``, ``'DNC - 5'``, ``'UNAR 01'``, ``'UNT1'``, ``'DDL P 1'``,
    ``'ME UNAI 3'``, ``'dnp-2'``, ``'22.1'``, or None.
    Output: letters + number as ``PREFIX-N`` with the prefix uppercased and its
    inner spaces/hyphens removed and the number without leading zeros
    (``'DNAF-1'``, ``'DNC-5'``, ``'UNAR-1'``, ``'UNT-1'``, ``'DDLP-1'``,
    ``'MEUNAI-3'``, ``'DNP-2'``; ``'X 0'`` -> ``'X-0'``); a purely numeric code
    by :func:`dotted_code` (``'22.1'``); ``None`` for None/blank.  A trailing
    dot is ignored (``'DNAF 1.'``).
    The prefix must look like an acronym: at most 3 space/hyphen-separated
    pieces and 12 letters in all.
    Raises :class:`CodeParseError` for anything else (``'DNAF'``, ``'DNP 1.2'``,
    ``'1 DNP'``, text with words after the number, ``'ACCIÓN DE CORTO PLAZO 2021'``).

    Contract: DATASETS.md "Codes", operation codes.
    """
    s = _clean(text)
    if s is None:
        return None
    if _NUMERIC_CODE_RE.fullmatch(s):
        return _dotted(s, "operation", text)  # type: ignore[arg-type]
    m = _OPERATION_RE.fullmatch(s)
    if m is None:
        raise CodeParseError(text, "operation", "expected letters followed by a number")
    parts = [p for p in _PREFIX_DROP_RE.split(m.group("prefix")) if p]
    prefix = "".join(parts).upper()
    if len(parts) > _MAX_PREFIX_PARTS or len(prefix) > _MAX_PREFIX_LEN:
        raise CodeParseError(text, "operation", "prefix too long for an acronym")
    return f"{prefix}-{int(m.group('num'))}"


def categoria_programatica(text: str | None) -> str | None:
    """Normalize a budget programmatic category to ``PP P AAA``.

    Input: ``'00 0 001'``, ``'48 03400000200000 000'``, ``'48000010'``,
    ``'00-0-001'``, ``'48 00 010'``, ``'00 0001'``, or None.  Groups may be
    separated by spaces, hyphens, dots or slashes.
    Output: programa (exactly 2 digits), proyecto (the project group, ``'0'``
    when it is all zeros, otherwise as printed) and actividad (exactly 3
    digits) joined by single spaces: ``'00 0 001'``, ``'48 03400000200000 000'``,
    ``'48 0 010'``; ``None`` for None/blank.
    - one group of all digits (at least 6): first two, last three, the rest
      between (``'48000010'`` -> ``'48 0 010'``);
    - two groups: accepted when the split agrees with that rule, i.e. the first
      group is the 2-digit programa and the second holds proyecto + actividad
      (``'00 0001'`` -> ``'00 0 001'``), or the second is the 3-digit actividad
      and the first holds programa + proyecto (``'480 010'`` -> ``'48 0 010'``);
    - three groups: 2 digits, 1+ digits, 3 digits.
    Raises :class:`CodeParseError` otherwise (``'0 0 1'``, ``'48 0 10'``,
    ``'00001'``, letters).

    Contract: DATASETS.md "Codes", budget programmatic categories.
    """
    s = _clean(text)
    if s is None:
        return None
    groups = [g for g in _CAT_SPLIT_RE.split(s) if g]
    if not groups or not all(g.isascii() and g.isdigit() for g in groups):
        raise CodeParseError(text, "categoria_programatica", "expected digit groups")
    if len(groups) == 1:
        g = groups[0]
        pp, proy, act = g[:2], g[2:-3], g[-3:]
        if len(g) < 6:
            proy = ""
    elif len(groups) == 2:
        a, b = groups
        if len(a) == 2 and len(b) >= 4:
            pp, proy, act = a, b[:-3], b[-3:]
        elif len(b) == 3 and len(a) >= 3:
            pp, proy, act = a[:2], a[2:], b
        else:
            pp, proy, act = "", "", ""
    elif len(groups) == 3:
        pp, proy, act = groups
    else:
        pp, proy, act = "", "", ""
    if len(pp) != 2 or len(act) != 3 or not proy:
        raise CodeParseError(
            text, "categoria_programatica", "expected PP P AAA (2 digits, 1+ digits, 3 digits)"
        )
    if proy.strip("0") == "":
        proy = "0"
    return f"{pp} {proy} {act}"


def fuente_code(text: str | None) -> str | None:
    """Normalize a funding source (fuente de financiamiento) code.

    Input: ``'20'``, ``'41 '``, ``'FTE 41'``, ``'Fte. 41:'``, ``'FUENTE 42'``,
    ``'41-113'`` (fuente-organismo), or None.
    Output: the two-digit fuente as a string: ``'20'``, ``'41'``; for a
    fuente-organismo pair the first two-digit group (``'41-113'`` -> ``'41'``);
    ``None`` for None/blank.
    Raises :class:`CodeParseError` for anything else: one or three digits
    (``'4'``, ``'411'``), a description after the code (``'FTE 41: Transferencias'``
    - split it first), letters only.

    Contract: DATASETS.md "Codes", funding sources.
    """
    s = _clean(text)
    if s is None:
        return None
    m = _FUENTE_RE.fullmatch(s)
    if m is None:
        raise CodeParseError(text, "fuente", "expected a two-digit code")
    return m.group("code")


def partida_code(text: str | None) -> str | None:
    """Normalize an expense item (partida / objeto del gasto) code.

    Input: ``'322.00'``, ``'32200'``, ``'3.2.2.0.0'``, ``'322 00'``, or None.
    Output: the digits only, no separators (``'32200'``); ``None`` for None/blank.
    The number of digits is kept as printed (a 3-digit ``'322'`` stays ``'322'``).
    Raises :class:`CodeParseError` when the text holds anything but digit groups
    separated by single dots, spaces or hyphens.

    Contract: DATASETS.md "Codes", expense items.
    """
    s = _clean(text)
    if s is None:
        return None
    s = s.rstrip(".")
    if not _PARTIDA_RE.fullmatch(s):
        raise CodeParseError(text, "partida", "expected digits")
    return re.sub(r"[^0-9]", "", s)


def rubro_code(text: str | None) -> str | None:
    """Normalize a revenue item (rubro) code by the dotted rule.

    Input: the rubro cell (``'15.9.1'``, ``'15.9.1.'``, ``'1'``) or None.
    Output: as :func:`dotted_code`: ``'15.9.1'``, ``'15.9.1'``, ``'1'``; None
    for None/blank.
    Raises :class:`CodeParseError` when not digits and dots.

    Contract: DATASETS.md "Codes", revenue items follow the dotted rule.
    """
    s = _clean(text)
    if s is None:
        return None
    return _dotted(s, "rubro", text)  # type: ignore[arg-type]


def grupo_code(text: str | None) -> str | None:
    """Normalize an expense group (grupo de gasto) code by the dotted rule.

    Input: the grupo cell (``'1'``, ``'10000'``, ``'30000 '``) or None.
    Output: as :func:`dotted_code`: ``'1'``, ``'10000'``, ``'30000'``; None for
    None/blank.  Raises :class:`CodeParseError` when not digits and dots.

    Contract: DATASETS.md "Codes", expense groups follow the dotted rule.
    """
    s = _clean(text)
    if s is None:
        return None
    return _dotted(s, "grupo", text)  # type: ignore[arg-type]


def split_code_prefix(text: str | None) -> tuple[str | None, str]:
    """Split a leading dotted code off a text cell.

    Input: a cell such as ``'22. Modernización y ...'``,
    ``'4.1.1.1 Gestionar ...'``, ``'4.1 - Gestionar'``, ``'1 SERVICIOS PERSONALES'``,
    ``'Sin código'``, or None.
    Output: ``(code, rest)``: the code by the dotted rule and the rest of the
    text whitespace-folded (``('22', 'Modernización y ...')``,
    ``('4.1.1.1', 'Gestionar ...')``); ``(code, '')`` when the whole cell is a
    code; ``(None, text)`` when it does not start with one.  A leading number
    counts as a code only when the text after it starts with a letter, quote,
    parenthesis or ``¿¡`` after a space, dot, hyphen or colon: ``'100% de
    solicitudes'``, ``'9) Ciudadanos'``, ``'3er lugar'`` have none.  Note that
    ``'3 documentos'`` does give ``('3', 'documentos')``: whether a number is a
    code depends on the column, which the caller knows.  ``(None, '')`` for None.
    Raises nothing.

    Contract: DATASETS.md "Codes", dotted numeric codes.
    """
    s = _clean(text)
    if s is None:
        return None, ""
    m = _PREFIX_RE.fullmatch(s)
    if m is None:
        try:
            return _dotted(s, "dotted", s), ""
        except CodeParseError:
            return None, s
    return _dotted(m.group("code"), "dotted", s), m.group("rest").strip()
