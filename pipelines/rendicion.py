"""Rendición de cuentas reports -> ``presupuesto_ejecucion`` and ``poa_ejecucion``.

Both datasets are read from the tables of the document, recognised by their column
headers (synonyms are data: ``pipelines/data/headers.toml``, table kinds
``presupuesto`` and ``poa_ejecucion``).  Nothing here knows a page, an entity or a
file: a table qualifies by what its header says.

``presupuesto_ejecucion`` (DATASETS.md): a budget execution table has a column that
classifies its rows (categoría programática, fuente, rubro, grupo de gasto or partida)
and at least a vigente and an execution figure (ejecutado or % de ejecución).  A table
of a unit's totals with no classifying column stays in ``tablas`` only.  Rules:

- ``clasificador``: the classifying column found; when several are printed the finest
  wins (partida > rubro > grupo de gasto > categoría > fuente), a fuente column then
  gives ``fuente_codigo`` per row.
- ``codigo``: normalized per classifier (normalize.codes); a cell that prints code and
  description together (``'1 SERVICIOS PERSONALES'``) is split.  Null on total rows.
- group rows: a row without amounts whose text is ``FTE 20 ...``/``Fuente 41: ...``
  opens a funding-source group (``fuente_codigo`` of the rows below it); ``Cat. Prg.
  00 0 008 ...`` (or a bare code of the table's classifier and its text) opens a group
  whose code/description go to amount rows that print none (SIGEP "by categoría and
  fuente" layout).  Other rows without amounts (notes, headings) stay in ``tablas``.
- a bare "Código" column takes the classifier the caption names ("... POR PARTIDA"),
  or categoría when every code has the categoría shape.
- total rows: the row's label starts with ``Total``/``Totales``/``Subtotal``
  (``es_total`` true, ``codigo`` null, ``descripcion`` = the whole label as printed).
  A total that names a source (``Total FTE 41 ...``, ``TOTAL FUENTE 20-230``) carries
  that ``fuente_codigo`` and gives it to the rows above it (since the previous total)
  that have none; any total closes the open groups.
- ``fuente_codigo`` is null when the table is classified by fuente itself, and for
  totals that span sources.
- ``tipo``: ``recurso`` for rubro tables, tables with a percibido column, or a caption
  naming a budget "de recursos"/"de ingresos" and not "gastos"; else ``gasto``.
- ``fecha_corte``: the last ``al <fecha>`` of the caption ("Al 31 de diciembre de
  2020"), else the first one in the header texts ("Ejecución al 31dic. 2020").
- headers: dates, "(Bs.)"/"Bs." and column references "(A)", "(B/A)" are removed
  before matching synonyms ("Ejecución al 31dic. 2020" -> "Ejecución al").
- amounts: the number format is decided per column (normalize.numbers.parse_column)
  with the table's format as the fallback; signs are kept (``'-798.723,55'``); a lone
  dash is 0; percentages are in percent units as printed.

``poa_ejecucion``: tables that report per unit, operation or task the programmed and
achieved execution (% POA programado / ejecutado) and/or budget amounts.  Tables of
quantities (metas: "TOTAL PROG.", "TOTAL EJEC.", "META") are left in ``tablas``.
Operation codes and texts are forward-filled (merged cells).  When the table has no
unit column, the unit is the letter prefix shared by all its operation codes
(``DNP 1``, ``DNP 2`` -> ``DNP``), else the caption's last `` - `` part.  A total row
keeps that table unit; in a per-unit table the total row's unit is null.
"""
from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extract.models import Page, Table
from normalize.codes import (CodeParseError, categoria_programatica, dotted_code, fuente_code,
                             grupo_code, operation_code, partida_code, rubro_code)
from normalize.dates import MONTHS, find_date
from normalize.headers import column_headers, map_columns
from normalize.numbers import NumberFormat, detect_format, looks_numeric, parse_column
from normalize.text import clean_text, fold
from pipelines.builders import BuildInput, BuildResult
from pipelines.context import DocContext, Finding, Location, trace
from pipelines.tablas import tabla_id

