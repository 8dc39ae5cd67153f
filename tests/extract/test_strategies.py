"""Each table strategy, and the choice between them, on pages built in the test: the
same table printed as a full grid, with booktabs rules, shaded rows, rules between rows
only, without rules, sideways, on a page with /Rotate (tests/extract/printed.py)."""
from __future__ import annotations

from collections import Counter

import pdfplumber
import pytest

from extract.layout import read_layers
from extract.tables import STRATEGIES, find_tables, merge_continuations, top_limit
from extract.tables.base import words_in
from extract.text_layer import read_page
from tests.extract.printed import EXPECTED, make_pdf, make_two_pages


def _layers(path, page=1):
    with pdfplumber.open(path) as pdf:
        p = pdf.pages[page - 1]
        pg = read_page(p)
        return read_layers(p, pg.words), pg


def _grid(t):
    return [list(r) for r in t.rows]


# style -> the strategy that must read it exactly (others may too, or not)
STYLES = [("grid", "lattice"), ("booktabs", "hybrid"), ("shaded", "hybrid"),
          ("ruled_rows", "hybrid"), ("plain", "stream")]


@pytest.mark.parametrize("style,strategy", STYLES)
def test_strategy_reads_its_print_style(tmp_path, style, strategy):
    layers, _ = _layers(make_pdf(tmp_path / f"{style}.pdf", style))
    cands = STRATEGIES[strategy].find(layers[0])
    assert any(c.rows == tuple(tuple(r) for r in EXPECTED) for c in cands), \
        [c.rows for c in cands]
    best = max(cands, key=lambda c: c.confianza)
    assert 0.0 < best.confianza <= 1.0


@pytest.mark.parametrize("style", [s for s, _ in STYLES])
def test_every_style_gives_the_same_logical_table(tmp_path, style):
    layers, _ = _layers(make_pdf(tmp_path / f"{style}.pdf", style))
    tables = find_tables(layers)
    assert len(tables) == 1, [t.rows for t in tables]
    t = tables[0]
    assert _grid(t) == EXPECTED          # the wrapped description is one value
    assert t.n_header == 1
    assert t.titulo == "Cuadro 1. Ejecución presupuestaria"
    assert "Fuente" not in " ".join(" ".join(r) for r in t.rows)   # the note is not a row


def test_lattice_finds_nothing_without_rules(tmp_path):
    layers, _ = _layers(make_pdf(tmp_path / "plain.pdf", "plain"))
    assert STRATEGIES["lattice"].find(layers[0]) == []


def test_grid_is_kept_as_lattice_over_the_other_readings(tmp_path):
    layers, _ = _layers(make_pdf(tmp_path / "grid.pdf", "grid"))
    (t,) = find_tables(layers)
    assert t.metodo == "lattice" and t.confianza == 1.0


def test_two_level_header_keeps_the_parent_label(tmp_path):
    layers, _ = _layers(make_pdf(tmp_path / "two.pdf", "booktabs", parent=("Presupuesto", 2, 3)))
    (t,) = find_tables(layers)
    assert t.n_header == 2
    assert list(t.rows[0]) == ["Código", "Descripción", "Presupuesto", "", "Ejecutado"]
    assert list(t.rows[1]) == ["", "", "Inicial", "Vigente", ""]
    assert any(c.row == 0 and c.col == 2 and c.colspan == 2 for c in t.cells)


def test_section_row_stays_in_the_table(tmp_path):
    rows = [["1.1", "Servicios personales", "1.000,00", "1.200,00", "900,50"],
            ["", "Fuente 41 - Transferencias TGN", "", "", ""],
            ["1.2", "Materiales", "500,00", "450,00", "300,00"],
            ["1.3", "Activos reales", "250,00", "250,00", "0,00"]]
    layers, _ = _layers(make_pdf(tmp_path / "sec.pdf", "plain", rows=rows))
    tables = find_tables(layers)
    assert len(tables) == 1
    assert _grid(tables[0])[1:] == rows


@pytest.mark.parametrize("turn", ["cw", "ccw"])
def test_sideways_table_is_read_in_reading_orientation(tmp_path, turn):
    layers, _ = _layers(make_pdf(tmp_path / f"side_{turn}.pdf", "grid", sideways=turn))
    assert [ly.direction for ly in layers][1:] == ["btt" if turn == "cw" else "ttb"]
    tables = find_tables(layers)
    assert [_grid(t) for t in tables] == [EXPECTED]
    t = tables[0]
    # the boxes are on the displayed page (a portrait page): the table is taller than wide
    assert t.bbox[3] - t.bbox[1] > t.bbox[2] - t.bbox[0]


