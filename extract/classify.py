"""Per-page text-layer check: does a page need OCR?

A page needs OCR when its text layer is missing or garbage: no characters, or mostly
``(cid:NN)`` glyphs / replacement characters / non-letters, while an image covers a
large part of the page.
"""
from __future__ import annotations

from typing import Literal

import pdfplumber

PageKind = Literal["text", "scanned", "blank"]
MIN_CHARS = 20
"""Fewer text-layer characters than this is no usable text layer."""
MIN_LETTER_SHARE = 0.5
"""Below this share of letters/digits among non-space characters the layer is garbage."""
MIN_IMAGE_SHARE = 0.3
"""An image covering at least this share of the page makes it a scan candidate."""


def classify_page(page: pdfplumber.page.Page) -> PageKind:
    """``'text'`` (usable text layer), ``'scanned'`` (OCR it) or ``'blank'``."""
    chars = page.chars
    text = "".join(c["text"] for c in chars if not c["text"].isspace())
    area = float(page.width * page.height) or 1.0
    image_share = sum(float(i["width"]) * float(i["height"]) for i in page.images) / area
    if len(text) >= MIN_CHARS:
        good = sum(ch.isalnum() for ch in text) / len(text)
        cid = text.count("(cid:") * 5 + text.count("\ufffd")
        if good >= MIN_LETTER_SHARE and cid < len(text) * 0.3:
            return "text"
    if image_share >= MIN_IMAGE_SHARE:
        return "scanned"
    return "blank" if not text else "text"
