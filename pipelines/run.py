"""Run the pipeline over a folder of PDFs and write the datasets.

Each file is processed in isolation (a failure is one ``errores`` row and a message
naming it; the others complete).  Writes are per document and atomic
(:mod:`pipelines.write`).
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from extract.errors import ExtractError
from pipelines.document import DocumentResult, process_document, sha256_of
from pipelines.write import write_document, write_errores

log = logging.getLogger(__name__)


@dataclass
class FileOutcome:
    """What happened to one source file."""

    archivo: str
    ok: bool
    skipped: bool = False
    paginas: int = 0
    paginas_ocr: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    findings: Counter = field(default_factory=Counter)
    errores: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def already_done(out: Path, path: Path) -> bool:
    """True when ``path``'s documentos file exists under ``out`` (same bytes)."""
    did = sha256_of(path)[:16]
    return any((out / "documentos").glob(f"gestion=*/{did}.parquet"))


def process_and_write(path: Path, out: Path, ocr_cache: Path | None = None, progress=None,
                      jobs: int = 1, layout_dir: Path | None = None) -> FileOutcome:
    """Process ``path`` and write its datasets under ``out``.  Never raises for a bad
    file: the failure is returned (and written) as ``errores`` rows."""
    t0 = time.perf_counter()
    try:
        res: DocumentResult = process_document(path, progress=progress, ocr_cache=ocr_cache, jobs=jobs)
    except ExtractError as exc:
        row = {"documento_id": None, "archivo": path.name, "pagina": exc.pagina,
               "etapa": exc.etapa, "clase": exc.clase, "mensaje": exc.mensaje}
        write_errores(out, path.name, [row])
        return FileOutcome(path.name, ok=False, errores=[row], seconds=time.perf_counter() - t0)
    except Exception as exc:  # a bug of ours must not stop the other files
        log.exception("%s: unexpected failure", path.name)
        row = {"documento_id": None, "archivo": path.name, "pagina": None, "etapa": "procesar",
               "clase": type(exc).__name__,
               "mensaje": f"error inesperado al procesar el archivo ({exc}); repórtelo con el PDF."}
        write_errores(out, path.name, [row])
        return FileOutcome(path.name, ok=False, errores=[row], seconds=time.perf_counter() - t0)
    try:
        counts = write_document(out, res.documento_id, res.gestion, res.datasets)
    except Exception as exc:
        row = {"documento_id": res.documento_id, "archivo": path.name, "pagina": None,
               "etapa": "escribir", "clase": type(exc).__name__,
               "mensaje": f"no se pudieron escribir los datasets ({exc})."}
        write_errores(out, path.name, [row])
        return FileOutcome(path.name, ok=False, errores=[row], seconds=time.perf_counter() - t0)
    write_errores(out, path.name, res.errores)
    if layout_dir is not None:
        write_layout(layout_dir, res)
    sev = Counter(f["severidad"] for f in res.datasets.get("validaciones", []))
    return FileOutcome(path.name, ok=True, paginas=res.paginas, paginas_ocr=res.paginas_ocr,
                       rows=counts, findings=sev, errores=res.errores,
                       seconds=time.perf_counter() - t0)


def write_layout(layout_dir: Path, res: DocumentResult) -> None:
    """Write the document's geometry sidecar ``<layout_dir>/<documento_id>.json``
    (temp file + rename), read by the QA report."""
    layout_dir.mkdir(parents=True, exist_ok=True)
    target = layout_dir / f"{res.documento_id}.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(res.layout, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)


def list_inputs(raw: Path, only: list[str] | None = None) -> list[Path]:
    """The files to process: every regular file under ``raw`` (PDF or not: a non-PDF is
    reported, not ignored), or just those named in ``only``."""
    files = sorted(p for p in raw.iterdir() if p.is_file() and not p.name.startswith("."))
    if only:
        wanted = {Path(o).name for o in only}
        files = [p for p in files if p.name in wanted]
    return files


def run_all(files: list[Path], out: Path, *, jobs: int = 1, force: bool = False,
            ocr_cache: Path | None = None, on_done=None, progress_factory=None,
            layout_dir: Path | None = None) -> list[FileOutcome]:
    """Process ``files`` one after the other and return their outcomes in input order.

    ``jobs`` is the number of worker processes that OCR a document's scanned pages (OCR
    is where the time goes; text-layer pages take a fraction of a second each).
    ``on_done(outcome)`` is called as each file finishes; ``progress_factory(path)`` may
    return a per-page progress callback ``(done, total)``."""
    outcomes: list[FileOutcome] = []
    for p in files:
        if not force and p.suffix.lower() == ".pdf" and already_done(out, p):
            o = FileOutcome(p.name, ok=True, skipped=True)
        else:
            cb = progress_factory(p) if progress_factory else None
            o = process_and_write(p, out, ocr_cache, cb, jobs=jobs, layout_dir=layout_dir)
        outcomes.append(o)
        if on_done:
            on_done(o)
    return outcomes
