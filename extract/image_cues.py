"""Rules and fills drawn on a scanned page, read off its image: the cues a text-layer
page gets from the PDF's drawing operators (:func:`extract.layout.page_graphics`), so
the whitespace and partly-drawn table strategies (:mod:`extract.tables.stream`,
:mod:`extract.tables.hybrid`) read scans printed with booktabs rules or shaded rows as
they read the same print in a digital PDF.

Input: the page image the OCR read, straightened (:func:`extract.preprocess.straightened`),
grayscale ``uint8`` at any resolution; ``sx``/``sy`` convert its pixels to points
(``pt = px * sx``), so the cues share the frame of the page's OCR words.

- Rules: dark runs at least :data:`RULE_MIN_PT` long and at most :data:`RULE_MAX_PT`
  thick, horizontal or vertical (morphological opening of the Otsu ink with a line
  kernel, then one :class:`extract.layout.Rule` per connected run, at its centre line).
  A thicker dark band (a header printed white on black) is a fill, not a rule, and the
  dark runs between its white letters are not rules either (:func:`dark_bands`).
- Fills: the page's background with the print removed (a grey closing wider than any
  stroke, on a 150 dpi copy), where it is at least :data:`SHADE_STEP` grey levels
  darker than the paper (the paper level is the background's 95th percentile, so a
  yellowed or grey-scanned sheet is paper too), in boxes at least :data:`FILL_MIN_WIDTH_PT`
  wide and :data:`FILL_MIN_PT` high; :class:`extract.layout.Fill` with the box's mean luminance 0-1.
"""
from __future__ import annotations

import cv2
import numpy as np

from extract.layout import Fill, Rule
from extract.preprocess import DARK_BACKGROUND, print_free_background

RULE_MIN_PT = 20.0
"""Shortest rule (pt): the hybrid strategy's ``MIN_RULE``; shorter dark runs are
letters, underlines of a word or ticks."""
RULE_MAX_PT = 2.5
"""Thickest rule (pt, ~0.9 mm); booktabs' heavy rules are 0.8-1 pt, grid rules 0.25-1."""
FILL_MIN_PT = 6.0
"""Lowest fill (pt): a shaded row of small print is ~8 pt tall; JPEG blocks and stains
smaller than this are not shading."""
FILL_MIN_WIDTH_PT = 16.0
"""Narrowest fill (pt): a shaded cell of a narrow column; the letters of a bold heading
(up to ~14 pt wide), which the closing does not erase, are narrower."""
SHADE_STEP = 10
"""Grey levels (0-255) below the paper's for a background to count as shaded; a row
shaded 8% grey prints about 20 levels below white."""
FILL_DPI = 150.0
"""Resolution the background is estimated at (strokes are still a few pixels thick)."""
STROKE_PT = 2.5
"""Thickest stroke of print (pt): bold headings are ~1.5 pt."""


def image_rules(gray: np.ndarray, sx: float, sy: float,
                bands: np.ndarray | None = None) -> tuple[Rule, ...]:
    """Horizontal and vertical rules of ``gray`` in points (module docstring); ``()`` for
    an empty image.  ``bands``: mask (``gray``'s shape, non-zero = dark fill) of the dark
    bands (:func:`dark_bands`), whose ink is no rule: between the white letters of a
    header printed on black, the dark runs look like short vertical rules."""
    if gray.size == 0:
        return ()
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if bands is not None:
        ink[bands > 0] = 0
    out: list[Rule] = []
    for orient in ("h", "v"):
        scale = sx if orient == "h" else sy
        length = max(3, int(round(RULE_MIN_PT / scale)))
        thick = RULE_MAX_PT / (sy if orient == "h" else sx)
        kernel = (length, 1) if orient == "h" else (1, length)
        runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        n, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
        for i in range(1, n):
            x, y, w, h, area = (int(v) for v in stats[i])
            along = w if orient == "h" else h
            if area / along > thick:
                continue  # a band, a block of print: not a rule (its mean thickness)
            if orient == "h":
                yc = round((y + h / 2) * sy, 2)
                out.append(Rule("h", round(x * sx, 2), yc, round((x + w) * sx, 2), yc))
            else:
                xc = round((x + w / 2) * sx, 2)
                out.append(Rule("v", xc, round(y * sy, 2), xc, round((y + h) * sy, 2)))
    return tuple(out)


def background(gray: np.ndarray, sx: float) -> tuple[np.ndarray, float]:
    """``(bg, f)``: the page's background at :data:`FILL_DPI` (``gray`` scaled by ``f``).
    Strokes are under :data:`STROKE_PT` thick: a grey closing takes the print off the
    paper and off shading (white print on a dark band partly whitens it)."""
    f = min(1.0, FILL_DPI * sx / 72.0)
    k = max(3, int(round(STROKE_PT * FILL_DPI / 72.0)) | 1)
    return print_free_background(gray, f, k), f


def dark_bands(bg: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Mask of ``shape`` (the page image's), 255 where the background ``bg`` is darker
    than mid-grey (a band printed dark, for white text on it), grown by a pixel."""
    dark = (bg < DARK_BACKGROUND).astype(np.uint8) * 255
    dark = cv2.dilate(dark, np.ones((3, 3), np.uint8))
    return cv2.resize(dark, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)


def image_fills(gray: np.ndarray, sx: float, sy: float,
                bg: tuple[np.ndarray, float] | None = None) -> tuple[Fill, ...]:
    """Shaded boxes of ``gray`` in points (module docstring); ``()`` for an empty or
    unshaded image.  ``bg``: :func:`background` of ``gray`` when already computed."""
    if gray.size == 0:
        return ()
    bg, f = bg if bg is not None else background(gray, sx)
    paper = float(np.percentile(bg, 95))
    shaded = (bg < paper - SHADE_STEP).astype(np.uint8)
    shaded = cv2.morphologyEx(shaded, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(shaded, connectivity=4)
    px = sx / f, sy / f  # points per pixel of the small copy
    out: list[Fill] = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if w * px[0] < FILL_MIN_WIDTH_PT or h * px[1] < FILL_MIN_PT or area < 0.6 * w * h:
            continue  # too small, or not a box (the outline of a stain, a photo)
        level = float(bg[y:y + h, x:x + w][labels[y:y + h, x:x + w] == i].mean()) / 255.0
        out.append(Fill((round(x * px[0], 2), round(y * px[1], 2),
                         round((x + w) * px[0], 2), round((y + h) * px[1], 2)), round(level, 3)))
    return tuple(out)


def image_cues(gray: np.ndarray, width_pt: float, height_pt: float
               ) -> tuple[tuple[Rule, ...], tuple[Fill, ...]]:
    """``(rules, fills)`` of the page image ``gray`` (``(H, W)`` ``uint8``) for a page of
    ``width_pt`` x ``height_pt`` points."""
    if gray.size == 0:
        return (), ()
    sx, sy = width_pt / gray.shape[1], height_pt / gray.shape[0]
    bg = background(gray, sx)
    return (image_rules(gray, sx, sy, dark_bands(bg[0], gray.shape)),
            image_fills(gray, sx, sy, bg))
