"""The tablas dataset: cells in long form, numbers per column, low-confidence tables."""
from __future__ import annotations

from extract.models import Cell, Table
from extract.tables import LOW_CONFIDENCE
from pipelines.context import DocContext
from pipelines.tablas import tablas_rows

CTX = DocContext("abcd", "x.pdf", "SEGIP", 2020)


def _table(confianza, metodo="stream"):
    rows = (("Depto", "2020"), ("La Paz", "508.076"), ("Total", "1.821.915"))
    cells = tuple(Cell(i, j, t) for i, r in enumerate(rows) for j, t in enumerate(r))
    return Table(3, 1, metodo, (0, 0, 100, 30), rows, (3, 3, 3), 1, None, cells, confianza=confianza)


def test_low_confidence_table_is_an_advertencia():
    rows, findings = tablas_rows(CTX, _table(0.35))
    (f,) = [f for f in findings if f.regla == "tabla_baja_confianza"]
    assert f.severidad == "advertencia" and f.observado == 0.35 and f.esperado == LOW_CONFIDENCE
    assert "abcd-p3-t1" in f.mensaje and "stream" in f.mensaje
    assert len(rows) == 6                      # the cells are kept


def test_confident_table_has_no_finding_and_metodo_is_recorded():
    rows, findings = tablas_rows(CTX, _table(0.97, "hybrid"))
    assert not [f for f in findings if f.regla == "tabla_baja_confianza"]
    assert {r["metodo"] for r in rows} == {"hybrid"}
    assert [r["valor"] for r in rows if r["columna"] == 1] == [None, 508076.0, 1821915.0]
