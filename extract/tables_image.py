"""Ruled tables on page images (scans): ruling lines -> cell rectangles.

The image counterpart of :mod:`extract.tables_ruled`: OpenCV morphology keeps the long
horizontal and vertical strokes of a binarized page, the closed regions between them
are the cells (a merged cell is simply a bigger region), and :func:`extract.grid.build_grid`
puts the OCR words in them, so everything downstream (headers, normalization,
validation) is the same code for digital and scanned tables.
"""
from __future__ import annotations

import re
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
                      words: tuple[Word, ...], pagina: int, settings: LineSettings = LineSettings()
                      ) -> list[tuple[BBox, list[list[str]], list[Cell]]]:
    """Ruled tables of a page image as ``(bbox, rows, cells)`` in PDF points (top-left),
    with ``words`` (OCR words in points) placed in their cells."""
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
        rows, cells = reread_numeric_cells(gray, rows, cells, 1.0 / sx)
        out.append((bbox, rows, cells))
    out.sort(key=lambda t: (t[0][1], t[0][0]))
    return out


NUMERIC = re.compile(r"^[-(]?\d[\d.,]*%?\)?$")
"""A cell that is a number, an amount, a percentage or a dotted code."""
MIN_NUMERIC_SHARE = 0.6
MIN_REREAD_CONFIDENCE = 50.0


def reread_numeric_cells(gray: np.ndarray, rows: list[list[str]], cells: list[Cell], scale: float
                         ) -> tuple[list[list[str]], list[Cell]]:
    """Re-read, with digits-only OCR on the cell alone (psm 7), the cells of a numeric
    column (most of its filled cells are numbers or dotted codes) whose text is not a
    number: '3.04' read as 'mE' in a tall merged cell.  The new reading is kept only
    when it is a number and Tesseract is confident; ``scale`` is pixels per point."""
    from extract.ocr import ocr_image

    if not rows:
        return rows, cells
    n_cols = len(rows[0])
    numeric_cols = []
    for j in range(n_cols):
        filled = [r[j] for r in rows[1:] if r[j].strip()]
        if len(filled) >= 2 and sum(bool(NUMERIC.match(t.replace(" ", ""))) for t in filled) \
                >= MIN_NUMERIC_SHARE * len(filled):
            numeric_cols.append(j)
    out_cells = []
    for c in cells:
        text = c.text.replace(" ", "")
        if c.col in numeric_cols and c.row > 0 and text and not NUMERIC.match(text) and c.bbox:
            x0, y0, x1, y1 = (int(v * scale) for v in c.bbox)
            crop = gray[max(0, y0 + 6):max(0, y1 - 6), max(0, x0 + 6):max(0, x1 - 6)]
            if crop.size:
                words = ocr_image(crop, psm=7, digits=True)
                new = "".join(w.text for w in words)
                conf = min((w.confidence for w in words), default=0.0)
                if NUMERIC.match(new) and conf >= MIN_REREAD_CONFIDENCE:
                    rows[c.row][c.col] = new
                    c = Cell(c.row, c.col, new, c.bbox, c.rowspan, c.colspan, c.pagina)
        out_cells.append(c)
    return rows, out_cells


def image_tables(pdf_path, page, dpi: int = 300) -> list[tuple[BBox, list[list[str]], list[Cell]]]:
    """Ruled tables of scanned ``page`` (an OCR :class:`extract.models.Page`), rendered
    again at ``dpi`` from ``pdf_path``; cell texts come from the page's OCR words."""
    from extract.preprocess import render_page, to_grayscale

    gray = to_grayscale(render_page(pdf_path, page.numero, dpi=dpi))
    return find_image_tables(gray, page.width, page.height, page.words, page.numero)
