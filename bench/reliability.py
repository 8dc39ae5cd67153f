"""``make bench-reliability``: bad inputs, interrupted runs and long documents (issue #8).

    python bench/reliability.py [--shared ../shared] [--pages 10 100 1000] [--scan-pages 20]
                                [--skip bad,kills,memory] [--keep DIR]

Everything is built in a temp dir from ``../shared/corpus`` and run the way a new user
would run it: ``python -m pipelines --raw ... --out ...`` in a subprocess.

1. **Bad inputs**: one raw folder holding good digital PDFs beside more than 30 kinds of
   bad input (broken, encrypted, renamed, truncated, shifted xref, corrupt content
   streams, a 200 x 200 inch page, a Latin-1 file name, an unreadable file, a broken
   link, a folder named ``x.pdf``, a FIFO, a duplicate...).  A kind *survives* when the
   run ends without a traceback and the file gets exactly the outcome expected of it
   (an ``errores`` row of the right class, a page-level row, a note in the summary, or
   plain ``ok``).  *Rows lost*: rows of the good files missing compared with a run of the
   good files alone.  Also checked: the exit code (1) and that no temp file is left.
2. **Kills**: a run over three digital documents is SIGKILLed at ten points spread over
   its writes (right after the n-th file is renamed into place, or while the n-th
   Parquet file is being written), then run again; the output must equal that of an
   uninterrupted run (every Parquet file, the manifest entries, no temp file).
3. **Memory**: peak RSS and seconds per page of one process handling a digital document
   of 10, 100 and 1,000 pages (the pages of a corpus POA repeated) and a 20-page scan
   (no OCR cache, one OCR worker).
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pikepdf
import pyarrow.parquet as pq
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parents[1]
GOOD = ("digemig_poa_2019.pdf", "digemig_poa_2019_booktabs.pdf", "segip_poa_2021_franjas.pdf")
DIGITAL_LONG = "digemig_poa_2019.pdf"
SCAN = "segip_poa_2021_escaneado.pdf"


# --------------------------------------------------------------------------------------------
# Bad inputs: each builder writes its file(s) into raw/ and says what outcome is expected.

@dataclass
class Kind:
    """One kind of bad input: its file name in raw/ and the outcome expected of it:
    ``("error", clase)`` one errores row of that class; ``("page", etapa, clase)`` processed
    with one page-level errores row; ``("ok", note)`` processed without errores (``note``
    must appear in its summary line when given); ``("skip", note)`` skipped, said so."""

    name: str
    expect: tuple
    what: str


def _shift_xref(data: bytes, shift: int = 50) -> bytes:
    i = data.index(b"\n") + 1
    pad = b"%" + b"x" * (shift - 2) + b"\n"
    data = data[:i] + pad + data[i:]
    m = list(re.finditer(rb"startxref\s+(\d+)", data))[-1]
    return data[:m.start(1)] + str(int(m.group(1)) + len(pad)).encode() + data[m.end(1):]


def _one_page(src: Path, dest: Path, index: int = 0) -> None:
    with pikepdf.open(src) as s:
        pdf = pikepdf.new()
        pdf.pages.append(s.pages[index])
        pdf.save(dest)


def _huge_page(src: Path, dest: Path) -> None:
    s = pikepdf.open(src)
    pdf = pikepdf.new()
    pdf.pages.append(s.pages[0])
    img = (np.random.default_rng(0).random((64, 64)) * 255).astype("uint8")
    im = pikepdf.Stream(pdf, zlib.compress(img.tobytes()))
    im.Type, im.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    im.Width = im.Height = 64
    im.ColorSpace, im.BitsPerComponent, im.Filter = pikepdf.Name.DeviceGray, 8, pikepdf.Name.FlateDecode
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 14400, 14400],
                              Contents=pikepdf.Stream(pdf, b"q 14400 0 0 14400 0 0 cm /Im0 Do Q"),
                              Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=im)))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(dest)


def build_bad_inputs(corpus: Path, raw: Path, outside: Path) -> list[Kind]:
    """Write the bad inputs into ``raw`` (``outside`` holds link targets); return them."""
    poa = corpus / "digemig_poa_2019.pdf"
    data = poa.read_bytes()
    kinds: list[Kind] = []

    def add(name: str, expect: tuple, what: str, content: bytes | None = None) -> Path:
        """Record a kind (writing ``content`` as its file when given)."""
        path = raw / name
        if content is not None:
            path.write_bytes(content)
        kinds.append(Kind(os.fsdecode(name) if isinstance(name, bytes) else name, expect, what))
        return path

    add("notas.pdf", ("error", "NoEsPdf"), "text file named .pdf", b"esto no es un PDF\n" * 20)
    add("vacio.pdf", ("error", "NoEsPdf"), "empty file (0 bytes)", b"")
    add("cabecera.pdf", ("error", "PdfCorrupto"), "only the first 1,500 bytes", data[:1500])
    add("mitad.pdf", ("error", "PdfCorrupto"), "truncated at half (an interrupted download)", data[:len(data) // 2])
    add("basura_tras_cabecera.pdf", ("error", "PdfCorrupto"), "%PDF header then random bytes",
        b"%PDF-1.7\n" + np.random.default_rng(1).bytes(20000))
    add("pagina_web.pdf", ("error", "NoEsPdf"), "HTML error page saved as .pdf",
        b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>\n")
    add("documento.pdf", ("error", "NoEsPdf"), "a ZIP (DOCX) renamed .pdf", b"PK\x03\x04" + bytes(2000))
    add("foto.pdf", ("error", "NoEsPdf"), "a JPEG renamed .pdf", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(2000))
    add("LEEME", ("error", "NoEsPdf"), "a file without extension", b"lea esto primero\n")
    add("tabla.xlsx.txt", ("error", "NoEsPdf"), "a .txt in the raw folder", b"a;b;c\n1;2;3\n")
    # encrypted
    reader = PdfReader(str(poa))
    w = PdfWriter()
    w.add_page(reader.pages[0])
    w.encrypt(user_password="secreta", owner_password="otra", algorithm="AES-128")
    with (raw / "cifrado.pdf").open("wb") as fh:
        w.write(fh)
    add("cifrado.pdf", ("error", "PdfCifrado"), "encrypted with a user password")
    # no pages
    empty = pikepdf.new()
    empty.save(raw / "sin_paginas.pdf")
    add("sin_paginas.pdf", ("error", "PdfCorrupto"), "a valid PDF with no page")
    # broken catalog
    add("sin_catalogo.pdf", ("ok", None), "trailer /Root points to a missing object (catalog found by scan)",
        re.sub(rb"/Root \d+ 0 R", b"/Root 9999 0 R", data, count=1))
    # repairs
    add("xref_desplazada.pdf", ("ok", "qpdf"), "xref offsets shifted (edited/concatenated)", _shift_xref(data))
    add("basura_delante.pdf", ("ok", None), "500 bytes of HTTP headers before %PDF",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n" + b"X" * 440 + b"\r\n\r\n" + data)
    add("basura_detras.pdf", ("ok", None), "bytes appended after %%EOF", data + b"\n<html>fin</html>\n" * 50)
    xref_at = data.rfind(b"\nxref")
    add("sin_xref.pdf", ("ok", None), "xref table removed",
        data[:xref_at + 1] + data[data.rindex(b"trailer"):])
    # page-level damage
    with pikepdf.open(poa) as pdf:
        pdf.pages[1].obj.Contents.write(b"\x78\x9c" + b"basura" * 40, filter=pikepdf.Name.FlateDecode)
        pdf.save(raw / "contenido_roto.pdf")
    add("contenido_roto.pdf", ("page", "texto", "ContenidoCorrupto"), "a page's content stream does not inflate")
    with pikepdf.open(poa) as pdf:
        objid = pdf.pages[1].obj.Contents.objgen[0]
    m = re.search(rb"(?<![0-9])%d 0 obj\s*<<[^>]*?/Length (\d+)" % objid, data, re.S)
    add("longitud_mala.pdf", ("page", "texto", "ContenidoCorrupto"),
        "a content stream with a wrong /Length (renders: OCR'd)",
        data[:m.start(1)] + b"9".rjust(len(m.group(1)), b"0") + data[m.end(1):])
    with pikepdf.open(poa) as pdf:
        c = pdf.pages[2].obj.Contents
        body = c.read_bytes()
        c.write(body[:len(body) // 2] + b" ) ] >> <<< BT ET /F1 ( \x00\xff" + body[len(body) // 2:])
        pdf.save(raw / "sintaxis_rota.pdf")
    add("sintaxis_rota.pdf", ("ok", None), "syntax garbage in the middle of a content stream")
    _huge_page(poa, raw / "pagina_gigante.pdf")
    add("pagina_gigante.pdf", ("page", "ocr", "PaginaDemasiadoGrande"), "a 200 x 200 inch scanned page")
    # valid but unusual
    blank = pikepdf.new()
    blank.add_blank_page(page_size=(595, 842))
    blank.save(raw / "en_blanco.pdf")
    add("en_blanco.pdf", ("ok", None), "one truly blank page (must not be flagged)")
    with pikepdf.open(corpus / "segip_poa_2021.pdf") as pdf:
        for p in pdf.pages[:3]:
            p.Rotate = 90
        del pdf.pages[3:]
        pdf.save(raw / "rotado.pdf")
    add("rotado.pdf", ("ok", None), "pages with /Rotate 90")
    with pikepdf.open(corpus / "segip_rendicion_2020_booktabs.pdf") as pdf:
        del pdf.pages[2:]
        pdf.save(raw / "flujos_de_objetos.pdf", object_stream_mode=pikepdf.ObjectStreamMode.generate)
    add("flujos_de_objetos.pdf", ("ok", None), "object streams (PDF 1.5 compressed xref)")
    _one_page(corpus / "segip_poa_2021.pdf", raw / "informe [borrador].pdf", 3)
    add("informe [borrador].pdf", ("ok", None), "[brackets] in the name (rich markup)")
    _one_page(corpus / "segip_poa_2021.pdf", raw / "[bold]rojo.pdf", 4)
    add("[bold]rojo.pdf", ("ok", None), "a rich style tag as the name")
    long_name = "formulario_" + "planificacion_operativa_anual_" * 6 + "v2.pdf"
    _one_page(corpus / "segip_poa_2021.pdf", raw / long_name, 5)
    add(long_name, ("ok", None), f"a {len(long_name)}-character name")
    _one_page(corpus / "segip_poa_2021.pdf", raw / "Dirección de Planificación – año 2021.pdf", 6)
    add("Dirección de Planificación – año 2021.pdf", ("ok", None), "spaces, accents, an en dash")
    _one_page(corpus / "segip_poa_2021.pdf", raw / "MAYUSCULAS.PDF", 7)
    add("MAYUSCULAS.PDF", ("ok", None), "upper-case .PDF extension")
    # names and file system
    latin1 = os.fsdecode(b"informe_gesti\xf3n.pdf")
    _one_page(corpus / "segip_poa_2021.pdf", raw / latin1, 8)
    add(latin1, ("error", "NombreNoUtf8"), "a Latin-1 byte in the name")
    _one_page(corpus / "segip_poa_2021.pdf", raw / "sin_permiso.pdf", 9)
    (raw / "sin_permiso.pdf").chmod(0)
    add("sin_permiso.pdf", ("error", "ArchivoIlegible"), "no read permission")
    (raw / "enlace_roto.pdf").symlink_to(outside / "borrado.pdf")
    add("enlace_roto.pdf", ("error", "EnlaceRoto"), "a dangling symbolic link")
    _one_page(corpus / "segip_poa_2021.pdf", outside / "fuera.pdf", 10)
    (raw / "enlace_bueno.pdf").symlink_to(outside / "fuera.pdf")
    add("enlace_bueno.pdf", ("ok", None), "a symbolic link to a PDF outside the folder")
    (raw / "carpeta.pdf").mkdir()
    add("carpeta.pdf", ("skip", "carpeta"), "a directory named x.pdf")
    os.mkfifo(raw / "tuberia.pdf")
    add("tuberia.pdf", ("skip", "no es un archivo regular"), "a FIFO named x.pdf")
    shutil.copy(poa, raw / "zz_copia_de_digemig_poa_2019.pdf")
    add("zz_copia_de_digemig_poa_2019.pdf", ("skip", "duplicado de digemig_poa_2019.pdf"), "a duplicate of a good file")
    return kinds


def _drop_read_override() -> None:
    """In the child, before exec: root reads any file; drop CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH from the bounding set so the pipeline obeys permissions."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP


