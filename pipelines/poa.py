"""POA forms (Plan Operativo Anual) -> ``poa_operaciones`` and ``poa_acciones``.

A POA form is a key/value header block (CÓDIGO PEI, ACCIÓN INSTITUCIONAL, UNIDAD /
ÁREA ORGANIZACIONAL, ACCIÓN DE CORTO PLAZO, ...) followed by the table acción de corto
plazo -> operación -> (actividad) -> tarea.  Columns are recognised by header synonyms
(``pipelines/data/headers.toml``, table kinds ``poa`` and ``poa_acciones``).

Rules (DATASETS.md, ``poa_operaciones``):
- codes and texts of action, operation and activity are forward-filled (merged cells);
  ``ponderacion_pct`` never is;
- ``resultado`` and the dates belong to the block they are printed in (merged cell) and,
  when a task is re-assigned by its code, to the activity its code names;
- when a task code's prefix names a printed activity/operation other than the one on its
  line, the task belongs to the one its code names and a ``codigo_jerarquia`` finding is
  written.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from extract.models import Page, Table
from normalize.codes import CodeParseError, dotted_code, operation_code, split_code_prefix
from normalize.dates import DateParseError, parse_date
from normalize.headers import column_headers, map_columns, match_header
from normalize.numbers import NumberParseError
from normalize.percentages import parse_percent
from normalize.text import clean_text, fold
from pipelines.builders import BuildInput, BuildResult
from pipelines.context import DocContext, Finding, Location, trace
from pipelines.keyvalue import label_blocks
from pipelines.tablas import tabla_id

HIERARCHY = ("accion_corto_plazo", "operacion", "actividad")
FFILL = tuple(f for h in HIERARCHY for f in (f"{h}_codigo", h))
BLOCK = ("resultado", "fecha_inicio", "fecha_fin")
ACCION_FIELDS = ("codigo_pei", "accion_institucional", "indicador", "accion_corto_plazo",
                 "resultado_esperado")


@dataclass
class FormHeader:
    """Key/value block of a POA form: field -> (text, page)."""

    values: dict[str, str] = field(default_factory=dict)
    pagina: int = 1
    tabla_id: str | None = None
    fila: int | None = None
    """The table and row where its first field of an acción is printed (None when the
    block is ``LABEL: value`` lines of running text)."""

    @property
    def is_accion(self) -> bool:
        return any(self.values.get(f) for f in ACCION_FIELDS)


def read_form_header(t: Table, tid: str | None = None) -> FormHeader | None:
    """The key/value block in ``t`` (two or three columns, labels on the left), or None
    when fewer than one label is recognised.  ``tid`` is the table's ``tabla_id``: the
    block then records it and the row of its first acción field (trace columns)."""
    if t.n_cols > 3 or t.n_cols < 2:
        return None
    fh = FormHeader(pagina=t.pagina, tabla_id=tid)
    for i, r in enumerate(t.rows):
        label = r[0].rstrip(": ")
        f = match_header(label, "poa_acciones")
        value = " ".join(c for c in r[1:] if c)
        if f and value:
            fh.values.setdefault(f, value)
            if f in ACCION_FIELDS and fh.fila is None:
                fh.fila, fh.pagina = i, t.row_pages[i]
    if fh.fila is None:
        fh.pagina = t.pagina
    return fh if fh.values else None


def build_poa(ctx: DocContext, tables: Sequence[Table], pages: Sequence[Page]) -> PoaBuilder:
    """Walk a POA document in reading order (page, then top to bottom): form header
    blocks (printed as a table, or as ``LABEL: value`` lines, :mod:`pipelines.keyvalue`)
    set the header of the task tables that follow them."""
    events: list[tuple[int, float, int, object]] = []
    for k, t in enumerate(tables):
        events.append((t.pagina, t.bbox[1], 1, t))
    by_page: dict[int, list] = {}
    for t in tables:
        for p in set(t.row_pages):
            by_page.setdefault(p, []).append(t.bbox)
    for p in pages:
        for b in label_blocks(p, by_page.get(p.numero, []), "poa_acciones"):
            events.append((b.pagina, b.top, 0, FormHeader(dict(b.values), b.pagina)))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    poa = PoaBuilder(ctx)
    for _, _, _, obj in events:
        if isinstance(obj, FormHeader):
            poa.add_form_header(obj)
            continue
        fh = read_form_header(obj, tabla_id(ctx, obj))
        if fh is not None:
            poa.add_form_header(fh)
            continue
        mapping = poa_mapping(obj)
        if mapping is not None:
            poa.add_table(obj, mapping)
    return poa


def poa_mapping(t: Table) -> dict[int, str] | None:
    """Column -> field when ``t`` is a POA task table (it has a task column and an
    operation column), else None."""
    if t.n_header == 0:
        return None
    m = map_columns(column_headers(t.header), "poa")
    fields = set(m.values())
    if ({"tarea", "tarea_codigo"} & fields) and ({"operacion", "operacion_codigo"} & fields):
        return m
    return None


def _code(value: str | None, level: str) -> str | None:
    if not value:
        return None
    try:
        if level == "operacion":
            return operation_code(value)
        return dotted_code(value)
    except (CodeParseError, ValueError):
        return clean_text(value)


def _date(value: str | None):
    if not value:
        return None
    try:
        return parse_date(value)
    except (DateParseError, ValueError):
        return None


def _pct(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parse_percent(value)
    except (NumberParseError, ValueError):
        return None


def _depth(code: str | None) -> int:
    """Number of levels of a dotted code ('22.13.2' -> 3); 0 when not dotted."""
    if not code:
        return 0
    c = code.strip().rstrip(".")
    return c.count(".") + 1 if c.replace(".", "").replace(" ", "").isdigit() else 0


def _parent(code: str | None) -> str | None:
    if not code or "." not in code:
        return None
    return code.rsplit(".", 1)[0]


class PoaBuilder:
    """Walks a document's tables in order and builds the POA datasets."""

    def __init__(self, ctx: DocContext):
        self.ctx = ctx
        self.operaciones: list[dict] = []
        self.acciones: list[dict] = []
        self.findings: list[Finding] = []
        self.header = FormHeader()

    # -- key/value blocks -------------------------------------------------------------
    def add_form_header(self, fh: FormHeader) -> None:
        self.header = fh
        if not fh.is_accion:
            return
        v = fh.values
        acp_code, acp_text = split_code_prefix(clean_text(v.get("accion_corto_plazo")) or "")
        self.acciones.append({
            **self.ctx.prov(fh.pagina),
            "unidad_organizacional": clean_text(v.get("unidad_organizacional")),
            "codigo_pei": _code(v.get("codigo_pei"), "pei"),
            "accion_institucional": clean_text(v.get("accion_institucional")),
            "ponderacion_pct": _pct(v.get("ponderacion_pct")),
            "indicador": clean_text(v.get("indicador")),
            "accion_corto_plazo_codigo": acp_code,
            "accion_corto_plazo": clean_text(acp_text),
            "resultado_esperado": clean_text(v.get("resultado_esperado")),
            **trace(fh.tabla_id if fh.fila is not None else None, fh.fila),
        })

    # -- task tables ------------------------------------------------------------------
    def add_table(self, t: Table, mapping: dict[int, str]) -> None:
        col = {f: j for j, f in mapping.items()}
        n = t.n_rows
        # span fill: a merged cell's text applies to every row it covers
        grid = [list(r) for r in t.rows]
        for c in t.cells:
            if c.rowspan > 1 and c.row >= t.n_header:
                for i in range(c.row + 1, min(n, c.row + c.rowspan)):
                    if not grid[i][c.col]:
                        grid[i][c.col] = c.text
        hv = self.header.values
        acp_code_h, acp_text_h = split_code_prefix(clean_text(hv.get("accion_corto_plazo")) or "")
        unidad = clean_text(hv.get("unidad_organizacional"))
        tid = tabla_id(self.ctx, t)

        lines = []
        for i in range(t.n_header, n):
            get = lambda f: clean_text(grid[i][col[f]]) if f in col and col[f] < len(grid[i]) else None
            lines.append((i, {f: get(f) for f in set(mapping.values())}))

        self._shift_task_lines(lines)
        # forward fill the hierarchy (carried over continued tables of the same form)
        last = getattr(self, "_last", {})
        for _, vals in lines:
            for level in HIERARCHY:
                ck, tk = f"{level}_codigo", level
                if not vals.get(ck) and vals.get(tk) and vals.get(tk) == last.get(tk):
                    vals[ck] = last.get(ck)  # the same merged text: the same item
                elif (vals.get(ck), vals.get(tk)) == (last.get(ck), last.get(tk)):
                    pass  # the same merged cell seen again: lower levels go on
                elif vals.get(ck) or vals.get(tk):
                    last = {k: v for k, v in last.items()
                            if HIERARCHY.index(k.replace("_codigo", "")) < HIERARCHY.index(level)}
                    last[ck], last[tk] = vals.get(ck), vals.get(tk)
                else:
                    vals[ck], vals[tk] = last.get(ck), last.get(tk)
                    vals.setdefault("_filled", set()).add(level)
        self._last = last

        # what each printed code stands for (text and block values of its own line)
        known: dict[str, dict[str, dict]] = {lv: {} for lv in HIERARCHY}
        for _, vals in lines:
            for level in HIERARCHY:
                c = _code(vals.get(f"{level}_codigo"), level)
                if c and c not in known[level]:
                    known[level][c] = dict(vals)

        for i, vals in lines:
            tcode = _code(vals.get("tarea_codigo"), "tarea")
            ttext = vals.get("tarea")
            if not tcode and not ttext:
                continue
            if not tcode and ttext:
                tc, tt = split_code_prefix(ttext)
                if tc:
                    tcode, ttext = dotted_code(tc), tt
            vals = self._reassign(dict(vals), tcode, known, "actividad_codigo" in col,
                                 Location(t.row_pages[i], tid, i))
            self._block_values(vals, known, "actividad" if "actividad_codigo" in col else "operacion")
            acp_code = _code(vals.get("accion_corto_plazo_codigo"), "accion") or acp_code_h
            acp_text = vals.get("accion_corto_plazo") or (acp_text_h if not vals.get("accion_corto_plazo_codigo") else None)
            row = {
                **self.ctx.prov(t.row_pages[i]),
                "unidad_organizacional": unidad,
                "accion_corto_plazo_codigo": acp_code,
                "accion_corto_plazo": clean_text(acp_text),
                "operacion_codigo": _code(vals.get("operacion_codigo"), "operacion"),
                "operacion": vals.get("operacion"),
                "actividad_codigo": _code(vals.get("actividad_codigo"), "actividad"),
                "actividad": vals.get("actividad"),
                "tarea_codigo": tcode,
                "tarea": clean_text(ttext),
                "ponderacion_pct": _pct(clean_text(t.rows[i][col["ponderacion_pct"]]))
                if "ponderacion_pct" in col else None,
                "fecha_inicio": _date(vals.get("fecha_inicio")),
                "fecha_fin": _date(vals.get("fecha_fin")),
                "resultado": vals.get("resultado"),
                "responsable": vals.get("responsable"),
                **trace(tid, i),
            }
            self.operaciones.append(row)

    def _block_values(self, vals: dict, known: dict, level: str) -> None:
        """Dates and result not printed on a task's line are those of its block: the
        line where its activity (or operation) is printed; a result cell of an
        operation's block that a page break cut is carried on while the operation goes on."""
        src = known[level].get(_code(vals.get(f"{level}_codigo"), level))
        for k in BLOCK:
            if not vals.get(k) and src and src.get(k):
                vals[k] = src[k]
        op = _code(vals.get("operacion_codigo"), "operacion")
        prev = getattr(self, "_prev_block", None)
        if not vals.get("resultado") and prev and prev[0] == op and op:
            vals["resultado"] = prev[1]
        self._prev_block = (op, vals.get("resultado"))

    @staticmethod
    def _shift_task_lines(lines: list[tuple[int, dict]]) -> None:
        """A task printed in a higher level's columns (a code one level deeper than that
        column's usual codes, with the task columns empty) is moved to the task columns."""
        for level in ("actividad", "operacion"):
            ck = f"{level}_codigo"
            depths = [_depth(v.get(ck)) for _, v in lines if _depth(v.get(ck))]
            if not depths:
                continue
            usual = max(set(depths), key=depths.count)
            for _, v in lines:
                d = _depth(v.get(ck))
                if d and d > usual and not v.get("tarea_codigo") and not v.get("tarea"):
                    v["tarea_codigo"], v["tarea"] = v.get(ck), v.get(level)
                    v[ck], v[level] = None, None

    def _reassign(self, vals: dict, tcode: str | None, known: dict, has_actividad: bool,
                  where: Location) -> dict:
        """Apply the code-hierarchy rule: the task belongs to the activity (or, in forms
        without activities, the operation) its code names, when that one is printed in
        the table; block values (resultado, dates) follow it."""
        level = "actividad" if has_actividad else "operacion"
        parent = _parent(tcode)
        printed = _code(vals.get(f"{level}_codigo"), level)
        if parent and parent in known[level] and parent != printed:
            src = known[level][parent]
            text = " ".join((vals.get(level) or "").split()[:6])
            beside = printed or (f"sin código ('{text}…')" if text else "(vacía)")
            self.findings.append(Finding(
                "poa_operaciones", "codigo_jerarquia", where.describe(), None, None, "advertencia",
                f"La tarea {tcode} está impresa junto a {level} {beside}, "
                f"pero su código la asigna a {level} {parent}.", where))
            upto = HIERARCHY.index(level)
            for lv in HIERARCHY[: upto + 1]:
                vals[f"{lv}_codigo"], vals[lv] = src.get(f"{lv}_codigo"), src.get(lv)
            for k in BLOCK:
                vals[k] = src.get(k)
        elif parent and printed and parent != printed and "." in printed \
                and _depth(printed) == _depth(parent) and level in vals.get("_filled", ()):
            # the code names a level that is not printed anywhere: keep its code, no text
            self.findings.append(Finding(
                "poa_operaciones", "codigo_jerarquia", where.describe(), None, None, "advertencia",
                f"La tarea {tcode} está impresa junto a {level} {printed}, pero su código la "
                f"asigna a {level} {parent}, que no figura en el formulario.", where))
            vals[f"{level}_codigo"], vals[level] = parent, None
            vals["fecha_inicio"] = vals["fecha_fin"] = None
        return vals


class PoaDatasets:
    """Builder of ``poa_operaciones`` and ``poa_acciones`` for a POA document
    (:func:`build_poa`), with the findings ``codigo_jerarquia``."""

    name = "poa"
    datasets = ("poa_operaciones", "poa_acciones")

    def build(self, inp: BuildInput) -> BuildResult:
        poa = build_poa(inp.ctx, inp.tables, inp.pages)
        return BuildResult({"poa_operaciones": poa.operaciones, "poa_acciones": poa.acciones},
                           poa.findings)
