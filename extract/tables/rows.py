"""Logical rows of a table body: drawn bands, row padding, atomic values, codes that
label the text beside them, continuation lines; text blocks that run on while other
columns start rows are merged cells.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from extract.geometry import merge_intervals
from extract.models import BBox, Word
from extract.tables.data import connector_end
from extract.tables.kinds import ATOMIC
from extract.tables.pieces import Cues, Piece, _height, _median

WRAP_GAP = 0.5
"""Max gap (in word heights) between two lines of one wrapped cell."""



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


def _wrapped_code(p: Piece, prev: "Block", i: int, pieces: Sequence[Sequence[Piece]],
                  atomic: Sequence[bool], gap: float) -> bool:
    """A run of plain digits under a code, on the next line at a cell's line spacing, on a
    line with no other value while the row it continues has figures in two or more
    other atomic columns: the rest of a long code that wraps in its cell (``48`` /
    ``03400000200000`` / ``000`` of an investment project's categoría programática),
    not a row whose every figure is missing."""
    q = prev.pieces[-1]
    if not p.text.isdigit() or q.line != i - 1 or gap > WRAP_GAP * _median([_height(w) for w in p.words]):
        return False
    if any(o.col != p.col and o.span == 1 and atomic[o.col] and o.kind in ATOMIC for o in pieces[i]):
        return False
    head = prev.first
    return sum(1 for o in pieces[head] if o.col != p.col and o.span == 1 and atomic[o.col]
               and o.kind in ATOMIC) >= 2


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
        wrapped = False     # the line holds the rest of a wrapped code: it continues the row
        for p in sorted(pieces[i], key=lambda x: x.col):
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
                if is_atom and not drawn and not labelled and _wrapped_code(p, prev, i, pieces, atomic, gap):
                    new = False
                    wrapped = True
                elif wrapped and not drawn and q.line == i - 1:
                    new = False
                elif drawn or labelled or is_atom:
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
                    evidence = p.text[:1].islower() or connector_end().search(q.text) is not None
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
