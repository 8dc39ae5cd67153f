"""OCR benchmark: our OCR stage vs plain Tesseract on the scanned corpus documents.

    python bench/ocr_bench.py [--shared ../shared] [--doc NAME ...] [--pages N]
                              [--jobs 1 2] [--json OUT.json] [--per-page]

What it measures
    For every corpus document with a ``truth/<name>/paginas.json`` (the scans), each
    page is rendered once at 300 dpi grayscale (pypdfium2, :func:`render_page`) and
    written as PNG.  Then

    - ``plain``: ``tesseract <png> - -l spa`` (Tesseract's defaults, no preprocessing,
      no ``--dpi``) on that PNG;
    - ``ours``:  :func:`extract.ocr.ocr_pages` on the PDF (render + preprocessing +
      OCR + post-correction, no cache), the page text is ``OcrResult.texto``;

    both scored per page with the shared scorer's word accuracy
    ``2 |T & P| / (|T| + |P|)`` over whitespace-split word multisets (NFC-folded,
    case-sensitive), loaded from ``<shared>/bench/score.py`` with importlib (its
    ``fold`` and ``word_accuracy``; nothing else of it is used).

    Seconds per page are wall time / pages for each value of ``--jobs`` (1 and 2 by
    default): plain runs up to ``jobs`` tesseract processes at once, ours uses
    ``ocr_pages(..., jobs=jobs)`` (a process pool); both with OMP_THREAD_LIMIT=1.
    ``ours`` includes rendering (``render s/page`` is printed beside it: plain gets its
    PNG for free).  The machine is shared: compare columns of one run, not runs.

    A last line times a second ``ocr_pages`` call over the same pages with a warm
    cache (render + hash + JSON read only, no Tesseract).

Exit status 0; 2 when the shared folder or tesseract is missing.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extract.ocr import OcrError, ocr_pages, tesseract_version  # noqa: E402
from extract.preprocess import render_page  # noqa: E402


def load_scorer(path: Path) -> tuple[Callable[[str], str], Callable[[str, str], float], str]:
    """``(fold, word_accuracy, origin)`` from ``score.py`` at ``path`` via importlib;
    falls back to a copy of the two small functions when it cannot be imported
    (e.g. scipy missing), saying so in ``origin``."""
    try:
        spec = importlib.util.spec_from_file_location("shared_score", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        mod: ModuleType = importlib.util.module_from_spec(spec)
        sys.modules["shared_score"] = mod  # dataclasses in score.py look themselves up
        spec.loader.exec_module(mod)
        return mod.fold, mod.word_accuracy, str(path)
    except Exception as exc:  # pragma: no cover - depends on the environment
        import re
        import unicodedata

        def fold(text: str) -> str:
            return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()

        def word_accuracy(truth: str, pred: str | None) -> float:
            if pred is None:
                return 0.0
            t, p = Counter(truth.split()), Counter(pred.split())
            total = sum(t.values()) + sum(p.values())
            return 1.0 if total == 0 else 2 * sum((t & p).values()) / total

        return fold, word_accuracy, f"built-in copy ({type(exc).__name__}: {exc})"


def scanned_docs(corpus: Path, names: list[str] | None) -> list[tuple[str, Path, dict[int, str]]]:
    """``(name, pdf, {page: truth text})`` for corpus PDFs with a paginas.json."""
    out = []
    for truth in sorted(corpus.glob("truth/*/paginas.json")):
        name = truth.parent.name
        pdf = corpus / f"{name}.pdf"
        if not pdf.is_file() or (names and name not in names):
            continue
        pages = {int(p["pagina"]): str(p.get("texto") or "")
                 for p in json.loads(truth.read_text(encoding="utf-8"))}
        out.append((name, pdf, pages))
    return out


def plain_tesseract(pngs: list[Path], jobs: int) -> tuple[list[str], float]:
    """``tesseract <png> - -l spa`` on every PNG, ``jobs`` at a time; (texts, wall s)."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def run(png: Path) -> str:
        proc = subprocess.run(["tesseract", str(png), "-", "-l", "spa"], capture_output=True,
                              text=True, env=env, check=False)
        if proc.returncode:
            raise RuntimeError(f"tesseract failed on {png}: {proc.stderr.strip()}")
        return proc.stdout

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        texts = list(pool.map(run, pngs))
    return texts, time.perf_counter() - t0


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Our OCR vs plain tesseract on the scanned corpus"
                                 " (word accuracy as in ../shared/bench/score.py).")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                    help="the shared folder (corpus/ and bench/score.py); default ../shared")
    ap.add_argument("--doc", nargs="+", help="only these documents (names without .pdf)")
    ap.add_argument("--pages", type=int, help="only the first N pages of each document")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts to time")
    ap.add_argument("--json", type=Path, help="write every number here")
    ap.add_argument("--per-page", action="store_true", help="print per-page accuracies")
    args = ap.parse_args(argv)

    corpus = args.shared / "corpus"
    if not corpus.is_dir():
        print(f"ocr_bench: {corpus} not found (pass --shared)", file=sys.stderr)
        return 2
    try:
        version = tesseract_version()
    except OcrError as exc:
        print(f"ocr_bench: {exc}", file=sys.stderr)
        return 2
    fold, word_accuracy, origin = load_scorer(args.shared / "bench" / "score.py")
    docs = scanned_docs(corpus, args.doc)
    print(f"tesseract {version}; word accuracy from {origin}; {os.cpu_count()} CPUs;"
          f" load average {os.getloadavg()[0]:.1f}")
    report: dict[str, Any] = {"tesseract": version, "docs": {}}
    all_plain: list[float] = []
    all_ours: list[float] = []
    for name, pdf, truth in docs:
        pages = sorted(truth)[: args.pages] if args.pages else sorted(truth)
        with tempfile.TemporaryDirectory(prefix="ocr_bench_") as tmp:
            from PIL import Image

            t0 = time.perf_counter()
            pngs = []
            for p in pages:
                png = Path(tmp) / f"p{p}.png"
                Image.fromarray(render_page(pdf, p, 300)).save(png)
                pngs.append(png)
            render_s = (time.perf_counter() - t0) / len(pages)
            plain_texts, plain_time, ours_texts, ours_time = None, {}, None, {}
            for jobs in args.jobs:
                texts, wall = plain_tesseract(pngs, jobs)
                plain_texts = plain_texts or texts
                plain_time[jobs] = wall / len(pages)
            for jobs in args.jobs:
                t0 = time.perf_counter()
                results = ocr_pages(pdf, pages, cache_dir=None, jobs=jobs)
                ours_time[jobs] = (time.perf_counter() - t0) / len(pages)
                ours_texts = ours_texts or [r.texto for r in results]
            cache = Path(tmp) / "cache"
            ocr_pages(pdf, pages, cache_dir=cache, jobs=max(args.jobs))
            t0 = time.perf_counter()
            cached = ocr_pages(pdf, pages, cache_dir=cache, jobs=1)
            cached_s = (time.perf_counter() - t0) / len(pages)
            assert all(r.from_cache for r in cached)
        acc_plain = [word_accuracy(fold(truth[p]), fold(t)) for p, t in zip(pages, plain_texts)]
        acc_ours = [word_accuracy(fold(truth[p]), fold(t)) for p, t in zip(pages, ours_texts)]
        all_plain += acc_plain
        all_ours += acc_ours
        print(f"\n{name}.pdf  ({len(pages)} pages; render {render_s:.2f} s/page)")
        print(f"  {'':8} {'word acc':>9} {'min page':>9}  " +
              "  ".join(f"{f's/page j={j}':>11}" for j in args.jobs))
        for label, acc, times in (("plain", acc_plain, plain_time), ("ours", acc_ours, ours_time)):
            print(f"  {label:8} {mean(acc):9.4f} {min(acc):9.4f}  " +
                  "  ".join(f"{times[j]:11.2f}" for j in args.jobs))
        print(f"  ours, warm cache (no OCR): {cached_s:.2f} s/page")
        if args.per_page:
            for p, a, b in zip(pages, acc_plain, acc_ours):
                print(f"    p{p:<3} plain {a:.3f}  ours {b:.3f}")
        report["docs"][name] = {"pages": pages, "render_s": render_s, "plain_acc": acc_plain,
                                "ours_acc": acc_ours, "plain_s": plain_time,
                                "ours_s": ours_time, "cached_s": cached_s}
    print(f"\nall {len(all_ours)} pages: plain {mean(all_plain):.4f}  ours {mean(all_ours):.4f}")
    report["mean"] = {"plain": mean(all_plain), "ours": mean(all_ours)}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
