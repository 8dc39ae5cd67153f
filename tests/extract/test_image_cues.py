"""Rules and fills read off a page image (extract.image_cues) and the word strategies on
a scan's layer (extract.tables.image.scan_candidates), checked against what the same
print draws as vectors in its digital PDF: the restyled corpus documents rendered at
300 dpi are their own clean scans, and their PDF's drawing operators are the truth."""
from __future__ import annotations

import pdfplumber
import pytest

from extract.image_cues import image_cues
from extract.layout import page_graphics
from extract.models import Page
from extract.preprocess import render_page
from extract.tables import find_tables, tables_from
from extract.tables.image import is_list, scan_candidates
from extract.text_layer import read_page
from extract.layout import read_layers
from tests.conftest import corpus_pdf


def _scan(name: str, pagina: int):
    path = corpus_pdf(f"{name}.pdf")
    gray = render_page(path, pagina, 300)
    with pdfplumber.open(path) as pdf:
        pp = pdf.pages[pagina - 1]
        rules, fills = page_graphics(pp)
        page = read_page(pp)
        digital = find_tables(read_layers(pp, page.words))
    return gray, page, rules, fills, digital


def test_booktabs_rules_are_found_where_the_pdf_draws_them():
    gray, page, pdf_rules, _, _ = _scan("digemig_poa_2019_booktabs", 2)
    rules, _ = image_cues(gray, page.width, page.height)
    seen = [r for r in rules if r.orientation == "h"]
    # the print draws each booktabs rule as a thin box per column (two edges 1.5 pt apart)
    drawn = sorted({round(r.top) for r in pdf_rules if r.orientation == "h"})
    assert len(seen) >= 2 and all(r.x1 - r.x0 > 500 for r in seen)  # one rule across
    for r in seen:  # every rule seen is one the PDF draws, at the same height
        assert min(abs(r.top - y) for y in drawn) <= 1.5, r
    assert {min(drawn, key=lambda y: abs(y - r.top)) // 10 for r in seen} == {y // 10 for y in drawn}
    # and none of the print's text is taken for a rule
    assert not [r for r in rules if r.orientation == "v"]


def test_shaded_rows_are_found_where_the_pdf_fills_them():
    gray, page, _, pdf_fills, _ = _scan("segip_poa_2021_franjas", 2)
    _, fills = image_cues(gray, page.width, page.height)
    shaded = [f for f in pdf_fills if f.gray < 0.97]
    assert fills and shaded
    for f in fills:  # each fill seen lies on shading the PDF draws
        cx, cy = (f.bbox[0] + f.bbox[2]) / 2, (f.bbox[1] + f.bbox[3]) / 2
        assert any(s.bbox[0] - 2 <= cx <= s.bbox[2] + 2 and s.bbox[1] - 2 <= cy <= s.bbox[3] + 2
                   for s in shaded), f


def test_a_scanned_booktabs_table_is_read_like_the_digital_one():
    """The booktabs print's words on a layer with the rules seen on its image: the table
    has the digital reading's rows (no ruled cells on this print, so the image strategy
    has nothing; before the word strategies ran on scans this page had no table)."""
    gray, page, _, _, digital = _scan("digemig_poa_2019_booktabs", 2)
    rules, fills = image_cues(gray, page.width, page.height)
    ocr_page = Page(page.numero, page.width, page.height, page.texto, page.words, metodo="ocr")
    tables = tables_from(scan_candidates(ocr_page, [], rules, fills))
    assert digital and tables
    big = max(digital, key=lambda t: t.n_rows)
    got = max(tables, key=lambda t: t.n_rows)
    assert got.n_rows == big.n_rows and got.n_cols == big.n_cols
    assert got.rows == big.rows


@pytest.mark.parametrize("rows, expected", [
    ([["•", "Actualizar su Plan"], ["•", "En el marco de lo establecido"]], True),
    ([["-", "uno"], ["", "sigue"], ["–", "dos"]], True),
    ([["1", "Actualizar"], ["2", "Revisar"]], False),       # numbered rows may be a table
    ([["•", "a", "b"], ["•", "c", "d"]], False),            # three columns
    ([], False),
])
def test_is_list(rows, expected):
    assert is_list(rows) is expected
