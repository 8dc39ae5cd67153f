"""The table layer: every table of a page, whatever way it is printed.

Strategies, one module each behind one interface (:class:`extract.tables.base.TableStrategy`,
camelot's idea): :mod:`~extract.tables.lattice` (ruled grids),
:mod:`~extract.tables.hybrid` (rules or fills for part of the structure, whitespace
for the rest: booktabs, shaded rows, ruled rows), :mod:`~extract.tables.stream`
(whitespace only).  Each reads every reading frame of the page
(:mod:`extract.layout`: sideways tables are read in their own orientation) and
returns candidates with a measured confidence; :mod:`~extract.tables.select` keeps,
for every region, the best explanation.  Then what belongs to a table but not to a
strategy: its caption (:mod:`~extract.tables.captions`), and continuation over pages
(:mod:`~extract.tables.continuation`).

Scanned pages go through :mod:`extract.tables_image` (ruled cells found on the page
image, ``metodo='ocr'``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from extract.geometry import group_lines
from extract.layout import Layer
from extract.models import Cell, Page, Table
from extract.tables.base import Candidate, TableStrategy
from extract.tables.captions import caption_without, find_title, running_lines
from extract.tables.continuation import merge_continuations
from extract.tables.hybrid import HybridStrategy
from extract.tables.lattice import LatticeStrategy
from extract.tables.select import select
from extract.tables.stream import StreamStrategy

__all__ = ["STRATEGIES", "find_tables", "tables_from", "merge_continuations", "top_limit",
           "drop_running_captions", "LOW_CONFIDENCE",
           "Candidate", "TableStrategy"]

LOW_CONFIDENCE = 0.6
"""A table read with a confidence below this is reported as an ``advertencia``
(``tabla_baja_confianza``) and drawn in red in the QA report."""

STRATEGIES: dict[str, TableStrategy] = {s.name: s for s in
                                        (LatticeStrategy(), HybridStrategy(), StreamStrategy())}
"""The strategies run on every text-layer page, by ``metodo`` name."""


def column_starts(cells: Sequence[Cell], n_cols: int) -> tuple[float | None, ...]:
    """Left x of each column, from the cells that span just that column."""
    out: list[float | None] = [None] * n_cols
    for c in cells:
        if c.colspan == 1 and c.bbox and c.col < n_cols:
            out[c.col] = c.bbox[0] if out[c.col] is None else min(out[c.col], c.bbox[0])
    return tuple(out)


def _to_table(c: Candidate, orden: int, title: list[str]) -> Table:
    layer = c.layer
    cells = tuple(Cell(x.row, x.col, x.text, layer.to_page(x.bbox) if x.bbox else None,
                       x.rowspan, x.colspan, x.pagina or layer.pagina) for x in c.cells)
    return Table(pagina=layer.pagina, orden=orden, metodo=c.metodo, bbox=c.page_bbox,
                 rows=c.rows, row_pages=(layer.pagina,) * c.n_rows, n_header=c.n_header,
                 titulo=" ".join(title) or None, title_lines=tuple(title),
                 cells=cells, confianza=c.confianza, medidas=dict(c.measures),
                 direction=layer.direction, frame_bbox=c.bbox,
                 col_starts=column_starts(c.cells, c.n_cols),
                 provisional=bool(c.measures.get("fila_de_arriba")))


def tables_from(cands: Sequence[Candidate]) -> list[Table]:
    """The kept candidates of one page as :class:`Table` objects in reading order, each
    with its caption (looked for in its own reading frame, outside every table)."""
    kept = select(cands)
    kept.sort(key=lambda c: (round(c.page_bbox[1]), c.page_bbox[0]))
    out = []
    for i, c in enumerate(kept, 1):
        boxes = [k.bbox for k in kept if k.layer is c.layer]
        out.append(_to_table(c, i, find_title(c.layer.words, c.bbox, boxes)))
    return out


def find_tables(layers: Sequence[Layer], strategies: Sequence[str] | None = None) -> list[Table]:
    """Every table of one page: each strategy (all of :data:`STRATEGIES` by default) on
    each layer, the best candidate per region kept."""
    cands: list[Candidate] = []
    names = list(strategies or STRATEGIES)
    for layer in layers:
        if not layer.words:
            continue
        for name in names:
            cands += STRATEGIES[name].find(layer)
    return tables_from(cands)


def drop_running_captions(tables: list[Table], pages: Sequence[Page]) -> list[Table]:
    """Tables whose caption lines include a running header or footer of the document
    (the same line on the top or bottom of most pages, "Página N de M") without those
    lines: a page banner right above a continued table is not its caption."""
    per_page = [[" ".join(w.text for w in ln) for ln in group_lines(p.words)] for p in pages]
    running = running_lines(per_page)
    if not running:
        return tables
    return [replace(t, titulo=caption_without(t.title_lines, running)) if t.title_lines else t
            for t in tables]


def top_limit(page: Page) -> float:
    """y below which a table no longer 'starts at the top': the top of the first text
    line plus slack (60 pt: a banner line or two)."""
    lines = group_lines(page.words)
    if not lines:
        return page.height * 0.25
    return min(w.top for w in lines[0]) + 60.0
