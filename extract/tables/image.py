"""Tables of scanned pages (``metodo='ocr'``): the ruled cells found on the page image
(:mod:`extract.tables_image`) filled with the page's OCR words, as candidates of the
same interface as the text-layer strategies (confidence measured as for ruled grids).
"""
from __future__ import annotations

from collections.abc import Sequence

from extract.layout import Layer, ocr_layer
from extract.models import BBox, Cell, Page
from extract.tables.base import Candidate, words_in
from extract.tables.lattice import count_header, lattice_confidence


def image_candidates(page: Page, found: Sequence[tuple[BBox, list[list[str]], list[Cell]]]
                     ) -> list[Candidate]:
    """Candidates from the image strategy's ``(bbox, rows, cells)`` results for the OCR
    ``page`` (its one layer holds the page's OCR words)."""
    layer: Layer = ocr_layer(page.numero, page.width, page.height, page.words)
    out = []
    for bbox, rows, cells in found:
        if not rows:
            continue
        ids = words_in(layer, bbox, 1.0)
        conf, measures = lattice_confidence([layer.words[i] for i in ids], cells, rows)
        out.append(Candidate("ocr", layer, bbox, tuple(tuple(r) for r in rows), tuple(cells),
                             count_header(rows, cells), conf, measures, frozenset(ids)))
    return out
