"""One source file -> the rows of every dataset (no writing here).

Stages (:data:`STAGES`, OCRmyPDF's shape: each reads the run's state and returns a
small result): open (repair when needed) -> pages (text layer, or OCR for pages
without a usable one) -> tables (every strategy per region, :mod:`extract.tables`) ->
continuations over pages -> identity (kind, entity, gestión) -> builders registered
for the kind (:mod:`pipelines.registry`) -> validation.  A page or builder that fails
is an ``errores`` row and the document goes on; a file that cannot be opened raises
:class:`extract.errors.ExtractError`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
import time
import zlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, chain
from pathlib import Path

import pdfplumber
import pyarrow as pa
from pdfminer.pdfdocument import PDFPasswordIncorrect, PDFEncryptionError
from pdfminer.pdfpage import PDFPage

from extract.errors import ExtractError, NoEsPdf, PdfCifrado, PdfCorrupto
from extract.classify import classify_page
from extract.models import Page, Table, Word
from extract.ocr import OcrError, ocr_pages, second_engine_setting
from extract.layout import read_layers
from extract.tables import drop_running_captions, find_tables, merge_continuations, tables_from, top_limit
from extract.tables.image import scan_candidates, unskew_table
from extract.preprocess import MAX_RENDER_PIXELS
from extract.tables_image import image_tables_and_cues
from extract.text_layer import read_page
from normalize.text import clean_text, fold
from pipelines.builders import BuildInput, BuildResult
from pipelines.context import DocContext, Finding
from pipelines.identify import identify
from pipelines.registry import builders_for, owned_datasets
from pipelines.tablas import tabla_id
from pipelines.totales import check_tables, owned_rows
from pipelines.validate import validate

log = logging.getLogger(__name__)
ProgressFn = Callable[[int, int], None]


@dataclass
class DocumentResult:
    """What one file produced: rows per dataset (lists of row dicts; ``tablas``, one row
    per table cell, as an Arrow table: :func:`pipelines.tablas.tablas_table`), ``errores`` rows, counts.
    ``layout_zlib`` is the geometry sidecar (:func:`layout_json`) serialised and
    compressed (a dict per table cell would be the largest object of a long document,
    its JSON text the largest string); ``reparado``
    says why the file was read from a copy repaired by qpdf (else None)."""

    archivo: str
    documento_id: str | None
    gestion: int | None
    datasets: dict[str, list[dict]] = field(default_factory=dict)
    errores: list[dict] = field(default_factory=list)
    paginas: int = 0
    paginas_ocr: int = 0
    layout_zlib: bytes = b""
    reparado: str | None = None

    @property
    def layout_json(self) -> str:
        """The geometry sidecar (:func:`layout_json`), as JSON text."""
        return zlib.decompress(self.layout_zlib).decode("utf-8") if self.layout_zlib else ""

    @property
    def layout(self) -> dict:
        """The geometry sidecar (:func:`layout_of`) as a dict."""
        return json.loads(self.layout_json) if self.layout_zlib else {}


class PackedWords(Sequence[Word]):
    """A page's words kept compactly once the page is done: the texts joined in one
    string, their ends in an ``array('I')``, the boxes in one ``array('d')`` (float64, so
    every coordinate is kept exactly), OCR confidences in another (NaN for ``None``), the
    whole zlib-compressed: about 15 bytes a word instead of ~200 for a tuple of
    :class:`Word` (object, string, four floats).  :class:`Word` objects equal to the
    originals are rebuilt on access (one decompression per iteration).  Read-only,
    hashable, equal to the tuple of the same words."""

    __slots__ = ("_n", "_has_conf", "_blob")

    def __init__(self, words: Sequence[Word]):
        texts = [w.text for w in words]
        self._n = len(texts)
        confs = [w.confidence for w in words]
        self._has_conf = any(c is not None for c in confs)
        parts = [array("I", accumulate(len(t) for t in texts)).tobytes(),
                 array("d", chain.from_iterable(w.bbox for w in words)).tobytes(),
                 array("d", (math.nan if c is None else c for c in confs)).tobytes()
                 if self._has_conf else b"", "".join(texts).encode("utf-8", "surrogatepass")]
        self._blob = zlib.compress(b"".join(parts), 1)

    def _unpack(self) -> tuple[str, array, array, array | None]:
        raw = zlib.decompress(self._blob)
        n = self._n
        ends, boxes, conf = array("I"), array("d"), array("d")
        k = n * ends.itemsize
        ends.frombytes(raw[:k])
        boxes.frombytes(raw[k:k + 4 * n * boxes.itemsize])
        k += 4 * n * boxes.itemsize
        if self._has_conf:
            conf.frombytes(raw[k:k + n * conf.itemsize])
            k += n * conf.itemsize
        return raw[k:].decode("utf-8", "surrogatepass"), ends, boxes, conf if self._has_conf else None

    def __len__(self) -> int:
        return self._n

    @staticmethod
    def _word(i: int, text: str, ends: array, b: array, conf: array | None) -> Word:
        start = ends[i - 1] if i else 0
        c = None
        if conf is not None and not math.isnan(conf[i]):
            c = conf[i]
        return Word(text[start:ends[i]], (b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]), c)

    def __getitem__(self, i):
        if isinstance(i, slice):
            unpacked = self._unpack()
            return tuple(self._word(k, *unpacked) for k in range(*i.indices(len(self))))
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("word index out of range")
        return self._word(i, *self._unpack())

    def __iter__(self) -> Iterator[Word]:
        if not self._n:
            return iter(())
        unpacked = self._unpack()
        return (self._word(i, *unpacked) for i in range(self._n))

    def __eq__(self, other) -> bool:
        if isinstance(other, (PackedWords, tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"PackedWords({len(self)} words)"


def compact_page(page: Page) -> Page:
    """``page`` with its words packed (:class:`PackedWords`): what the stages after the
    page loop (identification, form labels) read, in a fraction of the memory."""
    return replace(page, words=PackedWords(page.words))


def sha256_of(path: Path) -> str:
    """Full SHA-256 hex digest of a file's bytes (``documento_id`` is its first 16)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


