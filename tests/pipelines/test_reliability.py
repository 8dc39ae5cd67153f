"""Issue #8, "nothing lost, nothing silent": one test per failure a bad-input and
interrupt battery found on main.  Each fixture builds its bad input from a corpus PDF;
the kill tests SIGKILL a real subprocess at a chosen write.  Memory is measured by
``make bench-reliability``, not asserted here."""
from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pikepdf
import pyarrow.parquet as pq
import pytest

from pipelines import document as document_mod
from pipelines.cli import EXIT_FAILED_FILES, EXIT_OK, EXIT_USAGE, main
from pipelines.run import process_and_write
from tests.conftest import ROOT, corpus_pdf

SMALL = "digemig_poa_2019_booktabs.pdf"  # 6 digital pages, POA rows: the cheapest real document


def _cli(raw: Path, out: Path, tmp: Path, *extra: str) -> int:
    return main(["--raw", str(raw), "--out", str(out), "--quiet", "--logs", str(tmp / "logs"),
                 "--layout", str(tmp / "layout"), "--ocr-cache", str(tmp / "ocr"), *extra])


def _datasets(out: Path) -> dict[str, pd.DataFrame]:
    """Every dataset file under ``out`` (relative path -> table), manifest excluded."""
    return {p.relative_to(out).as_posix(): pq.read_table(p).to_pandas()
            for p in sorted(out.rglob("*.parquet")) if "_manifest" not in p.parts}


def _assert_same_output(a: Path, b: Path) -> None:
    da, db = _datasets(a), _datasets(b)
    assert sorted(da) == sorted(db)
    for k in da:
        pd.testing.assert_frame_equal(da[k], db[k], obj=k)
    ma = sorted(p.name for p in (a / "_manifest").glob("*.json"))
    assert ma == sorted(p.name for p in (b / "_manifest").glob("*.json")) and ma
    leftovers = [p for p in b.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def _reference(corpus) -> Path:
    """The datasets of an uninterrupted run of :data:`SMALL`: the session's run of it
    (tests/conftest.py), written by ``process_and_write`` as the CLI writes it."""
    p = corpus.get(SMALL)
    assert p.outcome.ok, p.outcome.errores
    return p.parquet


# --- 1. a document half-written when the run is killed is re-done -------------------------

KILLER = r"""
import os, re, signal, sys
import pipelines.write as W
pattern, nth, mode = re.compile(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
seen = 0
real_replace, real_write = os.replace, W.pq.write_table

def replace(src, dst, *a, **k):
    global seen
    real_replace(src, dst, *a, **k)
    if mode == "after" and pattern.search(str(dst)):
        seen += 1
        if seen == nth:
            os.kill(os.getpid(), signal.SIGKILL)

def write_table(table, where, *a, **k):
    global seen
    real_write(table, where, *a, **k)
    if mode == "during" and pattern.search(str(where)):
        seen += 1
        if seen == nth:
            os.kill(os.getpid(), signal.SIGKILL)  # the temp file is written, not renamed

os.replace, W.pq.write_table = replace, write_table
from pipelines.cli import main
sys.exit(main(sys.argv[4:]))
"""


def _killed_run(raw: Path, out: Path, tmp: Path, pattern: str, nth: int, mode: str) -> int:
    args = ["--raw", str(raw), "--out", str(out), "--quiet", "--jobs", "1", "--logs", str(tmp / "logs"),
            "--layout", str(tmp / "layout"), "--ocr-cache", str(tmp / "ocr")]
    p = subprocess.run([sys.executable, "-c", KILLER, pattern, str(nth), mode, *args], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    return p.returncode


def test_kill_after_documentos_file_is_redone(tmp_path, corpus):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / SMALL)
    ref = _reference(corpus)
    out = tmp_path / "out"
    # killed right after the document's documentos file is renamed into place
    assert _killed_run(raw, out, tmp_path / "k", r"/documentos/gestion=", 1, "after") == -signal.SIGKILL
    assert list((out / "documentos").rglob("*.parquet")) and not (out / "poa_operaciones").exists()
    assert _cli(raw, out, tmp_path / "k") == EXIT_OK
    _assert_same_output(ref, out)


def test_kill_while_a_file_is_written_leaves_nothing_behind(tmp_path, corpus):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / SMALL)
    ref = _reference(corpus)
    out = tmp_path / "out"
    assert _killed_run(raw, out, tmp_path / "k", r"/poa_operaciones/", 1, "during") == -signal.SIGKILL
    assert [p for p in out.rglob("*.tmp")], "the kill should leave the temp file of the write"
    assert _cli(raw, out, tmp_path / "k") == EXIT_OK
    _assert_same_output(ref, out)