__all__ = ["build_rendicion", "budget_rows", "execution_rows", "budget_mapping",
           "execution_mapping", "fecha_corte"]

# --------------------------------------------------------------------------- constants

CLASSIFIERS: tuple[str, ...] = ("partida", "rubro", "grupo_gasto", "categoria_programatica",
                                "fuente")
"""Header fields that classify budget rows, finest first (the finest printed wins)."""

BUDGET_AMOUNTS: tuple[str, ...] = ("presupuesto_inicial", "modificaciones", "presupuesto_vigente",
                                   "ejecutado", "percibido", "saldo_por_pagar",
                                   "saldo_por_ejecutar")
BUDGET_PCT = "ejecucion_pct"

EXEC_PCTS: tuple[str, ...] = ("programado_pct", "ejecutado_pct", "ejecucion_financiera_pct")
EXEC_AMOUNTS: tuple[str, ...] = ("presupuesto_vigente", "presupuesto_ejecutado")
EXEC_IDENTITY: tuple[str, ...] = ("unidad_organizacional", "operacion_codigo", "tarea_codigo")

_CODE_FN: dict[str, Callable[[str | None], str | None]] = {
    "categoria_programatica": categoria_programatica,
    "fuente": fuente_code,
    "rubro": rubro_code,
    "grupo_gasto": grupo_code,
    "partida": partida_code,
}
# A code printed at the start of a cell, per classifier (the rest is the description).
_SEP = r"(?:\s*[-\u2013:.]\s*|\s+|$)"
_LEADING_CODE: dict[str, re.Pattern] = {
    "categoria_programatica": re.compile(r"(\d{2}[ \-./]+\d+[ \-./]+\d{3}|\d{6,})" + _SEP + r"(.*)", re.S),
    "fuente": re.compile(r"(\d{2}(?:\s*-\s*\d{3,4})?)" + _SEP + r"(.*)", re.S),
    "rubro": re.compile(r"(\d+(?:\.\d+)*)\.?" + _SEP + r"(.*)", re.S),
    "grupo_gasto": re.compile(r"(\d+(?:\.\d+)*)\.?" + _SEP + r"(.*)", re.S),
    "partida": re.compile(r"(\d+(?:[.\s]\d+)*)\.?" + _SEP + r"(.*)", re.S),
}
_TOTAL_RE = re.compile(r"(?:sub\s*-?\s*)?total(?:es)?\b|suma\s+total\b", re.I)
# Group rows of SIGEP reports: "FTE 20: Recursos Específicos", "Cat. Prg. 00 0 008 ...".
_FUENTE_LABEL = re.compile(
    r"(?:fte|fuente(?:\s+de\s+financiamiento)?)\b\.?\s*(?:n\s*[°º.]\s*)?[:.]?\s*"
    r"(?P<code>\d{2})(?:\s*-\s*\d{3,4})?(?!\d)\s*[:.\-\u2013]?\s*(?P<rest>.*)", re.I | re.S)
_FUENTE_IN_TOTAL = re.compile(r"\b(?:fte|fuente)\b\.?\s*:?\s*(?P<code>\d{2})(?!\d)", re.I)
_CAT_LABEL = re.compile(
    r"(?:cat\.?\s*prg\.?|cat\.?\s*prog\.?|categor[ií]a(?:\s+program[aá]tica)?)\s*[:.]?\s*"
    r"(?P<code>\d{2}[ \-./]+\d+[ \-./]+\d{3}|\d{6,})\s*[:.\-\u2013]?\s*(?P<rest>.*)", re.I | re.S)
_CAPTION_CLASSIFIER: tuple[tuple[str, re.Pattern], ...] = (
    ("partida", re.compile(r"\bpartidas?\b|objeto del gasto")),
    ("grupo_gasto", re.compile(r"\bgrupos? de gastos?\b")),
    ("rubro", re.compile(r"\brubros?\b")),
    ("categoria_programatica", re.compile(r"\bcategorias? programaticas?\b")),
    ("fuente", re.compile(r"\bfuentes? de financiamiento\b|\bpor fuente\b")),
)
_RECURSO_TITLE = re.compile(
    r"\b(?:presupuesto|ejecucion|estado)\b[^.]{0,40}?\bde\s+(?:recursos|ingresos)\b")
