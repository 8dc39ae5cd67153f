"""pipelines.disposiciones: a resolución's PRIMERO.-, SEGUNDO.- ... items and an audit
report's recommendations (DATASETS.md ``disposiciones``) from page texts with OCR noise
(label variants, page headers and footers, items continued over a page break), and the
corpus documents' truth page texts."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from extract.models import Page
from pipelines.context import DocContext
from pipelines.disposiciones import (body_lines, disposiciones, join_lines, ordinal_label,
                                     recomendacion_items, resuelve_items)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
CTX = DocContext("0123456789abcdef", "x.pdf", "SEGIP", 2024)


def page(text: str, numero: int = 1) -> Page:
    return Page(numero, 612.0, 792.0, text, ())


# --------------------------------------------------------------------------- labels

@pytest.mark.parametrize("line, expected", [
    ("PRIMERO.- APROBAR el POA", (1, "APROBAR el POA")),
    ("PRIMERO. - APROBAR", (1, "APROBAR")),          # OCR: space inside '.-'
    ("SEGUNDO.– APROBAR", (2, "APROBAR")),           # en dash
    ("TERCERO.—La Dirección", (3, "La Dirección")),  # em dash, no space
    ("CUARTO,- Se instruye", (4, "Se instruye")),    # OCR: '.' read as ','
    ("QUINTO: Se", (5, "Se")),
    ("QUINTO .- Se", (5, "Se")),
    ("SÉPTIMO.- X", (7, "X")),
    ("SEPTIMO.- X", (7, "X")),                       # accent lost
    ("Octavo.- X", (8, "X")),
    ("DÉCIMO PRIMERO.- X", (11, "X")),
    ("DECIMO.- X", (10, "X")),
    ("ARTÍCULO PRIMERO.- Aprobar", (1, "Aprobar")),
    ("Artículo 2.- Aprobar", (2, "Aprobar")),
    ("ARTICULO 3°.- Aprobar", (3, "Aprobar")),
    ("ÚNICO.- Aprobar", (0, "Aprobar")),
    ("ARTÍCULO ÚNICO.- Aprobar", (0, "Aprobar")),
    ("Primero, se debe", None),                      # a sentence, not a label
    ("PRIMERO APROBAR", None),
    ("1. Texto", None),                              # a bare number is no label
    ("Primeros auxilios.- X", None),
])
def test_ordinal_label(line, expected):
    assert ordinal_label(line) == expected


@pytest.mark.parametrize("parts, expected", [
    (["SEGIP/DNP/INF-", "00012/2024 de 7"], "SEGIP/DNP/INF-00012/2024 de 7"),
    (["la adminis-", "tración"], "la administración"),
    (["En el marco de su RE-", "SOA: Diseñar"], "En el marco de su RE-SOA: Diseñar"),
    (["2021 -", "2025 en vigencia"], "2021 - 2025 en vigencia"),
    (["a  b", "", " c "], "a b c"),
])
def test_join_lines(parts, expected):
    assert join_lines(parts) == expected


# --------------------------------------------------------------------------- resuelve

P1 = """Servicio General de Identificación Personal
RESOLUCIÓN ADMINISTRATIVA N* 045/2023
VISTOS:
Que, el Decreto dispone:
Artículo 1.- (Objeto) quoted text that is not an item
CONSIDERANDO:
PRIMERO.- quoted too, before the dispositive part
Página 1 de 3"""
P2 = """Servicio General de Identificación Personal
POR TANTO:
La Directora, en uso de sus atribuciones,
R E S U E L V E:
PRIMERO. - APROBAR el Plan Operativo Anual 2023, conforme al Informe Técnico CITE: SEGIP/DNP/INF-
00012/2023 de la Dirección Nacional de Planificación.
SEGUNDO.– Instruir a la Dirección Nacional de Administración y Finanzas la
Página 2 de 3"""
P3 = """Servicio General de Identificación Personal
a
ejecución del presupuesto.
TERCERO,- La Dirección Nacional de Planificación queda encargada del cumplimiento.
Regístrese, comuníquese y archívese.
Juan Pérez
DIRECTOR GENERAL EJECUTIVO
Página 3 de 3"""


def test_resuelve_over_page_break_without_headers_and_footers():
    items = resuelve_items([page(P1, 1), page(P2, 2), page(P3, 3)])
    assert items == [
        (2, "APROBAR el Plan Operativo Anual 2023, conforme al Informe Técnico CITE: "
            "SEGIP/DNP/INF-00012/2023 de la Dirección Nacional de Planificación."),
        (2, "Instruir a la Dirección Nacional de Administración y Finanzas la ejecución del "
            "presupuesto."),
        (3, "La Dirección Nacional de Planificación queda encargada del cumplimiento."),
    ]


def test_body_lines_drop_running_headers_page_numbers_and_specks():
    texts = [line.text for line in body_lines([page(P2, 2), page(P3, 3)])]
    assert "Servicio General de Identificación Personal" not in texts
    assert not any(t.startswith("Página") for t in texts)
    assert "a" not in texts
    assert texts[0] == "POR TANTO:"


def test_resuelve_signature_ends_last_item_without_closing_formula():
    text = ("RESUELVE:\nPRIMERO.- Aprobar el reglamento.\nSEGUNDO.- Publicar la presente.\n"
            "María López\nMINISTRA DE PLANIFICACIÓN DEL DESARROLLO")
    assert [t for _, t in resuelve_items([page(text)])] == [
        "Aprobar el reglamento.", "Publicar la presente."]


def test_resuelve_stops_before_annexed_forms():
    res = page("SE RESUELVE:\nPRIMERO.- Aprobar el POA.\nSEGUNDO.- Publicar la presente.", 1)
    annex = page("FORMULARIO N° 1 PLAN OPERATIVO ANUAL 2024\nÁREA ORGANIZACIONAL: DNP", 2)
    assert [t for _, t in resuelve_items([res, annex])] == [
        "Aprobar el POA.", "Publicar la presente."]


def test_resuelve_unico_and_articulo_forms():
    one = page("RESUELVE:\nARTÍCULO ÚNICO.- Aprobar el Manual de Procesos.\nRegístrese y archívese.")
    assert resuelve_items([one]) == [(1, "Aprobar el Manual de Procesos.")]
    arts = page("RESUELVE:\nArtículo 1.- Aprobar.\nArtículo 2.- Abrogar.\nComuníquese y cúmplase.")
    assert [t for _, t in resuelve_items([arts])] == ["Aprobar.", "Abrogar."]


def test_resuelve_marker_on_the_same_line():
    text = "RESUELVE: PRIMERO.- Aprobar.\nSEGUNDO.- Publicar.\nRegístrese."
    assert [t for _, t in resuelve_items([page(text)])] == ["Aprobar.", "Publicar."]


def test_resuelve_out_of_sequence_label_stays_in_text():
    text = "RESUELVE:\nPRIMERO.- Aprobar lo dispuesto en el punto\nQUINTO.- del informe.\n" \
           "SEGUNDO.- Publicar.\nRegístrese."
    assert [t for _, t in resuelve_items([page(text)])] == [
        "Aprobar lo dispuesto en el punto QUINTO.- del informe.", "Publicar."]


# --------------------------------------------------------------------------- recomendaciones

def test_recommendations_ocr_bullets_and_sub_bullets():
    text = """Por lo señalado se recomienda:
