"""One source file -> the rows of every dataset (no writing here).

Stages, each in its own module: open/validate -> pages (text layer, or OCR for pages
without a usable text layer) -> tables (ruled, then whitespace) -> continuation over
pages -> identification (kind, entity, gestión) -> dataset builders per document kind
-> validation.  A page that fails in a stage is an ``errores`` row and the document
goes on; a file that cannot be opened raises :class:`extract.errors.ExtractError`.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect, PDFEncryptionError
from pdfminer.pdfparser import PDFSyntaxError

from extract.errors import ExtractError, NoEsPdf, PdfCifrado, PdfCorrupto
from extract.classify import classify_page
from extract.models import Page, Table
from extract.ocr import OcrError, ocr_pages
from extract.layout import read_layers
from extract.tables import drop_running_captions, find_tables, merge_continuations, tables_from, top_limit
from extract.tables.image import image_candidates
from extract.tables_image import image_tables
from extract.text_layer import read_page
from normalize.text import clean_text
from pipelines.context import DocContext, Finding
from pipelines.disposiciones import disposiciones
from pipelines.formulario import build_formularios
from pipelines.identify import identify
from pipelines.poa import PoaBuilder, build_poa
from pipelines.rendicion import build_rendicion
from pipelines.tablas import tabla_id, tablas_rows
from pipelines.validate import validate

log = logging.getLogger(__name__)
ProgressFn = Callable[[int, int], None]


@dataclass
class DocumentResult:
    """What one file produced: rows per dataset, ``errores`` rows, and counts."""

    archivo: str
    documento_id: str | None
    gestion: int | None
    datasets: dict[str, list[dict]] = field(default_factory=dict)
    errores: list[dict] = field(default_factory=list)
    paginas: int = 0
    paginas_ocr: int = 0
    layout: dict = field(default_factory=dict)


def sha256_of(path: Path) -> str:
    """Full SHA-256 hex digest of a file's bytes (``documento_id`` is its first 16)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def open_pdf(path: Path) -> pdfplumber.PDF:
    """Open ``path`` with pdfplumber, turning failures into the contract's error classes.

    Raises :class:`NoEsPdf`, :class:`PdfCifrado` or :class:`PdfCorrupto`."""
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF" not in head:
        raise NoEsPdf(path.name, "el archivo no es un PDF (no empieza con %PDF); "
                                 "quítelo de data/raw o reemplácelo por el PDF original.")
    try:
        pdf = pdfplumber.open(path)
        _ = len(pdf.pages)
        return pdf
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise PdfCifrado(path.name, "el PDF está cifrado con contraseña; pida a la entidad "
                                    "una copia sin cifrar.") from exc
    except Exception as exc:  # pdfminer raises many kinds on broken files
        cause = exc.args[0] if exc.args else None  # pdfplumber wraps pdfminer's error
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)) or \
                "password" in repr(exc).lower() or "encrypt" in repr(exc).lower():
            raise PdfCifrado(path.name, "el PDF está cifrado; pida una copia sin cifrar.") from exc
        raise PdfCorrupto(path.name, f"el PDF está dañado y no se puede leer ({type(exc).__name__}: "
                                     f"{str(exc)[:120]}); vuelva a descargarlo.") from exc


def _error_row(archivo: str, documento_id: str | None, pagina: int | None, etapa: str,
               clase: str, mensaje: str) -> dict:
    return {"documento_id": documento_id, "archivo": archivo, "pagina": pagina,
            "etapa": etapa, "clase": clase, "mensaje": mensaje}


def _ocr(path: Path, pages: list[int], cache: Path | None, jobs: int, res: DocumentResult) -> dict:
    """OCR the scanned ``pages`` (in parallel when ``jobs`` > 1); a page whose OCR fails
    is an ``errores`` row (etapa ``ocr``) and stays without text."""
    if not pages:
        return {}
    try:
        return {r.page_number: r for r in ocr_pages(path, pages, cache_dir=cache, jobs=jobs)}
    except OcrError as exc:
        if len(pages) > 1:  # find which pages fail, keep the others
            out = {}
            for p in pages:
                out.update(_ocr(path, [p], cache, 1, res))
            return out
        res.errores.append(_error_row(path.name, res.documento_id, pages[0], "ocr", "OcrFallido",
                                      f"{exc}"))
        return {}


def layout_of(ctx: DocContext, pages: list[Page], tables: list[Table]) -> dict:
    """Geometry the datasets do not carry, for the QA report: page sizes and, per table,
    its id, method, page boxes and cell boxes (points, top-left origin)."""
    return {
        "documento_id": ctx.documento_id, "archivo": ctx.archivo,
        "paginas": [{"pagina": p.numero, "width": p.width, "height": p.height, "metodo": p.metodo,
                     "ocr_confianza": p.ocr_confianza} for p in pages],
        "tablas": [{"tabla_id": tabla_id(ctx, t), "pagina": t.pagina, "metodo": t.metodo,
                    "confianza": t.confianza, "medidas": t.medidas, "direccion": t.direction,
                    "titulo": t.titulo, "bbox": list(t.bbox),
                    "celdas": [{"fila": c.row, "columna": c.col, "pagina": c.pagina or t.pagina,
                                "bbox": list(c.bbox)} for c in t.cells if c.bbox]}
                   for t in tables],
    }