def test_skip_needs_a_matching_manifest_entry(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / SMALL)
    out = tmp_path / "out"
    assert _cli(raw, out, tmp_path) == EXIT_OK
    manifest = next((out / "_manifest").glob("*.json"))
    ops = next((out / "poa_operaciones").rglob("*.parquet"))
    ops.unlink()  # an output of the document went missing: not done any more
    assert _cli(raw, out, tmp_path) == EXIT_OK
    assert ops.is_file() and manifest.is_file()


# --- 2. a PDF pdfminer cannot parse but other readers can ---------------------------------

def _shifted_xref(src: Path, dest: Path, shift: int = 50) -> Path:
    """Insert ``shift`` bytes after the header and move ``startxref`` to match: the xref
    table is found, but every offset in it is wrong (an edited or concatenated PDF)."""
    data = src.read_bytes()
    i = data.index(b"\n") + 1
    pad = b"%" + b"x" * (shift - 2) + b"\n"
    data = data[:i] + pad + data[i:]
    m = list(re.finditer(rb"startxref\s+(\d+)", data))[-1]
    data = data[:m.start(1)] + str(int(m.group(1)) + len(pad)).encode() + data[m.end(1):]
    dest.write_bytes(data)
    return dest


def test_shifted_xref_is_repaired_not_empty(tmp_path, corpus):
    src = corpus_pdf(SMALL)
    bad = _shifted_xref(src, tmp_path / "desplazado.pdf")
    good = corpus.get(SMALL)  # the session's run of the intact file
    o = process_and_write(bad, tmp_path / "out")
    assert o.ok and o.paginas == good.outcome.paginas == 6
    assert "qpdf" in (o.nota or "")
    a = pd.read_parquet(_reference(corpus) / "poa_operaciones").drop(columns=["documento_id", "archivo", "tabla_id"])
    b = pd.read_parquet(tmp_path / "out" / "poa_operaciones").drop(columns=["documento_id", "archivo", "tabla_id"])
    assert len(a) > 0
    pd.testing.assert_frame_equal(a, b)
    assert not list((tmp_path / "out").rglob("*.tmp"))  # the repaired copy is gone


def test_page_count_disagreement_is_an_error(tmp_path, monkeypatch):
    real = document_mod.pdfium_page_count
    monkeypatch.setattr(document_mod, "pdfium_page_count", lambda p: real(p) + 1)
    o = process_and_write(corpus_pdf(SMALL), tmp_path / "out")
    assert not o.ok
    e = pd.read_parquet(tmp_path / "out" / "errores")
    assert list(e.clase) == ["PdfCorrupto"]
    assert "pdfminer lee 6" in e.mensaje.iloc[0] and "pdfium 7" in e.mensaje.iloc[0]
    assert not (tmp_path / "out" / "documentos").exists()


# --- 3. a name that is not UTF-8, a file that cannot be read --------------------------------

