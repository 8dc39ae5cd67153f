"""The generic ``tablas`` dataset: every cell of every table, long form.

A table whose strategy measured a confidence below
:data:`extract.tables.LOW_CONFIDENCE` gets a finding ``tabla_baja_confianza``
(``advertencia``: the cells are kept, the analyst is told to check them).

Every cell carries its table's ``confianza`` and its box (``x0, top, x1, bottom``,
DATASETS.md "Trace columns"), so any dataset row traced to (``tabla_id``, ``fila``)
leads to the printed boxes.

Numbers are decided per column (normalize.numbers.parse_column, frictionless's
approach): a column is numeric when most of its non-blank body cells parse; a cell
of a numeric column that does not parse keeps its text, gets ``valor`` null and a
finding ``numero_ilegible`` (DATASETS.md: never a guessed number).  A column of codes
(:func:`is_code_column`: 'CÓDIGO PDES', '7.4.3') is never numeric.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pyarrow as pa

from extract.models import Table
from extract.tables import LOW_CONFIDENCE
from extract.tables.data import knowledge
from normalize.numbers import NumberFormat, parse_column
from normalize.text import clean_text, fold
from pipelines.builders import BuildInput, BuildResult
from pipelines.context import DocContext, Finding, Location
from pipelines.schemas import table_for

NUMERIC_SHARE = 0.6
"""Share of a column's non-blank body cells that must parse for it to be numeric."""


def tabla_id(ctx: DocContext, t: Table) -> str:
    """``<documento_id>-p<pagina>-t<n>`` (DATASETS.md, ``tablas``)."""
    return f"{ctx.documento_id}-p{t.pagina}-t{t.orden}"


_LEVELS = re.compile(r"\d+(?:\.\d+){2,}\.?")


def is_code_column(header: str, cells: list[str]) -> bool:
    """A column of codes, not numbers: its header has a word of ``[codigos].encabezados``
    (tablas.toml: 'CÓDIGO PDES', 'COD. ACCIÓN DE MP.'), or a cell is a code of three or
    more levels that is no thousands grouping ('7.4.3', '22.1.5'; not '1.234.567').
    Its cells keep their text and ``valor`` null: '7.4' is a code there, not 7.4."""
    words = set(re.findall(r"\w+", fold(header)))
    if words & code_headers():
        return True
    for c in cells:
        c = c.strip()
        if _LEVELS.fullmatch(c) and not all(len(g) == 3 for g in c.rstrip(".").split(".")[1:]):
            return True
    return False


@lru_cache(maxsize=1)
def code_headers() -> frozenset[str]:
    """The folded header words of ``[codigos].encabezados`` (tablas.toml)."""
    return frozenset(fold(w).strip(".") for w in knowledge()["codigos"]["encabezados"])


def column_values(t: Table, default: NumberFormat | None = None
                  ) -> tuple[dict[int, list[float | None]], list[tuple[int, int]]]:
    """Per numeric column, the parsed values of every row (header rows None), and the
    (row, col) positions of numeric-column cells that failed to parse."""
    values: dict[int, list[float | None]] = {}
    failed: list[tuple[int, int]] = []
    for j in range(t.n_cols):
        body = [r[j] if j < len(r) else "" for r in t.body]
        filled = [c for c in body if c.strip()]
        if not filled or is_code_column(" ".join(r[j] for r in t.header if j < len(r)), filled):
            continue
        parsed = parse_column(body, default)
        ok = len(filled) - len(parsed.errors)
        if ok / len(filled) < NUMERIC_SHARE:
            continue
        values[j] = [None] * t.n_header + list(parsed.values)
        # a label with no digit in a numeric column (a group row) is not a bad number
        failed += [(i + t.n_header, j) for i in parsed.errors if any(ch.isdigit() for ch in body[i])]
    return values, failed


def tablas_rows(ctx: DocContext, t: Table, default: NumberFormat | None = None
                ) -> tuple[list[dict], list[Finding]]:
    """``tablas`` rows for table ``t`` and the findings for unparseable numbers."""
    tid = tabla_id(ctx, t)
    values, failed = column_values(t, default)
    boxes = cell_boxes(t)
    titulo = clean_text(t.titulo)
    confianza = round(float(t.confianza), 4)
    rows = []
    for i, r in enumerate(t.rows):
        for j in range(t.n_cols):
            text = r[j] if j < len(r) else ""
            box = boxes.get((i, j), (None, None, None, None))
            rows.append({**ctx.prov(t.row_pages[i]), "tabla_id": tid, "titulo": titulo,
                         "fila": i, "columna": j, "es_encabezado": i < t.n_header,
                         "texto": clean_text(text) or "", "valor": values.get(j, [None] * t.n_rows)[i],
                         "metodo": t.metodo, "confianza": confianza,
                         "x0": box[0], "top": box[1], "x1": box[2], "bottom": box[3]})
    findings = [Finding("tablas", "numero_ilegible", f"{tid} fila {i} columna {j}", None, None,
                        "advertencia",
                        f"La celda '{t.rows[i][j]}' de una columna numérica no se pudo leer como número; "
                        f"se conserva el texto.",
                        Location(t.row_pages[i], tid, i, boxes.get((i, j))))
                for i, j in failed]
    if t.confianza < LOW_CONFIDENCE:
        findings.append(Finding(
            "tablas", "tabla_baja_confianza", tid, LOW_CONFIDENCE, confianza, "advertencia",
            f"La tabla {tid} (página {t.pagina}) se reconstruyó con confianza {t.confianza:.2f} "
            f"(método {t.metodo}); revise sus celdas en el informe de control antes de usarlas.",
            Location(t.pagina, tid, None, tuple(t.bbox))))
    return rows, findings


def cell_boxes(t: Table) -> dict[tuple[int, int], tuple[float, float, float, float]]:
    """(fila, columna) -> the box of the cell printed there, ``(x0, top, x1, bottom)``
    in PDF points on the cell's page, origin top-left after /Rotate (the coordinates
    the table layer reads pages in).  A merged cell's box is given at its top-left
    position; covered and empty positions have none."""
    return {(c.row, c.col): tuple(round(float(v), 2) for v in c.bbox)
            for c in t.cells if c.bbox is not None}


TABLAS_BATCH_ROWS = 4096
"""``tablas`` rows are turned into Arrow columns this many at a time."""


def tablas_table(ctx: DocContext, tables: list[Table], findings: list[Finding]) -> pa.Table:
    """The document's ``tablas`` rows (one per cell, :func:`tablas_rows`) as an Arrow
    table with the contract schema, converted in batches as they are built: a dict per
    cell is the largest object of a long document (~230 bytes a row before its values),
    its columns a fraction of it.  The tables' findings are appended to ``findings``."""
    chunks, batch = [], []
    for t in tables:
        rows, f = tablas_rows(ctx, t)
        batch += rows
        findings += f
        if len(batch) >= TABLAS_BATCH_ROWS:
            chunks.append(table_for("tablas", batch))
            batch = []
    chunks.append(table_for("tablas", batch))
    return pa.concat_tables(chunks)


class TablasBuilder:
    """Builder of ``tablas`` (every document kind): every cell of every table, with the
    findings ``numero_ilegible`` and ``tabla_baja_confianza``."""

    name = "tablas"
    datasets = ("tablas",)

    def build(self, inp: BuildInput) -> BuildResult:
        findings: list[Finding] = []
        return BuildResult({"tablas": tablas_table(inp.ctx, list(inp.tables), findings)}, findings)
