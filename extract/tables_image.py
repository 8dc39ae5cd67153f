"""Ruled tables on page images (scans): ruling lines -> cell rectangles.

The image counterpart of :mod:`extract.tables_ruled`: OpenCV morphology keeps the long
horizontal and vertical strokes of a binarized page, the closed regions between them
are the cells (a merged cell is simply a bigger region), and :func:`extract.grid.build_grid`
puts the OCR words in them, so everything downstream (headers, normalization,
validation) is the same code for digital and scanned tables.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import cv2
import numpy as np

from extract.grid import build_grid
from extract.models import BBox, Cell, Word


@dataclass(frozen=True)
class LineSettings:
    """Morphology settings, in pixels at the rendering resolution (300 dpi).

    ``min_line_frac``: a stroke must be at least this fraction of the page width
    (horizontal) or height (vertical) to count as a rule; ``min_cell_px``: smaller
    regions are noise (the gap between a double rule)."""

    min_line_frac: float = 0.025
    min_cell_px: int = 12
    min_table_cells: int = 4
    snap_pt: float = 5.0


def line_mask(gray: np.ndarray, s: LineSettings = LineSettings()) -> np.ndarray:
    """Binary mask (uint8 0/255) of the long horizontal and vertical rules of ``gray``."""
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    h, w = gray.shape
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(10, int(w * s.min_line_frac)), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(10, int(h * s.min_line_frac))))
    horiz = cv2.morphologyEx(binary, cv2.MORPH_OPEN, hk)
    vert = cv2.morphologyEx(binary, cv2.MORPH_OPEN, vk)
    mask = cv2.bitwise_or(horiz, vert)
    # close small breaks where rules cross or the scan faded
    return cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=1)


def cell_regions(mask: np.ndarray, s: LineSettings = LineSettings()) -> list[list[tuple[int, int, int, int]]]:
    """Per table (an outer contour of the rule mask), the bounding boxes (x0, y0, x1, y1)
    in pixels of the regions enclosed by rules (its cells)."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    hierarchy = hierarchy[0]
    tables: list[list[tuple[int, int, int, int]]] = []
    for i, hrow in enumerate(hierarchy):
        if hrow[3] != -1:  # not an outer contour
            continue
        cells = []
        child = hrow[2]
        while child != -1:
            x, y, w, h = cv2.boundingRect(contours[child])
            if w >= s.min_cell_px and h >= s.min_cell_px:
                cells.append((x, y, x + w, y + h))
            child = hierarchy[child][0]
        if len(cells) >= s.min_table_cells:
            tables.append(cells)
    return tables


def find_image_tables(gray: np.ndarray, page_width_pt: float, page_height_pt: float,
                      words: tuple[Word, ...], pagina: int, settings: LineSettings = LineSettings(),
                      cache=None) -> list[tuple[BBox, list[list[str]], list[Cell]]]:
    """Ruled tables of a page image as ``(bbox, rows, cells)`` in PDF points (top-left),
    with ``words`` (OCR words in points) placed in their cells.  ``gray``: the page
    rendered at 300 dpi, grayscale ``uint8`` (the image the OCR stage rendered, in the
    same frame as ``words``: straightened when the OCR deskewed it);
    ``cache``: the OCR disk cache for the cell re-reads (:mod:`extract.tesseract`)."""
    sx = page_width_pt / gray.shape[1]
    sy = page_height_pt / gray.shape[0]
    out = []
    for cells_px in cell_regions(line_mask(gray, settings), settings):
        # cells share their rules: grow each region by half a rule so neighbours touch
        rects = [((x0 - 2) * sx, (y0 - 2) * sy, (x1 + 2) * sx, (y1 + 2) * sy) for x0, y0, x1, y1 in cells_px]
        bbox = (min(r[0] for r in rects), min(r[1] for r in rects),
                max(r[2] for r in rects), max(r[3] for r in rects))
        rows, cells = build_grid(rects, words, pagina, bbox, snap=settings.snap_pt)
        if not rows or len(rows[0]) < 2:
            continue
        rows, cells = reread_numeric_cells(gray, rows, cells, 1.0 / sx, cache=cache)
        out.append((bbox, rows, cells))
    out.sort(key=lambda t: (t[0][1], t[0][0]))
    return out


NUMERIC = re.compile(r"^[-(]?\d[\d.,]*%?\)?$")
"""A cell that is a number, an amount, a percentage or a dotted code."""
MIN_NUMERIC_SHARE = 0.6
MIN_REREAD_CONFIDENCE = 50.0


def shape(text: str) -> str:
    """The shape of a code or number: digit runs -> '9' ('4.1.12.1' -> '9.9.9.9')."""
    return re.sub(r"\d+", "9", text.replace(" ", ""))


