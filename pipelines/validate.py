"""Validation rules that write ``validaciones`` (DATASETS.md, "validaciones").

Every rule reads the rows of one document and returns :class:`Finding` objects; a
finding never changes the data (the printed value stays in its dataset).

Rules and tolerances:

- ``ponderacion_suma_100`` (poa_operaciones): per ``unidad_organizacional``, the
  printed weights (``ponderacion_pct`` not null) add up to 100 +/- 0.5; checked only
  for units that print any weight.  Severity ``advertencia``.
- ``total_igual_suma`` (presupuesto_ejecucion, poa_ejecucion): a total/subtotal line
  equals the sum of the lines it closes, per amount column, +/- 1 Bs (and, for the
  additive percentages of a task/operation table, ``programado_pct``/``ejecutado_pct``,
  +/- 0.01 points).  Which lines a total closes: a source total (``fuente_codigo`` set,
  "Total FTE 20") the lines of that source since the previous group total; a group
  total ("Total Cat. 00 ...", "Subtotal ...") the lines since the previous group or
  grand total; a grand total ("TOTAL", "TOTALES", "TOTAL GENERAL (BOLIVIANOS)") the
  lines since the previous grand total.  Lines whose code is the parent of another
  line's code in the same scope (``15.9`` over ``15.9.1``, ``31000`` over ``31110``)
  are left out of the sum.  Severity ``error``.
- ``vigente_igual_inicial_mas_modificaciones`` (presupuesto_ejecucion): ``vigente =
  inicial + modificaciones`` +/- 1 Bs, where all three are printed.  Severity ``error``.
- ``porcentaje_consistente``: ``ejecucion_pct`` = 100 x ejecutado / vigente +/- 0.6
  points (``ejecucion_financiera_pct`` with ``presupuesto_ejecutado`` /
  ``presupuesto_vigente`` in poa_ejecucion), where vigente is printed and not 0.
  Severity ``advertencia`` (printed percentages are often rounded or truncated).

A budget table is a run of consecutive rows with the same clasificador, tipo and
fecha_corte on the same or the next page (a table continued over pages, or printed
in two parts).  Each finding carries the row it points at as a typed
:class:`~pipelines.context.Location` (``pagina``, ``tabla_id``, ``fila`` of the row's
trace columns); ``ubicacion`` names the page and the row's code or description for a
human reader.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from normalize.text import fold
from normalize.numbers import format_bolivian
from pipelines.context import Finding, Location, location_of

TOL_BS = 1.0
"""Tolerance of sums and of vigente = inicial + modificaciones, in Bs."""
TOL_PCT_SUM = 0.01
"""Tolerance of sums of additive percentages (task weights), in percent points."""
TOL_PCT = 0.6
"""Tolerance of a printed execution percentage against ejecutado/vigente, in points."""
TOL_WEIGHT = 0.5
"""Tolerance of the sum of a unit's weights against 100, in percent points."""

BUDGET_SUMS = ("presupuesto_inicial", "modificaciones", "presupuesto_vigente", "ejecutado",
               "percibido", "saldo_por_pagar", "saldo_por_ejecutar")
EXEC_SUMS = ("presupuesto_vigente", "presupuesto_ejecutado")
EXEC_PCT_SUMS = ("programado_pct", "ejecutado_pct")

COLUMN_NAMES = {
    "presupuesto_inicial": "presupuesto inicial", "modificaciones": "modificaciones",
    "presupuesto_vigente": "presupuesto vigente", "ejecutado": "ejecutado",
    "percibido": "percibido", "saldo_por_pagar": "saldo por pagar",
    "saldo_por_ejecutar": "saldo por ejecutar", "presupuesto_ejecutado": "presupuesto ejecutado",
    "programado_pct": "% programado", "ejecutado_pct": "% ejecutado",
}
_GRAND = re.compile(r"(?:total(?:es)?|suma)(?:\s+general)?(?:\s+(?:bs|bolivianos|gestion|\d{4}))*")


