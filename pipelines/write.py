"""Per-document atomic Parquet writes (DATASETS.md, "Layout").

``data/parquet/<dataset>/gestion=<g>/<documento_id>.parquet``; ``errores`` is not
partitioned: ``data/parquet/errores/<archivo-hash>.parquet``.  Each file is written to
a temporary name in the same folder and renamed into place (``os.replace`` is atomic
on POSIX), so an interrupted run never leaves a half-written file.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.schemas import SCHEMAS, table_for


def file_table(dataset: str, rows: list[dict]) -> pa.Table:
    """The Arrow table stored in one partition file: the contract schema without
    ``gestion``, which the Hive path ``gestion=<g>/`` carries (readers that ask for
    hive partitioning get it back as a column; pyarrow refuses a column present in
    both the file and the path with different types)."""
    table = table_for(dataset, rows)
    return table.drop_columns(["gestion"])


def atomic_write(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` atomically (temp file in the same folder + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_document(root: Path, documento_id: str) -> None:
    """Delete every partitioned file of ``documento_id`` (before re-writing it, so a
    document whose gestión changed leaves nothing behind)."""
    for dataset in SCHEMAS:
        folder = root / dataset
        if folder.is_dir():
            for f in folder.glob(f"gestion=*/{documento_id}.parquet"):
                f.unlink()


def write_document(root: Path, documento_id: str, gestion: int | None,
                   datasets: dict[str, list[dict]]) -> dict[str, int]:
    """Write one document's rows for every partitioned dataset (empty files included,
    so every dataset folder carries the schema).  Returns rows written per dataset.

    ``gestion`` None is written under ``gestion=0`` (unknown fiscal year)."""
    g = int(gestion) if gestion is not None else 0
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
    """Path of the ``errores`` file of source file ``archivo``."""
    h = hashlib.sha256(archivo.encode("utf-8")).hexdigest()[:16]
    return root / "errores" / f"{h}.parquet"


def write_errores(root: Path, archivo: str, rows: list[dict]) -> None:
    """Write (or, with no rows, remove) the ``errores`` file of ``archivo``."""
    path = errores_path(root, archivo)
    if rows:
        atomic_write(table_for("errores", rows), path)
    else:
        path.unlink(missing_ok=True)
