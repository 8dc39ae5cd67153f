"""Page classification: usable text layer, scan needing OCR, or blank."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pytest

from extract.classify import classify_page, image_share, is_garbage, text_layer_stats

SHARED = Path(__file__).parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
FIXTURE = Path(__file__).parents[1] / "fixtures" / "ocr" / "synthetic_scan.pdf"


def corpus_pdf(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{path} not found: this test needs ../shared/corpus beside the repo")
    return path


def fake_page(text: str = "", images=(), curves: int = 0, size=(595.0, 842.0)):
    """A stand-in for pdfplumber.Page with the attributes classify_page reads."""
    chars = [{"text": t} for t in _glyphs(text)]
    return SimpleNamespace(chars=chars, images=list(images), curves=[{}] * curves,
                           bbox=(0.0, 0.0, *size))


def _glyphs(text: str) -> list[str]:
    out, i = [], 0
    while i < len(text):  # keep "(cid:12)" as one glyph, as pdfminer does
        if text.startswith("(cid:", i):
            j = text.index(")", i) + 1
            out.append(text[i:j])
            i = j
        else:
            out.append(text[i])
            i += 1
    return out


FULL_IMAGE = {"x0": 0, "top": 0, "x1": 595, "bottom": 842}


def test_digital_corpus_page_is_text():
    with pdfplumber.open(corpus_pdf("segip_poa_2021.pdf")) as pdf:
        assert classify_page(pdf.pages[0]) == "text"


def test_scanned_corpus_page_is_scanned():
    with pdfplumber.open(corpus_pdf("cge_informe_digemig_2024.pdf")) as pdf:
        assert classify_page(pdf.pages[0]) == "scanned"
        assert image_share(pdf.pages[0]) == pytest.approx(1.0)
    with pdfplumber.open(corpus_pdf("segip_poa_2021_escaneado.pdf")) as pdf:
        assert {classify_page(p) for p in pdf.pages} == {"scanned"}


def test_fixture_image_only_pdf_is_scanned():
    with pdfplumber.open(FIXTURE) as pdf:
        assert [classify_page(p) for p in pdf.pages] == ["scanned", "scanned"]


def test_blank_page():
    assert classify_page(fake_page()) == "blank"
    small_logo = {"x0": 20, "top": 20, "x1": 60, "bottom": 60}
    assert classify_page(fake_page(images=[small_logo])) == "blank"


def test_outlined_text_without_chars_needs_ocr():
    assert classify_page(fake_page(curves=500)) == "scanned"
    assert classify_page(fake_page(curves=10)) == "blank"


def test_cid_garbage_with_image_is_scanned():
    garbage = "(cid:3)(cid:17)(cid:42)" * 40 + "ab"
    stats = text_layer_stats(fake_page(garbage))
    assert stats["cid_share"] > 0.9 and is_garbage(stats)
    assert classify_page(fake_page(garbage, images=[FULL_IMAGE])) == "scanned"


def test_replacement_chars_and_symbol_soup_are_garbage():
    assert classify_page(fake_page("\ufffd" * 50 + "abc")) == "scanned"
    assert classify_page(fake_page("\ue001\ue002" * 30)) == "scanned"
    assert classify_page(fake_page("·-·-|/_~^*" * 20 + "ab")) == "scanned"


def test_clean_text_layer_is_text_even_over_an_image():
    text = "Resolución Administrativa N° 036/2024 del Servicio General " * 5
    assert classify_page(fake_page(text)) == "text"
    # a searchable scan (invisible OCR layer over the image) keeps its text layer
    assert classify_page(fake_page(text, images=[FULL_IMAGE])) == "text"


def test_number_heavy_table_is_text():
    assert classify_page(fake_page("1.332.834,00 46.890,00 3.01 " * 30)) == "text"


def test_page_number_stamp_on_a_scan_is_scanned():
    assert classify_page(fake_page("Página 1 de 5", images=[FULL_IMAGE])) == "scanned"
