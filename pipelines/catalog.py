"""A DuckDB catalog of the datasets: ``data/catalog.duckdb`` with one view per dataset.

``python -m pipelines.catalog build --parquet data/parquet --db data/catalog.duckdb``
(``make catalog``) creates, for every dataset of :mod:`pipelines.schemas`, a view of the
same name over its Parquet files (``read_parquet('<abs>/<dataset>/**/*.parquet',
hive_partitioning=true)``) with the contract's column order and types (``gestion``
back as SMALLINT).  A dataset with no files yet gets an empty view with its schema, so
queries never fail for lack of files.  The views read the files at query time: a new
``make parquet`` is visible without rebuilding, but rebuild after a dataset gets its
first file.  Paths are absolute, so the catalog works from any working directory.

Analysis views (:data:`ANALYSIS_VIEWS`):

- ``ejecucion_por_categoria``: budget execution per categoría programática (non-total
  rows of ``presupuesto_ejecucion`` with ``clasificador = 'categoria_programatica'``),
  per document, cut-off date, type and funding source (``fuente_codigo`` null: the
  table covers all sources), with ``ejecucion_pct`` computed as ejecutado / vigente.
- ``poa_tareas_ponderacion``: ``poa_operaciones`` rows with the sum of
  ``ponderacion_pct`` of their document and unit (``suma_ponderacion_unidad``).
- ``hallazgos_por_documento``: ``validaciones`` counted per document, regla, severidad.
- ``trazabilidad``: every row of a dataset built from tables (:data:`TRACED`:
  ``poa_operaciones``, ``poa_acciones``, ``presupuesto_ejecucion``, ``poa_ejecucion``,
  ``presupuesto_formulario``) and every ``validaciones`` finding that names a row, joined
  on (``documento_id``, ``tabla_id``, ``fila``) to the ``tablas`` cells of that row (DATASETS.md
  "Trace columns"): one row per (dataset, table row, cell) with ``documento_id, archivo,
  dataset, tabla_id, fila, pagina, columna, es_encabezado, texto, valor, confianza, x0,
  top, x1, bottom`` (the cell's box in points, origin top-left of the page as displayed).
  Join a dataset to it on ``dataset = '<name>'`` and the three trace columns to see where
  each value is printed::

      SELECT o.tarea, z.pagina, z.columna, z.texto, z.x0, z.top, z.x1, z.bottom
      FROM poa_operaciones o JOIN trazabilidad z
        ON z.dataset = 'poa_operaciones' AND z.documento_id = o.documento_id
       AND z.tabla_id = o.tabla_id AND z.fila = o.fila

  A row read from running text (``tabla_id`` null) has no cells here.

``python -m pipelines.catalog sql --db data/catalog.duckdb "SELECT ..."`` (``make sql
Q="..."``) runs one query read-only and prints the result as a table.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.schemas import PARTITIONED, SCHEMAS

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

_DUCK_TYPES = {pa.string(): "VARCHAR", pa.int32(): "INTEGER", pa.int16(): "SMALLINT",
               pa.float64(): "DOUBLE", pa.date32(): "DATE", pa.bool_(): "BOOLEAN"}

TRACED = [name for name, schema in SCHEMAS.items()
          if name != "tablas" and {"tabla_id", "fila"} <= set(schema.names)]
"""Datasets whose rows carry the trace columns ``tabla_id``, ``fila`` (DATASETS.md
"Trace columns"), in contract order."""


def _trazabilidad_sql() -> str:
    filas = "\n        UNION\n".join(
        f"        SELECT '{name}' AS dataset, documento_id, tabla_id, fila FROM {name} "
        "WHERE tabla_id IS NOT NULL AND fila IS NOT NULL" for name in TRACED)
    return f"""
        WITH filas AS (
{filas}
        )
        SELECT t.documento_id, t.archivo, f.dataset, t.tabla_id, t.fila, t.pagina, t.columna,
               t.es_encabezado, t.texto, t.valor, t.confianza, t.x0, t.top, t.x1, t.bottom
        FROM filas f
        JOIN tablas t ON t.documento_id = f.documento_id AND t.tabla_id = f.tabla_id
                     AND t.fila = f.fila
    """


ANALYSIS_VIEWS: dict[str, str] = {
    "ejecucion_por_categoria": """
        SELECT documento_id, archivo, entidad, gestion, fecha_corte, tipo, fuente_codigo,
               codigo AS categoria_programatica,
               min(descripcion) AS descripcion,
               min(pagina) AS pagina,
               count(*) AS filas,
               sum(presupuesto_inicial) AS presupuesto_inicial,
               sum(modificaciones) AS modificaciones,
               sum(presupuesto_vigente) AS presupuesto_vigente,
               sum(ejecutado) AS ejecutado,
               round(100 * sum(ejecutado) / nullif(sum(presupuesto_vigente), 0), 2) AS ejecucion_pct,
               CASE WHEN count(*) = 1 THEN max(ejecucion_pct) END AS ejecucion_pct_impreso
        FROM presupuesto_ejecucion
        WHERE clasificador = 'categoria_programatica' AND NOT es_total
        GROUP BY documento_id, archivo, entidad, gestion, fecha_corte, tipo, fuente_codigo, codigo
    """,
    "poa_tareas_ponderacion": """
        SELECT o.*,
               sum(ponderacion_pct) OVER w AS suma_ponderacion_unidad,
               count(ponderacion_pct) OVER w AS tareas_con_ponderacion_unidad
        FROM poa_operaciones o
        WINDOW w AS (PARTITION BY documento_id, unidad_organizacional)
    """,
    "hallazgos_por_documento": """
        SELECT documento_id, archivo, entidad, gestion, regla, severidad, count(*) AS hallazgos
        FROM validaciones
        GROUP BY documento_id, archivo, entidad, gestion, regla, severidad
    """,
    "trazabilidad": _trazabilidad_sql(),
}
"""View name -> SQL over the dataset views (see the module docstring)."""


def _quote(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def dataset_view_sql(root: Path, dataset: str) -> str:
    """The ``SELECT`` of ``dataset``'s view: its Parquet files under ``root`` (absolute
    path) with the contract's columns, or an empty relation of that schema when the
    dataset has no files."""
    schema = SCHEMAS[dataset]
    folder = root.resolve() / dataset
    has_files = folder.is_dir() and any(p.is_file() for p in folder.rglob("*.parquet"))
    if not has_files:
        cols = ", ".join(f"CAST(NULL AS {_DUCK_TYPES[f.type]}) AS {_ident(f.name)}" for f in schema)
        return f"SELECT {cols} WHERE false"
    cols = ", ".join(f"CAST({_ident(f.name)} AS {_DUCK_TYPES[f.type]}) AS {_ident(f.name)}"
                     for f in schema)
    hive = "true" if dataset in PARTITIONED else "false"
    glob = _quote(f"{folder.as_posix()}/**/*.parquet")
    return (f"SELECT {cols} FROM read_parquet({glob}, hive_partitioning={hive}, "
            f"union_by_name=true)")


def build_catalog(parquet: Path, db: Path) -> list[str]:
    """(Re)create ``db`` with one view per dataset under ``parquet`` plus the
    :data:`ANALYSIS_VIEWS`.  Written to a temp file then renamed, so readers never see a
    half-built catalog.  Returns the view names."""
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(db.name + ".tmp")
    for p in (tmp, Path(str(tmp) + ".wal")):
        p.unlink(missing_ok=True)
    names = []
    con = duckdb.connect(str(tmp))
    try:
        for dataset in SCHEMAS:
            con.execute(f"CREATE VIEW {_ident(dataset)} AS {dataset_view_sql(parquet, dataset)}")
            names.append(dataset)
        for name, sql in ANALYSIS_VIEWS.items():
            con.execute(f"CREATE VIEW {_ident(name)} AS {sql}")
            names.append(name)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, db)
    return names


def run_query(db: Path, query: str, max_rows: int = 100) -> str:
    """Run ``query`` read-only against ``db`` and return the result as a text table
    (at most ``max_rows`` rows shown, with the total row count)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rel = con.sql(query)
        if rel is None:  # a statement with no result
            return "ok"
        names = rel.columns
        rows = rel.fetchall()
    finally:
        con.close()
    return format_table(names, rows, max_rows)


