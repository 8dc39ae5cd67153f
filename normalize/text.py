"""Text cleaning for every string the pipeline writes, and folding for matching.

Contract: ../shared/DATASETS.md, section "Layout": "Text is UTF-8, NFC, runs of
whitespace folded to one space, trimmed. Accents are kept as printed".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["clean_text", "fold"]

# ``\s`` on str patterns is Unicode-aware: it covers \n, \t, \r, NBSP (U+00A0),
# the U+2000..U+200A spaces, U+202F, U+3000, U+2028/2029 ...  Zero-width space
# (U+200B) and BOM (U+FEFF) are not whitespace for Python, but in PDF text they
# only ever stand between words or at the start, so they are folded too.
_WS_RE = re.compile(r"[\s\u200b\ufeff]+")


def clean_text(s: str | None) -> str | None:
    """Normalize a piece of text as the datasets store it.

    Input: any ``str`` (cell text, heading, page line) or ``None``.
    Output: the text in Unicode NFC, every run of whitespace (spaces, tabs,
    newlines, non-breaking and other Unicode spaces, zero-width spaces) folded
    to one ASCII space, trimmed at both ends; ``None`` when the input is
    ``None`` or holds only whitespace.  Accents and case are kept as printed.
    Raises nothing (a non-``str`` input raises ``TypeError`` from ``re``).

    Contract: DATASETS.md "Layout" (Text is UTF-8, NFC, runs of whitespace
    folded to one space, trimmed).
    """
    if s is None:
        return None
    s = _WS_RE.sub(" ", unicodedata.normalize("NFC", s)).strip(" ")
    return s or None


@lru_cache(maxsize=65536)
def fold(s: str | None) -> str:
    """Fold text into a key for matching headers, labels and captions.

    Input: ``str`` or ``None``.
    Output: ``clean_text(s)``, casefolded, with every combining mark removed
    (accents, tilde, dieresis: ``'Ñ'`` -> ``'n'``, ``'Ü'`` -> ``'u'``), in NFC;
    ``''`` for ``None`` or blank input.  Example:
    ``fold('CÓDIGO  Operación') == 'codigo operacion'``.
    Only for comparing: the folded text is never written to a dataset.
    Raises nothing.

    Contract: DATASETS.md "Layout" (the whitespace rule; accents are kept as
    printed in the data, so folding is for matching only).
    """
    c = clean_text(s)
    if c is None:
        return ""
    if c.isascii():
        return c.casefold()
    decomposed = unicodedata.normalize("NFD", c.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)