RENDER_DPI = 300
"""Resolution pages are rendered at for OCR (``extract.ocr`` is called with it).  A page
that would exceed ``extract.preprocess.MAX_RENDER_PIXELS`` (Pillow's decompression-bomb
limit) at it is an ``errores`` row, not OCR'd (:func:`over_pixel_cap`)."""

@dataclass
class OpenedPdf:
    """A PDF opened for reading: the pdfplumber document, the file it reads (the source,
    or a copy repaired by qpdf in a scratch folder), its page count, and why it was
    repaired (``None`` when it was not).  A context manager: leaving it closes the PDF
    and deletes the repaired copy."""

    pdf: pdfplumber.PDF
    path: Path
    paginas: int
    reparado: str | None = None

    def close(self) -> None:
        """Close the PDF; delete the repaired copy, if any."""
        self.pdf.close()
        if self.reparado is not None:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> "OpenedPdf":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def pdfium_page_count(path: Path) -> int | None:
    """Page count as pdfium (the engine of Chrome's viewer) reads it; ``None`` when
    pdfium cannot open the file.  The second opinion :func:`open_pdf` checks
    pdfminer's count against."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except Exception:  # PdfiumError (damaged, encrypted), OSError
        return None
    try:
        return len(doc)
    finally:
        doc.close()


def repair_pdf(path: Path, dest: Path) -> int:
    """Rewrite ``path`` to ``dest`` with qpdf (pikepdf), which rebuilds a broken or
    shifted cross-reference table and recovers wrong stream lengths, as ``qpdf in.pdf
    out.pdf`` does.  Returns the page count qpdf reads.  Raises ``pikepdf.PasswordError``
    for an encrypted file and ``pikepdf.PdfError`` when qpdf cannot read it either."""
    import pikepdf

    dest.parent.mkdir(parents=True, exist_ok=True)
    with pikepdf.open(path) as pdf:
        n = len(pdf.pages)
        pdf.save(dest)
    return n


def iter_pages(pdf: pdfplumber.PDF) -> Iterator[pdfplumber.page.Page]:
    """The pages of ``pdf`` one at a time, each built when it is reached, as
    ``pdfplumber.PDF.pages`` builds them (same ``page_number`` and ``doctop``), without
    that list, which keeps every page, and what pdfminer parsed for it, alive until the
    PDF is closed.  A page no longer referenced is freed."""
    doctop = 0.0
    for i, page_obj in enumerate(PDFPage.create_pages(pdf.doc), 1):
        page = pdfplumber.page.Page(pdf, page_obj, page_number=i, initial_doctop=doctop)
        doctop += page.height
        yield page


def _pdfplumber_pages(path: Path) -> tuple[pdfplumber.PDF | None, int, Exception | None]:
    """(pdf, pages, None) when pdfminer opens ``path``, else (None, 0, the error).

    The document's object cache is turned off (pdfminer's ``PDFDocument(caching=...)``):
    with it, every object resolved (every page's decoded content stream) stays in memory
    until the end; fonts stay cached by pdfminer's resource manager."""
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:
        return None, 0, exc
    try:
        pdf.doc.caching = False
        return pdf, sum(1 for _ in PDFPage.create_pages(pdf.doc)), None
    except Exception as exc:
        pdf.close()
        return None, 0, exc


def _is_encryption_error(exc: BaseException) -> bool:
    cause = exc.args[0] if exc.args else None  # pdfplumber wraps pdfminer's error
    return isinstance(exc, (PDFPasswordIncorrect, PDFEncryptionError)) or \
        isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)) or \
        "password" in repr(exc).lower() or "encrypt" in repr(exc).lower()


