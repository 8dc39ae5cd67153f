"""pipelines.totales: total and subtotal rows checked on every table.

Real corpus tables (segip_rendicion_2020_booktabs: the licencias table whose
'Total General' counts its 301.517 subtotal twice, the cédulas table whose 'Total
General' 2.017.106 is not its rows' 2.015.086, the 'TOTALES' of the categoría
programática table that lost its minus sign; consistent tables with nested subtotals
left alone) and tables built here (nested subtotals, a total at the top, Spanish and
US numbers, rounding, a row printed off by columns)."""
from __future__ import annotations

import pytest

from extract.models import Cell, Table
from pipelines.context import DocContext
from pipelines.totales import check_tables, total_kind
from tests.conftest import corpus_pdf

CTX = DocContext("abcd", "x.pdf", "SEGIP", 2020)


def table(rows, n_header=1, titulo=None, pagina=3):
    rows = tuple(tuple(r) for r in rows)
    cells = tuple(Cell(i, j, t) for i, r in enumerate(rows) for j, t in enumerate(r))
    return Table(pagina, 1, "stream", (0, 0, 100, 100), rows, (pagina,) * len(rows), n_header,
                 titulo, cells)


def found(t):
    return [(f.regla, f.donde.fila, f.esperado, f.observado) for f in check_tables(CTX, [t])]


# --------------------------------------------------------------------------- labels

@pytest.mark.parametrize("label, kind", [
    ("Total General", "total"), ("TOTALES", "total"), ("TOTAL GENERAL (BOLIVIANOS)", "total"),
    ("TOTAL 2020", "total"), ("Total gestión", "total"), ("Sub total Bolivia", "subtotal"),
    ("SUBTOTAL", "subtotal"), ("Total FTE 20 Recursos Específicos", "subtotal"),
    ("TOTAL FUENTE 20-230", "subtotal"), ("PRODUCCIÓN TOTAL", None), ("Totora", None),
    ("La Paz", None), ("", None)])
def test_total_labels(label, kind):
    assert total_kind(label) == kind


# --------------------------------------------------------------------------- synthetic

def test_nested_subtotals_consistent_and_inconsistent():
    rows = [("Depto", "2020"),
            ("La Paz", "100"), ("Oruro", "50"), ("Sub total Bolivia", "150"),
            ("España", "7"), ("Argentina", "3"), ("Sub total Exterior", "10"),
            ("Brigadas", "5"), ("Total General", "165")]
    assert found(table(rows)) == []
    # the total counts the first subtotal twice
    bad = rows[:-1] + [("Total General", "310")]
    assert found(table(bad)) == [("total_tabla", 8, 165.0, 310.0)]
    # a subtotal off by one: the subtotal is reported, the grand total (right by its rows) is not
    bad = rows[:3] + [("Sub total Bolivia", "151")] + rows[4:-1] + [("Total General", "165")]
    assert found(table(bad)) == [("total_tabla", 3, 150.0, 151.0)]


def test_unlabelled_subtotal_counts_once():
    # 'Exterior' is the sum of the two countries above it: the total adds it once
    rows = [("Depto", "2020"), ("La Paz", "100"), ("Sub total Bolivia", "100"),
            ("Chile", "4"), ("Perú", "6"), ("Exterior", "10"), ("Brigadas", "5"),
            ("Total General", "115")]
    assert found(table(rows)) == []
    rows[-1] = ("Total General", "117")
    (f,) = check_tables(CTX, [table(rows)])
    assert (f.esperado, f.observado) == (115.0, 117.0)
    assert "117" in f.mensaje and "115" in f.mensaje and "abcd-p3-t1" in f.mensaje


def test_total_at_the_top():
    rows = [("Unidad", "Bs"), ("TOTAL", "1.500,50"), ("DNP", "1.000,25"), ("DNAF", "500,25")]
    assert found(table(rows)) == []
    rows[1] = ("TOTAL", "1.600,50")
    assert found(table(rows)) == [("total_tabla", 1, 1500.5, 1600.5)]


def test_spanish_and_us_numbers():
    es = [("Partida", "Vigente"), ("A", "1.234.567,89"), ("B", "10,11"), ("TOTAL", "1.234.578,00")]
    us = [("Partida", "Vigente"), ("A", "1,234,567.89"), ("B", "10.11"), ("TOTAL", "1,234,578.00")]
    assert found(table(es)) == found(table(us)) == []
    es[-1] = ("TOTAL", "1.234.587,00")
    us[-1] = ("TOTAL", "1,234,587.00")
    assert found(table(es)) == found(table(us)) == [("total_tabla", 3, 1234578.0, 1234587.0)]