def process_document(path: Path, progress: ProgressFn | None = None,
                     ocr_cache: Path | None = None, jobs: int = 1) -> DocumentResult:
    """Process one file.  Raises :class:`ExtractError` when the file cannot be opened;
    page-level failures are returned as ``errores`` rows."""
    sha = sha256_of(path)
    documento_id = sha[:16]
    res = DocumentResult(archivo=path.name, documento_id=documento_id, gestion=None)
    pdf = open_pdf(path)
    pages: list[Page] = []
    tables: list[Table] = []
    page_tops: dict[int, float] = {}
    with pdf:
        n = len(pdf.pages)
        res.paginas = n
        kinds: dict[int, str] = {}
        for pp in pdf.pages:
            try:
                kinds[pp.page_number] = classify_page(pp)
            except Exception as exc:
                kinds[pp.page_number] = "text"
                log.warning("%s p.%s: classify failed: %s", path.name, pp.page_number, exc)
        scanned = [k for k, v in kinds.items() if v == "scanned"]
        ocr = _ocr(path, scanned, ocr_cache, jobs, res)
        done = 0
        for pp in pdf.pages:
            num = pp.page_number
            if num in ocr:
                r = ocr[num]
                page = Page(num, float(pp.width), float(pp.height), r.texto, r.words,
                            metodo="ocr", ocr_confianza=round(r.confianza, 2))
            else:
                try:
                    page = read_page(pp)
                except Exception as exc:
                    res.errores.append(_error_row(path.name, documento_id, num, "texto",
                                                  type(exc).__name__,
                                                  f"no se pudo leer el texto de la página: {exc}"))
                    page = Page(num, float(pp.width), float(pp.height), "", ())
            pages.append(page)
            try:
                if page.metodo == "ocr":
                    tables += tables_from(image_candidates(page, image_tables(path, page)))
                else:
                    tables += find_tables(read_layers(pp, page.words))
            except Exception as exc:
                log.exception("tablas %s p.%s", path.name, num)
                res.errores.append(_error_row(path.name, documento_id, num, "tablas",
                                              type(exc).__name__,
                                              f"falló la detección de tablas en la página: {exc}"))
            page_tops[num] = top_limit(page)
            pp.flush_cache()
            done += 1
            if progress:
                progress(done, n)
    tables = merge_continuations(drop_running_captions(tables, pages), page_tops)
    first_table_top = {}
    for t in tables:
        first_table_top.setdefault(t.pagina, t.bbox[1])
    ident = identify(pages, first_table_top)
    ctx = DocContext(documento_id, path.name, ident.entidad, ident.gestion)
    res.gestion = ident.gestion
    res.paginas_ocr = sum(1 for p in pages if p.metodo == "ocr")
    ds: dict[str, list[dict]] = {k: [] for k in (
        "documentos", "paginas", "tablas", "poa_operaciones", "poa_acciones",
        "presupuesto_ejecucion", "poa_ejecucion", "presupuesto_formulario", "disposiciones",
        "validaciones")}
    findings: list[Finding] = []
    ds["documentos"].append({
        **ctx.prov(1), "sha256": sha, "paginas": n, "paginas_ocr": res.paginas_ocr,
        "tipo": ident.tipo, "titulo": ident.titulo, "numero": ident.numero, "fecha": ident.fecha,
        "emisor": ident.emisor})
    for p in pages:
        ds["paginas"].append({**ctx.prov(p.numero), "texto": clean_text(p.texto) or "",
                              "metodo": p.metodo, "ocr_confianza": p.ocr_confianza})
    for t in tables:
        rows, f = tablas_rows(ctx, t)
        ds["tablas"] += rows
        findings += f
    poa = build_poa(ctx, tables, pages) if ident.tipo == "poa" else PoaBuilder(ctx)
    ds["poa_operaciones"] = poa.operaciones
    ds["poa_acciones"] = poa.acciones
    findings += poa.findings
    pe, pj, f = build_rendicion(ctx, tables, pages)
    ds["presupuesto_ejecucion"], ds["poa_ejecucion"] = pe, pj
    findings += f
    ds["disposiciones"] = disposiciones(ctx, ident.tipo, pages)
    ds["presupuesto_formulario"], f = build_formularios(ctx, tables, pages)
    findings += f
    findings += validate(ds)
    ds["validaciones"] = [f.row(ctx) for f in findings]
    res.datasets = ds
    res.layout = layout_of(ctx, pages, tables)
    return res