def run_cli(raw: Path, work: Path, out_name: str = "out", *, ocr_cache: Path | None = None,
            extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """``python -m pipelines`` on ``raw`` with outputs under ``work``."""
    args = [sys.executable, "-m", "pipelines", "--raw", str(raw), "--out", str(work / out_name),
            "--logs", str(work / f"{out_name}-logs"), "--layout", str(work / f"{out_name}-layout"),
            "--ocr-cache", str(ocr_cache or work / "ocr"), "--quiet", "--jobs", "1", *extra]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=3600,
                          env={**os.environ, "COLUMNS": "100"},
                          preexec_fn=_drop_read_override if os.geteuid() == 0 else None)


def rows_by_document(out: Path) -> dict[str, dict[str, int]]:
    """documento_id -> dataset -> rows, over every partitioned dataset file."""
    res: dict[str, dict[str, int]] = defaultdict(dict)
    for f in out.rglob("gestion=*/*.parquet"):
        res[f.stem][f.parts[-3]] = pq.read_metadata(f).num_rows
    return res


def log_states(logfile: Path) -> dict[str, str]:
    """archivo -> its summary state, from the run's log (one line per file)."""
    states = {}
    for ln in logfile.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\S+ \S+ INFO pipelines\.run: (.*?): ((?:ok|FALLÓ|omitido).*)$", ln)
        if m:
            states[m.group(1)] = m.group(2)
    return states


