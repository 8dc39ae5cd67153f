"""Run the pipeline over a folder of PDFs and write the datasets.

Each file is processed in isolation (a failure is one ``errores`` row and a message
naming it; the others complete).  Writes are per document and atomic, and a document
commits as one unit: its datasets, its ``errores``, its layout sidecar, then its
manifest entry (:mod:`pipelines.write`).  Only committed documents are skipped on a
re-run, so a run killed at any moment and started again ends with the same output as
one that was never interrupted.

Nothing in the raw folder is passed over without a word: a folder, a broken link or a
special file, a duplicate of another file, a name that is not UTF-8 or a file that
cannot be read each get a line in the summary (and an ``errores`` row when it is a
failure).
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from extract.errors import ArchivoIlegible, EnlaceRoto, ExtractError, NombreNoUtf8
from pipelines.document import (DocumentResult, PagesRead, pdfium_page_count, process_document,
                                read_pages, sha256_of)
from pipelines.plan import Task, plan_tasks
from pipelines.write import (atomic_write_text, clean_temp_files, committed, dataset_path,
                             errores_path, pipeline_version, remove_document, remove_manifest,
                             write_document, write_errores, write_manifest)

log = logging.getLogger(__name__)

SCRATCH_DIR = "_tmp"
"""Folder under the output root for scratch files (repaired copies of damaged PDFs)."""

OCR_TEMP_MAX_AGE_S = 60
"""OCR cache temp files older than this are left-overs of a killed run (the cache writes
one in milliseconds); younger ones may belong to a run sharing the cache."""


@dataclass
class FileOutcome:
    """What happened to one entry of the raw folder.

    ``ok`` False means it failed (``errores`` rows say why; the CLI exits 1).
    ``skipped`` means it was not processed: see ``nota`` (already done, duplicate of
    another file, a folder...).  ``nota`` is also set for a file read from a repaired
    copy."""

    archivo: str
    ok: bool
    skipped: bool = False
    paginas: int = 0
    paginas_ocr: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    findings: Counter = field(default_factory=Counter)
    errores: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    nota: str | None = None
    documento_id: str | None = None


def archivo_of(path: Path) -> str:
    """The ``archivo`` value of ``path``: its name when it is valid UTF-8 (DATASETS.md:
    text is UTF-8), else the name with each undecodable byte written ``\\xNN``."""
    raw = os.fsencode(path.name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def check_name(path: Path) -> None:
    """Raise :class:`NombreNoUtf8` when ``path``'s name is not valid UTF-8 (a Latin-1 /
    Windows-1252 byte, as names copied from older Windows machines have)."""
    raw = os.fsencode(path.name)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        suggestion = raw.decode("cp1252", "replace")
        raise NombreNoUtf8(archivo_of(path),
                           "el nombre del archivo no es UTF-8 (viene de otro sistema, p. ej. "
                           f"Windows en Latin-1): renómbrelo, p. ej. a «{suggestion}» "
                           "(convmv -f latin1 -t utf8 --notest), y vuelva a ejecutar.") from None


def use_system_allocator() -> None:
    """Make pyarrow allocate with the system allocator (pyarrow's documented switch, the
    same as ``ARROW_DEFAULT_MEMORY_POOL=system``).  Its default in the wheels, mimalloc,
    keeps memory freed after a document's Arrow tables are written for reuse, which a
    long document turns into peak RSS (-17 MiB on 300 pages, ``make bench-reliability``)."""
    import pyarrow as pa

    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


def _failed(archivo: str, out: Path, exc: ExtractError | None, t0: float, row: dict | None = None,
            documento_id: str | None = None) -> FileOutcome:
    """Write a file's failure as its ``errores`` file and return its outcome."""
    if row is None:
        row = {"documento_id": None, "archivo": archivo, "pagina": exc.pagina,
               "etapa": exc.etapa, "clase": exc.clase, "mensaje": exc.mensaje}
    write_errores(out, archivo, [row])
    return FileOutcome(archivo, ok=False, errores=[row], seconds=time.perf_counter() - t0,
                       documento_id=documento_id)


