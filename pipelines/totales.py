"""Total and subtotal rows checked against their rows, on every table of a document.

Rule ``total_tabla`` (dataset ``tablas``, severity ``error``; DATASETS.md
"validaciones"): a body row whose label (the text before its first figure) is a total
or subtotal (``[totales]`` of ``pipelines/data/tablas.toml``) must print, in every
additive numeric column where it prints a figure, the sum of the rows it closes:

- a subtotal ("Sub total Bolivia") or a group total ("Total FTE 20 ...") closes the rows
  since the previous total or subtotal, or since the last section row (a row with text
  and no figure, "FTE 20: Recursos Específicos");
- a grand total ("TOTAL", "TOTALES", "Total General", "TOTAL 2020") closes everything
  since the previous grand total: its subtotals plus the rows outside any subtotal.
  A row that is the exact sum of the rows printed just above it since the last
  subtotal (an unlabelled subtotal, "Exterior del País" under its countries) counts
  once, as a subtotal.  A grand total right after other grand totals, with no row in
  between ("TOTAL 2020" under the monthly "TOTAL" rows), closes those totals;
- a total printed above its rows (first figures of the table) closes the rows below it,
  read the same way from the bottom up.

A total is accepted when it matches any of these readings (nested; flat over every
row; a row printed above its parts and equal to their sum counted once; rows whose code
is the parent of another row's code left out); the expected value reported is the
nested one.  A total that prints one figure for several columns may be their sum
across ("TOTAL 15.000.721,05" under the two sources it adds).  When none of a total
line's figures is its column's total but every one is the total of the column k places
off, the line is printed shifted: one finding for the line, not one per column.  A row
of whole figures and no text right under the header is the header's last line ("41 |
20"), not data.

The tolerance respects printed rounding: half a unit of the last printed decimal of
every figure added and of the total (``36,79`` -> 0.005 per figure).  Whole figures are
exact (counts, whole amounts: ``327`` is not ``329``) unless the table prints decimals
somewhere or its caption or header says it is scaled (``[totales].escalas``, "en miles
de Bs"); then each may be off by 0.5.

Rule ``porcentaje_tabla`` (dataset ``tablas``, ``advertencia``): in a percentage
column (header with ``%`` or a word of ``[totales].no_sumables``; never added up), when
every printed percentage but at most a quarter of them is 100 x A / B for the same
two other columns A and B (at least three rows), a row whose percentage is not is
reported (tolerance one unit of the last printed decimal: rounding or truncation).

One owner per row: a row that is also a row of ``presupuesto_ejecucion``,
``poa_ejecucion`` or ``presupuesto_formulario`` (same ``tabla_id`` and ``fila``) is
checked by those datasets' rules (:mod:`pipelines.validate` ``total_igual_suma``,
``vigente_igual_inicial_mas_modificaciones``, ``porcentaje_consistente``; the form's
own ``total_igual_suma``), which know its columns, funding sources and code hierarchy,
and is skipped here, so no total is reported twice.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from extract.models import Table
from extract.tables.data import knowledge
from normalize.text import clean_text, fold
from normalize.numbers import format_bolivian
from pipelines.context import DocContext, Finding, Location
from pipelines.tablas import column_values, tabla_id
from pipelines.validate import _ancestor

OWNER_DATASETS = ("presupuesto_ejecucion", "poa_ejecucion", "presupuesto_formulario")
"""Datasets whose rows are checked by their own rules (module docstring, one owner)."""
RATIO_SHARE = 0.75
"""Share of a percentage column's rows that must be A/B for the column to be a ratio."""
RATIO_MIN_ROWS = 3
"""Fewest rows with a percentage, A and B printed for a ratio to be recognised."""

_CODE = re.compile(r"\d+(?:[.\-]\d+)*\.?")


# --------------------------------------------------------------------------- labels

@dataclass(frozen=True)
class Labels:
    """The folded labels of ``[totales]`` (tablas.toml)."""

    generales: frozenset[str]
    calificativos: frozenset[str]
    subtotales: tuple[str, ...]
    grupos: tuple[str, ...]
    no_sumables: tuple[str, ...]
    escalas: tuple[str, ...]


