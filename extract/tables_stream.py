"""Whitespace (stream) tables: tables printed without rules, found from word positions.

The idea of camelot's stream parser, restricted to page regions no ruled table covers
and tuned for report pages where tables sit between paragraphs:

1. words are grouped into lines; a line is split into *segments* where the gap between
   two words is wider than :data:`SEGMENT_GAP` points;
2. a line with two or more segments is *tabular*; runs of at least :data:`MIN_ROWS`
   tabular lines, close together vertically, form a block (prose lines are one segment:
   justified text never leaves gaps that wide);
3. columns are the gaps of the block's x-projection; each segment goes to the column
   its centre falls in.
"""
from __future__ import annotations

from collections.abc import Sequence

from extract.models import BBox, Cell, Word

SEGMENT_GAP = 9.0
"""Gap (pt) between two words that separates two cells of a line."""
MIN_ROWS = 3
"""A whitespace table has at least this many lines."""
MAX_LINE_GAP = 2.6
"""Max vertical gap between lines of one table, in line heights."""


def _lines(words: Sequence[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and abs(w.top - lines[-1][0].top) <= 3.0:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def segments(line: Sequence[Word], gap: float = SEGMENT_GAP) -> list[list[Word]]:
    """Split one line's words (left to right) where the gap exceeds ``gap`` pt."""
    segs: list[list[Word]] = []
    for w in line:
        if segs and w.x0 - segs[-1][-1].x1 <= gap:
            segs[-1].append(w)
        else:
            segs.append([w])
    return segs


def _inside_any(w: Word, boxes: Sequence[BBox]) -> bool:
    cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    return any(b[0] - 2 <= cx <= b[2] + 2 and b[1] - 2 <= cy <= b[3] + 2 for b in boxes)


def _columns(block: list[list[list[Word]]]) -> list[tuple[float, float]]:
    """Column x-ranges: merge the x-extents of all segments of the block."""
    spans = sorted((s[0].x0, s[-1].x1) for line in block for s in line)
    cols: list[list[float]] = []
    for a, b in spans:
        if cols and a <= cols[-1][1] + 1.0:
            cols[-1][1] = max(cols[-1][1], b)
        else:
            cols.append([a, b])
    return [(a, b) for a, b in cols]


def horizontal_rules(objs: Sequence[dict], max_height: float = 2.0, gap: float = 3.0) -> list[BBox]:
    """Horizontal rule segments from pdfplumber rect/line dicts: thin objects on one
    baseline joined when closer than ``gap`` pt (a dotted signature line is hundreds of
    tiny rects)."""
    thin = sorted((float(o["top"]), float(o["x0"]), float(o["x1"]), float(o["bottom"]))
                  for o in objs if float(o["bottom"]) - float(o["top"]) <= max_height)
    out: list[list[float]] = []
    for top, x0, x1, bottom in thin:
        if out and abs(out[-1][1] - top) <= 1.0 and x0 - out[-1][2] <= gap:
            out[-1][2] = max(out[-1][2], x1)
        else:
            out.append([x0, top, x1, bottom])
    return [tuple(r) for r in out if r[2] - r[0] >= 40]


def find_stream(words: Sequence[Word], exclude: Sequence[BBox], page_width: float,
                pagina: int, rules: Sequence[BBox] = ()) -> list[tuple[BBox, list[list[str]], list[Cell]]]:
    """Whitespace tables among ``words`` outside the ``exclude`` boxes, as
    ``(bbox, rows, cells)`` in reading order.

    Inside a block, a one-segment line that starts right of the block's first column is
    the wrapped continuation of the row above (its text is appended to that cell)."""
    free = [w for w in words if not _inside_any(w, exclude)]
    lines = _lines(free)
    out = []
    block: list[tuple[list[list[Word]], bool]] = []

    def flush():
        rows = [segs for segs, cont in block if not cont]
        if len(rows) >= MIN_ROWS or (len(rows) >= 2 and any(c for _, c in block)):
            t = _to_table(block, pagina, rules)
            if t:
                out.append(t)
        block.clear()

    prev_bottom = None
    for line in lines:
        segs = segments(line)
        height = max(w.bottom - w.top for w in line) or 8.0
        tabular = len(segs) >= 2 and not any(len(" ".join(w.text for w in s)) > 70 for s in segs)
        near = prev_bottom is not None and (line[0].top - prev_bottom) <= MAX_LINE_GAP * height
        first_x = min(s[0].x0 for segs_, _ in block for s in segs_[:1]) if block else None
        if tabular:
            if block and not near:
                flush()
            block.append((segs, False))
        elif block and near and len(segs) == 1 and first_x is not None and segs[0][0].x0 > first_x + 20 \
                and len(" ".join(w.text for w in segs[0])) <= 70:
            block.append((segs, True))
        else:
            flush()
        prev_bottom = max(w.bottom for w in line)
    flush()
    return out


def _to_table(block: list[tuple[list[list[Word]], bool]], pagina: int, rules: Sequence[BBox] = ()
              ) -> tuple[BBox, list[list[str]], list[Cell]] | None:
    cols = _columns([segs for segs, _ in block])
    if len(cols) < 2:
        return None
    # a rule printed right of the text on the block's lines (a signature line) is a column
    top = min(w.top for segs, _ in block for s in segs for w in s)
    bottom = max(w.bottom for segs, _ in block for s in segs for w in s)
    extra = sorted({(round(r[0]), round(r[2])) for r in rules
                    if top - 12 <= r[1] <= bottom + 12 and r[0] > cols[-1][1] + 10})
    if extra:
        cols.append((float(extra[0][0]), float(max(e[1] for e in extra))))
    rows: list[list[str]] = []
    tops: list[float] = []
    bottoms: list[float] = []
    for segs, cont in block:
        if cont and rows:
            row = rows[-1]
        else:
            row = [""] * len(cols)
            rows.append(row)
            tops.append(min(w.top for s in segs for w in s))
            bottoms.append(0.0)
        bottoms[-1] = max(bottoms[-1], max(w.bottom for s in segs for w in s))
        for s in segs:
            cx = (s[0].x0 + s[-1].x1) / 2
            j = next((k for k, (a, b) in enumerate(cols) if a - 1 <= cx <= b + 1), None)
            if j is None:
                continue
            text = " ".join(w.text for w in s)
            row[j] = f"{row[j]} {text}".strip()
    cells = [Cell(i, j, rows[i][j], (a, tops[i], b, bottoms[i]), 1, 1, pagina)
             for i in range(len(rows)) for j, (a, b) in enumerate(cols)]
    filled_cols = [j for j in range(len(cols)) if sum(1 for r in rows if r[j]) >= 2]
    if len(filled_cols) < 2:
        return None
    x0 = min(a for a, _ in cols)
    x1 = max(b for _, b in cols)
    return (x0, min(tops), x1, max(bottoms)), rows, cells
