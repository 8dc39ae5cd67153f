"""Tables drawn in part (``metodo='hybrid'``): horizontal rules only (booktabs: above
and below the header, at the end), rules between rows but not between columns, shaded
rows or cells (filled rectangles with no stroke), grids whose rules only close row
groups.  Rules and fills say where the table is and where they separate rows and
columns; whitespace says the rest (:func:`extract.tables.structure.build` with every
cue).

Regions: rules and fills that touch are one group; two groups holding horizontal
rules of the same width, one above the other, are one table when the lines between
them are tabular (two or more runs of words) — a booktabs table has nothing but text
between its rules.  A region is the group's box.
"""
from __future__ import annotations

from collections.abc import Sequence

from extract.geometry import grow, group_lines, h_overlap, intersection, line_height, merge_intervals, union
from extract.layout import Fill, Layer, Rule
from extract.models import BBox, Word
from extract.tables.base import Candidate, words_in
from extract.tables.structure import SEGMENT_GAP, Cues, build, segments

MIN_RULE = 20.0
"""Horizontal rules shorter than this (pt) are underlines or ticks, not table rules."""
MAX_FILL_SHARE = 0.6
"""A fill covering more than this share of the page is a page background."""


class _Union:
    def __init__(self, n: int):
        self.p = list(range(n))

    def find(self, a: int) -> int:
        while self.p[a] != a:
            self.p[a] = self.p[self.p[a]]
            a = self.p[a]
        return a

    def join(self, a: int, b: int) -> None:
        self.p[self.find(a)] = self.find(b)


def _box(e: Rule | Fill) -> BBox:
    return e.bbox if isinstance(e, Fill) else (e.x0, e.top, e.x1, e.bottom)


def _tabular_between(words: Sequence[Word], x0: float, x1: float, y0: float, y1: float,
                     need_tabular: bool = True) -> bool:
    """The text between two rules (within ``x0..x1``) holds no run of three prose lines
    and (``need_tabular``) at least one line of two or more runs."""
    ws = [w for w in words if x0 - 2 <= (w.x0 + w.x1) / 2 <= x1 + 2 and y0 < (w.top + w.bottom) / 2 < y1]
    if not ws:
        return True
    lines = group_lines(ws)
    tab = 0
    wide_run = 0
    for ln in lines:
        h = line_height(ln)
        segs = segments(ln, SEGMENT_GAP * h)
        if len(segs) >= 2:
            tab += 1
            wide_run = 0
        elif ln[-1].x1 - ln[0].x0 > 0.6 * (x1 - x0):
            wide_run += 1
            if wide_run >= 3:
                return False
    return tab >= 1 or not need_tabular


