"""The data dictionary, generated: ``docs/datasets.md`` from :mod:`pipelines.schemas`.

Column names, order and types come from the Arrow schemas (the single source); the
descriptions and units are the small table below, taken from ``../shared/DATASETS.md``
and kept as data (:data:`DATASETS`, :data:`PROVENANCE_DOCS`, :data:`COLUMN_DOCS`), so
:mod:`pipelines.datapackage` describes the same columns the same way.

``python -m pipelines.docs [--out docs/datasets.md] [--check]`` (``make docs``).
``--check`` writes nothing and exits 1 when the file is out of date.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pipelines.schemas import PARTITIONED, SCHEMAS

BS, PCT = "Bs", "%"

DATASETS: dict[str, str] = {
    "documentos": "one row per source file",
    "paginas": "one row per page",
    "poa_operaciones": "one row per task line of a POA (Plan Operativo Anual) form",
    "poa_acciones": "one row per header block of a POA form (the key/value block above the table)",
    "presupuesto_ejecucion": "one row per line of a budget execution table",
    "poa_ejecucion": "one row per line of a physical/financial execution summary",
    "presupuesto_formulario": "one row per amount of a POA budget summary form "
                              "(\"FORMULARIO N° 4 - RESUMEN PRESUPUESTO\")",
    "tablas": "every cell of every table found, in long form (nothing is lost)",
    "disposiciones": "numbered resolutions and recommendations in the text",
    "validaciones": "what the pipeline checked and found inconsistent in the source",
    "errores": "what could not be processed",
}
"""Dataset -> one-line description (the DATASETS.md heading)."""

PROVENANCE_DOCS: dict[str, tuple[str, str | None]] = {
    "documento_id": ("first 16 hex characters of the SHA-256 of the source file's bytes", None),
    "archivo": ("the source file's name, as under data/raw/", None),
    "pagina": ("1-based page where the row (or its first cell) is printed", None),
    "entidad": ("acronym of the entity whose plan, budget or report it is: SEGIP, DIGEMIG, ...", None),
    "gestion": ("the fiscal year the document is about, read from explicit cues only "
                "(\"GESTIÓN 2021\", \"POA 2019\", \"al 31 de diciembre de 2020\"; for a resolución "
                "or an audit report that prints none, the year of its date of issue); 0 when the "
                "document gives none: a year that merely appears in the text is not a gestión "
                "(partition key: in the folder name gestion=<year>, not inside the file)", None),
}
"""Provenance column -> (description, unit); used wherever a dataset has no own entry."""

TRACE_DOCS: dict[str, tuple[str, str | None]] = {
    "tabla_id": ("the tablas table the row was read from, null when it was read from running "
                 "text (trace column)", None),
    "fila": ("the row of that table (as in tablas.fila) where the row, or its first line, is "
             "printed (trace column)", None),
}
"""Trace columns of the datasets built from tables (DATASETS.md "Trace columns")."""

COLUMN_DOCS: dict[str, dict[str, tuple[str, str | None]]] = {
    "documentos": {
        "pagina": ("always 1", None),
        "sha256": ("full hex digest of the source file", None),
        "paginas": ("number of pages", None),
        "paginas_ocr": ("pages whose text came from OCR", None),
        "tipo": ("poa, rendicion_cuentas, resolucion, informe_auditoria or otro", None),
        "titulo": ("the document's title as printed (the heading that names it; for a "
                   "resolución its subject heading; for an audit report its heading)", None),
        "numero": ("its number/reference as printed, whitespace-normalized; null if none", None),
        "fecha": ("date of issue (emission/approval), null if none", None),
        "emisor": ("acronym of the issuing body when it differs from entidad (CGE for a "
                   "Contraloría report), else equal to entidad", None),
    },
    "paginas": {
        "texto": ("the page's full text in reading order", None),
        "metodo": ("pdf (text layer) or ocr", None),
        "ocr_confianza": ("mean word confidence 0-100 for OCR pages, null otherwise; each "
                          "word counts with the confidence of the engine whose reading was "
                          "kept", "0-100"),
        "ocr_motor": ("the OCR engines whose readings the page kept: tesseract, or "
                      "tesseract+ppocr when some words are PP-OCR's; null for pdf pages", None),
    },
    "poa_operaciones": {
        "unidad_organizacional": ("the organizational unit the form belongs to, as printed", None),
        "accion_corto_plazo_codigo": ("code of the short-term action (dotted rule)", None),
        "accion_corto_plazo": ("text of the short-term action", None),
        "operacion_codigo": ("code of the operation (operation rule or dotted rule)", None),
        "operacion": ("text of the operation", None),
        "actividad_codigo": ("code of the activity, where the form has that level, else null", None),
        "actividad": ("text of the activity, else null", None),
        "tarea_codigo": ("code of the task (dotted rule)", None),
        "tarea": ("text of the task", None),
        "ponderacion_pct": ("the weight printed on this line; null where the cell is blank "
                            "(never forward-filled)", PCT),
        "fecha_inicio": ("planned start, null if not printed", None),
        "fecha_fin": ("planned end, null if not printed", None),
        "resultado": ("expected/intermediate result printed for the line or its block, else null", None),
        "responsable": ("responsible area/unit printed for the line, else null", None),
    },
    "poa_acciones": {
        "unidad_organizacional": ("the organizational unit of the form", None),
        "codigo_pei": ("\"CÓDIGO PEI\" (dotted rule), null if absent", None),
        "accion_institucional": ("institutional action, null if absent", None),
        "ponderacion_pct": ("weight of the action, null if absent", PCT),
        "indicador": ("indicator, null if absent", None),
        "accion_corto_plazo_codigo": ("code of the short-term action, null if absent", None),
        "accion_corto_plazo": ("text of the short-term action, null if absent", None),
        "resultado_esperado": ("expected result, null if absent", None),
    },
    "presupuesto_ejecucion": {
        "fecha_corte": ("the \"al 31 de diciembre de 2020\" date of the table, null if not printed", None),
        "tipo": ("gasto (expenditure) or recurso (revenue)", None),
        "clasificador": ("what the rows are: categoria_programatica, fuente, rubro, grupo_gasto "
                         "or partida", None),
        "fuente_codigo": ("the funding source the row belongs to when the table is split by "
                          "source, else null", None),
        "codigo": ("the row's code (normalized per its classifier), null for total rows", None),
        "descripcion": ("the row's description", None),
        "presupuesto_inicial": ("initial budget", BS),
        "modificaciones": ("budget modifications, signed (a reduction is negative)", BS),
        "presupuesto_vigente": ("current budget (vigente)", BS),
        "ejecutado": ("executed (\"ejecución\"/\"devengado\")", BS),
        "percibido": ("collected; revenue tables only, else null", BS),
        "saldo_por_pagar": ("balance to pay, null if not printed", BS),
        "saldo_por_ejecutar": ("balance to execute, null if not printed", BS),
        "ejecucion_pct": ("execution percentage as printed", PCT),
        "es_total": ("true for total and subtotal lines", None),
    },
    "poa_ejecucion": {
        "unidad_organizacional": ("unit (name or acronym as printed)", None),
        "operacion_codigo": ("operation code, null where the table is per unit only", None),
        "operacion": ("operation text, null where not printed", None),
        "tarea_codigo": ("task code, null where not printed", None),
        "tarea": ("task text, null where not printed", None),
        "programado_pct": ("physical execution programmed", PCT),
        "ejecutado_pct": ("physical execution achieved", PCT),
        "presupuesto_vigente": ("current budget, null where not printed", BS),
        "presupuesto_ejecutado": ("executed budget, null where not printed", BS),
        "ejecucion_financiera_pct": ("financial execution", PCT),
        "es_total": ("true for total lines", None),
    },
    "presupuesto_formulario": {
        "unidad_organizacional": ("the organizational unit of the form", None),
        "categoria_programatica": ("normalized by the categoría rule, null if absent", None),
        "formulario_codigo": ("the line's form code (3.01, 3.02, ...), null for total lines", None),
        "descripcion": ("DETERMINACIÓN DE SERVICIOS, ACTIVOS FIJOS, ...", None),
        "fuente_codigo": ("20, 41, 42; null for the all-sources total column", None),
        "monto": ("amount", BS),
        "es_total": ("true for total lines", None),
        "techo_presupuestario": ("the form's \"TECHO P.\" ceiling, repeated on each row of the "
                                 "form; null if absent", BS),
    },
    "tablas": {
        "tabla_id": ("<documento_id>-p<pagina>-t<n>, n counting tables on the page from 1", None),
        "titulo": ("the caption or heading printed just above the table, null if none", None),
        "fila": ("0-based row in the table as printed (header rows included)", None),
        "columna": ("0-based column in the table as printed", None),
        "es_encabezado": ("true for header rows", None),
        "texto": ("the cell's text", None),
        "valor": ("the number the cell holds, when it holds one, else null", None),
        "metodo": ("the strategy that read it: lattice (ruled grid), hybrid (rules or fills for part "
                   "of the structure, whitespace for the rest), stream (whitespace) or ocr (page image)",
                   None),
        "confianza": ("the table's confidence 0-1 as its strategy measured it (same value on every "
                      "cell of the table)", None),
        "x0": ("left edge of the cell's box on its page, origin top-left of the page as displayed "
               "(after /Rotate); null for an empty or covered position", "pt"),
        "top": ("top edge of the cell's box (distance from the top of the page)", "pt"),
        "x1": ("right edge of the cell's box", "pt"),
        "bottom": ("bottom edge of the cell's box (distance from the top of the page)", "pt"),
    },
    "disposiciones": {
        "tipo": ("resuelve (PRIMERO.-, SEGUNDO.-, ... of a resolución) or recomendacion", None),
        "orden": ("1, 2, 3 ... in printed order", None),
        "texto": ("the whole item's text", None),
    },
    "validaciones": {
        "dataset": ("which dataset the finding is about", None),
        "regla": ("the rule: ponderacion_suma_100, total_igual_suma, "
                  "vigente_igual_inicial_mas_modificaciones, porcentaje_consistente, "
                  "codigo_jerarquia, formulario_total_igual_techo, total_tabla, porcentaje_tabla, ...", None),
        "ubicacion": ("tabla_id and row, or page, that the finding points at", None),
        "esperado": ("the value the rule expects, null where not numeric", None),
        "observado": ("the value printed, null where not numeric", None),
        "severidad": ("error or advertencia", None),
        "mensaje": ("one sentence, in Spanish, that an analyst understands", None),
        "pagina": ("the page the finding points at (its first page for a finding about a whole "
                   "unit), null when it is about the whole document", None),
        "tabla_id": ("the tablas table the finding points at, null when it is about running text",
                     None),
        "fila": ("the row of that table (as in tablas.fila), null when the finding is about a "
                 "whole table or running text", None),
    },
    "errores": {
        "documento_id": ("null when the file could not be read at all", None),
        "archivo": ("the file's name", None),
        "pagina": ("the page, null when the whole file failed", None),
        "etapa": ("the stage that failed: abrir, texto, ocr, tablas, normalizar, escribir, ...", None),
        "clase": ("the error's class (PdfCifrado, PdfCorrupto, NoEsPdf, TiempoAgotado, ...)", None),
        "mensaje": ("one sentence saying what happened and what to do", None),
    },
}
"""Dataset -> column -> (description, unit or None), from DATASETS.md."""

ENUMS: dict[tuple[str, str], list[str]] = {
    ("documentos", "tipo"): ["poa", "rendicion_cuentas", "resolucion", "informe_auditoria", "otro"],
    ("paginas", "metodo"): ["pdf", "ocr"],
    ("paginas", "ocr_motor"): ["tesseract", "tesseract+ppocr"],
    ("presupuesto_ejecucion", "tipo"): ["gasto", "recurso"],
    ("presupuesto_ejecucion", "clasificador"): ["categoria_programatica", "fuente", "rubro",
                                                "grupo_gasto", "partida"],
    ("tablas", "metodo"): ["lattice", "hybrid", "stream", "ocr"],
    ("disposiciones", "tipo"): ["resuelve", "recomendacion"],
    ("validaciones", "severidad"): ["error", "advertencia"],
}
"""Closed value sets that DATASETS.md states, as (dataset, column) -> allowed values."""

_TYPE_NAMES = {pa.string(): "string", pa.int32(): "int32", pa.int16(): "int16",
               pa.float64(): "float64", pa.date32(): "date32", pa.bool_(): "bool"}


@dataclass(frozen=True)
class ColumnDoc:
    """One documented column: name, contract type name, description, unit."""

    name: str
    type: str
    description: str
    unit: str | None


def type_name(t: pa.DataType) -> str:
    """The contract's spelling of an Arrow type (``string``, ``int32``, ``float64`` ...)."""
    try:
        return _TYPE_NAMES[t]
    except KeyError:
        raise ValueError(f"no contract name for Arrow type {t}") from None


