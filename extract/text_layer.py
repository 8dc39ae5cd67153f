"""Text-layer stage: a pdfplumber page -> :class:`extract.models.Page`.

Words come from ``pdfplumber.Page.extract_words`` (top-left coordinates, points);
the page text is pdfplumber's ``extract_text`` in reading order.
"""
from __future__ import annotations

import pdfplumber

from extract.models import Page, Word

WORD_SETTINGS = {"x_tolerance": 1.5, "y_tolerance": 2.0, "keep_blank_chars": False}


def read_words(page: pdfplumber.page.Page) -> tuple[Word, ...]:
    """All words of ``page`` as :class:`Word` (bbox in points, top-left origin)."""
    return tuple(
        Word(w["text"], (float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"])))
        for w in page.extract_words(**WORD_SETTINGS)
    )


def read_page(page: pdfplumber.page.Page) -> Page:
    """Build a text-layer :class:`Page` (``metodo='pdf'``) from a pdfplumber page.

    ``page.page_number`` is 1-based.  Raises whatever pdfminer raises on a broken
    content stream; the caller records it as an ``errores`` row for that page.
    """
    words = read_words(page)
    text = page.extract_text() or ""
    return Page(
        numero=page.page_number,
        width=float(page.width),
        height=float(page.height),
        texto=text,
        words=words,
        metodo="pdf",
    )