def process_and_write(path: Path, out: Path, ocr_cache: Path | None = None, progress=None,
                      jobs: int = 1, layout_dir: Path | None = None,
                      sha256: str | None = None,
                      read: list[PagesRead] | None = None) -> FileOutcome:
    """Process ``path`` and write its datasets under ``out``, committing it last (its
    manifest entry).  Never raises for a bad file: the failure is returned (and written)
    as ``errores`` rows.  Self-contained (paths in, a picklable outcome out), so it can
    run in another process.  ``sha256``: the file's SHA-256 when the caller hashed it
    already (:func:`run_all` does, to find duplicates), so it is not read again.
    ``read``: its pages already read in ranges by other tasks
    (:func:`pipelines.document.read_pages`), joined here instead of read again; the
    outcome's ``seconds`` then add up the time of those tasks."""
    t0 = time.perf_counter()
    use_system_allocator()
    archivo = archivo_of(path)
    try:
        check_name(path)
        sha = sha256 or sha256_of(path)
    except ExtractError as exc:
        return _failed(archivo, out, exc, t0)
    except OSError as exc:
        return _failed(archivo, out, ArchivoIlegible(
            archivo, f"no se puede leer el archivo ({exc.strerror or exc}); dele permiso de "
                     "lectura para el usuario que ejecuta el pipeline (p. ej. chmod a+r) y "
                     "vuelva a ejecutar."), t0)
    did = sha[:16]
    remove_manifest(out, did)  # from here until the new entry, the document is not done
    try:
        res: DocumentResult = process_document(path, progress=progress, ocr_cache=ocr_cache,
                                               jobs=jobs, workdir=out / SCRATCH_DIR, sha256=sha,
                                               read=read)
    except ExtractError as exc:
        remove_document(out, did)
        return _failed(archivo, out, exc, t0)
    except MemoryError:
        remove_document(out, did)
        log.exception("%s: out of memory", archivo)
        return _failed(archivo, out, None, t0, {
            "documento_id": did, "archivo": archivo, "pagina": None, "etapa": "procesar",
            "clase": "MemoryError", "mensaje": "no alcanzó la memoria para procesar el archivo; "
                                               "procéselo solo (--only) o en una máquina con más memoria."})
    except Exception as exc:  # a bug of ours must not stop the other files
        remove_document(out, did)
        log.exception("%s: unexpected failure", archivo)
        return _failed(archivo, out, None, t0, {
            "documento_id": None, "archivo": archivo, "pagina": None, "etapa": "procesar",
            "clase": type(exc).__name__,
            "mensaje": f"error inesperado al procesar el archivo ({exc}); repórtelo con el PDF."})
    try:
        counts = write_document(out, res.documento_id, res.gestion, res.datasets)
        write_errores(out, archivo, res.errores)
        if layout_dir is not None:
            write_layout(layout_dir, res)
        write_manifest(out, manifest_entry(out, res, archivo, counts, layout_dir))
    except Exception as exc:
        return _failed(archivo, out, None, t0, {
            "documento_id": res.documento_id, "archivo": archivo, "pagina": None,
            "etapa": "escribir", "clase": type(exc).__name__,
            "mensaje": f"no se pudieron escribir los datasets ({exc}); revise el espacio libre "
                       f"y los permisos de {out}."}, documento_id=res.documento_id)
    sev = Counter(f["severidad"] for f in res.datasets.get("validaciones", []))
    return FileOutcome(archivo, ok=True, paginas=res.paginas, paginas_ocr=res.paginas_ocr,
                       rows=counts, findings=sev, errores=res.errores,
                       seconds=time.perf_counter() - t0 + sum(r.seconds for r in read or ()),
                       documento_id=res.documento_id,
                       nota=f"leído de una copia reparada por qpdf ({res.reparado})"
                       if res.reparado else None)


def manifest_entry(out: Path, res: DocumentResult, archivo: str, counts: dict[str, int],
                   layout_dir: Path | None) -> dict:
    """The manifest entry of a written document (see :mod:`pipelines.write`): paths are
    relative to ``out``."""
    datasets = {ds: {"archivo": dataset_path(out, ds, res.gestion, res.documento_id)
                     .relative_to(out).as_posix(), "filas": n} for ds, n in counts.items()}
    err = ({"archivo": errores_path(out, archivo).relative_to(out).as_posix(), "filas": len(res.errores)}
           if res.errores else None)
    return {"documento_id": res.documento_id, "sha256": res.datasets["documentos"][0]["sha256"],
            "archivo": archivo, "version": pipeline_version(), "gestion": res.gestion,
            "paginas": res.paginas, "paginas_ocr": res.paginas_ocr, "datasets": datasets,
            "errores": err, "layout": layout_dir is not None}