def columns(dataset: str) -> list[ColumnDoc]:
    """The documented columns of ``dataset`` in schema order.  Raises ``KeyError`` when a
    schema column has no description (add it to :data:`COLUMN_DOCS`)."""
    own = COLUMN_DOCS.get(dataset, {})
    out = []
    for f in SCHEMAS[dataset]:
        desc, unit = (own.get(f.name) or PROVENANCE_DOCS.get(f.name) or TRACE_DOCS.get(f.name)
                      or (None, None))
        if desc is None:
            raise KeyError(f"{dataset}.{f.name}: no description in pipelines/docs.py COLUMN_DOCS")
        out.append(ColumnDoc(f.name, type_name(f.type), desc, unit))
    return out


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("<", "\\<").replace(">", "\\>")


def render_markdown() -> str:
    """The text of ``docs/datasets.md``: one section and column table per dataset."""
    lines = [
        "# Datasets (generated)",
        "",
        "<!-- Generated by `make docs` (python -m pipelines.docs) from pipelines/schemas.py "
        "and the descriptions in pipelines/docs.py. Do not edit by hand. -->",
        "",
        "Column names, order and types are those of the Arrow schemas in "
        "`pipelines/schemas.py`; the contract with the full rules is "
        "[`../shared/DATASETS.md`](../../shared/DATASETS.md). Money is in bolivianos (Bs), "
        "percentages in percent units.",
        "",
    ]
    for name in SCHEMAS:
        where = (f"`data/parquet/{name}/gestion=<year>/<documento_id>.parquet`"
                 if name in PARTITIONED else f"`data/parquet/{name}/<archivo-hash>.parquet`, "
                 "one per file processed, empty when nothing failed")
        lines += [f"## {name}: {DATASETS[name]}", "", f"Files: {where}.", "",
                  "| column | type | unit | meaning |", "|---|---|---|---|"]
        for c in columns(name):
            lines.append(f"| {c.name} | {c.type} | {c.unit or ''} | {_cell(c.description)} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` verify) ``docs/datasets.md``.  Exit 0 ok, 1 out of date."""
    p = argparse.ArgumentParser(prog="python -m pipelines.docs", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=Path("docs/datasets.md"))
    p.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = p.parse_args(argv)
    text = render_markdown()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else None
        if current != text:
            print(f"{args.out} is out of date: run make docs")
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
