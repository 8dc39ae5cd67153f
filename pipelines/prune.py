"""Outputs of files that are no longer in the raw folder, found and removed.

A committed document (its manifest entry, :mod:`pipelines.write`) belongs to the raw file
named in its entry, with the bytes of its ``sha256``.  When no file of that name with
those bytes is in the raw folder any more (the file was deleted, or replaced by other
content under the same name), its rows are stale: :func:`stale_documents` lists them,
:func:`prune` deletes the document's dataset files, its ``errores`` file (when no raw
file of that name is left), its layout sidecar and, last, its manifest entry.  An
``errores`` file of a name no longer in the raw folder (a file that failed, then was
deleted) is stale too.

Every run reports what is stale (one line in the summary); only ``--prune`` (``make
prune``) deletes it, so building the datasets from another folder into the same output
(``make parquet RAW_DIR=...``) never removes what the first folder produced.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.write import MANIFEST_DIR, errores_path, manifest_path, remove_document

log = logging.getLogger(__name__)


@dataclass
class Stale:
    """What :func:`prune` would delete: documents (``(documento_id, archivo)`` of their
    manifest entries) and ``errores`` files of names no longer in the raw folder."""

    documentos: list[tuple[str, str]] = field(default_factory=list)
    errores: list[tuple[Path, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.documentos or self.errores)

    def archivos(self) -> list[str]:
        """The source file names concerned, sorted, each once."""
        return sorted({a for _, a in self.documentos} | {a for _, a in self.errores})


def stale_documents(out: Path, raw_names: dict[str, Path],
                    sha_of: Callable[[Path], str | None]) -> Stale:
    """What under ``out`` belongs to no file of the raw folder.

    ``raw_names`` maps each ``archivo`` of the raw folder (every entry, not only those a
    ``--only`` run processes) to its path; ``sha_of(path)`` is its SHA-256 (``None`` when
    it cannot be read: its documents are kept).  A manifest entry that cannot be parsed
    is left alone (the next run of its file re-does it)."""
    stale = Stale()
    for f in sorted((out / MANIFEST_DIR).glob("*.json")):
        try:
            entry = json.loads(f.read_text(encoding="utf-8"))
            did, archivo, sha = entry["documento_id"], entry["archivo"], entry["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        path = raw_names.get(archivo)
        if path is None:
            stale.documentos.append((did, archivo))
            continue
        now = sha_of(path)
        if now is not None and now != sha:
            stale.documentos.append((did, archivo))
    keep = {errores_path(out, a) for a in raw_names}
    if (out / "errores").is_dir():
        # an errores file with no rows (the file had no error) names no archivo: it is the
        # one of a stale document when its path is that document's errores path
        known = {errores_path(out, a): a for _, a in stale.documentos}
        stale.errores = [(p, known.get(p) or _archivo_of_errores(p))
                         for p in sorted((out / "errores").glob("*.parquet")) if p not in keep]
    return stale


def _archivo_of_errores(path: Path) -> str:
    """The ``archivo`` an ``errores`` file is about (its file name when it cannot be read)."""
    try:
        names = pq.read_table(path, columns=["archivo"]).column("archivo").to_pylist()
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return path.name
    return next((n for n in names if n), path.name)


def prune(out: Path, stale: Stale, layout_dir: Path | None = None) -> None:
    """Delete what :func:`stale_documents` found: per document its dataset files, its
    layout sidecar, then its manifest entry (a run killed half-way leaves an entry whose
    files are missing: the document is then simply not committed); then the stale
    ``errores`` files."""
    for did, archivo in stale.documentos:
        remove_document(out, did)
        if layout_dir is not None:
            (layout_dir / f"{did}.json").unlink(missing_ok=True)
        manifest_path(out, did).unlink(missing_ok=True)
        log.info("%s: removed documento %s (the file is no longer in the raw folder)", archivo, did)
    for p, _ in stale.errores:
        p.unlink(missing_ok=True)
        log.info("removed %s (its file is no longer in the raw folder)", p)
