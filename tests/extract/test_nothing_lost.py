"""Nothing lost (DATASETS.md, ``tablas``): on every page of the digital corpus, every
word printed inside a table's region is in exactly one cell of that table (checked on
characters: a wrapped word joined at its hyphen is still all there).  That a caption
holds no row of its table is tested in test_tables.py."""
from __future__ import annotations

from collections import Counter

import pdfplumber
import pytest

from extract.layout import read_layers
from extract.tables import find_tables
from extract.tables.base import words_in
from extract.text_layer import read_page
from tests.conftest import corpus_pdf

DIGITAL = ["digemig_poa_2019", "digemig_poa_2019_booktabs", "digemig_poa_2019_franjas",
           "segip_poa_2021", "segip_poa_2021_franjas", "segip_rendicion_2020_booktabs",
           "segip_rendicion_cuentas_2020"]


def _chars(texts) -> Counter:
    return Counter("".join(texts).replace(" ", ""))


@pytest.mark.parametrize("doc", DIGITAL)
def test_every_word_of_a_table_region_is_in_one_of_its_cells(doc):
    checked = 0
    with pdfplumber.open(corpus_pdf(f"{doc}.pdf")) as pdf:
        for pp in pdf.pages:
            page = read_page(pp)
            layers = read_layers(pp, page.words)
            for t in find_tables(layers):
                layer = next(ly for ly in layers if ly.direction == t.direction)
                inside = [layer.words[i].text for i in words_in(layer, t.frame_bbox, 0.0)]
                cells = [c for r in t.rows for c in r]
                assert _chars(inside) == _chars(cells), (doc, pp.page_number, t.orden)
                # exactly one cell: no text counted twice across cells
                assert sum(len(c.replace(" ", "")) for c in cells) == sum(len(w.replace(" ", "")) for w in inside)
                checked += 1
            pp.flush_cache()
    assert checked > 0
