"""Tables of scanned pages (``metodo='ocr'``): the ruled cells found on the page image
(:mod:`extract.tables_image`) filled with the page's OCR words, as candidates of the
same interface as the text-layer strategies (confidence measured as for ruled grids).

A scan's words are on the page as straightened (``Page.skew_deg``), and so are the
ruled cells, found on the straightened image: rows stay rows at any skew the OCR
undid.  :func:`unskew_table` then puts a table's boxes back on the page as displayed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from extract.geometry import inside, intersection, union, unskew
from extract.layout import Fill, Layer, Rule, ocr_layer
from extract.models import BBox, Cell, Page, Table, Word
from extract.tables.base import Candidate, words_in
from extract.tables.hybrid import HybridStrategy
from extract.tables.lattice import count_header, lattice_confidence
from extract.tables.stream import StreamStrategy

SCAN_STRATEGIES = (HybridStrategy(), StreamStrategy())
"""The word strategies also run on a scan's OCR layer (with the rules and fills read off
its image, :mod:`extract.image_cues`): the ruled grids are the image strategy's."""
SCAN_MIN_ROWS = 2
"""Fewest rows of a table the word strategies read on a scan: one line with gaps (a
heading in bold, whose thick strokes the fill detection may take for shading) is no
evidence of a table there."""
LIST_MARKERS = frozenset("•·▪●◦○■□►▶➢➤-–—*")
"""Glyphs that start the items of a printed list: OCR reads a bullet as a word of its
own, set apart from its sentence like a column (a text layer joins them)."""


def is_list(rows: Sequence[Sequence[str]]) -> bool:
    """True when ``rows`` are a bulleted list read as two columns: every filled cell of
    the first column is a list marker (:data:`LIST_MARKERS`) and there is one other
    column."""
    if not rows or max(len(r) for r in rows) != 2:
        return False
    first = [r[0].strip() for r in rows if r and r[0].strip()]
    return bool(first) and all(t in LIST_MARKERS for t in first)


def image_candidates(page: Page, found: Sequence[tuple[BBox, list[list[str]], list[Cell]]],
                     layer: Layer | None = None) -> list[Candidate]:
    """Candidates from the image strategy's ``(bbox, rows, cells)`` results for the OCR
    ``page``, on ``layer`` (default: one layer holding the page's OCR words)."""
    if layer is None:
        layer = ocr_layer(page.numero, page.width, page.height, page.words)
    out = []
    for bbox, rows, cells in found:
        if not rows:
            continue
        ids = words_in(layer, bbox, 1.0)
        conf, measures = lattice_confidence([layer.words[i] for i in ids], cells, rows)
        out.append(Candidate("ocr", layer, bbox, tuple(tuple(r) for r in rows), tuple(cells),
                             count_header(rows, cells), conf, measures, frozenset(ids)))
    return out


def scan_candidates(page: Page, found: Sequence[tuple[BBox, list[list[str]], list[Cell]]],
                    rules: Sequence[Rule] = (), fills: Sequence[Fill] = ()) -> list[Candidate]:
    """Every candidate table of the OCR ``page``: the ruled grids found on its image
    (``found``, :func:`image_candidates`) and what :data:`SCAN_STRATEGIES` read on its
    OCR layer with the ``rules`` and ``fills`` drawn on its image (booktabs rules,
    shaded rows, whitespace), all on one layer, so :func:`extract.tables.select.select`
    keeps for each region the best explanation, as on a text page.  Not kept from the
    word strategies: a table of fewer than :data:`SCAN_MIN_ROWS` rows, a bulleted list
    (:func:`is_list`).  Fills that are the ink of bold words (:func:`ink_fill`: a form's
    bold title read as shading made its title box a table) are not given to them."""
    fills = [f for f in fills if not ink_fill(f, page.words)]
    layer = Layer(pagina=page.numero, width=page.width, height=page.height, words=tuple(page.words),
                  rules=tuple(rules), fills=tuple(fills), page_width=page.width,
                  page_height=page.height, metodo="ocr")
    out = image_candidates(page, found, layer)
    if layer.words:
        for strategy in SCAN_STRATEGIES:
            out += [c for c in strategy.find(layer)
                    if c.n_rows >= SCAN_MIN_ROWS and not is_list(c.rows)]
    return out


def ink_fill(fill: Fill, words: Sequence[Word], tol: float = 1.0) -> bool:
    """True when ``fill`` (seen on a scan's image) is the ink of the words it touches, not
    shading: it lies within the box of those words grown by ``tol`` points (strokes of a
    bold heading too thick for :mod:`extract.image_cues` to erase).  A shaded row or cell
    reaches past its text by the cell's padding."""
    hit = [w.bbox for w in words if intersection(w.bbox, fill.bbox)]
    return bool(hit) and inside(fill.bbox, union(hit), tol)



def unskew_table(table: Table, skew_deg: float, page_width: float, page_height: float) -> Table:
    """``table`` read on a page straightened by ``skew_deg`` degrees, with its ``bbox``
    and its cells' boxes on the page as displayed (:func:`extract.geometry.unskew`:
    centres turned back, sizes kept; the table box encloses its turned corners), as
    DATASETS.md's ``tablas`` ``x0/top/x1/bottom`` are.  ``frame_bbox`` and
    ``col_starts`` stay in the straightened reading frame (where its text runs left to
    right), as for a table printed sideways.  ``skew_deg == 0`` returns ``table``."""
    if not skew_deg:
        return table
    x0, t, x1, b = table.bbox
    corners = [unskew((x, y, x, y), skew_deg, page_width, page_height)
               for x in (x0, x1) for y in (t, b)]
    bbox = (min(c[0] for c in corners), min(c[1] for c in corners),
            max(c[2] for c in corners), max(c[3] for c in corners))
    cells = tuple(replace(c, bbox=unskew(c.bbox, skew_deg, page_width, page_height))
                  if c.bbox else c for c in table.cells)
    return replace(table, bbox=bbox, cells=cells,
                   frame_bbox=table.frame_bbox if table.frame_bbox is not None else table.bbox)
