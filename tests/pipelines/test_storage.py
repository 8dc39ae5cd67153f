"""``--raw`` / ``--out`` as fsspec URLs (pipelines/storage.py).

A ``file://`` run writes the bytes of a plain-path run; a ``memory://`` raw and output
folder (another filesystem, through the staging folder) ends with the same files, skips
the document on a second run and prunes it when it leaves the raw folder; an unknown
protocol or one whose package is missing stops the run with exit 2 before anything is
made."""
from __future__ import annotations

import importlib.util
import shutil
import uuid
from pathlib import Path

import fsspec
import pytest

from pipelines.cli import EXIT_FAILED_FILES, EXIT_OK, EXIT_USAGE, main
from pipelines.storage import OutputMirror, RemoteFolder, StorageError, resolve
from tests.conftest import corpus_pdf

SMALL = "digemig_poa_2019_booktabs.pdf"  # 6 digital pages, about 3 s


def _cli(raw: str, out: str, tmp: Path, *extra: str) -> int:
    return main(["--raw", raw, "--out", out, "--jobs", "1", "--quiet", "--logs", str(tmp / "logs"),
                 "--layout", str(tmp / "layout"), "--ocr-cache", str(tmp / "ocr"), *extra])


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _remote_files(fs, root: str) -> dict[str, bytes]:
    return {f[len(root) + 1:]: fs.cat_file(f) for f in sorted(fs.find(root))}


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> tuple[Path, Path]:
    """The raw folder with the small digital document and a plain-path run's output."""
    tmp = tmp_path_factory.mktemp("plain")
    raw = tmp / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / SMALL)
    assert _cli(str(raw), str(tmp / "out"), tmp) == EXIT_OK
    return raw, tmp / "out"


@pytest.fixture
def memory_root():
    """A fresh folder of fsspec's in-process memory filesystem, removed afterwards."""
    fs = fsspec.filesystem("memory")
    root = f"/poa-{uuid.uuid4().hex[:8]}"
    yield fs, root
    if fs.exists(root):
        fs.rm(root, recursive=True)


def test_file_urls_write_the_bytes_of_plain_paths(plain, tmp_path):
    raw, expected = plain
    out = tmp_path / "out"
    assert _cli(raw.as_uri(), out.as_uri(), tmp_path) == EXIT_OK
    a, b = _files(expected), _files(out)
    assert sorted(a) == sorted(b) and any(k.startswith("_manifest/") for k in a)
    assert [k for k in a if a[k] != b[k]] == []


def test_memory_folders_same_files_then_skip_then_prune(plain, tmp_path, memory_root, capsys):
    raw, expected = plain
    fs, root = memory_root
    fs.pipe(f"{root}/raw/{SMALL}", (raw / SMALL).read_bytes())
    raw_url, out_url = f"memory://{root}/raw", f"memory://{root}/out"

    assert _cli(raw_url, out_url, tmp_path) == EXIT_OK
    written = _remote_files(fs, f"{root}/out")
    local = _files(expected)
    assert sorted(written) == sorted(local)
    assert [k for k in local if local[k] != written[k]] == []

    assert _cli(raw_url, out_url, tmp_path) == EXIT_OK  # committed in the remote manifest
    log = (tmp_path / "logs" / "pipeline.log").read_text(encoding="utf-8").splitlines()
    assert f"{SMALL}: omitido: ya procesado" in log[-1]
    assert _remote_files(fs, f"{root}/out") == written

    fs.rm_file(f"{root}/raw/{SMALL}")
    fs.pipe(f"{root}/raw/nota.txt", b"no es un PDF")
    assert _cli(raw_url, out_url, tmp_path, "--prune") == EXIT_FAILED_FILES
    left = _remote_files(fs, f"{root}/out")
    assert not [k for k in left if k.endswith(".parquet") and not k.startswith("errores/")]
    assert not [k for k in left if k.startswith("_manifest/")]
    assert len([k for k in left if k.startswith("errores/")]) == 1  # nota.txt's failure
    assert f"ya no están en {raw_url}" in " ".join(capsys.readouterr().out.split())


def test_a_half_uploaded_document_is_not_committed(plain, tmp_path, memory_root, monkeypatch):
    """The manifest entry is uploaded last: when an upload fails before it, the remote
    folder has the document's data files but no entry, and the next run re-does it."""
    raw, _ = plain
    fs, root = memory_root
    out_url = f"memory://{root}/out"
    real_put = fs.put_file

    def failing_put(lpath, rpath, *a, **kw):
        if "/_manifest/" in rpath:
            raise OSError("conexión perdida")
        return real_put(lpath, rpath, *a, **kw)

    monkeypatch.setattr(fs, "put_file", failing_put)
    assert _cli(str(raw), out_url, tmp_path) == EXIT_FAILED_FILES
    left = _remote_files(fs, f"{root}/out")
    assert any(k.startswith("tablas/") for k in left)
    assert not [k for k in left if k.startswith("_manifest/")]
    monkeypatch.undo()
    mirror = OutputMirror(resolve(out_url), tmp_path / "staging")
    staged = mirror.pull()
    from pipelines.run import hash_file
    from pipelines.write import committed
    assert committed(staged, hash_file(raw / SMALL, None)) is None


@pytest.mark.skipif(importlib.util.find_spec("s3fs") is not None, reason="s3fs is installed")
def test_s3_without_s3fs_exits_2_naming_url_and_package(tmp_path, capsys):
    assert _cli("s3://bucket/raw", str(tmp_path / "out"), tmp_path) == EXIT_USAGE
    said = capsys.readouterr().out
    assert "s3://bucket/raw" in said and "pip install s3fs" in said
    assert not (tmp_path / "logs").exists() and not (tmp_path / "out").exists()


def test_unknown_protocol_exits_2_before_any_work(plain, tmp_path, capsys):
    raw, _ = plain
    assert _cli(str(raw), "nada://x/out", tmp_path) == EXIT_USAGE
    said = capsys.readouterr().out
    assert "nada://x/out" in said and "protocolo desconocido" in said
    assert not (tmp_path / "logs").exists()
    with pytest.raises(StorageError):
        resolve("nada://x")


def test_plain_paths_and_file_urls_resolve_to_local_paths(tmp_path):
    assert resolve("data/raw") == Path("data/raw")
    assert resolve(tmp_path.as_uri()) == tmp_path
    assert isinstance(resolve("memory://x"), RemoteFolder)
