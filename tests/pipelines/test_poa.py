"""POA task tables: merged-cell forward fill, weights never filled, the code-hierarchy
rule (DATASETS.md, poa_operaciones) and its ``codigo_jerarquia`` finding."""
from __future__ import annotations

from extract.models import Cell, Table
from pipelines.context import DocContext
from pipelines.poa import FormHeader, PoaBuilder, poa_mapping, read_form_header

CTX = DocContext("e" * 16, "poa.pdf", "DIGEMIG", 2019)
HEAD = ("N°", "OPERACIÓN", "N°", "ACTIVIDADES", "Inicio", "Fin", "RESULTADO INTERMEDIO",
        "Cód.", "TAREA ESPECIFICA", "ÁREAS O UNIDADES ORGANIZACIONALES")


def _table(body, cells=()):
    rows = (HEAD,) + tuple(body)
    return Table(1, 2, "lattice", (0, 0, 800, 500), rows, (1,) * len(rows), 1, None, tuple(cells))


def _build(table, header=None):
    b = PoaBuilder(CTX)
    if header:
        b.add_form_header(header)
    b.add_table(table, poa_mapping(table))
    return b


def test_bare_number_headers_take_the_next_columns_meaning():
    m = poa_mapping(_table([]))
    assert m[0] == "operacion_codigo" and m[2] == "actividad_codigo" and m[7] == "tarea_codigo"
    assert m[4] == "fecha_inicio" and m[9] == "responsable"


def test_task_follows_its_code_not_the_line_it_is_printed_on():
    body = [
        ("22.1", "Definición de políticas", "22.1.1", "Emisión de lineamientos", "1-ene-19", "31-dic-19",
         "2 documentos", "22.1.1.1", "Convocar a reuniones", "Dirección General"),
        ("", "", "22.1.2", "Cumplimiento de labores", "1-ene-19", "31-dic-19", "", "22.1.2.1",
         "Preparar proyecto", "Dirección General"),
        ("", "", "22.1.3", "Participación en reuniones", "1-feb-19", "30-jun-19", "", "22.1.2.2",
         "Elaborar actas", ""),
    ]
    cells = [Cell(1, 0, "22.1", None, 3, 1, 1), Cell(1, 1, "Definición de políticas", None, 3, 1, 1),
             Cell(1, 6, "2 documentos", None, 3, 1, 1)]
    b = _build(_table(body, cells))
    last = b.operaciones[-1]
    assert last["tarea_codigo"] == "22.1.2.2"
    assert last["actividad_codigo"] == "22.1.2" and last["actividad"] == "Cumplimiento de labores"
    assert str(last["fecha_inicio"]) == "2019-01-01"  # the dates of the activity its code names
    assert last["operacion_codigo"] == "22.1" and last["resultado"] == "2 documentos"
    assert last["responsable"] is None  # printed per line: blank stays blank
    found = [f for f in b.findings if f.regla == "codigo_jerarquia"]
    assert len(found) == 1 and "22.1.2.2" in found[0].mensaje


def test_weights_are_never_forward_filled():
    head = ("COD. ACCIÓN DE CP", "ACCIÓN DE CORTO PLAZO 2021", "COD. OP", "OPERACIÓN", "PONDERACIÓN",
            "COD. TAREA", "TAREA")
    body = [("4.1", "Fortalecimiento", "DNAF 1", "GESTIÓN", "20%", "4.1.1.1", "Gestionar"),
            ("", "", "", "", "", "4.1.1.2", "Atención"),
            ("", "", "DNAF 2", "APLICACIÓN", "5,01%", "4.1.2.1", "Gestiones")]
    cells = [Cell(1, 0, "4.1", None, 3, 1, 1), Cell(1, 2, "DNAF 1", None, 2, 1, 1)]
    rows = (head,) + tuple(body)
    t = Table(1, 1, "lattice", (0, 0, 1, 1), rows, (1,) * 4, 1, None, tuple(cells))
    b = PoaBuilder(CTX)
    b.add_table(t, poa_mapping(t))
    w = [(r["tarea_codigo"], r["operacion_codigo"], r["ponderacion_pct"]) for r in b.operaciones]
    assert w == [("4.1.1.1", "DNAF-1", 20.0), ("4.1.1.2", "DNAF-1", None), ("4.1.2.1", "DNAF-2", 5.01)]
    assert {r["accion_corto_plazo_codigo"] for r in b.operaciones} == {"4.1"}


def test_task_printed_in_the_activity_columns():
    body = [
        ("22.13", "Capacitación", "22.13.1", "Gestión de cursos", "1-ene-19", "31-dic-19", "30% del personal",
         "22.13.1.1", "Elaboración del programa", "Unidad"),
        ("", "", "22.13.2.1", "Coordinar convenio UASB", "", "", "", "", "", ""),
    ]
    cells = [Cell(1, 0, "22.13", None, 2, 1, 1), Cell(1, 1, "Capacitación", None, 2, 1, 1),
             Cell(1, 6, "30% del personal", None, 2, 1, 1)]
    r = _build(_table(body, cells)).operaciones[-1]
    assert (r["tarea_codigo"], r["tarea"]) == ("22.13.2.1", "Coordinar convenio UASB")
    assert r["actividad_codigo"] == "22.13.2" and r["actividad"] is None
    assert r["fecha_inicio"] is None and r["resultado"] == "30% del personal"


def test_key_value_block_gives_unit_action_and_acciones_row():
    kv = (("CÓDIGO PEI", "11.3.316.2"), ("PONDERACIÓN %", "5,01%"),
          ("UNIDAD ORGANIZACIONAL", "DIRECCIÓN GENERAL DE MIGRACIÓN"),
          ("ACCIÓN DE CORTO PLAZO POA 2019", "22. Modernización de los servicios"))
    fh = read_form_header(Table(1, 1, "lattice", (0, 0, 1, 1), kv, (1,) * 4, 0))
    assert isinstance(fh, FormHeader)
    body = [("22.1", "Definición", "22.1.1", "Emisión", "1-ene-19", "31-dic-19", "", "22.1.1.1", "Convocar", "")]
    b = _build(_table(body), fh)
    assert b.acciones[0]["codigo_pei"] == "11.3.316.2" and b.acciones[0]["ponderacion_pct"] == 5.01
    assert b.acciones[0]["accion_corto_plazo_codigo"] == "22"
    op = b.operaciones[0]
    assert op["unidad_organizacional"] == "DIRECCIÓN GENERAL DE MIGRACIÓN"
    assert (op["accion_corto_plazo_codigo"], op["accion_corto_plazo"]) == ("22", "Modernización de los servicios")
