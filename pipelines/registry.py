"""Which dataset builders run for which kind of document (:mod:`pipelines.builders`).

A new kind of document is a new builder module and one line in :data:`REGISTRY`.
"""
from __future__ import annotations

from dataclasses import dataclass

from pipelines.builders import Builder
from pipelines.disposiciones import DisposicionesBuilder
from pipelines.formulario import FormularioDatasets
from pipelines.poa import PoaDatasets
from pipelines.rendicion import RendicionDatasets
from pipelines.tablas import TablasBuilder


@dataclass(frozen=True)
class Registration:
    """A builder and the document kinds it runs for (``None``: every kind, for tables
    that any kind of document may print, such as a budget execution table)."""

    builder: Builder
    tipos: frozenset[str] | None = None

    def applies(self, tipo: str) -> bool:
        return self.tipos is None or tipo in self.tipos


REGISTRY: tuple[Registration, ...] = (
    Registration(TablasBuilder()),                       # every table, long form
    Registration(PoaDatasets(), frozenset({"poa"})),     # poa_operaciones, poa_acciones
    Registration(RendicionDatasets()),                   # budget / execution tables, any kind
    Registration(FormularioDatasets()),                  # Formulario N° 4, any kind (annexes)
    Registration(DisposicionesBuilder(), frozenset({"resolucion", "informe_auditoria"})),
)
"""Every builder, in the order they run (findings are listed in this order)."""


def builders_for(tipo: str) -> list[Builder]:
    """The builders that run for a document of kind ``tipo``, in registry order."""
    return [r.builder for r in REGISTRY if r.applies(tipo)]


def owned_datasets() -> tuple[str, ...]:
    """Every dataset some builder writes, in registry order (no repeats)."""
    out: list[str] = []
    for r in REGISTRY:
        out += [d for d in r.builder.datasets if d not in out]
    return tuple(out)
