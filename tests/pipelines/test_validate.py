"""pipelines.validate: each rule fires on inconsistent rows and stays quiet on
consistent ones; findings never change the rows."""
from __future__ import annotations

import copy

import pytest

from pipelines.validate import validate

PROV = {"documento_id": "0123456789abcdef", "archivo": "x.pdf", "entidad": "SEGIP", "gestion": 2020}


def op(unit, w, pagina=3):
    return {**PROV, "pagina": pagina, "unidad_organizacional": unit, "ponderacion_pct": w}


def bud(codigo, desc, ini, mod, vig, eje, pct, *, fuente=None, total=False, pagina=44,
        clas="categoria_programatica", saldo=None):
    return {**PROV, "pagina": pagina, "fecha_corte": None, "tipo": "gasto", "clasificador": clas,
            "fuente_codigo": fuente, "codigo": codigo, "descripcion": desc,
            "presupuesto_inicial": ini, "modificaciones": mod, "presupuesto_vigente": vig,
            "ejecutado": eje, "percibido": None, "saldo_por_pagar": None,
            "saldo_por_ejecutar": saldo, "ejecucion_pct": pct, "es_total": total}


def exe(unit, op_code, task, prog, ejec, vig, pej, fin, total=False, pagina=13):
    return {**PROV, "pagina": pagina, "unidad_organizacional": unit, "operacion_codigo": op_code,
            "operacion": None, "tarea_codigo": task, "tarea": None, "programado_pct": prog,
            "ejecutado_pct": ejec, "presupuesto_vigente": vig, "presupuesto_ejecutado": pej,
            "ejecucion_financiera_pct": fin, "es_total": total}


def rules(findings):
    return sorted((f.regla, f.ubicacion) for f in findings)


# --------------------------------------------------------------------------- ponderación

def test_ponderacion_suma_100():
    rows = [op("DNP", 60.0), op("DNP", 40.0), op("DNP", None),          # 100: fine
            op("DDTJ", 50.0), op("DDTJ", 46.0, pagina=4),              # 96: finding
            op("DNAF", 99.6), op("DNAF", None),                        # within 0.5
            op("DIGEMIG", None), op("DIGEMIG", None)]                  # no weights: skip
    (f,) = validate({"poa_operaciones": rows})
    assert (f.dataset, f.regla, f.esperado, f.observado, f.severidad) == (
        "poa_operaciones", "ponderacion_suma_100", 100.0, 96.0, "advertencia")
    assert "DDTJ" in f.ubicacion and "p3-p4" in f.ubicacion
    assert "96%" in f.mensaje


# --------------------------------------------------------------------------- totals

def consistent_budget():
    return [
        bud("00 0 008", "TIC", 14508436.0, -798723.55, 13709712.45, 10375934.29, 75.68, fuente="20",
            pagina=15),
        bud(None, "Total FTE 20 Recursos Especificos", 14508436.0, -798723.55, 13709712.45,
            10375934.29, 75.68, fuente="20", total=True, pagina=15),
        bud("00 0 008", "TIC", 1771518.0, -13200.0, 1758318.0, 641944.01, 36.51, fuente="41",
            pagina=15),
        bud(None, "Total FTE 41 Transferencias T.G.N.", 1771518.0, -13200.0, 1758318.0, 641944.01,
            36.51, fuente="41", total=True, pagina=15),
        bud(None, "Total Cat. 00 GESTION DE TECNOLOGIAS", 16279954.0, -811923.55, 15468030.45,
            11017878.30, 71.23, total=True, pagina=15),
    ]


def test_consistent_budget_has_no_finding():
    rows = consistent_budget()
    before = copy.deepcopy(rows)
    assert validate({"presupuesto_ejecucion": rows}) == []
    assert rows == before


