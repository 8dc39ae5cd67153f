"""Header recognition by tokens (normalize.headers): wording variants, most of them
printed by no document of the corpus, map to their columns; unrelated headers do not."""
from __future__ import annotations

import pytest

from normalize.headers import column_headers, header_tokens, map_columns, match_header


@pytest.mark.parametrize("text,kind,field", [
    # POA task tables
    ("DESCRIPCIÓN DE LA TAREA", "poa", "tarea"),
    ("Tareas a realizar", "poa", "tarea"),
    ("Descripción de las tareas", "poa", "tarea"),
    ("TAREAS ESPECÍFICAS", "poa", "tarea"),
    ("CÓD.", "poa", "_codigo"),
    ("Nro.", "poa", "_codigo"),
    ("Código de la operación", "poa", "operacion_codigo"),
    ("OPERACIONES", "poa", "operacion"),
    ("Actividades programadas", "poa", "actividad"),
    ("PONDERACIÓN (%)", "poa", "ponderacion_pct"),
    ("Peso relativo %", "poa", "ponderacion_pct"),
    ("Fecha de inicio prevista", "poa", "fecha_inicio"),
    ("Unidad responsable de la ejecución", "poa", "responsable"),
    ("RESULTADOS ESPERADOS", "poa", "resultado"),
    # budget execution tables
    ("% Ejecución del gasto", "presupuesto", "ejecucion_pct"),
    ("Devengado acumulado", "presupuesto", "ejecutado"),
    ("Presupuesto vigente (Bs.)", "presupuesto", "presupuesto_vigente"),
    ("PPTO. INICIAL", "presupuesto", "presupuesto_inicial"),
    ("Presupuesto Inical", "presupuesto", "presupuesto_inicial"),          # typo
    ("Modificaciones presupuestarias aprobadas", "presupuesto", "modificaciones"),
    ("Saldo por devengar", "presupuesto", "saldo_por_ejecutar"),
    ("FUENTE DE FINANCIAMIENTO", "presupuesto", "fuente"),
    ("Ejecutado al 31/12/2020", "presupuesto", "ejecutado"),
    ("Categorías programáticas", "presupuesto", "categoria_programatica"),
    # key/value labels of a form header
    ("ÁREA ORGANIZACIONAL:", "poa_acciones", "unidad_organizacional"),
    ("ACCIÓN DE CORTO PLAZO POA 2019", "poa_acciones", "accion_corto_plazo"),
    ("Indicadores de proceso", "poa_acciones", "indicador"),
])
def test_wording_variants(text, kind, field):
    assert match_header(text, kind) == field


@pytest.mark.parametrize("text,kind", [
    ("Observaciones", "presupuesto"),
    ("Nombre del responsable del archivo", "poa"),
    ("Página", "poa"),
    ("", "poa"),
])
def test_unrelated_headers_match_nothing(text, kind):
    assert match_header(text, kind) is None


def test_tokens_drop_stop_words_digits_and_plurals():
    assert header_tokens("DESCRIPCIÓN DE LAS TAREAS 2021") == ("descripcion", "tarea")
    assert header_tokens("Operaciones") == ("operacion",)
    assert header_tokens("% Ejec.") == ("%", "ejec")


def test_most_specific_synonym_wins():
    # "Presupuesto vigente" holds both "Vigente" and "Presupuesto vigente"
    assert match_header("Presupuesto vigente", "presupuesto") == "presupuesto_vigente"
    assert match_header("Presupuesto ejecutado", "poa_ejecucion") == "presupuesto_ejecutado"


def test_parent_header_is_kept_for_each_column():
    heads = column_headers([["N°", "FECHA PREVISTA", "", "Cód."], ["", "Inicio", "Fin", ""]])
    assert heads == ["N°", "FECHA PREVISTA Inicio", "FECHA PREVISTA Fin", "Cód."]
    m = map_columns(heads + ["TAREA ESPECÍFICA"], "poa")
    assert m[1] == "fecha_inicio" and m[2] == "fecha_fin" and m[3] == "tarea_codigo"
