"""The one geometry module: boxes, clustering, words into lines (vertical-centre rule)."""
from __future__ import annotations

import pytest

from extract.geometry import (centre_inside, cluster, group_lines, inside, is_rtl, join_wrapped,
                              line_text, merge_intervals, overlap_share, text_of, union)
from extract.models import Word


def W(text, x0, top, x1=None, h=8.0):
    return Word(text, (x0, top, x1 if x1 is not None else x0 + 6 * len(text), top + h))


def test_boxes():
    assert union([(0, 0, 10, 10), (5, -2, 20, 4)]) == (0, -2, 20, 10)
    assert inside((1, 1, 9, 9), (0, 0, 10, 10)) and not inside((1, 1, 11, 9), (0, 0, 10, 10))
    assert inside((1, 1, 11, 9), (0, 0, 10, 10), tol=1.0)
    assert centre_inside((8, 0, 12, 4), (0, 0, 10, 10))
    assert overlap_share((0, 0, 10, 10), (5, 5, 7, 7)) == 1.0
    with pytest.raises(ValueError):
        union([])


@pytest.mark.parametrize("values,tol,expected", [
    ([1, 2, 10], 2, [1.5, 10]),
    ([1, 2, 3, 4], 1, [2.5]),          # chained: single linkage
    ([], 1, []),
])
def test_cluster(values, tol, expected):
    assert cluster(values, tol) == expected


def test_merge_intervals():
    assert merge_intervals([(5, 6), (0, 2), (1, 3)]) == [(0, 3), (5, 6)]
    assert merge_intervals([(0, 2), (2.5, 3)], gap=1) == [(0, 3)]


def test_group_lines_by_vertical_centre_with_wobbling_ocr_boxes():
    # OCR boxes of one printed line: tops differ by 4 pt, centres by 1 pt
    words = [W("UNIDAD", 0, 100, h=12), W("DE", 60, 104, h=5), W("PLANIFICACIÓN", 80, 101, h=10),
             W("siguiente", 0, 118)]
    lines = group_lines(words)
    assert [[w.text for w in ln] for ln in lines] == [["UNIDAD", "DE", "PLANIFICACIÓN"], ["siguiente"]]


def test_group_lines_keeps_close_lines_apart():
    words = [W("a", 0, 0, h=8), W("b", 0, 9, h=8), W("c", 20, 0.5, h=8)]
    assert [[w.text for w in ln] for ln in group_lines(words)] == [["a", "c"], ["b"]]


def test_text_of_a_wrapped_cell():
    words = [W("Modernización", 0, 0), W("y", 90, 0), W("descon-", 0, 10), W("centración", 0, 20)]
    assert text_of(words) == "Modernización y descon-centración"
    assert join_wrapped(["", "a", "b"]) == "a b"


def test_right_to_left_line_reads_right_to_left():
    # Hebrew words, left to right on the page, already turned into logical order
    line = [W("הכל", 0, 0), W("סך", 40, 0)]
    assert is_rtl("סך הכל") and not is_rtl("2014 Total")
    assert line_text(line) == "סך הכל"
