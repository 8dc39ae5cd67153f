"""Table reconstruction: grids with merged cells, page-break tails, whitespace tables,
continuation over pages — on hand-made geometry and on real corpus pages."""
from __future__ import annotations

import pdfplumber
import pytest

from extract.grid import build_grid, join_lines, words_text
from extract.models import Cell, Table, Word
from extract.tables import count_header, is_row_tail, merge_continuations
from extract.tables_ruled import find_ruled
from extract.tables_stream import find_stream, horizontal_rules, segments
from extract.text_layer import read_page
from tests.conftest import corpus_pdf


def W(text, x0, top, x1=None, h=8.0):
    return Word(text, (x0, top, x1 if x1 is not None else x0 + 6 * len(text), top + h))


def test_grid_merged_cell_spans_rows():
    # column 0 is one cell over two rows; column 1 has two cells
    rects = [(0, 0, 50, 40), (50, 0, 100, 20), (50, 20, 100, 40)]
    words = [W("22.1", 5, 5, 30), W("a", 55, 5, 60), W("b", 55, 25, 60)]
    rows, cells = build_grid(rects, words, 1)
    assert rows == [["22.1", "a"], ["", "b"]]
    merged = [c for c in cells if c.rowspan == 2]
    assert len(merged) == 1 and merged[0].text == "22.1"


def test_grid_uncovered_positions_become_one_vertical_cell():
    # the left column has no closing rule (continues on the next page): no rect covers it
    rects = [(50, 0, 100, 20), (50, 20, 100, 40), (0, -20, 50, 0), (50, -20, 100, 0)]
    words = [W("4.1", 5, 5, 25), W("x", 55, 5, 60), W("y", 55, 25, 60), W("H", 5, -15, 10)]
    rows, cells = build_grid(rects, words, 1)
    assert rows[1][0] == "4.1" and rows[2][0] == ""
    assert any(c.rowspan == 2 and c.text == "4.1" for c in cells)


def test_wrapped_text_is_one_value():
    words = [W("Definición", 0, 0), W("de", 70, 0), W("políticas", 0, 10)]
    assert words_text(words) == "Definición de políticas"


@pytest.mark.parametrize("lines,expected", [
    (["situación-", "Identificación"], "situación-Identificación"),
    (["2021 -", "2025"], "2021 - 2025"),
    (["uno", "dos"], "uno dos"),
])
def test_join_lines(lines, expected):
    assert join_lines(lines) == expected


def test_row_tail_rules():
    prev = [("22.22", "Mantenimiento de", "Gestion de")]
    cells = [Cell(0, j, t) for j, t in enumerate(prev[0])]
    assert is_row_tail(("", "equipos a nivel nacional", "bienes"), prev, cells)
    # a new row with its own code is not a tail
    assert not is_row_tail(("22.23", "Otra operación", "x"), prev, cells)
    # capitalised tail: continues a cell that did not end a sentence, fewer cells filled
    prev2 = [("", "MEUNAI 7", "4.1.7.1", "Mediante la")]
    cells2 = [Cell(0, j, t) for j, t in enumerate(prev2[0])]
    assert is_row_tail(("", "", "", "Planificación y Ejecución"), prev2, cells2)
    prev3 = [("", "MEUNAI 7", "4.1.7.1", "Termina aquí.")]
    cells3 = [Cell(0, j, t) for j, t in enumerate(prev3[0])]
    assert not is_row_tail(("", "", "", "Planificación"), prev3, cells3)


def _table(pagina, orden, rows, n_header=1, top=40.0, titulo=None):
    cells = tuple(Cell(i, j, t, (j * 50.0, top + i * 10, j * 50.0 + 50, top + i * 10 + 10), 1, 1, pagina)
                  for i, r in enumerate(rows) for j, t in enumerate(r))
    return Table(pagina, orden, "lattice", (0, top, 50.0 * len(rows[0]), top + 10 * len(rows)),
                 tuple(tuple(r) for r in rows), (pagina,) * len(rows), n_header, titulo, cells)


def test_continuation_with_repeated_header_is_one_table():
    a = _table(1, 1, [("COD", "TAREA"), ("4.1.1", "uno")])
    b = _table(2, 1, [("COD", "TAREA"), ("4.1.2", "dos")])
    merged = merge_continuations([a, b], {2: 100.0})
    assert len(merged) == 1
    assert merged[0].rows == (("COD", "TAREA"), ("4.1.1", "uno"), ("4.1.2", "dos"))
    assert merged[0].row_pages == (1, 1, 2)


def test_captioned_table_on_next_page_is_a_new_table():
    a = _table(1, 1, [("COD", "TAREA"), ("4.1.1", "uno")])
    b = _table(2, 1, [("COD", "TAREA"), ("4.1.2", "dos")], titulo="CUADRO 2")
    assert len(merge_continuations([a, b], {2: 100.0})) == 2


def test_header_count_two_levels_and_key_value():
    rows = [["N°", "FECHA PREVISTA", ""], ["", "Inicio", "Fin"], ["22.1", "1-ene-19", "31-dic-19"]]
    cells = [Cell(0, 0, "N°", rowspan=2), Cell(0, 1, "FECHA PREVISTA", colspan=2),
             Cell(1, 1, "Inicio"), Cell(1, 2, "Fin")]
    assert count_header(rows, cells) == 2
    kv = [["ÁREA ORGANIZACIONAL:", "DNAF"], ["GESTIÓN DEL POA:", "2021"]]
    assert count_header(kv, [Cell(0, 0, kv[0][0]), Cell(0, 1, kv[0][1])]) == 0


def test_segments_split_on_wide_gaps():
    line = [W("La", 0, 0, 10), W("Paz", 13, 0, 30), W("508.076", 120, 0, 150)]
    assert [[w.text for w in s] for s in segments(line)] == [["La", "Paz"], ["508.076"]]


def test_dotted_signature_line_is_joined():
    dots = [{"x0": x, "x1": x + 1, "top": 160.0, "bottom": 160.8} for x in range(436, 653, 2)]
    assert horizontal_rules(dots) == [(436.0, 160.0, 653.0, 160.8)]


# ---- real pages --------------------------------------------------------------------

def _ruled(pdf_name, page_no):
    with pdfplumber.open(corpus_pdf(pdf_name)) as pdf:
        p = pdf.pages[page_no - 1]
        page = read_page(p)
        return page, find_ruled(p, page.words)


def test_segip_merged_action_cell_without_closing_rule():
    _, found = _ruled("segip_poa_2021.pdf", 1)
    bbox, rows, cells = found[1]
    assert rows[0][:3] == ["COD. ACCIÓN DE CP", "ACCIÓN DE CORTO PLAZO 2021", "COD. OP"]
    assert rows[1][0] == "4.1" and rows[1][2] == "DNAF 1"
    assert rows[2][0] == "" and rows[2][5] == "4.1.1.2"
    assert any(c.col == 0 and c.rowspan > 3 and c.text == "4.1" for c in cells)


def test_digemig_open_bottom_row_is_read():
    _, found = _ruled("digemig_poa_2019.pdf", 5)
    rows = found[0][1]
    assert rows[-1][0] == "22.22" and rows[-1][7] == "22.22.1.1"


def test_whitespace_table_in_report_page():
    page, found = _ruled("segip_rendicion_cuentas_2020.pdf", 3)
    tables = find_stream(page.words, [f[0] for f in found], page.width, 3)
    grids = [rows for _, rows, _ in tables]
    hit = [g for g in grids if g and g[0] == ["Depto/Oficina", "2020"]]
    assert hit, grids
    assert ["La Paz", "508.076"] in hit[0]