def open_pdf(path: Path, workdir: Path | None = None) -> OpenedPdf:
    """Open ``path`` with pdfplumber, repairing it first when needed; failures become the
    contract's error classes.

    pdfminer's page count is checked against pdfium's (:func:`pdfium_page_count`).  When
    pdfminer cannot parse the file, reads no page, or reads another number of pages (a
    shifted cross-reference table, common in edited or concatenated downloads, makes it
    read 0 pages while viewers show them all), the file is rewritten by qpdf
    (:func:`repair_pdf`) into ``workdir`` (a temporary folder when ``None``) and that copy
    is read.  A document whose page count still disagrees is never read silently short:

    Raises :class:`NoEsPdf`, :class:`PdfCifrado` or :class:`PdfCorrupto` (its message
    gives both page counts when they disagree)."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF" not in head:
        raise NoEsPdf(path.name, "el archivo no es un PDF (no empieza con %PDF); "
                                 "quítelo de data/raw o reemplácelo por el PDF original.")
    other = pdfium_page_count(path)
    pdf, n, exc = _pdfplumber_pages(path)
    if exc is not None and _is_encryption_error(exc):
        raise PdfCifrado(path.name, "el PDF está cifrado con contraseña; pida a la entidad "
                                    "una copia sin cifrar.") from exc
    if pdf is not None and n > 0 and other in (None, n):
        return OpenedPdf(pdf, path, n)
    if pdf is not None:
        pdf.close()
    if exc is None and n == 0 and other == 0:
        raise PdfCorrupto(path.name, "el PDF no tiene ninguna página (pdfminer y pdfium leen 0); "
                                     "vuelva a descargarlo o pida a la entidad el archivo original.")
    problem = (f"pdfminer no puede leerlo ({type(exc).__name__}: {str(exc)[:120]})" if exc is not None
               else f"pdfminer lee {n} páginas y pdfium {other}")
    import pikepdf

    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".reparado-", suffix=".pdf.tmp", dir=workdir)
    os.close(fd)
    copy = Path(tmp)
    try:
        try:
            n_qpdf = repair_pdf(path, copy)
        except pikepdf.PasswordError as err:
            raise PdfCifrado(path.name, "el PDF está cifrado; pida una copia sin cifrar.") from err
        except Exception as err:
            raise PdfCorrupto(path.name, f"el PDF está dañado y no se puede leer ({problem}; qpdf "
                                         f"tampoco puede repararlo: {str(err)[:120]}); vuelva a "
                                         "descargarlo o pida a la entidad el archivo original.") from err
        expected = other if other is not None else n_qpdf
        pdf2, n2, exc2 = _pdfplumber_pages(copy)
        if pdf2 is not None and n2 > 0 and n2 == expected:
            log.warning("%s: %s; read from a copy repaired by qpdf", path.name, problem)
            return OpenedPdf(pdf2, copy, n2, reparado=problem)
        if pdf2 is not None:
            pdf2.close()
        after = (f"pdfminer lee {n2} páginas de la copia reparada por qpdf y pdfium {expected}"
                 if exc2 is None else f"tampoco la copia reparada por qpdf ({type(exc2).__name__})")
        raise PdfCorrupto(path.name, f"el PDF está dañado: {problem}; {after}. No se procesó para "
                                     "no perder páginas en silencio: vuelva a descargarlo o pida a "
                                     "la entidad el archivo original.") from (exc or exc2)
    except BaseException:
        copy.unlink(missing_ok=True)
        raise


def _error_row(archivo: str, documento_id: str | None, pagina: int | None, etapa: str,
               clase: str, mensaje: str) -> dict:
    return {"documento_id": documento_id, "archivo": archivo, "pagina": pagina,
            "etapa": etapa, "clase": clase, "mensaje": mensaje}


def _ocr(path: Path, pages: list[int], cache: Path | None, jobs: int, res: DocumentResult,
         name: str | None = None) -> dict:
    """OCR the scanned ``pages`` (in parallel when ``jobs`` > 1); a page whose OCR fails
    is an ``errores`` row (etapa ``ocr``) and stays without text."""
    if not pages:
        return {}
    try:
        return {r.page_number: r for r in ocr_pages(path, pages, cache_dir=cache, jobs=jobs,
                                                    dpi=RENDER_DPI, tables=True,
                                                    second=second_engine_setting())}
    except OcrError as exc:
        if len(pages) > 1:  # find which pages fail, keep the others
            out = {}
            for p in pages:
                out.update(_ocr(path, [p], cache, 1, res, name))
            return out
        res.errores.append(_error_row(name or path.name, res.documento_id, pages[0], "ocr", "OcrFallido",
                                      f"{exc}"))
        return {}


def _layout_table(ctx: DocContext, t: Table) -> dict:
    return {"tabla_id": tabla_id(ctx, t), "pagina": t.pagina, "metodo": t.metodo,
            "confianza": t.confianza, "medidas": t.medidas, "direccion": t.direction,
            "titulo": t.titulo, "bbox": list(t.bbox),
            "celdas": [{"fila": c.row, "columna": c.col, "pagina": c.pagina or t.pagina,
                        "bbox": list(c.bbox)} for c in t.cells if c.bbox]}


def layout_of(ctx: DocContext, pages: list[Page], tables: list[Table]) -> dict:
    """Geometry the datasets do not carry, for the QA report: page sizes and, per table,
    its id, method, page boxes and cell boxes (points, top-left origin)."""
    return {
        "documento_id": ctx.documento_id, "archivo": ctx.archivo,
        "paginas": [{"pagina": p.numero, "width": p.width, "height": p.height, "metodo": p.metodo,
                     "ocr_confianza": p.ocr_confianza} for p in pages],
        "tablas": [_layout_table(ctx, t) for t in tables],
    }


def layout_json(ctx: DocContext, pages: list[Page], tables: list[Table]) -> str:
    """``json.dumps(layout_of(...), ensure_ascii=False)``, the same text, built one table
    at a time: the dict of a long document (one per cell) would be its largest object."""
    head = json.dumps({"documento_id": ctx.documento_id, "archivo": ctx.archivo,
                       "paginas": layout_of(ctx, pages, [])["paginas"]}, ensure_ascii=False)
    body = ", ".join(json.dumps(_layout_table(ctx, t), ensure_ascii=False) for t in tables)
    return f'{head[:-1]}, "tablas": [{body}]}}'


def _empty_page(pp) -> Page:
    return Page(pp.page_number, float(pp.width), float(pp.height), "", ())


def render_pixels(width_pt: float, height_pt: float, dpi: int = RENDER_DPI) -> int:
    """Pixels of a page of ``width_pt`` x ``height_pt`` points rendered at ``dpi``."""
    return round(width_pt * dpi / 72) * round(height_pt * dpi / 72)


def over_pixel_cap(name: str, documento_id: str | None, pp, res: DocumentResult) -> bool:
    """True (and an ``errores`` row, etapa ``ocr``) when page ``pp`` rendered at
    :data:`RENDER_DPI` would exceed :data:`MAX_RENDER_PIXELS`."""
    w, h = float(pp.width), float(pp.height)
    px = render_pixels(w, h)
    if px <= MAX_RENDER_PIXELS:
        return False
    res.errores.append(_error_row(
        name, documento_id, pp.page_number, "ocr", "PaginaDemasiadoGrande",
        f"la página mide {w / 72:.0f} x {h / 72:.0f} pulgadas: a {RENDER_DPI} dpi serían "
        f"{px / 1e6:.0f} millones de píxeles, más que el límite de {MAX_RENDER_PIXELS / 1e6:.0f} "
        "millones; no se le hizo OCR (el resto del documento sí se procesó). Si es un escaneo, "
        "escanéelo al tamaño real del papel."))
    return True


def text_layer_damage(path: Path, page_number: int) -> str | None:
    """Why the text layer of page ``page_number`` (1-based), which pdfminer read as
    empty, is damaged; ``None`` when the page is really empty.

    Two other readers are asked: pdfium (does it find characters pdfminer missed, as
    with a wrong stream ``/Length`` that pdfium recovers) and qpdf (do the page's
    content streams decode and parse without errors or warnings).  pdfminer itself turns an undecodable content
    stream into an empty one without a word (``PDFStream.decode``)."""
    import pikepdf
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
        try:
            page = doc[page_number - 1]
            textpage = page.get_textpage()
            chars = textpage.count_chars()
            textpage.close()
            page.close()
        finally:
            doc.close()
    except Exception:
        chars = 0
    if chars > 0:
        return f"pdfminer no leyó ningún carácter y pdfium lee {chars}"
    try:
        with pikepdf.open(path) as pdf:
            page = pdf.pages[page_number - 1]
            if "/Contents" not in page.obj:
                return None  # nothing drawn at all: a blank page
            before = len(pdf.get_warnings())
            pikepdf.parse_content_stream(page)
            warnings = pdf.get_warnings()[before:]
    except Exception as exc:
        return f"qpdf no puede decodificar su contenido ({str(exc)[:160]})"
    if warnings:  # qpdf decoded it only partly (a damaged deflate stream, a wrong length)
        return f"qpdf lo decodifica con advertencias: {str(warnings[0])[:160]}"
    return None


def renders_ink(path: Path, page_number: int, width_pt: float, height_pt: float,
                dpi: int = 36, min_dark_px: int = 20) -> bool:
    """True when page ``page_number`` (``width_pt`` x ``height_pt``) rendered at a low
    ``dpi`` has at least ``min_dark_px`` dark pixels (< 128): something OCR could read.
    False when it cannot be rendered or is over :data:`MAX_RENDER_PIXELS` even at ``dpi``."""
    from extract.preprocess import RenderError, render_page

    if render_pixels(width_pt, height_pt, dpi) > MAX_RENDER_PIXELS:
        return False
    try:
        return int((render_page(path, page_number, dpi=dpi) < 128).sum()) >= min_dark_px
    except (RenderError, MemoryError, ValueError):
        return False


def _read_pages(src: OpenedPdf, name: str, documento_id: str, res: DocumentResult,
                ocr_cache: Path | None, jobs: int, scan_tables: dict | None = None,
                wanted: range | None = None):
    """Yield ``(pdfplumber page, Page)`` for every page of ``src`` (those whose number is
    in ``wanted``, when given): text-layer pages as
    they are read, then the pages that need OCR (scanned, or a damaged text layer that
    renders), OCR'd together so ``jobs`` workers share them.  Problems are ``errores``
    rows in ``res``: a damaged or unreadable text layer (etapa ``texto``), a page over
    the pixel cap or whose OCR fails (etapa ``ocr``).  The caller closes each page.
    An OCR'd page's ruled tables are found on the image its OCR rendered; with
    ``scan_tables`` they are put there (page number -> :class:`extract.ocr.OcrResult`)."""
    deferred = []
    for pp in iter_pages(src.pdf):
        num = pp.page_number
        if wanted is not None and num not in wanted:
            pp.close()
            continue
        try:
            kind = classify_page(pp)
        except Exception as exc:
            kind = "text"
            log.warning("%s p.%s: classify failed: %s", name, num, exc)
        if kind == "scanned":
            deferred.append(pp)
            pp.close()
            continue
        try:
            page = read_page(pp)
            damage = None if page.words else text_layer_damage(src.path, num)
            clase = "ContenidoCorrupto"
        except Exception as exc:
            page = _empty_page(pp)
            damage = f"no se pudo leer el texto de la página: {exc}"
            clase = type(exc).__name__
        if damage:
            ink = renders_ink(src.path, num, float(pp.width), float(pp.height))
            res.errores.append(_error_row(
                name, documento_id, num, "texto", clase,
                f"el texto de la página está dañado ({damage}); "
                + ("se le hace OCR porque la página se ve al dibujarla." if ink else
                   "al dibujarla tampoco se ve nada: revise la página en el PDF original.")))
            if ink:
                deferred.append(pp)
                pp.close()
                continue
        yield pp, page
    to_ocr = [pp for pp in deferred if not over_pixel_cap(name, documento_id, pp, res)]
    ocr = _ocr(src.path, [pp.page_number for pp in to_ocr], ocr_cache, jobs, res, name)
    for pp in deferred:
        r = ocr.get(pp.page_number)
        if r is not None and scan_tables is not None:
            scan_tables[pp.page_number] = r
        if r is None:  # OCR failed or was not tried (an errores row says why): text layer
            try:
                page = read_page(pp)
            except Exception:
                page = _empty_page(pp)
            yield pp, page
        else:
            yield pp, Page(pp.page_number, float(pp.width), float(pp.height), r.texto, r.words,
                           metodo="ocr", ocr_confianza=round(r.confianza, 2), ocr_motor=r.motor,
                           skew_deg=r.skew_deg)


# --------------------------------------------------------------------------- stages
#
# process_document runs these in order; each reads the run's state (DocumentRun) and
# returns a small result the next ones use.  The pages and tables stages stream: a
# page's tables are found as soon as it is read, then the page is kept in compact form
# and its parsed objects released, so memory does not grow with the page count.

@dataclass
class DocumentRun:
    """The state of one file going through the stages: where it is and its id, what the
    run asked for (OCR cache, workers, scratch folder, progress callback), the result
    being filled (``res``: errores rows, counts) and what the stages found so far."""

    path: Path
    sha256: str
    res: DocumentResult
    ocr_cache: Path | None = None
    jobs: int = 1
    workdir: Path | None = None
    progress: ProgressFn | None = None
    pages: list[Page] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    page_tops: dict[int, float] = field(default_factory=dict)
    scan_tables: dict = field(default_factory=dict)  # page -> OcrResult with its tablas

    @property
    def documento_id(self) -> str:
        return self.sha256[:16]

    @property
    def name(self) -> str:
        return self.path.name

    def error(self, pagina: int | None, etapa: str, exc: BaseException, mensaje: str) -> None:
        """An ``errores`` row for this file (the document goes on)."""
        self.res.errores.append(_error_row(self.name, self.documento_id, pagina, etapa,
                                           type(exc).__name__, mensaje))


def open_stage(run: DocumentRun) -> OpenedPdf:
    """Stage ``abrir``: open the file (repairing it with qpdf when pdfminer cannot read
    it whole).  Raises :class:`ExtractError` when it cannot be opened at all."""
    src = open_pdf(run.path, run.workdir)
    run.res.reparado = src.reparado
    run.res.paginas = src.paginas
    return src


def pages_stage(run: DocumentRun, src: OpenedPdf,
                wanted: range | None = None) -> Iterator[tuple[object, Page]]:
    """Stage ``paginas``: ``(pdfplumber page, Page)`` for every page (or those numbered
    in ``wanted``), text layer or OCR (:func:`_read_pages`); problems are ``errores``
    rows of etapa ``texto``/``ocr``."""
    return _read_pages(src, run.name, run.documento_id, run.res, run.ocr_cache, run.jobs,
                       run.scan_tables, wanted)


def tables_stage(run: DocumentRun, src: OpenedPdf, pp, page: Page) -> list[Table]:
    """Stage ``tablas`` for one page: every table strategy on a text page
    (:func:`extract.tables.find_tables` on its reading frames); on a scanned page the
    ruled cells of its image (:mod:`extract.tables_image`) and the word strategies on
    its OCR words with the rules and fills of its image
    (:func:`extract.tables.image.scan_candidates`), its tables turned back onto the page
    as displayed (:func:`extract.tables.image.unskew_table`).  A failure is an ``errores`` row of
    etapa ``tablas`` for that page, and the page has no tables."""
    try:
        if page.metodo == "ocr":
            r = run.scan_tables.pop(page.numero, None)
            if r is not None and r.tablas_error is not None:
                raise r.tablas_error
            if r is not None and r.tablas is not None:
                found, (rules, fills) = r.tablas, r.cues or ((), ())
            else:
                found, rules, fills = image_tables_and_cues(src.path, page, cache=run.ocr_cache)
            return [unskew_table(t, page.skew_deg, page.width, page.height)
                    for t in tables_from(scan_candidates(page, found, rules, fills))]
        return find_tables(read_layers(pp, page.words))
    except Exception as exc:
        log.exception("tablas %s p.%s", run.name, page.numero)
        run.error(page.numero, "tablas", exc, f"falló la detección de tablas en la página: {exc}")
        return []


def read_document(run: DocumentRun, wanted: range | None = None) -> None:
    """Stages ``abrir``, ``paginas`` and ``tablas``, streamed page by page into
    ``run.pages`` (compact) and ``run.tables``; both end in page order, and so do the
    ``errores`` rows of these stages (:func:`_page_order`).  ``wanted``: only the pages
    with these numbers (1-based; :func:`read_pages`)."""
    with open_stage(run) as src:
        done = 0
        for pp, page in pages_stage(run, src, wanted):
            run.tables += tables_stage(run, src, pp, page)
            run.page_tops[page.numero] = top_limit(page)
            run.pages.append(compact_page(page))
            pp.close()  # release the page's parsed objects (and pdfplumber's textmap cache)
            done += 1
            if run.progress:
                run.progress(done, src.paginas)
    # OCR'd pages come after the text-layer ones: back to page order
    run.pages.sort(key=lambda p: p.numero)
    run.tables.sort(key=lambda t: (t.pagina, t.orden))
    _page_order(run.res.errores)


def _page_order(errores: list[dict]) -> None:
    """Sort ``errores`` rows by page, in place and stably (rows without a page first):
    the order they have whether the pages were read in one pass or in ranges
    (:func:`merge_reads`)."""
    errores.sort(key=lambda e: e["pagina"] or 0)


@dataclass
class PagesRead:
    """What stages ``abrir``, ``paginas`` and ``tablas`` read of pages ``first``..``last``
    (1-based, inclusive) of one file: the pages (compact), their tables (page order), the
    top of each page's body (``page_tops``), the ``errores`` rows of those pages, and of
    the whole file its page count and why it was repaired; ``seconds``, the wall time it
    took.  Picklable: the result of a
    task run on another process (:func:`read_pages`), merged by :func:`merge_reads`."""

    first: int
    last: int
    paginas: int
    reparado: str | None
    pages: list[Page]
    tables: list[Table]
    page_tops: dict[int, float]
    errores: list[dict]
    seconds: float = 0.0


def read_pages(path: Path, first: int, last: int, ocr_cache: Path | None = None,
               workdir: Path | None = None, sha256: str | None = None) -> PagesRead:
    """Read pages ``first``..``last`` of ``path`` (stages ``abrir``, ``paginas``,
    ``tablas``), so a long document's pages can be read by several processes at once
    and joined by :func:`process_document` (``read=``) into the bytes a single pass
    writes.  Self-contained (paths in, a :class:`PagesRead` out).  Raises
    :class:`ExtractError` when the file cannot be opened."""
    t0 = time.perf_counter()
    sha = sha256 or sha256_of(path)
    run = DocumentRun(path, sha, DocumentResult(archivo=path.name, documento_id=sha[:16],
                                                gestion=None), ocr_cache, 1, workdir)
    read_document(run, range(first, last + 1))
    return PagesRead(first, last, run.res.paginas, run.res.reparado, run.pages, run.tables,
                     run.page_tops, run.res.errores, time.perf_counter() - t0)


def merge_reads(run: DocumentRun, reads: Sequence[PagesRead]) -> None:
    """Put the page ranges ``reads`` (together every page of the file, none twice) into
    ``run`` as :func:`read_document` would have left it.  Raises ``ValueError`` when the
    ranges do not cover the file's pages exactly once."""
    reads = sorted(reads, key=lambda r: r.first)
    paginas = reads[0].paginas if reads else 0
    covered = [n for r in reads for n in range(r.first, r.last + 1)]
    if covered != list(range(1, paginas + 1)):
        raise ValueError(f"{run.name}: the page ranges read ({[(r.first, r.last) for r in reads]}) "
                         f"do not cover its {paginas} pages once")
    run.res.paginas, run.res.reparado = paginas, reads[0].reparado
    for r in reads:
        run.pages += r.pages
        run.tables += r.tables
        run.page_tops.update(r.page_tops)
        run.res.errores += r.errores


