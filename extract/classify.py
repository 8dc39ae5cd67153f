"""Decide per page whether its text layer is usable or the page must be OCRed.

:func:`classify_page` looks only at what pdfplumber exposes (chars, images, curves);
it never renders (pdfplumber's char parsing dominates: ~0.1-0.3 s per digital page).

Thresholds (module constants, checked on the corpus: its 90 digital pages have
hundreds to thousands of clean chars, letters + digits >= 86 % of them, no images;
its 32 scanned pages have no chars and one image covering 100 % of the page):

- ``LARGE_IMAGE_SHARE = 0.5``: images (union, clipped to the page) covering at least
  half the page make it "image-like";
- ``MIN_USABLE_CHARS = 20``: a text layer with fewer usable chars (letters or digits,
  not ``(cid:NN)``, not U+FFFD / private-use / control) than this on an image-like
  page is a stamp or page number added to a scan, not the page's text;
- garbage text layer, any of: ``(cid:NN)`` glyphs >= ``MAX_CID_SHARE = 0.3`` of the
  non-space chars; U+FFFD / private-use / control chars >= ``MAX_BAD_SHARE = 0.3``;
  letters + digits < ``MIN_ALNUM_SHARE = 0.4`` of the non-space chars (numbers
  like ``1.332.834,00`` are 75 % digits, so all-number tables stay above it);
- ``MIN_OUTLINE_CURVES = 300``: a page with no chars but at least this many curve
  objects is text drawn as outlines (vector glyphs): it needs OCR too.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Literal

import numpy as np

PageKind = Literal["text", "scanned", "blank"]

LARGE_IMAGE_SHARE = 0.5
MIN_USABLE_CHARS = 20
MAX_CID_SHARE = 0.3
MAX_BAD_SHARE = 0.3
MIN_ALNUM_SHARE = 0.4
MIN_OUTLINE_CURVES = 300
MIN_IMAGE_SHARE_NO_TEXT = 0.05
"""With no chars at all, an image covering at least 5 % of the page (a scanned
half-page, a photographed form) is worth OCRing; smaller ones are logos."""

_GRID = 200  # resolution of the image-coverage raster (cells per page side)


def _is_bad_char(ch: str) -> bool:
    """U+FFFD, private-use, unassigned or control characters (not whitespace)."""
    if ch == "\ufffd":
        return True
    cat = unicodedata.category(ch)
    return cat in ("Co", "Cn", "Cs") or (cat == "Cc" and not ch.isspace())


def image_share(page: Any) -> float:
    """Fraction 0-1 of the page area covered by images (union of their bboxes clipped
    to the page, on a 200 x 200 raster).  ``page`` is a ``pdfplumber.page.Page``."""
    x0p, topp, x1p, botp = (float(v) for v in page.bbox)
    w, h = x1p - x0p, botp - topp
    if w <= 0 or h <= 0 or not page.images:
        return 0.0
    grid = np.zeros((_GRID, _GRID), dtype=bool)
    for im in page.images:
        a = max(0.0, (float(im["x0"]) - x0p) / w)
        b = min(1.0, (float(im["x1"]) - x0p) / w)
        c = max(0.0, (float(im["top"]) - topp) / h)
        d = min(1.0, (float(im["bottom"]) - topp) / h)
        if b > a and d > c:
            grid[int(c * _GRID):int(np.ceil(d * _GRID)), int(a * _GRID):int(np.ceil(b * _GRID))] = True
    return float(grid.mean())


def text_layer_stats(page: Any) -> dict[str, float]:
    """Counts describing the text layer of a pdfplumber page.

    Returns ``chars`` (non-space chars; a ``(cid:NN)`` glyph counts as one),
    ``cid``, ``bad`` (U+FFFD / private-use / control), ``alnum`` (letters and digits
    among the rest), ``usable`` (= ``alnum``), and the shares ``cid_share``,
    ``bad_share``, ``alnum_share`` of ``chars`` (0.0 when there are no chars).
    """
    n = cid = bad = alnum = 0
    for c in page.chars:
        text = str(c.get("text") or "")
        if not text or text.isspace():
            continue
        n += 1
        if text.startswith("(cid:"):
            cid += 1
        elif any(_is_bad_char(ch) for ch in text):
            bad += 1
        elif any(ch.isalnum() for ch in text):
            alnum += 1
    share = (lambda k: k / n) if n else (lambda k: 0.0)
    return {"chars": n, "cid": cid, "bad": bad, "alnum": alnum, "usable": alnum,
            "cid_share": share(cid), "bad_share": share(bad), "alnum_share": share(alnum)}


def is_garbage(stats: dict[str, float]) -> bool:
    """True when a (non-empty) text layer is unusable: too many ``(cid:NN)`` or
    replacement/private-use chars, or too few letters and digits (see module doc)."""
    return (stats["chars"] > 0
            and (stats["cid_share"] >= MAX_CID_SHARE or stats["bad_share"] >= MAX_BAD_SHARE
                 or stats["alnum_share"] < MIN_ALNUM_SHARE))


def classify_page(page: Any) -> PageKind:
    """Classify a ``pdfplumber.page.Page`` as ``'text'``, ``'scanned'`` or ``'blank'``.

    ``'scanned'`` means "needs OCR": the text layer is missing or unusable and there
    is something to read in the rendering:

    - no chars: a large image (>= ``MIN_IMAGE_SHARE_NO_TEXT`` of the page) or text
      drawn as outlines (>= ``MIN_OUTLINE_CURVES`` curves) -> ``'scanned'``, else
      ``'blank'``;
    - chars but garbage (:func:`is_garbage`) -> ``'scanned'`` (the glyphs are drawn,
      so the rendering can be OCRed even when the font has no usable encoding);
    - fewer than ``MIN_USABLE_CHARS`` usable chars on a page whose images cover
      >= ``LARGE_IMAGE_SHARE`` -> ``'scanned'`` (a stamp or page number on a scan);
    - otherwise ``'text'``.

    Thresholds: see the module docstring.  Never raises for a readable page;
    pdfminer errors on a broken content stream propagate.
    """
    stats = text_layer_stats(page)
    if stats["chars"] == 0:
        if image_share(page) >= MIN_IMAGE_SHARE_NO_TEXT:
            return "scanned"
        if len(page.curves) >= MIN_OUTLINE_CURVES:
            return "scanned"
        return "blank"
    if is_garbage(stats):
        return "scanned"
    if stats["usable"] < MIN_USABLE_CHARS and image_share(page) >= LARGE_IMAGE_SHARE:
        return "scanned"
    return "text"
