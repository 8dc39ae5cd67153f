"""Form header blocks printed as ``LABEL: value`` lines (pipelines.keyvalue)."""
from __future__ import annotations

import pdfplumber

from extract.models import Page, Word
from extract.text_layer import read_page
from pipelines.keyvalue import label_blocks
from tests.conftest import corpus_pdf


def _line(text, top, x0=30.0):
    words, x = [], x0
    for t in text.split():
        words.append(Word(t, (x, top, x + 5 * len(t), top + 8)))
        x += 5 * len(t) + 3
    return words


def _page(*lines):
    words = [w for text, top, *x in lines for w in _line(text, top, *(x or [30.0]))]
    return Page(1, 800, 600, "", tuple(words))


def test_labels_values_and_a_wrapped_value():
    page = _page(("CÓDIGO PEI: 11.3.316.2", 100), ("UNIDAD ORGANIZACIONAL: DIRECCIÓN GENERAL", 110),
                 ("DE MIGRACIÓN", 120, 150.0), ("PONDERACIÓN %: 5,01%", 130))
    (b,) = label_blocks(page, [], "poa_acciones")
    assert b.values == {"codigo_pei": "11.3.316.2",
                        "unidad_organizacional": "DIRECCIÓN GENERAL DE MIGRACIÓN",
                        "ponderacion_pct": "5,01%"}
    assert b.top == 100


def test_one_stray_label_in_a_paragraph_is_no_block():
    page = _page(("El texto dice lo siguiente y sigue.", 100), ("Resultado: se cumplió la meta.", 110),
                 ("Y el párrafo continúa sin etiquetas.", 120))
    assert label_blocks(page, [], "poa_acciones") == []


def test_lines_inside_a_table_are_not_read():
    page = _page(("CÓDIGO PEI: 11.3.316.2", 100), ("INDICADOR: algo", 110))
    assert label_blocks(page, [(0, 95, 800, 125)], "poa_acciones") == []


def test_booktabs_poa_header_lines():
    with pdfplumber.open(corpus_pdf("digemig_poa_2019_booktabs.pdf")) as pdf:
        page = read_page(pdf.pages[0])
    (b,) = label_blocks(page, [], "poa_acciones")
    v = b.values
    assert v["codigo_pei"] == "11.3.316.2"
    assert v["unidad_organizacional"] == "DIRECCIÓN GENERAL DE MIGRACIÓN"
    assert v["accion_corto_plazo"].startswith("22. Modernización")
    assert v["ponderacion_pct"] == "5,01%"