def test_page_with_rotate_is_read_as_displayed(tmp_path):
    layers, pg = _layers(make_pdf(tmp_path / "rot.pdf", "plain", rotate_page=90))
    assert pg.width > pg.height
    assert [_grid(t) for t in find_tables(layers)] == [EXPECTED]


@pytest.mark.parametrize("style", ["grid", "booktabs", "plain"])
@pytest.mark.parametrize("caption", [None, "Cuadro 5. Ejecución por partida (continuación)"])
def test_continuation_joins_for_every_strategy(tmp_path, style, caption):
    path = make_two_pages(tmp_path / f"two_{style}.pdf", style, caption)
    tables, tops = [], {}
    for n in (1, 2):
        layers, pg = _layers(path, n)
        tables += find_tables(layers)
        tops[n] = top_limit(pg)
    merged = merge_continuations(tables, tops)
    assert len(merged) == 1, [(t.pagina, t.metodo, t.titulo, t.rows[:1]) for t in tables]
    assert _grid(merged[0]) == EXPECTED
    assert merged[0].row_pages == (1, 1, 1, 2, 2)


@pytest.mark.parametrize("style,sideways", [(s, None) for s, _ in STYLES] + [("grid", "cw"), ("plain", "ccw")])
def test_nothing_lost_in_built_pages(tmp_path, style, sideways):
    layers, _ = _layers(make_pdf(tmp_path / f"{style}.pdf", style, sideways=sideways))
    for t in find_tables(layers):
        layer = next(ly for ly in layers if ly.direction == t.direction)
        inside = [layer.words[i] for i in words_in(layer, t.frame_bbox, 0.0)]
        assert Counter("".join(w.text for w in inside).replace(" ", "")) == \
            Counter("".join("".join(r) for r in t.rows).replace(" ", ""))


def _page_with_lines(path, lines):
    """A page of running text with extra lines: ``(x, top, text)`` in points, top-left."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    w, h = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 9)
    body = ("El servicio emitió las cédulas de identidad solicitadas en todas las oficinas del "
            "país durante la gestión, según el reporte del sistema.")
    for k in range(3):
        c.drawString(60, h - (80 + 12 * k), body)
    for x, top, text in lines:
        c.drawString(x, h - top, text)
    for k in range(3):
        c.drawString(60, h - (200 + 12 * k), body)
    c.showPage()
    c.save()
    return path


def test_a_lone_centred_line_of_a_label_and_a_figure_is_a_one_row_table(tmp_path):
    # the report's small key-figure tables: a bold caption, then one centred row
    pdf = _page_with_lines(tmp_path / "lone.pdf", [
        (190, 140, "CEDULAS GRATUITAS A NIVEL NACIONAL EMITIDAS EN LA GESTIÓN"),
        (212, 156, "Refugiados y Permanencia humanitaria"), (422, 156, "90")])
    layers, _ = _layers(pdf)
    tables = find_tables(layers)
    assert [_grid(t) for t in tables] == [[["Refugiados y Permanencia humanitaria", "90"]]]


def test_a_label_and_figure_set_apart_at_the_left_margin_is_running_text(tmp_path):
    pdf = _page_with_lines(tmp_path / "prose.pdf", [
        (60, 156, "Total recaudado en la gestión"), (250, 156, "8.120.300")])
    layers, _ = _layers(pdf)
    assert find_tables(layers) == []


def test_a_sentence_introducing_a_small_table_set_to_the_right_is_not_its_header():
    # a full-width row of a table above, the sentence at the left margin, then a small
    # two-column table further right: no proposal has the sentence over the table
    from extract.models import Word
    from extract.tables.stream import proposals

    def line(top, *runs):
        out = []
        for text, x0 in runs:
            x = x0
            for t in text.split():
                out.append(Word(t, (x, top, x + 5.0 * len(t), top + 8.0)))
                x += 5.0 * len(t) + 2.5
        return out

    block = [line(38, ("Dirección Departamental La Paz", 60), ("31", 520)),
             line(49, ("Dirección Departamental Oruro", 60), ("12", 520)),
             line(60, ("Dirección Departamental Chuquisaca", 60), ("27", 520)),
             line(90, ("Certificaciones a instituciones públicas y órdenes judiciales.", 60)),
             line(101, ("CERTIFICACIÓN", 230), ("TOTAL", 360)),
             line(112, ("Certificaciones QR", 230), ("400", 360)),
             line(123, ("Certificaciones públicas", 230), ("500", 360))]
    parts = proposals(block)
    assert parts[0] == block                       # the whole region is still proposed
    table = block[4:]
    assert table in parts
    # no part opens with the sentence as the header row of the table under it
    assert not any(part[0] is block[3] and len(part) > 1 for part in parts[1:])