def bench_bad_inputs(corpus: Path, work: Path) -> dict:
    """Section 1: the good files and the bad inputs in one raw folder, one CLI run, and a
    run of the good files alone for reference.  Returns each kind's verdict, the exit
    code, whether a traceback was printed, rows of the good files (total, lost) and the
    temp files left."""
    raw = work / "raw"
    raw.mkdir(parents=True)
    outside = work / "outside"
    outside.mkdir()
    good_raw = work / "raw_good"
    good_raw.mkdir()
    for g in GOOD:
        shutil.copy(corpus / g, raw / g)
        shutil.copy(corpus / g, good_raw / g)
    kinds = build_bad_inputs(corpus, raw, outside)
    t0 = time.perf_counter()
    ref = run_cli(good_raw, work, "ref")
    run = run_cli(raw, work, "out")
    seconds = time.perf_counter() - t0
    (raw / "sin_permiso.pdf").chmod(0o644)
    out = work / "out"
    err = pd.read_parquet(out / "errores") if (out / "errores").exists() else pd.DataFrame(
        columns=["archivo", "pagina", "etapa", "clase"])
    manifest = {json.loads(p.read_text())["archivo"]: json.loads(p.read_text())
                for p in (out / "_manifest").glob("*.json")}
    states = log_states(work / "out-logs" / "pipeline.log")
    results = []
    for k in kinds:
        e = err[err.archivo == (k.name if k.expect[1] != "NombreNoUtf8" else
                               os.fsencode(k.name).decode("utf-8", "backslashreplace"))]
        state = states.get(k.name if k.expect[1] != "NombreNoUtf8" else
                           os.fsencode(k.name).decode("utf-8", "backslashreplace"), "")
        kind = k.expect[0]
        if kind == "error":
            ok = list(e.clase) == [k.expect[1]] and e.pagina.isna().all() and state.startswith("FALLÓ")
        elif kind == "page":
            ok = [(r.etapa, r.clase) for r in e.itertuples()] == [k.expect[1:]] and \
                k.name in manifest and state.startswith("ok")
        elif kind == "ok":
            ok = e.empty and k.name in manifest and state.startswith("ok") and \
                (k.expect[1] is None or k.expect[1] in state)
        else:
            ok = e.empty and state.startswith("omitido") and k.expect[1] in state
        results.append((k, ok, state, list(zip(e.etapa, e.clase))))
    ref_rows = rows_by_document(work / "ref")
    got = rows_by_document(out)
    lost = sum(max(0, n - got.get(did, {}).get(ds, 0)) for did, per in ref_rows.items() for ds, n in per.items())
    total = sum(n for per in ref_rows.values() for n in per.values())
    leftovers = [p for d in (out, work / "out-layout") for p in d.rglob("*") if p.name.endswith(".tmp")]
    return {"kinds": results, "exit": run.returncode, "ref_exit": ref.returncode,
            "traceback": "Traceback" in run.stderr or "Traceback" in run.stdout, "stderr": run.stderr[-2000:],
            "rows_total": total, "rows_lost": lost, "leftovers": leftovers, "seconds": seconds}


