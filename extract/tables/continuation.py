"""Tables continued over pages: joined into the table of their first page.

Whatever strategy read each piece, a table at the top of a page continues the last
table of the previous page when it reads in the same direction and either repeats its
header (the caption, if any, equal or differing only by a continuation mark such as
"(continuación)", "— Continued": ``pipelines/data/tablas.toml``), or has no caption and
the same columns (same number, same left edges in the reading frame).  A continuation
that prints fewer columns (its empty ones were dropped) is widened to the first
page's columns by their positions.  The first body row of the new page may be the rest
of the previous page's last row, cut by the page break (:func:`is_row_tail`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from extract.models import Cell, Table
from extract.tables.captions import is_continuation_title, without_continuation_mark


def _header_key(t: Table) -> list[str]:
    return [without_continuation_mark(" ".join(r)) for r in t.header]


def column_map(prev: Table, nxt: Table, tol: float = 8.0) -> dict[int, int] | None:
    """For a continuation that prints fewer columns: each of ``nxt``'s columns -> the
    column of ``prev`` starting at the same x (reading frame), or None when some
    column has no counterpart."""
    xa, xb = prev.col_starts, nxt.col_starts
    if not xa or not xb:
        return None
    out: dict[int, int] = {}
    for j, x in enumerate(xb):
        if x is None:
            return None
        k = min(range(len(xa)), key=lambda k: abs((xa[k] if xa[k] is not None else 1e9) - x))
        if xa[k] is None or abs(xa[k] - x) > tol or k in out.values():
            return None
        out[j] = k
    return out if out and list(out.values()) == sorted(out.values()) else None


def _widen(t: Table, cmap: dict[int, int], n_cols: int, starts: tuple) -> Table:
    rows = []
    for r in t.rows:
        new = [""] * n_cols
        for j, text in enumerate(r):
            new[cmap[j]] = text
        rows.append(tuple(new))
    cells = tuple(replace(c, col=cmap[c.col]) for c in t.cells if c.col in cmap)
    return replace(t, rows=tuple(rows), cells=cells, n_header=0, col_starts=starts)


def _spans(t: Table) -> list[tuple[float, float] | None]:
    """Each column's x-range in the reading frame (from one column's start to the
    next's)."""
    starts = list(t.col_starts)
    right = (t.frame_bbox or t.bbox)[2]
    out: list[tuple[float, float] | None] = []
    for j, x in enumerate(starts):
        nxt = next((v for v in starts[j + 1:] if v is not None), right)
        out.append(None if x is None else (x, nxt))
    return out


def _same_columns(a: Table, b: Table, tol: float = 6.0) -> bool:
    """Same number of columns, each starting at the same x (within ``tol``) or, where a
    whitespace boundary moved with the text, overlapping its counterpart by most of
    the narrower of the two."""
    if a.n_cols != b.n_cols:
        return False
    pairs = [(p, q) for p, q in zip(_spans(a), _spans(b)) if p is not None and q is not None]
    if not pairs:
        return False
    for (a0, a1), (b0, b1) in pairs:
        if abs(a0 - b0) <= tol:
            continue
        inter = min(a1, b1) - max(a0, b0)
        if inter < 0.6 * min(a1 - a0, b1 - b0):
            return False
    return True


def _titles_agree(prev: Table, nxt: Table) -> bool:
    if nxt.titulo is None:
        return True
    if is_continuation_title(nxt.titulo):
        return True
    return without_continuation_mark(nxt.titulo) == without_continuation_mark(prev.titulo)


def repeated_header(prev: Table, nxt: Table) -> int:
    """How many of ``nxt``'s first rows repeat ``prev``'s header (dropped when joining),
    whether or not ``nxt`` was read with those rows as its header."""
    if not prev.n_header:
        return 0
    head = _header_key(prev)
    if nxt.n_header and _header_key(nxt) == head:
        return nxt.n_header
    k = len(head)
    first = [without_continuation_mark(" ".join(r)) for r in nxt.rows[:k]]
    if first == head:
        return k
    # a header read as one row on one page and as wrapped lines on the other
    if k and nxt.rows and without_continuation_mark(" ".join(nxt.rows[0])) == " ".join(head):
        return 1
    return 0


def is_continuation(prev: Table, nxt: Table, top_limit: float) -> bool:
    """True when ``nxt`` (a table of the page after ``prev``'s last page) continues
    ``prev`` (see the module docstring).  ``top_limit``: the y above which a table
    counts as starting at the top of its page (reading frame)."""
    if nxt.pagina != prev.row_pages[-1] + 1 or nxt.orden != 1:
        return False
    if nxt.direction != prev.direction or nxt.n_cols != prev.n_cols:
        return False
    same_header = repeated_header(prev, nxt) > 0
    if same_header:
        return _titles_agree(prev, nxt)
    top = (nxt.frame_bbox or nxt.bbox)[1]
    if nxt.titulo is not None and not is_continuation_title(nxt.titulo):
        return False
    return top <= top_limit and _same_columns(prev, nxt)


