"""Reading frames: text direction from the geometry, sideways layers, rules and fills."""
from __future__ import annotations

import pdfplumber
import pytest

from extract.layout import (Fill, char_directions, fix_rtl_words, frame_size, page_graphics,
                            read_layers, to_frame, to_page)
from extract.models import Word
from extract.text_layer import read_words
from tests.extract.printed import make_pdf


def C(text, x0, top, x1, bottom, size=10.0, upright=True):
    return {"text": text, "x0": x0, "top": top, "x1": x1, "bottom": bottom, "size": size,
            "upright": upright}


def test_directions_from_the_advance_of_chars():
    ltr = [C("a", 0, 0, 5, 10), C("b", 5, 0, 10, 10)]
    ttb = [C("a", 0, 0, 10, 5, upright=False), C("b", 0, 5, 10, 10, upright=False)]
    btt = [C("a", 0, 5, 10, 10, upright=False), C("b", 0, 0, 10, 5, upright=False)]
    flip = [C("a", 5, 0, 10, 10), C("b", 0, 0, 5, 10)]
    hebrew = [C("ש", 5, 0, 10, 10), C("ל", 0, 0, 5, 10)]
    assert char_directions(ltr) == ["ltr", "ltr"]
    assert char_directions(ttb) == ["ttb", "ttb"]
    assert char_directions(btt) == ["btt", "btt"]
    assert char_directions(flip) == ["flip", "flip"]
    assert char_directions(hebrew) == ["ltr", "ltr"]       # visual order, fixed later


def test_consecutive_lines_are_not_taken_for_vertical_text():
    # the last char of a line and the first of the next one below: no vote
    a, b = C("x", 300, 0, 305, 10), C("y", 0, 12, 5, 22)
    assert char_directions([a, b]) == ["ltr", "ltr"]


@pytest.mark.parametrize("direction", ["ltr", "ttb", "btt", "flip"])
def test_frames_round_trip(direction):
    pw, ph = 595.0, 842.0
    b = (100.0, 200.0, 150.0, 260.0)
    fb = to_frame(b, direction, pw, ph)
    assert to_page(fb, direction, pw, ph) == pytest.approx(b)
    fw, fh = frame_size(direction, pw, ph)
    assert 0 <= fb[0] < fb[2] <= fw and 0 <= fb[1] < fb[3] <= fh


def test_rtl_words_read_in_logical_order():
    assert [w.text for w in fix_rtl_words([Word("לכה", (0, 0, 1, 1)), Word("2014", (0, 0, 1, 1))])] \
        == ["הכל", "2014"]


def test_sideways_page_has_a_turned_layer(tmp_path):
    path = make_pdf(tmp_path / "side.pdf", "grid", sideways="cw")
    with pdfplumber.open(path) as pdf:
        p = pdf.pages[0]
        layers = read_layers(p, read_words(p))
    assert [ly.direction for ly in layers] == ["ltr", "btt"]
    side = layers[1]
    assert (side.width, side.height) == (layers[0].height, layers[0].width)
    texts = [w.text for w in side.words]
    assert "Descripción" in texts and "1.200,00" in texts     # read left to right
    assert side.rules and all(r.orientation in "hv" for r in side.rules)


def test_fills_and_rules_of_a_shaded_table(tmp_path):
    path = make_pdf(tmp_path / "shaded.pdf", "shaded")
    with pdfplumber.open(path) as pdf:
        rules, fills = page_graphics(pdf.pages[0])
    assert rules == ()                           # shading only: no rule is drawn
    assert fills and all(isinstance(f, Fill) for f in fills)
    assert min(f.gray for f in fills) < 0.5      # the dark header band
