"""Validation rules that write ``validaciones`` (being written)."""
from __future__ import annotations

from pipelines.context import Finding


def validate(datasets: dict[str, list[dict]]) -> list[Finding]:
    """All dataset-level rules over one document's rows."""
    return []