» Actualizar su Plan de Implementación de Gobierno Electrónico para que esté articulado al
Plan Estratégico Institucional 2021 - 2025 en vigencia.
+ En el marco de su RE-SOA:
o Diseñar y formalizar procesos.
o Actualizar los procesos
e Informe de avance.
• Actualizar la documentación formal."""
    assert recomendacion_items([page(text, 2)]) == [
        (2, "Actualizar su Plan de Implementación de Gobierno Electrónico para que esté "
            "articulado al Plan Estratégico Institucional 2021 - 2025 en vigencia."),
        (2, "En el marco de su RE-SOA: Diseñar y formalizar procesos. Actualizar los procesos "
            "e Informe de avance."),
        (2, "Actualizar la documentación formal."),
    ]


def test_recommendations_numbered_list_ends_at_closing():
    text = """Se recomienda a la Máxima Autoridad Ejecutiva:
1. Elaborar el reglamento.
2) Actualizar el manual de
procesos.
Es cuanto se informa."""
    assert [t for _, t in recomendacion_items([page(text)])] == [
        "Elaborar el reglamento.", "Actualizar el manual de procesos."]


def test_recommendations_per_finding_headings():
    text = """Recomendación N° 1
Implementar controles sobre
los activos fijos.
Recomendación N* 2: Conciliar saldos.
Comentario de la entidad
La entidad acepta."""
    assert [t for _, t in recomendacion_items([page(text)])] == [
        "Implementar controles sobre los activos fijos.", "Conciliar saldos."]


def test_recommendation_as_paragraph_on_the_opener_line():
    text = ("Total de recomendaciones: 1\nPor lo expuesto, se recomienda a la MAE: implementar un\n"
            "sistema de control de activos fijos.\nLa Paz, 3 de mayo de 2024")
    assert recomendacion_items([page(text)]) == [
        (1, "implementar un sistema de control de activos fijos.")]


def test_recommendations_continue_over_page_break():
    p1 = page("CONTRALORÍA GENERAL DEL ESTADO\nPor lo señalado se recomienda:\n"
              "• Actualizar su plan para que esté articulado al\n1", 1)
    p2 = page("CONTRALORÍA GENERAL DEL ESTADO\nPlan Estratégico Institucional.\n"
              "• Realizar seguimientos.\n2", 2)
    assert recomendacion_items([p1, p2]) == [
        (1, "Actualizar su plan para que esté articulado al Plan Estratégico Institucional."),
        (2, "Realizar seguimientos.")]


# --------------------------------------------------------------------------- rows

def test_rows_have_provenance_and_order():
    rows = disposiciones(CTX, "resolucion", [page("RESUELVE:\nPRIMERO.- A.\nSEGUNDO.- B.", 6)])
    assert rows == [
        {**CTX.prov(6), "tipo": "resuelve", "orden": 1, "texto": "A."},
        {**CTX.prov(6), "tipo": "resuelve", "orden": 2, "texto": "B."},
    ]
    rec = disposiciones(CTX, "informe_auditoria", [page("Se recomienda:\n• A.\n• B.", 2)])
    assert [(r["tipo"], r["orden"], r["pagina"]) for r in rec] == \
        [("recomendacion", 1, 2), ("recomendacion", 2, 2)]
    assert disposiciones(CTX, "poa", [page("RESUELVE:\nPRIMERO.- A.")]) == []


@pytest.mark.parametrize("name, tipo", [
    ("segip_ra_036_2024_reformulacion_poa", "resolucion"),
    ("cge_informe_digemig_2024", "informe_auditoria"),
])
def test_corpus_truth_text(name, tipo):
    folder = CORPUS / "truth" / name
    if not (folder / "paginas.json").is_file():
        pytest.skip(f"{folder} not found: these tests need ../shared/corpus beside the repo")
    pages = [page(p["texto"], p["pagina"])
             for p in json.loads((folder / "paginas.json").read_text("utf-8"))]
    with (folder / "disposiciones.csv").open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    rows = disposiciones(CTX, tipo, pages)
    assert [(r["pagina"], r["tipo"], r["orden"], r["texto"]) for r in rows] == \
        [(int(t["pagina"]), t["tipo"], int(t["orden"]), t["texto"]) for t in truth]