# --------------------------------------------------------------------------- formatting

def _bs(x: float) -> str:
    """1234567.8 -> '1.234.567,80' (Bolivian style)."""
    return format_bolivian(x)


def _label(r: dict) -> str:
    """The row as an analyst finds it in the PDF: its code/description, or its unit."""
    if r.get("es_total"):
        return r.get("descripcion") or (f"TOTAL {r['unidad_organizacional']}"
                                        if r.get("unidad_organizacional") else "TOTAL")
    if r.get("codigo"):
        return f"{r['codigo']} {r.get('descripcion') or ''}".strip()
    return (r.get("descripcion") or r.get("tarea_codigo") or r.get("operacion_codigo")
            or r.get("unidad_organizacional") or "(sin código)")


def _where(r: dict) -> str:
    """``ubicacion``: page, classifier (budget rows) and row label:
    ``'p45 rubro: TOTAL FUENTE 20-230'``, ``'p13 DNP 10.1.5'``."""
    if r.get("clasificador"):
        return f"p{r.get('pagina')} {r['clasificador']}: {_label(r)}"
    if r.get("tarea_codigo") or r.get("operacion_codigo"):
        parts = [r.get("unidad_organizacional"), r.get("tarea_codigo") or r.get("operacion_codigo")]
        return f"p{r.get('pagina')} " + " ".join(x for x in parts if x)
    return f"p{r.get('pagina')} {_label(r)}"


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol + 1e-9


# --------------------------------------------------------------------------- ponderación

def check_ponderacion(rows: Sequence[dict]) -> list[Finding]:
    """``ponderacion_suma_100`` over ``poa_operaciones`` rows (see module docstring).

    Input: the document's poa_operaciones rows.  Output: one finding per unit whose
    printed weights (percent units) do not add up to 100 +/- 0.5; none for units with
    no weight printed.  ``ubicacion`` names the unit and its pages."""
    units: dict[str | None, list[dict]] = {}
    for r in rows:
        units.setdefault(r.get("unidad_organizacional"), []).append(r)
    out = []
    for unit, rs in units.items():
        weights = [r["ponderacion_pct"] for r in rs if r.get("ponderacion_pct") is not None]
        if not weights:
            continue
        total = round(sum(weights), 6)
        if _close(total, 100.0, TOL_WEIGHT):
            continue
        pages = sorted({r.get("pagina") for r in rs if r.get("pagina") is not None})
        span = f"p{pages[0]}" + (f"-p{pages[-1]}" if len(pages) > 1 else "") if pages else ""
        out.append(Finding(
            "poa_operaciones", "ponderacion_suma_100", f"{span} {unit or '(sin unidad)'}".strip(),
            100.0, total, "advertencia",
            f"Las ponderaciones de las {len(weights)} tareas de la unidad "
            f"'{unit or 'sin unidad'}' suman {total:g}% en lugar de 100%.",
            Location(pages[0] if pages else None)))
    return out


# --------------------------------------------------------------------------- totals

def _segments(rows: Sequence[dict], key: Iterable[str]) -> list[list[dict]]:
    """Runs of consecutive rows with equal ``key`` columns, on the same or next page."""
    key = tuple(key)
    out: list[list[dict]] = []
    prev = None
    for r in rows:
        k = tuple(r.get(c) for c in key)
        p = r.get("pagina") or 0
        if prev is None or k != prev[0] or not (prev[1] <= p <= prev[1] + 1):
            out.append([])
        out[-1].append(r)
        prev = (k, p)
    return out


def _total_level(r: dict, clasificador: str | None) -> str:
    """'fuente', 'grupo' or 'general' for a total row of presupuesto_ejecucion."""
    if r.get("fuente_codigo") and clasificador != "fuente":
        return "fuente"
    label = re.sub(r"\([^)]*\)", " ", fold(r.get("descripcion") or ""))
    label = " ".join(re.sub(r"[^a-z0-9 ]", " ", label).split())
    if label.startswith("sub"):
        return "grupo"
    return "general" if (not label or _GRAND.fullmatch(label)) else "grupo"