def test_non_utf8_name_is_one_error_row(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / SMALL)
    latin1 = os.fsdecode(b"informe_gesti\xf3n.pdf")  # 'ó' in Latin-1: not UTF-8
    shutil.copy(corpus_pdf("digemig_poa_2019.pdf"), raw / latin1)
    out = tmp_path / "out"
    assert _cli(raw, out, tmp_path) == EXIT_FAILED_FILES
    e = pd.read_parquet(out / "errores")
    assert list(e.clase) == ["NombreNoUtf8"] and list(e.archivo) == ["informe_gesti\\xf3n.pdf"]
    assert "informe_gestión.pdf" in e.mensaje.iloc[0]  # the name to rename it to
    assert set(pd.read_parquet(out / "documentos").archivo) == {SMALL}


def _drop_read_override():  # pragma: no cover - runs in the child before exec
    """Root reads any file: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    capability bounding set, so the exec'd process obeys file permissions."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP


def test_unreadable_file_is_one_error_row(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / SMALL)
    locked = raw / "sin_permiso.pdf"
    shutil.copy(corpus_pdf(SMALL), locked)
    locked.chmod(0)
    out = tmp_path / "out"
    args = ["--raw", str(raw), "--out", str(out), "--quiet", "--logs", str(tmp_path / "logs"),
            "--layout", str(tmp_path / "layout"), "--ocr-cache", str(tmp_path / "ocr")]
    p = subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=ROOT, capture_output=True,
                       text=True, timeout=600,
                       preexec_fn=_drop_read_override if os.geteuid() == 0 else None)
    locked.chmod(0o644)
    if os.geteuid() == 0 and "ArchivoIlegible" not in p.stdout and "Traceback" not in p.stderr:
        pytest.skip("cannot drop root's read override here (prctl refused)")
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == EXIT_FAILED_FILES, p.stdout
    e = pd.read_parquet(out / "errores")
    assert list(e.clase) == ["ArchivoIlegible"] and list(e.archivo) == ["sin_permiso.pdf"]
    assert "permiso" in e.mensaje.iloc[0]
    assert set(pd.read_parquet(out / "documentos").archivo) == {SMALL}


# --- 4. pixel caps: a 200 x 200 inch page -----------------------------------------------------

def _huge_page_pdf(dest: Path) -> Path:
    """Page 1 of a corpus POA, then a 14400 x 14400 pt page (200 x 200 in, the largest PDF
    allows) covered by one image: a scan, so it goes to OCR."""
    src = pikepdf.open(corpus_pdf(SMALL))
    pdf = pikepdf.new()
    pdf.pages.append(src.pages[0])
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
    return dest


def test_page_over_pixel_cap_is_a_page_error(tmp_path):
    o = process_and_write(_huge_page_pdf(tmp_path / "gigante.pdf"), tmp_path / "out")
    assert o.ok and o.paginas == 2
    assert [(e["pagina"], e["etapa"], e["clase"]) for e in o.errores] == [(2, "ocr", "PaginaDemasiadoGrande")]
    assert "200 x 200 pulgadas" in o.errores[0]["mensaje"]
    pag = pd.read_parquet(tmp_path / "out" / "paginas").sort_values("pagina")
    assert list(pag.pagina) == [1, 2] and len(pag.texto.iloc[0]) > 100  # page 1 went on


def test_render_page_refuses_over_the_cap(tmp_path):
    from extract.preprocess import RenderError, render_page

    with pytest.raises(RenderError, match="over"):
        render_page(_huge_page_pdf(tmp_path / "gigante.pdf"), 2)


# --- 5. a page whose content stream is corrupt ------------------------------------------------

def _page2_contents(src: Path) -> tuple[int, bytes]:
    with pikepdf.open(src) as pdf:
        c = pdf.pages[1].obj.Contents
        return c.objgen[0], c.read_raw_bytes()


def _garbage_content(dest: Path) -> Path:
    """Page 2's content stream replaced by bytes that do not inflate."""
    with pikepdf.open(corpus_pdf(SMALL)) as pdf:
        pdf.pages[1].obj.Contents.write(b"\x78\x9c" + b"basura" * 40, filter=pikepdf.Name.FlateDecode)
        pdf.save(dest)
    return dest


