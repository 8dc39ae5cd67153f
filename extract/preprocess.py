"""Page rendering and image preprocessing before OCR (OpenCV, NumPy).

Images are ``numpy.ndarray`` of dtype ``uint8``: shape ``(height, width)`` for
grayscale (0 = black, 255 = white), ``(height, width, 3|4)`` for colour.  Pixel
geometry relates to PDF points by ``px = pt * dpi / 72``.

Every step is a small pure function; :func:`preprocess` / :func:`prepare_page`
chain them with the settings measured on the scanned corpus (:data:`DEFAULT_STEPS`).

Measured (mean word accuracy over the 32 scanned corpus pages, score.py's formula,
Tesseract 5.3.0 ``spa``, 300 dpi; each row adds to / varies the one above):

    plain ``tesseract page.png - -l spa`` (no --dpi)            0.875
    same image, ``--dpi 300``                                    0.942
    + deskew                                                     0.942
    + table rules removed                                        0.951
    + background flattened (shaded header cells)                 0.962
    + ruled cells read separately (``extract.ocr``)              0.968
    + paper whitened (level 235)                                 0.976
    + glyph post-correction (N°, bullets, I; ``extract.ocr``)    0.995
    + short row dividers in the rule mask, 2 px wider removal,
      "10 %" / "cP" fixes                                        0.998
    variants of the final chain: Otsu binarization 0.991, adaptive (on an earlier
    chain) 0.772, 3x3 median denoise 0.998 (+0.0001, noise), no deskew 0.997,
    paper level 225 0.998 (worse on the POA scan).

So Tesseract is given a clean *grayscale* image, not a binarized one: its own
thresholding does better once the paper is white and the shading gone.

Bad scans (``make bench-ocr``'s 32 degraded copies of those pages: 150 dpi, rotated
1-2 degrees, gaussian noise, JPEG quality 50, seed 2026; our Tesseract stage alone,
each variant applied before the chain above):

    pdfium's 300 dpi render of the 150 dpi scan                  0.9788
    + 3x3 median / 3x3 gaussian / 5x5 median                     0.9757 / 0.9765 / 0.8909
    + bilateral filter                                           0.9526
    scan's own pixels enlarged to 300 dpi, bicubic (kept)        0.9850
      Lanczos instead of bicubic                                 0.9816
      + non-local means before / 3x3 median after enlarging      0.9834 / 0.9838
      + median before enlarging                                  0.8581
      + unsharp mask                                             0.9834
      + paper level 215 / 245 instead of 235                     0.9765 / 0.9814

Despeckling and contrast changes cost accuracy: they thin the rules that find the
table cells and the thin strokes of small print, and Tesseract's own thresholding
already ignores the noise once the paper is whitened; they are left out.  Bicubic
enlargement pays only below :data:`LOW_DPI`: on the 200 dpi corpus scans pdfium's
render 0.9980 beats bicubic 0.9955 and bilinear 0.9958.  Deskew (:func:`estimate_skew`)
searches +-5 degrees (tests: a corpus scan turned 4.5 degrees either way).

Bands printed white on black (header rows of the shaded-rows POA print) are turned
dark-on-light first (:func:`invert_dark_bands`): on the scanned prints of the digital
corpus POA operations went from 0.597 to 0.720 (their headers' labels are read); the
corpus scans, which have no such band, read the same words.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

Binarize = Literal["none", "otsu", "adaptive"]
Denoise = Literal["none", "median", "nlmeans"]


@dataclass(frozen=True)
class PreprocessSettings:
    """Which preprocessing steps :func:`preprocess` applies.

    ``deskew``: estimate the skew and rotate when ``|angle| > deskew_min_deg``.
    ``denoise``: ``'none'``, ``'median'`` (3x3 median) or ``'nlmeans'``
    (``cv2.fastNlMeansDenoising``).  ``binarize``: ``'none'`` (keep grayscale),
    ``'otsu'`` (global) or ``'adaptive'`` (Gaussian-weighted local threshold).
    ``remove_lines``: whiten long horizontal/vertical rules (table borders) so
    Tesseract's layout analysis sees text cells instead of one big graphic.
    ``flatten``: divide by a background estimate so shaded (gray) table cells and
    uneven lighting become white paper (see :func:`flatten_background`).
    ``paper_level``: if > 0, stretch levels so every pixel at least this light becomes
    pure white (:func:`whiten_paper`), removing the paper texture Tesseract's own
    thresholding otherwise turns into phantom letters on near-empty areas.
    ``cells``: find ruled table cells (:func:`find_cells`) so the OCR stage can read
    each cell on its own instead of letting Tesseract merge text across columns.
    ``invert_dark``: turn bands printed white on black into dark print on light
    (:func:`invert_dark_bands`) before the other steps.
    """

    deskew: bool = True
    deskew_min_deg: float = 0.3
    denoise: Denoise = "none"
    binarize: Binarize = "none"
    remove_lines: bool = True
    flatten: bool = False
    paper_level: int = 0
    cells: bool = False
    invert_dark: bool = False

    def as_dict(self) -> dict:
        """Plain dict (JSON-serialisable), used in the OCR cache key."""
        return asdict(self)


DEFAULT_STEPS = PreprocessSettings(deskew=True, denoise="none", binarize="none",
                                   remove_lines=True, flatten=True, paper_level=235,
                                   cells=True, invert_dark=True)
"""The settings chosen by measurement (see the module docstring)."""


class RenderError(Exception):
    """A PDF page could not be rendered (missing file, bad page number, broken PDF)."""


MAX_RENDER_PIXELS = 89_478_485
"""Pixel cap of one rendered page (width x height): Pillow's decompression-bomb limit
``PIL.Image.MAX_IMAGE_PIXELS``.  An A1 sheet at 300 dpi fits (69.7 Mpx); a 200 x 200
inch page (the largest PDF allows: 3.6 Gpx at 300 dpi) is refused, not a MemoryError."""


SCAN_COVER = 0.9
"""Share of the page area one image must cover for the page to count as a scan in
:func:`scan_image` (a scanner writes one image per page, edge to edge)."""


def scan_image(page) -> tuple[object, float] | None:
    """``(image object, resolution in dpi)`` of a bare scanned ``pypdfium2.PdfPage``: one
    image object at the page's top level covering at least :data:`SCAN_COVER` of the page,
    and nothing else drawn (an OCR text layer in invisible text is allowed).  ``None``
    for any other page (a digital page, a scan with stamps or text drawn over it, an
    image inside a form XObject).  The resolution is ``sqrt(pixels / area in square
    inches)``, so a rotated image gives the same value."""
    import pypdfium2.raw as pdfium_c

    w, h = page.get_size()
    image = None
    for obj in page.get_objects(max_depth=0):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT and (pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw)
                                                      == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE):
            continue
        if obj.type != pdfium_c.FPDF_PAGEOBJ_IMAGE or image is not None:
            return None
        image = obj
    if image is None:
        return None
    left, bottom, right, top = image.get_bounds()
    area = max(0.0, right - left) * max(0.0, top - bottom)
    if area < SCAN_COVER * w * h:
        return None
    px_w, px_h = image.get_px_size()
    return image, float(np.sqrt(px_w * px_h / (area / 72.0 ** 2)))


def _enlarge_scan(page, image, dpi: int, size: tuple[int, int]) -> np.ndarray | None:
    """The scan ``image`` of ``page`` drawn on a white ``size`` (width, height) canvas at
    ``dpi`` with bicubic interpolation, from the image's own pixels (pdfium smooths an
    image even when rendering it at its own resolution).  ``None`` when the page is
    rotated (``/Rotate``) or the pixels cannot be decoded: the caller renders instead."""
    if page.get_rotation() % 360:
        return None
    try:
        pixels = to_grayscale(np.ascontiguousarray(image.get_bitmap(render=False).to_numpy()))
    except Exception:  # an undecodable or unusual image format: let pdfium render it
        return None
    ph, pw = pixels.shape[:2]
    a, b, c, d, e, f = image.get_matrix().get()
    left, _, _, top = page.get_cropbox()
    k = dpi / 72.0
    # image pixel (u, v), v down -> unit square (u / pw, 1 - v / ph) -> page (PDF space,
    # y up) by the image matrix -> canvas pixels (x right, y down) at dpi
    unit = np.array([[1.0 / pw, 0.0, 0.0], [0.0, -1.0 / ph, 1.0], [0.0, 0.0, 1.0]])
    to_page = np.array([[a, c, e], [b, d, f], [0.0, 0.0, 1.0]])
    to_canvas = np.array([[k, 0.0, -k * left], [0.0, -k, k * top], [0.0, 0.0, 1.0]])
    m = (to_canvas @ to_page @ unit)[:2]
    # pixel centres: OpenCV maps pixel centre (0, 0) to the image's first pixel centre
    m[:, 2] += m[:, 0] * 0.5 + m[:, 1] * 0.5 - 0.5
    return cv2.warpAffine(pixels, m, size, flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


LOW_DPI = 175.0
"""Below this scan resolution :func:`render_page` enlarges the scan itself (bicubic)
instead of letting pdfium render it at the target dpi.  Measured with our Tesseract
stage (``make bench-ocr`` pages, word accuracy, pdfium render -> bicubic): 32 degraded
corpus scan pages at 150 dpi 0.9788 -> 0.9850 (Lanczos 0.9816); the 32
corpus scan pages at 200 dpi 0.9980 -> 0.9955 (bilinear 0.9958).  So 200 dpi scans keep
pdfium's render and 150 dpi ones are enlarged; 175 is the midpoint."""