@lru_cache(maxsize=1)
def labels() -> Labels:
    """``[totales]`` of tablas.toml, folded (checked at start by pipelines.config)."""
    k = knowledge()["totales"]
    words = lambda key: tuple(sorted({_key(w) for w in k[key]}, key=len, reverse=True))
    return Labels(frozenset(words("generales")), frozenset(words("calificativos")),
                  words("subtotales"), words("grupos"), tuple(fold(w) for w in k["no_sumables"]),
                  tuple(fold(w) for w in k["escalas"]))


def _key(text: str) -> str:
    """A label folded for matching: no brackets' content, no punctuation but '-' and
    '/', single spaces: ``'TOTAL GENERAL (BOLIVIANOS)'`` -> ``'total general'``."""
    s = re.sub(r"\([^)]*\)", " ", fold(text))
    s = re.sub(r"[^\w\s\-/%.]", " ", s)
    return " ".join(s.replace("_", " ").split()).strip(" .")


def total_kind(label: str | None) -> str | None:
    """``'total'`` (a grand total), ``'subtotal'`` (a subtotal or a group total) or None
    for a row label.  ``'Total General'`` -> total, ``'TOTAL 2020'`` -> total,
    ``'Sub total Bolivia'`` -> subtotal, ``'Total FTE 20 Recursos'`` -> subtotal,
    ``'PRODUCCIÓN TOTAL'`` -> None (the label must start with the word)."""
    key = _key(label or "")
    if not key:
        return None
    lab = labels()
    words = key.split()
    # grand: a general label followed only by qualifiers and years
    for n in range(len(words), 0, -1):
        head = " ".join(words[:n])
        if head in lab.generales and all(w in lab.calificativos or re.fullmatch(r"\d{4}", w)
                                         for w in words[n:]):
            return "total"
    for p in lab.subtotales:
        if key == p or key.startswith(p + " "):
            return "subtotal"
    for p in lab.grupos:
        if key.startswith(p + " "):
            return "subtotal"
    return None


# --------------------------------------------------------------------------- reading

@dataclass
class Line:
    """One body row of a table as this module reads it: its ``fila`` (as in
    ``tablas.fila``), ``pagina``, ``label`` (text before its first figure), ``kind``
    (``'dato'``, ``'seccion'`` for text only, ``'subtotal'``, ``'total'``), ``values``
    (column -> figure) and ``decimals`` (column -> decimals printed), ``codigo``."""

    fila: int
    pagina: int
    label: str
    kind: str
    values: dict[int, float] = field(default_factory=dict)
    decimals: dict[int, int] = field(default_factory=dict)
    codigo: str | None = None
    half: dict[int, float] = field(default_factory=dict)
    """column -> how far the printed figure may be from the figure it rounds (half a unit
    of its last decimal; 0 for a whole figure of a table of whole figures)."""


@dataclass
class Sheet:
    """A table read for checking: its ``tabla_id``, body ``lines`` in printed order,
    ``names`` (column -> header text), the ``additive`` columns (added up) and the
    ``percent`` columns (checked as ratios)."""

    tabla_id: str
    lines: list[Line]
    names: dict[int, str]
    additive: set[int]
    percent: set[int]


def printed_decimals(text: str, value: float) -> int:
    """Decimals printed in a figure (``'1,084,000.00'`` -> 2, ``'36,79'`` -> 2,
    ``'0,00'`` -> 2, ``'508.076'`` (508076) -> 0, ``'56%'`` -> 0, ``'-'`` -> 0)."""
    digits = "".join(ch for ch in text if ch.isdigit())
    m = re.search(r"[.,](\d+)\D*$", text)
    if not digits or not m or (value != 0 and float(digits) == abs(value)):
        return 0
    return len(m.group(1))


def _header_names(t: Table) -> dict[int, str]:
    names = {}
    for j in range(t.n_cols):
        parts = []
        for r in t.header:
            cell = clean_text(r[j] if j < len(r) else "") or ""
            if cell and cell not in parts:
                parts.append(cell)
        names[j] = " ".join(parts)
    return names


