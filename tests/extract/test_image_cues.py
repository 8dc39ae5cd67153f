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


def test_a_forms_title_box_is_no_table(tmp_path, monkeypatch):
    """The degraded resolución's form pages print their title in bold in a ruled box
    (logo | title): the bold strokes survive as "shading", and with them the hybrid
    strategy read the box as a table (16 of its 25 pages).  With the ink filter only the
    form's ruled grids are tables.  (One degraded page, OCR'd cold.)"""
    import shutil

    from extract.degrade import degraded_pdf
    from extract.ocr import ocr_pages
    from extract.tables import image as image_mod

    if shutil.which("tesseract") is None:
        pytest.skip("tesseract not installed: apt-get install tesseract-ocr tesseract-ocr-spa")
    src = corpus_pdf("segip_ra_036_2024_reformulacion_poa.pdf")
    pdf = tmp_path / "degraded.pdf"
    degraded_pdf(src, [14], pdf, seed=2026)
    (r,) = ocr_pages(pdf, [1], cache_dir=tmp_path / "ocr", tables=True)
    rules, fills = r.cues

    def titled(tables):
        return [t for t in tables if "SERVICIO GENERAL" in " ".join(" ".join(row) for row in t.rows)]

    tables = tables_from(scan_candidates(r.to_page(), r.tablas, rules, fills))
    assert tables and not titled(tables)
    assert {t.metodo for t in tables} == {"ocr"}
    monkeypatch.setattr(image_mod, "ink_fill", lambda f, words, tol=1.0: False)
    assert titled(tables_from(scan_candidates(r.to_page(), r.tablas, rules, fills)))


def test_ink_of_a_bold_word_is_no_fill():
    from extract.layout import Fill
    from extract.models import Word
    from extract.tables.image import ink_fill

    words = [Word("CUARTO.-", (100.0, 200.0, 140.0, 210.0), 90.0), Word("Se", (143.0, 200.0, 152.0, 210.0), 90.0)]
    assert ink_fill(Fill((101.0, 201.0, 150.0, 209.5), 0.4), words)         # the words' ink
    assert not ink_fill(Fill((90.0, 196.0, 400.0, 214.0), 0.93), words)     # a shaded row
    assert not ink_fill(Fill((500.0, 196.0, 600.0, 214.0), 0.93), words)    # shading, no text


def test_a_scanned_shaded_rows_table_is_read_like_the_digital_one():
    """The shaded-rows print (segip_poa_2021_franjas p2): on its image only the dark
    header band and the shaded groups show (the PDF also fills every white cell, which
    the lattice reading uses). The whitespace reading, told where the dark header band
    ends, and with the middle line of a three-line label ("CÓDIGO" / "ACCIÓN DE CORTO
    PLAZO" / "ACP") no parent header, reads the digital table's rows."""
    gray, page, _, _, digital = _scan("segip_poa_2021_franjas", 2)
    rules, fills = image_cues(gray, page.width, page.height)
    ocr_page = Page(page.numero, page.width, page.height, page.texto, page.words, metodo="ocr")
    tables = tables_from(scan_candidates(ocr_page, [], rules, fills))
    (big,) = [t for t in digital if t.n_rows > 2]
    assert any(t.rows == big.rows and t.n_header == big.n_header for t in tables)


def test_a_header_printed_white_on_black_is_inverted_before_ocr():
    """extract.preprocess.invert_dark_bands on the shaded-rows print's page: the dark
    header band becomes dark print on light, nothing else changes, and Tesseract then
    reads its labels (on the band as printed it lost 'N°' and read 'FECHAPPREVISTA')."""
    import shutil

    import numpy as np

    from extract.ocr import ocr_image
    from extract.preprocess import invert_dark_bands

    gray = render_page(corpus_pdf("digemig_poa_2019_franjas.pdf"), 2, 300)
    out = invert_dark_bands(gray)
    band = (slice(135, 245), slice(140, 3370))      # 32-59 pt x 34-809 pt: the header band
    assert gray[band].mean() < 110 and out[band].mean() > 150
    changed = np.argwhere(out != gray)
    assert changed[:, 0].min() >= 125 and changed[:, 0].max() <= 255  # only the band's rows
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract not installed")
    text = " ".join(w.text for w in ocr_image(out[110:270, 100:3400], psm=6))
    assert "FECHA PREVISTA" in text and "ACTIVIDADES" in text and "ORGANIZACIONALES" in text
