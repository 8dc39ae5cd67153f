"""Table structure from words and drawn cues: columns, logical rows, header rows, cells.

Shared by the whitespace (:mod:`extract.tables.stream`) and the hybrid
(:mod:`extract.tables.hybrid`) strategies.  Given the words of a region and, for the
hybrid strategy, the rules and fills drawn in it (:class:`Cues`), :func:`build` returns
the grid.  Every word of the region lands in exactly one cell.

**Columns** are cut where a vertical rule or the edge of a filled cell says so, and at
whitespace *gutters*: x-intervals that the words of (almost) no text line cover
(Nurminen's idea behind tabula, and camelot stream's).  A few lines may cross a gutter
(a section label, a spanning header, a long value): up to :data:`GUTTER_CROSSING` of the
lines.  A run of words that crosses a column boundary with ordinary word spacing is one
*spanning* piece (``FECHA PREVISTA`` over ``Inicio``/``Fin``) unless the part beyond the
boundary lines up with that column's other values (then it is two cells that the
printer set close together: ``Arunachal Pradesh 2,241,609``).

**Rows** are logical rows.  A new row starts where a rule or a fill edge is drawn
across the column, where a column starts a new *block* of text: after a gap wider than
the table's line spacing (tables with cell padding, :func:`line_gap_threshold`), at
every value of an atomic column (numbers, dates, codes: :mod:`extract.tables.kinds`),
at a text that a code on its left labels, or, in tables printed without padding, at
every line that is not a continuation (a line with nothing in the anchor column and in
the atomic columns continues the row above).  A block of text that runs on while
other columns start rows is one merged cell (row span), as a merged cell of a grid.

**Header rows** are the lines above the first body line: under a dark fill, above the
first rule drawn across the table, or, from the values, the top lines where the atomic
columns hold no value of their kind.  A header piece that spans columns is a parent
(one header level); the other header text of a column is one cell at the top.
"""
from __future__ import annotations

import re
import statistics
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from extract.geometry import group_lines, join_wrapped, line_text, merge_intervals, union
from extract.layout import Fill, Rule
from extract.models import BBox, Cell, Word
from extract.tables.kinds import ATOMIC, Kind, is_dot_leader, kind_of

GUTTER_CROSSING = 0.10
"""Share of a region's lines that may cross a whitespace gutter."""
WIDE_LINE = 0.6
"""A line printed as one run of words wider than this share of the region is prose, a
title or a section label: it does not take part in finding gutters."""
SEGMENT_GAP = 0.9
"""Gap between two words, in word heights, that separates two runs of text on a line."""
DARK_FILL = 0.55
"""A fill darker than this (luminance) behind the top lines marks them as a header."""
MAX_HEADER_LINES = 8
WRAP_GAP = 0.5
"""Max gap (in word heights) between two lines of one wrapped cell."""
SINGLE_ROW = 0.9
"""Confidence factor of a table with a single body row (no column alignment to see)."""
TOLERATED = 0.95
"""A confidence measure at or above this share counts as perfect."""

_CONNECTOR_END = re.compile(r"(?:[-,;(/]|\b(?:de|del|la|las|los|el|y|e|o|u|en|a|al|con|por|para|"
                            r"and|of|the|to|for|in|or))$", re.I)


@dataclass(frozen=True)
class Cues:
    """Rules and fills drawn inside a region (layer frame).  Empty for the whitespace
    strategy, which reads the words alone."""

    h_rules: tuple[Rule, ...] = ()
    v_rules: tuple[Rule, ...] = ()
    fills: tuple[Fill, ...] = ()

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


@dataclass(frozen=True)
class Structure:
    """The grid :func:`build` reconstructed.

    ``rows``: equal-length rows of cell texts ('' for empty or covered positions),
    header rows first; ``cells``: every cell with its box (layer frame) and spans;
    ``confianza``: 0-1, see :func:`confidence`; ``measures``: the parts of it.
    """

    bbox: BBox
    rows: list[list[str]]
    cells: list[Cell]
    n_header: int
    confianza: float
    measures: dict[str, float] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return len(self.rows[0]) if self.rows else 0


# --------------------------------------------------------------------------- helpers

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


# --------------------------------------------------------------------------- columns

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


# --------------------------------------------------------------------------- pieces

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


# --------------------------------------------------------------------------- rows