def render_page(pdf_path: str | Path, page_number: int, dpi: int = 300) -> np.ndarray:
    """Render one page of ``pdf_path`` to a grayscale image with pypdfium2.

    ``page_number`` is 1-based.  Returns a ``uint8`` array of shape
    ``(ceil(height_pt * dpi / 72), ceil(width_pt * dpi / 72))``, page rotation
    applied as a viewer would show it.

    A scanned page whose image has less than :data:`LOW_DPI` (:func:`scan_image`: a 150 dpi
    photocopy) is drawn from the image's own pixels, enlarged to that shape with
    bicubic interpolation (``cv2.INTER_CUBIC``), which OCR reads better than pdfium's
    smoother enlargement (figures at :data:`LOW_DPI`).

    Raises :class:`RenderError` when the file is missing, unreadable, the page number
    is out of range, or the image would exceed :data:`MAX_RENDER_PIXELS`.
    """
    import math

    import pypdfium2 as pdfium

    path = Path(pdf_path)
    if not path.is_file():
        raise RenderError(f"{path}: no such file")
    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception as exc:  # pdfium raises PdfiumError; keep the message
        raise RenderError(f"{path}: cannot open PDF ({exc})") from exc
    try:
        n = len(pdf)
        if not 1 <= page_number <= n:
            raise RenderError(f"{path}: page {page_number} out of range 1..{n}")
        page = pdf[page_number - 1]
        try:
            w, h = page.get_size()
            if round(w * dpi / 72) * round(h * dpi / 72) > MAX_RENDER_PIXELS:
                raise RenderError(f"{path}: page {page_number} is {w / 72:.0f} x {h / 72:.0f} in, over "
                                  f"{MAX_RENDER_PIXELS:,} px at {dpi} dpi")
            arr = None
            scan = scan_image(page)
            if scan is not None and scan[1] < min(LOW_DPI, dpi - 1):
                # the shape pypdfium2 gives a render at dpi / 72
                size = (math.ceil(page.get_width() * dpi / 72), math.ceil(page.get_height() * dpi / 72))
                arr = _enlarge_scan(page, scan[0], dpi, size)
            if arr is None:
                arr = page.render(scale=dpi / 72, grayscale=True).to_numpy()
        finally:
            page.close()
    finally:
        pdf.close()
    return to_grayscale(np.ascontiguousarray(arr))


