"""The Arrow schemas of ../shared/DATASETS.md: the single source of column names and types.

Every writer builds its tables with :func:`table_for`, so a file has the contract's
schema even when it has zero rows.  Changing a column here is a contract change
(DATASETS.md: "none listed here may be renamed, dropped or change type").
"""
from __future__ import annotations

import pyarrow as pa

S, I32, I16, F, D, B = pa.string(), pa.int32(), pa.int16(), pa.float64(), pa.date32(), pa.bool_()

PROVENANCE: list[tuple[str, pa.DataType]] = [
    ("documento_id", S), ("archivo", S), ("pagina", I32), ("entidad", S), ("gestion", I16),
]


TRACE: list[tuple[str, pa.DataType]] = [("tabla_id", S), ("fila", I32)]
"""Trace columns of a dataset built from tables (DATASETS.md "Trace columns"): the
``tablas`` table and row a row was read from; null when read from running text."""

BOX: list[tuple[str, pa.DataType]] = [("x0", F), ("top", F), ("x1", F), ("bottom", F)]
"""A cell's box in PDF points, origin top-left of the page as displayed (after /Rotate)."""


def _with_provenance(*cols: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(n, t) for n, t in PROVENANCE + list(cols)])


SCHEMAS: dict[str, pa.Schema] = {
    "documentos": _with_provenance(
        ("sha256", S), ("paginas", I32), ("paginas_ocr", I32), ("tipo", S), ("titulo", S),
        ("numero", S), ("fecha", D), ("emisor", S)),
    "paginas": _with_provenance(("texto", S), ("metodo", S), ("ocr_confianza", F),
                                ("ocr_motor", S)),
    "poa_operaciones": _with_provenance(
        ("unidad_organizacional", S), ("accion_corto_plazo_codigo", S), ("accion_corto_plazo", S),
        ("operacion_codigo", S), ("operacion", S), ("actividad_codigo", S), ("actividad", S),
        ("tarea_codigo", S), ("tarea", S), ("ponderacion_pct", F), ("fecha_inicio", D),
        ("fecha_fin", D), ("resultado", S), ("responsable", S), *TRACE),
    "poa_acciones": _with_provenance(
        ("unidad_organizacional", S), ("codigo_pei", S), ("accion_institucional", S),
        ("ponderacion_pct", F), ("indicador", S), ("accion_corto_plazo_codigo", S),
        ("accion_corto_plazo", S), ("resultado_esperado", S), *TRACE),
    "presupuesto_ejecucion": _with_provenance(
        ("fecha_corte", D), ("tipo", S), ("clasificador", S), ("fuente_codigo", S), ("codigo", S),
        ("descripcion", S), ("presupuesto_inicial", F), ("modificaciones", F),
        ("presupuesto_vigente", F), ("ejecutado", F), ("percibido", F), ("saldo_por_pagar", F),
        ("saldo_por_ejecutar", F), ("ejecucion_pct", F), ("es_total", B), *TRACE),
    "poa_ejecucion": _with_provenance(
        ("unidad_organizacional", S), ("operacion_codigo", S), ("operacion", S),
        ("tarea_codigo", S), ("tarea", S), ("programado_pct", F), ("ejecutado_pct", F),
        ("presupuesto_vigente", F), ("presupuesto_ejecutado", F),
        ("ejecucion_financiera_pct", F), ("es_total", B), *TRACE),
    "presupuesto_formulario": _with_provenance(
        ("unidad_organizacional", S), ("categoria_programatica", S), ("formulario_codigo", S),
        ("descripcion", S), ("fuente_codigo", S), ("monto", F), ("es_total", B),
        ("techo_presupuestario", F), *TRACE),
    "tablas": _with_provenance(
        ("tabla_id", S), ("titulo", S), ("fila", I32), ("columna", I32), ("es_encabezado", B),
        ("texto", S), ("valor", F), ("metodo", S), ("confianza", F), *BOX),
    "disposiciones": _with_provenance(("tipo", S), ("orden", I32), ("texto", S)),
    "validaciones": pa.schema([
        pa.field("documento_id", S), pa.field("archivo", S), pa.field("entidad", S),
        pa.field("gestion", I16), pa.field("dataset", S), pa.field("regla", S),
        pa.field("ubicacion", S), pa.field("esperado", F), pa.field("observado", F),
        pa.field("severidad", S), pa.field("mensaje", S), pa.field("pagina", I32),
        pa.field("tabla_id", S), pa.field("fila", I32)]),
    "errores": pa.schema([
        pa.field("documento_id", S), pa.field("archivo", S), pa.field("pagina", I32),
        pa.field("etapa", S), pa.field("clase", S), pa.field("mensaje", S)]),
}
"""Dataset name -> Arrow schema, in the contract's column order."""

PARTITIONED = [name for name in SCHEMAS if name != "errores"]
"""Datasets written Hive-partitioned by ``gestion`` (all but ``errores``)."""


def table_for(dataset: str, rows: list[dict]) -> pa.Table:
    """Build an Arrow table with ``dataset``'s contract schema from row dicts.

    Missing keys become nulls; unknown keys raise ``KeyError`` (a typo in a column
    name must not silently drop data).  Raises ``pyarrow.ArrowInvalid`` when a value
    cannot be converted to its column type.
    """
    schema = SCHEMAS[dataset]
    names = set(schema.names)
    for row in rows:
        extra = set(row) - names
        if extra:
            raise KeyError(f"{dataset}: columns not in the contract: {sorted(extra)}")
    cols = {n: [row.get(n) for row in rows] for n in schema.names}
    return pa.table(cols, schema=schema)