def format_table(names: list[str], rows: list[tuple], max_rows: int = 100, max_width: int = 48) -> str:
    """A plain-text table of ``rows`` under the column ``names`` (long values cut at
    ``max_width`` characters, at most ``max_rows`` rows, then a row count)."""
    def text(v) -> str:
        s = "NULL" if v is None else (f"{v:,.2f}" if isinstance(v, float) else str(v))
        return s if len(s) <= max_width else s[: max_width - 1] + "…"

    shown = [[text(v) for v in r] for r in rows[:max_rows]]
    widths = [max([len(n)] + [len(r[i]) for r in shown]) for i, n in enumerate(names)]
    numeric = [bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows[:max_rows])
               for i in range(len(names))]

    def line(cells: list[str]) -> str:
        return " | ".join(c.rjust(w) if num else c.ljust(w)
                          for c, w, num in zip(cells, widths, numeric)).rstrip()

    out = [line(list(names)), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in shown]
    more = f" (se muestran {max_rows})" if len(rows) > max_rows else ""
    out.append(f"({len(rows)} fila{'s' if len(rows) != 1 else ''}{more})")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """CLI: ``build`` the catalog or run one ``sql`` query.  Exit 0 ok, 1 query error,
    2 bad usage."""
    p = argparse.ArgumentParser(prog="python -m pipelines.catalog",
                                description="DuckDB catalog over the Parquet datasets")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="create the catalog (one view per dataset)")
    b.add_argument("--parquet", type=Path, default=Path("data/parquet"))
    b.add_argument("--db", type=Path, default=Path("data/catalog.duckdb"))
    q = sub.add_parser("sql", help="run a query and print the result")
    q.add_argument("--db", type=Path, default=Path("data/catalog.duckdb"))
    q.add_argument("--max-rows", type=int, default=100)
    q.add_argument("query", nargs="?", help="the SQL; '-' or omitted reads it from stdin")
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    if args.cmd == "build":
        if not args.parquet.is_dir():
            print(f"No existe la carpeta {args.parquet}: ejecute primero make parquet.", file=sys.stderr)
            return EXIT_USAGE
        names = build_catalog(args.parquet, args.db)
        print(f"{args.db}: {len(names)} vistas ({', '.join(names)})")
        return EXIT_OK
    query = args.query if args.query not in (None, "-") else sys.stdin.read()
    if not query.strip():
        print('Falta la consulta: make sql Q="SELECT * FROM documentos"', file=sys.stderr)
        return EXIT_USAGE
    if not args.db.is_file():
        print(f"No existe {args.db}: ejecute primero make catalog.", file=sys.stderr)
        return EXIT_USAGE
    try:
        print(run_query(args.db, query, args.max_rows))
    except duckdb.Error as exc:
        print(f"Error en la consulta: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