def regions(layer: Layer) -> list[tuple[BBox, Cues]]:
    """Regions where rules or fills are drawn, each with the cues drawn in it."""
    page_area = layer.width * layer.height
    elems: list[Rule | Fill] = []
    h_rules = [r for r in layer.rules if r.orientation == "h"]
    by_y: dict[int, list[tuple[float, float]]] = {}
    for r in h_rules:
        by_y.setdefault(round(r.top), []).append((r.x0, r.x1))
    joined = {y: merge_intervals(sp, 1.0) for y, sp in by_y.items()}
    for r in layer.rules:
        if r.orientation == "v":
            if r.length >= 6:
                elems.append(r)
            continue
        # a short segment of a rule drawn cell by cell counts with the whole rule
        full = next((b - a for a, b in joined[round(r.top)] if a - 0.5 <= r.x0 and r.x1 <= b + 0.5), r.length)
        if full >= MIN_RULE:
            elems.append(r)
    for f in layer.fills:
        fx0, ft, fx1, fb = f.bbox
        if (fx1 - fx0) * (fb - ft) <= MAX_FILL_SHARE * page_area:
            elems.append(f)
    if not elems:
        return []
    boxes = [_box(e) for e in elems]
    u = _Union(len(elems))
    order = sorted(range(len(elems)), key=lambda k: boxes[k][1])
    # touching elements (a sweep over tops keeps it near-linear)
    active: list[int] = []
    for k in order:
        b = grow(boxes[k], 2.0)
        active = [j for j in active if boxes[j][3] + 2.0 >= b[1]]
        for j in active:
            if intersection(b, grow(boxes[j], 2.0)):
                u.join(j, k)
        active.append(k)
    groups: dict[int, list[int]] = {}
    for k in range(len(elems)):
        groups.setdefault(u.find(k), []).append(k)
    comps = [union(boxes[k] for k in ks) for ks in groups.values()]
    has_h = [any(isinstance(elems[k], Rule) and elems[k].orientation == "h" or isinstance(elems[k], Fill)
                 for k in ks) for ks in groups.values()]
    # stack open groups (rules or fills, not a closed grid) of the same width, one right
    # above the other, when the lines between them are tabular
    n_v = [sum(1 for k in ks if isinstance(elems[k], Rule) and elems[k].orientation == "v")
           for ks in groups.values()]
    idx = sorted(range(len(comps)), key=lambda k: comps[k][1])
    strict, loose = _Union(len(comps)), _Union(len(comps))
    for a_i, a in enumerate(idx):
        A = comps[a]
        below = [b for b in idx[a_i + 1:] if comps[b][1] >= A[3] - 1 and h_overlap(A, comps[b]) > 0]
        if not below or not has_h[a] or n_v[a] >= 2:
            continue
        # the next group of the same width below; narrower groups inside the same
        # width in between (a rule under a spanning header) go with it
        same = [b for b in below if h_overlap(A, comps[b]) >= 0.9 * max(A[2] - A[0], comps[b][2] - comps[b][0])]
        if not same:
            continue
        b = min(same, key=lambda k: comps[k][1])
        B = comps[b]
        if not has_h[b] or n_v[b] >= 2:
            continue
        inner = [k for k in below if k != b and comps[k][3] <= B[1] + 1
                 and comps[k][0] >= min(A[0], B[0]) - 2 and comps[k][2] <= max(A[2], B[2]) + 2]
        x0, x1 = max(A[0], B[0]), min(A[2], B[2])
        if _tabular_between(layer.words, x0, x1, A[3], B[1]):
            for k in [b, *inner]:
                strict.join(a, k)
                loose.join(a, k)
        elif _tabular_between(layer.words, x0, x1, A[3], B[1], need_tabular=False):
            for k in [b, *inner]:
                loose.join(a, k)     # only a section label between: proposed both ways
    merged: list[list[int]] = []
    for u_ in (strict, loose):
        parts: dict[int, list[int]] = {}
        for k in range(len(comps)):
            parts.setdefault(u_.find(k), []).append(k)
        for ks in parts.values():
            if sorted(ks) not in merged:
                merged.append(sorted(ks))
    out = []
    for ks in merged:
        box = union(comps[k] for k in ks)
        if box[2] - box[0] < 30 or box[3] - box[1] < 4:
            continue
        inside_ = [e for e in elems if intersection(grow(_box(e), 1.0), grow(box, 1.0))]
        cues = Cues(tuple(e for e in inside_ if isinstance(e, Rule) and e.orientation == "h"),
                    tuple(e for e in inside_ if isinstance(e, Rule) and e.orientation == "v"),
                    tuple(e for e in inside_ if isinstance(e, Fill)))
        out.append((box, cues))
    return out


MAX_LINE_GAP = 2.6
"""Max vertical gap between two lines of one table, in line heights."""


