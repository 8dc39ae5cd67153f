"""OCR stage: scanned PDF pages -> words (PDF points, top-left origin) and text.

Per page (:func:`ocr_page`):

1. :func:`extract.preprocess.render_page` - pypdfium2, 300 dpi, grayscale;
2. :func:`extract.preprocess.prepare_page` - deskew, flatten shaded backgrounds,
   whiten the paper, find ruled table cells, remove the rules (grayscale is kept:
   Tesseract reads it better than our binarizations - measured);
3. :func:`ocr_layout` - Tesseract (:func:`extract.tesseract.image_to_data`) on the page with
   its table cells blanked (psm 3), and once more on a canvas where every cell with
   ink is stacked in one column (psm 6), so text is never merged across columns;
4. :func:`fix_glyphs` - the Debian ``spa`` model lacks '°' and '•': "N*"/"N?" ->
   "N°", bullets found by shape -> '•', Roman-numeral pipes -> 'I', and a few more;
5. words -> PDF points; text in reading order, one line per Tesseract line.

Measured with ``bench/ocr_bench.py`` on the 32 scanned corpus pages (mean word
accuracy, score.py's formula): plain ``tesseract -l spa`` 0.875, this stage 0.998;
the per-step numbers are in :mod:`extract.preprocess`.

Every Tesseract call goes through :mod:`extract.tesseract` (install probe, the single
call, the disk cache).  Results are cached on disk, one JSON file per page, named by a
SHA-256 of the rendered page image bytes combined with every setting that affects the
output (language, dpi, page segmentation modes, Tesseract config, preprocessing steps,
the engine id - Tesseract version and traineddata hash - and ``CACHE_VERSION``), so
re-running on unchanged files does no OCR.  ``ocr_page(..., tables=True)`` also finds
the page's ruled tables on the same rendered image, so a scanned page is rendered once.
:func:`ocr_pages` runs pages in parallel worker processes.

Errors surface as :class:`OcrError`, whose message names the file, the page and
what to do.
"""
from __future__ import annotations

import os
import re
import multiprocessing
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import cv2
import numpy as np

from extract.models import BBox, Cell as TableCell, Page, Word
from extract.image_cues import image_cues
from extract.layout import Fill, Rule
from extract.preprocess import (DEFAULT_STEPS, Cell, PreprocessSettings,
                                RenderError, prepare_page, render_page, straightened)
from extract.tesseract import (CACHE_VERSION, INSTALL_HINT, OcrCache, OcrError,  # noqa: F401
                               as_cache, build_config, check_language, engine_id,
                               image_sha256, image_to_data, tesseract_version)

DEFAULT_PSM = 3
"""Tesseract page segmentation mode for the page text outside ruled tables.
Measured on the final chain: psm 3 0.9980 = psm 4 0.9980 > psm 6 0.9979."""

DEFAULT_CELL_PSM = 6
"""Tesseract page segmentation mode for the canvas of stacked table cells.
Measured: psm 6 0.9974 > psm 3 / 4 (0.9945 with psm 4)."""

DEFAULT_CONFIG = ""
"""Extra Tesseract options.  ``-c preserve_interword_spaces=1`` was measured and
changes nothing here: it only affects Tesseract's plain-text output, while words
come from the TSV (image_to_data)."""

DIGITS_WHITELIST = "0123456789.,-%()/"
"""Characters allowed by ``ocr_image(..., digits=True)`` for numeric table cells."""


@dataclass(frozen=True)
class OcrWord:
    """One word recognised by Tesseract on an image.

    ``bbox`` is ``(x0, top, x1, bottom)`` in **pixels** of the image passed to
    :func:`ocr_image` (top-left origin); ``confidence`` is 0-100.  ``block``, ``par``,
    ``line`` number Tesseract's layout units; words sharing ``(block, par, line)``
    form one text line, and the list order is Tesseract's reading order.  ``cell`` is
    the index of the table cell the word was read in and ``row`` that cell's table
    row (:func:`ocr_layout`); both -1 outside ruled tables / for :func:`ocr_image`.
    ``engine``: which engine's reading the text is, ``'tesseract'`` or ``'ppocr'``
    (:func:`second_opinion`); ``confidence`` is that engine's.
    """

    text: str
    bbox: tuple[float, float, float, float]
    confidence: float
    block: int
    par: int
    line: int
    cell: int = -1
    row: int = -1
    engine: str = "tesseract"

    def to_word(self, scale: float = 1.0, offset: tuple[float, float] = (0.0, 0.0)) -> Word:
        """As a :class:`Word` with ``bbox * scale + offset`` (e.g. ``scale = 72 / dpi``
        for PDF points; ``offset`` = cell origin when OCRing a crop)."""
        x0, t, x1, b = self.bbox
        ox, oy = offset
        return Word(self.text, (x0 * scale + ox, t * scale + oy, x1 * scale + ox, b * scale + oy),
                    self.confidence)