def to_grayscale(image: np.ndarray) -> np.ndarray:
    """Return a 2-D ``uint8`` grayscale copy of a gray / BGR / BGRA / (H, W, 1) image."""
    if image.ndim == 2:
        return image.astype(np.uint8, copy=False)
    if image.ndim == 3 and image.shape[2] == 1:
        return np.ascontiguousarray(image[:, :, 0])
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    raise ValueError(f"unsupported image shape {image.shape}")


def estimate_skew(gray: np.ndarray, max_deg: float = 5.0, step_deg: float = 0.1) -> float:
    """Estimate the page skew in degrees (positive = content rotated counter-clockwise).

    Projection-profile method: on a dark-pixel mask downscaled to ~1000 px wide,
    try angles in ``[-max_deg, max_deg]`` (coarse 0.5° then fine ``step_deg``) and
    keep the one whose row sums have the largest variance (text lines and rules
    become sharp peaks when horizontal).  Returns 0.0 for an empty page.
    """
    scale = min(1.0, 1000.0 / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, mask = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if cv2.countNonZero(mask) < 50:
        return 0.0
    h, w = mask.shape
    center = (w / 2, h / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(center, angle, 1.0)
        rot = cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        rows = rot.sum(axis=1, dtype=np.float64)
        return float(np.var(rows))

    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, step_deg)
    best = max(fine, key=score)
    # rotating by ``best`` straightens the page, so the content is skewed by -best
    return float(-round(best, 2))


def deskew(gray: np.ndarray, angle_deg: float | None = None, min_deg: float = 0.3) -> np.ndarray:
    """Rotate ``gray`` to undo a skew of ``angle_deg`` (estimated when ``None``).

    Does nothing (returns the input) when ``|angle| <= min_deg``: a tiny rotation
    only blurs glyphs through interpolation.  The canvas size is kept; uncovered
    corners are filled white.  Bicubic interpolation.
    """
    angle = estimate_skew(gray) if angle_deg is None else angle_deg
    if abs(angle) <= min_deg:
        return gray
    h, w = gray.shape[:2]
    return cv2.warpAffine(gray, _rotation(w, h, angle), (w, h), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def straightened(image: np.ndarray, skew_deg: float) -> np.ndarray:
    """``image`` in grayscale, turned to undo ``skew_deg`` (the angle :func:`prepare_page`
    found and applied, ``PreparedPage.skew_deg``): the same pixels the OCR read, before
    its other steps, for the stages that look at the page image again (ruled tables).
    ``skew_deg == 0``: the grayscale image as is."""
    gray = to_grayscale(image)
    return deskew(gray, skew_deg, 0.0) if skew_deg else gray


def _rotation(w: int, h: int, skew_deg: float) -> np.ndarray:
    """2x3 affine matrix that undoes ``skew_deg`` about the centre of a w x h image."""
    return cv2.getRotationMatrix2D((w / 2, h / 2), -skew_deg, 1.0)


def denoise(gray: np.ndarray, method: Denoise = "median") -> np.ndarray:
    """Reduce scanner speckle / JPEG noise.

    ``'median'``: 3x3 median blur (cheap, keeps edges).  ``'nlmeans'``:
    ``cv2.fastNlMeansDenoising(h=10)`` (stronger, ~1-2 s per 300 dpi page).
    ``'none'``: return the input.
    """
    if method == "none":
        return gray
    if method == "median":
        return cv2.medianBlur(gray, 3)
    if method == "nlmeans":
        return cv2.fastNlMeansDenoising(gray, None, h=10, templateWindowSize=7,
                                        searchWindowSize=21)
    raise ValueError(f"unknown denoise method {method!r}")


DARK_BACKGROUND = 128
"""A background darker than this (0-255) is a dark band, not paper or shading."""


def print_free_background(gray: np.ndarray, f: float = 0.5, kernel_px: int = 5) -> np.ndarray:
    """The page's background with the print taken off: ``gray`` scaled by ``f`` (area
    averaging), then a grey closing with a ``kernel_px`` square, wider than any stroke
    at that scale (5 px at 150 dpi = 2.4 pt; bold headings are ~1.5 pt).  Paper, shading
    and dark bands stay (white print on a dark band partly whitens it).  Shared by
    :func:`invert_dark_bands` and :mod:`extract.image_cues`."""
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    return cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (kernel_px, kernel_px)))