def extend_down(box: BBox, lines: Sequence[Sequence[Word]], stops: Sequence[BBox]) -> BBox | None:
    """The region continued below its last drawn line by the text lines that go on
    right under it as table lines (two or more runs of words, or a narrow line between
    such lines), as a header band drawn over a borderless body, or a booktabs table
    whose closing rule is on a later page.  ``stops``: other regions, which end it.
    ``None`` when no such line follows."""
    x0, top, x1, bottom = box
    width = x1 - x0
    last = bottom
    new_bottom = None
    pending = 0
    for ln in lines:
        ltop = min(w.top for w in ln)
        if ltop < bottom - 1:
            continue
        lx0, lx1 = ln[0].x0, ln[-1].x1
        if lx1 < x0 or lx0 > x1 or (min(lx1, x1) - max(lx0, x0)) < 0.5 * (lx1 - lx0):
            continue
        h = line_height(ln)
        if ltop - last > MAX_LINE_GAP * h:
            break
        if any(s[1] <= ltop <= s[3] and h_overlap(s, box) > 0 for s in stops):
            break
        segs = segments(ln, SEGMENT_GAP * h)
        if len(segs) >= 2:
            new_bottom = max(w.bottom for w in ln)
            pending = 0
        elif lx1 - lx0 <= 0.6 * width and pending < 3:
            pending += 1
        else:
            break
        last = max(w.bottom for w in ln)
    if new_bottom is None:
        return None
    return (x0, top, x1, new_bottom)


def _closed(box: BBox, cues: Cues) -> bool:
    """A region framed by vertical rules at both sides (a ruled grid) ends at its frame."""
    h = box[3] - box[1]

    def covered(x: float) -> float:
        spans = [(r.top, r.bottom) for r in cues.v_rules if abs(r.x0 - x) <= 3]
        return sum(b - a for a, b in merge_intervals(spans, 1.0))
    return covered(box[0]) >= 0.8 * h and covered(box[2]) >= 0.8 * h


MAX_UP_LINES = 3


def extend_up(box: BBox, lines: Sequence[Sequence[Word]], stops: Sequence[BBox]) -> BBox | None:
    """The region grown upwards over the table lines (two or more runs of words) set
    right above its first drawn line: the header of a table whose rules only close
    its rows.  ``None`` when there is none."""
    x0, top, x1, bottom = box
    above = [ln for ln in lines if max(w.bottom for w in ln) <= top + 1
             and min(ln[-1].x1, x1) - max(ln[0].x0, x0) > 0.5 * (ln[-1].x1 - ln[0].x0)]
    new_top = None
    limit = top
    for ln in reversed(above[-MAX_UP_LINES:]):
        h = line_height(ln)
        if limit - max(w.bottom for w in ln) > 1.5 * h:
            break
        if any(s[1] <= min(w.top for w in ln) <= s[3] and h_overlap(s, box) > 0 for s in stops):
            break
        if len(segments(ln, SEGMENT_GAP * h)) < 2:
            break
        new_top = min(w.top for w in ln)
        limit = new_top
    if new_top is None:
        return None
    return (x0, new_top - 1.0, x1, bottom)


class HybridStrategy:
    """Partly drawn tables: rules and fills for what they show, whitespace for the rest."""

    name = "hybrid"

    def find(self, layer: Layer) -> list[Candidate]:
        out = []
        found = regions(layer)
        lines = group_lines(layer.words)
        proposals = []
        for box, cues in found:
            proposals.append((box, cues))
            if _closed(box, cues):
                continue
            others = [b for b, _ in found if b is not box]
            longer = extend_down(box, lines, others)
            if longer is not None:
                proposals.append((longer, cues))
            taller = extend_up(longer or box, lines, others)
            if taller is not None:
                proposals.append((taller, cues))
        for box, cues in proposals:
            ids = words_in(layer, box, 0.5)
            if len(ids) < 2:
                continue
            s = build([layer.words[i] for i in ids], box, cues, layer.pagina)
            if s is None or s.n_cols < 2:
                continue
            out.append(Candidate(self.name, layer, box, tuple(tuple(r) for r in s.rows), tuple(s.cells),
                                 s.n_header, s.confianza, s.measures, frozenset(ids)))
        return out