_METAS_HEADER = re.compile(r"\b(?:meta|metas|total prog|total ejec)\b")
# Dates inside header texts ("Ejecución al 31dic. 2020", "Saldo al 23 de junio del 2020"),
# unit notes ("(Bs.)", "(En Bs.)", "Bs.") and column references ("(A)", "(B/A)") are
# dropped before matching synonyms.
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_HEADER_DATE = re.compile(
    r"(?<!\d)\d{1,2}\s*(?:º|°)?\s*(?:de\s+|del\s+|[-/.]\s*)?(?:" + _MONTH_ALT + r")(?![a-z])\.?"
    r"\s*(?:de\s+|del\s+|[-/.,]\s*)?(?:\d{4}|\d{2})(?!\d)"
    r"|(?<!\d)\d{1,2}[-/]\d{1,2}[-/](?:\d{4}|\d{2})(?!\d)", re.I)
_HEADER_UNIT = re.compile(
    r"\(\s*(?:expresado\s+)?(?:en\s+)?(?:bs|bolivianos)\.?\s*\)"      # "(Bs.)", "(En Bs.)"
    r"|(?<![^\W\d_])(?:en\s+)?bs\.?(?![^\W\d_])"                           # "Ejecutado Bs."
    r"|\(\s*[a-z]\s*(?:[-+/*=x]\s*[a-z]\s*)*\)(?:\s*=\s*\(?[a-z](?:\s*[-+/*]\s*[a-z])*\)?)?",  # "(B/A)"
    re.I)
_AL_DATE = re.compile(r"\bal\s+(?=\d)", re.I)


# --------------------------------------------------------------------------- helpers

def _cell(row: Sequence[str], j: int | None) -> str:
    if j is None or j >= len(row):
        return ""
    return clean_text(row[j]) or ""


def _header_texts(t: Table) -> list[str]:
    """One header text per column, with dates and '(Bs.)' notes removed."""
    out = []
    for h in column_headers(t.header):
        h = _HEADER_UNIT.sub(" ", _HEADER_DATE.sub(" ", h))
        out.append(" ".join(h.split()))
    return out


