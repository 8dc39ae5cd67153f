"""``make bench-scale``: throughput of documents in parallel, on one machine and on a cluster.

    python bench/scale_bench.py [--shared ../shared] [--ocr-cache DIR] [--skip-warmup]
                                [--machines 10] [--cores-per-machine N] [--pages 100000]

In one run, on a temp folder holding the corpus documents (``../shared/corpus/*.pdf``):

1. a warm-up run fills the OCR cache (skipped with ``--skip-warmup``), so the three timed
   runs below all read the scanned pages' OCR from a **warm** cache;
2. the pipeline CLI (``python -m pipelines --force --quiet``, fresh output folders) with
   ``--jobs 1``, with ``--jobs 2`` (2 local worker processes started by the run), and
   with ``--scheduler`` pointed at a 2-worker ``LocalCluster`` this script started before,
   its workers preloading the pipeline as the README's ``dask worker --preload
   pipelines.run`` does (the start-up is not in the time): wall seconds, pages per second and
   the ratios to ``--jobs 1``; the three outputs are compared byte for byte;
3. CPU seconds per page, in this process, of the pipeline on the digital documents beside
   plain pdfplumber ``extract_words`` on the same pages, and of the pipeline on the scanned
   documents with an empty OCR cache (Tesseract's CPU included) beside plain
   ``tesseract -l spa`` on the same pages rendered at 300 dpi;
4. a projection from these figures: pages per hour per core, digital and scanned, and the
   hours a cluster of ``--machines`` machines of ``--cores-per-machine`` cores takes for
   ``--pages`` pages, at the parallel efficiency measured in step 2.

The machine's load (``os.getloadavg``) is printed before each timed run: on a shared
machine the ratios move with it.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.bench import cpu_seconds, plain_pdfplumber  # noqa: E402


def load() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children (and theirs)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


CPU: dict[str, float] = {}
"""CPU seconds of each timed run (the CLI process, its workers and Tesseract)."""


def cli_run(raw: Path, work: Path, cache: Path, *extra: str) -> float:
    """Wall seconds of one CLI run over ``raw`` into ``work/out`` (fresh); its CPU seconds
    go to :data:`CPU` under its extra arguments."""
    shutil.rmtree(work, ignore_errors=True)
    cmd = [sys.executable, "-m", "pipelines", "--raw", str(raw), "--out", str(work / "out"),
           "--logs", str(work / "logs"), "--layout", str(work / "layout"), "--ocr-cache", str(cache),
           "--quiet", "--force", *extra]
    t0, c0 = time.perf_counter(), children_cpu()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    CPU[" ".join(extra)] = children_cpu() - c0
    if p.returncode != 0:
        print(p.stdout[-3000:], p.stderr[-3000:])
        raise SystemExit(f"run failed ({p.returncode}): {' '.join(cmd)}")
    return wall


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def identical(a: Path, b: Path) -> bool:
    return all(files_of(a / d) == files_of(b / d) for d in ("out", "layout"))


def pages_of(out: Path) -> list[tuple[str, int, int]]:
    """(archivo, páginas, páginas OCR) of every document of a run."""
    import pandas as pd

    d = pd.read_parquet(out / "documentos", columns=["archivo", "paginas", "paginas_ocr"])
    return sorted((a, int(n), int(o)) for a, n, o in d.itertuples(index=False))


def cpu_per_page(pdfs: list[Path], cache: Path | None) -> tuple[int, float]:
    """(pages, CPU s) of the pipeline on ``pdfs`` in this process (``--jobs 1``)."""
    from pipelines.run import process_and_write

    out = Path(tempfile.mkdtemp(prefix="scale-cpu-"))
    pages, cpu = 0, 0.0
    for pdf in pdfs:
        t0 = cpu_seconds()
        o = process_and_write(pdf, out, ocr_cache=cache, jobs=1)
        cpu += cpu_seconds() - t0
        pages += o.paginas
    shutil.rmtree(out, ignore_errors=True)
    return pages, cpu


def plain_tesseract_cpu(pdfs: list[Path]) -> tuple[int, float]:
    """(pages, CPU s) of plain ``tesseract <png> - -l spa`` on every page of ``pdfs``,
    rendered once at 300 dpi grayscale (the rendering is not counted), one at a time."""
    from PIL import Image

    from extract.preprocess import render_page
    from pipelines.document import pdfium_page_count

    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    pages, cpu = 0, 0.0
    with tempfile.TemporaryDirectory(prefix="scale-plain-") as tmp:
        for pdf in pdfs:
            for n in range(1, (pdfium_page_count(pdf) or 0) + 1):
                png = Path(tmp) / f"{pdf.stem}-{n}.png"
                Image.fromarray(render_page(pdf, n, 300)).save(png)
                c0 = children_cpu()
                subprocess.run(["tesseract", str(png), "-", "-l", "spa"], capture_output=True,
                               env=env, check=True)
                cpu += children_cpu() - c0
                pages += 1
    return pages, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--ocr-cache", type=Path, help="OCR cache of the timed runs (default: a temp folder)")
    ap.add_argument("--skip-warmup", action="store_true", help="the cache is known to be warm")
    ap.add_argument("--machines", type=int, default=10)
    ap.add_argument("--cores-per-machine", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--pages", type=int, default=100_000)
    args = ap.parse_args(argv)
    corpus = args.shared / "corpus"
    pdfs = sorted(corpus.glob("*.pdf"))
    if not pdfs:
        print(f"no corpus at {corpus}: pass --shared PATH (the folder holding corpus/)")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    raw = tmp / "raw"
    raw.mkdir()
    for p in pdfs:
        shutil.copy(p, raw / p.name)
    cache = args.ocr_cache or tmp / "ocr"
    print(f"{len(pdfs)} documents in {raw}; OCR cache {cache}; {os.cpu_count()} cores", flush=True)
    if not args.skip_warmup:
        t = cli_run(raw, tmp / "warmup", cache, "--jobs", str(os.cpu_count() or 1))
        print(f"warm-up run (fills the OCR cache, not timed below): {t:.1f} s", flush=True)
    print("OCR cache: warm for every timed run", flush=True)

    from distributed import Client, LocalCluster

    walls: dict[str, float] = {}
    print(f"--jobs 1: {load()}", flush=True)
    walls["--jobs 1"] = cli_run(raw, tmp / "j1", cache, "--jobs", "1")
    docs = pages_of(tmp / "j1" / "out")
    pages = sum(n for _, n, _ in docs)
    print(f"--jobs 2: {load()}", flush=True)
    walls["--jobs 2"] = cli_run(raw, tmp / "j2", cache, "--jobs", "2")
    t0, c0 = time.perf_counter(), children_cpu()
    from pipelines.engine import PRELOAD

    # started as the README starts workers: single-threaded, the pipeline preloaded
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=0,
                      dashboard_address=None, preload=PRELOAD) as cluster, Client(cluster):
        print(f"LocalCluster of 2 workers started in {time.perf_counter() - t0:.1f} s "
              f"(not counted); {load()}", flush=True)
        walls["LocalCluster 2"] = cli_run(raw, tmp / "lc", cache, "--jobs", "1", "--scheduler",
                                          cluster.scheduler_address)
    lc_cpu = children_cpu() - c0  # the CLI run and the workers (reaped when the cluster closed)
    same = identical(tmp / "j1", tmp / "j2") and identical(tmp / "j1", tmp / "lc")
    print(f"\nthroughput on {len(docs)} documents, {pages} pages (warm OCR cache):")
    base = pages / walls["--jobs 1"]
    cpus = [CPU["--jobs 1"], CPU["--jobs 2"], lc_cpu]
    for (k, w), c in zip(walls.items(), cpus):
        print(f"  {k:16s} {w:7.1f} s  {pages / w:6.2f} pages/s  {pages / w / base:5.2f}x --jobs 1   "
              f"({c:.0f} CPU s{', cluster start-up included' if k.startswith('Local') else ''})")
    print(f"  outputs of the three runs byte-identical (Parquet, manifest, layout): {'yes' if same else 'NO'}")
    print(f"  after: {load()}", flush=True)

    digital = [raw / a for a, _, o in docs if o == 0]
    scanned = [raw / a for a, _, o in docs if o > 0]
    dp, dcpu = cpu_per_page(digital, cache)
    plain_pages, plain_cpu = 0, 0.0
    for p in digital:
        n, c = plain_pdfplumber(p)
        plain_pages, plain_cpu = plain_pages + n, plain_cpu + c
    print(f"\ndigital pages ({len(digital)} documents, {dp} pages): pipeline {dcpu / dp:.3f} CPU s/page, "
          f"plain pdfplumber extract_words {plain_cpu / plain_pages:.3f} CPU s/page, "
          f"ratio {dcpu / plain_cpu:.2f}x")
    cold = Path(tempfile.mkdtemp(prefix="scale-ocr-cold-"))
    sp, scpu = cpu_per_page(scanned, cold)
    pp, pcpu = plain_tesseract_cpu(scanned)
    print(f"scanned pages ({len(scanned)} documents, {sp} pages), empty OCR cache: pipeline "
          f"{scpu / sp:.2f} CPU s/page (Tesseract included), plain `tesseract -l spa` on the same "
          f"pages at 300 dpi {pcpu / pp:.2f} CPU s/page, ratio {(scpu / sp) / (pcpu / pp):.2f}x",
          flush=True)

    eff = walls["--jobs 2"] and (walls["--jobs 1"] / walls["--jobs 2"]) / 2
    d_h, s_h = 3600 / (dcpu / dp), 3600 / (scpu / sp)
    cores = args.machines * args.cores_per_machine
    print(f"\nprojection: {d_h:,.0f} digital or {s_h:,.0f} scanned pages per hour per core; parallel "
          f"efficiency {eff:.0%} (--jobs 2 vs --jobs 1 above)")
    mix = sum(o for _, _, o in docs) / pages
    rates = (("all digital", d_h), ("all scanned", s_h),
             (f"corpus mix ({mix:.0%} scanned)", 1 / (mix / s_h + (1 - mix) / d_h)))
    for label, rate in rates:
        print(f"  {args.machines} machines x {args.cores_per_machine} cores, {args.pages:,} pages, {label}: "
              f"{args.pages / (rate * cores * eff):.1f} h at {eff:.0%} efficiency, "
              f"{args.pages / (rate * cores):.1f} h at 100%")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(cold, ignore_errors=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