@dataclass(frozen=True)
class OcrResult:
    """The OCR of one page.

    ``words``: :class:`Word` with bbox in PDF points, top-left origin (the page's
    MediaBox as pdfplumber reports it) and Tesseract confidence 0-100, on the page as
    straightened: ``skew_deg`` is the skew undone before reading (degrees, positive =
    the scan's content turned counter-clockwise; 0.0 when none was), so the words of a
    printed line share one height whatever the scan's skew, and
    :func:`extract.geometry.unskew` gives a box on the page as displayed.
    ``texto``: the page text in reading order, one text line per ``'\\n'``.
    ``confianza``: mean word confidence 0-100 (0.0 when no words).
    ``image_sha256``: SHA-256 hex of the rendered page image (the cache key's base).
    ``pdf_path``/``page_number`` (1-based), ``width``/``height`` (points) identify it.
    ``from_cache`` is True when the result was read from the disk cache (not compared).
    ``motor``: ``'tesseract'``, or ``'tesseract+ppocr'`` when some words are PP-OCR's
    readings (:func:`second_opinion`); ``confianza`` is then the mean over the kept
    words of their own engine's confidence.
    ``tablas``: with ``ocr_page(..., tables=True)``, the page's ruled tables found on the
    same rendered image, as :func:`extract.tables_image.find_image_tables` returns them
    (``(bbox, rows, cells)`` in points); ``None`` when not asked for or when finding them
    raised ``tablas_error`` (not compared, never cached: only Tesseract output is).
    ``cues``: with ``tables=True``, the ``(rules, fills)`` drawn on the same image
    (:func:`extract.image_cues.image_cues`), for the word strategies (not compared, not
    cached).
    """

    words: tuple[Word, ...]
    texto: str
    confianza: float
    image_sha256: str
    pdf_path: str = ""
    page_number: int = 0
    width: float = 0.0
    height: float = 0.0
    from_cache: bool = field(default=False, compare=False)
    tablas: tuple[tuple[BBox, list[list[str]], list[TableCell]], ...] | None = field(
        default=None, compare=False)
    tablas_error: BaseException | None = field(default=None, compare=False)
    cues: tuple[tuple[Rule, ...], tuple[Fill, ...]] | None = field(default=None, compare=False)
    motor: str = "tesseract"
    skew_deg: float = 0.0

    def to_page(self) -> Page:
        """As an :class:`extract.models.Page` (``metodo='ocr'``, ``ocr_confianza``,
        ``ocr_motor``)."""
        return Page(numero=self.page_number, width=self.width, height=self.height,
                    texto=self.texto, words=self.words, metodo="ocr",
                    ocr_confianza=self.confianza, ocr_motor=self.motor,
                    skew_deg=self.skew_deg)


# --------------------------------------------------------------------------- one image


def ocr_image(image: np.ndarray, *, psm: int = DEFAULT_PSM, config: str = DEFAULT_CONFIG,
              lang: str = "spa", dpi: int | None = 300, digits: bool = False,
              whitelist: str | None = None, postcorrect: bool = True,
              cache: OcrCache | str | Path | None = None) -> list[OcrWord]:
    """Run Tesseract on one image and return its words in reading order.

    ``image``: ``uint8`` array, ``(H, W)`` grayscale or ``(H, W, 3)`` RGB, used as
    is (no preprocessing).  ``psm``: page segmentation mode (3 = auto page, 4 = one
    column, 6 = one block, 7 = one line, 8 = one word - use 6/7 for table cells).
    ``config``: extra Tesseract options (e.g. ``'-c preserve_interword_spaces=1'``).
    ``dpi``: resolution passed to Tesseract (``None`` lets it guess from the image).
    ``digits=True`` restricts recognition to :data:`DIGITS_WHITELIST` (numeric cells);
    ``whitelist`` sets an explicit character whitelist instead.  ``postcorrect``
    applies :func:`fix_glyphs` (N°, ordinals, Roman numerals, bullets).  ``cache``:
    the OCR disk cache for this one call (:func:`extract.tesseract.image_to_data`).

    Returns :class:`OcrWord` items with pixel bboxes of ``image`` (``[]`` without
    running Tesseract when the image has no ink: fewer than 5 pixels below 160).  Raises
    :class:`OcrError` when Tesseract is missing, the language is not installed or
    Tesseract fails.
    """
    if whitelist is None and digits:
        whitelist = DIGITS_WHITELIST
    if image.size == 0 or _is_blank(image):
        return []  # Tesseract invents letters ('o', 'i') on an empty line / cell
    cfg = build_config(psm, config, dpi=dpi, whitelist=whitelist)
    data = image_to_data(image, lang=lang, config=cfg, cache=cache)
    words = _words_from_data(data)
    if postcorrect and whitelist is None:
        words = fix_glyphs(image if image.ndim == 2 else None, words)
    return words


# --------------------------------------------------------------------------- post-correction
#
# The ``spa`` model shipped by Debian (tessdata_fast, 4.00 "synth20170629") has no
# '°', 'º' or '•' in its character set, so Tesseract *cannot* output them: "N°" comes
# out as "N*", "N?", "N”", "N%4"...; bullets as "»" or "+"; and it prefers '|' / 'l'
# for the capital I of Roman numerals.  These fixes are token rules for exactly those
# confusions, plus a shape test for bullets (see :func:`_fix_bullets`).

_RE_NUMERO = re.compile(r"(^|[/(])N[*?”\"'%º°]{1,2}(?=$|[\d.,:;)/-])")
_RE_ART = re.compile(r"^(Art\.?)[*?”'%º](?=$|[.,:;-])")
_RE_ORDINAL = re.compile(r"^(\d{1,3})[*?”'%º](?=$|\.-|[.,:;-]$)")
_RE_ORDINAL_STRICT = re.compile(r"^(\d{1,3})[*”º](?=$|\.-|[.,:;-]$)")
_ORDINAL_CONTEXT = {"artículo", "articulo", "art.", "art", "parágrafo", "paragrafo",
                    "numeral", "inciso"}
_RE_ROMAN = re.compile(r"^([\"“(]?)([|!Il]{1,4})([.:,)-]*)$")
_RE_PIPE_I = re.compile(r"(?<=[A-ZÁÉÍÓÚÑ.])[|!](?=[A-ZÁÉÍÓÚÑ.])|^[|!](?=[A-ZÁÉÍÓÚÑ])")
_RE_Y_DIGITS = re.compile(r"(?<=\d)y(?=\d)")
_RE_SMALL_CAP = re.compile(r"^([cosvwxz])(?=[A-ZÁÉÍÓÚÑ]+$)")
_RE_NUM_PERCENT = re.compile(r"^(\d[\d.,]*)%$")


