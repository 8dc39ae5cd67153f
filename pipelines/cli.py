"""Command line: ``python -m pipelines`` / the ``poa-datos`` console script.

Exit codes: 0 all good; 1 some files failed (the others were written); 2 bad usage.
"""
from __future__ import annotations

import argparse
import os
import logging
import sys
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from pipelines.run import FileOutcome, list_inputs, run_all

EXIT_OK, EXIT_FAILED_FILES, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipelines",
                                description="PDFs de planificación y presupuesto -> datasets Parquet")
    p.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder of source PDFs")
    p.add_argument("--out", type=Path, default=Path("data/parquet"), help="datasets folder")
    p.add_argument("--only", action="append", metavar="FILE", help="process only this file (repeatable)")
    p.add_argument("--force", action="store_true", help="re-process files already written")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes for OCR of scanned pages (default: all cores)")
    p.add_argument("--ocr-cache", type=Path, default=Path("data/interim/ocr"),
                   help="OCR cache folder (by page-image hash)")
    p.add_argument("--layout", type=Path, default=Path("data/interim/layout"),
                   help="geometry sidecars (table and cell boxes) for the QA report")
    p.add_argument("--logs", type=Path, default=Path("data/logs"), help="log folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar, only the summary")
    return p


def summary(console: Console, outcomes: list[FileOutcome]) -> None:
    t = RichTable(title="Resumen")
    for c in ("archivo", "estado", "páginas", "OCR", "filas", "hallazgos", "s"):
        t.add_column(c)
    rows_total: Counter = Counter()
    for o in outcomes:
        rows_total.update(o.rows)
        state = "omitido (ya procesado)" if o.skipped else ("ok" if o.ok else "FALLÓ")
        if o.ok and o.errores:
            state = f"ok, {len(o.errores)} pág. con error"
        t.add_row(o.archivo, state, str(o.paginas), str(o.paginas_ocr),
                  str(sum(v for k, v in o.rows.items() if k not in ("tablas", "paginas"))),
                  ", ".join(f"{k}: {v}" for k, v in sorted(o.findings.items())) or "-",
                  f"{o.seconds:.1f}")
    console.print(t)
    if rows_total:
        console.print("Filas por dataset: " + ", ".join(f"{k}={v}" for k, v in sorted(rows_total.items())))
    for o in outcomes:
        for e in o.errores:
            where = f" p.{e['pagina']}" if e.get("pagina") else ""
            console.print(f"[red]{o.archivo}{where}[/red] [{e['etapa']}/{e['clase']}] {e['mensaje']}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    console = Console(stderr=False)
    if not args.raw.is_dir():
        console.print(f"[red]No existe la carpeta de entrada {args.raw}[/red]: cree data/raw y copie los PDF allí.")
        return EXIT_USAGE
    if args.jobs < 1:
        console.print("[red]--jobs debe ser 1 o más[/red]")
        return EXIT_USAGE
    args.logs.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=args.logs / "pipeline.log", level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    files = list_inputs(args.raw, args.only)
    if not files:
        console.print(f"[yellow]No hay archivos en {args.raw}{' que coincidan con --only' if args.only else ''}.[/yellow]")
        return EXIT_USAGE if args.only else EXIT_OK
    args.out.mkdir(parents=True, exist_ok=True)
    if args.quiet:
        outcomes = run_all(files, args.out, jobs=args.jobs, force=args.force, ocr_cache=args.ocr_cache,
                           layout_dir=args.layout)
    else:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as prog:
            overall = prog.add_task("documentos", total=len(files))
            page_tasks: dict[str, int] = {}

            def factory(path: Path):
                tid = prog.add_task(f"  {path.name} (páginas)", total=None)
                page_tasks[path.name] = tid
                return lambda i, n: prog.update(tid, completed=i, total=n)

            def done(o: FileOutcome):
                prog.advance(overall)
                if o.archivo in page_tasks:
                    prog.remove_task(page_tasks[o.archivo])

            outcomes = run_all(files, args.out, jobs=args.jobs, force=args.force,
                               ocr_cache=args.ocr_cache, on_done=done, progress_factory=factory,
                               layout_dir=args.layout)
    summary(console, outcomes)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        console.print(f"[red]{len(failed)} archivo(s) fallaron[/red]; los demás se escribieron en {args.out}. "
                      f"Detalle en {args.out}/errores y {args.logs}/pipeline.log.")
        return EXIT_FAILED_FILES
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
