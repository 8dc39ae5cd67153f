"""OCR number repair: candidate readings (never a choice by themselves)."""
import pytest

from normalize.repair import readings


@pytest.mark.parametrize("text,first", [
    ("46,890,00", 46890.00),        # thousands and decimal both read as ','
    ("1.3S2.834,00", 1352834.00),   # a 5 read as S
    ("5O0", 500.0),                 # an O for a zero
    ("-1.2O0,5", -1200.5),
])
def test_most_plausible_reading_first(text, first):
    assert readings(text)[0] == pytest.approx(first)


def test_wrong_decimal_grouping_offers_the_true_value():
    assert 31298889.09 in readings("31,298,88909")


@pytest.mark.parametrize("text", ["", None, "abc", "TOTAL", "12 documentos"])
def test_no_reading_for_text(text):
    assert readings(text) == []


def test_no_duplicates():
    r = readings("100")
    assert len(r) == len(set(r))
