"""Lines cut into pieces: the words of one text line that fall in one column, or
span several (a parent header, a section label), for :mod:`extract.tables.structure`.

A line is cut into runs of words at gaps wider than :data:`SEGMENT_GAP` word heights
(leader dots stay with the label before them) and at drawn column boundaries; a run
that covers a gutter spans the columns on both sides of it, unless it can be cut at
that gutter into parts that line up with their columns' other values.
"""
from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from extract.geometry import line_text, merge_intervals, union
from extract.layout import Fill, Rule
from extract.models import BBox, Word
from extract.tables.kinds import Kind, is_dot_leader, kind_of

SEGMENT_GAP = 0.9
"""Gap between two words, in word heights, that separates two runs of text on a line."""
WIDE_LINE = 0.6
"""A line printed as one run of words wider than this share of the region is prose, a
title or a section label: it does not take part in finding gutters."""


@dataclass(frozen=True)
class Cues:
    """Rules and fills drawn inside a region (layer frame).  Empty for the whitespace
    strategy, which reads the words alone."""

    h_rules: tuple[Rule, ...] = ()
    v_rules: tuple[Rule, ...] = ()
    fills: tuple[Fill, ...] = ()
    header_bands: tuple[Fill, ...] = ()
    """Dark fills the whitespace strategy is given too: only to find where the header
    ends (:func:`extract.tables.header.header_line_count`), not as rows or columns."""

    @property
    def drawn(self) -> bool:
        return bool(self.h_rules or self.v_rules or self.fills)


@dataclass
class Piece:
    """The words of one text line that fall in one column (or, spanning, in several)."""

    line: int
    col: int
    words: list[Word]
    span: int = 1

    @property
    def bbox(self) -> BBox:
        return union(w.bbox for w in self.words)

    @property
    def text(self) -> str:
        return line_text(self.words)

    @property
    def kind(self) -> Kind:
        return kind_of(self.text)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)


def _median(vals: Sequence[float], default: float = 8.0) -> float:
    return statistics.median(vals) if vals else default


def _height(w: Word) -> float:
    return max(0.5, w.bottom - w.top)


def segments(line: Sequence[Word], gap: float) -> list[list[Word]]:
    """Runs of words of a line (left to right) separated by gaps wider than ``gap`` pt;
    leader dots never end a run (they belong to the label before them)."""
    segs: list[list[Word]] = []
    for w in line:
        if segs and (w.x0 - segs[-1][-1].x1 <= gap or is_dot_leader(w.text)):
            segs[-1].append(w)
        else:
            segs.append([w])
    return segs


def _is_wide(line: Sequence[Word], width: float, gap: float) -> bool:
    segs = segments(line, gap)
    return len(segs) == 1 and (segs[0][-1].x1 - segs[0][0].x0) > WIDE_LINE * width


def _covered(line: Sequence[Word], gap: float) -> list[tuple[float, float]]:
    """x-intervals a line's ink covers: its words, leader dots left out, words closer
    than an ordinary space joined."""
    spans = [(w.x0, w.x1) for w in line if not is_dot_leader(w.text)]
    return merge_intervals(spans, gap)


def _crossings(x: float, lines: Sequence[Sequence[Word]]) -> int:
    """Lines with a word whose box straddles ``x`` (by more than half a point)."""
    return sum(1 for ln in lines if any(w.x0 + 0.5 < x < w.x1 - 0.5 for w in ln
                                        if not is_dot_leader(w.text)))


def _modal_edges(pieces: Sequence[Piece], n_cols: int) -> tuple[list[float | None], list[float | None]]:
    """Per column, the most common left and right edge of its pieces (rounded to 1 pt,
    counted when at least two pieces share it)."""
    lefts: list[Counter] = [Counter() for _ in range(n_cols)]
    rights: list[Counter] = [Counter() for _ in range(n_cols)]
    for p in pieces:
        if p.span == 1:
            lefts[p.col][round(p.x0)] += 1
            rights[p.col][round(p.x1)] += 1

    def mode(c: Counter) -> float | None:
        if not c:
            return None
        # neighbours within 1 pt count together
        best, n = None, 0
        for k in c:
            s = c[k] + c.get(k - 1, 0) + c.get(k + 1, 0)
            if s > n:
                best, n = k, s
        return float(best) if n >= 2 else None
    return [mode(c) for c in lefts], [mode(c) for c in rights]


