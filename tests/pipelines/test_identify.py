"""pipelines.identify: kind, number, date, title, entity and gestión of resoluciones and
audit reports read from page text (OCR-noisy strings), and the corpus documents' truth
page texts (DATASETS.md ``documentos``)."""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from extract.models import Page, Word
from pipelines.identify import (detect_tipo, identify, informe_fields, normalize_numero,
                                resolucion_fields, title_lines)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"


def page(text: str, numero: int = 1) -> Page:
    return Page(numero, 612.0, 792.0, text, ())


def truth_pages(name: str) -> list[Page]:
    path = CORPUS / "truth" / name / "paginas.json"
    if not path.is_file():
        pytest.skip(f"{path} not found: these tests need ../shared/corpus beside the repo")
    return [page(p["texto"], p["pagina"]) for p in json.loads(path.read_text("utf-8"))]


def truth_row(name: str, dataset: str) -> list[dict]:
    with (CORPUS / "truth" / name / f"{dataset}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- numero

@pytest.mark.parametrize("raw, emisor, expected", [
    ("SEGIP/DGE/N°036/2024", None, "SEGIP/DGE/N°036/2024"),
    ("SEGIP/DGE/N*036/2024", None, "SEGIP/DGE/N°036/2024"),       # OCR: ° read as *
    ("SEGIP/DGE/Nº036/2024", None, "SEGIP/DGE/N°036/2024"),       # ordinal indicator
    ("SEGIP/DGE/No.036/2024", None, "SEGIP/DGE/N°036/2024"),
    ("SEGIP / DGE / N° 036/2024", None, "SEGIP/DGE/N°036/2024"),  # OCR spaces
    ("SEGIP/DGE/N?036/2024.", None, "SEGIP/DGE/N°036/2024"),
    ("N° 045/2023", None, "045/2023"),                            # the sign only labels it
    ("Nro. 12/2022", None, "12/2022"),
    ("RA  N° 7/2021", None, "RA N° 7/2021"),
    ("K3/GP445/524-G1", "CGE", "K3/GP445/S24-G1"),                # OCR: S read as 5
    ("K3/GP445/S24-G1", "CGE", "K3/GP445/S24-G1"),
    ("K2/AP05/023-E1", "CGE", "K2/AP05/O23-E1"),
    ("K3/GP445/524-G1", None, "K3/GP445/524-G1"),                 # no shape: as read
    ("  ", None, None),
    (None, None, None),
])
def test_normalize_numero(raw, emisor, expected):
    assert normalize_numero(raw, emisor) == expected


# --------------------------------------------------------------------------- resoluciones

OCR_HEAD = """Servicio General de
BOLIVIA Identificacion Personal
RESOLUCION ADMINISTRATIVA SEGIP/DGE/N*036/2024
La Paz, 14 de febrero de 2024
APROBACION PRIMERA REFORMULACION
DEL PLAN OPERATIVO ANUAL Y
PRESUPUESTO GESTION 2024 DEL SEGIP
VISTOS:
En atención a la Nota MEFP/VPCF/N* 059/2024 de 24 de enero de 2024"""

NEXT_LINE_HEAD = """MINISTERIO DE GOBIERNO
RESOLUCIÓN MINISTERIAL
Nº 123/2023
Santa Cruz de la Sierra, 1º de marzo de 2023
REF.: APROBACIÓN DEL REGLAMENTO INTERNO
CONSIDERANDO:
Que, el 5 de enero de 2023 ..."""

LOWER_SUBJECT = """RESOLUCIÓN ADMINISTRATIVA RA/DIGEMIG/N° 15/2022
El Alto, 30 de junio de 2022
Aprobación del Plan Operativo Anual
VISTOS Y CONSIDERANDO:"""


@pytest.mark.parametrize("text, numero, fecha, titulo", [
    (OCR_HEAD, "SEGIP/DGE/N°036/2024", dt.date(2024, 2, 14),
     "APROBACION PRIMERA REFORMULACION DEL PLAN OPERATIVO ANUAL Y PRESUPUESTO GESTION 2024 "
     "DEL SEGIP"),
    (NEXT_LINE_HEAD, "123/2023", dt.date(2023, 3, 1), "APROBACIÓN DEL REGLAMENTO INTERNO"),
    (LOWER_SUBJECT, "RA/DIGEMIG/N°15/2022", dt.date(2022, 6, 30),
     "Aprobación del Plan Operativo Anual"),
])
def test_resolucion_fields(text, numero, fecha, titulo):
    f = resolucion_fields([page(text)])
    assert (f["numero"], f["fecha"], f["titulo"]) == (numero, fecha, titulo)


def test_resolucion_closing_date_when_no_place_date():
    head = "RESOLUCIÓN ADMINISTRATIVA N° 3/2020\nAPROBACIÓN DEL POA\nVISTOS:\n..."
    last = "Es dada en la ciudad de La Paz, a los 14 días del mes de febrero de 2020."
    assert resolucion_fields([page(head), page(last, 2)])["fecha"] == dt.date(2020, 2, 14)


def test_identify_resolucion_gestion_from_title_and_entity():
    ident = identify([page(OCR_HEAD)])
    assert (ident.tipo, ident.entidad, ident.emisor, ident.gestion) == \
        ("resolucion", "SEGIP", "SEGIP", 2024)


def test_tipo_first_printed_phrase_wins():
    # a resolución that names the Contraloría below its heading stays a resolución
    text = "RESOLUCIÓN ADMINISTRATIVA N° 1/2024\nREF.: INFORME DE LA CONTRALORÍA GENERAL DEL ESTADO"
    assert detect_tipo([page(text)]) == "resolucion"
    assert detect_tipo([page("CONTRALORÍA\nGENERAL DEL ESTADO\nRESUMEN EJECUTIVO")]) == \
        "informe_auditoria"


# --------------------------------------------------------------------------- informes

CGE_OCR = """CONTRALORÍA
GENERAL DEL ESTADO
ESTADO PLURINACIONAL DE BOLIVIA
RESUMEN EJECUTIVO
Entidad: Dirección General de Migración — DIGEMIG
Referencia: Supervisión a las acciones realizadas
Informe N*: K3/GP445/524-G1
Objetivo: Evaluar las acciones realizadas por la Dirección General de Migración,
aprobado en la gestión 2019 y el periodo 2021 — 2025.
Fecha de 12/12/2024
emisión:
Resultados:"""


@pytest.mark.parametrize("fecha_lines", [
    "Fecha de 12/12/2024\nemisión:",           # label broken around the value (OCR order)
    "Fecha de\nemisión: 12/12/2024",
    "Fecha de emision: 12 de diciembre de 2024",
    "FECHA DE EMISIÓN: 12-12-2024",
])
def test_informe_fecha_label_variants(fecha_lines):
    text = "RESUMEN EJECUTIVO\nInforme N°: K3/GP445/S24-G1\n" + fecha_lines + "\nResultados:"
    assert informe_fields([page(text)])["fecha"] == dt.date(2024, 12, 12)


@pytest.mark.parametrize("label", ["Informe N°:", "Informe N*:", "Informe Nº", "INFORME No.",
                                   "Informe Nro.:"])
def test_informe_numero_label_variants(label):
    text = f"RESUMEN EJECUTIVO\n{label} K3/GP445/S24-G1\nObjetivo: evaluar"
    assert informe_fields([page(text)])["numero"] == "K3/GP445/S24-G1"


def test_identify_cge_report_from_ocr_text():
    ident = identify([page(CGE_OCR), page("Por lo señalado se recomienda:\n• Actualizar.", 2)])
    assert ident.tipo == "informe_auditoria"
    assert (ident.entidad, ident.emisor) == ("DIGEMIG", "CGE")
    assert ident.numero == "K3/GP445/S24-G1"
    assert ident.fecha == dt.date(2024, 12, 12)
    assert ident.titulo == "RESUMEN EJECUTIVO"
    assert ident.gestion == 2024  # the year of issue: no gestión is labelled


CGE_OCR_LABEL_LINES = """CONTRALORÍA
GENERAL DEL ESTADO
RESUMEN EJECUTIVO
Entidad:
Dirección General de Migración — DIGEMIG
Referencia:
Supervisión a las acciones realizadas
Informe N°:
K3/GP445/S24-G1
Objetivo:
Evaluar las acciones realizadas
Fecha de
emisión:
12/12/2024
Resultados:"""


def test_informe_values_on_the_line_after_their_labels():
    # OCR of the two-column key/value block: each label alone, its value on the next line
    f = informe_fields([page(CGE_OCR_LABEL_LINES)])
    assert (f["numero"], f["fecha"], f["entidad"], f["titulo"]) == \
        ("K3/GP445/S24-G1", dt.date(2024, 12, 12), "DIGEMIG", "RESUMEN EJECUTIVO")


def test_informe_label_column_read_apart_uses_word_positions():
    # OCR read all labels, then all values: the texto pairs nothing, the words do
    text = "RESUMEN EJECUTIVO\nInforme N°:\nObjetivo:\nK3/GP445/S24-G1\nEvaluar"
    words = (Word("Informe", (50, 200, 90, 210)), Word("N°:", (92, 200, 105, 210)),
             Word("K3/GP445/S24-G1", (160, 201, 260, 211)),
             Word("Objetivo:", (50, 220, 95, 230)), Word("Evaluar", (160, 220, 200, 230)))
    f = informe_fields([Page(1, 612.0, 792.0, text, words, metodo="ocr")])
    assert f["numero"] == "K3/GP445/S24-G1"


def test_informe_entity_acronym_not_in_data():
    text = "CONTRALORÍA GENERAL DEL ESTADO\nRESUMEN EJECUTIVO\n" \
           "Entidad: Empresa Estatal de Transporte — EETR\nInforme N°: K1/AP01/J23-E1"
    assert informe_fields([page(text)])["entidad"] == "EETR"


# --------------------------------------------------------------------------- geometry titles

def test_title_lines_reads_ocr_words_left_to_right():
    # OCR words of one printed line have slightly different tops
    words = (Word("ANUAL", (438.4, 71.3, 479.9, 79.9)), Word("2021", (483.5, 71.0, 509.7, 79.7)),
             Word("OPERATIVO", (365.7, 71.5, 434.6, 80.4)), Word("PLAN", (330.0, 72.0, 361.4, 80.6)),
             Word("ÁREA", (37.7, 97.2, 60.0, 104.6)), Word("ORGANIZACIONAL:", (62.2, 98.1, 137.5, 104.6)))
    p = Page(1, 792.0, 612.0, "", words, metodo="ocr")
    assert title_lines(p) == ["PLAN OPERATIVO ANUAL 2021"]


# --------------------------------------------------------------------------- corpus

@pytest.mark.parametrize("name", ["segip_ra_036_2024_reformulacion_poa", "cge_informe_digemig_2024"])
def test_corpus_truth_text(name):
    pages = truth_pages(name)
    truth = truth_row(name, "documentos")[0]
    ident = identify(pages)
    got = {"tipo": ident.tipo, "entidad": ident.entidad, "emisor": ident.emisor,
           "gestion": str(ident.gestion), "titulo": ident.titulo, "numero": ident.numero,
           "fecha": ident.fecha.isoformat() if ident.fecha else ""}
    assert got == {k: truth[k] for k in got}


# --------------------------------------------------------------------------- gestión

@pytest.mark.parametrize("name", ["cge_informe_digemig_2024", "segip_poa_2021_escaneado",
                                  "segip_ra_036_2024_reformulacion_poa"])
def test_gestion_of_the_scanned_corpus_documents_from_their_text(name):
    """From the transcribed text alone (no title geometry): the cues on the first pages,
    or the year of issue of the audit report.  The digital documents are checked on real
    pipeline output (tests/analyst/test_trace.py)."""
    assert identify(truth_pages(name)).gestion == int(truth_row(name, "documentos")[0]["gestion"])


@pytest.mark.parametrize("text, expected", [
    ("Puertos 2001\nPuerto Toneladas\nArica 1.200\nIquique 900", 0),   # a year in a table caption
    ("Ley N° 145 de 27 de junio de 2011\nInforme de actividades", 0),  # a year in a citation
    ("Cuadro 3\n2018 2019 2020\nIngresos 10 20 30", 0),                  # years as column headers
    ("", 0),
    ("PLAN OPERATIVO ANUAL 2021\nÁREA ORGANIZACIONAL: DNAF", 2021),
    ("FORMULARIO N° 1\nPLAN OPERATIVO ANUAL ENERO A DICIEMBRE 2019", 2019),
    ("ACCIÓN DE CORTO PLAZO POA 2019: 22. Modernización", 2019),
    ("GESTIÓN DEL POA: 2021\nCOD. OPERACIÓN", 2021),
    ("Ejecución presupuestaria al 31 de diciembre de 2020 (en bolivianos)", 2020),
    ("Se informa que en 2018 se ejecutó... \nGestión 2020", 2020),
])
def test_gestion_cues_only(text, expected):
    ident = identify([page(text)])
    assert ident.tipo in ("poa", "rendicion_cuentas", "otro")
    assert ident.gestion == expected


def test_gestion_of_an_audit_report_is_not_a_year_in_its_text():
    """The CGE report's text speaks of 'la gestión 2019' and 'el periodo 2021 — 2025';
    it is about the year it was issued (no gestión labelled)."""
    assert identify([page(CGE_OCR)]).gestion == 2024
    labelled = CGE_OCR.replace("Resultados:", "Gestión examinada: 2023\nResultados:")
    assert identify([page(labelled)]).gestion == 2023


def test_resolucion_without_fiscal_year_takes_its_year_of_issue():
    text = ("RESOLUCIÓN ADMINISTRATIVA N° 12/2022\nAPROBACIÓN DEL REGLAMENTO INTERNO DE PERSONAL\n"
            "La Paz, 3 de marzo de 2023\nVISTOS:\nLa Ley N° 1178 de 20 de julio de 1990 ...")
    ident = identify([page(text)])
    assert (ident.tipo, ident.gestion) == ("resolucion", 2023)
