"""Table structure from words and drawn cues: columns, logical rows, header rows, cells.

Shared by the whitespace (:mod:`extract.tables.stream`) and the hybrid
(:mod:`extract.tables.hybrid`) strategies.  Given the words of a region and, for the
hybrid strategy, the rules and fills drawn in it (:class:`Cues`), :func:`build` returns
the grid.  Every word of the region lands in exactly one cell.

**Columns** are cut where a vertical rule or the edge of a filled cell says so, and at
whitespace *gutters*: x-intervals that the words of (almost) no text line cover
(Nurminen's idea behind tabula, and camelot stream's).  A few lines may cross a gutter
(a section label, a spanning header, a long value): up to :data:`GUTTER_CROSSING` of the
lines.  A run of words that crosses a column boundary with ordinary word spacing is one
*spanning* piece (``FECHA PREVISTA`` over ``Inicio``/``Fin``) unless the part beyond the
boundary lines up with that column's other values (then it is two cells that the
printer set close together: ``Arunachal Pradesh 2,241,609``).

**Rows** are logical rows.  A new row starts where a rule or a fill edge is drawn
across the column, where a column starts a new *block* of text: after a gap wider than
the table's line spacing (tables with cell padding, :func:`line_gap_threshold`), at
every value of an atomic column (numbers, dates, codes: :mod:`extract.tables.kinds`),
at a text that a code on its left labels, or, in tables printed without padding, at
every line that is not a continuation (a line with nothing in the anchor column and in
the atomic columns continues the row above).  A block of text that runs on while
other columns start rows is one merged cell (row span), as a merged cell of a grid.

**Header rows** are the lines above the first body line: under a dark fill, above the
first rule drawn across the table, or, from the values, the top lines where the atomic
columns hold no value of their kind.  A header piece that spans columns is a parent
(one header level); the other header text of a column is one cell at the top.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from extract.geometry import group_lines, join_wrapped, line_text, union
from extract.models import BBox, Cell, Word
from extract.tables.columns import GUTTER_CROSSING, column_bounds, drawn_columns
from extract.tables.confidence import SINGLE_ROW, TOLERATED, confidence, fill_share
from extract.tables.header import header_cells, header_line_count, mark_parents
from extract.tables.pieces import SEGMENT_GAP, Cues, Piece, _height, _median, line_pieces, segments
from extract.tables.rows import Block, body_blocks, column_kinds, line_gap_threshold

__all__ = ["Cues", "Piece", "Structure", "build", "segments", "line_gap_threshold", "fill_share",
           "SEGMENT_GAP", "SINGLE_ROW", "TOLERATED", "GUTTER_CROSSING"]


@dataclass(frozen=True)
class Structure:
    """The grid :func:`build` reconstructed.

    ``rows``: equal-length rows of cell texts ('' for empty or covered positions),
    header rows first; ``cells``: every cell with its box (layer frame) and spans;
    ``confianza``: 0-1, see :func:`confidence`; ``measures``: the parts of it.
    """

    bbox: BBox
    rows: list[list[str]]
    cells: list[Cell]
    n_header: int
    confianza: float
    measures: dict[str, float] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def build(words: Sequence[Word], region: BBox, cues: Cues = Cues(), pagina: int = 0,
          min_cols: int = 2) -> Structure | None:
    """The table printed by ``words`` in ``region`` (layer frame), or ``None`` when they
    do not form at least ``min_cols`` columns.  ``cues``: drawn rules and fills
    (hybrid strategy) or nothing (whitespace strategy)."""
    if not words:
        return None
    lines = group_lines(words)
    cuts = column_bounds(lines, region, cues)
    if len(cuts) + 1 < min_cols:
        return None
    bounds = [c[0] for c in cuts]
    med_h = _median([_height(w) for w in words])
    hard = [c[0] for c in cuts if c[1] == c[2]] + (drawn_columns(cues, region, lines, len(lines)) if cues.drawn else [])
    pieces = line_pieces(lines, bounds, SEGMENT_GAP * med_h, hard, [(c[1], c[2]) for c in cuts])
    n_cols = len(bounds) + 1
    atomic = column_kinds(pieces, n_cols)
    n_head_lines = header_line_count(lines, pieces, atomic, region, cues)
    mark_parents(pieces[:n_head_lines])
    head_rows, head_cells = header_cells(pieces[:n_head_lines], n_cols)
    blocks, starts = body_blocks(lines, pieces, n_head_lines, bounds, region, cues, atomic)
    row_of = {s: k for k, s in enumerate(starts)}
    n_rows = len(head_rows) + len(starts)
    if n_rows == 0:
        return None
    edges = [region[0], *bounds, region[2]]
    grid = [[""] * n_cols for _ in range(n_rows)]
    cells: list[Cell] = []
    # row bands (y) for cell boxes
    band_tops = list(head_rows)
    for s in starts:
        band_tops.append(min(w.top for w in lines[s]))
    band_tops.append(region[3])
    tops = band_tops
    for (r, c, span, text, ws) in head_cells:
        grid[r][c] = text
        cells.append(Cell(r, c, text, (edges[c], tops[r], edges[c + span], tops[r + 1]), 1, span, pagina))
    base = len(head_rows)
    for b in blocks:
        r = base + row_of[max(s for s in starts if s <= b.first)]
        last_row = base + row_of[max(s for s in starts if s <= b.last)]
        text = _block_text(b)
        grid[r][b.col] = f"{grid[r][b.col]} {text}".strip() if grid[r][b.col] else text
        rs = last_row - r + 1
        cells.append(Cell(r, b.col, grid[r][b.col],
                          (edges[b.col], tops[r], edges[b.col + b.span], tops[last_row + 1]),
                          rs, b.span, pagina))
    cells = _dedupe_cells(cells)
    bbox = (region[0], min(w.top for w in words), region[2], max(w.bottom for w in words))
    conf, measures = confidence(lines, pieces, bounds, grid, len(head_rows), atomic, n_head_lines)
    return Structure(bbox, grid, cells, len(head_rows), conf, measures)


def _block_text(b: Block) -> str:
    by_line: dict[int, list[Word]] = {}
    for p in b.pieces:
        by_line.setdefault(p.line, []).extend(p.words)
    return join_wrapped(line_text(sorted(ws, key=lambda w: w.x0)) for _, ws in sorted(by_line.items()))


def _dedupe_cells(cells: list[Cell]) -> list[Cell]:
    """One cell per (row, col) top-left position: texts joined (two blocks that start in
    one row of one column, e.g. after a drawn line split)."""
    out: dict[tuple[int, int], Cell] = {}
    for c in cells:
        k = (c.row, c.col)
        if k in out:
            o = out[k]
            out[k] = Cell(o.row, o.col, c.text if c.text.startswith(o.text) else f"{o.text} {c.text}".strip(),
                          union([o.bbox, c.bbox]) if o.bbox and c.bbox else o.bbox,
                          max(o.rowspan, c.rowspan), max(o.colspan, c.colspan), o.pagina)
        else:
            out[k] = c
    return sorted(out.values(), key=lambda c: (c.row, c.col))
