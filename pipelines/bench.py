"""``make bench``: process the corpus into a temp dir, score it, report speed and memory.

    python -m pipelines.bench [--shared ../shared] [--profile] [--keep DIR]

Prints, in one run (these machines are noisy, so the raw engine is timed beside us):
CPU seconds per page of the pipeline per document and overall (this process and the
Tesseract processes it started), CPU seconds per page of plain pdfplumber
``extract_words`` over the same pages, their ratio, wall seconds beside them, peak RSS,
and the scorer's report (``../shared/bench/score.py``), whose last line is
``corpus score: X``.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

from pipelines.run import process_and_write


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def plain_pdfplumber(path: Path) -> tuple[int, float]:
    """(pages, CPU seconds) for plain ``extract_words`` on every page of ``path``."""
    t0 = cpu_seconds()
    with pdfplumber.open(path) as pdf:
        n = len(pdf.pages)
        for p in pdf.pages:
            p.extract_words()
            p.flush_cache()
    return n, cpu_seconds() - t0


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MiB (Linux ru_maxrss is KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--profile", action="store_true", help="cProfile the run, print the top functions")
    ap.add_argument("--keep", type=Path, help="write the datasets here instead of a temp dir")
    ap.add_argument("--only", action="append", help="corpus file names to process")
    args = ap.parse_args(argv)
    corpus = args.shared / "corpus"
    if not corpus.is_dir():
        print(f"no corpus at {corpus}: pass --shared PATH (the folder holding corpus/ and bench/)")
        return 2
    pdfs = sorted(corpus.glob("*.pdf"))
    if args.only:
        pdfs = [p for p in pdfs if p.name in set(args.only)]
    out = args.keep or Path(tempfile.mkdtemp(prefix="bench-parquet-"))
    cache = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    prof = cProfile.Profile() if args.profile else None
    rows = []
    for pdf in pdfs:
        if prof:
            prof.enable()
        t0, w0 = cpu_seconds(), time.perf_counter()
        o = process_and_write(pdf, out, ocr_cache=cache)
        dt, wall = cpu_seconds() - t0, time.perf_counter() - w0
        if prof:
            prof.disable()
        n, plain = plain_pdfplumber(pdf)
        rows.append((pdf.name, n, o.paginas_ocr, dt, plain, o.ok))
        print(f"{pdf.name:45s} pages {n:3d} (ocr {o.paginas_ocr:2d})  pipeline {dt:7.2f} CPU s "
              f"{dt / n:6.3f}/page (wall {wall / n:6.3f})   pdfplumber.extract_words {plain / n:6.3f}/page   "
              f"ratio {dt / max(plain, 1e-9):5.1f}x{'' if o.ok else '  FAILED'}", flush=True)
    digital = [r for r in rows if r[2] == 0]
    for label, rs in (("digital", digital), ("all", rows)):
        if rs:
            pages = sum(r[1] for r in rs)
            tp, tr = sum(r[3] for r in rs), sum(r[4] for r in rs)
            print(f"{label:8s}: {pages} pages, pipeline {tp:.1f} CPU s = {tp / pages:.3f} CPU s/page; "
                  f"pdfplumber.extract_words {tr / pages:.3f} CPU s/page; ratio {tp / max(tr, 1e-9):.1f}x")
    print(f"peak RSS: {peak_rss_mb():.0f} MiB")
    if prof:
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(25)
        print(s.getvalue())
    print(f"datasets written to {out}", flush=True)
    score = args.shared / "bench" / "score.py"
    res = subprocess.run([sys.executable, str(score), "--truth", str(corpus), "--parquet", str(out)]
                         + (["--doc", *[Path(p).stem for p in args.only]] if args.only else []))
    return res.returncode


if __name__ == "__main__":
    sys.exit(main())
