"""Golden tests: the pipeline on each digital corpus document, scored by the project's
scorer (../shared/bench/score.py) against the document's truth.  The thresholds are
the figures issue #2 requires (every scored dataset ≥ 0.95; tablas recall ≥ 0.95 and
lenient cell accuracy ≥ 0.90)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.run import process_and_write
from tests.conftest import CORPUS, SCORER, corpus_pdf

DIGITAL = ["digemig_poa_2019", "segip_poa_2021", "segip_rendicion_cuentas_2020"]
MIN_SCORE = 0.95


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("parquet")
    for name in DIGITAL:
        outcome = process_and_write(corpus_pdf(f"{name}.pdf"), out)
        assert outcome.ok, outcome.errores
    if not SCORER.is_file():
        pytest.skip(f"{SCORER} not found")
    report = out / "score.json"
    cmd = [sys.executable, str(SCORER), "--truth", str(CORPUS), "--parquet", str(out),
           "--json", str(report), "--doc", *DIGITAL]
    subprocess.run(cmd, check=True, capture_output=True)
    data = json.loads(report.read_text())
    return {d["name"]: d["datasets"] for d in data["documents"]}


@pytest.mark.parametrize("doc", DIGITAL)
def test_row_datasets_reach_threshold(scored, doc):
    for dataset, r in scored[doc].items():
        if dataset in ("tablas", "paginas") or not r.get("counted"):
            continue
        assert r["score"] >= MIN_SCORE, f"{doc} {dataset}: score {r['score']:.3f} < {MIN_SCORE}"


@pytest.mark.parametrize("doc", DIGITAL)
def test_tables_found_and_read(scored, doc):
    t = scored[doc]["tablas"]
    assert t["recall"] >= 0.95, f"{doc}: table recall {t['recall']:.3f}"
    assert t["field_lenient"] >= 0.90, f"{doc}: lenient cell accuracy {t['field_lenient']:.3f}"


def test_poa_documents_recognised(scored):
    for doc in ("digemig_poa_2019", "segip_poa_2021"):
        assert scored[doc]["documentos"]["score"] == 1.0
        assert scored[doc]["poa_operaciones"]["recall"] >= 0.98
