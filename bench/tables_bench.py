"""Table-engine benchmark: how well each engine reproduces the corpus's truth tables.

    python bench/tables_bench.py [--shared ../shared] [--engines a,b,...] [--keep DIR]
                                 [--json OUT.json] [--camelot-backend pdfium]

What it measures
    On the three *digital* corpus documents (``digemig_poa_2019``, ``segip_poa_2021``,
    ``segip_rendicion_cuentas_2020``; no OCR involved), every engine below extracts the
    tables of **every page**; its tables are written as a ``tablas`` dataset in the
    contract's layout (``../shared/DATASETS.md``: ``tablas/gestion=<g>/<documento_id>.parquet``)
    and scored against ``truth/<name>/tablas.json`` by the shared scorer
    (``../shared/bench/score.py --doc <name>``). Per engine and document it prints

    - ``recall``  : truth tables paired with a predicted table (token-overlap Dice >= 0.2)
                    / truth tables;
    - ``lenient`` : mean over truth tables of the lenient cell accuracy (rows, then
                    columns aligned by content; a cell scores rapidfuzz ratio/100; an
                    unmatched truth table scores 0);
    - ``score``   : the scorer's tablas score = recall x lenient;
    - ``strict``  : the same cell accuracy with exact (normalized) equality;
    - ``pred``    : tables written (``pred - matched`` are spurious, reported not scored);
    - ``s/page``  : wall seconds the engine spent on the document / its pages, measured
                    in this run, one engine after the other (the machines are noisy:
                    compare engines within one run, not across runs);
    - ``fail``    : pages on which the engine raised (caught, counted, listed below the
                    table; such a page contributes no tables).

Engines (default settings everywhere: this is "the tool out of the box")
    camelot-lattice   ``camelot.read_pdf(pages=<p>, flavor="lattice")`` page by page (so a
                      failing page is caught and counted instead of aborting the document).
    camelot-stream    the same with ``flavor="stream"``.
    camelot-fallback  per page: the lattice tables if lattice found any, else the stream
                      tables (the classic "lattice, then stream" recipe). Computed from
                      the two runs above; its time is lattice(p) + stream(p) on the pages
                      that fell back, i.e. exactly what running it would cost.
    camelot-auto      camelot 2's own ``flavor="auto"``: per page, counts ruled lines,
                      parses ruled pages with lattice and the others with ``network``.
    pdfplumber        ``page.find_tables()`` + ``table.extract()`` with default settings
                      (``lines`` strategy: ruled tables only), ``None`` cells as "".
    pipeline          ours: ``python -m pipelines --raw <tmp raw> --out <tmp> --force
                      --quiet`` (ruled + whitespace tables, header rows, captions and
                      continuation of a table over pages under one ``tabla_id``). Its
                      ``s/page`` is the per-document time printed in its summary, which
                      covers the *whole* pipeline (text layer, every dataset,
                      validation), not only tables; its run folders (logs, layout,
                      OCR cache) go to the temp dir, never to ``data/``.

    Raw engines get no post-processing beyond what the pipeline applies to every table
    it writes (``pipelines.tablas.tablas_rows``: whitespace folding, NFC, per-column
    ``valor``), so the differences are in table detection and cell segmentation. They
    write no ``titulo``, no header rows (``es_encabezado`` false) and never merge a
    table across pages: a table printed over two pages is two tables, and the scorer
    pairs only one of them with the truth table, so its other page's rows count as
    missing cells.

Not part of the test suite (``pyproject.toml`` collects ``tests/`` only); it needs the
corpus, camelot, pdfplumber and a few minutes (camelot lattice and auto render every
page). Nothing is written outside a temp dir unless ``--keep DIR`` is given.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a plain script: make pipelines/, extract/ importable
    sys.path.insert(0, str(REPO))

from extract.models import Table  # noqa: E402
from normalize.text import clean_text  # noqa: E402
from pipelines.context import DocContext  # noqa: E402
from pipelines.tablas import tablas_rows  # noqa: E402
from pipelines.write import write_document  # noqa: E402

DOCS: dict[str, tuple[str, int]] = {
    "digemig_poa_2019": ("DIGEMIG", 2019),
    "segip_poa_2021": ("SEGIP", 2021),
    "segip_rendicion_cuentas_2020": ("SEGIP", 2020),
}
"""Corpus document -> (entidad, gestion) written on its rows."""

ENGINES = ["camelot-lattice", "camelot-stream", "camelot-fallback", "camelot-auto",
           "pdfplumber", "pipeline"]

Grid = list[list[str]]


@dataclass
class PageResult:
    """What one engine found on one page: (grid, metodo) per table, time, error."""
    tables: list[tuple[Grid, str]] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


@dataclass
class EngineRun:
    """One engine on one document."""
    pages: dict[int, PageResult] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None  # the whole engine failed on this document

    @property
    def failed_pages(self) -> list[int]:
        return sorted(p for p, r in self.pages.items() if r.error)


# --------------------------------------------------------------------------- engines

def _short(exc: BaseException) -> str:
    msg = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {msg[:160]}"


def _grid(cells: list[list[object]]) -> Grid:
    return [["" if c is None else str(c) for c in row] for row in cells]


def camelot_page(path: Path, page: int, flavor: str, backend: str | None) -> PageResult:
    """camelot on one page; any exception is caught and returned as the page's error."""
    import camelot  # imported here so a broken camelot fails its engines, not the run

    kwargs = {"backend": backend} if backend and flavor in ("lattice", "auto", "hybrid") else {}
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = camelot.read_pdf(str(path), pages=str(page), flavor=flavor,
                                     suppress_stdout=True, **kwargs)
        tables = []
        for t in found:
            kind = getattr(t, "flavor", flavor)
            metodo = "lattice" if kind == "lattice" else "stream"
            tables.append((_grid(t.df.fillna("").astype(str).values.tolist()), metodo))
        return PageResult(tables, time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - counted and reported, never fatal
        return PageResult([], time.perf_counter() - t0, _short(exc))


def page_count(path: Path) -> int:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def run_camelot(path: Path, flavor: str, backend: str | None) -> EngineRun:
    import camelot  # noqa: F401 - the import (~2 s) is not charged to the first document

    run = EngineRun()
    n = page_count(path)
    t0 = time.perf_counter()
    for p in range(1, n + 1):
        run.pages[p] = camelot_page(path, p, flavor, backend)
    run.seconds = time.perf_counter() - t0
    return run


def run_fallback(lattice: EngineRun, stream: EngineRun) -> EngineRun:
    """Per page: lattice's tables when it found any, else stream's. The page counts as
    failed only when its final answer came from a stream run that raised."""
    run = EngineRun(error="; ".join(e for e in (lattice.error, stream.error) if e) or None)
    for p, lat in lattice.pages.items():
        if lat.tables:
            run.pages[p] = PageResult(lat.tables, lat.seconds)
        else:
            st = stream.pages.get(p, PageResult(error="no stream result for the page"))
            run.pages[p] = PageResult(st.tables, lat.seconds + st.seconds, st.error)
    run.seconds = sum(r.seconds for r in run.pages.values())
    return run


def run_pdfplumber(path: Path) -> EngineRun:
    import pdfplumber

    run = EngineRun()
    t0 = time.perf_counter()
    with pdfplumber.open(path) as pdf:
        for i, page in enumerate(pdf.pages, start=1):
            tp = time.perf_counter()
            try:
                tables = [(_grid(t.extract()), "lattice") for t in page.find_tables()]
                run.pages[i] = PageResult(tables, time.perf_counter() - tp)
            except Exception as exc:  # noqa: BLE001
                run.pages[i] = PageResult([], time.perf_counter() - tp, _short(exc))
            page.flush_cache()
    run.seconds = time.perf_counter() - t0
    return run


# --------------------------------------------------------------------------- datasets

def documento_id(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def write_engine_dataset(root: Path, pdfs: dict[str, Path], runs: dict[str, EngineRun]) -> None:
    """Write each document's tables as the contract's ``tablas`` files under ``root``:
    one tabla_id per table and page (``<documento_id>-p<pagina>-t<n>``), no merging."""
    for name, run in runs.items():
        entidad, gestion = DOCS[name]
        ctx = DocContext(documento_id(pdfs[name]), pdfs[name].name, entidad, gestion)
        rows: list[dict] = []
        for p in sorted(run.pages):
            n = 0
            for grid, metodo in run.pages[p].tables:
                cells = tuple(tuple(clean_text(c) or "" for c in r) for r in grid)
                if not cells or not any(cells):
                    continue
                n += 1
                t = Table(pagina=p, orden=n, metodo=metodo, bbox=(0.0, 0.0, 0.0, 0.0),
                          rows=cells, row_pages=(p,) * len(cells), n_header=0, titulo=None)
                rows += tablas_rows(ctx, t)[0]
        write_document(root, ctx.documento_id, gestion, {"tablas": rows})


def run_pipeline(raw: Path, out: Path, work: Path, pages: dict[str, int]) -> dict[str, EngineRun]:
    """Run ``python -m pipelines`` once over ``raw``; per-document seconds from its summary
    (wall time shared by pages when the summary cannot be read)."""
    cmd = [sys.executable, "-m", "pipelines", "--raw", str(raw), "--out", str(out), "--force",
           "--quiet", "--logs", str(work / "logs"), "--layout", str(work / "layout"),
           "--ocr-cache", str(work / "ocr")]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "COLUMNS": "300"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    seconds: dict[str, float] = {}
    failed: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) < 4:
            continue
        name = cells[1].removesuffix(".pdf")
        if name in pages:
            try:
                seconds[name] = float(cells[-2])
            except ValueError:
                pass
            if cells[2] != "ok" and not cells[2].startswith("ok"):
                failed[name] = f"pipeline state '{cells[2]}'"
    runs = {}
    for name, n in pages.items():
        r = EngineRun(seconds=seconds.get(name, wall * n / sum(pages.values())))
        if proc.returncode not in (0, 1):
            r.error = f"exit {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-300:]}"
        elif name in failed:
            r.error = failed[name]
        runs[name] = r
    if not seconds:
        print(f"note: pipeline summary not parsed; s/page = wall {wall:.1f} s shared by pages",
              file=sys.stderr)
    return runs


# --------------------------------------------------------------------------- scoring

def score(shared: Path, parquet: Path, name: str, out_json: Path) -> dict:
    """The scorer's ``tablas`` result for document ``name`` (or {'error': ...})."""
    cmd = [sys.executable, str(shared / "bench" / "score.py"), "--truth", str(shared / "corpus"),
           "--parquet", str(parquet), "--doc", name, "--json", str(out_json)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not out_json.is_file():
        return {"error": f"score.py exit {proc.returncode}: {proc.stderr.strip()[-300:]}"}
    result = json.loads(out_json.read_text(encoding="utf-8"))
    for doc in result.get("documents", []):
        if doc.get("name") == name or doc.get("archivo") == f"{name}.pdf":
            tablas = doc["datasets"].get("tablas")
            return tablas if tablas else {"error": "no tablas result"}
    return {"error": "document not in the scorer's report"}


# --------------------------------------------------------------------------- report

def _f(x: float | None, w: int, d: int = 3) -> str:
    return f"{x:>{w}.{d}f}" if isinstance(x, (int, float)) else f"{'-':>{w}}"


def render(results: list[dict], pages: dict[str, int]) -> str:
    head = (f"{'engine':<17}{'document':<30}{'pages':>6}{'truth':>6}{'pred':>6}{'match':>6}"
            f"{'recall':>8}{'lenient':>8}{'strict':>8}{'score':>7}{'s/page':>8}{'fail':>6}")
    lines = [head, "-" * len(head)]
    notes: list[str] = []
    by_engine: dict[str, list[dict]] = {}
    for r in results:
        by_engine.setdefault(r["engine"], []).append(r)
    for engine, rs in by_engine.items():
        for r in rs:
            s = r["score"]
            lines.append(
                f"{engine:<17}{r['document']:<30}{pages[r['document']]:>6}"
                f"{s.get('truth', '-'):>6}{s.get('pred', '-'):>6}{s.get('matched', '-'):>6}"
                f"{_f(s.get('recall'), 8)}{_f(s.get('field_lenient'), 8)}"
                f"{_f(s.get('field_acc'), 8)}{_f(s.get('score'), 7)}"
                f"{_f(r['s_page'], 8, 2)}{r['failed']:>6}")
            if r.get("error"):
                notes.append(f"{engine} / {r['document']}: {r['error']}")
            if s.get("error"):
                notes.append(f"{engine} / {r['document']}: scoring failed: {s['error']}")
            for p, err in r.get("page_errors", [])[:3]:
                notes.append(f"{engine} / {r['document']} p{p}: {err}")
            if len(r.get("page_errors", [])) > 3:
                notes.append(f"{engine} / {r['document']}: ... {len(r['page_errors']) - 3}"
                             " more failed pages")
        scores = [r["score"].get("score") for r in rs]
        ok = [x for x in scores if isinstance(x, (int, float))]
        secs = sum(r["seconds"] for r in rs)
        npages = sum(pages[r["document"]] for r in rs)
        lines.append(f"{'':<17}{'mean (s/page: all pages)':<30}{npages:>6}{'':>18}"
                     f"{_f(_mean([r['score'].get('recall') for r in rs]), 8)}"
                     f"{_f(_mean([r['score'].get('field_lenient') for r in rs]), 8)}"
                     f"{_f(_mean([r['score'].get('field_acc') for r in rs]), 8)}"
                     f"{_f(sum(ok) / len(ok) if ok and len(ok) == len(scores) else None, 7)}"
                     f"{_f(secs / npages if npages else None, 8, 2)}"
                     f"{sum(r['failed'] for r in rs):>6}")
        lines.append("")
    if notes:
        lines += ["failures (caught):"] + [f"  {n}" for n in notes]
    return "\n".join(lines).rstrip()


def _mean(xs: list) -> float | None:
    vals = [x for x in xs if isinstance(x, (int, float))]
    return sum(vals) / len(vals) if vals and len(vals) == len(xs) else None


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                    help="folder holding corpus/ and bench/score.py (default: ../shared)")
    ap.add_argument("--engines", default=",".join(ENGINES),
                    help=f"comma-separated subset of {','.join(ENGINES)}")
    ap.add_argument("--keep", type=Path, help="write every engine's datasets under this folder")
    ap.add_argument("--json", type=Path, help="write every number (and scorer details) here")
    ap.add_argument("--camelot-backend", default=None,
                    help="camelot image backend for lattice/auto (default: camelot's, pdfium)")
    args = ap.parse_args(argv)

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        print(f"unknown engines: {unknown}; choose from {ENGINES}", file=sys.stderr)
        return 2
    corpus = args.shared / "corpus"
    pdfs = {name: corpus / f"{name}.pdf" for name in DOCS}
    missing = [str(p) for p in pdfs.values() if not p.is_file()]
    if missing or not (args.shared / "bench" / "score.py").is_file():
        print(f"corpus or scorer missing under {args.shared}: {missing or 'bench/score.py'}",
              file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="tables-bench-"))
    root = args.keep or work / "datasets"
    pages = {name: page_count(p) for name, p in pdfs.items()}
    runs: dict[str, dict[str, EngineRun]] = {}
    need = set(engines)
    camelot_flavors = {"camelot-lattice": "lattice", "camelot-stream": "stream",
                       "camelot-auto": "auto"}
    if "camelot-fallback" in need:
        need |= {"camelot-lattice", "camelot-stream"}

    def guarded(fn: Callable[[Path], EngineRun]) -> Callable[[Path], EngineRun]:
        def inner(path: Path) -> EngineRun:
            try:
                return fn(path)
            except Exception as exc:  # noqa: BLE001 - e.g. camelot not importable
                traceback.print_exc(file=sys.stderr)
                return EngineRun(error=_short(exc))
        return inner

    try:
        for engine in ENGINES:  # fixed order: one engine at a time, nothing concurrent
            if engine not in need:
                continue
            print(f"running {engine} ...", file=sys.stderr, flush=True)
            if engine in camelot_flavors:
                fl = camelot_flavors[engine]
                fn = guarded(lambda p, fl=fl: run_camelot(p, fl, args.camelot_backend))
                runs[engine] = {name: fn(path) for name, path in pdfs.items()}
            elif engine == "camelot-fallback":
                runs[engine] = {n: run_fallback(runs["camelot-lattice"][n],
                                                runs["camelot-stream"][n]) for n in pdfs}
            elif engine == "pdfplumber":
                runs[engine] = {name: guarded(run_pdfplumber)(path) for name, path in pdfs.items()}
            elif engine == "pipeline":
                raw = work / "raw"
                raw.mkdir(parents=True, exist_ok=True)
                for p in pdfs.values():
                    shutil.copy2(p, raw / p.name)
                runs[engine] = run_pipeline(raw, root / engine, work, pages)
            if engine != "pipeline":
                write_engine_dataset(root / engine, pdfs, runs[engine])

        print("scoring ...", file=sys.stderr, flush=True)
        results = []
        for engine in engines:
            for name in DOCS:
                run = runs[engine][name]
                s = score(args.shared, root / engine, name, work / f"{engine}-{name}.json")
                results.append({
                    "engine": engine, "document": name, "pages": pages[name],
                    "seconds": run.seconds, "s_page": run.seconds / pages[name],
                    "failed": len(run.failed_pages), "error": run.error,
                    "page_errors": [(p, run.pages[p].error) for p in run.failed_pages],
                    "score": s})
        print(render(results, pages))
        if args.json:
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str),
                                 encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
