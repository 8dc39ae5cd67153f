"""OCR stage: end to end on a corpus scan, cache, parallel pages, errors, preprocessing.

Tests that need Tesseract skip with a message when it (or its ``spa`` data) is not
installed; the corpus test also skips when ../shared is absent.  The small
``tests/fixtures/ocr/synthetic_scan.pdf`` (an image-only PDF, see make_fixture.py)
keeps the other OCR tests fast.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest

from extract import ocr as ocr_mod
from extract.ocr import OcrError, fix_token, ocr_image, ocr_page, ocr_pages, text_of
from extract.preprocess import (PreprocessSettings, estimate_skew, find_cells, line_mask,
                                prepare_page, render_page, whiten_paper)

SHARED = Path(__file__).parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
FIXTURE = Path(__file__).parents[1] / "fixtures" / "ocr" / "synthetic_scan.pdf"
FIXTURE_TRUTH = FIXTURE.with_suffix(".json")


def _have_tesseract_spa() -> str | None:
    """None when tesseract with 'spa' is usable, else the reason to skip."""
    if shutil.which("tesseract") is None:
        return "tesseract not installed (apt-get install tesseract-ocr tesseract-ocr-spa)"
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    if "spa" not in (out.stdout + out.stderr).split():
        return "tesseract 'spa' language data missing (apt-get install tesseract-ocr-spa)"
    return None


needs_tesseract = pytest.mark.skipif(_have_tesseract_spa() is not None,
                                     reason=str(_have_tesseract_spa()))


def word_accuracy(truth: str, pred: str) -> float:
    """The scorer's page metric (../shared/bench/score.py): 2|T&P| / (|T|+|P|)."""
    t, p = Counter(truth.split()), Counter(pred.split())
    total = sum(t.values()) + sum(p.values())
    return 1.0 if total == 0 else 2 * sum((t & p).values()) / total


def fixture_truth(page: int) -> str:
    return {p["pagina"]: p["texto"] for p in
            json.loads(FIXTURE_TRUTH.read_text(encoding="utf-8"))}[page]


# --------------------------------------------------------------------------- end to end


@needs_tesseract
def test_corpus_scan_page_word_accuracy(tmp_path):
    pdf = CORPUS / "cge_informe_digemig_2024.pdf"
    truth_file = CORPUS / "truth" / "cge_informe_digemig_2024" / "paginas.json"
    if not pdf.is_file() or not truth_file.is_file():
        pytest.skip(f"{pdf} not found: this test needs ../shared/corpus beside the repo")
    truth = {p["pagina"]: p["texto"] for p in json.loads(truth_file.read_text("utf-8"))}[1]
    res = ocr_page(pdf, 1, cache_dir=tmp_path)
    acc = word_accuracy(truth, res.texto)
    assert acc >= 0.95, f"word accuracy {acc:.3f}"
    assert 0 < res.confianza <= 100
    assert res.page_number == 1 and (res.width, res.height) == pytest.approx((595.08, 842.04), abs=0.5)
    # words in PDF points inside the page, text in lines
    assert res.words and all(0 <= w.x0 < w.x1 <= res.width + 1 and 0 <= w.top < w.bottom
                             <= res.height + 1 for w in res.words)
    assert res.texto.count("\n") > 20
    assert "N°" in res.texto and "•" in res.texto  # glyphs the spa model lacks, restored


@needs_tesseract
def test_fixture_text_words_and_bboxes(tmp_path):
    res = ocr_page(FIXTURE, 1, cache_dir=None)
    assert word_accuracy(fixture_truth(1), res.texto) >= 0.95
    # the table rows come out as one line each
    assert "3.02 ACTIVOS FIJOS 382.800,00" in res.texto.splitlines()
    # the title is at the top of the page, centred, in points (page is 595 x 841 pt)
    title = next(w for w in res.words if w.text == "RESOLUCIÓN")
    assert 40 < title.top < 80 and 100 < title.x0 < 300
    page = res.to_page()
    assert page.metodo == "ocr" and page.ocr_confianza == res.confianza and page.numero == 1


# --------------------------------------------------------------------------- cache