def write_layout(layout_dir: Path, res: DocumentResult) -> None:
    """Write the document's geometry sidecar ``<layout_dir>/<documento_id>.json``
    (temp file + rename), read by the QA report."""
    atomic_write_text(res.layout_json or json.dumps(res.layout, ensure_ascii=False),
                      layout_dir / f"{res.documento_id}.json")


def list_inputs(raw: Path, only: list[str] | None = None) -> list[Path]:
    """The entries to go through: everything in ``raw`` but hidden names (``.gitkeep``),
    files or not (a non-PDF is reported, and so are a folder, a broken link or a
    special file: :func:`run_all`), or just those named in ``only``."""
    entries = sorted((p for p in raw.iterdir() if not p.name.startswith(".")),
                     key=lambda p: os.fsencode(p.name))
    if only:
        wanted = {Path(o).name for o in only}
        entries = [p for p in entries if p.name in wanted]
    return entries


def not_a_file(path: Path, out: Path) -> FileOutcome | None:
    """The outcome of a raw-folder entry that is not a regular file: a broken link is a
    failure (an ``errores`` row); a folder or a special file (FIFO, socket, device) is
    skipped with a note.  ``None`` for a regular file (or a link to one)."""
    archivo = archivo_of(path)
    if path.is_symlink() and not path.exists():
        target = os.readlink(path)
        exc = EnlaceRoto(archivo, f"es un enlace simbólico a «{target}», que no existe; copie "
                                  "el PDF mismo en la carpeta o corrija el enlace.")
        return _failed(archivo, out, exc, time.perf_counter())
    if path.is_dir():
        return FileOutcome(archivo, ok=True, skipped=True,
                           nota="es una carpeta: no se procesa (no se leen subcarpetas; ponga "
                                "los PDF directamente en la carpeta de entrada)")
    if not path.is_file():
        return FileOutcome(archivo, ok=True, skipped=True,
                           nota="no es un archivo regular (tubería, socket o dispositivo): no se procesa")
    return None


def clean_leftovers(out: Path, layout_dir: Path | None, ocr_cache: Path | None) -> list[Path]:
    """Delete the temporary files a killed run left: under ``out`` (datasets, manifest,
    scratch copies) and ``layout_dir``, all of them; in ``ocr_cache``, those older than
    :data:`OCR_TEMP_MAX_AGE_S`.  Returns what was deleted (also logged)."""
    gone = clean_temp_files(out)
    if layout_dir is not None:
        gone += clean_temp_files(layout_dir)
    if ocr_cache is not None and ocr_cache.is_dir():
        now = time.time()
        for f in ocr_cache.glob("*.tmp"):
            try:
                if now - f.stat().st_mtime > OCR_TEMP_MAX_AGE_S:
                    f.unlink()
                    gone.append(f)
            except OSError:
                pass
    for f in gone:
        log.info("removed a temporary file left by an interrupted run: %s", f)
    return gone


def hash_file(p: Path, shas: dict[Path, str | None] | None) -> str | None:
    """SHA-256 of ``p``'s bytes, or ``None`` when its name is not UTF-8 or it cannot be
    read (:func:`process_and_write` reports both).  ``shas`` memoizes per path."""
    if shas is not None and p in shas:
        return shas[p]
    sha = None
    if os.fsencode(p.name).decode("utf-8", "replace") == p.name:
        try:
            sha = sha256_of(p)
        except OSError:
            pass
    if shas is not None:
        shas[p] = sha
    return sha


def page_count(p: Path) -> int | None:
    """Page count of ``p`` as pdfium reads it (milliseconds), the cost estimate of
    :func:`pipelines.plan.plan_tasks`; ``None`` when it is not a PDF pdfium opens (it is
    then one task, whose failure :func:`process_and_write` reports)."""
    try:
        with p.open("rb") as fh:
            if b"%PDF" not in fh.read(1024):
                return None
    except OSError:
        return None
    return pdfium_page_count(p)


def _lost(archivo: str, out: Path, exc: BaseException) -> FileOutcome:
    """The outcome of a document whose task did not return (its worker process died, the
    connection to the cluster was lost)."""
    log.error("%s: task failed: %s: %s", archivo, type(exc).__name__, exc)
    return _failed(archivo, out, None, time.perf_counter(), {
        "documento_id": None, "archivo": archivo, "pagina": None, "etapa": "procesar",
        "clase": type(exc).__name__,
        "mensaje": f"el procesamiento del archivo no terminó ({exc}: p. ej. el proceso que lo "
                   "trataba se cerró); vuelva a ejecutar; si se repite, procéselo solo "
                   "(--only ARCHIVO --jobs 1) y repórtelo con el PDF."})


