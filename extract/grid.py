"""Cell grids: from cell rectangles and words to a row x column table.

Shared by the ruled (lattice) strategy and the image strategy: both find cell
rectangles; this module turns them into a grid with row/column spans and puts each
word in the cell that contains its centre.  Text wrapped inside a cell becomes one
value (lines joined by a space, :func:`extract.geometry.text_of`).  Nothing is lost: a
word of the table's box that no rectangle holds (it sits on a rule, or in a gap
between cells) goes to the nearest cell.
"""
from __future__ import annotations

from collections.abc import Sequence

from extract.geometry import centre, centre_inside, cluster, join_wrapped, nearest, text_of
from extract.models import BBox, Cell, Word

SNAP = 2.0
"""Coordinates closer than this many points are the same grid line."""

# kept for the callers of the former helpers of this module
words_text = text_of
join_lines = join_wrapped


def _distance(p: tuple[float, float], b: BBox) -> float:
    dx = max(b[0] - p[0], 0.0, p[0] - b[2])
    dy = max(b[1] - p[1], 0.0, p[1] - b[3])
    return dx * dx + dy * dy


def build_grid(rects: Sequence[BBox], words: Sequence[Word], pagina: int,
               bbox: BBox | None = None, snap: float = SNAP) -> tuple[list[list[str]], list[Cell]]:
    """Turn cell rectangles into a text grid.

    ``rects``: cell rectangles (x0, top, x1, bottom) in points.  ``words``: the page's
    words; those whose centre lies in ``bbox`` (the table's box; default: the union of
    ``rects``) all land in a cell.  Returns ``(rows, cells)``: ``rows`` a list of
    equal-length lists of cell texts ('' where empty or covered by a merged cell),
    ``cells`` the :class:`Cell` objects with spans.  Grid positions no rectangle covers
    (a merged cell whose closing rule lies on the next page) are merged per column into
    one vertical cell.  Rows and columns holding no text at all are dropped.  ``snap``:
    rule positions closer than this (pt) are one grid line (larger for scans, whose
    rules wander with the skew).
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
        c0, c1 = nearest(xs, r[0]), nearest(xs, r[2])
        r0, r1 = nearest(ys, r[1]), nearest(ys, r[3])
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
    spans.sort()
    box = bbox or (xs[0], ys[0], xs[-1], ys[-1])
    members: list[list[Word]] = [[] for _ in spans]
    for w in words:
        if not centre_inside(w.bbox, box, 1.0):
            continue
        c = centre(w.bbox)
        k = next((k for k, s in enumerate(spans) if centre_inside(w.bbox, s[4])), None)
        if k is None:
            k = min(range(len(spans)), key=lambda k: _distance(c, spans[k][4]))
        members[k].append(w)
    grid = [[""] * nc for _ in range(nr)]
    cells: list[Cell] = []
    for (r0, c0, rs, cs, b), ws in zip(spans, members):
        text = text_of(ws)
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
