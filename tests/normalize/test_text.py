"""normalize.text: clean_text and fold (DATASETS.md "Layout": NFC, whitespace folded, trimmed)."""

import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from normalize.text import clean_text, fold

SETTINGS = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize(
    "text, expected",
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("\n\t \r\n", None),
        ("\u00a0\u2009", None),  # only non-breaking / thin spaces
        ("a", "a"),
        ("a  b", "a b"),
        ("  a b  ", "a b"),
        ("ÁREA\nORGANIZACIONAL", "ÁREA ORGANIZACIONAL"),
        ("Plan\r\n\r\nOperativo\tAnual", "Plan Operativo Anual"),
        ("1.234\u00a0567", "1.234 567"),  # NBSP is whitespace
        ("a\u2009\u202fb", "a b"),  # thin + narrow no-break space
        ("a\u200bb", "a b"),  # zero-width space folded like a space
        ("\ufeffTítulo", "Título"),  # BOM
        ("Operacio\u0301n", "Operaci\u00f3n"),  # NFD input -> NFC
        ("CÓDIGO  Operación", "CÓDIGO Operación"),  # accents and case kept
        ("N° 036/2024", "N° 036/2024"),
    ],
)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


def test_clean_text_output_is_nfc():
    out = clean_text("Accio\u0301n")
    assert out == "Acción"
    assert unicodedata.is_normalized("NFC", out)
    assert len(out) == 6


@pytest.mark.parametrize(
    "text, expected",
    [
        ("CÓDIGO  Operación", "codigo operacion"),
        ("ÁREA\nORGANIZACIONAL", "area organizacional"),
        ("Ñandú", "nandu"),
        ("PINGÜINO", "pinguino"),
        ("Accio\u0301n", "accion"),  # decomposed input
        ("  Página 3 ", "pagina 3"),
        ("ponderación %", "ponderacion %"),
        ("abc", "abc"),
        (None, ""),
        ("", ""),
        ("  \n ", ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


def test_fold_makes_variants_equal():
    variants = ["Código Operación", "CODIGO OPERACION", "codigo\noperación", " Co\u0301digo  Operacio\u0301n "]
    assert len({fold(v) for v in variants}) == 1


@SETTINGS
@given(st.text())
def test_clean_text_properties(s):
    out = clean_text(s)
    if out is None:
        assert s.strip() == "" or all(ch.isspace() or ch in "\u200b\ufeff" for ch in s)
        return
    assert out == out.strip()
    assert "  " not in out
    assert "\n" not in out and "\t" not in out and "\u00a0" not in out
    assert unicodedata.is_normalized("NFC", out)
    assert clean_text(out) == out  # idempotent


@SETTINGS
@given(st.text())
def test_fold_properties(s):
    out = fold(s)
    assert isinstance(out, str)
    assert fold(out) == out  # idempotent
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", out))