def line_gap_threshold(lines: Sequence[Sequence[Word]], plain: Sequence[bool] | None = None
                       ) -> float | None:
    """For tables printed with cell padding: the gap (pt) above which consecutive lines
    belong to different rows (between the wrapped lines of a cell and the padding
    between rows).  ``None`` when the line spacing is uniform (no padding).

    ``plain[i]``: line ``i`` holds no value of an atomic column.  Lines set close
    together must mostly be such continuation lines: a table whose close lines are
    full rows is uniform, with some wider spacing between groups of rows."""
    gaps = []
    for a, b in zip(lines, lines[1:]):
        g = min(w.top for w in b) - max(w.bottom for w in a)
        gaps.append(g)
    if len(gaps) < 3:
        return None
    med_h = _median([_height(w) for ln in lines for w in ln])
    s = sorted(gaps)
    best, at = 0.0, None
    for k in range(1, len(s)):
        jump = s[k] - s[k - 1]
        if jump > best and k >= 2:
            best, at = jump, k
    if at is None or best < max(1.0, 0.2 * med_h):
        return None
    if s[at - 1] > 0.6 * med_h:      # the small gaps are padding too: no wrapped lines
        return None
    thr = (s[at - 1] + s[at]) / 2
    if plain is not None:
        close = [k + 1 for k, g in enumerate(gaps) if g <= thr]
        if close and sum(1 for k in close if plain[k]) < 0.5 * len(close):
            return None
    return thr


def _anchor_col(pieces: Sequence[Sequence[Piece]], n_cols: int) -> int | None:
    counts = Counter(p.col for ps in pieces for p in ps if p.span == 1)
    n = len(pieces)
    for c in range(n_cols):
        if counts.get(c, 0) >= 0.5 * n:
            return c
    return None


def column_kinds(pieces: Sequence[Sequence[Piece]], n_cols: int) -> list[bool]:
    """Per column: True when it is atomic: at least two of its pieces are numbers,
    dates, percentages or codes, and so are most of its pieces from the first such
    value down (the text above it is the column's header)."""
    tot = [0] * n_cols
    atom = [0] * n_cols
    for ps in pieces:
        for p in ps:
            if p.span != 1:
                continue
            is_atom = p.kind in ATOMIC
            if atom[p.col] == 0 and not is_atom:
                continue        # above the column's first value
            tot[p.col] += 1
            if is_atom:
                atom[p.col] += 1
    return [atom[c] >= 2 and atom[c] >= 0.6 * tot[c] for c in range(n_cols)]


def drawn_cover(cues: Cues, y0: float, y1: float, cx0: float, cx1: float) -> float:
    """Length (pt) of ``[cx0, cx1]`` that rules (or fill edges) drawn between y0 and y1
    cover, collinear segments joined (a grid's rule is one segment per cell)."""
    spans = [(max(r.x0, cx0), min(r.x1, cx1)) for r in cues.h_rules if y0 - 0.5 <= r.top <= y1 + 0.5]
    for f in cues.fills:
        fx0, ft, fx1, fb = f.bbox
        if y0 - 0.5 <= ft <= y1 + 0.5 or y0 - 0.5 <= fb <= y1 + 0.5:
            spans.append((max(fx0, cx0), min(fx1, cx1)))
    return sum(b - a for a, b in merge_intervals([s for s in spans if s[1] > s[0]], 1.0))


def _drawn_between(cues: Cues, y0: float, y1: float, cx0: float, cx1: float) -> bool:
    """A rule or fill edge drawn across ``[cx0, cx1]`` (at least 60 %) between y0 and y1."""
    return drawn_cover(cues, y0, y1, cx0, cx1) >= 0.6 * (cx1 - cx0)


@dataclass
class Block:
    col: int
    span: int
    pieces: list[Piece]

    @property
    def first(self) -> int:
        return self.pieces[0].line

    @property
    def last(self) -> int:
        return self.pieces[-1].line