def invert_dark_bands(gray: np.ndarray, min_w_px: int = 160, min_h_px: int = 25) -> np.ndarray:
    """``gray`` with its dark bands turned light and their white print dark (a copy; the
    input itself when there is none): header rows printed white on black, which
    Tesseract reads badly as they are ('N°' lost, 'FECHA PREVISTA' as 'FECHAPPREVISTA').
    A band is a box at least ``min_w_px`` x ``min_h_px`` (40 x 6 pt at 300 dpi) whose
    background (:func:`print_free_background`, half size) is darker than
    :data:`DARK_BACKGROUND` over at least 80% of it."""
    dark = (print_free_background(gray) < DARK_BACKGROUND).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=4)
    out = None
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if 2 * w < min_w_px or 2 * h < min_h_px or area < 0.8 * w * h:
            continue
        out = gray.copy() if out is None else out
        x0, y0, x1, y1 = 2 * x, 2 * y, min(gray.shape[1], 2 * (x + w)), min(gray.shape[0], 2 * (y + h))
        out[y0:y1, x0:x1] = 255 - out[y0:y1, x0:x1]
    return gray if out is None else out


def flatten_background(gray: np.ndarray, kernel_px: int = 15) -> np.ndarray:
    """Normalise the paper to white: ``gray / background * 255``.

    The background is a grey-level closing (max filter then min filter) with a
    ``kernel_px`` square, wider than any glyph stroke (bold 10-12 pt text is ~6-8 px
    at 300 dpi), so it keeps shaded cell fills and lighting but not the text.  Dark
    text on a light-gray fill (~200) keeps its contrast while the fill becomes ~255.
    """
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (kernel_px, kernel_px))
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, k)
    return cv2.divide(gray, background, scale=255)