def test_total_igual_suma_fires_per_column():
    rows = consistent_budget()
    rows[4]["ejecutado"] = 11017880.30                       # 2 Bs off
    rows[4]["presupuesto_inicial"] += 0.5                     # within the 1 Bs tolerance
    rows[4]["presupuesto_vigente"] += 0.5                     # (vigente = inicial + mod kept)
    found = validate({"presupuesto_ejecucion": rows})
    tot = [f for f in found if f.regla == "total_igual_suma"]
    assert len(tot) == 1
    f = tot[0]
    assert f.ubicacion == "p15 categoria_programatica: Total Cat. 00 GESTION DE TECNOLOGIAS"
    assert (f.esperado, f.observado, f.severidad) == (11017878.30, 11017880.30, "error")
    assert "ejecutado" in f.mensaje and "2 filas" in f.mensaje


def test_signed_total_of_modifications_is_reported():
    rows = [bud("00 0 001", "A", 100.0, -10.0, 90.0, 45.0, 50.0),
            bud("00 0 002", "B", 100.0, -5.0, 95.0, 95.0, 100.0),
            bud(None, "TOTALES", 200.0, 15.0, 185.0, 140.0, 75.68, total=True)]
    found = rules(validate({"presupuesto_ejecucion": rows}))
    assert found == [("total_igual_suma", "p44 categoria_programatica: TOTALES"),
                     ("vigente_igual_inicial_mas_modificaciones",
                      "p44 categoria_programatica: TOTALES")]


def test_fuente_total_sums_only_its_fuente_and_grand_total_spans_groups():
    rows = [bud("1", "SERV", 10.0, 0.0, 10.0, 5.0, 50.0, fuente="20", clas="grupo_gasto"),
            bud("2", "NO PERS", 20.0, 0.0, 20.0, 5.0, 25.0, fuente="20", clas="grupo_gasto"),
            bud(None, "Total FTE 20", 30.0, 0.0, 30.0, 10.0, 33.33, fuente="20", total=True,
                clas="grupo_gasto"),
            bud("1", "SERV", 5.0, 0.0, 5.0, 5.0, 100.0, fuente="41", clas="grupo_gasto"),
            bud(None, "Total FTE 41", 5.0, 0.0, 5.0, 5.0, 100.0, fuente="41", total=True,
                clas="grupo_gasto"),
            bud(None, "TOTALES", 35.0, 0.0, 35.0, 15.0, 42.86, total=True, clas="grupo_gasto")]
    assert validate({"presupuesto_ejecucion": rows}) == []
    rows[5]["presupuesto_inicial"] = 30.0
    rows[5]["presupuesto_vigente"] = 30.0
    rows[5]["ejecucion_pct"] = 50.0
    assert rules(validate({"presupuesto_ejecucion": rows})) == [
        ("total_igual_suma", "p44 grupo_gasto: TOTALES")] * 2


def test_parent_codes_are_not_added_twice():
    rows = [bud("15.9", "Otros", 30.0, 0.0, 30.0, 3.0, 10.0, clas="rubro"),
            bud("15.9.1", "Multas", 10.0, 0.0, 10.0, 1.0, 10.0, clas="rubro"),
            bud("15.9.9", "Otros no esp.", 20.0, 0.0, 20.0, 2.0, 10.0, clas="rubro"),
            bud(None, "TOTAL", 30.0, 0.0, 30.0, 3.0, 10.0, total=True, clas="rubro")]
    assert validate({"presupuesto_ejecucion": rows}) == []


def test_tables_on_other_pages_or_classifiers_are_separate():
    a = [bud("00 0 001", "A", 10.0, 0.0, 10.0, 5.0, 50.0, pagina=20),
         bud(None, "TOTAL", 10.0, 0.0, 10.0, 5.0, 50.0, total=True, pagina=20)]
    b = [bud("20", "Recursos", 7.0, 0.0, 7.0, 7.0, 100.0, clas="fuente", pagina=20),
         bud(None, "TOTAL", 7.0, 0.0, 7.0, 7.0, 100.0, total=True, clas="fuente", pagina=20),
         bud("00 0 002", "B", 3.0, 0.0, 3.0, 3.0, 100.0, pagina=30),
         bud(None, "TOTAL", 3.0, 0.0, 3.0, 3.0, 100.0, total=True, pagina=30)]
    assert validate({"presupuesto_ejecucion": a + b}) == []


