"""Rendición de cuentas reports -> ``presupuesto_ejecucion`` and ``poa_ejecucion``.

(being written)
"""
from __future__ import annotations

from extract.models import Page, Table
from pipelines.context import DocContext, Finding


def build_rendicion(ctx: DocContext, tables: list[Table], pages: list[Page]
                    ) -> tuple[list[dict], list[dict], list[Finding]]:
    """Return (presupuesto_ejecucion rows, poa_ejecucion rows, findings)."""
    return [], [], []
