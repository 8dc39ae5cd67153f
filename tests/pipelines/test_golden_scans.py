"""Golden tests for scanned documents (issue #3): the pipeline on each scanned corpus
document (Tesseract's output from the committed OCR cache, see tests/conftest.py; the
cold end-to-end run is tests/extract/test_ocr.py::test_corpus_scan_page_word_accuracy),
scored by ../shared/bench/score.py, against the figures the issue requires."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, SCORER

SCANS = ["cge_informe_digemig_2024", "segip_poa_2021_escaneado", "segip_ra_036_2024_reformulacion_poa"]
REQUIRED = {
    "cge_informe_digemig_2024": {"documentos": 0.90, "disposiciones": 0.90},
    "segip_poa_2021_escaneado": {"poa_operaciones": 0.85},
    "segip_ra_036_2024_reformulacion_poa": {"presupuesto_formulario": 0.90, "documentos": 0.90,
                                            "disposiciones": 0.90},
}


@pytest.fixture(scope="module")
def scored(corpus, tmp_path_factory) -> dict:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract not installed: apt-get install tesseract-ocr tesseract-ocr-spa")
    for o in (p.outcome for p in corpus.get_many(SCANS)):
        assert o.ok, o.errores
        assert o.paginas_ocr == o.paginas
    out = corpus.parquet(SCANS)
    report = tmp_path_factory.mktemp("score") / "score.json"
    subprocess.run([sys.executable, str(SCORER), "--truth", str(CORPUS), "--parquet", str(out),
                    "--json", str(report), "--doc", *SCANS], check=True, capture_output=True)
    return {d["name"]: d["datasets"] for d in json.loads(report.read_text())["documents"]}


@pytest.mark.parametrize("doc", SCANS)
def test_required_datasets(scored, doc):
    for dataset, minimum in REQUIRED[doc].items():
        s = scored[doc][dataset]["score"]
        assert s >= minimum, f"{doc} {dataset}: {s:.3f} < {minimum}"


@pytest.mark.parametrize("doc", SCANS)
def test_ocr_words_and_tables_on_scans(scored, doc):
    assert scored[doc]["paginas"]["score"] >= 0.985
    t = scored[doc]["tablas"]
    assert t["recall"] >= 0.85 and t["field_lenient"] >= 0.80