def fix_token(token: str, previous: str = "") -> str:
    """Correct one OCR token for glyphs the ``spa`` model cannot produce.

    - ``N*``, ``N?``, ``N”``, ``N%4``, ``SEGIP/DGE/N*036/2024`` -> ``N°`` forms
      (número sign; 'N' at token start or after '/' or '(', followed by end, digit or
      punctuation);
    - ``Art.”`` / ``Art?`` -> ``Art.°`` / ``Art°``;
    - ``9”.-`` / ``13*`` -> ``9°.-`` / ``13°`` (ordinals), and ``1%`` -> ``1°`` only
      right after *artículo / art. / parágrafo / numeral / inciso* (``previous``);
    - Roman numerals read with pipes or small L: ``|.``, ``Il.``, ``!Il.``, ``ll:`` ->
      ``I.``, ``II.``, ``III.``, ``II:``; '|' or '!' between capitals/dots -> 'I'
      (``C.!.,`` -> ``C.I.,``, ``|SO`` -> ``ISO``);
    - ``1y4`` -> ``1 y 4`` (the conjunction glued between digits);
    - ``cP`` -> ``CP``: a first letter whose lower case has the shape of its capital
      (c o s v w x z) before capitals only.
    """
    t = _RE_NUMERO.sub(lambda m: m.group(1) + "N°", token)
    t = _RE_ART.sub(lambda m: m.group(1) + "°", t)
    if previous.casefold() in _ORDINAL_CONTEXT:
        t = _RE_ORDINAL.sub(lambda m: m.group(1) + "°", t)
    else:
        t = _RE_ORDINAL_STRICT.sub(lambda m: m.group(1) + "°", t)
    m = _RE_ROMAN.match(t)
    if m and any(c in m.group(2) for c in "|!l"):
        t = m.group(1) + "I" * len(m.group(2)) + m.group(3)
    t = _RE_PIPE_I.sub("I", t)
    t = _RE_Y_DIGITS.sub(" y ", t)
    t = _RE_SMALL_CAP.sub(lambda m: m.group(1).upper(), t)
    return t


def _is_bullet(image: np.ndarray, word: OcrWord, line_height: float) -> bool:
    """True when ``word`` is one small filled round blob (a printed bullet '•')."""
    x0, t, x1, b = (int(round(v)) for v in word.bbox)
    crop = image[max(0, t):b + 1, max(0, x0):x1 + 1]
    if crop.size == 0:
        return False
    ink = (crop < 128).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n != 2:  # exactly one blob
        return False
    _, _, w, h, area = (int(v) for v in stats[1])
    if min(w, h) < 4 or not 0.28 * line_height <= h <= 0.6 * line_height:
        return False
    return 0.75 <= w / h <= 1.33 and area / (w * h) >= 0.6


def _fix_bullets(image: np.ndarray, words: list[OcrWord]) -> list[OcrWord]:
    """Replace the first word of a line by '•' when it is a filled round blob followed by
    more words (the model has no '•' and reads bullets as '»', '+', 'e'...)."""
    out = list(words)
    index = {id(w): i for i, w in enumerate(words)}
    for line in lines_of(words):
        first = line[0]
        if len(line) < 2 or len(first.text) > 2 or first.text == "•":
            continue
        height = float(np.median([w.bbox[3] - w.bbox[1] for w in line[1:]]))
        if _is_bullet(image, first, height):
            out[index[id(first)]] = replace(first, text="•")
    return out


def _ink_gaps(image: np.ndarray, bbox: tuple[float, float, float, float]) -> list[tuple[int, int]]:
    """Inner runs of ink-free columns in ``bbox`` of ``image``: ``[(start, end), ...]``
    in image x pixels (end exclusive)."""
    x0, t, x1, b = (int(round(v)) for v in bbox)
    crop = image[max(0, t):b + 1, max(0, x0):x1 + 1]
    if crop.size == 0:
        return []
    cols = (crop < 128).any(axis=0)
    gaps, i, n = [], 0, len(cols)
    while i < n:
        if cols[i]:
            i += 1
            continue
        j = i
        while j < n and not cols[j]:
            j += 1
        if i > 0 and j < n:
            gaps.append((max(0, x0) + i, max(0, x0) + j))
        i = j
    return gaps


def _split_spaced_percent(image: np.ndarray, word: OcrWord) -> list[OcrWord]:
    """``"10%"`` read as one word although the print has a space (``"10 %"``): split it
    when the blank before the '%' glyph is at least 0.3 x the word height (a space is
    ~0.5 h at these sizes, the gap between glyphs <= 0.2 h)."""
    m = _RE_NUM_PERCENT.match(word.text)
    if not m:
        return [word]
    gaps = _ink_gaps(image, word.bbox)
    height = word.bbox[3] - word.bbox[1]
    if not gaps or gaps[-1][1] - gaps[-1][0] < 0.3 * height:
        return [word]
    g0, g1 = gaps[-1]
    x0, t, x1, b = word.bbox
    return [replace(word, text=m.group(1), bbox=(x0, t, float(g0), b)),
            replace(word, text="%", bbox=(float(g1), t, x1, b))]


def fix_glyphs(image: np.ndarray | None, words: Sequence[OcrWord]) -> list[OcrWord]:
    """Apply :func:`fix_token` to every word (with the previous word of its line as
    context) and, when ``image`` (the grayscale image the words were read from) is
    given, the image tests: bullets (:func:`_fix_bullets`) and ``"10 %"`` printed
    with a space (:func:`_split_spaced_percent`)."""
    out: list[OcrWord] = []
    for line in lines_of(words):
        prev = ""
        for w in line:
            text = fix_token(w.text, prev)
            prev = w.text
            w = w if text == w.text else replace(w, text=text)
            out.extend(_split_spaced_percent(image, w) if image is not None else [w])
    return _fix_bullets(image, out) if image is not None else out


def _is_blank(image: np.ndarray, min_ink_px: int = 5) -> bool:
    """No pixel darker than 160 (on any channel) except a few specks."""
    darkest = image if image.ndim == 2 else image.min(axis=2)
    return int(np.count_nonzero(darkest < 160)) < min_ink_px


def _words_from_data(data: dict[str, list[Any]]) -> list[OcrWord]:
    out: list[OcrWord] = []
    for i, level in enumerate(data["level"]):
        if int(level) != 5:
            continue
        text = unicodedata.normalize("NFC", str(data["text"][i] or "")).strip()
        if not text:
            continue
        x, y, w, h = (int(data[k][i]) for k in ("left", "top", "width", "height"))
        out.append(OcrWord(text=text, bbox=(float(x), float(y), float(x + w), float(y + h)),
                           confidence=max(0.0, float(data["conf"][i])),
                           block=int(data["block_num"][i]), par=int(data["par_num"][i]),
                           line=int(data["line_num"][i])))
    return out


