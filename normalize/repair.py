"""Candidate readings of an OCR-garbled amount (issue #3, point 5).

OCR misreads separators ('46,890,00', '31,298,88909') and look-alike characters (a 5
read as 'S', 0 as 'O').  :func:`readings` lists the numbers such a string could have
been; the caller keeps a reading only when it is the single one that the table's own
totals reconcile, and writes a finding ``ocr_numero_reparado``.  Nothing here picks a
value by itself.
"""
from __future__ import annotations

import re

LOOK_ALIKES = str.maketrans({"S": "5", "s": "5", "O": "0", "o": "0", "D": "0", "Q": "0",
                             "l": "1", "I": "1", "|": "1", "i": "1", "B": "8", "Z": "2",
                             "z": "2", "G": "6", "g": "9", "q": "9", "T": "7", "A": "4"})
_SEP = re.compile(r"[.,'’ ]")


def readings(text: str | None) -> list[float]:
    """Possible values of an OCR'd amount, most plausible first, without duplicates.

    Look-alike letters become digits; then the digits are read with the last separator
    as the decimal mark (when 1-2 digits follow it), as an integer (all separators were
    thousands), and with two or one implied decimals.  Returns [] when the text has no
    digits at all, or letters that are not look-alikes.

    >>> readings("46,890,00")[0]
    46890.0
    """
    if not text:
        return []
    s = text.strip().replace("Bs", "").replace("%", "").strip()
    neg = s.startswith("-") or (s.startswith("(") and s.endswith(")"))
    s = s.strip("-() ")
    s = s.translate(LOOK_ALIKES)
    if not s or re.search(r"[^\d.,'’ ]", s) or not re.search(r"\d", s):
        return []
    groups = [g for g in _SEP.split(s) if g]
    digits = "".join(groups)
    out: list[float] = []

    def add(v: float) -> None:
        v = -v if neg else v
        if v not in out:
            out.append(v)

    if len(groups) > 1 and 1 <= len(groups[-1]) <= 2:
        add(float("".join(groups[:-1]) + "." + groups[-1]))
    add(float(digits))
    if len(digits) > 2:
        add(float(digits[:-2] + "." + digits[-2:]))
    if len(digits) > 1:
        add(float(digits[:-1] + "." + digits[-1:]))
    return out
