"""notebooks/ejemplo.ipynb runs end to end (nbclient) on real pipeline output and draws
its charts from the data."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from pipelines.report import read_dataset  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "ejemplo.ipynb"


def _execute(nb, cwd: Path):
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def _outputs(nb) -> tuple[str, list[dict]]:
    text, images = [], []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                text.append(o["text"])
            elif "data" in o:
                if "image/png" in o["data"]:
                    images.append(o)
                text.append(o["data"].get("text/plain", ""))
    return "\n".join(text), images


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_notebook_runs_on_pipeline_output(samples, monkeypatch):
    monkeypatch.setenv("POA_PARQUET", str(samples.parquet))
    monkeypatch.delenv("POA_UNIDAD", raising=False)
    nb = _execute(nbformat.read(NOTEBOOK, as_version=4), NOTEBOOK.parent)
    text, images = _outputs(nb)
    assert f"datos: {samples.parquet.resolve()}" in text
    # chart 1 (one per document with categoría tables: the rendición) + chart 2
    assert len(images) >= 2
    # the execution figures it printed are those of the data
    budget = [r for r in read_dataset(samples.parquet, "presupuesto_ejecucion").to_pylist()
              if r["clasificador"] == "categoria_programatica" and not r["es_total"] and r["fuente_codigo"] is None]
    for r in budget:
        pct = 100 * r["ejecutado"] / r["presupuesto_vigente"]
        printed = re.search(rf"{re.escape(r['codigo'])}\s+(-?[\d.]+)\n", text)
        assert printed and float(printed.group(1)) == pytest.approx(pct, abs=0.006), r["codigo"]
    # chart 2: the unit with most weighted tasks, and the sum of its weights
    ops = read_dataset(samples.parquet, "poa_operaciones").to_pylist()
    counts: dict[str, int] = {}
    for o in ops:
        if o["ponderacion_pct"] is not None:
            counts[o["unidad_organizacional"]] = counts.get(o["unidad_organizacional"], 0) + 1
    unit = max(sorted(counts), key=lambda u: counts[u])
    assert f"unidad: {unit}" in text
    total = sum(o["ponderacion_pct"] for o in ops if o["unidad_organizacional"] == unit
                and o["ponderacion_pct"] is not None)
    assert f"suma: {round(total, 2)}" in text


def test_notebook_default_data_dir(samples, tmp_path, monkeypatch):
    """Without POA_PARQUET it reads ../data/parquet relative to notebooks/ (first cells only)."""
    monkeypatch.delenv("POA_PARQUET", raising=False)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "parquet").symlink_to(samples.parquet, target_is_directory=True)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"][:2]
    text, _ = _outputs(_execute(nb, tmp_path / "notebooks"))
    assert f"datos: {samples.parquet.resolve()}" in text
    assert "digemig_poa_2019.pdf" in text  # the documentos table


def test_notebook_says_what_to_do_without_data(tmp_path, monkeypatch):
    monkeypatch.setenv("POA_PARQUET", str(tmp_path / "vacio"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"][:1]
    with pytest.raises(nbclient.exceptions.CellExecutionError, match="make parquet"):
        _execute(nb, NOTEBOOK.parent)
