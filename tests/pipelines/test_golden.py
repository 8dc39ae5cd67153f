"""Golden tests: the pipeline on each digital corpus document, scored by the project's
scorer (../shared/bench/score.py) against the document's truth.  The thresholds are
the figures the issues require: every scored dataset ≥ 0.95, ≥ 0.99 for the row
datasets of the three documents printed as grids; tablas recall ≥ 0.95 and lenient
cell accuracy ≥ 0.95 — whatever the print style (full grid, shaded rows, booktabs
rules)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, SCORER

GRID = ["digemig_poa_2019", "segip_poa_2021", "segip_rendicion_cuentas_2020"]
OTHER_STYLES = ["digemig_poa_2019_franjas", "digemig_poa_2019_booktabs", "segip_poa_2021_franjas",
                "segip_rendicion_2020_booktabs"]
DIGITAL = GRID + OTHER_STYLES
MIN_SCORE = 0.95
MIN_SCORE_GRID = 0.99


@pytest.fixture(scope="module")
def scored(corpus, tmp_path_factory) -> dict:
    for p in corpus.get_many(DIGITAL):
        assert p.outcome.ok, p.outcome.errores
    out = corpus.parquet(DIGITAL)
    if not SCORER.is_file():
        pytest.skip(f"{SCORER} not found")
    report = tmp_path_factory.mktemp("score") / "score.json"
    cmd = [sys.executable, str(SCORER), "--truth", str(CORPUS), "--parquet", str(out),
           "--json", str(report), "--doc", *DIGITAL]
    subprocess.run(cmd, check=True, capture_output=True)
    data = json.loads(report.read_text())
    return {d["name"]: d["datasets"] for d in data["documents"]}


@pytest.mark.parametrize("doc", DIGITAL)
def test_row_datasets_reach_threshold(scored, doc):
    minimum = MIN_SCORE_GRID if doc in GRID else MIN_SCORE
    for dataset, r in scored[doc].items():
        if dataset in ("tablas", "paginas") or not r.get("counted"):
            continue
        assert r["score"] >= minimum, f"{doc} {dataset}: score {r['score']:.3f} < {minimum}"


@pytest.mark.parametrize("doc", DIGITAL)
def test_tables_found_and_read(scored, doc):
    t = scored[doc]["tablas"]
    assert t["recall"] >= 0.95, f"{doc}: table recall {t['recall']:.3f}"
    assert t["field_lenient"] >= 0.95, f"{doc}: lenient cell accuracy {t['field_lenient']:.3f}"


@pytest.mark.parametrize("doc", ["digemig_poa_2019_franjas", "digemig_poa_2019_booktabs",
                                 "segip_poa_2021_franjas"])
def test_form_header_fields_in_every_print(scored, doc):
    # the key/value block (bordered, borderless, or LABEL: value lines) fills the header
    # fields of every task row, and the acciones dataset where the form prints one
    fields = scored[doc]["poa_operaciones"]["fields"]
    for f in ("unidad_organizacional", "accion_corto_plazo_codigo", "accion_corto_plazo"):
        assert fields[f]["acc"] >= 0.99, (doc, f, fields[f])
    acc = scored[doc].get("poa_acciones", {})
    if acc.get("counted"):
        assert acc["score"] >= 0.99


def test_poa_documents_recognised(scored):
    for doc in ("digemig_poa_2019", "segip_poa_2021"):
        assert scored[doc]["documentos"]["score"] == 1.0
        assert scored[doc]["poa_operaciones"]["recall"] >= 0.98