def test_rounding_tolerance_follows_printed_decimals():
    # figures rounded to one decimal: 3 x 0.33 -> printed 0.3 each, total 1.0 is fine
    rows = [("Fuente", "Millones"), ("20", "0,3"), ("41", "0,3"), ("42", "0,3"), ("Total", "1,0")]
    assert found(table(rows)) == []
    rows[-1] = ("Total", "1,2")
    assert [x[:2] for x in found(table(rows))] == [("total_tabla", 4)]
    # whole figures of a table of whole figures are exact: 329 is not 328
    counts = [("Depto", "Municipios"), ("Beni", "19"), ("Oruro", "310"), ("Total", "328")]
    assert found(table(counts)) == [("total_tabla", 3, 329.0, 328.0)]
    # ... unless the table says they are rounded ('en miles de Bs': 3 figures, +/- 1.5)
    assert found(table(counts, titulo="Ejecución (en miles de Bs)")) == []
    counts[-1] = ("Total", "327")
    assert len(found(table(counts, titulo="Ejecución (en miles de Bs)"))) == 1


def test_sections_and_group_totals():
    rows = [("Grupo", "Inicial", "% Ejec."),
            ("FTE 20: Recursos Específicos", "", ""), ("1 SERVICIOS", "100,00", "10,00"),
            ("2 MATERIALES", "50,00", "20,00"), ("Total FTE 20", "150,00", "13,33"),
            ("FTE 41: TGN", "", ""), ("1 SERVICIOS", "30,00", "5,00"), ("Total FTE 41", "30,00", "5,00"),
            ("TOTALES", "180,00", "11,94")]
    # the percentage column is never added up
    assert found(table(rows)) == []


def test_row_printed_two_columns_off_is_one_finding():
    rows = [("Oficina", "Ene", "Feb", "Mar", "Abr", "Total"),
            ("A", "1", "2", "3", "4", "10"), ("B", "10", "20", "30", "40", "100"),
            ("TOTALES", "", "", "11", "22", "33")]
    (f,) = check_tables(CTX, [table(rows)])
    assert f.regla == "total_tabla" and f.donde.fila == 3
    assert "desplazada 2 columnas" in f.mensaje and "'Mar'" in f.mensaje and "'Ene'" in f.mensaje


def test_total_across_columns_is_not_a_column_total():
    rows = [("Detalle", "Fuente 41", "Fuente 20"), ("Reducción 15%", "5,365,089.85", "9,635,631.20"),
            ("Otra", "1.00", "2.00"), ("TOTAL", "15,000,724.05", "")]
    assert found(table(rows)) == []


def test_percentage_against_the_ratio_of_two_columns():
    rows = [("Partida", "Vigente", "Ejecutado", "EJEC. %"),
            ("322", "10,750,000.00", "1,084,000.00", "10%"), ("345", "13,299,000.00", "900,000.00", "7%"),
            ("395", "8,365,217.00", "3,307,868.00", "40%"), ("262", "9,450.00", "-", "0%"),
            ("TOTAL GENERAL", "32,423,667.00", "5,291,868.00", "56%")]
    got = [f for f in check_tables(CTX, [table(rows)])]
    assert [(f.regla, f.donde.fila, f.esperado, f.observado, f.severidad) for f in got] == [
        ("porcentaje_tabla", 5, 16.32, 56.0, "advertencia")]
    rows[-1] = ("TOTAL GENERAL", "32,423,667.00", "5,291,868.00", "16%")
    assert found(table(rows)) == []


def test_owned_rows_are_left_to_their_rule():
    rows = [("Depto", "2020"), ("La Paz", "100"), ("Oruro", "50"), ("Total", "160")]
    t = table(rows)
    assert len(check_tables(CTX, [t])) == 1
    assert check_tables(CTX, [t], {"abcd-p3-t1": {3}}) == []


# --------------------------------------------------------------------------- corpus

@pytest.fixture(scope="module")
def booktabs(corpus):
    """segip_rendicion_2020_booktabs: its tables (continuations joined), context and
    the document's validaciones rows, as the pipeline builds them (the session's run of
    the document, tests/conftest.py: what its builders got, and what it wrote)."""
    import pandas as pd

    p = corpus.get("segip_rendicion_2020_booktabs")
    assert p.outcome.ok, p.outcome.errores
    inp = p.build_input
    assert inp is not None and inp.ctx.documento_id == p.documento_id
    validaciones = pd.read_parquet(p.parquet / "validaciones")
    validaciones = validaciones[validaciones["documento_id"] == p.documento_id]
    return inp.ctx, inp.tables, validaciones.to_dict("records")