def continuations_stage(run: DocumentRun) -> list[Table]:
    """Stage ``continuaciones``: running headers and footers taken out of captions, and
    a table continued on the next pages joined into one
    (:func:`extract.tables.merge_continuations`)."""
    return merge_continuations(drop_running_captions(run.tables, run.pages), run.page_tops)


def identity_stage(run: DocumentRun):
    """Stage ``identidad``: kind, entity, gestión, title, number and date of the
    document (:func:`pipelines.identify.identify`)."""
    first_table_top: dict[int, float] = {}
    for t in run.tables:
        first_table_top.setdefault(t.pagina, t.bbox[1])
    ident = identify(run.pages, first_table_top)
    # identification folds the whole document's text in one string; normalize.text.fold's
    # cache would keep it (with its folded copy, a long document's largest strings) for
    # the rest of the run
    fold.cache_clear()
    return ident


def builders_stage(run: DocumentRun, inp: BuildInput) -> BuildResult:
    """Stage ``constructores``: every builder registered for the document's kind
    (:data:`pipelines.registry.REGISTRY`), merged into one result.  A builder that fails
    is an ``errores`` row of etapa ``normalizar`` naming it; its datasets stay empty and
    the other builders' rows are kept."""
    out = BuildResult({d: [] for d in owned_datasets()})
    for b in builders_for(inp.tipo):
        try:
            r = b.build(inp)
        except Exception as exc:
            log.exception("builder %s %s", b.name, run.name)
            run.error(None, "normalizar", exc,
                      f"falló la construcción de {', '.join(b.datasets)} ({b.name}): {exc}; "
                      "los demás datasets del documento se escribieron. Informe el error con el PDF.")
            continue
        out.rows.update(r.rows)
        out.findings += r.findings
    return out


