"""The generic ``tablas`` dataset: every cell of every table, long form.

A table whose strategy measured a confidence below
:data:`extract.tables.LOW_CONFIDENCE` gets a finding ``tabla_baja_confianza``
(``advertencia``: the cells are kept, the analyst is told to check them).

Numbers are decided per column (normalize.numbers.parse_column, frictionless's
approach): a column is numeric when most of its non-blank body cells parse; a cell
of a numeric column that does not parse keeps its text, gets ``valor`` null and a
finding ``numero_ilegible`` (DATASETS.md: never a guessed number).
"""
from __future__ import annotations

from extract.models import Table
from extract.tables import LOW_CONFIDENCE
from normalize.numbers import NumberFormat, parse_column
from normalize.text import clean_text
from pipelines.context import DocContext, Finding

NUMERIC_SHARE = 0.6
"""Share of a column's non-blank body cells that must parse for it to be numeric."""


def tabla_id(ctx: DocContext, t: Table) -> str:
    """``<documento_id>-p<pagina>-t<n>`` (DATASETS.md, ``tablas``)."""
    return f"{ctx.documento_id}-p{t.pagina}-t{t.orden}"


def column_values(t: Table, default: NumberFormat | None = None
                  ) -> tuple[dict[int, list[float | None]], list[tuple[int, int]]]:
    """Per numeric column, the parsed values of every row (header rows None), and the
    (row, col) positions of numeric-column cells that failed to parse."""
    values: dict[int, list[float | None]] = {}
    failed: list[tuple[int, int]] = []
    for j in range(t.n_cols):
        body = [r[j] if j < len(r) else "" for r in t.body]
        filled = [c for c in body if c.strip()]
        if not filled:
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
    rows = []
    for i, r in enumerate(t.rows):
        for j in range(t.n_cols):
            text = r[j] if j < len(r) else ""
            rows.append({**ctx.prov(t.row_pages[i]), "tabla_id": tid, "titulo": clean_text(t.titulo),
                         "fila": i, "columna": j, "es_encabezado": i < t.n_header,
                         "texto": clean_text(text) or "", "valor": values.get(j, [None] * t.n_rows)[i],
                         "metodo": t.metodo})
    findings = [Finding("tablas", "numero_ilegible", f"{tid} fila {i} columna {j}", None, None,
                        "advertencia",
                        f"La celda '{t.rows[i][j]}' de una columna numérica no se pudo leer como número; "
                        f"se conserva el texto.")
                for i, j in failed]
    if t.confianza < LOW_CONFIDENCE:
        findings.append(Finding(
            "tablas", "tabla_baja_confianza", tid, LOW_CONFIDENCE, round(t.confianza, 4), "advertencia",
            f"La tabla {tid} (página {t.pagina}) se reconstruyó con confianza {t.confianza:.2f} "
            f"(método {t.metodo}); revise sus celdas en el informe de control antes de usarlas."))
    return rows, findings
