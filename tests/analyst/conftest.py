"""Fixtures for the analyst tools' tests: real pipeline output built once per session
(from the session's ``corpus`` fixture, tests/conftest.py: each document is processed
once and shared with the other tests; these folders are copies of its output).

``digemig``: ../shared/corpus/digemig_poa_2019.pdf alone (8 pages, a few seconds).
``samples``: the three digital sample documents (POA with weights, rendición de cuentas
with budget tables, and the DIGEMIG POA).
``digital``: every digital document of the corpus (``paginas_ocr`` 0 in its truth
``documentos.csv``: seven documents).
All skip when ../shared is absent.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

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


def _run(corpus, names: list[str]) -> Output:
    ids = {}
    for name, p in zip(names, corpus.get_many(names)):
        assert p.outcome.ok, p.outcome.errores
        ids[name] = documento_id(p.pdf)
    return Output(corpus.parquet(names), corpus.layout(names), CORPUS, ids)


@pytest.fixture(scope="session")
def digemig(corpus) -> Output:
    """Pipeline output of the DIGEMIG POA 2019 only."""
    return _run(corpus, ["digemig_poa_2019.pdf"])


@pytest.fixture(scope="session")
def samples(corpus) -> Output:
    """Pipeline output of the three digital sample documents."""
    return _run(corpus, SAMPLES)


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
def digital(corpus) -> Output:
    """Pipeline output of every digital corpus document."""
    names = digital_corpus()
    if not names:
        pytest.skip(f"{CORPUS / 'truth'} not found: these tests need ../shared/corpus beside the repo")
    return _run(corpus, names)