def validation_stage(run: DocumentRun, built: BuildResult, inp: BuildInput) -> list[Finding]:
    """Stage ``validacion``: the rules across the built rows (:mod:`pipelines.validate`),
    then the totals and percentages of every table (:mod:`pipelines.totales`), leaving
    out the rows the first ones own.  A failure of the table checks is an ``errores``
    row of etapa ``validacion`` (the datasets and the other findings are kept)."""
    rows = {k: v for k, v in built.rows.items() if isinstance(v, list)}
    findings = validate(rows)
    try:
        findings += check_tables(inp.ctx, inp.tables, owned_rows(rows))
    except Exception as exc:
        log.exception("totales %s", run.name)
        run.error(None, "validacion", exc,
                  f"falló la revisión de totales de las tablas ({exc}); los datasets y las demás "
                  "validaciones se escribieron. Informe el error con el PDF.")
    return findings


STAGES = ("abrir", "paginas", "tablas", "continuaciones", "identidad", "constructores",
          "validacion")
"""The stages of :func:`process_document`, in order (``errores.etapa`` names them)."""


def process_document(path: Path, progress: ProgressFn | None = None,
                     ocr_cache: Path | None = None, jobs: int = 1,
                     workdir: Path | None = None, sha256: str | None = None,
                     read: Sequence[PagesRead] | None = None) -> DocumentResult:
    """Process one file through :data:`STAGES`: open -> pages -> tables ->
    continuations -> identity -> builders -> validation.

    Returns the rows of every dataset, the ``errores`` rows and the layout sidecar
    (:class:`DocumentResult`).  Raises :class:`ExtractError` when the file cannot be
    opened; page-level and builder failures are returned as ``errores`` rows.
    ``workdir`` holds scratch files (a repaired copy of a damaged PDF; the system temp
    folder when ``None``).  ``sha256``: the file's SHA-256 when the caller has it already
    (hashed here otherwise).  ``read``: the file's pages already read, in ranges, by
    :func:`read_pages` (on other processes); the first three stages are then not run
    again, and the result is the same."""
    sha = sha256 or sha256_of(path)
    res = DocumentResult(archivo=path.name, documento_id=sha[:16], gestion=None)
    run = DocumentRun(path, sha, res, ocr_cache, jobs, workdir, progress)
    if read:
        merge_reads(run, read)
    else:
        read_document(run)
    run.tables = continuations_stage(run)
    # the sidecar needs only ids and geometry: built now, before the dataset builders run
    res.layout_zlib = zlib.compress(layout_json(DocContext(run.documento_id, path.name, None, None),
                                                run.pages, run.tables).encode("utf-8"), 6)
    ident = identity_stage(run)
    ctx = DocContext(run.documento_id, path.name, ident.entidad, ident.gestion)
    res.gestion = ident.gestion
    res.paginas_ocr = sum(1 for p in run.pages if p.metodo == "ocr")
    inp = BuildInput(ctx, ident.tipo, run.tables, run.pages)
    built = builders_stage(run, inp)
    findings = built.findings + validation_stage(run, built, inp)
    ds: dict[str, list[dict] | pa.Table] = {
        "documentos": [{**ctx.prov(1), "sha256": sha, "paginas": res.paginas,
                        "paginas_ocr": res.paginas_ocr, "tipo": ident.tipo, "titulo": ident.titulo,
                        "numero": ident.numero, "fecha": ident.fecha, "emisor": ident.emisor}],
        "paginas": [{**ctx.prov(p.numero), "texto": clean_text(p.texto) or "", "metodo": p.metodo,
                     "ocr_confianza": p.ocr_confianza, "ocr_motor": p.ocr_motor}
                    for p in run.pages],
        **built.rows,
        "validaciones": [f.row(ctx) for f in findings],
    }
    res.datasets = ds
    return res
