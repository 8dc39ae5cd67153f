"""Nothing lost (DATASETS.md, ``tablas``): on every page of the digital corpus, every
word printed inside a table's region is in exactly one cell of that table (checked on
characters: a wrapped word joined at its hyphen is still all there).  That a caption
holds no row of its table is tested in test_tables.py."""
from __future__ import annotations

from collections import Counter

import pdfplumber
import pytest

from extract.tables.base import words_in
from tests.conftest import corpus_pdf

DIGITAL = ["digemig_poa_2019", "digemig_poa_2019_booktabs", "digemig_poa_2019_franjas",
           "segip_poa_2021", "segip_poa_2021_franjas", "segip_rendicion_2020_booktabs",
           "segip_rendicion_cuentas_2020"]


def _chars(texts) -> Counter:
    return Counter("".join(texts).replace(" ", ""))


@pytest.mark.parametrize("doc", DIGITAL)
def test_every_word_of_a_table_region_is_in_one_of_its_cells(doc, corpus):
    """The tables are the ones the pipeline found on each page, on the reading frames it
    read them from (the session's run of the document, tests/conftest.py)."""
    checked = 0
    pages = corpus.get(doc).page_tables
    with pdfplumber.open(corpus_pdf(f"{doc}.pdf")) as pdf:
        assert [p.pagina for p in pages] == [pp.page_number for pp in pdf.pages], \
            "the table stage did not see every page of the digital document"
    for page in pages:
        for t in page.tables:
            layer = next(ly for ly in page.layers if ly.direction == t.direction)
            inside = [layer.words[i].text for i in words_in(layer, t.frame_bbox, 0.0)]
            cells = [c for r in t.rows for c in r]
            assert _chars(inside) == _chars(cells), (doc, page.pagina, t.orden)
            # exactly one cell: no text counted twice across cells
            assert sum(len(c.replace(" ", "")) for c in cells) == sum(len(w.replace(" ", "")) for w in inside)
            checked += 1
    assert checked > 0


SCANNED = ["segip_poa_2021_escaneado", "segip_ra_036_2024_reformulacion_poa", "cge_informe_digemig_2024"]


# ``ocr_cache``: the session copy of the committed OCR cache (tests/conftest.py).


@pytest.mark.parametrize("doc", SCANNED)
def test_every_ocr_word_of_a_ruled_scan_table_is_in_one_of_its_cells(doc, ocr_cache, monkeypatch):
    """On scans the cells are the ruled rectangles of the page image; every OCR word
    inside a table's region is placed in exactly one of them.  The digit-only re-read of
    suspicious numeric cells replaces a cell's text afterwards (a correction, not a
    placement), so it is switched off here to compare words with cells."""
    from extract import tables_image
    from extract.ocr import ocr_pages
    from extract.tables.image import image_candidates
    from extract.layout import ocr_layer
    from extract.models import Page

    monkeypatch.setattr(tables_image, "reread_numeric_cells", lambda gray, rows, cells, scale, **kw: (rows, cells))
    path = corpus_pdf(f"{doc}.pdf")
    with pdfplumber.open(path) as pdf:
        sizes = [(float(p.width), float(p.height)) for p in pdf.pages]
    checked = 0
    for r in ocr_pages(path, range(1, len(sizes) + 1), cache_dir=ocr_cache):
        w, h = sizes[r.page_number - 1]
        page = Page(r.page_number, w, h, r.texto, r.words, metodo="ocr", skew_deg=r.skew_deg)
        layer = ocr_layer(page.numero, page.width, page.height, page.words)
        for c in image_candidates(page, tables_image.image_tables(path, page)):
            inside = [layer.words[i].text for i in words_in(layer, c.bbox, 1.0)]
            cells = [x for row in c.rows for x in row]
            assert _chars(inside) == _chars(cells), (doc, page.numero)
            checked += 1
    assert checked > 0
