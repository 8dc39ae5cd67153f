"""Issue #9: documents in parallel (``--jobs``), on a Dask cluster (``--scheduler``), and
incremental runs (pipeline version, files removed from the raw folder).

Parallel and cluster runs must write exactly the bytes a ``--jobs 1`` run writes (every
Parquet file, manifest entry and layout sidecar) and say the same of every file."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipelines import engine as engine_mod
from pipelines import run as run_mod
from pipelines import write as write_mod
from pipelines.cli import EXIT_FAILED_FILES, EXIT_OK, EXIT_USAGE, main
from pipelines.run import describe, run_all
from tests.conftest import corpus_pdf

SMALL = "digemig_poa_2019_booktabs.pdf"  # 6 digital pages
OTHER = "digemig_poa_2019_franjas.pdf"  # 8 digital pages
SCAN = "cge_informe_digemig_2024.pdf"  # 2 scanned pages


def _cli(raw: Path, out: Path, tmp: Path, *extra: str, ocr_cache: Path | None = None) -> int:
    """The CLI on ``raw``; ``ocr_cache`` (default ``tmp``'s parent's ``ocr``) is shared by
    the runs of a test."""
    ocr = ocr_cache if ocr_cache is not None else tmp.parent / "ocr"
    return main(["--raw", str(raw), "--out", str(out), "--quiet", "--logs", str(tmp / "logs"),
                 "--layout", str(tmp / "layout"), "--ocr-cache", str(ocr), *extra])


def _files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _assert_identical(a: Path, b: Path) -> None:
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb)
    assert [k for k in fa if fa[k] != fb[k]] == []


@pytest.fixture
def raw3(tmp_path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in (SMALL, OTHER, SCAN):
        shutil.copy(corpus_pdf(name), raw / name)
    return raw


def test_parallel_and_cluster_runs_write_the_same_bytes(raw3, tmp_path, ocr_cache):
    """The three runs read the scan's OCR from the session copy of the committed cache
    (tests/conftest.py), as they would share one cache folder."""
    from distributed import Client, LocalCluster

    runs = {}
    assert _cli(raw3, tmp_path / "j1" / "out", tmp_path / "j1", "--jobs", "1", ocr_cache=ocr_cache) == EXIT_OK
    assert _cli(raw3, tmp_path / "j2" / "out", tmp_path / "j2", "--jobs", "2", ocr_cache=ocr_cache) == EXIT_OK
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      preload=engine_mod.PRELOAD) as cluster:
        with Client(cluster) as client:
            assert len(client.nthreads()) == 2
            # workers that cannot see a folder are refused, before any document
            with pytest.raises(engine_mod.EngineError, match="no ve"):
                engine_mod.check_workers(client, [tmp_path / "no-existe"])
        assert _cli(raw3, tmp_path / "lc" / "out", tmp_path / "lc", "--jobs", "1",
                    "--scheduler", cluster.scheduler_address, ocr_cache=ocr_cache) == EXIT_OK
    for name in ("j1", "j2", "lc"):
        runs[name] = tmp_path / name
    docs = pd.read_parquet(tmp_path / "j1" / "out" / "documentos")
    assert sorted(docs.archivo) == sorted([SMALL, OTHER, SCAN]) and docs.paginas_ocr.sum() == 2
    for name in ("j2", "lc"):
        _assert_identical(runs["j1"] / "out", runs[name] / "out")
        _assert_identical(runs["j1"] / "layout", runs[name] / "layout")


def test_duplicates_and_failures_are_said_the_same_in_parallel(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / "a.pdf")
    shutil.copy(corpus_pdf(SMALL), raw / "b.pdf")  # a copy of a good file: a duplicate
    (raw / "c.pdf").write_bytes(b"no es un PDF")
    (raw / "d.pdf").write_bytes(b"no es un PDF")  # a copy of a failing file fails on its own
    files = run_mod.list_inputs(raw)
    said = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        outcomes = run_all(files, out, jobs=jobs, ocr_cache=tmp_path / "ocr")
        said[jobs] = [(o.archivo, o.ok, describe(o), [e["clase"] for e in o.errores]) for o in outcomes]
        assert sorted(pd.read_parquet(out / "errores").archivo) == ["c.pdf", "d.pdf"]
    assert said[1] == said[2]
    assert [s[0] for s in said[2]] == ["a.pdf", "b.pdf", "c.pdf", "d.pdf"]
    assert "duplicado de a.pdf" in said[2][1][2]
    assert said[2][2][3] == said[2][3][3] == ["NoEsPdf"]


def test_new_pipeline_version_reprocesses(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / SMALL)
    out = tmp_path / "out"
    first = run_all(run_mod.list_inputs(raw), out)
    again = run_all(run_mod.list_inputs(raw), out)
    assert not first[0].skipped and again[0].skipped and "ya procesado" in again[0].nota
    monkeypatch.setattr(write_mod, "pipeline_version", lambda: "99.0")
    monkeypatch.setattr(run_mod, "pipeline_version", lambda: "99.0")
    newer = run_all(run_mod.list_inputs(raw), out)
    assert newer[0].ok and not newer[0].skipped
    entry = json.loads(next((out / "_manifest").glob("*.json")).read_text(encoding="utf-8"))
    assert entry["version"] == "99.0"


def test_files_removed_from_raw_are_said_then_pruned(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / "quitado.pdf")
    shutil.copy(corpus_pdf(OTHER), raw / "cambiado.pdf")
    (raw / "roto.pdf").write_bytes(b"no es un PDF")
    out, run = tmp_path / "out", tmp_path / "run"
    assert _cli(raw, out, run, "--jobs", "1") == EXIT_FAILED_FILES
    capsys.readouterr()
    ids = {a: d for d, a in pd.read_parquet(out / "documentos", columns=["documento_id", "archivo"])
           .itertuples(index=False)}
    (raw / "quitado.pdf").unlink()
    (raw / "roto.pdf").unlink()
    (raw / "cambiado.pdf").write_bytes(b"ya no es el mismo PDF")  # same name, other content
    # a run without --prune says what is stale and keeps it
    assert _cli(raw, out, run, "--jobs", "1") == EXIT_FAILED_FILES
    text = " ".join(capsys.readouterr().out.split())
    assert "filas de 3 archivo(s) que ya no están" in text and "make prune" in text
    for name in ("quitado.pdf", "roto.pdf", "cambiado.pdf"):
        assert name in text
    assert set(pd.read_parquet(out / "documentos").archivo) == {"quitado.pdf", "cambiado.pdf"}
    # --prune removes the rows, the manifest entries and the layout sidecars
    assert _cli(raw, out, run, "--jobs", "1", "--prune") == EXIT_FAILED_FILES
    assert "Se quitaron las filas de 3 archivo(s)" in " ".join(capsys.readouterr().out.split())
    leftovers = [p for p in out.rglob("*") if p.is_file() and any(d in p.name for d in ids.values())]
    assert leftovers == []
    assert not [p for p in (run / "layout").glob("*.json") if p.stem in ids.values()]
    assert list(pd.read_parquet(out / "errores").archivo) == ["cambiado.pdf"]  # now not a PDF
    assert not (out / "documentos").exists() or pd.read_parquet(out / "documentos").empty
    # and nothing is stale any more
    assert _cli(raw, out, run, "--jobs", "1") == EXIT_FAILED_FILES
    assert "ya no están" not in capsys.readouterr().out


def test_unreachable_scheduler_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(engine_mod, "CONNECT_TIMEOUT", "1s")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.pdf").write_bytes(b"no es un PDF")
    assert _cli(raw, tmp_path / "out", tmp_path, "--scheduler", "tcp://127.0.0.1:9") == EXIT_USAGE
    assert "No se pudo usar el clúster" in capsys.readouterr().out
    assert not (tmp_path / "out" / "errores").exists()