def body_blocks(lines: Sequence[Sequence[Word]], pieces: Sequence[Sequence[Piece]], first: int,
                bounds: Sequence[float], region: BBox, cues: Cues, atomic: Sequence[bool]
                ) -> tuple[list[Block], list[int]]:
    """Blocks of the body lines ``first..`` and the lines where rows start."""
    n_cols = len(bounds) + 1
    edges = [region[0], *bounds, region[2]]
    body = list(range(first, len(lines)))
    plain = [not any(p.span == 1 and atomic[p.col] and p.kind in ATOMIC for p in pieces[i]) for i in body]
    thr = line_gap_threshold([lines[i] for i in body], plain)
    anchor = _anchor_col([pieces[i] for i in body], n_cols)
    # rows drawn: rules or fill edges separate the body's rows (not only row groups)
    drawn_rows = 0
    if cues.drawn:
        for a, b in zip(body, body[1:]):
            if _drawn_between(cues, max(w.bottom for w in lines[a]), min(w.top for w in lines[b]),
                              region[0], region[2]):
                drawn_rows += 1
    mode = "drawn" if drawn_rows >= 2 else ("padded" if thr is not None else "uniform")
    open_: dict[int, Block] = {}
    blocks: list[Block] = []
    splits: set[int] = set()     # lines where a drawn band holds a second row
    for i in body:
        line_atomic_cols = {p.col for p in pieces[i] if p.span == 1 and atomic[p.col] and p.kind in ATOMIC}
        has_anchor = anchor is not None and any(p.col == anchor for p in pieces[i])
        for p in pieces[i]:
            prev = open_.get(p.col)
            new = True
            if prev is not None and prev.span == p.span == 1:
                q = prev.pieces[-1]
                gap = min(w.top for w in p.words) - max(w.bottom for w in q.words)
                drawn = cues.drawn and _drawn_between(cues, max(w.bottom for w in q.words),
                                                       min(w.top for w in p.words),
                                                       edges[p.col], edges[p.col + 1])
                labelled = (p.col - 1) in line_atomic_cols
                is_atom = atomic[p.col] and p.kind in ATOMIC
                if drawn or labelled or is_atom:
                    new = True
                    if not drawn and (labelled or is_atom):
                        splits.add(i)
                elif mode == "drawn":
                    new = False
                elif mode == "padded":
                    new = gap > thr
                elif q.line < i - 1:
                    new = True
                else:   # no padding: a line continues the row above only on evidence,
                    # and only when set at a cell's line spacing (rows padded apart are
                    # rows, a section label among them too)
                    cont_line = not line_atomic_cols and not has_anchor
                    evidence = p.text[:1].islower() or _CONNECTOR_END.search(q.text) is not None
                    tight = gap <= WRAP_GAP * _median([_height(w) for w in p.words])
                    new = not tight or not ((cont_line and p.col != anchor) or (evidence and not line_atomic_cols))
            if new:
                b = Block(p.col, p.span, [p])
                blocks.append(b)
                for c in range(p.col, p.col + p.span):
                    open_[c] = b
            else:
                prev.pieces.append(p)
    if mode == "drawn":
        # rows are the drawn bands, and inside a band the lines where a column holds a
        # second value; a value printed low in its band (bottom-aligned) is no new row
        band_starts = {body[0]} if body else set()
        for a, b in zip(body, body[1:]):
            if _drawn_between(cues, max(w.bottom for w in lines[a]), min(w.top for w in lines[b]),
                              region[0], region[2]):
                band_starts.add(b)
        starts = sorted(band_starts | splits)
    else:
        starts = sorted({b.first for b in blocks})
    # rules drawn across the whole table start rows even where no block starts
    if cues.drawn and starts:
        for a, b in zip(body, body[1:]):
            if b not in starts and _drawn_between(cues, max(w.bottom for w in lines[a]),
                                                  min(w.top for w in lines[b]), region[0], region[2]):
                # split every block that runs across the rule
                for blk in list(blocks):
                    if blk.first < b <= blk.last:
                        head = [p for p in blk.pieces if p.line < b]
                        tail = [p for p in blk.pieces if p.line >= b]
                        blk.pieces = head
                        blocks.append(Block(blk.col, blk.span, tail))
                starts.append(b)
        starts = sorted(set(starts))
    return blocks, starts


# --------------------------------------------------------------------------- header