def _wrong_length(dest: Path) -> Path:
    """Page 2's content stream with a wrong ``/Length`` (same number of digits, so no
    offset moves): pdfminer reads a few bytes of it, pdfium and qpdf recover the rest."""
    src = corpus_pdf(SMALL)
    objid, _ = _page2_contents(src)
    data = src.read_bytes()
    m = re.search(rb"(?<![0-9])%d 0 obj\s*<<[^>]*?/Length (\d+)" % objid, data, re.S)
    digits = m.group(1)
    data = data[:m.start(1)] + b"9".rjust(len(digits), b"0") + data[m.end(1):]
    dest.write_bytes(data)
    return dest


def test_corrupt_content_stream_is_a_page_error(tmp_path):
    o = process_and_write(_garbage_content(tmp_path / "contenido_roto.pdf"), tmp_path / "out")
    assert o.ok and o.paginas == 6
    assert [(e["pagina"], e["etapa"], e["clase"]) for e in o.errores] == [(2, "texto", "ContenidoCorrupto")]
    assert "qpdf" in o.errores[0]["mensaje"]
    pag = pd.read_parquet(tmp_path / "out" / "paginas").set_index("pagina")
    assert pag.loc[2, "texto"] == "" and pag.loc[2, "metodo"] == "pdf"  # nothing to OCR: blank render
    assert all(len(pag.loc[n, "texto"]) > 50 for n in (1, 3))


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
def test_corrupt_content_stream_that_renders_is_ocred(tmp_path):
    o = process_and_write(_wrong_length(tmp_path / "longitud_mala.pdf"), tmp_path / "out",
                          ocr_cache=tmp_path / "ocr")
    assert o.ok and o.paginas_ocr == 1
    assert [(e["pagina"], e["etapa"], e["clase"]) for e in o.errores] == [(2, "texto", "ContenidoCorrupto")]
    assert "pdfium" in o.errores[0]["mensaje"] and "OCR" in o.errores[0]["mensaje"]
    pag = pd.read_parquet(tmp_path / "out" / "paginas").set_index("pagina")
    assert pag.loc[2, "metodo"] == "ocr" and len(pag.loc[2, "texto"]) > 200


# --- 6. silent skips: a broken link, a folder named x.pdf, a duplicate ------------------------

def test_skips_are_said(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / "a_original.pdf")
    shutil.copy(corpus_pdf(SMALL), raw / "b_copia.pdf")
    (raw / "enlace.pdf").symlink_to(tmp_path / "no-existe.pdf")
    (raw / "carpeta.pdf").mkdir()
    out = tmp_path / "out"
    assert _cli(raw, out, tmp_path) == EXIT_FAILED_FILES  # the broken link is a failure
    text = capsys.readouterr().out
    e = pd.read_parquet(out / "errores")
    assert list(e.archivo) == ["enlace.pdf"] and list(e.clase) == ["EnlaceRoto"]
    assert "no-existe.pdf" in e.mensaje.iloc[0]
    assert "carpeta.pdf" in _column_text(text, 0)
    estado = _column_text(text, 1)
    assert "esunacarpeta" in estado and "duplicadodea_original.pdf" in estado
    assert set(pd.read_parquet(out / "documentos").archivo) == {"a_original.pdf"}
    # a re-run says the same of the copy, and "already done" of the original
    (raw / "enlace.pdf").unlink()
    assert _cli(raw, out, tmp_path) == EXIT_OK
    col = _column_text(capsys.readouterr().out, 1)
    assert "duplicadodea_original.pdf" in col and "yaprocesado" in col


# --- 7. the summary tells files apart ---------------------------------------------------------

