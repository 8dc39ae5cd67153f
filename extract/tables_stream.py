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
MAX_LINE_GAP = 2.2
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


def find_stream(words: Sequence[Word], exclude: Sequence[BBox], page_width: float,
                pagina: int) -> list[tuple[BBox, list[list[str]], list[Cell]]]:
    """Whitespace tables among ``words`` outside the ``exclude`` boxes, as
    ``(bbox, rows, cells)`` in reading order."""
    free = [w for w in words if not _inside_any(w, exclude)]
    lines = _lines(free)
    out = []
    block: list[list[list[Word]]] = []

    def flush():
        if len(block) >= MIN_ROWS:
            t = _to_table(block, pagina)
            if t:
                out.append(t)
        block.clear()

    prev_bottom = None
    for line in lines:
        segs = segments(line)
        height = max(w.bottom - w.top for w in line) or 8.0
        tabular = len(segs) >= 2 and not any(len(" ".join(w.text for w in s)) > 70 for s in segs)
        near = prev_bottom is None or (line[0].top - prev_bottom) <= MAX_LINE_GAP * height
        if tabular and (near or not block):
            if block and not near:
                flush()
            block.append(segs)
        else:
            flush()
            if tabular:
                block.append(segs)
        prev_bottom = max(w.bottom for w in line)
    flush()
    return out


def _to_table(block: list[list[list[Word]]], pagina: int
              ) -> tuple[BBox, list[list[str]], list[Cell]] | None:
    cols = _columns(block)
    if len(cols) < 2:
        return None
    rows: list[list[str]] = []
    cells: list[Cell] = []
    for i, line in enumerate(block):
        row = [""] * len(cols)
        for s in line:
            cx = (s[0].x0 + s[-1].x1) / 2
            j = next((k for k, (a, b) in enumerate(cols) if a - 1 <= cx <= b + 1), None)
            if j is None:
                continue
            text = " ".join(w.text for w in s)
            row[j] = f"{row[j]} {text}".strip()
        rows.append(row)
        top = min(w.top for s in line for w in s)
        bottom = max(w.bottom for s in line for w in s)
        for j, (a, b) in enumerate(cols):
            cells.append(Cell(i, j, row[j], (a, top, b, bottom), 1, 1, pagina))
    filled_cols = [j for j in range(len(cols)) if sum(1 for r in rows if r[j]) >= 2]
    if len(filled_cols) < 2:
        return None
    x0 = min(a for a, _ in cols)
    x1 = max(b for _, b in cols)
    top = min(w.top for line in block for s in line for w in s)
    bottom = max(w.bottom for line in block for s in line for w in s)
    return (x0, top, x1, bottom), rows, cells
