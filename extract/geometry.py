"""Plane geometry shared by every stage: boxes, 1-D clustering, words into text lines.

All boxes are ``(x0, top, x1, bottom)`` in PDF points with a top-left origin
(:data:`extract.models.BBox`, pdfplumber's convention).  Nothing here knows about
tables or documents; the table strategies, the captions, the form readers and the
title finder all group words into lines with :func:`group_lines`, so there is one rule
for it: **words belong to one line when their vertical centres are close** (within
``tol`` points, or half the word's height, whichever is larger).  Tops are not used:
OCR boxes of one printed line wobble by a few points, and a superscript or a larger
font on the same line has another top but the same centre.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from extract.models import BBox


class HasBBox(Protocol):
    """Anything with a ``bbox`` (words, cells, tables)."""

    @property
    def bbox(self) -> BBox: ...


T = TypeVar("T", bound=HasBBox)


# --------------------------------------------------------------------------- boxes

def union(boxes: Iterable[BBox]) -> BBox:
    """Smallest box holding every box of ``boxes``.  Raises ``ValueError`` when empty."""
    bs = list(boxes)
    if not bs:
        raise ValueError("union of no boxes")
    return (min(b[0] for b in bs), min(b[1] for b in bs),
            max(b[2] for b in bs), max(b[3] for b in bs))


def width(b: BBox) -> float:
    return b[2] - b[0]


def height(b: BBox) -> float:
    return b[3] - b[1]


def area(b: BBox) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def centre(b: BBox) -> tuple[float, float]:
    """``(cx, cy)`` of a box."""
    return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2


def intersection(a: BBox, b: BBox) -> BBox | None:
    """The common part of two boxes, ``None`` when they do not overlap."""
    x0, t, x1, bt = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    if x1 <= x0 or bt <= t:
        return None
    return (x0, t, x1, bt)


def overlap_area(a: BBox, b: BBox) -> float:
    i = intersection(a, b)
    return area(i) if i else 0.0


def overlap_share(a: BBox, b: BBox) -> float:
    """Share 0-1 of the smaller box covered by the other (1 when one holds the other)."""
    small = min(area(a), area(b))
    return overlap_area(a, b) / small if small > 0 else 0.0


def inside(inner: BBox, outer: BBox, tol: float = 0.0) -> bool:
    """True when ``inner`` lies within ``outer`` grown by ``tol`` points on every side."""
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def centre_inside(b: BBox, outer: BBox, tol: float = 0.0) -> bool:
    """True when the centre of ``b`` lies within ``outer`` grown by ``tol``."""
    cx, cy = centre(b)
    return outer[0] - tol <= cx <= outer[2] + tol and outer[1] - tol <= cy <= outer[3] + tol


def grow(b: BBox, d: float) -> BBox:
    return (b[0] - d, b[1] - d, b[2] + d, b[3] + d)


def h_overlap(a: BBox, b: BBox) -> float:
    """Length (pt) of the horizontal overlap of two boxes (0 when disjoint)."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0]))


def v_overlap(a: BBox, b: BBox) -> float:
    """Length (pt) of the vertical overlap of two boxes (0 when disjoint)."""
    return max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


# --------------------------------------------------------------------------- 1-D

def unskew(b: BBox, skew_deg: float, page_width: float, page_height: float) -> BBox:
    """Box ``b`` of a scanned page straightened by ``skew_deg`` degrees (the skew the OCR
    stage undid, :func:`extract.preprocess.deskew`: positive = the scan's content turned
    counter-clockwise) as a box of the page as displayed: its centre turned back about
    the page centre, its size kept (skews are a few degrees).  ``skew_deg == 0``
    returns ``b``."""
    if not skew_deg:
        return b
    a, s = math.cos(math.radians(skew_deg)), math.sin(math.radians(skew_deg))
    px, py = page_width / 2, page_height / 2
    cx, cy = (b[0] + b[2]) / 2 - px, (b[1] + b[3]) / 2 - py
    x, y = a * cx + s * cy + px, -s * cx + a * cy + py
    hw, hh = (b[2] - b[0]) / 2, (b[3] - b[1]) / 2
    return (round(x - hw, 2), round(y - hh, 2), round(x + hw, 2), round(y + hh, 2))