def _ancestor(a: str | None, b: str | None) -> bool:
    """True when code ``a`` is a parent of code ``b`` ('15.9' of '15.9.1',
    '31000' of '31110')."""
    if not a or not b or a == b:
        return False
    if "." in b or "." in a:
        return b.startswith(a + ".")
    if a.isdigit() and b.isdigit() and len(a) == len(b):
        stem = a.rstrip("0")
        return bool(stem) and b.startswith(stem) and b != a
    return False


def _leaves(rows: Sequence[dict]) -> list[dict]:
    codes = [r.get("codigo") for r in rows]
    return [r for r in rows if not any(_ancestor(r.get("codigo"), c) for c in codes)]


def _compare_total(dataset: str, total: dict, scope: Sequence[dict], columns: Sequence[str],
                   tol: float) -> list[Finding]:
    out = []
    for c in columns:
        observed = total.get(c)
        vals = [r.get(c) for r in scope if r.get(c) is not None]
        if observed is None or not vals:
            continue
        expected = round(sum(vals), 6)
        if _close(observed, expected, tol):
            continue
        unit = "puntos" if c.endswith("_pct") else "Bs"
        fmt = (lambda x: f"{x:g}") if c.endswith("_pct") else _bs
        out.append(Finding(
            dataset, "total_igual_suma", _where(total), expected, observed, "error",
            f"La fila de total '{_label(total)}' (página {total.get('pagina')}) "
            f"imprime {fmt(observed)} {unit} en {COLUMN_NAMES.get(c, c)}, pero la suma de sus "
            f"{len(vals)} filas es {fmt(expected)} {unit}.", location_of(total)))
    return out


def check_budget_totals(rows: Sequence[dict]) -> list[Finding]:
    """``total_igual_suma`` over ``presupuesto_ejecucion`` rows (module docstring).

    Input: the document's rows in printed order.  Output: one finding per total row and
    amount column (Bs) whose printed value differs from the sum of the lines it closes
    by more than 1 Bs."""
    out: list[Finding] = []
    for seg in _segments(rows, ("clasificador", "tipo", "fecha_corte")):
        clas = seg[0].get("clasificador")
        since_group: list[dict] = []
        since_grand: list[dict] = []
        for r in seg:
            if not r.get("es_total"):
                since_group.append(r)
                since_grand.append(r)
                continue
            level = _total_level(r, clas)
            if level == "fuente":
                scope = [x for x in since_group if x.get("fuente_codigo") == r["fuente_codigo"]]
            elif level == "grupo":
                scope = since_group
            else:
                scope = since_grand
            out += _compare_total("presupuesto_ejecucion", r, _leaves(scope), BUDGET_SUMS, TOL_BS)
            if level == "grupo":
                since_group = []
            elif level == "general":
                since_group, since_grand = [], []
    return out


def check_execution_totals(rows: Sequence[dict]) -> list[Finding]:
    """``total_igual_suma`` over ``poa_ejecucion`` rows (module docstring).

    Input: the document's rows in printed order.  A total closes the lines since the
    previous total on the same or the previous page.  Amounts are compared +/- 1 Bs;
    ``programado_pct``/``ejecutado_pct`` +/- 0.01 points only when the lines are
    operations or tasks (their percentages are weights that add up; a per-unit table's
    are not)."""
    out: list[Finding] = []
    scope: list[dict] = []
    last_page = None
    for r in rows:
        p = r.get("pagina") or 0
        if last_page is not None and not (last_page <= p <= last_page + 1):
            scope = []
        last_page = p
        if not r.get("es_total"):
            scope.append(r)
            continue
        out += _compare_total("poa_ejecucion", r, scope, EXEC_SUMS, TOL_BS)
        if scope and all(x.get("tarea_codigo") or x.get("operacion_codigo") for x in scope):
            out += _compare_total("poa_ejecucion", r, scope, EXEC_PCT_SUMS, TOL_PCT_SUM)
        scope = []
    return out


