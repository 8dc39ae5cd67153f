"""Column boundaries of a table region: drawn vertical rules, the inner edges of
filled cells, the junctions of rules drawn cell by cell, and whitespace gutters
(x-intervals no text line covers, Nurminen's idea) supported by the two columns they
separate.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from extract.layout import Rule
from extract.models import BBox, Word
from extract.tables.pieces import (SEGMENT_GAP, Cues, _covered, _crossings, _height, _is_wide, _median,
                                   segments)

GUTTER_CROSSING = 0.10
"""Share of a region's lines that may cross a whitespace gutter."""


NARROW_GUTTER = 1.5
"""A gap this narrow (pt) still separates columns when both sides are aligned."""


def _aligned_gutter(lines: Sequence[Sequence[Word]], a: float, b: float) -> bool:
    """True when a narrow free band ``(a, b)`` has text flush against it on both sides
    on most lines: the words left of it end at one x, the words right of it start at
    one x (right-aligned figures beside a left-aligned column, set tight)."""
    ends, starts = [], []
    for ln in lines:
        left = [w.x1 for w in ln if w.x1 <= a + 0.5]
        right = [w.x0 for w in ln if w.x0 >= b - 0.5]
        if left and right:
            ends.append(round(max(left)))
            starts.append(round(min(right)))
    if len(ends) < max(5, 0.6 * len(lines)):
        return False

    def share(vals: list[int]) -> float:
        c = Counter(vals)
        best = max(c[v] + c.get(v - 1, 0) + c.get(v + 1, 0) for v in c)
        return best / len(vals)
    return share(ends) >= 0.8 and share(starts) >= 0.8


def gutters(lines: Sequence[Sequence[Word]], x0: float, x1: float, min_width: float,
            max_cover: int, wide: float | None = None, min_support: int = 2) -> list[tuple[float, float]]:
    """Internal x-intervals of ``[x0, x1]`` at least ``min_width`` wide that at most
    ``max_cover`` lines cover with ink (coverage by a sweep over interval ends).

    A gutter must be *supported*: lines with words on both sides of it, at least
    ``min_support`` when it is ``wide`` (pt) or wider, else three and 30 % of the lines (the space
    between two words of one long value, where the other lines are short, is no
    column boundary)."""
    events: list[tuple[float, int]] = []
    for ln in lines:
        h = _median([_height(w) for w in ln])
        for a, b in _covered(ln, 0.3 * h):
            events.append((a, 1))
            events.append((b, -1))
    if not events:
        return []
    events.sort()
    first, last = events[0][0], max(e[0] for e in events)
    out: list[tuple[float, float]] = []
    cover, start = 0, None
    for x, d in events:
        before = cover
        cover += d
        if before > max_cover >= cover:
            start = x
        elif before <= max_cover < cover and start is not None:
            if start > first and x < last and (x - start >= min_width or
                                               x - start >= NARROW_GUTTER and _aligned_gutter(lines, start, x)):
                out.append((start, x))
            start = None
    # support: lines with words right next to the gutter on both sides, inside the two
    # columns it separates (the gap between a centred header and the right-aligned
    # figures below it has words on one side per line, never on both)
    kept = list(out)
    for _ in range(2):
        bounds_ = [x0 - 1.0] + [v for g in kept for v in g] + [x1 + 1.0]
        nxt = []
        for k, (a, b) in enumerate(kept):
            lo, hi = bounds_[2 * k], bounds_[2 * k + 3]
            support = sum(1 for ln in lines
                          if any(lo - 0.5 <= w.x0 and w.x1 <= a + 0.5 for w in ln)
                          and any(b - 0.5 <= w.x0 and w.x1 <= hi + 0.5 for w in ln))
            need = min_support if wide is not None and b - a >= wide else max(3, 0.3 * len(lines))
            if support >= need:
                nxt.append((a, b))
        if nxt == kept:
            break
        kept = nxt
    return kept