def run_all(files: list[Path], out: Path, *, jobs: int = 1, force: bool = False,
            ocr_cache: Path | None = None, on_done=None, progress_factory=None,
            layout_dir: Path | None = None, scheduler: str | None = None,
            shas: dict[Path, str | None] | None = None,
            page_counts: dict[Path, int | None] | None = None) -> list[FileOutcome]:
    """Process ``files`` and return their outcomes in input order.

    Temporary files left by a killed run are deleted first (:func:`clean_leftovers`).
    Then every file is hashed and what to do with it is decided here, as a run that went
    through the files one after the other would: a file whose bytes were already
    committed (:func:`pipelines.write.committed`) is skipped unless ``force``; a file with
    the same bytes as one before it in this run, or as a committed one of another name,
    is skipped saying which file it duplicates (a copy waits for the outcome of the first:
    when that fails, the copy is processed on its own).

    The documents to process run on the engine of :func:`pipelines.engine.open_engine`:
    ``jobs`` local worker processes (:class:`pipelines.engine.PoolEngine`; this process when ``jobs`` is 1 or
    there is one short document, whose scanned pages are then OCR'd by ``jobs``
    processes), or the workers of the Dask cluster at ``scheduler``.  On workers, the
    tasks are those of :func:`pipelines.plan.plan_tasks`, longest first: a long document
    is read in page ranges by several tasks (:func:`pipelines.document.read_pages`), then
    joined, built and written by one more (:func:`process_and_write` with ``read=``);
    when one of its ranges fails, the document is processed whole instead.  The bytes
    written are those of a ``jobs=1`` run.  ``on_done(outcome)`` is called as each file finishes (in the
    order they finish); ``progress_factory(path)`` may return a per-page progress callback
    ``(done, total)``, called page by page for a document processed in this process and
    as each page range finishes for one read in ranges by workers.  ``shas`` memoizes hashes (path -> sha
    or None) across calls, ``page_counts`` page counts (path -> :func:`page_count`).
    Raises :class:`pipelines.engine.EngineError` when the cluster cannot be used (nothing is processed then)."""
    from pipelines.engine import open_engine

    clean_leftovers(out, layout_dir, ocr_cache)
    outcomes: list[FileOutcome | None] = [None] * len(files)
    seen: dict[str, str] = {}  # sha256 -> archivo processed (or found committed) in this run
    running: set[str] = set()  # sha256 of the documents to process
    waiting: dict[str, deque[int]] = {}  # sha256 -> later files with the same bytes
    todo: list[int] = []
    sha_of: list[str | None] = []

    def finish(i: int, o: FileOutcome) -> None:
        sha = sha_of[i]
        if sha is not None and o.ok:  # a copy of a file that failed fails on its own
            seen.setdefault(sha, o.archivo)
        log.info("%s: %s", o.archivo, describe(o))
        for e in o.errores:
            log.info("%s%s [%s/%s] %s", o.archivo, f" p.{e['pagina']}" if e.get("pagina") else "",
                     e["etapa"], e["clase"], e["mensaje"])
        outcomes[i] = o
        if on_done:
            on_done(o)

    for i, p in enumerate(files):
        o = not_a_file(p, out)
        sha = hash_file(p, shas) if o is None else None
        sha_of.append(sha)
        if o is None and sha is not None:
            if sha in running:
                waiting[sha].append(i)
                continue
            archivo = archivo_of(p)
            entry = committed(out, sha) if not force else None
            if sha in seen:
                o = FileOutcome(archivo, ok=True, skipped=True, documento_id=sha[:16],
                                nota=f"duplicado de {seen[sha]} (mismo contenido): no se procesa otra vez")
            elif entry is not None and entry.get("archivo") != archivo:
                seen[sha] = entry.get("archivo")
                o = FileOutcome(archivo, ok=True, skipped=True, documento_id=sha[:16],
                                nota=f"duplicado de {entry.get('archivo')} (mismo contenido, ya procesado)")
            elif entry is not None:
                o = FileOutcome(archivo, ok=True, skipped=True, documento_id=sha[:16],
                                paginas=entry.get("paginas", 0), paginas_ocr=entry.get("paginas_ocr", 0),
                                nota="ya procesado (mismo contenido; --force lo procesa otra vez)")
        if o is None:
            todo.append(i)
            if sha is not None:
                running.add(sha)
                waiting[sha] = deque()
        else:
            finish(i, o)

    folders = [f for f in (files[0].parent if files else None, out, ocr_cache, layout_dir) if f]
    counts: list[int | None] = [None] * len(todo)
    if jobs > 1 or scheduler:  # the plan's cost estimates
        page_counts = {} if page_counts is None else page_counts
        for k, i in enumerate(todo):
            if files[i] not in page_counts:
                page_counts[files[i]] = page_count(files[i])
            counts[k] = page_counts[files[i]]
    planned = plan_tasks(counts, jobs)
    with open_engine(jobs, scheduler, len(planned), folders) as engine:
        ocr_jobs = jobs if engine.inline else 1
        if engine.inline:  # here: whole documents, in input order
            queue = [Task(k, 1) for k in range(len(todo))]
        else:  # on workers: long documents in page ranges, longest task first
            queue = planned if not scheduler else plan_tasks(counts, engine.slots)
        parts: dict[int, list] = {}  # doc -> the PagesRead of its ranges (None: one failed)
        left: dict[int, int] = Counter(t.doc for t in queue if not t.whole)
        range_progress: dict[int, object] = {}  # doc -> its progress callback (read in ranges)
        in_flight = 0

        def submit(t: Task, read: list[PagesRead] | None = None) -> None:
            nonlocal in_flight
            i = todo[t.doc]
            if not t.whole:
                engine.submit(t, read_pages, files[i], t.first, t.last, ocr_cache,
                              out / SCRATCH_DIR, sha_of[i])
            else:
                cb = progress_factory(files[i]) if progress_factory and engine.inline else None
                engine.submit(t, process_and_write, files[i], out, ocr_cache, cb, jobs=ocr_jobs,
                              layout_dir=layout_dir, sha256=sha_of[i], read=read)
            in_flight += 1

        while queue or in_flight:
            while queue and in_flight < engine.slots:
                t = queue.pop(0)
                submit(t, parts.pop(t.doc, None) if t.whole else None)
            t, o, exc = engine.next_done()
            in_flight -= 1
            if not t.whole:  # a page range: when the document's last one is in, join them
                reads = parts.setdefault(t.doc, [])
                if exc is not None or reads is None:
                    if exc is not None:
                        log.info("%s p.%s-%s: reading the pages failed (%s: %s); the document is "
                                 "processed whole", archivo_of(files[todo[t.doc]]), t.first, t.last,
                                 type(exc).__name__, exc)
                    parts[t.doc] = None
                else:
                    reads.append(o)
                    if progress_factory:  # pages read so far, said here as ranges finish
                        if t.doc not in range_progress:
                            range_progress[t.doc] = progress_factory(files[todo[t.doc]])
                        if range_progress[t.doc]:
                            range_progress[t.doc](sum(r.last - r.first + 1 for r in reads), o.paginas)
                left[t.doc] -= 1
                if not left[t.doc]:  # the join (or, after a failure, the whole document) next
                    if parts[t.doc] is None:
                        del parts[t.doc]
                    queue.insert(0, Task(t.doc, t.cost))
                continue
            i = todo[t.doc]
            if exc is not None:
                o = _lost(archivo_of(files[i]), out, exc)
            finish(i, o)
            sha = sha_of[i]
            if sha is None or sha not in waiting:
                continue
            if o.ok:  # its copies are duplicates of it
                for j in waiting.pop(sha):
                    finish(j, FileOutcome(archivo_of(files[j]), ok=True, skipped=True,
                                          documento_id=sha[:16],
                                          nota=f"duplicado de {o.archivo} (mismo contenido): "
                                               "no se procesa otra vez"))
            elif waiting[sha]:  # the next copy is processed on its own
                todo.append(waiting[sha].popleft())
                queue.insert(0, Task(len(todo) - 1, 1))
            else:
                del waiting[sha]
    return outcomes


def describe(o: FileOutcome) -> str:
    """One-line state of an outcome, as the summary prints it."""
    if o.skipped:
        return f"omitido: {o.nota}" if o.nota else "omitido"
    if not o.ok:
        return "FALLÓ"
    state = f"ok, {len(o.errores)} error(es) de página" if o.errores else "ok"
    return f"{state}; {o.nota}" if o.nota else state