def read_sheet(tid: str, t: Table) -> Sheet:
    """Table ``t`` (tabla_id ``tid``) as a :class:`Sheet`; numbers as the ``tablas``
    dataset reads them (:func:`pipelines.tablas.column_values`)."""
    values, _ = column_values(t)
    names = _header_names(t)
    lab = labels()
    percent, additive = set(), set()
    for j in values:
        head = fold(names.get(j, ""))
        cells = [t.rows[i][j] for i in range(t.n_header, t.n_rows) if j < len(t.rows[i])
                 and values[j][i] is not None]
        marked = bool(cells) and sum("%" in c for c in cells) * 2 > len(cells)
        if marked or "%" in head or "porcentaje" in head:
            percent.add(j)
        elif not any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", head) for w in lab.no_sumables):
            additive.add(j)
    lines = []
    for i in range(t.n_header, t.n_rows):
        row = t.rows[i]
        vals, decs, label = {}, {}, ""
        first_fig = None
        for j in range(t.n_cols):
            text = clean_text(row[j] if j < len(row) else "") or ""
            v = values.get(j, [None] * t.n_rows)[i]
            if v is not None:
                vals[j] = v
                decs[j] = printed_decimals(text, v)
                if first_fig is None and j in additive | percent:
                    first_fig = j
        texts = [(j, clean_text(row[j] if j < len(row) else "") or "") for j in range(t.n_cols)]
        before = [s for j, s in texts if s and (first_fig is None or j < first_fig) and j not in vals]
        kind = None
        for s in before:
            kind = total_kind(s)
            if kind:
                label = s
                break
        if not kind:
            others = [s for j, s in texts if s and j not in vals]
            label = before[0] if before else (others[0] if others else "")
            checked = [j for j in vals if j in additive | percent]
            kind = "dato" if checked else ("seccion" if any(s for _, s in texts) else "vacia")
        codigo = next((s for _, s in texts if s and _CODE.fullmatch(s)), None)
        if kind != "vacia":
            lines.append(Line(i, t.row_pages[i], label, kind, vals, decs, codigo))
    # a row of whole figures and no text right under the header, above labelled rows, is
    # the header's last line (column codes '41 | 20', years), not data
    labelled = [k for k, ln in enumerate(lines) if ln.label]
    for ln in lines[:labelled[0]] if labelled else []:
        if ln.kind == "dato" and all(float(v).is_integer() and not ln.decimals.get(c) for c, v in ln.values.items()):
            ln.kind = "seccion"
    # whole figures are exact (counts, whole amounts) unless the table prints decimals
    # somewhere or says its figures are scaled ("en miles de Bs")
    scaled = any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", fold(" ".join([t.titulo or ""] + list(names.values()))))
                 for w in lab.escalas)
    rounded = scaled or any(ln.decimals.get(c, 0) for ln in lines for c in additive if c in ln.values)
    for ln in lines:
        ln.half = {c: (0.5 * 10 ** -d if (d or rounded) else 0.0) for c, d in ln.decimals.items()}
    return Sheet(tid, lines, names, additive, percent)


# --------------------------------------------------------------------------- totals

@dataclass
class Reading:
    """One way of reading what a total closes: ``parts`` (the lines added) and a short
    Spanish description of them for the message."""

    parts: list[Line]
    desc: str


def _implicit(rows: list[Line], cols: Iterable[int]) -> tuple[list[Line], int]:
    """``rows`` with every unlabelled subtotal counted once: a row that is, in every
    column where it prints a figure (one at least not 0), the exact sum of the two or
    more rows just above it (since the start of ``rows`` or the previous such row)
    replaces them.  Returns the rows and how many such subtotals were found."""
    out: list[Line] = []
    run: list[Line] = []
    found = 0
    cols = list(cols)
    for r in rows:
        shown = [c for c in cols if c in r.values]
        if len(run) >= 2 and shown and any(r.values[c] for c in shown):
            if all(abs(sum(x.values.get(c, 0.0) for x in run) - r.values[c]) <= _tol(run, c, r)
                   for c in shown):
                out = out[:len(out) - len(run)] + [r]
                run = []
                found += 1
                continue
        out.append(r)
        run.append(r)
    return out, found