def _cell_variants(crop: np.ndarray):
    """The cell image as is and binarized (median 3 + Otsu), each with a white margin:
    the grain of a photocopy hides the dots of a code from digits-only OCR."""
    pad = lambda im: cv2.copyMakeBorder(im, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)  # noqa: E731
    yield pad(crop)
    _, otsu = cv2.threshold(cv2.medianBlur(crop, 3), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    yield pad(otsu)


def reread_numeric_cells(gray: np.ndarray, rows: list[list[str]], cells: list[Cell], scale: float,
                         cache=None) -> tuple[list[list[str]], list[Cell]]:
    """Re-read, with digits-only OCR on the cell alone (psm 7), the cells of a numeric
    column that do not look like its other cells: '3.04' read as 'mE' in a tall merged
    cell, '46 :' for '4.6', '3.141.1' for '3.1.4.1'.  A column is numeric when most of its
    filled cells are numbers or dotted codes; when most share one shape ('9.9.9.9') a
    cell of another shape is re-read and the new reading must have that shape.  The new
    reading is kept only when Tesseract is confident.  ``scale``: pixels per point;
    ``cache``: the OCR disk cache (:class:`extract.tesseract.OcrCache` or its folder),
    each re-read being one cached call keyed by the cell image."""
    from extract.ocr import ocr_image

    if not rows:
        return rows, cells
    n_cols = len(rows[0])
    want: dict[int, str | None] = {}
    for j in range(n_cols):
        filled = [r[j].replace(" ", "") for r in rows[1:] if r[j].strip()]
        if not filled:
            continue
        numeric = sum(bool(NUMERIC.match(t)) for t in filled)
        shapes = Counter(shape(t) for t in filled if NUMERIC.match(t))
        common, n = shapes.most_common(1)[0] if shapes else (None, 0)
        if len(filled) >= 2 and n >= MIN_NUMERIC_SHARE * len(filled) and common.count("9") > 1:
            want[j] = common
        elif len(filled) >= 2 and numeric >= MIN_NUMERIC_SHARE * len(filled):
            want[j] = None
    out_cells = []
    for c in cells:
        text = c.text.replace(" ", "")
        digits = sum(ch.isdigit() for ch in text) / len(text) if text else 0.0
        if c.row > 0 and text and c.bbox and (c.col in want or (digits >= 0.5 and not NUMERIC.match(text))):
            # a lone almost-number ('46 :') outside a numeric column needs a surer reading
            target = want.get(c.col)
            min_conf = MIN_REREAD_CONFIDENCE if c.col in want else 80.0
            suspicious = (target is not None and shape(text) != target and digits >= 0.4) or \
                         (not NUMERIC.match(text))
            if suspicious:
                x0, y0, x1, y1 = (int(v * scale) for v in c.bbox)
                crop = gray[max(0, y0 + 6):max(0, y1 - 6), max(0, x0 + 6):max(0, x1 - 6)]
                best = None
                for img in _cell_variants(crop) if crop.size else ():
                    words = ocr_image(img, psm=7, digits=True, cache=cache)
                    new = "".join(w.text for w in words)
                    conf = min((w.confidence for w in words), default=0.0)
                    fits = shape(new) == target if target is not None else bool(NUMERIC.match(new))
                    if fits and NUMERIC.match(new) and conf >= min_conf \
                            and (best is None or conf > best[1]):
                        best = (new, conf)
                if best is not None:
                    rows[c.row][c.col] = best[0]
                    c = Cell(c.row, c.col, best[0], c.bbox, c.rowspan, c.colspan, c.pagina)
        out_cells.append(c)
    return rows, out_cells


def image_tables(pdf_path, page, dpi: int = 300, cache=None
                 ) -> list[tuple[BBox, list[list[str]], list[Cell]]]:
    """Ruled tables of scanned ``page`` (an OCR :class:`extract.models.Page`), rendered
    again at ``dpi`` from ``pdf_path`` and straightened by ``page.skew_deg`` like its
    words; cell texts come from the page's OCR words.  The
    pipeline does not render twice: it gets these from ``ocr_page(..., tables=True)``;
    this is for a page OCR'd elsewhere."""
    from extract.preprocess import render_page, straightened

    gray = straightened(render_page(pdf_path, page.numero, dpi=dpi), page.skew_deg)
    return find_image_tables(gray, page.width, page.height, page.words, page.numero, cache=cache)


def image_tables_and_cues(pdf_path, page, dpi: int = 300, cache=None):
    """``(tables, rules, fills)`` of scanned ``page``: :func:`image_tables` and the rules
    and fills drawn on the same rendering (:func:`extract.image_cues.image_cues`), what
    ``ocr_page(..., tables=True)`` returns as ``tablas`` and ``cues``."""
    from extract.image_cues import image_cues
    from extract.preprocess import render_page, straightened

    gray = straightened(render_page(pdf_path, page.numero, dpi=dpi), page.skew_deg)
    found = find_image_tables(gray, page.width, page.height, page.words, page.numero, cache=cache)
    return (found, *image_cues(gray, page.width, page.height))
