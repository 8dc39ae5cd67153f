"""POA budget summary forms -> ``presupuesto_formulario`` (DATASETS.md).

"FORMULARIO N° 4 – RESUMEN PRESUPUESTO": per organizational unit and categoría
programática, one line per form code (3.01 DETERMINACIÓN DE SERVICIOS, 3.02 ACTIVOS
FIJOS, …) with an amount per funding source (columns "FUENTE 20", "FUENTE 41") and a
total column, TOTAL lines, and the ceiling "TECHO P." printed below.  Columns are
recognised by the synonyms of ``pipelines/data/headers_formulario.toml``; the labels of
the key/value lines (ÁREA ORGANIZACIONAL, CATEGORÍA PROGRAMÁTICA, TECHO P.) too.

Validation (issue #3, point 4): ``formulario_total_igual_techo`` (the form's grand total
against its ceiling) and ``total_igual_suma`` per form and fuente (each TOTAL line
against the sum of the lines above it).  Amounts the OCR garbled may be repaired only
to a reading that the form's own totals reconcile (:mod:`normalize.repair`), with a
finding ``ocr_numero_reparado``.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from extract.geometry import group_lines
from extract.models import Page, Table, Word
from normalize.codes import CodeParseError, categoria_programatica, dotted_code
from normalize.headers import column_headers, header_key, map_columns, synonyms
from normalize.numbers import NumberParseError, parse_number
from normalize.repair import readings
from normalize.text import clean_text, fold
from pipelines.builders import BuildInput, BuildResult
from pipelines.context import DocContext, Finding, Location, trace
from pipelines.tablas import tabla_id

TOL = 0.5
"""Bs of tolerance when totals are compared (printed amounts have 2 decimals)."""


def form_columns(t: Table) -> dict[int, tuple[str, str | None]] | None:
    """Column -> (role, fuente) for a budget summary form table (it has a form-code
    column, a description and at least one fuente column), else None.  Roles:
    ``formulario_codigo``, ``descripcion``, ``monto`` (fuente = the header's digits,
    None for the total column)."""
    if t.n_header == 0 or t.n_cols < 3:
        return None
    heads = column_headers(t.header)
    m = map_columns(heads, "formulario")
    out: dict[int, tuple[str, str | None]] = {}
    for j, f in m.items():
        if f == "fuente":
            digits = re.findall(r"\d+", heads[j])
            if digits:
                out[j] = ("monto", digits[0][-2:].zfill(2))
        elif f == "total":
            out[j] = ("monto", None)
        else:
            out[j] = (f, None)
    # a header the synonyms split ('FUENTE 20' read as two words) may still name a fuente
    for j, h in enumerate(heads):
        if j not in out and re.match(r"^\s*(fuente|fte)\b", fold(h)) and re.search(r"\d", h):
            out[j] = ("monto", re.findall(r"\d+", h)[0][-2:].zfill(2))
    roles = {r for r, _ in out.values()}
    if {"formulario_codigo", "descripcion", "monto"} <= roles and \
            any(f for r, f in out.values() if r == "monto"):
        return out
    return None


def label_values(page: Page, kind: str = "formulario_etiquetas") -> dict[str, tuple[str, float]]:
    """Key/value lines of a form page: field -> (value text, y).  A label is matched
    at the start of a text line (accent/case-insensitive); the value is the rest of
    the line (to the right of the label and its colon)."""
    labels = synonyms()[kind]
    out: dict[str, tuple[str, float]] = {}
    for top, words in _lines(page.words):
        text = " ".join(w.text for w in words)
        left, sep, right = text.partition(":")
        key = header_key(left) if sep else None
        for field, names in labels.items():
            if field in out:
                continue
            for name in names:
                nk = header_key(name)
                if key is not None and key == nk and right.strip():
                    out[field] = (right.strip(), top)
                    break
                if key is None and header_key(text).startswith(nk + " "):
                    # 'TECHO P 1.332.834,00' read without the colon
                    out[field] = (text.split(None, len(name.split()))[-1], top)
                    break
    return out


def _lines(words: Sequence[Word]) -> list[tuple[float, list[Word]]]:
    """Text lines of a page as ``(top, words)`` (:func:`extract.geometry.group_lines`,
    at least 4 pt: OCR boxes of one printed line wobble)."""
    return [(min(w.top for w in ln), ln) for ln in group_lines(words, 4.0)]


def _amount(text: str) -> float | None:
    try:
        return parse_number(text)
    except NumberParseError:
        return None


class FormularioBuilder:
    """Builds ``presupuesto_formulario`` rows and their findings for one document."""

    def __init__(self, ctx: DocContext):
        self.ctx = ctx
        self.rows: list[dict] = []
        self.findings: list[Finding] = []

    def add(self, t: Table, cols: dict[int, tuple[str, str | None]], page: Page | None) -> None:
        labels = label_values(page) if page is not None else {}
        unidad = clean_text(labels.get("unidad_organizacional", (None,))[0])
        cat = labels.get("categoria_programatica", (None,))[0]
        try:
            cat = categoria_programatica(cat) if cat else None
        except (CodeParseError, ValueError):
            cat = clean_text(cat)
        techo_text = labels.get("techo_presupuestario", (None,))[0]
        techo = _amount(techo_text) if techo_text else None
        tid = tabla_id(self.ctx, t)
        role = {r: j for j, (r, _) in cols.items() if r != "monto"}
        montos = [(j, f) for j, (r, f) in cols.items() if r == "monto"]
        # forward fill the form code down a merged cell (3.04 over PASAJES / VIÁTICOS)
        code_col = role.get("formulario_codigo")
        merged_code: dict[int, str] = {}
        if code_col is not None:
            for c in t.cells:
                if c.col == code_col and c.rowspan > 1 and c.text:
                    for i in range(c.row, c.row + c.rowspan):
                        merged_code[i] = c.text
        lines = []
        for i in range(t.n_header, t.n_rows):
            r = t.rows[i]
            desc = clean_text(r[role["descripcion"]]) if "descripcion" in role else None
            code = clean_text(r[code_col]) if code_col is not None else None
            code = code or merged_code.get(i)
            es_total = bool(desc) and fold(desc).startswith("total")
            if not desc and not code:
                continue
            try:
                code = dotted_code(code) if code and not es_total else None
            except (CodeParseError, ValueError):
                code = clean_text(code)
            cells = {j: (clean_text(r[j]) or "") for j, _ in montos}
            lines.append((i, code, desc, es_total, cells))
        values = self._values(lines, montos, tid, t.row_pages)
        for (i, code, desc, es_total, cells) in lines:
            for j, fuente in montos:
                v = values.get((i, j))
                if v is None:
                    continue
                self.rows.append({**self.ctx.prov(t.row_pages[i]), "unidad_organizacional": unidad,
                                  "categoria_programatica": cat, "formulario_codigo": code,
                                  "descripcion": desc, "fuente_codigo": fuente, "monto": v,
                                  "es_total": es_total, "techo_presupuestario": techo,
                                  **trace(tid, i)})
        self._validate(lines, montos, values, techo, tid, t.row_pages)

    def _values(self, lines, montos, tid, row_pages) -> dict[tuple[int, int], float]:
        """Parse every amount; an unreadable one is repaired only to the single
        reading that makes its line (fuentes = total) or its column (lines = TOTAL)
        add up."""
        values: dict[tuple[int, int], float] = {}
        bad: list[tuple[int, int, str]] = []
        for (i, _, _, _, cells) in lines:
            for j, _ in montos:
                text = cells[j]
                if not text:
                    continue
                v = _amount(text)
                if v is None:
                    bad.append((i, j, text))
                else:
                    values[(i, j)] = v
        total_col = next((j for j, f in montos if f is None), None)
        for i, j, text in bad:
            cands = readings(text)
            ok = [c for c in cands if self._reconciles(i, j, c, lines, montos, values, total_col)]
            if len(ok) == 1:
                values[(i, j)] = ok[0]
                self.findings.append(Finding(
                    "presupuesto_formulario", "ocr_numero_reparado", f"{tid} fila {i} columna {j}",
                    ok[0], None, "advertencia",
                    f"Se leyó '{text}' y se tomó {ok[0]:,.2f}, la única lectura con la que "
                    f"cuadran los totales del formulario.", Location(row_pages[i], tid, i)))
            else:
                self.findings.append(Finding(
                    "presupuesto_formulario", "numero_ilegible", f"{tid} fila {i} columna {j}",
                    None, None, "error",
                    f"El monto '{text}' no se pudo leer y ninguna lectura única cuadra con los "
                    f"totales; se deja vacío.", Location(row_pages[i], tid, i)))
        return values

    @staticmethod
    def _reconciles(i, j, v, lines, montos, values, total_col) -> bool:
        trial = dict(values)
        trial[(i, j)] = v
        fuentes = [jj for jj, f in montos if f is not None]
        if total_col is not None and all((i, jj) in trial or not lines for jj in fuentes):
            s = sum(trial.get((i, jj), 0.0) for jj in fuentes)
            if (i, total_col) in trial and abs(s - trial[(i, total_col)]) <= TOL:
                return True
        # the column's TOTAL line against the sum of the lines above it
        body = [li for li in lines if not li[3]]
        tot = next((li for li in lines if li[3] and (li[0], j) in trial), None)
        if tot is not None and all((li[0], j) in trial or not li[4][j] for li in body):
            s = sum(trial.get((li[0], j), 0.0) for li in body)
            return abs(s - trial[(tot[0], j)]) <= TOL
        return False

    def _validate(self, lines, montos, values, techo, tid, row_pages) -> None:
        body = [li for li in lines if not li[3]]
        totals = [li for li in lines if li[3]]
        if not totals:
            return
        first = totals[0]
        for j, fuente in montos:
            if (first[0], j) not in values:
                continue
            s = sum(values.get((li[0], j), 0.0) for li in body)
            obs = values[(first[0], j)]
            if abs(s - obs) > TOL:
                self.findings.append(Finding(
                    "presupuesto_formulario", "total_igual_suma", f"{tid} fila {first[0]}", round(s, 2), obs,
                    "error", f"El {first[2]} de la fuente {fuente or 'todas'} ({obs:,.2f}) no es la "
                             f"suma de sus líneas ({s:,.2f}).",
                    Location(row_pages[first[0]], tid, first[0])))
        total_col = next((j for j, f in montos if f is None), None)
        if techo is not None and total_col is not None:
            grand = next((values[(li[0], total_col)] for li in reversed(totals)
                          if (li[0], total_col) in values), None)
            if grand is not None and abs(grand - techo) > TOL:
                self.findings.append(Finding(
                    "presupuesto_formulario", "formulario_total_igual_techo", f"{tid} fila {totals[-1][0]}",
                    techo, grand, "error",
                    f"El total del formulario ({grand:,.2f}) no coincide con el techo presupuestario "
                    f"({techo:,.2f}).", Location(row_pages[totals[-1][0]], tid, totals[-1][0])))


def build_formularios(ctx: DocContext, tables: list[Table], pages: list[Page]
                      ) -> tuple[list[dict], list[Finding]]:
    """``presupuesto_formulario`` rows and findings for every budget summary form table
    of a document."""
    by_num = {p.numero: p for p in pages}
    b = FormularioBuilder(ctx)
    for t in tables:
        cols = form_columns(t)
        if cols is not None:
            b.add(t, cols, by_num.get(t.pagina))
    return b.rows, b.findings


class FormularioDatasets:
    """Builder of ``presupuesto_formulario`` (every document kind: the form is annexed
    to resoluciones; :func:`build_formularios`), with the findings
    ``ocr_numero_reparado``, ``numero_ilegible``, ``total_igual_suma`` and
    ``formulario_total_igual_techo``."""

    name = "formulario"
    datasets = ("presupuesto_formulario",)

    def build(self, inp: BuildInput) -> BuildResult:
        rows, findings = build_formularios(inp.ctx, list(inp.tables), list(inp.pages))
        return BuildResult({"presupuesto_formulario": rows}, findings)