def _implicit_above(rows: list[Line], cols: Iterable[int]) -> tuple[list[Line], int]:
    """Like :func:`_implicit` for a row printed above its parts: a row that is the exact
    sum of the two or more rows just below it ("Resoluciones saneamiento 377" over its
    four kinds) replaces them."""
    cols = list(cols)
    out: list[Line] = []
    found = 0
    k = 0
    while k < len(rows):
        r = rows[k]
        out.append(r)
        shown = [c for c in cols if c in r.values]
        if shown and any(r.values[c] for c in shown):
            for m in range(k + 2, len(rows)):
                part = rows[k + 1:m + 1]
                if all(abs(sum(x.values.get(c, 0.0) for x in part) - r.values[c]) <= _tol(part, c, r)
                       for c in shown):
                    k = m
                    found += 1
                    break
        k += 1
    return out, found


def _leaves(rows: list[Line]) -> list[Line]:
    """``rows`` without those whose code is the parent of another row's code
    (``15.9`` over ``15.9.1``; :func:`pipelines.validate._ancestor`)."""
    codes = [r.codigo.rstrip(".") for r in rows if r.codigo]
    return [r for r in rows if not (r.codigo and any(_ancestor(r.codigo.rstrip("."), c) for c in codes))]


def _tol(parts: Sequence[Line], col: int, total: Line | None = None) -> float:
    """How far the sum of ``parts`` may be from ``total`` in ``col`` through printed
    rounding alone: the sum of the figures' :attr:`Line.half`."""
    lines = list(parts) + ([total] if total else [])
    return sum(x.half.get(col, 0.0) for x in lines if col in x.values) + 1e-6


def _without(rows: list[Line], drop: list[Line]) -> list[Line]:
    ids = {id(x) for x in drop}
    return [x for x in rows if id(x) not in ids]


def _walk(lines: Sequence[Line], cols: set[int]) -> list[tuple[Line, list[Reading]]]:
    """The readings of every total line of ``lines`` (printed order), see the module
    docstring.  Totals that close nothing get no readings."""
    out = []
    since_sub: list[Line] = []       # data lines since the previous (sub)total
    since_section: list[Line] = []   # data lines since the last section line
    subs: list[Line] = []            # subtotals since the previous grand total
    data: list[Line] = []            # data lines since the previous grand total
    uncovered: list[Line] = []       # data lines since the last subtotal
    grands: list[Line] = []          # grand totals that closed rows, since the last closing one
    for ln in lines:
        if ln.kind == "dato":
            for bucket in (since_sub, since_section, data, uncovered):
                bucket.append(ln)
        elif ln.kind == "seccion":
            since_section = []
        elif ln.kind == "subtotal":
            readings = []
            if since_sub:
                readings.append(Reading(list(since_sub), f"sus {len(since_sub)} filas"))
                above, n_above = _implicit_above(since_sub, cols)
                if n_above:
                    readings.append(Reading(above, f"sus {len(above)} filas"))
                leaves = _leaves(since_sub)
                if len(leaves) < len(since_sub):
                    readings.append(Reading(leaves, f"sus {len(leaves)} filas de último nivel"))
            if since_section and len(since_section) < len(since_sub):
                readings.append(Reading(list(since_section), f"sus {len(since_section)} filas"))
            if readings:
                out.append((ln, readings))
                subs.append(ln)
                uncovered = []
            since_sub, since_section = [], []
        elif ln.kind == "total":
            readings = []
            if data or subs:
                rest, n_implicit = _implicit(uncovered, cols)
                nested = subs + rest
                n_sub = len(subs) + n_implicit
                desc = (f"sus {n_sub} subtotales y {len(nested) - n_sub} filas fuera de ellos"
                        if n_sub else f"sus {len(nested)} filas")
                readings.append(Reading(nested, desc))
                if n_sub and data:
                    readings.append(Reading(list(data), f"sus {len(data)} filas"))
                above, n_above = _implicit_above(uncovered, cols)
                if n_above:
                    readings.append(Reading(subs + above, f"sus {len(subs) + len(above)} filas"))
                leaves = _leaves(data)
                if len(leaves) < len(data):
                    readings.append(Reading(leaves, f"sus {len(leaves)} filas de último nivel"))
                grands.append(ln)
            elif len(grands) >= 2:
                readings.append(Reading(list(grands), f"los {len(grands)} totales de arriba"))
                grands = [ln]
            if readings:
                out.append((ln, readings))
            since_sub, since_section, subs, data, uncovered = [], [], [], [], []
    return out


