"""Ruled (lattice) tables: cell rectangles from the page's drawn rules.

pdfplumber's table finder (``vertical_strategy='lines'``, the same idea as camelot's
lattice parser, without Ghostscript) gives the cell rectangles; :mod:`extract.grid`
turns them into a grid with merged cells.
"""
from __future__ import annotations

import pdfplumber

from extract.grid import build_grid
from extract.models import BBox, Cell, Word

RULED_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}


def find_ruled(page: pdfplumber.page.Page, words: tuple[Word, ...]
               ) -> list[tuple[BBox, list[list[str]], list[Cell]]]:
    """Ruled tables of ``page`` as ``(bbox, rows, cells)``, top to bottom.

    A "table" with a single row or a single column is not returned (boxes around
    paragraphs and framed titles are ruled too)."""
    out = []
    for t in page.find_tables(RULED_SETTINGS):
        rows, cells = build_grid([tuple(map(float, c)) for c in t.cells], words,
                                 page.page_number, tuple(map(float, t.bbox)))
        if len(rows) < 1 or not rows or len(rows[0]) < 2:
            continue
        if len(rows) < 2 and len(rows[0]) < 2:
            continue
        out.append((tuple(map(float, t.bbox)), rows, cells))
    out.sort(key=lambda x: (x[0][1], x[0][0]))
    return out