def _invert(mapping: dict[int, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for j, f in sorted(mapping.items()):
        if not f.startswith("_"):
            out.setdefault(f, j)
    return out


def _column_values(t: Table, cols: dict[str, int], fields: Sequence[str],
                   default: NumberFormat | None) -> dict[str, list[float | None]]:
    """Per field, one parsed value per body row (None: blank or not a number)."""
    out: dict[str, list[float | None]] = {}
    for f in fields:
        j = cols.get(f)
        if j is None:
            continue
        cells = [r[j] if j < len(r) else "" for r in t.body]
        out[f] = parse_column(cells, default).values
    return out


def _table_format(t: Table, cols: Sequence[int]) -> NumberFormat | None:
    """The number format of the table's numeric columns taken together (the fallback of
    each column's own detection)."""
    return detect_format(r[j] for r in t.body for j in cols if j < len(r))


def fecha_corte(titulo: str | None, headers: Sequence[str] = ()) -> _dt.date | None:
    """The cut-off date of a budget table: the last ``al <fecha>`` in its caption
    (``'... Al 31 de diciembre de 2020 (En Bs.)'`` -> 2020-12-31), else the first
    ``al <fecha>`` in its header texts (``'Ejecucion al 23 de Junio 2020'``), else None.
    Only dates introduced by "al" count, so a period's start ("del 01 de enero") or a
    document number is never taken.  Contract: DATASETS.md ``presupuesto_ejecucion.fecha_corte``.
    """
    def dates(text: str | None) -> list[_dt.date]:
        found = []
        for m in _AL_DATE.finditer(text or ""):
            window = text[m.end(): m.end() + 32]
            d = find_date(window)
            if d is not None and re.match(r"\d{1,2}\D", window):
                found.append(d)
        return found

    in_title = dates(titulo)
    if in_title:
        return in_title[-1]
    for h in headers:
        d = dates(h)
        if d:
            return d[0]
    return None


def _split_code(text: str, clasificador: str) -> tuple[str | None, str]:
    """(raw code, description) of a cell that may print a code before its text."""
    m = _LEADING_CODE[clasificador].fullmatch(text)
    if m is None:
        return None, text
    return m.group(1), m.group(2).strip()


def _norm_code(raw: str, clasificador: str) -> tuple[str, bool]:
    """Normalized code and whether it parsed (unparseable codes are kept as printed)."""
    try:
        return _CODE_FN[clasificador](raw) or raw, True
    except (CodeParseError, ValueError):
        return raw, False


def _is_total(label: str) -> bool:
    return bool(_TOTAL_RE.match(label))


# --------------------------------------------------------------------------- presupuesto

@dataclass(frozen=True)
class BudgetMapping:
    """Columns of a budget execution table: field -> column index, and its classifier."""

    cols: dict[str, int]
    clasificador: str


def _caption_classifier(titulo: str | None) -> str | None:
    """The classifier a caption names ("EJECUCIÓN POR PARTIDA", "... por Fuente y Grupo
    de Gasto"): the one named last, i.e. closest to the table."""
    text = fold(titulo or "")
    best, pos = None, -1
    for clas, rx in _CAPTION_CLASSIFIER:
        for mm in rx.finditer(text):
            if mm.start() > pos:
                best, pos = clas, mm.start()
    return best


def budget_mapping(t: Table) -> BudgetMapping | None:
    """The columns of ``t`` when it is a budget execution table (DATASETS.md: a
    classifying column plus a vigente and an execution figure or percentage), else
    None.  Headers are matched against ``headers.toml`` ``[presupuesto]``.  A bare
    code column ("Código" before "Descripción") classifies by what the caption names
    ("... POR PARTIDA", "... POR RUBRO"), or as categoría when every code has the
    categoría shape."""
    if t.n_header == 0 or not t.body:
        return None
    cols = _invert(map_columns(_header_texts(t), "presupuesto"))
    clas = next((c for c in CLASSIFIERS if c in cols), None)
    if clas is None and "descripcion_codigo" in cols:
        j = cols.pop("descripcion_codigo")
        clas = _caption_classifier(t.titulo)
        if clas is None:
            codes = [_cell(r, j) for r in t.body if _cell(r, j)]
            if codes and all(_LEADING_CODE["categoria_programatica"].fullmatch(c)
                             and not _LEADING_CODE["categoria_programatica"].fullmatch(c).group(2)
                             for c in codes if not _is_total(c)):
                clas = "categoria_programatica"
        if clas is not None:
            cols[clas] = j
    if clas is None or "presupuesto_vigente" not in cols:
        return None
    if "ejecutado" not in cols and BUDGET_PCT not in cols:
        return None
    return BudgetMapping(cols, clas)


def _tipo(t: Table, m: BudgetMapping) -> str:
    if m.clasificador == "rubro" or "percibido" in m.cols:
        return "recurso"
    title = fold(t.titulo or "")
    if re.search(r"\bgastos?\b", title):
        return "gasto"
    return "recurso" if _RECURSO_TITLE.search(title) else "gasto"


def budget_rows(ctx: DocContext, t: Table, m: BudgetMapping
                ) -> tuple[list[dict], list[Finding]]:
    """``presupuesto_ejecucion`` rows of one budget table (rules: module docstring).

    Input: the document context, the table, its :func:`budget_mapping`.
    Output: one dict per printed line (amounts in Bs as float, ``ejecucion_pct`` in
    percent units, ``modificaciones`` signed), in printed order, plus findings
    ``codigo_ilegible`` for codes that do not follow the classifier's rule (kept as
    printed).  Raises nothing for any cell content.
    """
    clas, cols = m.clasificador, m.cols
    numeric = [f for f in (*BUDGET_AMOUNTS, BUDGET_PCT) if f in cols]
    fmt = _table_format(t, [cols[f] for f in numeric])
    values = _column_values(t, cols, numeric, fmt)
    fecha = fecha_corte(t.titulo, column_headers(t.header))
    tipo = _tipo(t, m)
    code_col = cols[clas]
    desc_col = cols.get("descripcion")
    fuente_col = cols.get("fuente") if clas != "fuente" else None
    text_cols = {c for c in (code_col, desc_col, fuente_col) if c is not None}

    tid = tabla_id(ctx, t)
    rows: list[dict] = []
    findings: list[Finding] = []
    open_rows: list[dict] = []          # rows since the previous total (fuente back-fill)
    cur_fuente: str | None = None
    cur_group: tuple[str, str, str] | None = None  # (classifier, code, description) of a group row
    for i, r in enumerate(t.body):
        fila = i + t.n_header
        pagina = t.row_pages[fila]
        amounts = {f: values[f][i] for f in numeric}
        has_amounts = any(v is not None for v in amounts.values())
        parts = [_cell(r, j) for j in range(len(r))]
        label_parts = [p for j, p in enumerate(parts) if p and (j in text_cols or not looks_numeric(p))]
        label = " ".join(label_parts)
        if not label and not has_amounts:
            continue
        if label and _is_total(label):
            fm = _FUENTE_IN_TOTAL.search(label)
            fuente = fm.group("code") if fm else None
            if fuente is None and cur_fuente and re.search(rf"(?<!\d){cur_fuente}(?!\d)", label):
                fuente = cur_fuente  # "Total 20 Recursos Específicos" closing group FTE 20
            if fuente is not None and clas != "fuente":
                for prev in open_rows:
                    if prev["fuente_codigo"] is None:
                        prev["fuente_codigo"] = fuente
            else:
                fuente = None
                cur_group = None
            cur_fuente = None
            open_rows = []
            rows.append(_budget_row(ctx, pagina, fecha, tipo, clas, fuente, None, label,
                                    amounts, True, tid, fila))
            continue
        if not has_amounts:
            fl = _FUENTE_LABEL.fullmatch(label)
            if fl and clas != "fuente":
                cur_fuente = fl.group("code")
                continue
            cl = _CAT_LABEL.fullmatch(label)
            if cl:
                cur_group = ("categoria_programatica", cl.group("code"), cl.group("rest").strip())
                continue
            code, rest = _split_code(label, clas)
            if code is not None and _norm_code(code, clas)[1]:
                cur_group = (clas, code, rest)   # "00 0 008 GESTION ..." over its amounts
            continue  # any other heading or note line: kept in tablas only
        code_text = parts[code_col] if code_col < len(parts) else ""
        desc = parts[desc_col] if desc_col is not None and desc_col < len(parts) else ""
        raw_code = None
        if code_text:
            if desc_col == code_col or not desc:
                raw_code, rest = _split_code(code_text, clas)
                desc = rest if raw_code is not None else (desc or code_text)
            else:
                raw_code = code_text
        if raw_code is None and cur_group is not None and cur_group[0] == clas:
            raw_code = cur_group[1]
            desc = desc or cur_group[2]
        codigo = None
        if raw_code:
            codigo, ok = _norm_code(raw_code, clas)
            if not ok:
                findings.append(Finding(
                    "presupuesto_ejecucion", "codigo_ilegible", f"p{pagina} {tid} fila {fila}",
                    None, None, "advertencia",
                    f"El código '{raw_code}' no sigue la regla de {clas.replace('_', ' ')}; "
                    f"se conserva como está impreso.", Location(pagina, tid, fila)))
        fuente_text = parts[fuente_col] if fuente_col is not None and fuente_col < len(parts) else ""
        if clas == "fuente":
            fuente = None
        elif fuente_text:
            fuente, _ = _norm_code(fuente_text, "fuente")
        else:
            fuente = cur_fuente
        row = _budget_row(ctx, pagina, fecha, tipo, clas, fuente, codigo, desc or None,
                          amounts, False, tid, fila)
        rows.append(row)
        open_rows.append(row)
    return rows, findings


def _budget_row(ctx: DocContext, pagina: int, fecha, tipo: str, clas: str, fuente: str | None,
                codigo: str | None, descripcion: str | None, amounts: dict, es_total: bool,
                tid: str, fila: int) -> dict:
    return {**ctx.prov(pagina), **trace(tid, fila), "fecha_corte": fecha, "tipo": tipo,
            "clasificador": clas,
            "fuente_codigo": fuente, "codigo": codigo, "descripcion": descripcion,
            **{f: amounts.get(f) for f in BUDGET_AMOUNTS},
            "percibido": amounts.get("percibido") if tipo == "recurso" else None,
            "ejecucion_pct": amounts.get(BUDGET_PCT), "es_total": es_total}


# --------------------------------------------------------------------------- poa_ejecucion

def execution_mapping(t: Table) -> dict[str, int] | None:
    """Field -> column of ``t`` when it is a physical/financial execution summary
    (a unit, operation or task column and programmed/achieved percentages or
    vigente/ejecutado amounts), else None.  Tables of metas (quantities: "TOTAL PROG.",
    "META") are refused (DATASETS.md ``poa_ejecucion`` scope)."""
    if t.n_header == 0 or not t.body:
        return None
    headers = _header_texts(t)
    if any(_METAS_HEADER.search(fold(h)) for h in headers):
        return None
    cols = _invert(map_columns(headers, "poa_ejecucion"))
    if not any(f in cols for f in EXEC_IDENTITY):
        return None
    physical = "programado_pct" in cols and "ejecutado_pct" in cols
    financial = ("presupuesto_vigente" in cols and "presupuesto_ejecutado" in cols) \
        or "ejecucion_financiera_pct" in cols
    return cols if (physical or financial) else None


def _op_code(text: str) -> str:
    try:
        return operation_code(text) or text
    except (CodeParseError, ValueError):
        return text


def _task_code(text: str) -> str:
    try:
        return dotted_code(text) or text
    except (CodeParseError, ValueError):
        return text


def _table_unit(t: Table, cols: dict[str, int]) -> str | None:
    """Unit of a table without a unit column: the letter prefix every operation code
    shares ('DNP-1', 'DNP-2' -> 'DNP'), else the caption's last ' - ' part."""
    j = cols.get("operacion_codigo")
    if j is not None:
        prefixes = set()
        for r in t.body:
            c = _cell(r, j)
            if c and not _is_total(c):
                code = _op_code(c)
                mm = re.fullmatch(r"([A-Z]+)-\d+", code)
                prefixes.add(mm.group(1) if mm else None)
        if len(prefixes) == 1 and None not in prefixes:
            return prefixes.pop()
    title = clean_text(t.titulo) or ""
    parts = re.split(r"\s[-\u2013\u2014]\s", title)
    return parts[-1].strip() if len(parts) > 1 and parts[-1].strip() else None


def execution_rows(ctx: DocContext, t: Table, cols: dict[str, int]) -> list[dict]:
    """``poa_ejecucion`` rows of one execution summary table (rules: module docstring).

    Input: the context, the table and its :func:`execution_mapping`.  Output: one dict
    per unit/operation/task line and per total line; percentages in percent units as
    printed (``'73%'`` -> 73.0, ``'75,17'`` -> 75.17), amounts in Bs; blank cells null.
    Body lines with neither a unit/operation/task nor a total label (e.g. a stray
    '100%' under the header) are skipped.  Raises nothing for any cell content.
    """
    numeric = [f for f in (*EXEC_PCTS, *EXEC_AMOUNTS) if f in cols]
    fmt = _table_format(t, [cols[f] for f in numeric])
    values = _column_values(t, cols, numeric, fmt)
    has_unit_col = "unidad_organizacional" in cols
    table_unit = None if has_unit_col else _table_unit(t, cols)
    ident_cols = [cols[f] for f in ("unidad_organizacional", "operacion_codigo", "operacion",
                                    "tarea_codigo", "tarea") if f in cols]
    tid = tabla_id(ctx, t)
    out: list[dict] = []
    cur = {"unidad_organizacional": None, "operacion_codigo": None, "operacion": None}
    for i, r in enumerate(t.body):
        fila = i + t.n_header
        nums = {f: values[f][i] for f in numeric}
        ident = {f: _cell(r, cols[f]) if f in cols else "" for f in
                 ("unidad_organizacional", "operacion_codigo", "operacion", "tarea_codigo", "tarea")}
        first = next((_cell(r, j) for j in sorted(ident_cols) if _cell(r, j)), "")
        if first and _is_total(first):
            unit = table_unit
            named = _TOTAL_RE.sub("", first, count=1).strip(" :.-")
            if has_unit_col and named and cur["unidad_organizacional"] \
                    and fold(named) == fold(cur["unidad_organizacional"]):
                unit = cur["unidad_organizacional"]  # "TOTAL DNP": subtotal of a unit
            out.append({**ctx.prov(t.row_pages[fila]), **trace(tid, fila), "unidad_organizacional": unit,
                        "operacion_codigo": None, "operacion": None, "tarea_codigo": None,
                        "tarea": None, **_exec_nums(nums), "es_total": True})
            cur = dict.fromkeys(cur)
            continue
        if not any(ident.values()):
            continue
        if not any(v is not None for v in nums.values()):
            continue  # a heading line: kept in tablas only
        # merged cells: unit and operation forward-filled (never the numbers)
        if ident["unidad_organizacional"]:
            if ident["unidad_organizacional"] != cur["unidad_organizacional"]:
                cur["operacion_codigo"] = cur["operacion"] = None
            cur["unidad_organizacional"] = ident["unidad_organizacional"]
        if ident["operacion_codigo"]:
            cur["operacion_codigo"] = ident["operacion_codigo"]
            cur["operacion"] = ident["operacion"] or None
        elif ident["operacion"]:
            cur["operacion"] = ident["operacion"]
        unit = cur["unidad_organizacional"] if has_unit_col else table_unit
        out.append({**ctx.prov(t.row_pages[fila]), **trace(tid, fila), "unidad_organizacional": unit,
                    "operacion_codigo": _op_code(cur["operacion_codigo"]) if cur["operacion_codigo"] else None,
                    "operacion": cur["operacion"],
                    "tarea_codigo": _task_code(ident["tarea_codigo"]) if ident["tarea_codigo"] else None,
                    "tarea": ident["tarea"] or None, **_exec_nums(nums), "es_total": False})
    return out


def _exec_nums(nums: dict) -> dict:
    return {f: nums.get(f) for f in ("programado_pct", "ejecutado_pct", "presupuesto_vigente",
                                     "presupuesto_ejecutado", "ejecucion_financiera_pct")}


# --------------------------------------------------------------------------- entry point

def build_rendicion(ctx: DocContext, tables: list[Table], pages: list[Page]
                    ) -> tuple[list[dict], list[dict], list[Finding]]:
    """Return (presupuesto_ejecucion rows, poa_ejecucion rows, findings) of a document.

    Input: the document context, every table found (header rows first, ``row_pages``
    per row) and the pages (unused: everything needed is in the tables and their
    captions).  Each table is tried as a budget execution table first
    (:func:`budget_mapping`), then as an execution summary (:func:`execution_mapping`);
    any other table is left to ``tablas``.  Rules: module docstring; contract:
    DATASETS.md ``presupuesto_ejecucion`` and ``poa_ejecucion``.
    """
    pe: list[dict] = []
    pj: list[dict] = []
    findings: list[Finding] = []
    for t in tables:
        bm = budget_mapping(t)
        if bm is not None:
            rows, f = budget_rows(ctx, t, bm)
            pe += rows
            findings += f
            continue
        em = execution_mapping(t)
        if em is not None:
            pj += execution_rows(ctx, t, em)
    return pe, pj, findings


class RendicionDatasets:
    """Builder of ``presupuesto_ejecucion`` and ``poa_ejecucion`` (every document kind:
    a budget or execution table may be printed in any report; :func:`build_rendicion`),
    with the findings ``codigo_ilegible``."""

    name = "rendicion"
    datasets = ("presupuesto_ejecucion", "poa_ejecucion")

    def build(self, inp: BuildInput) -> BuildResult:
        pe, pj, findings = build_rendicion(inp.ctx, list(inp.tables), list(inp.pages))
        return BuildResult({"presupuesto_ejecucion": pe, "poa_ejecucion": pj}, findings)