def _fmt(x: float, decimals: int) -> str:
    """A figure the Bolivian way with the printed decimals: 2015086 -> '2.015.086'."""
    return format_bolivian(x, decimals)


def check_sheet_totals(sheet: Sheet, skip: set[int] = frozenset()) -> list[Finding]:
    """``total_tabla`` findings of one table (module docstring); rows whose ``fila`` is
    in ``skip`` are owned by another rule and not reported."""
    cols = sheet.additive
    results = _walk(sheet.lines, cols)
    done = {id(t) for t, _ in results}
    # totals printed above their rows: the table read from the bottom up
    first_data = next((k for k, ln in enumerate(sheet.lines) if ln.kind == "dato"), None)
    if first_data is not None:
        top = [ln for ln in sheet.lines[:first_data] if ln.kind in ("total", "subtotal")]
        if top:
            for t, rs in _walk(list(reversed(sheet.lines)), cols):
                if any(t is x for x in top) and id(t) not in done:
                    results.append((t, rs))
    out = []
    for total, readings in results:
        if total.fila in skip:
            continue
        out += _compare(sheet, total, readings)
    return out


def _sum(parts: Sequence[Line], c: int) -> float:
    return sum(x.values[c] for x in parts if c in x.values)


def _matches(total: Line, printed: float, readings: list[Reading], c: int) -> bool:
    """Whether ``printed`` is the sum of column ``c`` in some reading."""
    for r in readings:
        parts = [x for x in r.parts if c in x.values]
        if parts and abs(_sum(parts, c) - printed) <= _tol(parts, c, total):
            return True
    return False


def _compare(sheet: Sheet, total: Line, readings: list[Reading]) -> list[Finding]:
    """The findings of one total line against its readings (module docstring)."""
    order = sorted(sheet.additive)
    cols = [c for c in order if c in total.values
            and any(c in x.values for r in readings for x in r.parts)]
    wrong = [c for c in cols if not _matches(total, total.values[c], readings, c)]
    if not wrong:
        return []
    figures = [c for c in order if c in total.values]
    if len(figures) == 1:
        # one figure for several columns: a total across the columns ("TOTAL 15.000.721,05"
        # under the two sources it adds up)
        c = figures[0]
        for r in readings:
            across = sum(_sum(r.parts, j) for j in order)
            tol = sum(_tol(r.parts, j) for j in order) + total.half.get(c, 0.0)
            if abs(across - total.values[c]) <= tol:
                return []
    label = f"La fila '{total.label}' de la tabla {sheet.tabla_id} (página {total.pagina})"
    where = Location(total.pagina, sheet.tabla_id, total.fila)
    name = lambda j: sheet.names.get(j) or f"columna {j + 1}"
    reading = readings[0]
    if len(wrong) >= 2:
        # the whole row printed k columns off: one finding, not one per column
        for k in (1, 2, 3, -1, -2, -3):
            pairs = [(c, order[order.index(c) - k]) for c in figures
                     if 0 <= order.index(c) - k < len(order)]
            if len(pairs) == len(figures) and all(
                    _matches(total, total.values[c], readings, src) for c, src in pairs):
                c, src = pairs[0]
                return [Finding(
                    "tablas", "total_tabla", f"{sheet.tabla_id} fila {total.fila}",
                    round(_sum(reading.parts, c), 6), total.values[c], "error",
                    f"{label} está desplazada {abs(k)} columna{'s' if abs(k) > 1 else ''} a la "
                    f"{'derecha' if k > 0 else 'izquierda'}: bajo '{name(c)}' imprime "
                    f"{_fmt(total.values[c], total.decimals.get(c, 0))}, el total de '{name(src)}'; "
                    f"ninguna de sus {len(figures)} cifras es el total de su columna. "
                    "Revise la tabla en el PDF.", where)]
    out = []
    for c in wrong:
        printed = total.values[c]
        first = next(r for r in readings if any(c in x.values for x in r.parts))
        parts, desc = [x for x in first.parts if c in x.values], first.desc
        expected = round(_sum(parts, c), 6)
        d = max([total.decimals.get(c, 0)] + [x.decimals.get(c, 0) for x in parts])
        out.append(Finding(
            "tablas", "total_tabla", f"{sheet.tabla_id} fila {total.fila}", expected, printed,
            "error",
            f"{label} imprime {_fmt(printed, d)} en la columna '{name(c)}', pero {desc} "
            f"suman {_fmt(expected, d)}; revise la tabla en el PDF.", where))
    return out