def _aligned(p: Piece, left: float | None, right: float | None, tol: float = 2.0) -> bool:
    return (left is not None and abs(p.x0 - left) <= tol) or (right is not None and abs(p.x1 - right) <= tol)


def _split_hard(seg: list[Word], hard: Sequence[float]) -> list[list[Word]]:
    """A run of words cut where a drawn column boundary passes between two words."""
    parts = [[seg[0]]]
    for w in seg[1:]:
        prev = parts[-1][-1]
        if any(prev.x1 - 1.0 <= x <= w.x0 + 1.0 for x in hard):
            parts.append([w])
        else:
            parts[-1].append(w)
    return parts


def _place(part: list[Word], line: int, bounds: Sequence[float], gs: Sequence[tuple[float, float]],
           lefts: Sequence[float | None], rights: Sequence[float | None]) -> list[Piece]:
    """Pieces of one run of words: in the column of its centre, or spanning the columns
    whose gutters it covers, cut at a gutter where the part beyond lines up with its
    column's other values (two cells set close together)."""
    x0, x1 = min(w.x0 for w in part), max(w.x1 for w in part)
    crossed = [k for k, (a, b) in enumerate(gs) if x0 < a - 1.0 and x1 > b + 1.0]
    if not crossed:
        return [Piece(line, bisect_right(bounds, (x0 + x1) / 2), list(part))]
    for k in crossed:
        a, b = gs[k]
        for j in range(1, len(part)):
            left, right = part[:j], part[j:]
            gap_lo, gap_hi = left[-1].x1, right[0].x0
            if gap_hi - gap_lo < 0.8 or gap_hi < a - 2.0 or gap_lo > b + 2.0:
                continue
            rp = Piece(line, k + 1, right)
            lp = Piece(line, k, left)
            if _aligned(rp, lefts[k + 1], rights[k + 1]) or _aligned(lp, lefts[k], rights[k]):
                return (_place(left, line, bounds, gs, lefts, rights)
                        + _place(right, line, bounds, gs, lefts, rights))
    first, last = crossed[0], crossed[-1] + 1
    return [Piece(line, first, list(part), span=last - first + 1)]


def line_pieces(lines: Sequence[Sequence[Word]], bounds: Sequence[float], gap: float,
                hard: Sequence[float] = (), gutters_: Sequence[tuple[float, float]] = ()
                ) -> list[list[Piece]]:
    """Each line's words as pieces, one per column, or spanning several columns.

    A line is cut into runs of words (gaps wider than ``gap`` pt; leader dots stay with
    the label before them) and at drawn boundaries (``hard``).  A run inside one column
    is one piece; a run that covers a gutter (``gutters_``, one per boundary of
    ``bounds``) spans those columns — a parent header, a section label — unless it can
    be cut at that gutter into parts that line up with their columns' other values."""
    gs = list(gutters_) or [(x, x) for x in bounds]
    n_cols = len(bounds) + 1
    by_centre: list[Piece] = []
    for i, ln in enumerate(lines):
        for w in ln:
            if not is_dot_leader(w.text):
                by_centre.append(Piece(i, bisect_right(bounds, (w.x0 + w.x1) / 2), [w]))
    lefts, rights = _modal_edges(by_centre, n_cols)
    out: list[list[Piece]] = []
    for i, ln in enumerate(lines):
        ps: list[Piece] = []
        for seg in segments(ln, gap):
            for part in _split_hard(seg, hard):
                for p in _place(part, i, bounds, gs, lefts, rights):
                    if ps and ps[-1].col == p.col and ps[-1].span == p.span == 1:
                        ps[-1].words.extend(p.words)
                    else:
                        ps.append(p)
        out.append(ps)
    return out
