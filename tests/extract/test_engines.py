"""Issue 10: two OCR engines, the choice between them, the degraded-scan recipe.

Real pages only: corpus scans (skipped when ../shared is absent) and their degraded
copies made by :func:`extract.degrade.degrade`, which is checked to be deterministic.
"""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from extract import ppocr
from extract.degrade import Degradation, degrade, degraded_pdf
from extract.ocr import (DEFAULT_SECOND, OcrSettings, OcrWord, SecondEngine, choose_reading,
                         ocr_image, ocr_page, second_opinion)
from extract.preprocess import prepare_page, render_page, to_grayscale
from tests.conftest import CORPUS, corpus_pdf
from tests.extract.test_ocr import needs_tesseract

POA_SCAN = "segip_poa_2021_escaneado.pdf"


@pytest.fixture(scope="module")
def poa_page5() -> np.ndarray:
    """Page 5 of the scanned POA, rendered at 300 dpi, grayscale."""
    return to_grayscale(render_page(corpus_pdf(POA_SCAN), 5, 300))


# --------------------------------------------------------------------------- degrade


def test_degrade_is_deterministic_and_follows_the_recipe(poa_page5):
    a, angle_a = degrade(poa_page5, seed=7)
    b, angle_b = degrade(poa_page5, seed=7)
    c, angle_c = degrade(poa_page5, seed=8)
    assert angle_a == angle_b and np.array_equal(a, b)  # same seed, same bytes
    assert not np.array_equal(a, c)
    for angle in (angle_a, angle_c):
        assert 1.0 <= abs(angle) <= 2.0
    # 300 -> 150 dpi
    assert a.shape == (round(poa_page5.shape[0] / 2), round(poa_page5.shape[1] / 2))
    assert a.dtype == np.uint8
    # noise: the paper is no longer uniform, but stays light on average
    paper = a[:40, :40].astype(float)
    assert paper.std() > 4 and paper.mean() > 200
    # no noise, no rotation range, same dpi: only JPEG remains, close to the input
    mild, _ = degrade(poa_page5, 1, recipe=Degradation(dpi=300, min_deg=0, max_deg=0,
                                                       noise_sigma=0, jpeg_quality=95))
    assert np.abs(mild.astype(int) - poa_page5.astype(int)).mean() < 3


def test_degraded_pdf_is_an_image_scan_at_150_dpi(tmp_path):
    out = tmp_path / "deg.pdf"
    angles = degraded_pdf(corpus_pdf(POA_SCAN), [2, 5], out, seed=3)
    assert len(angles) == 2 and all(1 <= abs(a) <= 2 for a in angles)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(out))
    try:
        assert len(pdf) == 2
        w, h = pdf[0].get_size()
        orig = pdfium.PdfDocument(str(corpus_pdf(POA_SCAN)))
        ow, oh = orig[1].get_size()
        orig.close()
        assert (w, h) == pytest.approx((ow, oh), abs=1.0)  # page size kept in points
    finally:
        pdf.close()


# --------------------------------------------------------------------------- engines


def test_settings_validated_and_in_the_cache_key():
    DEFAULT_SECOND.validate()
    for bad in (replace(DEFAULT_SECOND, model="huge"), replace(DEFAULT_SECOND, max_conf=150),
                replace(DEFAULT_SECOND, name="easyocr")):
        with pytest.raises(ValueError):
            bad.validate()
    with_second, alone = OcrSettings(), OcrSettings(second=None)
    assert with_second.key() != alone.key()
    assert with_second.key()["second"]["model"] == "small"


def test_engine_id_names_the_model_files():
    ident = ppocr.engine_id("small")
    assert ident["model"] == "small" and len(ident["rec"]) == 64 and len(ident["chars"]) == 64
    assert ident != ppocr.engine_id("tiny")


def test_choose_reading_rule():
    e = SecondEngine(max_conf=93, margin=5)
    w = OcrWord("Fontalecer", (0, 0, 10, 10), 60.0, 1, 1, 1)
    assert choose_reading(w, "Fortalecer", 99.0, e).text == "Fortalecer"
    assert choose_reading(w, "Fortalecer", 99.0, e).engine == "ppocr"
    assert choose_reading(w, "Fortalecer", 64.0, e) is w  # not surer by the margin
    sure = replace(w, confidence=95.0)
    assert choose_reading(sure, "Fortalecer", 99.9, e) is sure  # Tesseract sure: not asked
    quoted = OcrWord("“Plan", (0, 0, 10, 10), 50.0, 1, 1, 1)
    assert choose_reading(quoted, '"Plan', 99.0, e) is quoted  # the printed quote is kept
    pct = OcrWord("10%", (0, 0, 10, 10), 50.0, 1, 1, 1)
    assert choose_reading(pct, "10 %", 99.0, e) is pct  # same letters: one word stays one
    y = OcrWord("y", (0, 0, 10, 10), 40.0, 1, 1, 1)
    assert choose_reading(y, ".", 99.0, e) is y  # a letter is not replaced by a dot
    assert choose_reading(y, "1", 99.0, e) is y  # nor by a digit
    bullet = OcrWord("•", (0, 0, 10, 10), 40.0, 1, 1, 1)
    for foreign in ("日", "。", "ⅢII."):  # PP-OCR's list is not only Latin
        assert choose_reading(bullet, foreign, 99.0, e) is bullet
    assert choose_reading(replace(w, text="Unico"), "Único", 99.0, e).text == "Único"
    n = OcrWord("N*", (0, 0, 10, 10), 20.0, 1, 1, 1)
    assert choose_reading(n, "N°", 99.0, e).text == "N°"
    # misreadings seen on the degraded scans: neighbours' words read into the crop, and
    # Tesseract's accents dropped by the lower-resolution reading
    estr = OcrWord("estrategias", (0, 0, 10, 10), 84.0, 1, 1, 1)
    assert choose_reading(estr, "estrategias y la", 100.0, e) is estr
    podria = OcrWord("podría", (0, 0, 10, 10), 80.0, 1, 1, 1)
    assert choose_reading(podria, "podria", 98.0, e) is podria
    assert choose_reading(replace(podria, text="podria"), "podría", 98.0, e).text == "podría"
    assert choose_reading(replace(podria, text="pobría"), "podría", 98.0, e).text == "podría"


