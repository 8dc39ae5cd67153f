"""The structure engine behind the whitespace and hybrid strategies, on hand-made
geometry: value kinds, gutters, logical rows, header levels."""
from __future__ import annotations

import pytest

from extract.models import Word
from extract.tables.kinds import is_dot_leader, kind_of
from extract.tables.structure import Cues, build, line_gap_threshold


def W(text, x0, top, x1=None, h=8.0):
    return Word(text, (x0, top, x1 if x1 is not None else x0 + 5 * len(text), top + h))


def right(text, x1, top):
    return W(text, x1 - 5 * len(text), top, x1)


@pytest.mark.parametrize("text,kind", [
    ("1.332.834,00", "number"), ("-798.723,55", "number"), ("(1,234.50)", "number"), ("–", "number"),
    ("5,01%", "percent"), ("100 %", "percent"), ("1-ene-19", "date"), ("31/12/2020", "date"),
    ("22.1.1", "code"), ("4.2.", "code"), ("DNAF 1", "code"), ("ME UNAI 3", "code"), ("00 0 001", "code"),
    ("1.332", "number"), ("Servicios personales", "text"), ("", "empty"),
])
def test_kinds(text, kind):
    assert kind_of(text) == kind


def test_dot_leaders():
    assert is_dot_leader(". . . .") and is_dot_leader(".") and not is_dot_leader("1.2")


def _rows(lines):
    return [w for ln in lines for w in ln]


def test_tight_columns_flush_on_both_sides_are_two_columns():
    # license numbers right-aligned at x=70, types left-aligned at x=73: a 3 pt gutter
    words = []
    for k, (num, typ) in enumerate([("648765", "AAA"), ("82030", "AAB"), ("509462", "AAA"),
                                    ("79145", "BCC"), ("600941", "AAA"), ("478482", "DAA")]):
        top = 10 + 11 * k
        words += [right(num, 70, top), W(typ, 73, top), W("OKLAHOMA", 120, top)]
    s = build(words, (30, 10, 170, 80))
    assert s is not None and s.n_cols == 3
    assert s.rows[0] == ["648765", "AAA", "OKLAHOMA"]


def test_space_between_words_of_a_long_value_is_no_column():
    lines = [[W("CÓDIGO", 0, 0), W("PEI", 40, 0), W("11.3.316.2", 150, 0)],
             [W("ACCIÓN", 0, 11), W("INSTITUCIONAL", 40, 11), W("Fortalecimiento", 150, 11),
              W("y", 228, 11), W("gestión", 236, 11)],
             [W("PONDERACIÓN", 0, 22), W("%", 60, 22), W("5,01%", 150, 22)]]
    s = build(_rows(lines), (0, 0, 280, 30))
    assert s.n_cols == 2
    assert s.rows[1] == ["ACCIÓN INSTITUCIONAL", "Fortalecimiento y gestión"]


def test_padded_rows_and_wrapped_lines():
    # rows padded apart (gap 8), a wrapped cell at the line spacing (gap 2)
    tops = [0, 18, 28, 46]
    lines = [[W("1.1", 0, tops[0]), W("Uno", 40, tops[0]), right("10,00", 200, tops[0])],
             [W("1.2", 0, tops[1]), W("Materiales y", 40, tops[1]), right("20,00", 200, tops[1])],
             [W("suministros", 40, tops[2])],
             [W("1.3", 0, tops[3]), W("Tres", 40, tops[3]), right("30,00", 200, tops[3])]]
    s = build(_rows(lines), (0, 0, 200, 60))
    assert s.rows == [["1.1", "Uno", "10,00"], ["1.2", "Materiales y suministros", "20,00"],
                      ["1.3", "Tres", "30,00"]]



def test_line_spacing_tells_wrapped_lines_from_rows():
    # two wrapped cells (gap 2) among padded rows (gap 8): the threshold falls between
    tops = [0, 18, 28, 46, 56, 74]
    lines = [[W("x", 0, t)] for t in tops]
    thr = line_gap_threshold(lines, [False, False, True, False, True, False])
    assert thr is not None and 2 < thr < 10
    # uniform spacing: no threshold
    assert line_gap_threshold([[W("x", 0, 10 * k)] for k in range(6)]) is None


def test_uniform_lines_are_rows_unless_they_continue():
    # no padding: every line with a figure is a row; a lowercase line continues
    lines = [[W("Robbery", 0, 0), right("102.1", 200, 0)],
             [W("Murder", 0, 9), W("and", 40, 9)],
             [W("manslaughter", 0, 18), right("10.0", 200, 18)],
             [W("Arson", 0, 27), right("9.8", 200, 27)]]
    s = build(_rows(lines), (0, 0, 200, 40))
    assert [r[0] for r in s.rows] == ["Robbery", "Murder and", "manslaughter", "Arson"]


def test_header_over_typed_columns_and_its_parent():
    lines = [[W("Presupuesto", 120, 0)],
             [W("Código", 0, 10), right("Inicial", 150, 10), right("Vigente", 210, 10)],
             [W("1.1", 0, 22), right("1.000,00", 150, 22), right("1.200,00", 210, 22)],
             [W("1.2", 0, 33), right("500,00", 150, 33), right("450,00", 210, 33)],
             [W("1.3", 0, 44), right("250,00", 150, 44), right("250,00", 210, 44)]]
    s = build(_rows(lines), (0, 0, 210, 55))
    assert s.n_header == 2
    # a column's own header text sits in the top row (the spanning cell's convention)
    assert s.rows[0] == ["Código", "Presupuesto", ""] and s.rows[1] == ["", "Inicial", "Vigente"]
    assert any(c.row == 0 and c.col == 1 and c.colspan == 2 for c in s.cells)


def test_drawn_rule_separates_rows_and_confidence_is_measured():
    lines = [[W("A", 0, 0), right("1", 100, 0)], [W("B", 0, 10), right("2", 100, 10)],
             [W("C", 0, 20), right("3", 100, 20)]]
    from extract.layout import Rule
    cues = Cues(h_rules=(Rule("h", 0, 9, 100, 9), Rule("h", 0, 19, 100, 19)))
    s = build(_rows(lines), (0, 0, 100, 30), cues)
    assert s.rows == [["A", "1"], ["B", "2"], ["C", "3"]]
    assert 0 < s.confianza <= 1 and set(s.measures) >= {"alineacion", "relleno", "limpieza"}


def test_the_middle_line_of_a_wrapped_label_is_no_parent():
    """mark_parents: a label between two sub-labels of other columns, none under it, is
    the middle line of a three-line label, not a parent; FECHA PREVISTA over Inicio | Fin
    is one."""
    from extract.models import Word
    from extract.tables.header import mark_parents
    from extract.tables.pieces import Piece

    def piece(line, col, text, x0, x1):
        return Piece(line, col, [Word(text, (x0, 40.0 + 4 * line, x1, 43.0 + 4 * line))])

    header = [[piece(0, 0, "CÓDIGO", 34, 63)],
              [piece(1, 1, "ACCIÓN DE CORTO PLAZO", 73, 166)],
              [piece(2, 0, "ACP", 42, 56), piece(2, 2, "OPERACIÓN", 175, 218)]]
    mark_parents(header)
    assert [(p.col, p.span) for p in header[1]] == [(1, 1)]
    fecha = [[piece(0, 1, "FECHA PREVISTA", 100, 160)],
             [piece(1, 1, "Inicio", 95, 120), piece(1, 2, "Fin", 140, 160)]]
    mark_parents(fecha)
    assert [(p.col, p.span) for p in fecha[0]] == [(1, 2)]
