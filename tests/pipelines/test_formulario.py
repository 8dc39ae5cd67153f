"""FORMULARIO N° 4 – RESUMEN PRESUPUESTO: lines × fuente, totals, techo, validation and
OCR number repair that must be reconciled by the form's own totals."""
from __future__ import annotations

from extract.models import Cell, Page, Table, Word
from pipelines.context import DocContext
from pipelines.formulario import build_formularios

CTX = DocContext("d" * 16, "ra.pdf", "SEGIP", 2024)
HEADER = ("FORM N°", "DESCRIPCIÓN", "FUENTE 20", "FUENTE 41", "TOTAL")


def _line(y, text):
    x, out = 10.0, []
    for w in text.split():
        out.append(Word(w, (x, y, x + 6 * len(w), y + 8)))
        x += 6 * len(w) + 4
    return out


def _page(techo="1.332.834,00"):
    words = (_line(100, "ÁREA ORGANIZACIONAL: DIRECCIÓN NACIONAL DE BRIGADAS MÓVILES")
             + _line(110, "CATEGORÍA PROGRAMÁTICA: 48000010") + _line(300, f"TECHO P: {techo}"))
    return Page(9, 842, 595, "", tuple(words), "ocr")


def _form(rows):
    rows = (HEADER,) + tuple(rows)
    cells = (Cell(4, 0, "3.04", None, 2, 1, 9),)
    return Table(9, 1, "ocr", (0, 120, 800, 280), rows, (9,) * len(rows), 1,
                 "FORMULARIO N° 04 - RESUMEN PRESUPUESTO", cells)


BODY = [
    ("3.01", "DETERMINACIÓN DE SERVICIOS", "", "46.890,00", "46.890,00"),
    ("3.02", "ACTIVOS FIJOS", "382.800,00", "213.100,00", "595.900,00"),
    ("3.03", "MATERIALES Y SUMINISTROS", "", "58.112,00", "58.112,00"),
    ("3.04", "PASAJES", "", "101.900,00", "101.900,00"),
    ("", "VIÁTICOS", "", "530.032,00", "530.032,00"),
    ("", "TOTAL", "382.800,00", "950.034,00", "1.332.834,00"),
    ("", "TOTAL FORM N°4", "", "", "1.332.834,00"),
]


def _by(rows, desc, fuente):
    return [r for r in rows if r["descripcion"] == desc and r["fuente_codigo"] == fuente]


def test_lines_by_fuente_and_totals():
    rows, findings = build_formularios(CTX, [_form(BODY)], [_page()])
    assert len(rows) == 15
    v = _by(rows, "VIÁTICOS", "41")[0]
    assert v["formulario_codigo"] == "3.04"  # merged code cell
    assert v["categoria_programatica"] == "48 0 010" and v["techo_presupuestario"] == 1332834.0
    tot = _by(rows, "TOTAL", None)[0]
    assert tot["es_total"] and tot["formulario_codigo"] is None and tot["monto"] == 1332834.0
    assert not findings


def test_total_and_ceiling_findings():
    body = list(BODY)
    body[5] = ("", "TOTAL", "382.800,00", "950.000,00", "1.332.834,00")
    rows, findings = build_formularios(CTX, [_form(body)], [_page(techo="1.300.000,00")])
    rules = sorted(f.regla for f in findings)
    assert rules == ["formulario_total_igual_techo", "total_igual_suma"]
    suma = next(f for f in findings if f.regla == "total_igual_suma")
    assert suma.esperado == 950034.0 and suma.observado == 950000.0
    # findings never change the data
    assert _by(rows, "TOTAL", "41")[0]["monto"] == 950000.0


def test_ocr_amount_repaired_only_when_totals_reconcile():
    body = list(BODY)
    body[0] = ("3.01", "DETERMINACIÓN DE SERVICIOS", "", "46,890,00", "46.890,00")
    rows, findings = build_formularios(CTX, [_form(body)], [_page()])
    assert _by(rows, "DETERMINACIÓN DE SERVICIOS", "41")[0]["monto"] == 46890.0
    rep = [f for f in findings if f.regla == "ocr_numero_reparado"]
    assert len(rep) == 1 and "46,890,00" in rep[0].mensaje and rep[0].esperado == 46890.0


def test_unreconcilable_amount_stays_null_with_a_finding():
    body = list(BODY)
    body[0] = ("3.01", "DETERMINACIÓN DE SERVICIOS", "", "4?,8#0", "")
    rows, findings = build_formularios(CTX, [_form(body)], [_page()])
    assert not _by(rows, "DETERMINACIÓN DE SERVICIOS", "41")
    assert any(f.regla == "numero_ilegible" for f in findings)
