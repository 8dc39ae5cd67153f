"""Command line: ``python -m pipelines`` / the ``poa-datos`` console script.

Exit codes: 0 all good; 1 some files failed (the others were written), or a remote
output folder was not written completely (the next run re-does what is missing); 2 bad
usage (also a ``--raw``/``--out`` URL of an unknown protocol or of one whose package is
not installed: :mod:`pipelines.storage`) or a broken configuration file
(``pipelines/data/*.toml``), both checked before any document.
Every run that processed files ends by writing ``<out>/datapackage.json``
(:func:`pipelines.datapackage.write_datapackage`), failed files or not.

The summary names every file whole (long names wrap, at any terminal width) and prints
names and messages as plain text, never as rich markup (``informe [2021].pdf`` stays
as it is); the log file has one line per file and per error, names whole.
"""
from __future__ import annotations

import argparse
import os
import logging
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.table import Table as RichTable
from rich.text import Text

from extract.errors import ConfigError
from pipelines.config import validate_config
from pipelines.datapackage import write_datapackage
from pipelines.engine import SCHEDULER_ENV, EngineError
from pipelines.prune import Stale, prune, stale_documents
from pipelines.run import (FileOutcome, hash_file, archivo_of, describe, list_inputs, page_count,
                           run_all)
from pipelines.storage import OutputMirror, RemoteFolder, StorageError, resolve

EXIT_OK, EXIT_FAILED_FILES, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The CLI's options (``--help`` prints them)."""
    p = argparse.ArgumentParser(prog="python -m pipelines",
                                description="PDFs de planificación y presupuesto -> datasets Parquet")
    p.add_argument("--raw", default="data/raw",
                   help="folder of source PDFs: a path or an fsspec URL (file:///..., s3://... with "
                        "s3fs installed; a remote folder is copied to a local staging folder under "
                        "$TMPDIR first)")
    p.add_argument("--out", default="data/parquet",
                   help="datasets folder: a path or an fsspec URL (a remote folder is written "
                        "through a local staging folder, each document uploaded as it finishes, "
                        "its manifest entry last)")
    p.add_argument("--only", action="append", metavar="FILE", help="process only this file (repeatable)")
    p.add_argument("--force", action="store_true", help="re-process files already written")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="worker processes: documents in parallel (a single document: its scanned "
                        "pages' OCR); default all cores")
    p.add_argument("--scheduler", default=os.environ.get(SCHEDULER_ENV) or None, metavar="ADDRESS",
                   help="address of a running Dask scheduler (tcp://host:8786) whose workers process "
                        f"the documents instead of --jobs local processes (default ${SCHEDULER_ENV})")
    p.add_argument("--prune", action="store_true",
                   help="remove the rows of files no longer in --raw (every run says which they are)")
    p.add_argument("--ocr-cache", type=Path, default=Path("data/interim/ocr"),
                   help="OCR cache folder (by page-image hash)")
    p.add_argument("--layout", type=Path, default=Path("data/interim/layout"),
                   help="geometry sidecars (table and cell boxes) for the QA report")
    p.add_argument("--logs", type=Path, default=Path("data/logs"), help="log folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar, only the summary")
    return p


