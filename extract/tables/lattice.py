"""Ruled tables (``metodo='lattice'``): cell rectangles from the drawn rules.

pdfplumber's grid finder (the functions behind ``Page.find_tables`` with the
``lines`` strategies: snap and join the edges, intersect them, close cells, group
cells into tables; the same idea as camelot's lattice parser, without Ghostscript) is
run on the layer's rules, so a table printed sideways is found in its own frame;
:func:`extract.grid.build_grid` turns the cells into a grid with merged cells.

Confidence (:func:`lattice_confidence`): a grid that fits its words has every word
inside one cell and one value per cell; a grid whose rules do not separate the rows
(only row groups are ruled or shaded, the rows inside them are not) holds several
values of an atomic column in one cell.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges
from pdfplumber.utils import filter_edges

from extract.geometry import group_lines, inside, line_height, union
from extract.grid import build_grid
from extract.layout import Layer, Rule, fill_edges
from extract.models import BBox, Cell, Word
from extract.tables.base import Candidate, words_in
from extract.tables.kinds import ATOMIC, kind_of
from extract.tables.structure import SEGMENT_GAP, SINGLE_ROW, TOLERATED, fill_share, segments

SNAP = 3.0
JOIN = 3.0
INTERSECTION = 3.0
MIN_EDGE = 3.0
MIN_EDGE_PREFILTER = 1.0
"""Edges shorter than this are dropped before snapping (pdfplumber's default: stubs of
a rule's end caps would otherwise pull grid lines over)."""


def _edges(rules: Sequence[Rule]) -> list[dict]:
    out = []
    for r in rules:
        out.append({"x0": r.x0, "x1": r.x1, "top": r.top, "bottom": r.bottom,
                    "width": r.x1 - r.x0, "height": r.bottom - r.top,
                    "orientation": r.orientation, "object_type": "line"})
    return out


def grid_tables(rules: Sequence[Rule]) -> list[list[BBox]]:
    """Cell rectangles of every ruled grid, one list per table (pdfplumber's algorithm
    and defaults: edges under 1 pt dropped, snap/join/intersection tolerances of 3 pt,
    edges under 3 pt dropped after joining)."""
    edges = filter_edges(_edges(rules), min_length=MIN_EDGE_PREFILTER)
    edges = merge_edges(edges, SNAP, SNAP, JOIN, JOIN)
    edges = filter_edges(edges, min_length=MIN_EDGE)
    inter = edges_to_intersections(edges, INTERSECTION, INTERSECTION)
    cells = intersections_to_cells(inter)
    return [[tuple(map(float, c)) for c in t] for t in cells_to_tables(cells)]


def open_bottom_row(bbox: BBox, rules: Sequence[Rule], tol: float = 3.0) -> list[BBox]:
    """Cells of a last row whose closing rule is missing (the row continues on the next
    page): vertical rules that run on below the table's bottom for more than ``tol`` pt
    delimit one extra row, from the table's bottom to where those rules end."""
    x0, top, x1, bottom = bbox
    vs = [r for r in rules if r.orientation == "v" and x0 - tol <= r.x0 <= x1 + tol
          and r.top <= bottom + tol and r.bottom > bottom + tol]
    if len(vs) < 2:
        return []
    new_bottom = max(r.bottom for r in vs)
    merged: list[float] = []
    for x in sorted({round(r.x0, 1) for r in vs}):
        if not merged or x - merged[-1] > tol:
            merged.append(x)
    return [(a, bottom, b, new_bottom) for a, b in zip(merged, merged[1:])]


def cell_members(cells: Sequence[Cell], words: Sequence[Word]) -> dict[int, list[Word]]:
    """Words per cell (index in ``cells``), by the cell holding the word's centre; a
    word no cell holds is left out.  Bisection over the grid's lines, not a scan."""
    boxes = [(k, c.bbox) for k, c in enumerate(cells) if c.bbox]
    if not boxes:
        return {}
    xs = sorted({b[0] for _, b in boxes} | {b[2] for _, b in boxes})
    ys = sorted({b[1] for _, b in boxes} | {b[3] for _, b in boxes})
    at: dict[tuple[int, int], int] = {}
    for k, b in boxes:
        i0, i1 = bisect_left(ys, b[1]), bisect_left(ys, b[3])
        j0, j1 = bisect_left(xs, b[0]), bisect_left(xs, b[2])
        for i in range(i0, i1):
            for j in range(j0, j1):
                at.setdefault((i, j), k)
    out: dict[int, list[Word]] = {}
    for w in words:
        cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
        k = at.get((bisect_right(ys, cy) - 1, bisect_right(xs, cx) - 1))
        if k is not None:
            out.setdefault(k, []).append(w)
    return out


def lattice_confidence(words: Sequence[Word], cells: Sequence[Cell], rows: Sequence[Sequence[str]]
                       ) -> tuple[float, dict[str, float]]:
    """Confidence 0-1 of a ruled grid: the product of (each over
    :data:`extract.tables.structure.TOLERATED`, capped at 1)

    - ``limpieza``: share of the table's words lying wholly inside one cell (a word cut
      by a rule says the rules are not the table's grid);
    - ``filas_logicas``: share of rows none of whose cells holds two or more values of
      an atomic kind (number, date, code) on separate lines;
    - ``relleno``: :func:`extract.tables.structure.fill_share` of the rows (a frame
      around a paragraph is ruled too);
    - ``separacion``: share of the words in cells whose lines are one run of words each
      (a cell holding runs set far apart on one line holds several columns: the rules
      frame groups of cells, not cells);
    a grid of one row gets :data:`extract.tables.structure.SINGLE_ROW` of it."""
    members = cell_members(cells, words)
    clean = sum(1 for k, ws in members.items() for w in ws if inside(w.bbox, cells[k].bbox, 1.0))
    limpieza = clean / len(words) if words else 0.0
    multi_rows: set[int] = set()
    split_words = 0
    for k, ws in members.items():
        c = cells[k]
        lines = group_lines(ws)
        runs = [segments(ln, 1.5 * SEGMENT_GAP * line_height(ln)) for ln in lines]
        if any(len(r) >= 2 for r in runs):
            split_words += len(ws)
        if len(lines) < 2:
            continue
        atoms = sum(1 for rs in runs if all(kind_of(" ".join(w.text for w in r)) in ATOMIC for r in rs))
        if atoms >= 2:
            multi_rows.add(c.row)
    n = len(rows)
    filas = 1 - len(multi_rows) / n if n else 0.0
    relleno = fill_share(rows) if n else 0.0
    separacion = 1 - split_words / len(words) if words else 1.0
    conf = 1.0
    for v in (limpieza, filas, relleno, separacion):
        conf *= max(min(1.0, v / TOLERATED), 1e-3)
    if n <= 1:
        conf *= SINGLE_ROW      # a single boxed row: little evidence of a table
    return round(conf, 4), {"limpieza": round(limpieza, 4), "filas_logicas": round(filas, 4),
                            "relleno": round(relleno, 4), "separacion": round(separacion, 4)}



class LatticeStrategy:
    """Ruled grids: cells from the drawn rules and the sides of filled cells."""

    name = "lattice"

    def find(self, layer: Layer) -> list[Candidate]:
        rules = list(layer.rules) + fill_edges(layer.fills)
        if not rules:
            return []
        out = []
        for rects in grid_tables(rules):
            rects = rects + open_bottom_row(union(rects), rules)
            bbox = union(rects)
            ids = words_in(layer, bbox, 1.0)
            words = [layer.words[i] for i in ids]
            rows, cells = build_grid(rects, words, layer.pagina, bbox)
            if not rows or len(rows[0]) < 2:
                continue       # a frame around a paragraph or a title
            conf, measures = lattice_confidence(words, cells, rows)
            out.append(Candidate(self.name, layer, bbox, tuple(tuple(r) for r in rows), tuple(cells),
                                 count_header(rows, cells), conf, measures, frozenset(ids)))
        return out


def count_header(rows: Sequence[Sequence[str]], cells: Sequence[Cell]) -> int:
    """Header rows of a ruled grid: the rows spanned by the first row's tallest cell (a
    two-level header such as FECHA PREVISTA / Inicio, Fin), 0 for key/value blocks
    (two columns whose left cells are labels ending in ':')."""
    if not rows:
        return 0
    if len(rows[0]) == 2 and all(r[0].endswith(":") for r in rows if r[0]):
        return 0
    spans = [c.rowspan for c in cells if c.row == 0]
    return min(max(spans, default=1), len(rows))