def _table_titled(tables, words):
    (t,) = [t for t in tables if t.titulo and all(w in t.titulo for w in words)]
    return t


def test_corpus_licencias_and_cedulas_flagged(booktabs):
    ctx, tables, _ = booktabs
    got = {(f.regla, f.esperado, f.observado) for f in check_tables(ctx, tables)}
    assert ("total_tabla", 301635.0, 603152.0) in got      # 301.517 counted twice
    assert ("total_tabla", 2015086.0, 2017106.0) in got    # Total General vs its rows
    # the licencias table starts on p4 and its total is on p5: checked as one table
    (lic,) = [f for f in check_tables(ctx, tables) if f.observado == 603152.0]
    assert lic.donde.tabla_id == f"{ctx.documento_id}-p4-t3" and lic.donde.pagina == 5


def test_a_failing_check_is_an_errores_row(monkeypatch):
    import pipelines.document as document

    def boom(*a, **k):
        raise RuntimeError("prueba")

    monkeypatch.setattr(document, "check_tables", boom)
    res = document.process_document(corpus_pdf("segip_rendicion_2020_booktabs.pdf"))
    assert [(e["etapa"], e["clase"]) for e in res.errores] == [("validacion", "RuntimeError")]
    # the datasets and validate.py's findings are kept
    assert {v["regla"] for v in res.datasets["validaciones"]} >= {"total_igual_suma"}
    assert res.datasets["presupuesto_ejecucion"]


def test_corpus_lost_minus_sign_reported_once(booktabs):
    ctx, tables, validaciones = booktabs
    cat = _table_titled(tables, ["CATEGORÍA PROGRAMÁTICA"])
    mine = check_tables(ctx, [cat])
    # the generic check sees it too ...
    assert any(f.observado == 14876002.64 and f.esperado == -14876002.64 for f in mine)
    # ... but in the document it is reported once, by the budget rule that owns the row
    tid = f"{ctx.documento_id}-p{cat.pagina}-t{cat.orden}"
    on_row = [v for v in validaciones if v["tabla_id"] == tid and v["observado"] == 14876002.64]
    assert [v["regla"] for v in on_row] == ["total_igual_suma"]


def test_corpus_consistent_nested_subtotals_not_flagged(booktabs):
    ctx, tables, _ = booktabs
    # 'FTE 20: ...' sections, 'Total FTE 20 ...' group totals, 'TOTALES' over them
    fte = _table_titled(tables, ["por Fuente y Grupo de Gasto"])
    assert sum(1 for r in fte.rows if r and r[0].startswith("Total FTE")) >= 2
    assert check_tables(ctx, [fte]) == []
    # 'TOTAL FUENTE 20-230', 'TOTAL FUENTE 41-111', 'TOTALES'
    rec = _table_titled(tables, ["RECURSOS POR FUENTE"])
    assert check_tables(ctx, [rec]) == []


def test_numbered_rows_and_a_header_line_of_codes():
    # a 'N°' column first: the rows are labelled after their figure; still data
    rows = [("N°", "Dirección", "Cantidad"), ("1", "La Paz", "24"), ("2", "Oruro", "15"),
            ("TOTAL", "", "39")]
    assert found(table(rows)) == []
    rows[-1] = ("TOTAL", "", "41")
    assert found(table(rows)) == [("total_tabla", 3, 39.0, 41.0)]
    # the header's last line read as a body row ('41 | 20', the sources): not data
    src = [("Detalle", "Fuente", ""), ("", "41", "20"), ("Reducción", "5,365,089.85", "9,635,631.20"),
           ("TOTAL", "15,000,721.05", "")]
    assert found(table(src)) == []


# --------------------------------------------------------------------------- configuration

def _tablas_copy(tmp_path, old, new):
    from extract.tables import data

    text = data.DATA_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "tablas.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, says", [
    ('subtotales = ["sub total"', 'subtotales = ["Total General", "sub total"', "generales y en subtotales"),
    ("[totales]", "[totals]", "[totales]"),
    ('escalas = ["miles"', 'escalas = [""', "texto no vacío"),
])
def test_broken_totales_section_is_a_config_error(tmp_path, old, new, says):
    from extract.errors import ConfigError
    from pipelines.config import ConfigFiles, validate_tablas

    path = _tablas_copy(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        validate_tablas(ConfigFiles(path, (), path, path))
    assert "tablas.toml" in str(err.value) and says in str(err.value), str(err.value)