@needs_tesseract
def test_spanish_accents_and_enye_read_by_ppocr(tmp_path, poa_page5):
    """On a clean corpus scan page, PP-OCR re-reads Tesseract's confident words that carry
    accents or ñ ("Diseñar", "campañas", "Información") with the same letters: the
    model's character list has them."""
    res = ocr_page(corpus_pdf(POA_SCAN), 5, cache_dir=tmp_path, second=None)
    gray = poa_page5
    s = 300 / 72
    special = [w for w in res.words if w.confidence >= 90 and any(c in w.text for c in "áéíóúñÁÉÍÓÚÑ")]
    assert len(special) >= 20 and any("ñ" in w.text for w in special)
    crops = [gray[int(w.top * s) - 8:int(w.bottom * s) + 8, int(w.x0 * s) - 8:int(w.x1 * s) + 8]
             for w in special]
    readings = ppocr.recognize_lines(crops)
    same = sum(r.text == w.text for r, w in zip(readings, special))
    assert same >= 0.9 * len(special), [(w.text, r.text) for r, w in zip(readings, special)
                                        if r.text != w.text]
    enye = [r.text for r, w in zip(readings, special) if "ñ" in w.text]
    assert enye and all("ñ" in t for t in enye)


@needs_tesseract
def test_second_opinion_fixes_a_degraded_word(poa_page5):
    """Page 5 of the POA scan degraded (150 dpi, rotated, noisy, JPEG): in the line of the
    action "Fortalecer ...", Tesseract misreads words the second engine reads right."""
    small, _ = degrade(poa_page5, seed=15)
    import cv2

    page = prepare_page(cv2.resize(small, (poa_page5.shape[1], poa_page5.shape[0]),
                                   interpolation=cv2.INTER_LINEAR))
    truth = json.loads((CORPUS / "truth" / "segip_poa_2021_escaneado" / "paginas.json")
                       .read_text(encoding="utf-8"))
    words_truth = set(next(p["texto"] for p in truth if p["pagina"] == 5).split())
    tess = ocr_image(page.image, psm=3)
    both = second_opinion(page.image, tess)
    changed = [(a, b) for a, b in zip(tess, both) if a is not b]
    assert changed, "no word re-read"
    fixed = [(a.text, b.text) for a, b in changed if b.text in words_truth and a.text not in words_truth]
    broken = [(a.text, b.text) for a, b in changed if a.text in words_truth and b.text not in words_truth]
    assert len(fixed) > len(broken), (fixed, broken)
    assert all(b.engine == "ppocr" and b.confidence > a.confidence for a, b in changed)


# --------------------------------------------------------------------------- low-dpi scans


def test_low_dpi_scan_is_enlarged_from_its_own_pixels(poa_page5, tmp_path):
    """A 150 dpi scan page is drawn from the image's pixels with bicubic interpolation
    (pixel-aligned with cv2.resize of the embedded image), not pdfium's smoother render;
    the 200 dpi corpus scan keeps pdfium's render."""
    import cv2
    import pypdfium2 as pdfium
    from PIL import Image

    from extract.preprocess import LOW_DPI, scan_image

    small, _ = degrade(poa_page5, seed=3)
    pdf = tmp_path / "fotocopia.pdf"
    Image.fromarray(small).save(str(pdf), "PDF", resolution=150.0)
    doc = pdfium.PdfDocument(str(pdf))
    image, dpi = scan_image(doc[0])
    assert dpi == pytest.approx(150, abs=0.01) and dpi < LOW_DPI
    pixels = to_grayscale(image.get_bitmap(render=False).to_numpy())
    out = render_page(pdf, 1, 300)
    assert out.shape == doc[0].render(scale=300 / 72, grayscale=True).to_numpy().shape[:2]
    h, w = pixels.shape[0] * 2, pixels.shape[1] * 2  # 150 -> 300 dpi
    enlarged = cv2.resize(pixels, (w, h), interpolation=cv2.INTER_CUBIC)
    assert np.abs(out[:h, :w].astype(int) - enlarged).mean() < 0.05
    pdfium_render = to_grayscale(doc[0].render(scale=300 / 72, grayscale=True).to_numpy())
    assert np.abs(pdfium_render[:h, :w].astype(int) - enlarged).mean() > 1.0  # a different image

    scan = pdfium.PdfDocument(str(corpus_pdf(POA_SCAN)))
    assert scan_image(scan[4])[1] == pytest.approx(200, abs=0.5)  # >= LOW_DPI: pdfium renders
    assert np.array_equal(render_page(corpus_pdf(POA_SCAN), 5, 300),
                          to_grayscale(scan[4].render(scale=300 / 72, grayscale=True).to_numpy()))


def test_digital_page_is_not_a_scan():
    """A digital page (text and rules drawn) has no scan image."""
    import pypdfium2 as pdfium

    from extract.preprocess import scan_image

    digital = pdfium.PdfDocument(str(corpus_pdf("segip_poa_2021.pdf")))
    assert scan_image(digital[0]) is None