def _covering(cells: Sequence[Cell], r: int, j: int) -> Cell | None:
    return next((c for c in cells if c.row <= r < c.row + c.rowspan
                 and c.col <= j < c.col + c.colspan), None)


def is_row_tail(row: Sequence[str], rows: Sequence[Sequence[str]], cells: Sequence[Cell]) -> bool:
    """True when ``row`` (first body row on a new page) is the rest of the last row of
    ``rows`` (the previous page), cut by the page break.  Every non-empty cell must
    continue a cell that has text (directly or through a merged cell), and either all
    start with a lowercase letter, or none starts with a digit, the cells they continue
    do not end a sentence, and the row fills fewer cells than the row it continues."""
    filled = [j for j, c in enumerate(row) if c.strip()]
    if not filled or not rows:
        return False
    r = len(rows) - 1
    texts = []
    for j in filled:
        c = _covering(cells, r, j)
        text = c.text if c is not None else (rows[r][j] if j < len(rows[r]) else "")
        if not text.strip():
            return False
        texts.append(text.strip())
    if all(row[j].strip()[0].islower() for j in filled):
        return True
    prev_filled = sum(1 for c in rows[r] if c.strip())
    return (not any(row[j].strip()[0].isdigit() for j in filled)
            and not any(t[-1] in ".;:!?)" for t in texts)
            and len(filled) < prev_filled)


def _append_tail(rows: list[tuple[str, ...]], tail: Sequence[str], cells: list[Cell]
                 ) -> tuple[list[tuple[str, ...]], list[Cell]]:
    """Append each text of ``tail`` to the cell it continues (last row of ``rows``, or the
    merged cell covering it); returns the new rows and cells."""
    grid = [list(x) for x in rows]
    r = len(grid) - 1
    cells = list(cells)
    for j, t in enumerate(tail):
        if not t.strip() or j >= len(grid[r]):
            continue
        k = next((i for i, c in enumerate(cells) if c.row <= r < c.row + c.rowspan
                  and c.col <= j < c.col + c.colspan), None)
        top = cells[k].row if k is not None else r
        grid[top][j] = f"{grid[top][j]} {t}".strip()
        if k is not None:
            cells[k] = replace(cells[k], text=f"{cells[k].text} {t}".strip())
    return [tuple(x) for x in grid], cells


def merge_continuations(tables: list[Table], page_tops: dict[int, float]) -> list[Table]:
    """Join tables continued on the next page into their first page's table (tables in
    document order).  ``page_tops``: per page, the y (pt) above which a table counts as
    starting at the top of the page.  A repeated header is dropped; the joined table
    keeps the lowest confidence of its pieces.  A provisional table (a lone row at the
    top of a page, :func:`extract.tables.stream.top_row`) that joins nothing is
    dropped."""
    out: list[Table] = []
    for t in tables:
        prev = out[-1] if out else None
        if prev is not None and t.n_cols < prev.n_cols and t.direction == prev.direction \
                and (t.titulo is None or is_continuation_title(t.titulo)) \
                and t.pagina == prev.row_pages[-1] + 1 and t.orden == 1 \
                and (t.frame_bbox or t.bbox)[1] <= page_tops.get(t.pagina, 0.0):
            cmap = column_map(prev, t)
            if cmap is not None:
                t = _widen(t, cmap, prev.n_cols, prev.col_starts)
        if prev is not None and is_continuation(prev, t, page_tops.get(t.pagina, 0.0)):
            drop = repeated_header(prev, t)
            prev_rows = list(prev.rows)
            prev_cells = list(prev.cells)
            if drop < t.n_rows and is_row_tail(t.rows[drop], prev_rows, prev_cells):
                prev_rows, prev_cells = _append_tail(prev_rows, t.rows[drop], prev_cells)
                drop += 1
            body = t.rows[drop:]
            base = len(prev_rows)
            shifted = tuple(replace(c, row=c.row - drop + base) for c in t.cells if c.row >= drop)
            out[-1] = replace(prev, rows=tuple(prev_rows) + body,
                              row_pages=prev.row_pages + t.row_pages[drop:],
                              cells=tuple(prev_cells) + shifted,
                              confianza=min(prev.confianza, t.confianza))
        else:
            out.append(t)
    # a lone top row that continued nothing is no table: its words stay running text
    return [t for t in out if not (t.provisional and len(set(t.row_pages)) == 1)]
