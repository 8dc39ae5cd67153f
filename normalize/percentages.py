"""Percentages printed in table cells (ponderación, ejecución, avance).

Contract: DATASETS.md "Layout": percentages are in percent units
(``"5,01%"`` -> ``5.01``, ``"20%"`` -> ``20.0``, ``"0.5"`` in a ``%`` column ->
``0.5``).  A value is never multiplied or divided by 100: a cell of a ``%``
column already holds percent units, with or without the sign.
"""

from __future__ import annotations

from .numbers import NumberFormat, NumberParseError, parse_number

__all__ = ["parse_percent"]


def parse_percent(text: str | None, fmt: NumberFormat | None = None) -> float | None:
    """Parse a percentage cell into percent units.

    Input: cell text (``'5,01%'``, ``'100,00 %'``, ``'20%'``, ``'0.5'``, ``'-'``)
    or None; ``fmt``: the column's number format (see
    :func:`normalize.numbers.detect_format`), or None to read the cell alone
    (same rules as :func:`normalize.numbers.parse_number`).
    Output: ``float`` in percent units exactly as printed (``'5,01%'`` -> 5.01,
    ``'0.5'`` -> 0.5, ``'150%'`` -> 150.0: values above 100 are kept, checking
    them is the validation stage's job); ``None`` for None/blank; ``0.0`` for a
    lone dash.
    Raises :class:`normalize.numbers.NumberParseError` (a ``ValueError``) when
    the text is not a number (``'100% de solicitudes atendidas'``, ``'abc'``).

    Contract: DATASETS.md "Layout" (percentages in percent units; lone dash is 0).
    """
    if text is not None and not isinstance(text, str):
        raise NumberParseError(text, "not a string")
    return parse_number(text, fmt)