def summary(console: Console, outcomes: list[FileOutcome]) -> None:
    """Print the run's summary: one row per entry of the raw folder, rows per dataset,
    then every ``errores`` row.  Names and messages are :class:`rich.text.Text` (never
    parsed as markup) and fold onto more lines instead of being cut."""
    t = RichTable(title="Resumen")
    t.add_column("archivo", overflow="fold", ratio=3, min_width=12)
    t.add_column("estado", overflow="fold", ratio=2, min_width=8)
    for c in ("páginas", "OCR", "filas"):
        t.add_column(c, justify="right", overflow="fold")
    t.add_column("hallazgos", overflow="fold", ratio=1)
    t.add_column("s", justify="right", overflow="fold")
    rows_total: Counter = Counter()
    for o in outcomes:
        rows_total.update(o.rows)
        t.add_row(Text(o.archivo), Text(describe(o), style=None if o.ok else "red"),
                  str(o.paginas), str(o.paginas_ocr),
                  str(sum(v for k, v in o.rows.items() if k not in ("tablas", "paginas"))),
                  Text(", ".join(f"{k}: {v}" for k, v in sorted(o.findings.items())) or "-"),
                  f"{o.seconds:.1f}")
    console.print(t)
    if rows_total:
        console.print(Text("Filas por dataset: " + ", ".join(f"{k}={v}" for k, v in sorted(rows_total.items()))))
    for o in outcomes:
        for e in o.errores:
            where = f" p.{e['pagina']}" if e.get("pagina") else ""
            console.print(Text.assemble((f"{o.archivo}{where}", "red"), " ",
                                        f"[{e['etapa']}/{e['clase']}]", " ", str(e["mensaje"])), soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    console = Console(stderr=False)
    try:
        raw, out = resolve(args.raw), resolve(args.out)
    except StorageError as exc:
        console.print(Text.assemble(("Carpeta inválida", "red"), f": {exc.mensaje} "
                                    "No se procesó ningún documento."), soft_wrap=True)
        return EXIT_USAGE
    if not raw.is_dir():
        console.print(Text.assemble((f"No existe la carpeta de entrada {args.raw}", "red"),
                                    ": cree data/raw y copie los PDF allí."))
        return EXIT_USAGE
    if args.jobs < 1:
        console.print("[red]--jobs debe ser 1 o más[/red]")
        return EXIT_USAGE
    try:
        validate_config()
    except ConfigError as exc:
        console.print(Text.assemble(("Configuración inválida", "red"), f": {exc.archivo}"
                                    f"{f', línea {exc.linea}' if exc.linea else ''}: {exc.mensaje} "
                                    "No se procesó ningún documento."), soft_wrap=True)
        return exc.exit_code
    args.logs.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(args.logs / "pipeline.log", encoding="utf-8", errors="backslashreplace")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    try:
        with _staged(args, raw, out) as sync:
            return _run(args, console, sync)
    except StorageError as exc:
        console.print(Text.assemble(("Carpeta inválida", "red"), f": {exc.mensaje}"), soft_wrap=True)
        return EXIT_USAGE
    finally:
        root.removeHandler(handler)
        handler.close()


@contextmanager
def _staged(args: argparse.Namespace, raw: Path | RemoteFolder, out: Path | RemoteFolder):
    """Set ``args.raw`` and ``args.out`` to the local folders the run works on, and yield
    the function that uploads what changed in the output folder (a no-op for a local one).
    A local folder (a path, a ``file://`` URL) is used in place; a remote one through a
    staging folder under a temporary directory (``$TMPDIR``), deleted after the run
    (:mod:`pipelines.storage`).  ``args.raw_shown`` / ``args.out_shown`` keep the folders
    as given, for messages.  Raises :class:`pipelines.storage.StorageError`."""
    args.raw_shown, args.out_shown = str(args.raw), str(args.out)
    if isinstance(raw, Path) and isinstance(out, Path):
        args.raw, args.out = raw, out
        yield lambda: None
        return
    with tempfile.TemporaryDirectory(prefix="poa-datos-") as tmp:
        args.raw = raw if isinstance(raw, Path) else raw.stage_inputs(Path(tmp) / "raw")
        if isinstance(out, Path):
            args.out = out
            yield lambda: None
            return
        mirror = OutputMirror(out, Path(tmp) / "out")
        args.out = mirror.pull()
        yield mirror.push


def stale_line(stale: Stale, args: argparse.Namespace) -> Text:
    """The summary's line on outputs of files no longer in the raw folder."""
    names = ", ".join(stale.archivos())
    if args.prune:
        return Text(f"Se quitaron las filas de {len(stale.archivos())} archivo(s) que ya no están en "
                    f"{args.raw_shown}: {names}.", style="yellow")
    return Text(f"{args.out_shown} tiene filas de {len(stale.archivos())} archivo(s) que ya no están en "
                f"{args.raw_shown}: {names}. Para quitarlas: make prune (o --prune).", style="yellow")


def _run(args: argparse.Namespace, console: Console, sync=lambda: None) -> int:
    """The run proper, once the arguments and the configuration are checked; ``sync()``
    uploads what changed in a remote output folder (after the prune, after each document,
    after ``datapackage.json``; :meth:`pipelines.storage.OutputMirror.push`)."""
    files = list_inputs(args.raw, args.only)
    if not files:
        console.print(Text(f"No hay archivos en {args.raw_shown}{' que coincidan con --only' if args.only else ''}.",
                           style="yellow"))
        return EXIT_USAGE if args.only else EXIT_OK
    args.out.mkdir(parents=True, exist_ok=True)
    shas: dict[Path, str | None] = {}
    every = list_inputs(args.raw) if args.only else files
    stale = stale_documents(args.out, {archivo_of(p): p for p in every}, lambda p: hash_file(p, shas))
    if stale and args.prune:
        prune(args.out, stale, args.layout)
        sync()
    try:
        outcomes = _process(args, console, files, shas, sync)
    except EngineError as exc:
        console.print(Text.assemble(("No se pudo usar el clúster", "red"), f": {exc.mensaje} "
                                    "No se procesó ningún documento."), soft_wrap=True)
        return EXIT_USAGE
    write_datapackage(args.out)
    try:
        sync()
    except StorageError as exc:
        summary(console, outcomes)
        console.print(Text.assemble(("No se pudo escribir la carpeta de salida", "red"),
                                    f": {exc.mensaje} Vuelva a ejecutar: lo que no se subió se "
                                    "procesa otra vez."), soft_wrap=True)
        return EXIT_FAILED_FILES
    summary(console, outcomes)
    if stale:
        line = stale_line(stale, args)
        logging.getLogger(__name__).info("%s", line.plain)
        console.print(line, soft_wrap=True)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        console.print(Text.assemble((f"{len(failed)} archivo(s) fallaron", "red"),
                                    f"; los demás se escribieron en {args.out_shown}. Detalle en "
                                    f"{args.out_shown}/errores y {args.logs}/pipeline.log."))
        return EXIT_FAILED_FILES
    return EXIT_OK


def _process(args: argparse.Namespace, console: Console, files: list[Path],
             shas: dict[Path, str | None], sync=lambda: None) -> list[FileOutcome]:
    """:func:`pipelines.run.run_all` with one progress display for the whole run:
    documents done, pages done (as documents finish; page by page for a document
    processed in this process; range by range for one read in page ranges) out of the
    run's pages (each PDF's page count, read by pdfium in milliseconds before the run; a
    file skipped or failed takes its pages off the total), with the time remaining.
    ``sync()`` is called as each document finishes; when it fails, the upload is left to
    the run's last ``sync()``."""

    def uploaded(o: FileOutcome) -> None:
        try:
            sync()
        except StorageError as exc:
            logging.getLogger(__name__).warning("%s: upload left for the end of the run: %s",
                                                o.archivo, exc.mensaje)

    kw = dict(jobs=args.jobs, force=args.force, ocr_cache=args.ocr_cache, layout_dir=args.layout,
              scheduler=args.scheduler, shas=shas)
    if args.quiet:
        return run_all(files, args.out, on_done=uploaded, **kw)
    page_counts = {p: page_count(p) for p in files}  # also run_all's cost estimates
    counts = {archivo_of(p): n or 0 for p, n in page_counts.items()}
    with Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=console) as prog:
        overall = prog.add_task("documentos", total=len(files))
        total = [sum(counts.values())]
        pages = prog.add_task("páginas", total=total[0] or None)
        page_tasks: dict[str, tuple[int, list[int]]] = {}

        def factory(path: Path):
            name = archivo_of(path)
            tid = prog.add_task(f"  {name} (páginas)", total=None)
            seen = [0]
            page_tasks[name] = (tid, seen)

            def cb(i: int, n: int) -> None:
                prog.update(tid, completed=i, total=n)
                prog.advance(pages, i - seen[0])
                seen[0] = i
            return cb

        def done(o: FileOutcome):
            prog.advance(overall)
            tid, seen = page_tasks.pop(o.archivo, (None, [0]))
            if tid is not None:
                prog.remove_task(tid)
            if o.skipped:  # its pages are not read in this run
                total[0] -= counts.get(o.archivo, 0)
            else:
                prog.advance(pages, o.paginas - seen[0])
                total[0] += o.paginas - counts.get(o.archivo, 0)  # a failed file: 0 pages
            prog.update(pages, total=max(total[0], 0))
            uploaded(o)

        return run_all(files, args.out, on_done=done, progress_factory=factory,
                       page_counts=page_counts, **kw)


if __name__ == "__main__":
    sys.exit(main())