def lines_of(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
    """Group words into text lines by ``(cell, block, par, line)``, keeping the input
    order (Tesseract's reading order: order of first appearance)."""
    lines: dict[tuple[int, int, int, int], list[OcrWord]] = {}
    for w in words:
        lines.setdefault((w.cell, w.block, w.par, w.line), []).append(w)
    return list(lines.values())


def text_of(words: Sequence[OcrWord]) -> str:
    """Text of words in reading order: each line's words joined by one space, lines
    by ``'\\n'`` (lines as grouped by :func:`lines_of`).  A table row whose cells
    each hold a single line is written as one line, its cells left to right
    (``3.01 DETERMINACIÓN DE SERVICIOS 46.890,00``); a row with a multi-line cell
    keeps one line per cell line, cell after cell."""
    lines = lines_of(words)
    out: list[str] = []
    i = 0
    while i < len(lines):
        row = lines[i][0].row
        j = i + 1
        if row >= 0:
            while j < len(lines) and lines[j][0].row == row:
                j += 1
            group = lines[i:j]
            cells = [ln[0].cell for ln in group]
            if len(set(cells)) == len(cells):  # one line per cell
                out.append(" ".join(w.text for ln in group for w in ln))
            else:
                out.extend(" ".join(w.text for w in ln) for ln in group)
        else:
            out.append(" ".join(w.text for w in lines[i]))
        i = j
    return "\n".join(out)


CELL_GAP_PX = 40
"""White space between stacked cells (and around them) in the cell canvas."""
MAX_CANVAS_PX = 16000
"""A cell canvas taller than this is split (Tesseract's limit is 32767 px)."""


def _has_ink(crop: np.ndarray, min_px: int = 30) -> bool:
    return int(np.count_nonzero(crop < 128)) >= min_px


def ocr_cells(image: np.ndarray, cells: Sequence[Cell], *, psm: int, config: str = "",
              lang: str = "spa", dpi: int | None = 300) -> list[OcrWord]:
    """Read table cells with as few Tesseract runs as possible.

    Every cell with ink is cut out of ``image`` (pixels outside its mask whitened) and
    the cuts are stacked top to bottom on one white canvas, :data:`CELL_GAP_PX` apart,
    so Tesseract reads each cell as its own text block and can never merge text across
    columns (the garbling seen on multi-column forms when reading the whole page).
    Words are mapped back to ``image`` pixels and tagged with their cell index.
    Returns words cell by cell (in ``cells`` order), Tesseract's order within a cell.
    """
    placed: list[tuple[int, Cell]] = []  # (cell index, cell) of the cells with ink
    crops: list[np.ndarray] = []
    for i, c in enumerate(cells):
        crop = image[c.y:c.y + c.h, c.x:c.x + c.w]
        crop = np.where(c.mask > 0, crop, 255).astype(np.uint8)
        if _has_ink(crop):
            placed.append((i, c))
            crops.append(crop)
    out: list[OcrWord] = []
    start = 0
    while start < len(crops):
        # fill one canvas
        y, end, width = CELL_GAP_PX, start, 0
        positions = []
        while end < len(crops) and (end == start or y + crops[end].shape[0] <= MAX_CANVAS_PX):
            positions.append(y)
            y += crops[end].shape[0] + CELL_GAP_PX
            width = max(width, crops[end].shape[1])
            end += 1
        canvas = np.full((y, width + 2 * CELL_GAP_PX), 255, np.uint8)
        for k in range(start, end):
            cy = positions[k - start]
            h, w = crops[k].shape
            canvas[cy:cy + h, CELL_GAP_PX:CELL_GAP_PX + w] = crops[k]
        words = ocr_image(canvas, psm=psm, config=config, lang=lang, dpi=dpi)
        tops = np.array(positions)
        by_cell: dict[int, list[OcrWord]] = {}
        for w in words:
            cy = (w.bbox[1] + w.bbox[3]) / 2
            k = int(np.searchsorted(tops, cy, side="right")) - 1
            if k < 0:
                continue
            idx, c = placed[start + k]
            dx, dy = c.x - CELL_GAP_PX, c.y - positions[k]
            x0, t, x1, b = w.bbox
            box = (min(max(x0 + dx, c.x), c.x + c.w), min(max(t + dy, c.y), c.y + c.h),
                   min(max(x1 + dx, c.x), c.x + c.w), min(max(b + dy, c.y), c.y + c.h))
            by_cell.setdefault(idx, []).append(
                OcrWord(w.text, box, w.confidence, w.block, w.par, w.line, cell=idx,
                        row=c.row))
        for k in range(start, end):
            out.extend(by_cell.get(placed[k][0], []))
        start = end
    return out


def ocr_layout(image: np.ndarray, cells: Sequence[Cell], *, psm: int = DEFAULT_PSM,
               cell_psm: int = DEFAULT_CELL_PSM, config: str = DEFAULT_CONFIG,
               lang: str = "spa", dpi: int | None = 300) -> list[OcrWord]:
    """OCR a whole page whose ruled table ``cells`` are known.

    The page with the cells whitened is read with ``psm`` (titles, paragraphs, text
    outside tables); the cells with :func:`ocr_cells` (``cell_psm``).  The two are
    merged in reading order: each row of cells (:attr:`Cell.row`) goes before
    the first text block that starts below it.  With no cells this is
    :func:`ocr_image`.  Pixel bboxes of ``image``.
    """
    if not cells:
        return ocr_image(image, psm=psm, config=config, lang=lang, dpi=dpi)
    rest = image.copy()
    for c in cells:
        region = rest[c.y:c.y + c.h, c.x:c.x + c.w]
        region[c.mask > 0] = 255
    page_words = ocr_image(rest, psm=psm, config=config, lang=lang, dpi=dpi)
    cell_words = ocr_cells(image, cells, psm=cell_psm, config=config, lang=lang, dpi=dpi)
    # blocks of the page text, in Tesseract order, with their top edge
    blocks: dict[int, list[OcrWord]] = {}
    for w in page_words:
        blocks.setdefault(w.block, []).append(w)
    rows: list[list[OcrWord]] = []  # cell words grouped by table row (Cell.row)
    row_top: list[float] = []
    row_ids: list[int] = []
    for w in cell_words:  # cells come in reading order
        c = cells[w.cell]
        if row_ids and row_ids[-1] == c.row:
            rows[-1].append(w)
        else:
            rows.append([w])
            row_ids.append(c.row)
            row_top.append(c.y)
    out: list[OcrWord] = []
    r = 0
    for ws in blocks.values():
        top = min(w.bbox[1] for w in ws)
        while r < len(rows) and row_top[r] < top:
            out.extend(rows[r])
            r += 1
        out.extend(ws)
    for rest_row in rows[r:]:
        out.extend(rest_row)
    return out


# --------------------------------------------------------------------------- second engine


@dataclass(frozen=True)
class SecondEngine:
    """When and how the second engine (PP-OCR, :mod:`extract.ppocr`) re-reads words.

    A Tesseract word whose confidence is below ``max_conf`` is cut out of the image
    (with a margin of ``pad`` x its height) and read by PP-OCR model ``model``; the
    PP-OCR reading replaces it when its confidence (mean character probability x 100)
    exceeds Tesseract's by more than ``margin`` and it is not the same text up to the
    quote style (PP-OCR writes straight quotes, Tesseract keeps the printed curly ones)
    and spaces (PP-OCR splits '10%' into '10 %'), nor bare punctuation in place of a
    word with a letter or digit (a faint 'y' read as '.'), nor digits only for letters
    only or the reverse ('y' read as '1'), nor has a character outside
    Spanish print (:func:`_spanish_print`).  The other words' ink is whitened out of
    the crop (:func:`_word_crop`).

    Measured on the 32 degraded corpus scan pages (``make bench-ocr``; mean word
    accuracy, Tesseract alone 0.9818): whole lines re-read and chosen per line 0.9806
    at best (PP-OCR glues words and drops spaces after ':'), per word with
    ``max_conf`` 60 / 80 / 93 / 97: 0.9855 / 0.9872 / 0.9882 / 0.9882 (margin 5);
    margin 0 / 5 / 10 / 20 at 93: 0.9879 / 0.9882 / 0.9880 / 0.9875.  Word crops also
    cost less: PP-OCR's time grows with the width it reads.  With the guards of
    :func:`choose_reading` and neighbours whitened out of the crops (which the corpus
    scans needed: no dataset of theirs may get worse), ``make bench-ocr`` seed 2026:
    degraded pages Tesseract alone 0.9788, with the second opinion 0.9873 (plain
    ``tesseract -l spa`` 0.8027, PP-OCR alone 0.9818); corpus scan pages 0.9980 ->
    0.9981, CPU 3.23 -> 3.77 s/page.  With low-dpi scans drawn from their own pixels
    (:func:`extract.preprocess.render_page`) and the two later guards (no reading with more words than
    Tesseract's word, none that only drops Tesseract's accents): degraded pages
    Tesseract alone 0.9840, with the second opinion 0.9895 -> 0.9900.
    """

    name: str = "ppocr"
    model: str = "small"
    max_conf: float = 93.0
    margin: float = 5.0
    pad: float = 0.25
    empty_cells: bool = True
    min_cell_conf: float = 90.0
    max_cell_line_px: int = 90

    def key(self) -> dict[str, Any]:
        """Every setting, for the OCR cache key."""
        return asdict(self)

    def validate(self) -> None:
        """Raise ``ValueError`` for a setting out of range and :class:`OcrError` when
        the engine is not installed (the message has the ``pip install`` line)."""
        from extract import ppocr

        if self.name != "ppocr":
            raise ValueError(f"second OCR engine {self.name!r}: only 'ppocr' is known")
        if self.model not in ppocr.MODELS:
            raise ValueError(f"PP-OCR model {self.model!r}: expected one of {', '.join(ppocr.MODELS)}")
        if not 0 <= self.max_conf <= 100:
            raise ValueError(f"max_conf {self.max_conf}: a Tesseract confidence, 0-100")
        if not -100 <= self.margin <= 100:
            raise ValueError(f"margin {self.margin}: a difference of confidences, -100..100")
        if not 0 <= self.pad <= 2:
            raise ValueError(f"pad {self.pad}: a fraction of the word height, 0-2")
        ppocr.probe(self.model)

    def engine_id(self) -> dict[str, Any]:
        from extract import ppocr

        return ppocr.engine_id(self.model)


DEFAULT_SECOND = SecondEngine()

SECOND_ENGINE_ENV = "OCR_SECOND_ENGINE"
"""Environment variable choosing the pipeline's second engine: ``ppocr`` (the default,
:data:`DEFAULT_SECOND`) or ``none`` (Tesseract alone)."""
SECOND_ENGINES: dict[str, SecondEngine | None] = {"ppocr": DEFAULT_SECOND, "none": None}


def second_engine_setting() -> SecondEngine | None:
    """The pipeline's second engine per ``$OCR_SECOND_ENGINE`` (:data:`SECOND_ENGINES`;
    unset or empty: ``ppocr``).  Raises ``ValueError`` for another value."""
    value = os.environ.get(SECOND_ENGINE_ENV, "").strip().lower() or "ppocr"
    if value not in SECOND_ENGINES:
        raise ValueError(f"${SECOND_ENGINE_ENV}={value!r}: expected one of "
                         f"{', '.join(SECOND_ENGINES)}")
    return SECOND_ENGINES[value]

_QUOTES = str.maketrans({'"': "”", "“": "”", "«": "”", "»": "”", "'": "’", "‘": "’"})


def _word_crop(image: np.ndarray, bbox: tuple[float, float, float, float], pad: float,
               others: np.ndarray | None = None, own: int = -1) -> np.ndarray:
    """The word ``bbox`` of ``image`` with a margin of ``pad`` x its height (at least
    20 px of height is assumed, so a short '.' keeps some context).  ``others``: the
    ``(n, 4)`` pixel bboxes of the page's words (row ``own`` is this word's, skipped);
    what of the others falls in the margin is painted white, so the crop holds this word only (with neighbours' letters in the
    margin PP-OCR read 'S' as 'Se' and 'A' as 'AA' on the corpus scans)."""
    x0, t, x1, b = bbox
    lh = max(b - t, 20.0)
    px, py = int(pad * lh) + 3, int(0.8 * pad * lh) + 3
    h, w = image.shape[:2]
    cy0, cy1 = max(0, int(t) - py), min(h, int(b) + py)
    cx0, cx1 = max(0, int(x0) - px), min(w, int(x1) + px)
    crop = image[cy0:cy1, cx0:cx1]
    if others is None or not len(others):
        return crop
    hit = ((others[:, 0] < cx1) & (others[:, 2] > cx0) & (others[:, 1] < cy1)
           & (others[:, 3] > cy0))
    if 0 <= own < len(hit):
        hit[own] = False
    if not hit.any():
        return crop
    crop = crop.copy()
    own = crop[max(0, int(t) - cy0):max(0, int(np.ceil(b)) - cy0),
               max(0, int(x0) - cx0):max(0, int(np.ceil(x1)) - cx0)].copy()
    for ox0, oy0, ox1, oy1 in others[hit]:
        crop[max(0, int(oy0) - cy0):max(0, int(np.ceil(oy1)) - cy0),
             max(0, int(ox0) - cx0):max(0, int(np.ceil(ox1)) - cx0)] = 255
    crop[max(0, int(t) - cy0):max(0, int(t) - cy0) + own.shape[0],
         max(0, int(x0) - cx0):max(0, int(x0) - cx0) + own.shape[1]] = own
    return crop


def _spanish_print(text: str) -> bool:
    """True when every character of ``text`` is one a Spanish print carries: ASCII, the
    Latin-1 and Latin Extended-A letters and signs (á ñ ü ° º « »), the general
    punctuation block (dashes, curly quotes, bullet, ellipsis) and €.  PP-OCR's list
    also has CJK characters, Roman-numeral signs and full-width forms: on the corpus
    scans it read bullets as '日' and '。' and 'III.' as 'ⅢII.'."""
    return all(c.isascii() or 0xA0 <= ord(c) <= 0x17F or 0x2010 <= ord(c) <= 0x206F
               or c == "€" for c in text)


def _unaccented(text: str) -> str:
    """``text`` without combining marks (NFD, marks dropped): 'Ñandú' -> 'Nandu'."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _accents(text: str) -> int:
    """How many combining marks ``text`` has once decomposed (NFD)."""
    return sum(1 for c in unicodedata.normalize("NFD", text) if unicodedata.combining(c))


def choose_reading(word: OcrWord, text: str, conf: float, engine: SecondEngine) -> OcrWord:
    """``word`` (Tesseract's) or the second engine's reading ``text`` with confidence
    ``conf`` (0-100), per :class:`SecondEngine`'s rule; the reading is post-corrected
    with :func:`fix_token` first."""
    text = fix_token(unicodedata.normalize("NFC", text).strip())
    if not text or word.confidence >= engine.max_conf or text == word.text:
        return word
    if not _spanish_print(text):
        return word  # a character outside Spanish print ('•' read as '日')
    if text.replace(" ", "").translate(_QUOTES) == word.text.translate(_QUOTES):
        return word  # the same letters: Tesseract's word boundaries are kept ('10%')
    if any(c.isalnum() for c in word.text) and not any(c.isalnum() for c in text):
        return word  # a letter or digit read as bare punctuation ('y' -> '.')
    if (word.text.isalpha() and text.isdigit()) or (word.text.isdigit() and text.isalpha()):
        return word  # a word of letters read as digits or back ('y' -> '1')
    if len(text.split()) > len(word.text.split()):
        return word  # the neighbours' words read too ('estrategias' -> 'estrategias y la')
    if _unaccented(text) == _unaccented(word.text) and _accents(text) < _accents(word.text):
        return word  # the same letters without Tesseract's accents ('podría' -> 'podria')
    if conf > word.confidence + engine.margin:
        return replace(word, text=text, confidence=round(conf, 2), engine=engine.name)
    return word


def _ink_box(crop: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(x0, y0, x1, y1)`` (end exclusive) of the pixels darker than 128 in ``crop``."""
    ys, xs = np.nonzero(crop < 128)
    if not len(ys):
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def read_empty_cells(image: np.ndarray, words: Sequence[OcrWord], cells: Sequence[Cell],
                     engine: SecondEngine) -> list[OcrWord]:
    """Table cells with ink where Tesseract found no word (a lone '4' or '%' in a small
    cell of a degraded scan), read by the second engine when their ink is one line high
    (at most :attr:`SecondEngine.max_cell_line_px`); its words are kept when the
    reading's confidence is at least :attr:`SecondEngine.min_cell_conf` and it has a
    letter or digit.  Returns ``words`` with those inserted in cell order."""
    from extract import ppocr

    read = {w.cell for w in words if w.cell >= 0}
    todo: list[tuple[int, tuple[int, int, int, int], np.ndarray]] = []
    for i, c in enumerate(cells):
        if i in read:
            continue
        crop = np.where(c.mask > 0, image[c.y:c.y + c.h, c.x:c.x + c.w], 255).astype(np.uint8)
        if not _has_ink(crop):
            continue
        box = _ink_box(crop)
        if box is None or box[3] - box[1] > engine.max_cell_line_px:
            continue
        x0, y0, x1, y1 = box
        m = max(4, (y1 - y0) // 3)
        todo.append((i, (c.x + x0, c.y + y0, c.x + x1, c.y + y1),
                     cv2.copyMakeBorder(crop[y0:y1, x0:x1], m, m, m, m, cv2.BORDER_CONSTANT,
                                        value=255)))
    if not todo:
        return list(words)
    readings = ppocr.recognize_lines([t[2] for t in todo], engine.model)
    out = list(words)
    for (i, (bx0, by0, bx1, by1), crop), r in zip(todo, readings):
        if (100.0 * r.score < engine.min_cell_conf or not any(ch.isalnum() for ch in r.text)
                or not _spanish_print(r.text)):
            continue
        m = max(4, (by1 - by0) // 3)
        new = [OcrWord(fix_token(t), (float(bx0 + x0 - m), float(by0), float(bx0 + x1 - m), float(by1)),
                       conf, 0, 0, 0, cell=i, row=cells[i].row, engine=engine.name)
               for t, conf, x0, x1 in ppocr.words_of(r)]
        at = next((k for k, w in enumerate(out) if w.cell > i), None)
        if at is None:
            at = max((k + 1 for k, w in enumerate(out) if w.cell >= 0), default=len(out))
        out[at:at] = new
    return out


def second_opinion(image: np.ndarray, words: Sequence[OcrWord],
                   engine: SecondEngine | None = DEFAULT_SECOND,
                   cells: Sequence[Cell] = ()) -> list[OcrWord]:
    """``words`` (Tesseract's, pixel bboxes of ``image``) with the low-confidence ones
    re-read by the second engine and replaced where its reading is surer
    (:func:`choose_reading`), and the ruled ``cells`` where Tesseract read nothing
    read by it (:func:`read_empty_cells`).  ``engine=None`` returns the words
    unchanged.  Raises :class:`OcrError` when the engine is not installed."""
    out = list(words)
    if engine is None:
        return out
    from extract import ppocr

    todo = [i for i, w in enumerate(out) if w.confidence < engine.max_conf]
    if todo:
        boxes = np.array([w.bbox for w in out], dtype=np.float64).reshape(-1, 4)
        readings = ppocr.recognize_lines(
            [_word_crop(image, out[i].bbox, engine.pad, boxes, own=i) for i in todo],
            engine.model)
        for i, r in zip(todo, readings):
            out[i] = choose_reading(out[i], r.text, 100.0 * r.score, engine)
    if cells and engine.empty_cells:
        out = read_empty_cells(image, out, cells, engine)
    return out


def motor_of(words: Sequence[OcrWord | Word]) -> str:
    """``'tesseract+ppocr'`` when any word is a PP-OCR reading, else ``'tesseract'``."""
    return "tesseract+ppocr" if any(getattr(w, "engine", "tesseract") != "tesseract"
                                    for w in words) else "tesseract"


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class OcrSettings:
    """Everything that changes the OCR output of a page (all part of the cache key)."""

    lang: str = "spa"
    dpi: int = 300
    psm: int = DEFAULT_PSM
    cell_psm: int = DEFAULT_CELL_PSM
    config: str = DEFAULT_CONFIG
    steps: PreprocessSettings = DEFAULT_STEPS
    second: SecondEngine | None = DEFAULT_SECOND

    def key(self) -> dict[str, Any]:
        """JSON-serialisable form used in the cache key; without a second engine it is
        Tesseract's alone, as before the second engine existed (old cache entries hit)."""
        return {"lang": self.lang, "dpi": self.dpi, "psm": self.psm,
                "cell_psm": self.cell_psm, "config": self.config,
                "steps": self.steps.as_dict(), "cache_version": CACHE_VERSION,
                **({} if self.second is None else {"second": self.second.key()})}

    def engine_id(self) -> dict[str, Any]:
        """The engines' ids for the cache key: Tesseract's (:func:`engine_id`) and, with
        a second engine, ``"second"``: its id (:func:`extract.ppocr.engine_id`)."""
        ids = dict(engine_id(self.lang))
        if self.second is not None:
            ids["second"] = self.second.engine_id()
        return ids


def _page_size_pt(pdf_path: Path, page_number: int) -> tuple[float, float]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[page_number - 1]
        try:
            w, h = page.get_size()  # rotation applied, like the render
        finally:
            page.close()
    finally:
        pdf.close()
    return float(w), float(h)


def _result_to_json(r: OcrResult) -> dict[str, Any]:
    return {"pdf_path": Path(r.pdf_path).name, "page_number": r.page_number, "width": r.width,
            "height": r.height, "texto": r.texto, "confianza": r.confianza,
            "image_sha256": r.image_sha256, "motor": r.motor, "skew_deg": r.skew_deg,
            "words": [[w.text, *w.bbox, w.confidence] for w in r.words]}


def _result_from_json(d: dict[str, Any], pdf_path: str, page_number: int) -> OcrResult:
    """An :class:`OcrResult` from its cache entry (``from_cache=True``)."""
    words = tuple(Word(t, (float(a), float(b), float(c), float(e)), float(conf))
                  for t, a, b, c, e, conf in d["words"])
    return OcrResult(words=words, texto=d["texto"], confianza=float(d["confianza"]),
                     image_sha256=d["image_sha256"], pdf_path=pdf_path,
                     page_number=page_number, width=float(d["width"]),
                     height=float(d["height"]), from_cache=True,
                     motor=str(d.get("motor") or "tesseract"),
                     skew_deg=float(d.get("skew_deg") or 0.0))


def _to_points(bbox: tuple[float, float, float, float], sx: float, sy: float
               ) -> tuple[float, float, float, float]:
    """Pixel bbox on the (deskewed) prepared image -> PDF points on the straightened
    page (``OcrResult.skew_deg`` says by how much it was turned)."""
    x0, t, x1, b = bbox
    return (round(x0 * sx, 2), round(t * sy, 2), round(x1 * sx, 2), round(b * sy, 2))


def ocr_page(pdf_path: str | Path, page_number: int, *, cache_dir: Path | OcrCache | None,
             dpi: int = 300, lang: str = "spa", psm: int = DEFAULT_PSM,
             cell_psm: int = DEFAULT_CELL_PSM, config: str = DEFAULT_CONFIG,
             steps: PreprocessSettings = DEFAULT_STEPS, tables: bool = False,
             second: SecondEngine | None = DEFAULT_SECOND) -> OcrResult:
    """OCR page ``page_number`` (1-based) of ``pdf_path``.

    Renders the page at ``dpi`` (grayscale), preprocesses it with ``steps`` and runs
    Tesseract (``lang``, ``psm``, ``config``), then lets the ``second`` engine re-read
    Tesseract's unsure words (:func:`second_opinion`; ``None``: Tesseract alone).  Word
    bboxes are converted from pixels of the deskewed image to PDF points (``pt = px *
    72 / dpi``, top-left origin, page size as rendered): they are on the page as
    straightened, ``OcrResult.skew_deg`` the angle undone.
    With ``cache_dir`` the result is read from / written to the disk cache
    (:class:`extract.tesseract.OcrCache`, kind ``'page'``: rendered image hash +
    :meth:`OcrSettings.key` + engine id), so an unchanged page is never OCRed twice;
    ``cache_dir=None`` disables caching.

    ``tables=True`` also finds the ruled tables of the page on the same rendered image,
    straightened like the words (:func:`extract.tables_image.find_image_tables`, its cell re-reads through the same
    cache): ``OcrResult.tablas``, or ``OcrResult.tablas_error`` holding the exception
    when that failed (the OCR itself is kept).  The page is rendered once for both.

    Raises :class:`OcrError` (message names file and page) when the PDF cannot be
    rendered, Tesseract or the language pack is missing, or Tesseract fails.
    """
    path = Path(pdf_path)
    settings = OcrSettings(lang=lang, dpi=dpi, psm=psm, cell_psm=cell_psm, config=config,
                           steps=steps, second=second)
    try:
        image = render_page(path, page_number, dpi)
    except RenderError as exc:
        raise OcrError(f"cannot render page: {exc}", path, page_number) from exc
    sha = image_sha256(image)
    try:
        engine = settings.engine_id()
    except OcrError as exc:
        raise OcrError(str(exc), path, page_number) from None
    store = as_cache(cache_dir)
    key = None
    result = None
    if store is not None:
        key = store.key("page", sha, settings.key(), engine)
        cached = store.load(key)
        if cached is not None:
            result = _result_from_json(cached, str(path), page_number)
    if result is None:
        result = _ocr_rendered(image, sha, path, page_number, settings)
        if store is not None and key is not None:
            payload = _result_to_json(result)
            payload["settings"] = settings.key()
            payload["engine"] = engine
            store.save(key, payload)
    if tables:
        from extract.tables_image import find_image_tables

        try:
            gray = straightened(image, result.skew_deg)
            found = find_image_tables(gray, result.width, result.height, result.words,
                                      page_number, cache=store)
            result = replace(result, tablas=tuple(found),
                             cues=image_cues(gray, result.width, result.height))
        except Exception as exc:  # the caller reports it (etapa tablas); the OCR stays
            result = replace(result, tablas=None, cues=None, tablas_error=exc)
    return result


def _ocr_rendered(image: np.ndarray, sha: str, path: Path, page_number: int,
                  settings: OcrSettings) -> OcrResult:
    """The OCR of the rendered page ``image`` (no cache): preprocessing, Tesseract,
    words in points."""
    width_pt, height_pt = _page_size_pt(path, page_number)
    prepared = prepare_page(image, settings.steps)
    try:
        ocr_words = ocr_layout(prepared.image, prepared.cells, psm=settings.psm,
                               cell_psm=settings.cell_psm, config=settings.config,
                               lang=settings.lang, dpi=settings.dpi)
        ocr_words = second_opinion(prepared.image, ocr_words, settings.second, prepared.cells)
    except OcrError as exc:
        raise OcrError(str(exc), path, page_number) from exc.__cause__
    sx = width_pt / image.shape[1]
    sy = height_pt / image.shape[0]
    words = tuple(Word(w.text, _to_points(w.bbox, sx, sy), w.confidence)
                  for w in ocr_words)
    conf = float(np.mean([w.confidence for w in ocr_words])) if ocr_words else 0.0
    return OcrResult(words=words, texto=text_of(ocr_words), confianza=round(conf, 2),
                     image_sha256=sha, pdf_path=str(path), page_number=page_number,
                     width=width_pt, height=height_pt, motor=motor_of(ocr_words),
                     skew_deg=prepared.skew_deg)


def _init_worker() -> None:
    # One Tesseract thread per worker process: with N workers on N cores, OpenMP
    # threads inside each tesseract would only oversubscribe the CPU.
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _ocr_page_task(args: tuple[str, int, dict[str, Any]]) -> OcrResult:
    pdf_path, page_number, kwargs = args
    return ocr_page(pdf_path, page_number, **kwargs)


def ocr_pages(pdf_path: str | Path, page_numbers: Sequence[int], *, cache_dir: Path | None,
              jobs: int = 1, dpi: int = 300, lang: str = "spa", psm: int = DEFAULT_PSM,
              cell_psm: int = DEFAULT_CELL_PSM, config: str = DEFAULT_CONFIG,
              steps: PreprocessSettings = DEFAULT_STEPS, tables: bool = False,
              second: SecondEngine | None = DEFAULT_SECOND) -> list[OcrResult]:
    """OCR several pages of one PDF; returns one :class:`OcrResult` per page, in the
    order of ``page_numbers`` (1-based).

    ``jobs > 1`` runs pages in a ``ProcessPoolExecutor`` of ``min(jobs, len(pages))``
    workers, each with ``OMP_THREAD_LIMIT=1``; ``jobs <= 1`` runs in this process
    (also with ``OMP_THREAD_LIMIT=1`` for the Tesseract subprocesses), and so does a
    daemonic process (a Dask worker, which may not have child processes).  Other
    arguments as :func:`ocr_page`.  Raises the first :class:`OcrError` met (in page
    order); any other worker failure is wrapped in an :class:`OcrError` naming the
    page.
    """
    pages = [int(p) for p in page_numbers]
    if not pages:
        return []
    # Fail fast, once, with the install hint instead of once per page.
    try:
        tesseract_version()
        check_language(lang)
        if second is not None:
            second.validate()
    except OcrError as exc:
        raise OcrError(str(exc), pdf_path) from None
    kwargs = dict(cache_dir=cache_dir, dpi=dpi, lang=lang, psm=psm, cell_psm=cell_psm,
                  config=config, steps=steps, tables=tables, second=second)
    tasks = [(str(pdf_path), p, kwargs) for p in pages]
    if multiprocessing.current_process().daemon:
        jobs = 1  # a daemonic process (a Dask worker) may not start a pool
    if jobs <= 1 or len(pages) == 1:
        old = os.environ.get("OMP_THREAD_LIMIT")
        os.environ["OMP_THREAD_LIMIT"] = "1"
        try:
            return [_ocr_page_task(t) for t in tasks]
        finally:
            if old is None:
                os.environ.pop("OMP_THREAD_LIMIT", None)
            else:
                os.environ["OMP_THREAD_LIMIT"] = old
    results: list[OcrResult] = []
    with ProcessPoolExecutor(max_workers=min(jobs, len(pages)),
                             initializer=_init_worker) as pool:
        futures = [pool.submit(_ocr_page_task, t) for t in tasks]
        for page, fut in zip(pages, futures):
            try:
                results.append(fut.result())
            except OcrError:
                for f in futures:
                    f.cancel()
                raise
            except Exception as exc:
                for f in futures:
                    f.cancel()
                raise OcrError(f"OCR worker failed: {type(exc).__name__}: {exc}",
                               pdf_path, page) from exc
    return results