# --------------------------------------------------------------------------- per row

def check_vigente(rows: Sequence[dict]) -> list[Finding]:
    """``vigente_igual_inicial_mas_modificaciones`` over ``presupuesto_ejecucion`` rows:
    one finding per row where inicial, modificaciones and vigente are printed and
    vigente differs from inicial + modificaciones by more than 1 Bs."""
    out = []
    for r in rows:
        ini, mod, vig = (r.get("presupuesto_inicial"), r.get("modificaciones"),
                         r.get("presupuesto_vigente"))
        if ini is None or mod is None or vig is None:
            continue
        expected = round(ini + mod, 6)
        if _close(vig, expected, TOL_BS):
            continue
        out.append(Finding(
            "presupuesto_ejecucion", "vigente_igual_inicial_mas_modificaciones", _where(r),
            expected, vig, "error",
            f"En '{_label(r)}' (página {r.get('pagina')}) el presupuesto "
            f"vigente impreso es {_bs(vig)} Bs, pero inicial más modificaciones da "
            f"{_bs(expected)} Bs.", location_of(r)))
    return out


def _check_pct(dataset: str, rows: Sequence[dict], num: str, den: str, pct: str) -> list[Finding]:
    out = []
    for r in rows:
        n, d, p = r.get(num), r.get(den), r.get(pct)
        if n is None or d is None or p is None or d == 0:
            continue
        expected = round(100.0 * n / d, 2)
        if _close(p, expected, TOL_PCT):
            continue
        out.append(Finding(
            dataset, "porcentaje_consistente", _where(r), expected, p, "advertencia",
            f"En '{_label(r)}' (página {r.get('pagina')}) el porcentaje de "
            f"ejecución impreso es {p:g}%, pero {COLUMN_NAMES.get(num, num)} entre "
            f"{COLUMN_NAMES.get(den, den)} da {expected:g}%.", location_of(r)))
    return out


def check_percentages(budget: Sequence[dict], execution: Sequence[dict]) -> list[Finding]:
    """``porcentaje_consistente``: ``ejecucion_pct`` against 100 x ejecutado / vigente
    (presupuesto_ejecucion) and ``ejecucion_financiera_pct`` against 100 x
    presupuesto_ejecutado / presupuesto_vigente (poa_ejecucion), +/- 0.6 points; rows
    with vigente 0 or a missing figure are not checked."""
    return (_check_pct("presupuesto_ejecucion", budget, "ejecutado", "presupuesto_vigente",
                       "ejecucion_pct")
            + _check_pct("poa_ejecucion", execution, "presupuesto_ejecutado",
                         "presupuesto_vigente", "ejecucion_financiera_pct"))


# --------------------------------------------------------------------------- entry point

def validate(datasets: dict[str, list[dict]]) -> list[Finding]:
    """All dataset-level rules over one document's rows.

    Input: dataset name -> rows (dicts with the contract's columns, in printed order)
    of one document; missing datasets count as empty.  Output: the findings of
    ``ponderacion_suma_100``, ``total_igual_suma``,
    ``vigente_igual_inicial_mas_modificaciones`` and ``porcentaje_consistente``
    (DATASETS.md "validaciones"; tolerances in the module docstring).  Never modifies
    the rows; raises nothing for missing or null values."""
    pe = datasets.get("presupuesto_ejecucion") or []
    pj = datasets.get("poa_ejecucion") or []
    return (check_ponderacion(datasets.get("poa_operaciones") or [])
            + check_budget_totals(pe)
            + check_execution_totals(pj)
            + check_vigente(pe)
            + check_percentages(pe, pj))