def _column_text(text: str, col: int) -> str:
    """The cells of column ``col`` of a rich table joined, spaces removed: a name folded
    or wrapped over several lines reads whole again (compare without spaces)."""
    cells = []
    for ln in text.splitlines():
        if ln.startswith("│"):
            parts = ln.split("│")
            if len(parts) > col + 1:
                cells.append(parts[col + 1].replace(" ", ""))
    return "".join(cells)


def test_summary_names_every_file_whole_at_80_columns(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    raw = tmp_path / "raw"
    raw.mkdir()
    names = [f"formulario_poa_2021_unidad_de_planificacion_version_{i:02d}.pdf" for i in range(28)]
    names += ["informe [borrador].pdf", "[bold]rojo.pdf"]
    for n in names:
        (raw / n).write_text("no es un PDF")
    out = tmp_path / "out"
    assert _cli(raw, out, tmp_path) == EXIT_FAILED_FILES
    text = capsys.readouterr().out
    assert "…" not in text
    joined = _column_text(text, 0)
    for n in names:
        assert n.replace(" ", "") in joined, n
    assert "informe [borrador].pdf [abrir/NoEsPdf]" in text  # error lines keep their brackets
    log = (tmp_path / "logs" / "pipeline.log").read_text(encoding="utf-8")
    assert all(n in log for n in names)


# --- 8. configuration checked once, at start --------------------------------------------------

@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of pipelines/data the loaders read instead (their caches are cleared)."""
    from normalize import headers
    from pipelines import identify

    src = Path(headers.DATA_DIR)
    dst = tmp_path / "data"
    shutil.copytree(src, dst)
    monkeypatch.setattr(headers, "DATA_DIR", dst)
    monkeypatch.setattr(headers, "HEADERS_FILE", dst / "headers.toml")
    monkeypatch.setattr(identify, "DATA_FILE", dst / "documentos.toml")
    headers.synonyms.cache_clear()
    identify.knowledge.cache_clear()
    yield dst
    monkeypatch.undo()
    headers.synonyms.cache_clear()
    identify.knowledge.cache_clear()


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path`` by ``new``; return the 1-based line edited."""
    text = path.read_text(encoding="utf-8")
    i = text.index(old)
    path.write_text(text[:i] + new + text[i + len(old):], encoding="utf-8")
    return text[:i].count("\n") + 1


@pytest.mark.parametrize("file, old, new, says", [
    ("headers.toml", 'tarea = ["Tarea"', 'tarea = ["Tarea",,', "TOML"),
    ("headers.toml", 'tarea = ["Tarea"', 'tarea = ["Cod tarea"', "tarea_codigo"),
    ("documentos.toml", 'CGE = ["Contraloría General del Estado", "Contraloría General"]',
     'CGR = ["Contraloría General de la República"]', "CGR"),
    ("documentos.toml", "informe_auditoria = [", "informe = [", "informe"),
    ("documentos.toml", "CGE = '^[A-Z]", "CGE = '^([A-Z]", "expresión regular"),
    ("documentos.toml", 'texto = ["poa", "rendicion_cuentas", "otro"]', 'texto = ["poa", "rendicion"]',
     "rendicion no es un tipo"),
    ("documentos.toml", "ejercicio = '\\bejercicio fiscal\\s*:?\\s*(?P<anio>",
     "ejercicio = '\\bejercicio fiscal\\s*:?\\s*(?P<ano>", "(?P<anio>...)"),
])
def test_broken_config_stops_before_any_document(tmp_path, capsys, data_copy, file, old, new, says):
    line = _edit(data_copy / file, old, new)
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(corpus_pdf(SMALL), raw / SMALL)
    out = tmp_path / "out"
    assert _cli(raw, out, tmp_path) == EXIT_USAGE
    text = " ".join(capsys.readouterr().out.split())
    assert f"{file}, línea {line}" in text and says in text, text
    assert not out.exists() or not any(out.rglob("*.parquet"))


def test_good_config_passes(data_copy):
    from pipelines.config import validate_config

    validate_config()  # the shipped files are valid (raises ConfigError otherwise)
