"""Every row of a dataset built from tables traces to the ``tablas`` row it was read from
(DATASETS.md "Trace columns"), on real pipeline output of the whole digital corpus: the
join on (``documento_id``, ``tabla_id``, ``fila``) finds the row, and the dataset row's
key text is printed in it.  Also the gestión of every digital corpus document against its
truth (DATASETS.md ``gestion``: explicit cues only)."""
from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest

from pipelines.report import read_dataset
from pipelines.schemas import SCHEMAS
from tests.analyst.conftest import CORPUS

TABLE_DATASETS = ["poa_operaciones", "poa_acciones", "presupuesto_ejecucion", "poa_ejecucion",
                  "presupuesto_formulario"]

KEY_TEXT: dict[str, tuple[str, ...]] = {
    "poa_operaciones": ("tarea",),
    "poa_acciones": ("codigo_pei",),
    "presupuesto_ejecucion": ("descripcion",),
    "poa_ejecucion": ("tarea", "operacion", "unidad_organizacional"),
    "presupuesto_formulario": ("descripcion",),
}
"""The text a row is about, first non-null wins (a POA execution row is a task, else an
operation, else a unit's total line)."""

KEY_AMOUNTS: dict[str, tuple[str, ...]] = {
    "presupuesto_ejecucion": ("presupuesto_vigente", "ejecutado", "presupuesto_inicial"),
    "poa_ejecucion": ("programado_pct", "ejecutado_pct", "presupuesto_vigente", "ejecucion_financiera_pct"),
    "presupuesto_formulario": ("monto",),
}
"""Figures that stand in for the key text when it is printed in a cell spanning the rows
above (a budget line per funding source under its category's description) or when
there is none (a TOTAL line): one of them is the ``valor`` of a cell of the row."""

FROM_TEXT: dict[str, str] = {
    "poa_acciones": "a POA form may print its action block as 'LABEL: value' lines of running "
                    "text (CÓDIGO PEI: 11.3.316.2) instead of a table; such a row has no "
                    "tabla_id and its key is printed after a label on its page",
}
"""Datasets where a row may legitimately come from running text, and why.  Any other
dataset row without ``tabla_id`` fails the test."""


def _norm(s) -> str:
    return " ".join(str(s or "").split()).casefold()


@pytest.fixture(scope="module")
def data(digital) -> dict:
    tablas = read_dataset(digital.parquet, "tablas",
                          ["documento_id", "tabla_id", "fila", "pagina", "texto", "valor"]).to_pylist()
    rows: dict[tuple, list[dict]] = defaultdict(list)
    for t in tablas:
        rows[(t["documento_id"], t["tabla_id"], t["fila"])].append(t)
    paginas = {(p["documento_id"], p["pagina"]): p["texto"] or "" for p in
               read_dataset(digital.parquet, "paginas", ["documento_id", "pagina", "texto"]).to_pylist()}
    datasets = {ds: read_dataset(digital.parquet, ds).to_pylist() for ds in TABLE_DATASETS + ["validaciones"]}
    return {"tablas": rows, "paginas": paginas, "datasets": datasets}


def _printed_in_row(dataset: str, row: dict, cells: list[dict]) -> bool:
    text = " ".join(_norm(c["texto"]) for c in cells)
    key = next((row[k] for k in KEY_TEXT[dataset] if row.get(k)), None)
    if key is not None and _norm(key) in text:
        return True
    values = [c["valor"] for c in cells if c["valor"] is not None]
    amounts = [row[k] for k in KEY_AMOUNTS.get(dataset, ()) if row.get(k) is not None]
    return any(abs(a - v) < 0.005 for a in amounts for v in values)


