"""The builder interface and registry (pipelines/builders.py, pipelines/registry.py) and
the stages of process_document around them."""
from __future__ import annotations

import pyarrow as pa
import pytest

from pipelines import document
from pipelines.builders import BuildInput, BuildResult, Builder
from pipelines.registry import REGISTRY, builders_for, owned_datasets
from pipelines.schemas import SCHEMAS
from tests.extract.printed import make_pdf


def test_every_registered_builder_has_the_interface_and_writes_contract_datasets():
    for reg in REGISTRY:
        assert isinstance(reg.builder, Builder), reg
        assert reg.builder.datasets and set(reg.builder.datasets) <= set(SCHEMAS), reg.builder.name
    assert len({r.builder.name for r in REGISTRY}) == len(REGISTRY)


@pytest.mark.parametrize("tipo, present, absent", [
    ("poa", {"tablas", "poa", "rendicion", "formulario"}, {"disposiciones"}),
    ("resolucion", {"tablas", "formulario", "disposiciones"}, {"poa"}),
    ("informe_auditoria", {"tablas", "disposiciones"}, {"poa"}),
    ("otro", {"tablas", "rendicion"}, {"poa", "disposiciones"}),
])
def test_the_registry_chooses_builders_by_document_kind(tipo, present, absent):
    names = {b.name for b in builders_for(tipo)}
    assert present <= names and not (absent & names)


class _Broken:
    name = "roto"
    datasets = ("poa_operaciones",)

    def build(self, inp: BuildInput) -> BuildResult:
        raise ValueError("columna inesperada")


def test_a_builder_that_fails_is_an_errores_row_and_the_others_are_kept(tmp_path, monkeypatch):
    pdf = make_pdf(tmp_path / "cuadro.pdf", "grid")
    real = document.builders_for
    monkeypatch.setattr(document, "builders_for", lambda tipo: [_Broken(), *real(tipo)])
    res = document.process_document(pdf)
    errs = [e for e in res.errores if e["etapa"] == "normalizar"]
    assert len(errs) == 1 and "roto" in errs[0]["mensaje"] and "poa_operaciones" in errs[0]["mensaje"]
    assert errs[0]["clase"] == "ValueError" and errs[0]["archivo"] == "cuadro.pdf"
    tablas = res.datasets["tablas"]
    assert isinstance(tablas, pa.Table) and tablas.num_rows > 0
    # every dataset a builder owns is present, empty when its builder failed or did not run
    for name in owned_datasets():
        assert name in res.datasets
    assert len(res.datasets["poa_operaciones"]) == 0

