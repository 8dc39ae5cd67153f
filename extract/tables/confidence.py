"""Confidence of a whitespace or hybrid table reading (0-1), from measures of how
it can be wrong.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from extract.models import Word
from extract.tables.kinds import ATOMIC
from extract.tables.pieces import SEGMENT_GAP, Piece, _height, _median, segments

SINGLE_ROW = 0.9
"""Confidence factor of a table with a single body row (no column alignment to see)."""
TOLERATED = 0.95
"""A confidence measure at or above this share counts as perfect."""


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