def drawn_columns(cues: Cues, region: BBox, lines: Sequence[Sequence[Word]], max_cross: int
                  ) -> list[float]:
    """x of the column boundaries drawn in ``region``: vertical rules covering a real
    part of its height, and the inner edges of filled cells; a drawn line that cuts
    through the words of more than ``max_cross`` lines is decoration, not a boundary."""
    x0, top, x1, bottom = region
    h = bottom - top
    xs: list[float] = []
    for r in cues.v_rules:
        if x0 + 2 < r.x0 < x1 - 2 and min(r.bottom, bottom) - max(r.top, top) >= min(0.3 * h, 30):
            xs.append(r.x0)
    for f in cues.fills:
        fx0, ft, fx1, fb = f.bbox
        if fx1 - fx0 > 0.9 * (x1 - x0):
            continue
        for x in (fx0, fx1):
            if x0 + 2 < x < x1 - 2:
                xs.append(x)
    xs += rule_junctions(cues.h_rules, x0, x1)
    out: list[float] = []
    for x in sorted(xs):
        if out and x - out[-1] <= 2.0:
            continue
        if _crossings(x, lines) <= max_cross:
            out.append(x)
    return out


def rule_junctions(rules: Sequence[Rule], x0: float, x1: float) -> list[float]:
    """x where horizontal rules drawn cell by cell meet (one segment ends where the next
    one starts), at two or more heights: the column boundaries of a table whose rows
    are ruled but whose columns are not."""
    levels: dict[float, list[float]] = {}
    by_y: dict[int, list[Rule]] = {}
    for r in rules:
        by_y.setdefault(round(r.top), []).append(r)
    for y, rs in by_y.items():
        rs = sorted(rs, key=lambda r: r.x0)
        for a, b in zip(rs, rs[1:]):
            if abs(b.x0 - a.x1) <= 1.0 and x0 + 2 < a.x1 < x1 - 2:
                key = round(a.x1)
                levels.setdefault(key, []).append(y)
    return [float(x) for x, ys in levels.items() if len(set(ys)) >= 2]


def column_bounds(lines: Sequence[Sequence[Word]], region: BBox, cues: Cues
                  ) -> list[tuple[float, float, float]]:
    """The boundaries between columns, left to right, as ``(x, left, right)``: the
    cut and the whitespace gutter around it (``left == right == x`` for a drawn
    boundary with no gutter)."""
    x0, _, x1, _ = region
    heights = [_height(w) for ln in lines for w in ln]
    med_h = _median(heights)
    gap = SEGMENT_GAP * med_h
    # the lines set out in runs carry the columns; one-run lines (a spanning label, a
    # section row, a wrapped cell) do not take part when there are enough of those
    multi = [ln for ln in lines if len(segments(ln, gap)) >= 2]
    used = multi if len(multi) >= 3 else [ln for ln in lines if not _is_wide(ln, x1 - x0, gap)] or list(lines)
    max_cover = int(GUTTER_CROSSING * len(used))
    found = gutters(used, x0, x1, max(1.5, 0.5 * med_h), max_cover, gap,
                    min_support=1 if len(used) == 1 else 2)
    if len(used) >= 4:
        # a label over two columns in the top lines (a header parent) may cover a
        # gutter that every line below keeps open
        body = used[2:]
        for a, b in gutters(body, x0, x1, max(1.5, 0.5 * med_h), int(GUTTER_CROSSING * len(body)), gap,
                            min_support=1 if len(body) <= 2 else 2):
            if not any(a <= fb and fa <= b for fa, fb in found):
                found.append((a, b))
        found.sort()
    drawn = drawn_columns(cues, region, lines, max_cover) if cues.drawn else []
    out: list[tuple[float, float, float]] = []
    for a, b in found:
        inner = [x for x in drawn if a - 1.0 <= x <= b + 1.0]
        out.append((inner[0] if inner else (a + b) / 2, a, b))
    for x in drawn:
        if not any(abs(x - o[0]) <= 2.0 or o[1] - 1.0 <= x <= o[2] + 1.0 for o in out):
            out.append((x, x, x))
    return sorted(out)
