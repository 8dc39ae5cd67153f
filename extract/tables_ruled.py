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


def open_bottom_row(table, edges: list[dict], tol: float = 3.0) -> list[BBox]:
    """Cells of a last row whose closing rule is missing (the row continues on the next
    page): vertical rules that run on below the table's bottom for more than ``tol`` pt
    delimit one extra row, from the table's bottom to where those rules end."""
    x0, top, x1, bottom = map(float, table.bbox)
    vs = [e for e in edges if e["orientation"] == "v"
          and x0 - tol <= e["x0"] <= x1 + tol
          and e["top"] <= bottom + tol and e["bottom"] > bottom + tol]
    if len(vs) < 2:
        return []
    new_bottom = max(float(e["bottom"]) for e in vs)
    xs = sorted({round(float(e["x0"]), 1) for e in vs})
    merged: list[float] = []
    for x in xs:
        if not merged or x - merged[-1] > tol:
            merged.append(x)
    return [(a, bottom, b, new_bottom) for a, b in zip(merged, merged[1:])]


def find_ruled(page: pdfplumber.page.Page, words: tuple[Word, ...]
               ) -> list[tuple[BBox, list[list[str]], list[Cell]]]:
    """Ruled tables of ``page`` as ``(bbox, rows, cells)``, top to bottom.

    A "table" with a single row or a single column is not returned (boxes around
    paragraphs and framed titles are ruled too)."""
    out = []
    edges = page.edges
    for t in page.find_tables(RULED_SETTINGS):
        rects = [tuple(map(float, c)) for c in t.cells] + open_bottom_row(t, edges)
        bbox = (min(r[0] for r in rects), min(r[1] for r in rects),
                max(r[2] for r in rects), max(r[3] for r in rects))
        rows, cells = build_grid(rects, words, page.page_number, bbox)
        if len(rows) < 1 or not rows or len(rows[0]) < 2:
            continue
        if len(rows) < 2 and len(rows[0]) < 2:
            continue
        out.append((bbox, rows, cells))
    out.sort(key=lambda x: (x[0][1], x[0][0]))
    return out
