"""Shared fixtures: where ../shared is, and the corpus documents."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SCORER = SHARED / "bench" / "score.py"


def corpus_pdf(name: str) -> Path:
    """Path of a corpus PDF; skips the test with a clear message when ../shared is absent."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{path} not found: these tests need ../shared/corpus beside the repo")
    return path