def cluster(values: Iterable[float], tol: float) -> list[float]:
    """Sorted representatives (means) of ``values``, neighbours closer than ``tol``
    chained into one group (single linkage): ``cluster([1, 2, 10], 2) == [1.5, 10]``."""
    return [sum(g) / len(g) for g in cluster_groups(values, tol)]


def cluster_groups(values: Iterable[float], tol: float) -> list[list[float]]:
    """The groups behind :func:`cluster`, each sorted, groups in ascending order."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return out


def nearest(values: Sequence[float], v: float) -> int:
    """Index of the value of ``values`` closest to ``v`` (``values`` non-empty)."""
    return min(range(len(values)), key=lambda i: abs(values[i] - v))


def merge_intervals(spans: Iterable[tuple[float, float]], gap: float = 0.0
                    ) -> list[tuple[float, float]]:
    """Union of intervals ``(a, b)``; intervals closer than ``gap`` are joined."""
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + gap:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


# --------------------------------------------------------------------------- lines

LINE_TOL = 3.0
"""Default vertical-centre tolerance (pt) of :func:`group_lines`."""


def group_lines(words: Iterable[T], tol: float = LINE_TOL) -> list[list[T]]:
    """Words grouped into text lines, top to bottom, each line left to right.

    A word joins the current line when its vertical centre is within
    ``max(tol, height / 2)`` of the line's mean centre (the vertical-centre rule: OCR
    boxes of one printed line wobble; see the module docstring).  Works on anything
    with a ``bbox``.  ``O(n log n)``.
    """
    ws = sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0]))
    lines: list[list[T]] = []
    total = 0.0
    for w in ws:
        c = (w.bbox[1] + w.bbox[3]) / 2
        t = max(tol, 0.5 * (w.bbox[3] - w.bbox[1]))
        if lines and abs(c - total / len(lines[-1])) <= t:
            lines[-1].append(w)
            total += c
        else:
            lines.append([w])
            total = c
    for line in lines:
        line.sort(key=lambda w: w.bbox[0])
    return lines


def line_height(line: Sequence[HasBBox]) -> float:
    """The usual height (pt) of a line's words: their median box height, at least 1."""
    hs = sorted(w.bbox[3] - w.bbox[1] for w in line)
    return max(1.0, hs[len(hs) // 2]) if hs else 1.0


def line_bbox(line: Sequence[HasBBox]) -> BBox:
    """Box of a line of words."""
    return union(w.bbox for w in line)


def join_wrapped(lines: Iterable[str]) -> str:
    """The text lines of one cell joined into one value: with a space, except after a
    line ending in a hyphen glued to a word (``'situación-'`` + ``'Identificación'`` ->
    ``'situación-Identificación'``)."""
    out = ""
    for line in lines:
        if not line:
            continue
        if not out:
            out = line
        elif len(out) >= 2 and out.endswith("-") and out[-2].isalnum():
            out += line
        else:
            out += " " + line
    return out


def is_rtl(text: str) -> bool:
    """True when most letters of ``text`` are of a right-to-left script (Hebrew, Arabic)."""
    letters = [c for c in text if c.isalpha()]
    rtl = sum(unicodedata.bidirectional(c) in ("R", "AL") for c in letters)
    return bool(letters) and rtl * 2 > len(letters)


def line_text(line: Sequence) -> str:
    """One line's words (left to right on the page) as text: read left to right, or
    right to left when the line is in a right-to-left script."""
    texts = [w.text for w in line]
    if is_rtl(" ".join(texts)):
        texts.reverse()
    return " ".join(texts)


def text_of(words: Sequence, tol: float = LINE_TOL) -> str:
    """Text of a set of words (one cell): lines by :func:`group_lines`, each read in
    its reading direction (:func:`line_text`), joined by :func:`join_wrapped`.  Words
    need ``bbox`` and ``text``."""
    if not words:
        return ""
    return join_wrapped(line_text(line) for line in group_lines(words, tol))