def header_line_count(lines: Sequence[Sequence[Word]], pieces: Sequence[Sequence[Piece]],
                      atomic: Sequence[bool], region: BBox, cues: Cues) -> int:
    """How many of the top lines are header lines (see the module docstring)."""
    n = len(lines)
    cap = min(MAX_HEADER_LINES, max(0, n - 1))
    if cap == 0:
        return 0
    x0, _, x1, _ = region
    # a dark fill behind the top lines
    dark = [f for f in cues.fills if f.gray < DARK_FILL and f.bbox[2] - f.bbox[0] > 0.1 * (x1 - x0)]
    if dark:
        k = 0
        for ln in lines[:cap]:
            cy = sum((w.top + w.bottom) / 2 for w in ln) / len(ln)
            if any(f.bbox[1] - 1 <= cy <= f.bbox[3] + 1 for f in dark):
                k += 1
            else:
                break
        if 0 < k < n:
            return k
    # the first rule drawn across the table below the top line
    if cues.h_rules:
        width = x1 - x0
        for k in range(1, cap + 1):
            y0 = max(w.bottom for w in lines[k - 1])
            y1 = min(w.top for w in lines[k])
            if drawn_cover(Cues(cues.h_rules), y0, y1, x0, x1) >= 0.8 * width:
                if not any(atomic[p.col] and p.kind in ATOMIC and not _year(p.text)
                           for ps in pieces[:k] for p in ps if p.span == 1):
                    return k
                break
    # from the values: top lines where the atomic columns hold no value of their kind
    if not any(atomic):
        return 0
    k = 0
    for ps in pieces[:cap]:
        if any(atomic[p.col] and p.kind in ATOMIC and not _year(p.text) for p in ps if p.span == 1):
            break
        k += 1
    return k if k < n else 0