# --------------------------------------------------------------------------------------------
# Kills

KILLER = r"""
import os, re, signal, sys
import pipelines.write as W
mode, nth = sys.argv[1], int(sys.argv[2])
seen = 0
real_replace, real_write = os.replace, W.pq.write_table

def _maybe_die():
    global seen
    seen += 1
    if seen == nth:
        os.kill(os.getpid(), signal.SIGKILL)

def replace(src, dst, *a, **k):
    real_replace(src, dst, *a, **k)
    if mode == "after" and "/out/" in str(dst):
        _maybe_die()

def write_table(table, where, *a, **k):
    real_write(table, where, *a, **k)
    if mode == "during":
        _maybe_die()  # the temp file is complete, not yet renamed

os.replace, W.pq.write_table = replace, write_table
from pipelines.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _out_state(out: Path) -> dict:
    files = {p.relative_to(out).as_posix(): pq.read_table(p) for p in sorted(out.rglob("*.parquet"))}
    man = {p.name: json.loads(p.read_text()) for p in sorted((out / "_manifest").glob("*.json"))}
    return {"files": files, "manifest": man}


def _same(a: dict, b: dict) -> bool:
    return a["files"].keys() == b["files"].keys() and \
        all(a["files"][k].equals(b["files"][k]) for k in a["files"]) and a["manifest"] == b["manifest"]


def bench_kills(corpus: Path, work: Path, points: int = 10) -> dict:
    """Section 2: an uninterrupted reference run, then ``points`` runs SIGKILLed at write
    events spread over the run (alternately right after the n-th rename into the output
    folder and while the n-th Parquet file is written), each followed by a normal run
    whose output must equal the reference."""
    raw = work / "raw"
    raw.mkdir(parents=True)
    for g in GOOD:
        shutil.copy(corpus / g, raw / g)
    cache = work / "ocr"
    ref = run_cli(raw, work, "ref", ocr_cache=cache)
    assert ref.returncode == 0, ref.stdout + ref.stderr
    refstate = _out_state(work / "ref")
    renames = len(refstate["files"]) + len(refstate["manifest"]) + 0  # layout sidecars are outside out/
    writes = len(refstate["files"])
    results = []
    for i in range(points):
        mode = "after" if i % 2 == 0 else "during"
        total = renames if mode == "after" else writes
        nth = max(1, round((i + 0.5) * total / points))
        d = work / f"kill{i}"
        d.mkdir(parents=True)
        args = ["--raw", str(raw), "--out", str(d / "out"), "--logs", str(d / "logs"),
                "--layout", str(d / "layout"), "--ocr-cache", str(cache), "--quiet", "--jobs", "1"]
        k = subprocess.run([sys.executable, "-c", KILLER, mode, str(nth), *args], cwd=ROOT,
                           capture_output=True, text=True, timeout=1800)
        killed = k.returncode == -signal.SIGKILL
        left = sorted(p.name for p in (d / "out").rglob("*.tmp"))
        again = subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=ROOT, capture_output=True,
                               text=True, timeout=1800)
        same = again.returncode == 0 and _same(refstate, _out_state(d / "out"))
        clean = not [p for p in d.rglob("*.tmp")]
        results.append({"point": f"{mode} write {nth}/{total}", "killed": killed, "temp_left": len(left),
                        "identical": same and clean})
        shutil.rmtree(d)
    return {"results": results}


# --------------------------------------------------------------------------------------------
# Memory

MEASURE = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
from pipelines.run import process_and_write
t0 = time.perf_counter()
o = process_and_write(Path(sys.argv[1]), Path(tempfile.mkdtemp(prefix="rel-out-")), ocr_cache=None, jobs=1)
dt = time.perf_counter() - t0
print(json.dumps({"ok": o.ok, "paginas": o.paginas, "paginas_ocr": o.paginas_ocr, "seconds": dt,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "errores": len(o.errores)}))
"""


