"""Per-document atomic Parquet writes (DATASETS.md, "Layout") and the commit manifest.

``data/parquet/<dataset>/gestion=<g>/<documento_id>.parquet``; ``errores`` is not
partitioned: ``data/parquet/errores/<archivo-hash>.parquet``, written for every file
processed (empty when nothing failed).  Each file is written to
a temporary name in the same folder (``.<name>.<random>.tmp``) and renamed into place
(``os.replace`` is atomic on POSIX), so an interrupted run never leaves a half-written
file; :func:`clean_temp_files` removes the temporary files a killed run left.

A document's outputs commit as one unit: all its dataset files, its ``errores`` file,
then, last, its manifest entry ``data/parquet/_manifest/<documento_id>.json`` (small
JSON, written atomically: documento_id, sha256, archivo, pipeline version, gestión, and
each file written with its row count).  A document counts as done only when its entry
matches (:func:`committed`); a run killed at any moment before the entry is written
re-does the whole document.  The ``_`` prefix keeps the folder out of dataset readers
(pyarrow, DuckDB globs of ``<dataset>/**``, ``../shared/bench/score.py``).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.schemas import SCHEMAS, table_for


def file_table(dataset: str, rows: list[dict] | pa.Table) -> pa.Table:
    """The Arrow table stored in one partition file: the contract schema without
    ``gestion``, which the Hive path ``gestion=<g>/`` carries (readers that ask for
    hive partitioning get it back as a column; pyarrow refuses a column present in
    both the file and the path with different types).  ``rows`` are row dicts or an
    Arrow table with the contract schema (``schemas.table_for``)."""
    if isinstance(rows, pa.Table):
        if not rows.schema.equals(SCHEMAS[dataset]):
            raise ValueError(f"{dataset}: the table's schema is not the contract's")
        return rows.drop_columns(["gestion"])
    table = table_for(dataset, rows)
    return table.drop_columns(["gestion"])


MANIFEST_DIR = "_manifest"
ROW_GROUP_ROWS = 32_768
"""Rows per Parquet row group: the writer encodes one row group at a time, so a long
document's ``tablas`` (a row per cell) is not encoded in memory all at once."""
TEMP_SUFFIX = ".tmp"


def pipeline_version() -> str:
    """The installed ``poa-datos`` version (``pyproject.toml``), recorded in each manifest
    entry; ``"0+desconocida"`` when the package is not installed."""
    try:
        return metadata.version("poa-datos")
    except metadata.PackageNotFoundError:
        return "0+desconocida"


def _temp_path(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def atomic_write(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` atomically (temp file in the same folder + rename)."""
    tmp = _temp_path(path)
    try:
        pq.write_table(table, tmp, compression="zstd", row_group_size=ROW_GROUP_ROWS)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(text: str, path: Path) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (temp file in the same folder + rename)."""
    tmp = _temp_path(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def clean_temp_files(root: Path) -> list[Path]:
    """Delete the temporary files (``.<name>.<random>.tmp``) a killed run left anywhere
    under ``root``; returns what was deleted.  Call it before a run starts writing
    (one run at a time per output folder)."""
    if not root.is_dir():
        return []
    gone = []
    for f in root.rglob(f".*{TEMP_SUFFIX}"):
        if f.is_file():
            f.unlink(missing_ok=True)
            gone.append(f)
    return gone


def manifest_path(root: Path, documento_id: str) -> Path:
    """Path of the manifest entry of ``documento_id``."""
    return root / MANIFEST_DIR / f"{documento_id}.json"


def read_manifest(root: Path, documento_id: str) -> dict | None:
    """The manifest entry of ``documento_id``, or ``None`` when there is none (or it
    cannot be read: then the document is simply re-done)."""
    try:
        return json.loads(manifest_path(root, documento_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def committed(root: Path, sha256: str) -> dict | None:
    """The manifest entry of the file whose SHA-256 is ``sha256`` when that document's
    outputs are complete: an entry with the same sha256 and pipeline version, every
    file it lists present.  ``None`` means "(re)process it"."""
    entry = read_manifest(root, sha256[:16])
    if not entry or entry.get("sha256") != sha256 or entry.get("version") != pipeline_version():
        return None
    files = [d["archivo"] for d in entry.get("datasets", {}).values()]
    if entry.get("errores"):
        files.append(entry["errores"]["archivo"])
    if not all((root / f).is_file() for f in files):
        return None
    return entry


def write_manifest(root: Path, entry: dict) -> Path:
    """Write ``entry`` as the manifest entry of ``entry["documento_id"]`` (atomically):
    the last write of a document, its commit."""
    path = manifest_path(root, entry["documento_id"])
    atomic_write_text(json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True), path)
    return path


def remove_manifest(root: Path, documento_id: str) -> None:
    """Un-commit ``documento_id`` (before its outputs are re-written)."""
    manifest_path(root, documento_id).unlink(missing_ok=True)


def remove_document(root: Path, documento_id: str) -> None:
    """Delete every partitioned file of ``documento_id`` (before re-writing it, so a
    document whose gestión changed leaves nothing behind)."""
    for dataset in SCHEMAS:
        folder = root / dataset
        if folder.is_dir():
            for f in folder.glob(f"gestion=*/{documento_id}.parquet"):
                f.unlink()


def dataset_path(root: Path, dataset: str, gestion: int | None, documento_id: str) -> Path:
    """``root/<dataset>/gestion=<g>/<documento_id>.parquet`` (``gestion`` None -> 0)."""
    g = int(gestion) if gestion is not None else 0
    return root / dataset / f"gestion={g}" / f"{documento_id}.parquet"


def write_document(root: Path, documento_id: str, gestion: int | None,
                   datasets: dict[str, list[dict] | pa.Table]) -> dict[str, int]:
    """Write one document's rows for every partitioned dataset (empty files included,
    so every dataset folder carries the schema).  Returns rows written per dataset.

    Its manifest entry is removed first (the document is not done until
    :func:`write_manifest` is called after this and its ``errores``), then every file of
    the document under any gestión.  ``gestion`` None is written under ``gestion=0``
    (unknown fiscal year)."""
    g = int(gestion) if gestion is not None else 0
    remove_manifest(root, documento_id)
    remove_document(root, documento_id)
    counts = {}
    for dataset in SCHEMAS:
        if dataset == "errores":
            continue
        rows = datasets.get(dataset, [])
        table = file_table(dataset, rows)
        atomic_write(table, root / dataset / f"gestion={g}" / f"{documento_id}.parquet")
        counts[dataset] = len(rows)
    return counts


def errores_path(root: Path, archivo: str) -> Path:
    """Path of the ``errores`` file of source file ``archivo`` (a name that is not valid
    UTF-8 is hashed with its undecodable bytes escaped)."""
    h = hashlib.sha256(archivo.encode("utf-8", "backslashreplace")).hexdigest()[:16]
    return root / "errores" / f"{h}.parquet"


def write_errores(root: Path, archivo: str, rows: list[dict]) -> None:
    """Write the ``errores`` file of ``archivo``, with no rows when nothing failed: like
    every dataset, ``errores`` always has files with its schema, so
    ``pd.read_parquet('data/parquet/errores')`` and DuckDB's
    ``read_parquet('data/parquet/errores/*.parquet')`` work after a run without failures
    (and a file that failed before and now passes leaves an empty file)."""
    atomic_write(table_for("errores", rows), errores_path(root, archivo))