@pytest.mark.parametrize("dataset", TABLE_DATASETS)
def test_rows_trace_to_the_tablas_row_that_prints_them(data, dataset):
    rows = data["datasets"][dataset]
    traced = [r for r in rows if r["tabla_id"] is not None]
    missing, not_printed, other_page = [], [], []
    for r in traced:
        cells = data["tablas"].get((r["documento_id"], r["tabla_id"], r["fila"]))
        if not cells:
            missing.append(r)
            continue
        if not _printed_in_row(dataset, r, cells):
            not_printed.append((r["archivo"], r["tabla_id"], r["fila"], [c["texto"] for c in cells]))
        if r["pagina"] != cells[0]["pagina"]:
            other_page.append((r["archivo"], r["pagina"], r["tabla_id"], r["fila"], cells[0]["pagina"]))
    assert not missing, f"{dataset}: {len(missing)} rows name a tablas row that does not exist"
    assert not not_printed, f"{dataset}: key not printed in its row: {not_printed[:3]}"
    assert not other_page, f"{dataset}: row page differs from its tablas row: {other_page[:3]}"


@pytest.mark.parametrize("dataset", TABLE_DATASETS)
def test_rows_without_a_table_are_running_text(data, dataset):
    untraced = [r for r in data["datasets"][dataset] if r["tabla_id"] is None]
    if dataset not in FROM_TEXT:
        assert untraced == [], f"{dataset}: rows without tabla_id: {untraced[:2]}"
        return
    for r in untraced:
        assert r["fila"] is None
        key = next(r[k] for k in KEY_TEXT[dataset] if r.get(k))
        page = data["paginas"][(r["documento_id"], r["pagina"])]
        assert re.search(r"\w[^\n:]*:\s*" + re.escape(key), page), \
            f"{r['archivo']} p{r['pagina']}: {key!r} is not a 'LABEL: value' of its page"


def test_share_of_rows_traced(data, capsys):
    """100% of the rows built from tables trace to a tablas row; the figure printed
    also counts the rows read from running text (the denominator is every row)."""
    total = traced = 0
    per = {}
    for ds in TABLE_DATASETS:
        rows = data["datasets"][ds]
        ok = sum(1 for r in rows if r["tabla_id"] is not None
                 and (r["documento_id"], r["tabla_id"], r["fila"]) in data["tablas"])
        per[ds] = (ok, len(rows))
        total, traced = total + len(rows), traced + ok
    assert total > 800
    text_rows = sum(1 for ds in FROM_TEXT for r in data["datasets"][ds] if r["tabla_id"] is None)
    assert traced == total - text_rows  # every row built from a table
    with capsys.disabled():
        print(f"\ntrace: {traced}/{total} dataset rows ({100 * traced / total:.2f}%) join a tablas row; "
              f"{text_rows} read from running text; per dataset {per}")


def test_findings_trace_to_their_row_and_page(data):
    found = [v for v in data["datasets"]["validaciones"] if v["fila"] is not None]
    assert len(found) > 30
    for v in found:
        cells = data["tablas"].get((v["documento_id"], v["tabla_id"], v["fila"]))
        assert cells, (v["regla"], v["ubicacion"])
        assert v["pagina"] == cells[0]["pagina"], (v["regla"], v["ubicacion"])
    assert all(v["pagina"] is not None for v in data["datasets"]["validaciones"])


def test_trace_columns_in_every_table_dataset():
    for ds in TABLE_DATASETS:
        assert SCHEMAS[ds].names[-2:] == ["tabla_id", "fila"]


def test_gestion_of_every_digital_document(digital):
    """The partition each document lands in is the gestión of its truth row."""
    got = {d["archivo"]: d["gestion"] for d in read_dataset(digital.parquet, "documentos",
                                                           ["archivo", "gestion"]).to_pylist()}
    truth = {}
    for name in got:
        with (CORPUS / "truth" / name.removesuffix(".pdf") / "documentos.csv").open(encoding="utf-8") as fh:
            truth[name] = int(next(csv.DictReader(fh))["gestion"])
    assert len(got) == 7 and got == truth