def repeat_pages(src: Path, n: int, dest: Path) -> Path:
    """A document of ``n`` pages: the pages of ``src`` over and over, sharing their fonts
    and content streams as the pages of one long document share its fonts (pdfminer
    still parses every page's content on its own)."""
    with pikepdf.open(src) as s:
        out = pikepdf.new()
        out.pages.extend(s.pages)
        k = len(out.pages)
        while len(out.pages) < n:
            out.pages.append(out.pages[len(out.pages) % k])
        del out.pages[n:]
        out.save(dest)
    return dest


def bench_memory(corpus: Path, work: Path, sizes: list[int], scan_pages: int) -> list[dict]:
    """Section 3: peak RSS and seconds of one fresh process per document (digital ones of
    ``sizes`` pages, a ``scan_pages``-page scan), no OCR cache, one OCR worker."""
    work.mkdir(parents=True, exist_ok=True)
    docs = [(f"digital {n} pages", repeat_pages(corpus / DIGITAL_LONG, n, work / f"digital_{n}.pdf"))
            for n in sizes]
    if scan_pages:
        docs.append((f"scan {scan_pages} pages", repeat_pages(corpus / SCAN, scan_pages, work / f"scan_{scan_pages}.pdf")))
    rows = []
    for label, pdf in docs:
        p = subprocess.run([sys.executable, "-c", MEASURE, str(pdf)], cwd=ROOT, capture_output=True,
                           text=True, timeout=7200, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        try:
            r = json.loads(p.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            r = {"ok": False, "paginas": 0, "paginas_ocr": 0, "seconds": 0, "rss_mib": 0, "errores": -1,
                 "stderr": p.stderr[-500:]}
        r["label"] = label
        rows.append(r)
        print(f"  {label:22s} peak RSS {r['rss_mib']:7.0f} MiB   {r['seconds']:7.1f} s = "
              f"{r['seconds'] / max(r['paginas'], 1):.3f} s/page   (ocr {r['paginas_ocr']}, "
              f"{'ok' if r['ok'] else 'FAILED'})", flush=True)
    return rows


# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--pages", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--scan-pages", type=int, default=20)
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: bad,kills,memory")
    ap.add_argument("--keep", type=Path, help="work here instead of a temp dir (kept)")
    args = ap.parse_args(argv)
    corpus = args.shared / "corpus"
    if not corpus.is_dir():
        print(f"no corpus at {corpus}: pass --shared PATH (the folder holding corpus/)")
        return 2
    skip = set(filter(None, args.skip.split(",")))
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-reliability-"))
    work.mkdir(parents=True, exist_ok=True)
    failed = False
    figures = {}
    try:
        if "bad" not in skip:
            print("== bad inputs (one raw folder: good PDFs beside the bad ones) ==", flush=True)
            b = bench_bad_inputs(corpus, work / "bad")
            for k, ok, state, errs in b["kinds"]:
                print(f"  {'ok  ' if ok else 'FAIL'} {k.name[:48]:48s} {k.what}")
                if not ok:
                    print(f"         expected {k.expect}, got state {state!r}, errores {errs}")
            survived = sum(ok for _, ok, _, _ in b["kinds"])
            n = len(b["kinds"])
            figures["kinds"] = f"{survived}/{n}"
            figures["rows_lost"] = f"{b['rows_lost']} of {b['rows_total']}"
            print(f"  exit code {b['exit']} (expected 1), traceback: {'YES' if b['traceback'] else 'no'}, "
                  f"temp files left: {len(b['leftovers'])}, {b['seconds']:.0f} s")
            if b["traceback"]:
                print(b["stderr"])
            failed |= survived < n or b["rows_lost"] > 0 or b["exit"] != 1 or b["traceback"] or bool(b["leftovers"])
        if "kills" not in skip:
            print("== kills (SIGKILL at ten points of a 3-document run, then run again) ==", flush=True)
            k = bench_kills(corpus, work / "kills")
            for r in k["results"]:
                print(f"  {r['point']:22s} killed: {'yes' if r['killed'] else 'NO'}  temp files left by the "
                      f"kill: {r['temp_left']}  re-run identical and clean: {'yes' if r['identical'] else 'NO'}")
            good = sum(r["killed"] and r["identical"] for r in k["results"])
            figures["kills"] = f"{good}/{len(k['results'])}"
            failed |= good < len(k["results"])
        if "memory" not in skip:
            print("== memory and speed (one process, no OCR cache) ==", flush=True)
            rows = bench_memory(corpus, work / "mem", args.pages, args.scan_pages)
            figures["memory"] = rows
            dig = {r["paginas"]: r for r in rows if r["label"].startswith("digital")}
            if 100 in dig and 1000 in dig and dig[100]["rss_mib"]:
                ratio = dig[1000]["rss_mib"] / dig[100]["rss_mib"]
                figures["ratio"] = ratio
                print(f"  peak RSS 1,000 pages / 100 pages: {ratio:.2f}x (target <= 1.5x)")
                failed |= ratio > 1.5
    finally:
        if not args.keep:
            for p in work.rglob("*"):
                if p.is_file() and not os.access(p, os.R_OK):
                    p.chmod(0o644)
            shutil.rmtree(work, ignore_errors=True)
    print("== figures ==")
    if "kinds" in figures:
        print(f"kinds of bad input tried/survived: {figures['kinds']}; good rows lost: {figures['rows_lost']}")
    if "kills" in figures:
        print(f"kills with identical output after the re-run: {figures['kills']}")
    for r in figures.get("memory", []):
        print(f"{r['label']}: peak RSS {r['rss_mib']:.0f} MiB, {r['seconds'] / max(r['paginas'], 1):.3f} s/page")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
