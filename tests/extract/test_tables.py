"""Table reconstruction: grids with merged cells, page-break tails, continuation over
pages, captions — on hand-made geometry and on real corpus pages."""
from __future__ import annotations

import pdfplumber
import pytest

from extract.geometry import join_wrapped, text_of
from extract.grid import build_grid
from extract.layout import Layer, Rule, read_layers
from extract.models import Cell, Table, Word
from extract.tables import find_tables, merge_continuations
from extract.tables.captions import find_title, is_continuation_title, without_continuation_mark
from extract.tables.continuation import is_row_tail
from extract.tables.lattice import count_header
from extract.tables.stream import blank_column
from extract.tables.structure import segments
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


def test_grid_keeps_a_word_printed_on_a_rule():
    # the word straddles the rule between two cells: it is not dropped
    rects = [(0, 0, 50, 20), (50, 0, 100, 20)]
    words = [W("izq", 5, 5, 25), W("sobre", 45, 5, 56)]
    rows, _ = build_grid(rects, words, 1, bbox=(0, 0, 100, 20))
    assert sorted(" ".join(rows[0]).split()) == ["izq", "sobre"]


def test_wrapped_text_is_one_value():
    words = [W("Definición", 0, 0), W("de", 70, 0), W("políticas", 0, 10)]
    assert text_of(words) == "Definición de políticas"


@pytest.mark.parametrize("lines,expected", [
    (["situación-", "Identificación"], "situación-Identificación"),
    (["2021 -", "2025"], "2021 - 2025"),
    (["uno", "dos"], "uno dos"),
])
def test_join_wrapped(lines, expected):
    assert join_wrapped(lines) == expected


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


def _table(pagina, orden, rows, n_header=1, top=40.0, titulo=None, metodo="lattice"):
    cells = tuple(Cell(i, j, t, (j * 50.0, top + i * 10, j * 50.0 + 50, top + i * 10 + 10), 1, 1, pagina)
                  for i, r in enumerate(rows) for j, t in enumerate(r))
    width = 50.0 * len(rows[0])
    return Table(pagina, orden, metodo, (0, top, width, top + 10 * len(rows)),
                 tuple(tuple(r) for r in rows), (pagina,) * len(rows), n_header, titulo, cells,
                 frame_bbox=(0, top, width, top + 10 * len(rows)),
                 col_starts=tuple(j * 50.0 for j in range(len(rows[0]))))


def test_continuation_with_repeated_header_is_one_table():
    a = _table(1, 1, [("COD", "TAREA"), ("4.1.1", "uno")])
    b = _table(2, 1, [("COD", "TAREA"), ("4.1.2", "dos")])
    merged = merge_continuations([a, b], {2: 100.0})
    assert len(merged) == 1
    assert merged[0].rows == (("COD", "TAREA"), ("4.1.1", "uno"), ("4.1.2", "dos"))
    assert merged[0].row_pages == (1, 1, 2)


def test_captioned_table_on_next_page_is_a_new_table():
    a = _table(1, 1, [("COD", "TAREA"), ("4.1.1", "uno")], titulo="CUADRO 1")
    b = _table(2, 1, [("COD", "TAREA"), ("4.1.2", "dos")], titulo="CUADRO 2")
    assert len(merge_continuations([a, b], {2: 100.0})) == 2


@pytest.mark.parametrize("caption", [
    "CUADRO 1 (continuación)", "Cuadro 1 — Continued", "Cont. Cuadro 1", "CUADRO 1 (cont.)",
    "Cuadro 1 (Contd...)"])
def test_continuation_whose_caption_says_so(caption):
    a = _table(1, 1, [("COD", "TAREA"), ("4.1.1", "uno")], titulo="CUADRO 1")
    # read by another strategy, header not recognised as such on the second page
    b = _table(2, 1, [("COD", "TAREA"), ("4.1.2", "dos")], n_header=0, titulo=caption, metodo="stream")
    merged = merge_continuations([a, b], {2: 100.0})
    assert len(merged) == 1, caption
    assert merged[0].rows[-1] == ("4.1.2", "dos")
    assert ("COD", "TAREA") not in merged[0].rows[1:]