# --------------------------------------------------------------------------- percentages

def _ratio_ok(p: Line, pc: int, a: int, b: int) -> bool | None:
    if pc not in p.values or a not in p.values or b not in p.values or p.values[b] == 0:
        return None
    expected = 100.0 * p.values[a] / p.values[b]
    return abs(expected - p.values[pc]) <= 10 ** -p.decimals.get(pc, 0) + 1e-6


def check_sheet_percentages(sheet: Sheet, skip: set[int] = frozenset()) -> list[Finding]:
    """``porcentaje_tabla`` findings of one table (module docstring)."""
    out = []
    others = sorted(sheet.additive)
    for pc in sorted(sheet.percent):
        best = None
        for a in others:
            for b in others:
                if a == b:
                    continue
                marks = [(ln, _ratio_ok(ln, pc, a, b)) for ln in sheet.lines]
                marks = [(ln, m) for ln, m in marks if m is not None]
                good = sum(m for _, m in marks)
                if len(marks) >= RATIO_MIN_ROWS and good >= math.ceil(RATIO_SHARE * len(marks)):
                    if best is None or good > best[0]:
                        best = (good, a, b, marks)
        if best is None:
            continue
        _, a, b, marks = best
        for ln, ok in marks:
            if ok or ln.fila in skip:
                continue
            expected = round(100.0 * ln.values[a] / ln.values[b], 2)
            name = lambda j: sheet.names.get(j) or f"columna {j + 1}"
            out.append(Finding(
                "tablas", "porcentaje_tabla", f"{sheet.tabla_id} fila {ln.fila}", expected,
                ln.values[pc], "advertencia",
                f"En la fila '{ln.label or ln.fila}' de la tabla {sheet.tabla_id} (página "
                f"{ln.pagina}) la columna '{name(pc)}' imprime {ln.values[pc]:g}%, pero "
                f"'{name(a)}' entre '{name(b)}' da {expected:g}%, como en las demás filas; "
                "revise la tabla en el PDF.",
                Location(ln.pagina, sheet.tabla_id, ln.fila)))
    return out


# --------------------------------------------------------------------------- entry point

def owned_rows(rows: dict[str, list[dict]]) -> dict[str, set[int]]:
    """tabla_id -> the ``fila`` of the rows of :data:`OWNER_DATASETS` built from it."""
    out: dict[str, set[int]] = {}
    for ds in OWNER_DATASETS:
        for r in rows.get(ds) or []:
            if r.get("tabla_id") is not None and r.get("fila") is not None:
                out.setdefault(r["tabla_id"], set()).add(int(r["fila"]))
    return out


def check_tables(ctx: DocContext, tables: Sequence[Table],
                 owned: dict[str, set[int]] | None = None) -> list[Finding]:
    """``total_tabla`` and ``porcentaje_tabla`` over every table of one document.

    Input: the document context (for ``tabla_id``), its tables in page order with
    continued tables joined (a table over several pages is checked as one), and the
    rows owned by other rules (:func:`owned_rows`).  Output: findings, each pointing at
    the total or percentage row (``pagina``, ``tabla_id``, ``fila``).  Raises nothing
    for any table content."""
    owned = owned or {}
    out = []
    for t in tables:
        if t.n_rows - t.n_header < 2:
            continue
        tid = tabla_id(ctx, t)
        sheet = read_sheet(tid, t)
        skip = owned.get(tid, set())
        out += check_sheet_totals(sheet, skip) + check_sheet_percentages(sheet, skip)
    return out
