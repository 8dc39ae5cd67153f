"""Table stage: every table of a document, whatever strategy found it.

Strategies (one module each, camelot's idea): :mod:`extract.tables_ruled` for tables
drawn with rules, :mod:`extract.tables_stream` for tables aligned by whitespace.  Ruled
tables win where both apply; the stream strategy only looks at page regions no ruled
table covers.  This module then adds what belongs to a table but not to a strategy:
its caption (``titulo``), its header rows, and continuation over pages (a table whose
first page is followed by a table at the top of the next page with the same columns,
header repeated or not, is one table).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from extract.grid import words_text
from extract.models import BBox, Cell, Page, Table, Word
from normalize.text import fold

TITLE_GAP = 28.0
"""Max distance (pt) between a caption's last line and the table's top rule."""
LINE_TOL = 3.0


def _lines(words: Sequence[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and abs(w.top - lines[-1][0].top) <= LINE_TOL:
            lines[-1].append(w)
        else:
            lines.append([w])
    return lines


def _in_any(w: Word, boxes: Sequence[BBox]) -> bool:
    cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    return any(b[0] - 1 <= cx <= b[2] + 1 and b[1] - 1 <= cy <= b[3] + 1 for b in boxes)


def find_title(page: Page, bbox: BBox, boxes: Sequence[BBox]) -> str | None:
    """The caption printed just above ``bbox``: the block of up to three text lines
    ending less than :data:`TITLE_GAP` pt above the table, horizontally overlapping it,
    outside every table box.  ``None`` if there is none."""
    cand = [w for w in page.words
            if w.bottom <= bbox[1] + 1 and w.bottom >= bbox[1] - 120
            and w.x1 >= bbox[0] - 20 and w.x0 <= bbox[2] + 20 and not _in_any(w, boxes)]
    lines = _lines(cand)
    block: list[list[Word]] = []
    limit = bbox[1]
    for line in reversed(lines):
        bottom = max(w.bottom for w in line)
        if limit - bottom > (TITLE_GAP if not block else 10.0):
            break
        if fold(" ".join(w.text for w in line)).startswith("pagina "):
            break
        block.insert(0, line)
        limit = min(w.top for w in line)
        if len(block) == 3:
            break
    if not block:
        return None
    text = " ".join(" ".join(w.text for w in sorted(line, key=lambda w: w.x0)) for line in block)
    return text or None


def count_header(rows: Sequence[Sequence[str]], cells: Sequence[Cell]) -> int:
    """Header rows of a grid: the rows spanned by the first row's tallest cell (a
    two-level header such as FECHA PREVISTA / Inicio, Fin), 0 for key/value blocks
    (two columns whose left cells are labels ending in ':')."""
    if not rows:
        return 0
    if len(rows[0]) == 2 and all(r[0].endswith(":") for r in rows if r[0]):
        return 0
    spans = [c.rowspan for c in cells if c.row == 0]
    return min(max(spans, default=1), len(rows))


def column_starts(cells: Sequence[Cell], n_cols: int) -> list[float | None]:
    """Left x of each column, from the cells that span just that column."""
    out: list[float | None] = [None] * n_cols
    for c in cells:
        if c.colspan == 1 and c.bbox and c.col < n_cols:
            out[c.col] = c.bbox[0] if out[c.col] is None else min(out[c.col], c.bbox[0])
    return out


def _same_columns(a: Table, b: Table, tol: float = 6.0) -> bool:
    if a.n_cols != b.n_cols:
        return False
    xa, xb = column_starts(a.cells, a.n_cols), column_starts(b.cells, b.n_cols)
    pairs = [(p, q) for p, q in zip(xa, xb) if p is not None and q is not None]
    return bool(pairs) and all(abs(p - q) <= tol for p, q in pairs)


def column_map(prev: Table, nxt: Table, tol: float = 8.0) -> dict[int, int] | None:
    """For a continuation that prints fewer columns (its empty ones were dropped): each
    of ``nxt``'s columns -> the column of ``prev`` starting at the same x, or None when
    some column has no counterpart."""
    xa, xb = column_starts(prev.cells, prev.n_cols), column_starts(nxt.cells, nxt.n_cols)
    out: dict[int, int] = {}
    for j, x in enumerate(xb):
        if x is None:
            return None
        k = min(range(len(xa)), key=lambda k: abs((xa[k] if xa[k] is not None else 1e9) - x))
        if xa[k] is None or abs(xa[k] - x) > tol or k in out.values():
            return None
        out[j] = k
    return out if out and list(out.values()) == sorted(out.values()) else None


def _widen(t: Table, cmap: dict[int, int], n_cols: int) -> Table:
    """``t`` with its columns moved to the positions ``cmap`` gives (all rows body)."""
    rows = []
    for r in t.rows:
        new = [""] * n_cols
        for j, text in enumerate(r):
            new[cmap[j]] = text
        rows.append(tuple(new))
    cells = tuple(replace(c, col=cmap[c.col]) for c in t.cells if c.col in cmap)
    return replace(t, rows=tuple(rows), cells=cells, n_header=0)


def _is_continuation(prev: Table, nxt: Table, top_limit: float) -> bool:
    if nxt.pagina != prev.row_pages[-1] + 1 or nxt.orden != 1:
        return False
    if nxt.n_cols != prev.n_cols:
        return False
    same_header = prev.n_header > 0 and nxt.n_header > 0 and \
        [fold(" ".join(r)) for r in prev.header] == [fold(" ".join(r)) for r in nxt.header]
    if same_header:
        return nxt.titulo is None or fold(nxt.titulo) == fold(prev.titulo or "")
    return nxt.titulo is None and nxt.bbox[1] <= top_limit and _same_columns(prev, nxt)


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
    """Join tables continued on the next page into their first page's table.

    ``page_tops``: per page, the y (pt) above which a table counts as starting at the
    top of the page (only banner text above it).  A repeated header is dropped."""
    out: list[Table] = []
    for t in tables:
        prev = out[-1] if out else None
        if prev is not None and t.n_cols < prev.n_cols and t.titulo is None \
                and t.pagina == prev.row_pages[-1] + 1 and t.orden == 1 \
                and t.bbox[1] <= page_tops.get(t.pagina, 0.0):
            cmap = column_map(prev, t)
            if cmap is not None:
                t = _widen(t, cmap, prev.n_cols)
        if prev is not None and _is_continuation(prev, t, page_tops.get(t.pagina, 0.0)):
            drop = t.n_header if prev.n_header and [fold(" ".join(r)) for r in prev.header] == \
                [fold(" ".join(r)) for r in t.header] else 0
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
                              accuracy=min(prev.accuracy, t.accuracy))
        else:
            out.append(t)
    return out


def page_tables(page: Page, found: Sequence[tuple[BBox, list[list[str]], list[Cell], str]]
                ) -> list[Table]:
    """Wrap one page's strategy results ``(bbox, rows, cells, metodo)`` as
    :class:`Table` objects with caption and header count, in reading order."""
    boxes = [f[0] for f in found]
    tables = []
    for i, (bbox, rows, cells, metodo) in enumerate(sorted(found, key=lambda f: (round(f[0][1]), f[0][0])), 1):
        tables.append(Table(
            pagina=page.numero, orden=i, metodo=metodo, bbox=bbox,
            rows=tuple(tuple(r) for r in rows), row_pages=(page.numero,) * len(rows),
            n_header=count_header(rows, cells), titulo=find_title(page, bbox, boxes),
            cells=tuple(cells)))
    return tables


def top_limit(page: Page) -> float:
    """y below which a table no longer 'starts at the top': the top of the first text
    line that is not a short banner line, plus slack.  Pages whose first text is the
    table itself give the table's own top."""
    lines = _lines(page.words)
    if not lines:
        return page.height * 0.25
    return min(w.top for w in lines[0]) + 60.0
