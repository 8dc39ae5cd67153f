"""The dataset builders behind one interface, chosen by a registry from the document kind.

A builder turns what the extraction stages found in one document (its tables, header
rows first and continued tables already joined; its pages; its context) into rows of
the datasets it owns and the findings it made while reading them.  It never writes and
never changes another builder's rows; validation across datasets runs afterwards
(:mod:`pipelines.validate`).

A new kind of document is a new module with a class that has ``name``, ``datasets``
and ``build`` (:class:`Builder`), and a line in :data:`pipelines.registry.REGISTRY`
saying which ``documentos.tipo`` it runs for (DATASETS.md "documentos").
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import pyarrow as pa

from extract.models import Page, Table
from pipelines.context import DocContext, Finding


@dataclass(frozen=True)
class BuildInput:
    """What every builder reads: the document ``ctx`` (provenance), its kind ``tipo``
    (``documentos.tipo``), its ``tables`` in page order (continuations joined) and its
    ``pages`` (text and words of every page, in page order)."""

    ctx: DocContext
    tipo: str
    tables: Sequence[Table]
    pages: Sequence[Page]


@dataclass
class BuildResult:
    """What a builder returns: ``rows`` per dataset it owns (lists of row dicts with the
    contract's columns, or an Arrow table with its schema for a large dataset such as
    ``tablas``) and its ``findings`` (``validaciones`` rows without provenance)."""

    rows: dict[str, list[dict] | pa.Table] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


@runtime_checkable
class Builder(Protocol):
    """A dataset builder: ``name`` (short, for logs and errors), ``datasets`` (the
    contract datasets it writes; every one of them is present in its result, possibly
    empty), and ``build``.  ``build`` raises nothing for any content of a table or a
    page: what cannot be read is a finding, and a bug is caught by the caller as an
    ``errores`` row of etapa ``normalizar`` naming the builder."""

    name: str
    datasets: tuple[str, ...]

    def build(self, inp: BuildInput) -> BuildResult: ...
