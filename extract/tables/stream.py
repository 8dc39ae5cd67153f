"""Whitespace tables (``metodo='stream'``): tables printed without rules, found and
read from the words alone.

Regions: text lines are cut into runs of words at gaps wider than
:data:`extract.tables.structure.SEGMENT_GAP` word heights; a line of two or more runs
is *tabular*.  A region is a run of tabular lines close together, with the narrow
one-run lines between them (a section label, a wrapped cell, a ``Male``/``Female``
row): up to :data:`MAX_INNER_PLAIN` such lines in a row, when tabular lines follow.
Prose (a one-run line as wide as the region) and wide vertical gaps end a region.
The structure of each region is read by :func:`extract.tables.structure.build` with
no drawn cues.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from extract.geometry import group_lines, intersection, line_height, union
from extract.layout import Layer
from extract.models import Cell, Word
from extract.tables.base import Candidate, words_in
from extract.tables.structure import SEGMENT_GAP, Cues, build, segments

MAX_LINE_GAP = 3.0
"""Max vertical gap between two lines of one table, in line heights."""
MAX_INNER_PLAIN = 3
"""One-run lines a region may hold in a row before tabular lines resume."""
MIN_TABULAR = 2
MIN_LINES = 2
LONE_ROW_CENTRE = 0.05
"""A lone tabular line is a one-row table when its centre is this close (share of the
text width) to the centre of the page's text, and it is at most
:data:`LONE_ROW_WIDTH` of that width: a small key-figure table set in the middle of
the page under its caption ("Refugiados y Permanencia humanitaria      90")."""
LONE_ROW_WIDTH = 0.6
_NUMBER = re.compile(r"^[-+(]?\d[\d.,]*\s*%?\)?$")


def trim_larger_print(block: list[list[Word]], ratio: float = 1.2) -> None:
    """Drop the top lines printed larger than the block's usual line (a caption set in
    a bigger font above the table, its words spread out like cells)."""
    if len(block) < 3:
        return
    hs = sorted(line_height(ln) for ln in block)
    usual = hs[len(hs) // 2]
    while len(block) > 2 and line_height(block[0]) > ratio * usual:
        del block[0]


PAGE_GUTTER = 8.0
"""Min width (pt) of the whitespace between two columns of running text."""


def _prose(line: Sequence[Word], min_width: float) -> bool:
    """A line of running text: one run of words, at least ``min_width`` pt wide."""
    if not line:
        return False
    return (line[-1].x1 - line[0].x0 >= min_width
            and len(segments(line, SEGMENT_GAP * line_height(line))) == 1)


def page_columns(words: Sequence[Word], width: float) -> list[list[Word]]:
    """The words of a page set in two (or more) columns of running text, split into
    those columns; a page in one column is returned whole.

    A column gutter is a vertical band of at least :data:`PAGE_GUTTER` pt, in the middle
    half of the page, that no word crosses over most of the page's lines, with running
    text (lines wider than half the column) on both sides.  Lines that do cross it
    (a title over both columns) stay with the whole page."""
    lines = group_lines(words)
    if len(lines) < 10:
        return [list(words)]
    lo, hi = 0.25 * width, 0.75 * width
    best = None
    # coverage of the middle band by the lines' words
    step = 1.0
    n = int((hi - lo) / step) + 1
    crossing = [0] * n
    for ln in lines:
        for w in ln:
            a, b = max(lo, w.x0), min(hi, w.x1)
            for k in range(int((a - lo) / step), int((b - lo) / step) + 1) if b > a else ():
                if 0 <= k < n:
                    crossing[k] += 1
    # widest run of x where few lines cross
    limit = 0.1 * len(lines)
    k = 0
    while k < n:
        if crossing[k] <= limit:
            j = k
            while j < n and crossing[j] <= limit:
                j += 1
            if (j - k) * step >= PAGE_GUTTER and (best is None or j - k > best[1] - best[0]):
                best = (k, j)
            k = j
        else:
            k += 1
    if best is None:
        return [list(words)]
    gx0, gx1 = lo + best[0] * step, lo + best[1] * step
    left, right, across = [], [], []
    prose_l = prose_r = 0
    for ln in lines:
        if any(w.x0 < gx0 and w.x1 > gx1 for w in ln):
            across += ln
            continue
        lw = [w for w in ln if w.x1 <= (gx0 + gx1) / 2]
        rw = [w for w in ln if w.x1 > (gx0 + gx1) / 2]
        left += lw
        right += rw
        if _prose(lw, 0.5 * gx0):
            prose_l += 1
        if _prose(rw, 0.5 * (width - gx1)):
            prose_r += 1
    if prose_l < 5 or prose_r < 5:
        return [list(words)]
    return [ws for ws in (left, right, across) if ws]


MAX_HEADER_ABOVE = 2


def header_above(block: list[list[Word]], lines: Sequence[Sequence[Word]]) -> list[list[Word]]:
    """One-run lines right above a region that are the top of its header: set close
    (within a line height), inside the region's width and not starting at its left
    edge (a header word over one column, "One Withholding" over "Allowance"; a caption
    starts at the table's left or is centred over all of it)."""
    first = block[0]
    k = next((i for i, ln in enumerate(lines) if ln is first), None)
    if k is None:
        return []
    bx0 = min(w.x0 for ln in block for w in ln)
    bx1 = max(w.x1 for ln in block for w in ln)
    width = bx1 - bx0
    out: list[list[Word]] = []
    top = min(w.top for w in first)
    for ln in reversed(lines[max(0, k - MAX_HEADER_ABOVE):k]):
        h = line_height(ln)
        lx0, lx1 = ln[0].x0, ln[-1].x1
        centred = abs((lx0 + lx1) / 2 - (bx0 + bx1) / 2) <= 0.1 * width
        if top - max(w.bottom for w in ln) > h or lx0 < bx0 + 10 or lx1 > bx1 + 2 or centred \
                or lx1 - lx0 > 0.5 * width:
            break
        out.insert(0, list(ln))
        top = min(w.top for w in ln)
    return out


def lone_row(line: Sequence[Word], text_x0: float, text_x1: float) -> bool:
    """True when ``line`` (one tabular line with no other near it) is a one-row table:
    two to four runs, the last a number, centred in the page's text span
    (``text_x0``..``text_x1``, points) and narrower than it (:data:`LONE_ROW_CENTRE`,
    :data:`LONE_ROW_WIDTH`).  A label and its figure set apart in running text are not
    centred; a heading with a page number is not narrow."""
    segs = segments(line, SEGMENT_GAP * line_height(line))
    if not 2 <= len(segs) <= 4 or not _NUMBER.match(" ".join(w.text for w in segs[-1])):
        return False
    span = text_x1 - text_x0
    if span <= 0:
        return False
    x0, x1 = line[0].x0, line[-1].x1
    return (x1 - x0) <= LONE_ROW_WIDTH * span and \
        abs((x0 + x1) / 2 - (text_x0 + text_x1) / 2) <= LONE_ROW_CENTRE * span


def regions(words: Sequence[Word], width: float | None = None) -> list[list[list[Word]]]:
    """Groups of text lines that may be whitespace tables (see the module docstring),
    looked for in each column of running text of the page (:func:`page_columns`)."""
    if width is not None:
        parts = page_columns(words, width)
        if len(parts) > 1:
            return [r for part in parts for r in regions(part)]
    lines = group_lines(words)
    text_x0 = min((w.x0 for w in words), default=0.0)
    text_x1 = max((w.x1 for w in words), default=0.0)
    out: list[list[list[Word]]] = []
    block: list[list[Word]] = []
    pending: list[list[Word]] = []
    n_tab = 0

    def flush():
        nonlocal block, pending, n_tab
        # narrow lines right under the last row at a cell's line spacing are its wrapped
        # cells (kept); others after the table are notes (left out)
        last = block[-1] if block else None
        for ln in pending:
            h = line_height(ln)
            if last is None or min(w.top for w in ln) - max(w.bottom for w in last) > 0.5 * h:
                break
            block.append(ln)
            last = ln
        trim_larger_print(block)
        if n_tab >= MIN_TABULAR and len(block) >= MIN_LINES:
            out.append(header_above(block, lines) + block)
        elif len(block) == 1 and lone_row(block[0], text_x0, text_x1):
            out.append(block)
        block, pending, n_tab = [], [], 0

    prev = None
    for ln in lines:
        h = line_height(ln)
        segs = segments(ln, SEGMENT_GAP * h)
        tabular = len(segs) >= 2 and (not any(len(" ".join(w.text for w in s)) > 90 for s in segs)
                                      or len(segs) == 2 and len(" ".join(w.text for w in segs[0])) <= 40)
        near = prev is not None and (min(w.top for w in ln) - max(w.bottom for w in prev)) <= MAX_LINE_GAP * h
        if block and not near:
            flush()
        if tabular:
            block.extend(pending)
            pending = []
            block.append(ln)
            n_tab += 1
        elif block:
            bx0 = min(w.x0 for l_ in block for w in l_)
            bx1 = max(w.x1 for l_ in block for w in l_)
            width = ln[-1].x1 - ln[0].x0
            if width <= 0.6 * (bx1 - bx0) and len(pending) < MAX_INNER_PLAIN:
                pending.append(ln)
            else:
                flush()
        prev = ln
    flush()
    return out


def _bands(layer: Layer, bbox: tuple[float, float, float, float]) -> tuple:
    """The layer's dark fills (darker than the header rule's ``DARK_FILL``) reaching into
    ``bbox``: a dark header band tells the whitespace reading where the header ends
    (below it, the first rows may hold no number yet: a section row, a wrapped label)."""
    from extract.tables.header import DARK_FILL

    return tuple(f for f in layer.fills if f.gray < DARK_FILL and intersection(f.bbox, bbox))


def blank_column(layer: Layer, bbox: tuple[float, float, float, float]) -> tuple[float, float] | None:
    """x-range of lines drawn to be written on, right of a block's text (the signature
    lines beside ``Elaborado por: ...``): an empty column of the table, or None."""
    top, bottom = bbox[1] - 12, bbox[3] + 12
    near = sorted((r for r in layer.h_rules if top <= r.top <= bottom and r.x0 > bbox[2] + 10),
                  key=lambda r: (round(r.top), r.x0))
    joined: list[list[float]] = []     # dashed or dotted lines are many short pieces
    for r in near:
        if joined and abs(joined[-1][1] - r.top) <= 1.0 and r.x0 - joined[-1][2] <= 3.0:
            joined[-1][2] = max(joined[-1][2], r.x1)
        else:
            joined.append([r.x0, r.top, r.x1])
    xs = [(a, b) for a, _, b in joined if b - a >= 40]
    if not xs:
        return None
    return min(a for a, _ in xs), max(b for _, b in xs)


def _with_blank_column(s, span: tuple[float, float]):
    """The structure ``s`` with one more, empty, column spanning ``span`` (x)."""
    rows = [list(r) + [""] for r in s.rows]
    col = s.n_cols
    cells = list(s.cells)
    for c in s.cells:
        if c.col == 0 and c.bbox:
            cells.append(Cell(c.row, col, "", (span[0], c.bbox[1], span[1], c.bbox[3]), c.rowspan, 1, c.pagina))
    bbox = (s.bbox[0], s.bbox[1], span[1], s.bbox[3])
    return bbox, rows, cells


SPLITS = 2
"""A region is also proposed cut at its widest vertical gaps (this many), so two tables
printed one right below the other (a key/value block above a form's grid) compete
with their union: the selection keeps the better reading."""


def _tabular(line: Sequence[Word]) -> bool:
    return len(segments(line, SEGMENT_GAP * line_height(line))) >= 2


def without_leading_prose(part: list[list[Word]]) -> list[list[Word]]:
    """``part`` without its first lines of one run that start left of every tabular
    line of it by more than two line heights: a sentence of running text that
    introduces the table ("Certificaciones a instituciones públicas, ...:" above a small
    table set further right) is not its header."""
    tab_x0 = [ln[0].x0 for ln in part if _tabular(ln)]
    if not tab_x0:
        return part
    left = min(tab_x0)
    k = 0
    while k < len(part) and not _tabular(part[k]) and part[k][0].x0 < left - 2 * line_height(part[k]):
        k += 1
    return part[k:]


def proposals(block: list[list[Word]]) -> list[list[list[Word]]]:
    """The region and its parts cut at its :data:`SPLITS` widest gaps between lines
    (each part with at least two lines; a part's leading running text taken off,
    :func:`without_leading_prose`)."""
    out = [block]
    gaps = []
    for k in range(2, len(block) - 1):
        g = min(w.top for w in block[k]) - max(w.bottom for w in block[k - 1])
        gaps.append((g, k))
    cuts = sorted(k for _, k in sorted(gaps, reverse=True)[:SPLITS])
    for k in cuts:
        out += [block[:k], block[k:]]
    if len(cuts) == 2 and cuts[1] - cuts[0] >= 2:
        out.append(block[cuts[0]:cuts[1]])
    out = [out[0]] + [p for p in (without_leading_prose(p) for p in out[1:]) if p]
    return out


def top_row(layer: Layer) -> Candidate | None:
    """The first text line of a page when it is set out in runs like a table row: the
    last row of a table continued from the previous page.  Proposed with the measure
    ``fila_de_arriba`` so that it is kept only when it joins that table
    (:func:`extract.tables.continuation.merge_continuations`)."""
    lines = group_lines(layer.words)
    if not lines:
        return None
    ln = lines[0]
    if len(segments(ln, SEGMENT_GAP * line_height(ln))) < 2:
        return None
    bbox = union(w.bbox for w in ln)
    ids = words_in(layer, bbox, tol=0.0)
    s = build([layer.words[i] for i in ids], bbox, Cues(), layer.pagina)
    if s is None or s.n_cols < 2:
        return None
    box, rows, cells = s.bbox, [list(r) for r in s.rows], list(s.cells)
    blank = blank_column(layer, s.bbox)
    if blank is not None:
        box, rows, cells = _with_blank_column(s, blank)
    return Candidate("stream", layer, box, tuple(tuple(r) for r in rows), tuple(cells), 0,
                     s.confianza, {**s.measures, "fila_de_arriba": 1.0}, frozenset(ids))


class StreamStrategy:
    """Whitespace tables: regions and structure from the words alone (and, for a
    table of labels and names, the blank lines drawn beside it to be signed on)."""

    name = "stream"

    def find(self, layer: Layer) -> list[Candidate]:
        out = []
        for block in (part for region in regions(layer.words, layer.width) for part in proposals(region)):
            bbox = union(w.bbox for ln in block for w in ln)
            ids = words_in(layer, bbox, tol=0.0)
            s = build([layer.words[i] for i in ids], bbox, Cues(header_bands=_bands(layer, bbox)),
                      layer.pagina)
            if s is None or s.n_cols < 2 or (s.n_rows < 2 and len(block) > 1):
                continue
            box, rows, cells = s.bbox, [list(r) for r in s.rows], list(s.cells)
            blank = blank_column(layer, s.bbox)
            if blank is not None:
                box, rows, cells = _with_blank_column(s, blank)
            out.append(Candidate(self.name, layer, box, tuple(tuple(r) for r in rows),
                                 tuple(cells), s.n_header, s.confianza, s.measures,
                                 frozenset(ids)))
        top = top_row(layer)
        if top is not None and not any(c.word_ids & top.word_ids for c in out):
            out.append(top)
        return out