@needs_tesseract
def test_cache_second_call_does_not_run_tesseract(tmp_path, monkeypatch):
    import pytesseract

    calls = {"n": 0}
    real = pytesseract.image_to_data

    def counting(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(pytesseract, "image_to_data", counting)
    first = ocr_page(FIXTURE, 2, cache_dir=tmp_path)
    assert calls["n"] >= 1 and not first.from_cache
    assert len(list(tmp_path.glob("*.json"))) == 1

    def boom(*args, **kwargs):
        raise AssertionError("tesseract called although the page is cached")

    monkeypatch.setattr(pytesseract, "image_to_data", boom)
    second = ocr_page(FIXTURE, 2, cache_dir=tmp_path)
    assert second.from_cache
    assert second == first  # same words, text, confidence, hash

    # another setting is another cache entry (and so runs tesseract)
    with pytest.raises(AssertionError, match="tesseract called"):
        ocr_page(FIXTURE, 2, cache_dir=tmp_path, psm=4)


@needs_tesseract
def test_corrupt_cache_file_is_redone(tmp_path):
    first = ocr_page(FIXTURE, 2, cache_dir=tmp_path)
    (cache_file,) = tmp_path.glob("*.json")
    cache_file.write_text("{not json", encoding="utf-8")
    again = ocr_page(FIXTURE, 2, cache_dir=tmp_path)
    assert not again.from_cache and again.texto == first.texto


# --------------------------------------------------------------------------- parallel


@needs_tesseract
def test_ocr_pages_parallel_matches_serial(tmp_path):
    serial = ocr_pages(FIXTURE, [2, 1], cache_dir=None, jobs=1)
    parallel = ocr_pages(FIXTURE, [2, 1], cache_dir=tmp_path, jobs=2)
    assert [r.page_number for r in parallel] == [2, 1]
    assert [r.texto for r in parallel] == [r.texto for r in serial]
    assert len(list(tmp_path.glob("*.json"))) == 2
    assert ocr_pages(FIXTURE, [], cache_dir=None, jobs=2) == []


# --------------------------------------------------------------------------- errors


def test_missing_tesseract_raises_ocr_error(tmp_path, monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    ocr_mod.tesseract_version.cache_clear()
    try:
        with pytest.raises(OcrError) as err:
            ocr_page(FIXTURE, 1, cache_dir=tmp_path)
        msg = str(err.value)
        assert "synthetic_scan.pdf page 1" in msg
        assert "apt-get install tesseract-ocr tesseract-ocr-spa" in msg
        with pytest.raises(OcrError, match="apt-get install"):
            ocr_pages(FIXTURE, [1, 2], cache_dir=tmp_path, jobs=2)
    finally:
        ocr_mod.tesseract_version.cache_clear()


def test_bad_page_and_missing_file_raise_ocr_error(tmp_path):
    with pytest.raises(OcrError, match=r"synthetic_scan.pdf page 9: .*out of range 1..2"):
        ocr_page(FIXTURE, 9, cache_dir=None)
    with pytest.raises(OcrError, match="no such file"):
        ocr_page(tmp_path / "nope.pdf", 1, cache_dir=None)
    err = OcrError("x", "a.pdf", 3)
    assert (err.pdf_path, err.page_number) == ("a.pdf", 3)


@needs_tesseract
def test_missing_language_raises_ocr_error():
    with pytest.raises(OcrError, match="tesseract-ocr-xxx"):
        ocr_pages(FIXTURE, [1], cache_dir=None, lang="xxx")


# --------------------------------------------------------------------------- ocr_image


@needs_tesseract
def test_ocr_image_digits_whitelist():
    img = np.full((90, 420), 255, np.uint8)
    cv2.putText(img, "1.332.834,00", (10, 62), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 3)
    words = ocr_image(img, psm=7, digits=True)
    text = "".join(w.text for w in words)
    assert text and set(text) <= set(ocr_mod.DIGITS_WHITELIST)
    assert all(0 <= w.bbox[0] < w.bbox[2] <= 420 for w in words)
    assert ocr_image(np.full((50, 50), 255, np.uint8), psm=7) == []


# --------------------------------------------------------------------------- post-correction


@pytest.mark.parametrize("raw, prev, fixed", [
    ("N*", "", "N°"), ("N?*", "", "N°"), ("N%4", "", "N°4"), ("N*3.", "", "N°3."),
    ("N”", "", "N°"), ("SEGIP/DGE/N*036/2024", "", "SEGIP/DGE/N°036/2024"),
    ("Art.”", "", "Art.°"), ("9”.-", "", "9°.-"), ("1%", "Artículo", "1°"),
    ("1%", "del", "1%"), ("5%", "", "5%"), ("|.", "", "I."), ("Il.", "", "II."),
    ("!Il.", "", "III."), ("C.!.,", "", "C.I.,"), ("|SO-9001", "", "ISO-9001"),
    ("1y4", "", "1 y 4"), ("cP", "", "CP"), ("pH", "", "pH"), ("NO", "", "NO"),
    ("N.", "", "N."), ("ELLA!", "", "ELLA!"), ("1.", "", "1."), ("lo", "", "lo"),
])
def test_fix_token(raw, prev, fixed):
    assert fix_token(raw, prev) == fixed


def test_text_of_lines_and_table_rows():
    W = ocr_mod.OcrWord
    words = [W("Título", (0, 0, 10, 10), 90, 1, 1, 1), W("uno", (12, 0, 20, 10), 90, 1, 1, 1),
             W("dos", (0, 12, 10, 20), 90, 1, 1, 2),
             W("3.01", (0, 30, 5, 35), 90, 1, 1, 1, cell=0, row=0),
             W("SERVICIOS", (9, 30, 20, 35), 90, 1, 1, 1, cell=1, row=0),
             W("a", (0, 40, 5, 45), 90, 1, 1, 1, cell=2, row=1),
             W("b", (0, 46, 5, 50), 90, 1, 1, 2, cell=2, row=1),
             W("c", (9, 40, 20, 45), 90, 1, 1, 1, cell=3, row=1)]
    assert text_of(words) == "Título uno\ndos\n3.01 SERVICIOS\na\nb\nc"


# --------------------------------------------------------------------------- preprocessing


def _page_with_text_lines(h=1200, w=900) -> np.ndarray:
    img = np.full((h, w), 250, np.uint8)
    for i in range(20):
        cv2.putText(img, "Linea de texto numero %d para medir" % i, (60, 80 + 50 * i),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    return img


@pytest.mark.parametrize("angle", [0.0, 0.8, -1.5])
def test_estimate_skew_recovers_rotation(angle):
    img = _page_with_text_lines()
    h, w = img.shape
    rot = cv2.warpAffine(img, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0), (w, h),
                         borderValue=250)
    assert estimate_skew(rot) == pytest.approx(angle, abs=0.2)


@pytest.mark.parametrize("angle", [4.5, -4.5])
def test_deskew_recovers_a_corpus_scan_turned_near_the_limit(angle):
    """A real scan (a resolución's text page, 150 dpi render) turned 4.5 degrees either
    way (on top of its own skew), near the +-5 degree search limit: the skew is found and
    undone."""
    pdf = CORPUS / "segip_ra_036_2024_reformulacion_poa.pdf"
    if not pdf.is_file():
        pytest.skip(f"{pdf} not found: ../shared/corpus must be beside the repo")
    gray = render_page(pdf, 1, dpi=150)
    gray = gray if gray.ndim == 2 else cv2.cvtColor(gray, cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    turned = cv2.warpAffine(gray, cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0),
                            (w, h), borderValue=255)
    own = estimate_skew(gray)  # the scan itself sits a little crooked
    assert abs(own) < 1.0
    assert estimate_skew(turned) == pytest.approx(own + angle, abs=0.3)
    prepared = prepare_page(turned, PreprocessSettings())
    assert prepared.skew_deg == pytest.approx(own + angle, abs=0.3)
    assert abs(estimate_skew(prepared.image)) <= 0.3


def test_prepare_page_deskews_only_above_threshold():
    img = _page_with_text_lines()
    h, w = img.shape
    tilted = cv2.warpAffine(img, cv2.getRotationMatrix2D((w / 2, h / 2), 1.0, 1.0), (w, h),
                            borderValue=250)
    prepared = prepare_page(tilted, PreprocessSettings())
    assert prepared.skew_deg == pytest.approx(1.0, abs=0.2)
    assert prepared.image.shape == tilted.shape
    x, y = prepared.to_original(450.0, 600.0)  # the centre does not move
    assert (x, y) == pytest.approx((450.0, 600.0), abs=0.01)
    assert prepare_page(img, PreprocessSettings()).skew_deg == 0.0


def test_find_cells_and_line_removal():
    img = np.full((800, 1000), 250, np.uint8)
    cv2.rectangle(img, (100, 100), (900, 160), 200, -1)  # shaded header row
    for y in (100, 160, 220, 280):
        cv2.line(img, (100, y), (900, y), 30, 3)
    for x in (100, 300, 900):
        cv2.line(img, (x, 100), (x, 280), 30, 3)
    cv2.putText(img, "CODIGO", (120, 145), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 20, 2)
    cells = find_cells(img, line_mask(img))
    assert len(cells) == 6
    assert [c.row for c in cells] == [0, 0, 1, 1, 2, 2]
    assert cells[0].x < cells[1].x and cells[0].w > 150
    prepared = prepare_page(img)
    assert len(prepared.cells) == 6
    # rules gone, text kept, shading flattened to white
    assert prepared.image[220, 500] == 255 and prepared.image[130, 600] == 255
    assert (prepared.image[110:160, 110:290] < 128).sum() > 200


def test_whiten_paper_levels():
    g = np.array([[0, 100, 235, 250]], np.uint8)
    assert whiten_paper(g, 235).tolist() == [[0, 108, 255, 255]]


def test_render_page_size():
    img = render_page(FIXTURE, 1, dpi=72)
    assert img.ndim == 2 and img.dtype == np.uint8
    assert img.shape == pytest.approx((841, 595), abs=1)


def test_unskew_turns_a_straightened_box_back_onto_the_scan():
    """extract.geometry.unskew is the inverse of the deskew rotation, as
    PreparedPage.to_original maps pixels (boxes keep their size)."""
    from extract.geometry import unskew
    from extract.preprocess import PreparedPage

    page = PreparedPage(np.zeros((3300, 2550), np.uint8), [], 1.5)
    for x, y in [(100.0, 200.0), (2400.0, 3100.0), (1275.0, 1650.0)]:
        b = unskew((x - 10, y - 4, x + 10, y + 4), 1.5, 2550.0, 3300.0)
        assert ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) == pytest.approx(page.to_original(x, y), abs=0.01)
        assert (b[2] - b[0], b[3] - b[1]) == pytest.approx((20.0, 8.0), abs=0.02)
    assert unskew((1.0, 2.0, 3.0, 4.0), 0.0, 100.0, 100.0) == (1.0, 2.0, 3.0, 4.0)