def _year(text: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d{2}", text.strip()))


# --------------------------------------------------------------------------- build

def build(words: Sequence[Word], region: BBox, cues: Cues = Cues(), pagina: int = 0,
          min_cols: int = 2) -> Structure | None:
    """The table printed by ``words`` in ``region`` (layer frame), or ``None`` when they
    do not form at least ``min_cols`` columns.  ``cues``: drawn rules and fills
    (hybrid strategy) or nothing (whitespace strategy)."""
    if not words:
        return None
    lines = group_lines(words)
    cuts = column_bounds(lines, region, cues)
    if len(cuts) + 1 < min_cols:
        return None
    bounds = [c[0] for c in cuts]
    med_h = _median([_height(w) for w in words])
    hard = [c[0] for c in cuts if c[1] == c[2]] + (drawn_columns(cues, region, lines, len(lines)) if cues.drawn else [])
    pieces = line_pieces(lines, bounds, SEGMENT_GAP * med_h, hard, [(c[1], c[2]) for c in cuts])
    n_cols = len(bounds) + 1
    atomic = column_kinds(pieces, n_cols)
    n_head_lines = header_line_count(lines, pieces, atomic, region, cues)
    mark_parents(pieces[:n_head_lines])
    head_rows, head_cells = _header_cells(pieces[:n_head_lines], n_cols)
    blocks, starts = body_blocks(lines, pieces, n_head_lines, bounds, region, cues, atomic)
    row_of = {s: k for k, s in enumerate(starts)}
    n_rows = len(head_rows) + len(starts)
    if n_rows == 0:
        return None
    edges = [region[0], *bounds, region[2]]
    grid = [[""] * n_cols for _ in range(n_rows)]
    cells: list[Cell] = []
    # row bands (y) for cell boxes
    band_tops = list(head_rows)
    for s in starts:
        band_tops.append(min(w.top for w in lines[s]))
    band_tops.append(region[3])
    tops = band_tops
    for (r, c, span, text, ws) in head_cells:
        grid[r][c] = text
        cells.append(Cell(r, c, text, (edges[c], tops[r], edges[c + span], tops[r + 1]), 1, span, pagina))
    base = len(head_rows)
    for b in blocks:
        r = base + row_of[max(s for s in starts if s <= b.first)]
        last_row = base + row_of[max(s for s in starts if s <= b.last)]
        ws = [w for p in b.pieces for w in p.words]
        text = _block_text(b)
        grid[r][b.col] = f"{grid[r][b.col]} {text}".strip() if grid[r][b.col] else text
        rs = last_row - r + 1
        cells.append(Cell(r, b.col, grid[r][b.col],
                          (edges[b.col], tops[r], edges[b.col + b.span], tops[last_row + 1]),
                          rs, b.span, pagina))
    cells = _dedupe_cells(cells)
    bbox = (region[0], min(w.top for w in words), region[2], max(w.bottom for w in words))
    conf, measures = confidence(lines, pieces, bounds, grid, len(head_rows), atomic, n_head_lines)
    return Structure(bbox, grid, cells, len(head_rows), conf, measures)


def _block_text(b: Block) -> str:
    by_line: dict[int, list[Word]] = {}
    for p in b.pieces:
        by_line.setdefault(p.line, []).extend(p.words)
    return join_wrapped(line_text(sorted(ws, key=lambda w: w.x0)) for _, ws in sorted(by_line.items()))


def _dedupe_cells(cells: list[Cell]) -> list[Cell]:
    """One cell per (row, col) top-left position: texts joined (two blocks that start in
    one row of one column, e.g. after a drawn line split)."""
    out: dict[tuple[int, int], Cell] = {}
    for c in cells:
        k = (c.row, c.col)
        if k in out:
            o = out[k]
            out[k] = Cell(o.row, o.col, c.text if c.text.startswith(o.text) else f"{o.text} {c.text}".strip(),
                          union([o.bbox, c.bbox]) if o.bbox and c.bbox else o.bbox,
                          max(o.rowspan, c.rowspan), max(o.colspan, c.colspan), o.pagina)
        else:
            out[k] = c
    return sorted(out.values(), key=lambda c: (c.row, c.col))


def mark_parents(header: Sequence[Sequence[Piece]]) -> None:
    """Header labels printed over several columns without covering their gutters
    (``EJECUCIÓN FÍSICA`` centred over ``POA Programado`` / ``POA Ejecutado``): a piece
    centred between pieces of the next header line (near it: centres within its width
    on either side; some left of its centre, some right, none right under its centre
    as the second line of a wrapped label would be) spans their columns.  In place."""
    for k in range(len(header) - 1):
        below = next((ps for ps in header[k + 1:] if ps), [])
        for p in header[k]:
            if p.span != 1:
                continue
            w = p.x1 - p.x0
            pc = (p.x0 + p.x1) / 2
            kids = [q for q in below if p.x0 - w <= (q.x0 + q.x1) / 2 <= p.x1 + w]
            offs = [(q.x0 + q.x1) / 2 - pc for q in kids]
            if not kids or min(offs) >= 0 or max(offs) <= 0 or min(abs(o) for o in offs) <= 0.2 * w:
                continue
            cols = sorted({c for q in kids for c in range(q.col, q.col + q.span)})
            if len(cols) >= 2 and cols[0] <= p.col <= cols[-1]:
                p.col, p.span = cols[0], cols[-1] - cols[0] + 1


def _header_cells(pieces: Sequence[Sequence[Piece]], n_cols: int
                  ) -> tuple[list[float], list[tuple[int, int, int, str, list[Word]]]]:
    """Header rows (their top y) and cells ``(row, col, span, text, words)``.

    Spanning pieces are parents: each distinct line holding one is a header level
    (row = level), and a column's text printed below a parent covering it goes one
    row below that parent; every other header text of a column is one cell in the top
    row (its wrapped lines joined)."""
    flat = [p for ps in pieces for p in ps]
    if not flat:
        return [], []
    parent_lines = sorted({p.line for p in flat if p.span > 1})
    level = {ln: k for k, ln in enumerate(parent_lines)}
    parents = [p for p in flat if p.span > 1]
    groups: dict[tuple[int, int], list[Piece]] = {}
    spans: dict[tuple[int, int], int] = {}
    for p in flat:
        if p.span > 1:
            key = (level[p.line], p.col)
            spans[key] = max(spans.get(key, 1), p.span)
        else:
            above = [level[q.line] for q in parents
                     if q.line < p.line and q.col <= p.col < q.col + q.span]
            key = (max(above) + 1 if above else 0, p.col)
        groups.setdefault(key, []).append(p)
    n_rows = max(r for r, _ in groups) + 1
    tops = []
    for r in range(n_rows):
        ys = [min(w.top for w in p.words) for (rr, _), ps in groups.items() if rr == r for p in ps]
        tops.append(min(ys) if ys else (tops[-1] if tops else min(w.top for p in flat for w in p.words)))
    for r in range(1, n_rows):
        tops[r] = max(tops[r], tops[r - 1])
    cells = []
    for (r, c), ps in sorted(groups.items()):
        by_line: dict[int, list[Word]] = {}
        for p in ps:
            by_line.setdefault(p.line, []).extend(p.words)
        text = join_wrapped(line_text(sorted(ws, key=lambda w: w.x0)) for _, ws in sorted(by_line.items()))
        cells.append((r, c, spans.get((r, c), 1), text, [w for p in ps for w in p.words]))
    return tops, cells


# --------------------------------------------------------------------------- confidence

def fill_share(rows: Sequence[Sequence[str]]) -> float:
    """Share of rows with two or more non-empty cells, over 0.7 and capped at 1; a row
    whose one text is in its first column is a section label and does not count."""
    full = single = 0
    for r in rows:
        filled = [j for j, t in enumerate(r) if t]
        if len(filled) >= 2:
            full += 1
        elif filled and filled[0] != 0:
            single += 1
    n = full + single
    return min(1.0, full / n / 0.7) if n else 1.0


def confidence(lines: Sequence[Sequence[Word]], pieces: Sequence[Sequence[Piece]],
               bounds: Sequence[float], grid: Sequence[Sequence[str]], n_header: int,
               atomic: Sequence[bool], n_head_lines: int = 0) -> tuple[float, dict[str, float]]:
    """Confidence 0-1 of a whitespace/hybrid table, from three measures:

    - ``alineacion``: share of body pieces whose left, right or centre edge lines up
      with another piece of its column (within 2 pt), over the columns with two or
      more pieces;
    - ``relleno``: :func:`fill_share` of the body rows;
    - ``limpieza``: share of body pieces that stay in one column (not spanning);
    - ``separacion``: share of pieces printed as one run of words (a piece holding two
      runs set far apart is two columns read as one);
    - ``consistencia``: share of the body pieces of atomic columns that are values of
      an atomic kind (a header repeated inside the body, or two tables read as one,
      put labels there).
    The confidence is their product, each measure first divided by :data:`TOLERATED`
    (a total row or a note in a long table is normal): each measures one way the
    reading can be wrong; a table of one body row gets :data:`SINGLE_ROW` of it."""
    n_cols = len(bounds) + 1
    body = [p for ps in pieces[n_head_lines:] for p in ps]
    by_col: dict[int, list[Piece]] = {}
    for p in body:
        if p.span == 1:
            by_col.setdefault(p.col, []).append(p)
    aligned = 0
    total = 0
    for c, ps in by_col.items():
        if len(ps) < 2:
            continue
        ls = Counter(round(p.x0) for p in ps)
        rs = Counter(round(p.x1) for p in ps)
        cs = Counter(round((p.x0 + p.x1) / 2) for p in ps)
        for p in ps:
            total += 1
            if any(cnt.get(round(v) + d, 0) - (1 if d == 0 else 0) > 0
                   for cnt, v in ((ls, p.x0), (rs, p.x1), (cs, (p.x0 + p.x1) / 2)) for d in (-2, -1, 0, 1, 2)):
                aligned += 1
    alineacion = aligned / total if total else 1.0
    relleno = fill_share(grid[n_header:])
    limpieza = (sum(1 for p in body if p.span == 1) / len(body)) if body else 0.0
    one_run = 0
    for p in body:
        h = _median([_height(w) for w in p.words])
        if len(segments(sorted(p.words, key=lambda w: w.x0), 1.5 * SEGMENT_GAP * h)) == 1:
            one_run += 1
    separacion = one_run / len(body) if body else 0.0
    in_atomic = [p for p in body if p.span == 1 and atomic[p.col]]
    consistencia = (sum(1 for p in in_atomic if p.kind in ATOMIC) / len(in_atomic)) if in_atomic else 1.0
    parts = (alineacion, relleno, limpieza, separacion, consistencia)
    conf = 1.0
    for v in parts:
        conf *= max(min(1.0, v / TOLERATED), 1e-3)
    body_rows_n = len(grid) - n_header
    if body_rows_n <= 1:
        conf *= SINGLE_ROW      # one row: little evidence that it is a table
    if n_cols < 2:
        conf = 0.0
    return round(conf, 4), {"alineacion": round(alineacion, 4), "relleno": round(relleno, 4),
                            "limpieza": round(limpieza, 4), "separacion": round(separacion, 4),
                            "consistencia": round(consistencia, 4),
                            "columnas": float(n_cols)}