def whiten_paper(gray: np.ndarray, level: int = 225) -> np.ndarray:
    """Linear level stretch ``out = min(255, gray * 255 / level)``: paper texture (here
    240-255 after :func:`flatten_background`) becomes pure white, text and its
    antialiased edges keep their relative darkness."""
    lut = np.clip(np.arange(256, dtype=np.float64) * 255.0 / max(1, level), 0, 255)
    return cv2.LUT(gray, lut.astype(np.uint8))


def binarize(gray: np.ndarray, method: Binarize = "otsu") -> np.ndarray:
    """Threshold ``gray`` to black text on white (values 0/255).

    ``'otsu'``: one global threshold (Otsu).  ``'adaptive'``: Gaussian-weighted
    local mean over a 31 px block minus 15 (copes with uneven lighting / shaded
    cells).  ``'none'``: return the grayscale input unchanged.
    """
    if method == "none":
        return gray
    if method == "otsu":
        _, out = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        return out
    if method == "adaptive":
        return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                     cv2.THRESH_BINARY, 31, 15)
    raise ValueError(f"unknown binarize method {method!r}")


def line_mask(gray: np.ndarray, min_len_px: int | None = None,
              dilate_px: int = 2) -> np.ndarray:
    """Mask (255 = rule pixel) of horizontal and vertical table rules in ``gray``.

    Dark pixels (Otsu) are opened with a ``L x 1`` kernel for horizontal rules,
    ``L = min_len_px`` or 1/30 of the page width (~80-117 px on A4 at 300 dpi, longer
    than any word).  Vertical rules: runs at least ``L`` tall, plus shorter runs (at
    least 1/80 of the short page side, ~31 px) that touch a horizontal rule at both
    ends - the dividers of single-line table rows - while letter stems (which touch at
    most an underline, at one end) are kept.  Gaps of up to 15 px along a rule are closed and the mask is
    dilated by ``dilate_px`` to take the rules' grey antialiased edges too.
    """
    h, w = gray.shape[:2]
    length = min_len_px or max(20, w // 30)
    short = max(15, min(h, w) // 80)
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (1, min(short, length))))
    if short < length:
        # keep a short vertical run only when it is long or touches a horizontal rule
        near_h = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))) > 0
        n, labels, stats, _ = cv2.connectedComponentsWithStats(vert, connectivity=8)
        keep = np.zeros(n, bool)
        for i in range(1, n):
            x, y, cw, ch = (int(v) for v in stats[i, :4])
            keep[i] = ch >= length or (near_h[y:y + 3, x:x + cw].any()
                                       and near_h[y + ch - 3:y + ch, x:x + cw].any())
        vert = np.where(keep[labels], 255, 0).astype(np.uint8)
    # bridge small breaks in scanned rules (up to ~1.3 mm) so cells stay closed
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_CLOSE,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (15, 1)))
    vert = cv2.morphologyEx(vert, cv2.MORPH_CLOSE,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (1, 15)))
    mask = cv2.bitwise_or(horiz, vert)
    if dilate_px > 0:
        k = 2 * dilate_px + 1
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    return mask


@dataclass(frozen=True, eq=False)
class Cell:
    """A table cell interior found by :func:`find_cells`, in pixels (top-left origin).

    ``x, y, w, h`` bound the region; ``mask`` (``uint8``, shape ``(h, w)``, 255 =
    inside) is the exact region, so a cell that encloses other cells (a frame around a
    table) does not claim their pixels.  ``row`` numbers the page's rows of cells
    (cells sharing a top edge), 0-based, top to bottom.
    """

    x: int
    y: int
    w: int
    h: int
    mask: np.ndarray
    row: int = 0

    @property
    def area(self) -> int:
        """Pixels inside the cell."""
        return int(cv2.countNonZero(self.mask))


