"""Header rows of a table: how many top lines are header, which labels are parents
over column groups, and the header cells (one text per column, parents one row up).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from extract.geometry import join_wrapped, line_text
from extract.models import BBox, Word
from extract.tables.kinds import ATOMIC
from extract.tables.pieces import Cues, Piece
from extract.tables.rows import drawn_cover

DARK_FILL = 0.55
"""A fill darker than this (luminance) behind the top lines marks them as a header."""
MAX_HEADER_LINES = 8


def header_line_count(lines: Sequence[Sequence[Word]], pieces: Sequence[Sequence[Piece]],
                      atomic: Sequence[bool], region: BBox, cues: Cues) -> int:
    """How many of the top lines are header lines (see the module docstring)."""
    n = len(lines)
    cap = min(MAX_HEADER_LINES, max(0, n - 1))
    if cap == 0:
        return 0
    x0, _, x1, _ = region
    # a dark fill behind the top lines
    dark = [f for f in (*cues.fills, *cues.header_bands)
            if f.gray < DARK_FILL and f.bbox[2] - f.bbox[0] > 0.1 * (x1 - x0)]
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


def mark_parents(header: Sequence[Sequence[Piece]]) -> None:
    """Header labels printed over several columns without covering their gutters
    (``EJECUCIÓN FÍSICA`` centred over ``POA Programado`` / ``POA Ejecutado``): a piece
    centred between pieces of the next header line (near it: centres within its width
    on either side; some left of its centre, some right, none right under its centre
    as the second line of a wrapped label would be; their columns side by side) spans
    their columns.  In place."""
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
            # a parent heads a run of neighbouring columns, each with its sub-label: the
            # middle line of a label wrapped over three lines sits between the labels
            # of the columns on either side, with none under it ("CÓDIGO" / "ACCIÓN DE
            # CORTO PLAZO" / "ACP" beside "OPERACIÓN")
            if len(cols) >= 2 and cols == list(range(cols[0], cols[-1] + 1)) \
                    and cols[0] <= p.col <= cols[-1]:
                p.col, p.span = cols[0], cols[-1] - cols[0] + 1


def header_cells(pieces: Sequence[Sequence[Piece]], n_cols: int
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
