"""Fixtures for the analyst tools' tests: real pipeline output built once per session.

``digemig``: ../shared/corpus/digemig_poa_2019.pdf alone (8 pages, a few seconds).
``samples``: the three digital sample documents (POA with weights, rendición de cuentas
with budget tables, and the DIGEMIG POA), about a minute.
``digital``: every digital document of the corpus (``paginas_ocr`` 0 in its truth
``documentos.csv``: seven documents, about a minute and a half).
All skip when ../shared is absent.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.run import process_and_write

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SAMPLES = ["digemig_poa_2019.pdf", "segip_poa_2021.pdf", "segip_rendicion_cuentas_2020.pdf"]


@dataclass(frozen=True)
class Output:
    """Where a pipeline run wrote its datasets and layout sidecars, and its sources."""

    parquet: Path
    layout: Path
    raw: Path
    ids: dict[str, str]  # file name -> documento_id


def corpus_pdf(name: str) -> Path:
    """A corpus PDF; skips the test with a clear message when ../shared is absent."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{path} not found: these tests need ../shared/corpus beside the repo")
    return path


def documento_id(path: Path) -> str:
    """The pipeline's documento_id of ``path`` (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _run(tmp: Path, names: list[str]) -> Output:
    out, layout = tmp / "parquet", tmp / "layout"
    ids = {}
    for name in names:
        pdf = corpus_pdf(name)
        outcome = process_and_write(pdf, out, layout_dir=layout)
        assert outcome.ok, outcome.errores
        ids[name] = documento_id(pdf)
    return Output(out, layout, CORPUS, ids)


@pytest.fixture(scope="session")
def digemig(tmp_path_factory) -> Output:
    """Pipeline output of the DIGEMIG POA 2019 only."""
    return _run(tmp_path_factory.mktemp("digemig"), ["digemig_poa_2019.pdf"])


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> Output:
    """Pipeline output of the three digital sample documents."""
    return _run(tmp_path_factory.mktemp("samples"), SAMPLES)


def digital_corpus() -> list[str]:
    """File names of the corpus documents with a text layer on every page (their truth
    ``documentos.csv`` says ``paginas_ocr`` 0)."""
    names = []
    for path in sorted((CORPUS / "truth").glob("*/documentos.csv")):
        with path.open(encoding="utf-8") as fh:
            row = next(csv.DictReader(fh))
        if row["paginas_ocr"] == "0":
            names.append(row["archivo"])
    return names


@pytest.fixture(scope="session")
def digital(tmp_path_factory) -> Output:
    """Pipeline output of every digital corpus document."""
    names = digital_corpus()
    if not names:
        pytest.skip(f"{CORPUS / 'truth'} not found: these tests need ../shared/corpus beside the repo")
    return _run(tmp_path_factory.mktemp("digital"), names)