def find_cells(gray: np.ndarray, rules: np.ndarray | None = None, *, min_px: int = 20,
               max_page_share: float = 0.25) -> list[Cell]:
    """Interiors of ruled table cells: regions of non-rule pixels fully enclosed by rules.

    ``rules`` is :func:`line_mask` of ``gray`` (computed when ``None``).  Regions
    touching the image border are the page background, not cells.  Kept cells are at
    least ``min_px`` wide and high (20 px = 1.7 mm at 300 dpi) and cover at most
    ``max_page_share`` of the page (a frame around free text is better read as
    ordinary page text).  Returned in reading order: rows top to bottom (cells whose
    tops are within 1/3 of the shortest cell's height share a row), then left to
    right.
    """
    if rules is None:
        rules = line_mask(gray)
    H, W = gray.shape[:2]
    free = cv2.bitwise_not(rules)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    cells: list[Cell] = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if x == 0 or y == 0 or x + w >= W or y + h >= H:
            continue
        if w < min_px or h < min_px or area > max_page_share * W * H:
            continue
        mask = np.where(labels[y:y + h, x:x + w] == i, 255, 0).astype(np.uint8)
        cells.append(Cell(x, y, w, h, mask))
    cells.sort(key=lambda c: (c.y, c.x))
    rows: list[list[Cell]] = []
    for c in cells:
        if rows and abs(c.y - rows[-1][0].y) <= max(3, min(r.h for r in rows[-1]) // 3):
            rows[-1].append(c)
        else:
            rows.append([c])
    return [replace(c, row=r) for r, row in enumerate(rows)
            for c in sorted(row, key=lambda c: c.x)]


def remove_lines(gray: np.ndarray, min_len_px: int | None = None) -> np.ndarray:
    """Whiten the table rules found by :func:`line_mask` (returns a copy)."""
    mask = line_mask(gray, min_len_px)
    out = gray.copy()
    out[mask > 0] = 255
    return out


@dataclass(frozen=True, eq=False)
class PreparedPage:
    """Output of :func:`prepare_page`.

    ``image``: the preprocessed 2-D ``uint8`` image (same size as the input).
    ``cells``: ruled table cells in pixels of ``image`` (empty unless
    ``settings.cells``).  ``skew_deg``: the rotation applied by deskewing (0.0 when
    none); :meth:`to_original` maps points of ``image`` back to the input image.
    """

    image: np.ndarray
    cells: list[Cell]
    skew_deg: float = 0.0

    def to_original(self, x: float, y: float) -> tuple[float, float]:
        """Pixel ``(x, y)`` of :attr:`image` -> the same point in the un-deskewed input."""
        if not self.skew_deg:
            return x, y
        h, w = self.image.shape[:2]
        m = cv2.invertAffineTransform(_rotation(w, h, self.skew_deg))
        return (float(m[0, 0] * x + m[0, 1] * y + m[0, 2]),
                float(m[1, 0] * x + m[1, 1] * y + m[1, 2]))


def prepare_page(image: np.ndarray, settings: PreprocessSettings = DEFAULT_STEPS) -> PreparedPage:
    """Run the preprocessing chain (grayscale -> deskew -> denoise -> flatten -> whiten
    paper -> rule removal -> binarize, each per ``settings``) and, when
    ``settings.cells``, find the ruled table cells on the deskewed, flattened page
    before its rules are removed.  Returns a :class:`PreparedPage` whose image has
    the input's height and width."""
    gray = to_grayscale(image)
    skew = 0.0
    if settings.deskew:
        angle = estimate_skew(gray)
        if abs(angle) > settings.deskew_min_deg:
            gray, skew = deskew(gray, angle, settings.deskew_min_deg), angle
    gray = denoise(gray, settings.denoise)
    if settings.invert_dark:
        gray = invert_dark_bands(gray)
    if settings.flatten:
        gray = flatten_background(gray)
    if settings.paper_level:
        gray = whiten_paper(gray, settings.paper_level)
    cells: list[Cell] = []
    if settings.remove_lines or settings.cells:
        rules = line_mask(gray)
        if settings.cells:
            cells = find_cells(gray, rules)
        if settings.remove_lines:
            gray = gray.copy()
            gray[rules > 0] = 255
    return PreparedPage(binarize(gray, settings.binarize), cells, skew)


def preprocess(image: np.ndarray, settings: PreprocessSettings = DEFAULT_STEPS) -> np.ndarray:
    """Apply the chain of :func:`prepare_page` and return only the image.

    Input: any image accepted by :func:`to_grayscale`.  Output: 2-D ``uint8`` of the
    same height/width (deskew keeps the canvas, rotating about the centre by less
    than a few degrees), so pixel coordinates map to the page by
    ``pt = px * 72 / dpi`` up to that small rotation.
    """
    return prepare_page(image, replace(settings, cells=False)).image