# --------------------------------------------------------------------------- per-row rules

@pytest.mark.parametrize("vig, fires", [(13709712.45, False), (13709713.40, False),
                                        (13709714.00, True), (14508436.0, True)])
def test_vigente_igual_inicial_mas_modificaciones(vig, fires):
    r = bud("00 0 008", "TIC", 14508436.0, -798723.55, vig, None, None)
    found = validate({"presupuesto_ejecucion": [r]})
    assert rules(found) == ([("vigente_igual_inicial_mas_modificaciones",
                              "p44 categoria_programatica: 00 0 008 TIC")] if fires else [])
    if fires:
        assert found[0].esperado == pytest.approx(13709712.45) and found[0].observado == vig


def test_vigente_rule_needs_all_three_figures():
    r = bud("32200", "Artes Gráficas", 4450.0, None, 9450.0, 0.0, 0.0, clas="partida")
    assert validate({"presupuesto_ejecucion": [r]}) == []


@pytest.mark.parametrize("pct, fires", [(75.68, False), (76.2, False), (76.4, True), (56.0, True)])
def test_porcentaje_consistente_budget(pct, fires):
    r = bud("00 0 008", "TIC", None, None, 13709712.45, 10375934.29, pct)
    found = validate({"presupuesto_ejecucion": [r]})
    assert [f.regla for f in found] == (["porcentaje_consistente"] if fires else [])
    if fires:
        assert found[0].esperado == 75.68 and found[0].severidad == "advertencia"


def test_porcentaje_skips_zero_vigente():
    r = bud("15.9.9", "Otros", 0.0, 0.0, 0.0, 1048.68, 1.0, clas="rubro")
    assert validate({"presupuesto_ejecucion": [r]}) == []


# --------------------------------------------------------------------------- poa_ejecucion

def tasks():
    return [exe("DNP", "DNP-1", "10.1.1", 9.0, 0.0, 24000.0, 0.0, 0.0),
            exe("DNP", "DNP-2", "10.1.2", 5.0, 5.0, 15800.0, 11550.0, 73.0),
            exe("DNP", "DNP-2", "10.1.5", 86.0, 70.17, 200.0, 2.5, 1.0),
            exe("DNP", None, None, 100.0, 75.17, 40000.0, 11552.5, 29.0, total=True)]


def test_consistent_execution_table_has_no_finding():
    assert validate({"poa_ejecucion": tasks()}) == []


def test_execution_total_and_percentages():
    rows = tasks()
    rows[3]["presupuesto_vigente"] = 41000.0           # amounts: 1000 Bs off
    rows[3]["ejecutado_pct"] = 75.5                    # task weights: 0.33 points off
    rows[1]["ejecucion_financiera_pct"] = 37.0         # 11550 / 15800 = 73.1%
    found = validate({"poa_ejecucion": rows})
    assert sorted((f.regla, f.ubicacion, f.esperado, f.observado) for f in found) == [
        ("porcentaje_consistente", "p13 DNP 10.1.2", 73.1, 37.0),
        ("porcentaje_consistente", "p13 TOTAL DNP", 28.18, 29.0),
        ("total_igual_suma", "p13 TOTAL DNP", 75.17, 75.5),
        ("total_igual_suma", "p13 TOTAL DNP", 40000.0, 41000.0)]


def test_unit_table_percentages_are_not_summed():
    rows = [exe("DNP", None, None, 100.0, 75.17, None, None, 48.04, pagina=47),
            exe("DNC", None, None, 100.0, 60.83, None, None, 44.52, pagina=47),
            exe(None, None, None, 100.0, 57.97, None, None, 76.3, total=True, pagina=47)]
    assert validate({"poa_ejecucion": rows}) == []


def test_empty_and_missing_datasets():
    assert validate({}) == []
    assert validate({"presupuesto_ejecucion": [], "poa_ejecucion": [], "poa_operaciones": []}) == []
