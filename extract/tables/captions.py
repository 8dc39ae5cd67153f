"""Captions: the title printed just above a table (``tablas.titulo``).

Only text outside every table of the page can be a caption (DATASETS.md: no value of
a table is moved into ``titulo``).  Words are grouped into lines with the one
vertical-centre rule of :mod:`extract.geometry`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from extract.geometry import centre_inside, group_lines, line_height, line_text
from extract.models import BBox, Word
from extract.tables.data import knowledge
from extract.tables.structure import SEGMENT_GAP, segments
from normalize.text import fold

TITLE_GAP = 28.0
"""Max distance (pt) between a caption's last line and the table's top."""
LINE_GAP = 10.0
"""Max gap (pt) between two lines of one caption."""
MAX_LINES = 3
def find_title(words: Sequence[Word], bbox: BBox, boxes: Sequence[BBox]) -> list[str]:
    """The caption printed just above ``bbox``, as its text lines: the block of up to
    :data:`MAX_LINES` lines ending less than :data:`TITLE_GAP` pt above the table,
    horizontally overlapping it, outside every table box of ``boxes`` (``[]`` if there
    is none).  ``words`` and the boxes are in one reading frame."""
    cand = [w for w in words
            if bbox[1] - 120 <= w.bottom <= bbox[1] + 1
            and w.x1 >= bbox[0] - 20 and w.x0 <= bbox[2] + 20
            and not any(centre_inside(w.bbox, b, 1.0) for b in boxes)]
    lines = group_lines(cand)
    block: list[list[Word]] = []
    limit = bbox[1]
    for line in reversed(lines):
        bottom = max(w.bottom for w in line)
        if limit - bottom > (TITLE_GAP if not block else LINE_GAP):
            break
        if fold(line_text(line)).startswith("pagina "):
            break
        if len(segments(line, SEGMENT_GAP * line_height(line))) >= 3:
            break   # a line set out in columns is a row (of this or another table)
        block.insert(0, line)
        limit = min(w.top for w in line)
        if len(block) == MAX_LINES:
            break
    return [line_text(line) for line in block]


def running_lines(pages_lines: Sequence[Sequence[str]], min_pages: int = 3, share: float = 0.4) -> set[str]:
    """Running headers and footers of a document: the first and last lines of its pages
    (``pages_lines``: each page's text lines, top to bottom) that recur, digits aside
    ("Página 3 de 8"), on at least ``min_pages`` pages and ``share`` of them.
    Returned folded, digits as ``#`` (compare with :func:`running_key`)."""
    counts: dict[str, int] = {}
    for lines in pages_lines:
        edge = set(running_key(t) for t in list(lines[:3]) + list(lines[-3:]))
        for k in edge:
            if k:
                counts[k] = counts.get(k, 0) + 1
    n = len(pages_lines)
    need = max(min_pages, share * n)
    return {k for k, c in counts.items() if c >= need}


def running_key(text: str) -> str:
    """A line folded with its digits replaced by ``#`` (for :func:`running_lines`)."""
    return re.sub(r"\d+", "#", fold(text or "")).strip()


def caption_without(lines: Sequence[str], running: set[str]) -> str | None:
    """The caption of ``lines`` with running headers/footers left out, or None."""
    kept = [ln for ln in lines if running_key(ln) not in running]
    return " ".join(kept) or None


@lru_cache(maxsize=1)
def _marks_re() -> re.Pattern:
    marks = sorted((fold(m) for m in knowledge()["continuacion"]["marcas"]), key=len, reverse=True)
    alt = "|".join(re.escape(m) for m in marks)
    return re.compile(r"(?<![a-z0-9])[\s\-\u2013\u2014:.(\[]*(?:" + alt + r")(?![a-z])[\s.)\]]*")


def without_continuation_mark(title: str | None) -> str:
    """A caption folded (case, accents) with its continuation marks removed:
    ``'Cuadro 5 (continuación)'`` and ``'CUADRO 5'`` give the same text."""
    t = fold(title or "")
    t = _marks_re().sub(" ", t)
    return " ".join(t.split())


def is_continuation_title(title: str | None) -> bool:
    """True when a caption carries a continuation mark."""
    t = fold(title or "")
    return bool(t) and _marks_re().search(t) is not None and without_continuation_mark(title) != t