@pytest.mark.parametrize("title,mark", [
    ("Cuadro 5 (continuación)", True), ("CUADRO 5", False), ("Tabla 2 - cont.", True),
    ("Contrato de obra", False), ("Table 21 — Continued", True)])
def test_continuation_marks(title, mark):
    assert is_continuation_title(title) is mark
    assert "cont" not in without_continuation_mark(title) or not mark


def test_header_count_two_levels_and_key_value():
    rows = [["N°", "FECHA PREVISTA", ""], ["", "Inicio", "Fin"], ["22.1", "1-ene-19", "31-dic-19"]]
    cells = [Cell(0, 0, "N°", rowspan=2), Cell(0, 1, "FECHA PREVISTA", colspan=2),
             Cell(1, 1, "Inicio"), Cell(1, 2, "Fin")]
    assert count_header(rows, cells) == 2
    kv = [["ÁREA ORGANIZACIONAL:", "DNAF"], ["GESTIÓN DEL POA:", "2021"]]
    assert count_header(kv, [Cell(0, 0, kv[0][0]), Cell(0, 1, kv[0][1])]) == 0


def test_segments_split_on_wide_gaps():
    line = [W("La", 0, 0, 10), W("Paz", 13, 0, 30), W("508.076", 120, 0, 150)]
    assert [[w.text for w in s] for s in segments(line, 7.2)] == [["La", "Paz"], ["508.076"]]


def test_dotted_signature_line_is_a_blank_column():
    dots = tuple(Rule("h", float(x), 160.0, x + 1.0, 160.0) for x in range(436, 653, 2))
    layer = Layer(1, 800, 600, (), dots)
    assert blank_column(layer, (30.0, 150.0, 300.0, 170.0)) == (436.0, 653.0)


def test_caption_is_never_a_row_set_out_in_columns():
    words = [W("Cuadro", 0, 0), W("3", 45, 0),
             W("Total", 0, 20), W("2,799", 100, 20), W("468", 200, 20), W("2,330", 300, 20)]
    # the table below starts at y=40; the 'Total' line above it is a row, not a caption
    assert find_title(words, (0, 40, 340, 100), []) == []


# ---- real pages --------------------------------------------------------------------

def _tables(pdf_name, page_no):
    with pdfplumber.open(corpus_pdf(pdf_name)) as pdf:
        p = pdf.pages[page_no - 1]
        page = read_page(p)
        return find_tables(read_layers(p, page.words))


def test_segip_merged_action_cell_without_closing_rule():
    t = next(t for t in _tables("segip_poa_2021.pdf", 1) if t.n_cols > 5)
    assert t.metodo == "lattice"
    assert list(t.rows[0][:3]) == ["COD. ACCIÓN DE CP", "ACCIÓN DE CORTO PLAZO 2021", "COD. OP"]
    assert t.rows[1][0] == "4.1" and t.rows[1][2] == "DNAF 1"
    assert t.rows[2][0] == "" and t.rows[2][5] == "4.1.1.2"
    assert any(c.col == 0 and c.rowspan > 3 and c.text == "4.1" for c in t.cells)


def test_digemig_open_bottom_row_is_read():
    t = next(t for t in _tables("digemig_poa_2019.pdf", 5) if t.n_cols == 10)
    assert t.rows[-1][0] == "22.22" and t.rows[-1][7] == "22.22.1.1"


def test_whitespace_table_in_report_page():
    tables = _tables("segip_rendicion_cuentas_2020.pdf", 3)
    hit = [t for t in tables if t.rows and list(t.rows[0]) == ["Depto/Oficina", "2020"]]
    assert hit and hit[0].metodo == "stream", [t.rows[:2] for t in tables]
    assert ("La Paz", "508.076") in hit[0].rows
    assert hit[0].rows[-1] == ("Total General", "2.017.106")   # one table, not cut in two
