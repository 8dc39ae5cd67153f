"""Cell grids: from cell rectangles and words to a row x column table.

Shared by the ruled (lattice) strategy and the image strategy: both find cell
rectangles; this module turns them into a grid with row/column spans and puts each
word in the cell that contains its centre.  Text wrapped inside a cell becomes one
value (lines joined by a space).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from extract.models import BBox, Cell, Word

SNAP = 2.0
"""Coordinates closer than this many points are the same grid line."""


def cluster(values: Iterable[float], tol: float = SNAP) -> list[float]:
    """Sorted representatives of ``values`` with neighbours closer than ``tol`` merged."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _index(lines: Sequence[float], v: float) -> int:
    best, bi = None, 0
    for i, x in enumerate(lines):
        d = abs(x - v)
        if best is None or d < best:
            best, bi = d, i
    return bi


def words_text(words: Sequence[Word], line_tol: float = 3.0) -> str:
    """Join words into text: words whose vertical centres are within ``line_tol`` pt, or
    within half their height (OCR boxes wobble), form a line, read left to right; lines
    are joined by a single space (a wrapped cell is one value)."""
    if not words:
        return ""
    ws = sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0))
    lines: list[list[Word]] = []
    centre = 0.0
    for w in ws:
        c = (w.top + w.bottom) / 2
        tol = max(line_tol, 0.5 * (w.bottom - w.top))
        if lines and abs(c - centre) <= tol:
            lines[-1].append(w)
            centre = sum((x.top + x.bottom) / 2 for x in lines[-1]) / len(lines[-1])
        else:
            lines.append([w])
            centre = c
    return join_lines(" ".join(w.text for w in sorted(line, key=lambda w: w.x0)) for line in lines)


def join_lines(lines: Iterable[str]) -> str:
    """Join the lines of one cell with a space, except after a line ending in a hyphen
    glued to a word ('situación-' + 'Identificación' -> 'situación-Identificación')."""
    out = ""
    for line in lines:
        if not out:
            out = line
        elif len(out) >= 2 and out.endswith("-") and out[-2].isalnum():
            out += line
        else:
            out += " " + line
    return out


def _inside(w: Word, b: BBox) -> bool:
    cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    return b[0] <= cx <= b[2] and b[1] <= cy <= b[3]


def build_grid(rects: Sequence[BBox], words: Sequence[Word], pagina: int,
               bbox: BBox | None = None, snap: float = SNAP) -> tuple[list[list[str]], list[Cell]]:
    """Turn cell rectangles into a text grid.

    ``rects``: cell rectangles (x0, top, x1, bottom) in points.  ``words``: the page's
    words.  Returns ``(rows, cells)``: ``rows`` a list of equal-length lists of cell
    texts ('' where empty or covered by a merged cell), ``cells`` the
    :class:`Cell` objects with spans.  Grid positions no rectangle covers (a merged
    cell whose closing rule lies on the next page) are merged per column into one
    vertical cell.  Rows and columns holding no text at all are dropped.  ``snap``: rule
    positions closer than this (pt) are one grid line (larger for scans, whose rules
    wander with the skew).
    """
    if not rects:
        return [], []
    xs = cluster([r[0] for r in rects] + [r[2] for r in rects], snap)
    ys = cluster([r[1] for r in rects] + [r[3] for r in rects], snap)
    nr, nc = len(ys) - 1, len(xs) - 1
    if nr <= 0 or nc <= 0:
        return [], []
    covered = [[False] * nc for _ in range(nr)]
    spans: list[tuple[int, int, int, int, BBox]] = []
    for r in rects:
        c0, c1 = _index(xs, r[0]), _index(xs, r[2])
        r0, r1 = _index(ys, r[1]), _index(ys, r[3])
        if c1 <= c0 or r1 <= r0:
            continue
        if any(covered[i][j] for i in range(r0, r1) for j in range(c0, c1)):
            continue
        for i in range(r0, r1):
            for j in range(c0, c1):
                covered[i][j] = True
        spans.append((r0, c0, r1 - r0, c1 - c0, (xs[c0], ys[r0], xs[c1], ys[r1])))
    for j in range(nc):
        i = 0
        while i < nr:
            if covered[i][j]:
                i += 1
                continue
            k = i
            while k < nr and not covered[k][j]:
                covered[k][j] = True
                k += 1
            spans.append((i, j, k - i, 1, (xs[j], ys[i], xs[j + 1], ys[k])))
            i = k
    pool = list(words)
    grid = [[""] * nc for _ in range(nr)]
    cells: list[Cell] = []
    for r0, c0, rs, cs, b in sorted(spans):
        inside = [w for w in pool if _inside(w, b)]
        text = words_text(inside)
        grid[r0][c0] = text
        cells.append(Cell(r0, c0, text, b, rs, cs, pagina))
    keep_rows = [i for i in range(nr) if any(grid[i])]
    keep_cols = [j for j in range(nc) if any(grid[i][j] for i in range(nr))]
    rmap = {old: new for new, old in enumerate(keep_rows)}
    cmap = {old: new for new, old in enumerate(keep_cols)}
    rows = [[grid[i][j] for j in keep_cols] for i in keep_rows]
    out: list[Cell] = []
    for c in cells:
        if c.row in rmap and c.col in cmap:
            r_end = max((rmap[i] for i in range(c.row, c.row + c.rowspan) if i in rmap), default=rmap[c.row])
            c_end = max((cmap[j] for j in range(c.col, c.col + c.colspan) if j in cmap), default=cmap[c.col])
            out.append(Cell(rmap[c.row], cmap[c.col], c.text, c.bbox,
                            r_end - rmap[c.row] + 1, c_end - cmap[c.col] + 1, pagina))
    return rows, out
