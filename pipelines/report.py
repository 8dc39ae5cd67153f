"""QA report: static HTML + PNG pages showing what the pipeline found, per document.

``python -m pipelines.report --parquet data/parquet --layout data/interim/layout
--raw data/raw --out data/report`` (``make report``) writes ``data/report/index.html``
linking one page per document (``<documento_id>.html``).  Each document page shows:

- rows per dataset (from the Parquet files' metadata), pages and OCR confidence per
  page (``paginas.ocr_confianza``), ``errores`` rows of the file;
- the ``validaciones`` findings, each linked to the page it points at: the trace
  columns ``pagina``, ``tabla_id``, ``fila`` (DATASETS.md "Trace columns"; the human
  ``ubicacion`` is shown, never parsed);
- every page rendered with pypdfium2 (``<documento_id>/p001-100dpi.png``), with the
  tables of the layout sidecar (``<layout>/<documento_id>.json``, points, top-left
  origin) drawn over it as absolutely positioned boxes labelled ``tabla_id · metodo ·
  confianza`` (dotted red when the confidence is below the low-confidence threshold),
  the place a finding points at marked from the ``tablas`` cell boxes (``x0, top, x1,
  bottom``): the row ``(tabla_id, fila)`` on the page it is printed on, or the whole
  table on ``pagina`` when the finding names no row (``numero_ilegible`` and
  ``ocr_numero_reparado`` are drawn as cell flags; ``validaciones`` has no column, so
  the flag covers the row that holds the cell), and the cell grid on demand (a checkbox).

No server and no network: open ``index.html`` in a browser.  Page images are cached by
documento_id (content hash) and dpi, so re-running only renders new documents
(``--force`` re-renders).  A missing PDF or layout sidecar degrades the page (no image,
or no boxes) with a note, it does not stop the report.
"""
from __future__ import annotations

import argparse
import html
import json
import logging
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from extract.tables import LOW_CONFIDENCE
from pipelines.document import sha256_of
from pipelines.schemas import BOX, PARTITIONED, SCHEMAS

log = logging.getLogger(__name__)

BOX_COLUMNS = [name for name, _ in BOX]
CELL_RULES = {"numero_ilegible": "ilegible", "ocr_numero_reparado": "reparado"}
"""Findings that mark one cell, and the CSS class of the mark."""

Box = tuple[float, float, float, float]


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass
class Layout:
    """A document's layout sidecar: page sizes (points) and table/cell boxes."""

    sizes: dict[int, tuple[float, float]] = field(default_factory=dict)
    tables: list[dict] = field(default_factory=list)
    found: bool = False

    @classmethod
    def load(cls, folder: Path | None, documento_id: str) -> "Layout":
        """Read ``folder/<documento_id>.json``; an empty layout when it is missing or
        unreadable (the report then shows pages without boxes)."""
        path = folder / f"{documento_id}.json" if folder else None
        if path is None or not path.is_file():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("%s: unreadable layout sidecar: %s", path, exc)
            return cls()
        sizes = {int(p["pagina"]): (float(p["width"]), float(p["height"]))
                 for p in raw.get("paginas", []) if p.get("width") and p.get("height")}
        return cls(sizes, list(raw.get("tablas", [])), True)

    def boxes_on(self, pagina: int) -> list[tuple[dict, Box, bool]]:
        """The tables printed on ``pagina``: (table, its box on that page, continued?).
        The first page uses the table's bbox; a continuation page the union of the
        table's cells printed there."""
        out = []
        for t in self.tables:
            if t.get("pagina") == pagina and t.get("bbox"):
                out.append((t, tuple(t["bbox"]), False))
                continue
            cells = [tuple(c["bbox"]) for c in t.get("celdas", []) if c.get("pagina") == pagina]
            if cells:
                out.append((t, _union(cells), True))
        return out

    def cells_on(self, pagina: int) -> list[Box]:
        """Every cell box printed on ``pagina``."""
        return [tuple(c["bbox"]) for t in self.tables for c in t.get("celdas", [])
                if c.get("pagina") == pagina and c.get("bbox")]


@dataclass(frozen=True)
class Place:
    """Where a finding is drawn: its page and the box marked there (points, top-left
    origin), both None when unknown."""

    pagina: int | None = None
    box: Box | None = None


@dataclass
class CellBoxes:
    """One document's cell boxes by table and row, from ``tablas`` (``x0, top, x1,
    bottom``) or the layout sidecar: ``(tabla_id, fila) -> [(pagina, box)]``."""

    rows: dict[tuple[str, int], list[tuple[int, Box]]] = field(default_factory=dict)

    def add(self, tabla_id: str, fila: int, pagina: int | None, box) -> None:
        """Record the box of one cell; cells without a box or a page are ignored."""
        if pagina is None or box is None or any(v is None for v in box):
            return
        self.rows.setdefault((tabla_id, int(fila)), []).append((int(pagina), tuple(map(float, box))))

    @classmethod
    def from_tablas(cls, rows: list[dict]) -> "CellBoxes":
        """From ``tablas`` rows (``tabla_id, fila, pagina, x0, top, x1, bottom``)."""
        out = cls()
        for r in rows:
            out.add(r["tabla_id"], r["fila"], r.get("pagina"),
                    (r.get("x0"), r.get("top"), r.get("x1"), r.get("bottom")))
        return out

    @classmethod
    def from_layout(cls, layout: Layout) -> "CellBoxes":
        """From the layout sidecar's cells (a cell without a page is on its table's page)."""
        out = cls()
        for t in layout.tables:
            for c in t.get("celdas", []):
                out.add(t.get("tabla_id"), c.get("fila"), c.get("pagina") or t.get("pagina"), c.get("bbox"))
        return out

    def place(self, finding: dict) -> Place:
        """Where a ``validaciones`` row is drawn, from its trace columns only: the row
        ``(tabla_id, fila)`` on the page its first cell is printed on; a table without a
        row: the table's cells on ``pagina``; no table: ``pagina`` without a box."""
        pagina, tid, fila = finding.get("pagina"), finding.get("tabla_id"), finding.get("fila")
        if not tid:
            return Place(pagina)
        if fila is not None:
            cells = self.rows.get((tid, int(fila)), [])
            if not cells:
                return Place(pagina)
            page = cells[0][0]
            return Place(page, _union([b for p, b in cells if p == page]))
        cells = [pb for (t, _), pbs in self.rows.items() if t == tid for pb in pbs]
        page = pagina if pagina is not None else (min(p for p, _ in cells) if cells else None)
        here = [b for p, b in cells if p == page]
        return Place(page, _union(here) if here else None)


def read_dataset(parquet: Path, dataset: str, columns: list[str] | None = None,
                 filter: pc.Expression | None = None) -> pa.Table:
    """Read ``dataset`` (only ``columns`` if given, only the rows ``filter`` keeps) from
    ``parquet``; an empty table of the contract schema when it has no files."""
    schema = SCHEMAS[dataset]
    cols = columns or schema.names
    folder = parquet / dataset
    files = sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith(".")) if folder.is_dir() else []
    if not files:
        return pa.schema([schema.field(c) for c in cols]).empty_table()
    part = pads.partitioning(pa.schema([("gestion", pa.int16())]), flavor="hive") \
        if dataset in PARTITIONED else None
    ds = pads.dataset([str(f) for f in files], format="parquet", partitioning=part,
                      partition_base_dir=str(folder))
    return ds.to_table(columns=[c for c in cols if c in ds.schema.names], filter=filter)


def rows_per_dataset(parquet: Path, documento_id: str) -> dict[str, int]:
    """Rows of ``documento_id`` in every partitioned dataset, from the files' metadata."""
    out = {}
    for dataset in PARTITIONED:
        files = list((parquet / dataset).glob(f"gestion=*/{documento_id}.parquet"))
        out[dataset] = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return out


class SourceFinder:
    """Finds the source PDF of a documento_id under the raw folder: the file named as
    in ``documentos.archivo`` if its hash matches, else any file with that hash."""

    def __init__(self, raw: Path | None):
        self.raw = raw
        self._by_hash: dict[str, Path] | None = None

    def find(self, documento_id: str, archivo: str | None) -> Path | None:
        """The PDF whose SHA-256 starts with ``documento_id``, or None."""
        if self.raw is None or not self.raw.is_dir():
            return None
        if archivo and (self.raw / archivo).is_file() and sha256_of(self.raw / archivo).startswith(documento_id):
            return self.raw / archivo
        if self._by_hash is None:
            self._by_hash = {sha256_of(p)[:16]: p for p in sorted(self.raw.iterdir()) if p.is_file()}
        return self._by_hash.get(documento_id)


MAX_IMAGE_PIXELS = 16_000_000
"""Pixels of one page image at most (a 200 x 200 inch page at 100 dpi would be 400
megapixels, over a gigabyte of RGB): a larger page is rendered at the resolution that
fits; the boxes are drawn in percent of the page, so they still line up."""


def render_scale(size: tuple[float, float], dpi: int, max_pixels: int = MAX_IMAGE_PIXELS) -> float:
    """Pixels per point for a page of ``size`` (points) at ``dpi``, lowered so the image
    has at most ``max_pixels`` pixels."""
    w, h = size
    scale = dpi / 72
    if w > 0 and h > 0 and w * h * scale * scale > max_pixels:
        scale = (max_pixels / (w * h)) ** 0.5
    return scale


def render_pages(pdf: Path, folder: Path, dpi: int, force: bool = False,
                 max_pixels: int = MAX_IMAGE_PIXELS) -> dict[int, tuple[str, tuple[float, float]]]:
    """Render every page of ``pdf`` to ``folder/pNNN-<dpi>dpi.png`` (kept when it
    exists, unless ``force``), at most ``max_pixels`` pixels a page
    (:func:`render_scale`).  Returns page -> (file name, page size in points)."""
    import pypdfium2 as pdfium
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for i in range(len(doc)):
            page = doc[i]
            try:
                name = f"p{i + 1:03d}-{dpi}dpi.png"
                size = (float(page.get_width()), float(page.get_height()))
                out[i + 1] = (name, size)
                target = folder / name
                if force or not target.is_file():
                    # a 256-colour palette keeps text and stamps legible at a quarter of the size
                    img = page.render(scale=render_scale(size, dpi, max_pixels)).to_pil().quantize(256, method=Image.Quantize.FASTOCTREE)
                    tmp = target.with_name(target.name + ".tmp")
                    img.save(tmp, format="PNG")
                    tmp.replace(target)
            finally:
                page.close()
    finally:
        doc.close()
    return out


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em}
table.data{border-collapse:collapse;margin:.5em 0}
table.data th,table.data td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
table.data td.num{text-align:right}
.sev-error{color:#b00020;font-weight:600}.sev-advertencia{color:#a05a00}
.low{background:#ffe0e0}
.note{background:#fff6d6;border:1px solid #e0c060;padding:4px 8px;display:inline-block}
section.page{margin:1.5em 0 2.5em}
.sheet{position:relative;width:100%;max-width:1200px;border:1px solid #999;background:#eee;overflow:visible}
.sheet img{display:block;width:100%;height:100%}
.box{position:absolute;box-sizing:border-box;border:2px solid #1f77b4;pointer-events:none}
.box.stream{border-color:#2ca02c}.box.ocr{border-color:#9467bd}.box.cont{border-style:dashed}
.box .label{position:absolute;left:-2px;bottom:100%;font:11px/1.3 monospace;color:#fff;
  background:#1f77b4;padding:0 3px;white-space:nowrap;pointer-events:auto}
.box.stream .label{background:#2ca02c}.box.ocr .label{background:#9467bd}
.box.hybrid{border-color:#ff7f0e}.box.hybrid .label{background:#ff7f0e}
.box.lowconf{border-color:#d62728;border-style:dotted}.box.lowconf .label{background:#d62728}
.cell{position:absolute;box-sizing:border-box;border:1px solid rgba(31,119,180,.45);display:none}
body.show-cells .cell{display:block}
.flag{position:absolute;box-sizing:border-box;border:2px solid #d62728;background:rgba(214,39,40,.28)}
.flag.reparado{border-color:#ff7f0e;background:rgba(255,127,14,.3)}
.mark{position:absolute;box-sizing:border-box;border:1px dashed #a05a00;background:rgba(255,200,0,.18)}
.mark.error{border-color:#b00020;background:rgba(214,39,40,.15)}
.mark .tag,.flag .tag{position:absolute;right:100%;top:0;font:10px/1.2 monospace;background:#fff;
  border:1px solid #a05a00;padding:0 2px;margin-right:2px;white-space:nowrap;text-decoration:none;color:#222}
.cols{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}
.legend span{display:inline-block;margin-right:1em}
.sw{display:inline-block;width:1em;height:.8em;border:2px solid;vertical-align:middle;margin-right:.3em}
"""


def _e(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def _pct_style(box: Box, size: tuple[float, float]) -> str:
    w, h = size
    x0, top, x1, bottom = box
    return (f"left:{100 * x0 / w:.3f}%;top:{100 * top / h:.3f}%;"
            f"width:{100 * max(x1 - x0, 0.5) / w:.3f}%;height:{100 * max(bottom - top, 0.5) / h:.3f}%")


def _num(v, fmt="{:,.2f}") -> str:
    if v is None:
        return ""
    try:
        return fmt.format(v)
    except (TypeError, ValueError):
        return _e(v)


def _page_html(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"es\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            "<link rel=\"icon\" href=\"data:,\">"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


@dataclass
class PlacedFinding:
    """One ``validaciones`` row placed on a page (``n`` numbers it in the document)."""

    n: int
    row: dict
    pagina: int | None
    box: Box | None


@dataclass
class DocReport:
    """What the report wrote for one document."""

    documento_id: str
    archivo: str
    html: Path
    paginas: int
    imagenes: int
    hallazgos: int


def document_page(doc: dict, findings_rows: list[dict], paginas_rows: list[dict],
                  errores_rows: list[dict], counts: dict[str, int], layout: Layout,
                  images: dict[int, tuple[str, tuple[float, float]]], image_dir: str,
                  pdf_found: bool, cells: CellBoxes | None = None) -> tuple[str, list[PlacedFinding]]:
    """The HTML of one document's page and its placed findings.

    ``doc`` is its ``documentos`` row; ``findings_rows``, ``paginas_rows`` and
    ``errores_rows`` its rows of those datasets; ``counts`` rows per dataset;
    ``images`` page -> (PNG file name under ``image_dir``, page size in points);
    ``cells`` the document's cell boxes (default: the layout sidecar's), which place each
    finding by its trace columns (:meth:`CellBoxes.place`)."""
    cells = cells if cells is not None else CellBoxes.from_layout(layout)
    findings = []
    for k, r in enumerate(findings_rows, 1):
        where = cells.place(r)
        findings.append(PlacedFinding(k, r, where.pagina, where.box))
    by_page: dict[int, list[PlacedFinding]] = defaultdict(list)
    for f in findings:
        if f.pagina is not None:
            by_page[f.pagina].append(f)

    n_pages = max([int(doc.get("paginas") or 0), len(images), len(layout.sizes),
                   max((int(p["pagina"]) for p in paginas_rows), default=0)])
    pag_info = {int(p["pagina"]): p for p in paginas_rows}
    parts = ['<p><a href="index.html">← índice</a></p>',
             f"<h1>{_e(doc.get('titulo') or doc.get('archivo'))}</h1>",
             '<div class="cols"><div>', '<table class="data meta">']
    for label, key in (("archivo", "archivo"), ("documento_id", "documento_id"), ("entidad", "entidad"),
                       ("gestión", "gestion"), ("tipo", "tipo"), ("número", "numero"), ("fecha", "fecha"),
                       ("páginas", "paginas"), ("páginas OCR", "paginas_ocr")):
        parts.append(f"<tr><th>{label}</th><td>{_e(doc.get(key))}</td></tr>")
    parts.append("</table></div>")
    parts.append('<div><table class="data" id="filas"><tr><th>dataset</th><th>filas</th></tr>')
    for ds, n in counts.items():
        parts.append(f'<tr><td>{_e(ds)}</td><td class="num">{n:,}</td></tr>')
    parts.append("</table></div></div>")
    if not pdf_found:
        parts.append('<p class="note" id="sin-pdf">PDF de origen no encontrado en la carpeta raw: '
                     'se muestran las cajas sin la imagen de la página.</p>')
    if not layout.found:
        parts.append('<p class="note" id="sin-layout">Sin archivo de layout (data/interim/layout): no se '
                     'dibujan las tablas. Vuelva a procesar con <code>--force</code>.</p>')

    sev = Counter(f.row.get("severidad") for f in findings)
    parts.append(f'<h2 id="hallazgos">Hallazgos ({len(findings)}: '
                 f'{sev.get("error", 0)} error, {sev.get("advertencia", 0)} advertencia)</h2>')
    if findings:
        parts.append('<table class="data" id="tabla-hallazgos"><tr><th>#</th><th>severidad</th><th>regla</th>'
                     '<th>dataset</th><th>ubicación</th><th>esperado</th><th>observado</th><th>mensaje</th></tr>')
        for f in findings:
            r = f.row
            where = _e(r.get("ubicacion"))
            if f.pagina is not None:
                target = f"h{f.n}-mark" if f.box is not None else f"p{f.pagina}"
                where = f'<a class="goto" href="#{target}">{where}</a> (p. {f.pagina})'
            parts.append(
                f'<tr id="h{f.n}" class="finding" data-regla="{_e(r.get("regla"))}">'
                f'<td>{f.n}</td><td class="sev-{_e(r.get("severidad"))}">{_e(r.get("severidad"))}</td>'
                f'<td>{_e(r.get("regla"))}</td><td>{_e(r.get("dataset"))}</td><td>{where}</td>'
                f'<td class="num">{_num(r.get("esperado"))}</td><td class="num">{_num(r.get("observado"))}</td>'
                f'<td>{_e(r.get("mensaje"))}</td></tr>')
        parts.append("</table>")
    else:
        parts.append("<p>Sin hallazgos.</p>")

    if errores_rows:
        parts.append('<h2 id="errores">Errores</h2><table class="data"><tr><th>página</th><th>etapa</th>'
                     '<th>clase</th><th>mensaje</th></tr>')
        for r in errores_rows:
            p = r.get("pagina")
            cell = f'<a href="#p{p}">{p}</a>' if p else ""
            parts.append(f"<tr><td>{cell}</td><td>{_e(r.get('etapa'))}</td><td>{_e(r.get('clase'))}</td>"
                         f"<td>{_e(r.get('mensaje'))}</td></tr>")
        parts.append("</table>")

    parts.append('<h2>Páginas</h2><table class="data" id="tabla-paginas"><tr><th>página</th><th>método</th>'
                 '<th>confianza OCR</th><th>tablas</th><th>hallazgos</th></tr>')
    for p in range(1, n_pages + 1):
        info = pag_info.get(p, {})
        conf = info.get("ocr_confianza")
        cls = ' class="num low"' if conf is not None and conf < 60 else ' class="num"'
        parts.append(f'<tr><td><a href="#p{p}">{p}</a></td><td>{_e(info.get("metodo"))}</td>'
                     f'<td{cls}>{_num(conf, "{:.1f}")}</td><td class="num">{len(layout.boxes_on(p))}</td>'
                     f'<td class="num">{len(by_page.get(p, []))}</td></tr>')
    parts.append("</table>")

    parts.append('<p class="legend"><span><i class="sw" style="border-color:#1f77b4"></i>lattice</span>'
                 '<span><i class="sw" style="border-color:#2ca02c"></i>stream</span>'
                 '<span><i class="sw" style="border-color:#9467bd"></i>ocr</span>'
                 '<span><i class="sw" style="border-color:#d62728;background:rgba(214,39,40,.28)"></i>'
                 'número ilegible</span><span><i class="sw" style="border-color:#ff7f0e;'
                 'background:rgba(255,127,14,.3)"></i>número reparado (OCR)</span>'
                 '<span><i class="sw" style="border-color:#a05a00;border-style:dashed"></i>fila con hallazgo</span>'
                 '<label><input type="checkbox" id="show-cells" '
                 'onchange="document.body.classList.toggle(\'show-cells\', this.checked)"> '
                 'mostrar celdas</label></p>')

    for p in range(1, n_pages + 1):
        size = layout.sizes.get(p) or (images[p][1] if p in images else None)
        info = pag_info.get(p, {})
        conf = info.get("ocr_confianza")
        head = f"Página {p}" + (f" — {_e(info.get('metodo'))}" if info.get("metodo") else "") \
            + (f", confianza OCR {conf:.1f}" if conf is not None else "")
        parts.append(f'<section class="page" id="p{p}"><h3>{head}</h3>')
        here = by_page.get(p, [])
        if here:
            parts.append('<ul class="page-findings">' + "".join(
                f'<li><a href="#h{f.n}">#{f.n}</a> <span class="sev-{_e(f.row.get("severidad"))}">'
                f'{_e(f.row.get("regla"))}</span>: {_e(f.row.get("mensaje"))}</li>' for f in here) + "</ul>")
        if size is None:
            parts.append('<p class="note">Tamaño de página desconocido: sin imagen ni cajas.</p></section>')
            continue
        w, h = size
        parts.append(f'<div class="sheet" style="aspect-ratio:{w:.2f}/{h:.2f}">')
        if p in images:
            parts.append(f'<img src="{_e(image_dir)}/{_e(images[p][0])}" alt="página {p}" loading="lazy">')
        for box in layout.cells_on(p):
            parts.append(f'<i class="cell" style="{_pct_style(box, size)}"></i>')
        for t, box, cont in layout.boxes_on(p):
            tid, metodo = t.get("tabla_id"), t.get("metodo") or ""
            conf = t.get("confianza")
            low = conf is not None and conf < LOW_CONFIDENCE
            cls = f"box {_e(metodo)}" + (" cont" if cont else "") + (" lowconf" if low else "")
            label = f"{tid} · {metodo}" + (f" · {conf:.2f}" if conf is not None else "") \
                + (" (cont.)" if cont else "")
            parts.append(f'<div class="{cls}" id="{_e(tid)}{"-p" + str(p) if cont else ""}" '
                         f'data-tabla="{_e(tid)}" title="{_e(t.get("titulo"))}" style="{_pct_style(box, size)}">'
                         f'<span class="label">{_e(label)}</span></div>')
        for f in here:
            if f.box is None:
                continue
            regla = f.row.get("regla")
            if regla in CELL_RULES:
                cls = f"flag {CELL_RULES[regla]}"
            else:
                cls = "mark" + (" error" if f.row.get("severidad") == "error" else "")
            parts.append(f'<div class="{cls}" id="h{f.n}-mark" data-regla="{_e(regla)}" '
                         f'title="{_e(f.row.get("mensaje"))}" style="{_pct_style(f.box, size)}">'
                         f'<a class="tag" href="#h{f.n}">#{f.n}</a></div>')
        parts.append("</div></section>")
    return _page_html(f"{doc.get('archivo')} — informe de calidad", "\n".join(parts)), findings


def index_page(docs: list[tuple[dict, DocReport, Counter]], failed: list[dict]) -> str:
    """The HTML of ``index.html``: one row per document, linked, and files that failed."""
    parts = ["<h1>Informe de calidad de la extracción</h1>",
             f"<p>{len(docs)} documento(s). Cada página muestra las tablas encontradas sobre la "
             "imagen de la página, las celdas con números ilegibles o reparados y los hallazgos "
             "de validación.</p>",
             '<table class="data" id="documentos"><tr><th>archivo</th><th>entidad</th><th>gestión</th>'
             '<th>tipo</th><th>páginas</th><th>OCR</th><th>errores de validación</th><th>advertencias</th></tr>']
    for doc, rep, sev in docs:
        parts.append(f'<tr><td><a href="{_e(rep.html.name)}">{_e(doc.get("archivo"))}</a></td>'
                     f'<td>{_e(doc.get("entidad"))}</td><td>{_e(doc.get("gestion"))}</td><td>{_e(doc.get("tipo"))}</td>'
                     f'<td class="num">{_e(doc.get("paginas"))}</td><td class="num">{_e(doc.get("paginas_ocr"))}</td>'
                     f'<td class="num">{sev.get("error", 0)}</td><td class="num">{sev.get("advertencia", 0)}</td></tr>')
    parts.append("</table>")
    if failed:
        parts.append('<h2>Archivos que no se pudieron procesar</h2><table class="data" id="fallidos">'
                     "<tr><th>archivo</th><th>etapa</th><th>clase</th><th>mensaje</th></tr>")
        for r in failed:
            parts.append(f"<tr><td>{_e(r.get('archivo'))}</td><td>{_e(r.get('etapa'))}</td>"
                         f"<td>{_e(r.get('clase'))}</td><td>{_e(r.get('mensaje'))}</td></tr>")
        parts.append("</table>")
    return _page_html("Informe de calidad", "\n".join(parts))


def build_report(parquet: Path, layout_dir: Path | None, raw: Path | None, out: Path, *,
                 dpi: int = 100, force: bool = False, only: list[str] | None = None) -> list[DocReport]:
    """Write the report for every document in ``parquet`` (or those whose documento_id
    or archivo is in ``only``) under ``out``; returns what was written per document."""
    out.mkdir(parents=True, exist_ok=True)
    documentos = read_dataset(parquet, "documentos").to_pylist()
    documentos.sort(key=lambda d: (d.get("archivo") or "", d.get("documento_id") or ""))
    if only:
        documentos = [d for d in documentos if d["documento_id"] in only or d.get("archivo") in only]
    validaciones = read_dataset(parquet, "validaciones").to_pylist()
    paginas = read_dataset(parquet, "paginas", ["documento_id", "pagina", "metodo", "ocr_confianza"]).to_pylist()
    errores = read_dataset(parquet, "errores").to_pylist()
    tids = sorted({r["tabla_id"] for r in validaciones if r.get("tabla_id")})
    boxes = read_dataset(parquet, "tablas", ["documento_id", "tabla_id", "fila", "pagina", *BOX_COLUMNS],
                         filter=pc.field("tabla_id").isin(tids)).to_pylist() if tids else []
    by_doc: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for name, rows in (("validaciones", validaciones), ("paginas", paginas), ("errores", errores),
                       ("tablas", boxes)):
        for r in rows:
            by_doc[r.get("documento_id")][name].append(r)
    finder = SourceFinder(raw)
    done: list[tuple[dict, DocReport, Counter]] = []
    for doc in documentos:
        did = doc["documento_id"]
        pdf = finder.find(did, doc.get("archivo"))
        images = {}
        if pdf is not None:
            try:
                images = render_pages(pdf, out / did, dpi, force)
            except Exception as exc:  # a broken PDF must not stop the report
                log.warning("%s: could not render pages: %s", pdf, exc)
        layout = Layout.load(layout_dir, did)
        rows = by_doc[did]
        errs = rows["errores"] + [e for e in errores if e.get("documento_id") is None
                                  and e.get("archivo") == doc.get("archivo")]
        text, findings = document_page(doc, rows["validaciones"], rows["paginas"], errs,
                                       rows_per_dataset(parquet, did), layout, images, did, bool(images),
                                       CellBoxes.from_tablas(rows["tablas"]))
        target = out / f"{did}.html"
        target.write_text(text, encoding="utf-8")
        done.append((doc, DocReport(did, doc.get("archivo") or "", target,
                                    int(doc.get("paginas") or 0), len(images), len(findings)),
                     Counter(f.row.get("severidad") for f in findings)))
    known = {d.get("archivo") for d in read_dataset(parquet, "documentos", ["archivo"]).to_pylist()}
    failed = [e for e in errores if e.get("documento_id") is None and e.get("archivo") not in known]
    (out / "index.html").write_text(index_page(done, failed), encoding="utf-8")
    return [rep for _, rep, _ in done]


def main(argv: list[str] | None = None) -> int:
    """CLI (``make report``).  Exit 0 ok, 2 bad usage (no datasets folder)."""
    p = argparse.ArgumentParser(prog="python -m pipelines.report",
                                description="informe de calidad: HTML estático con las páginas y las tablas encontradas")
    p.add_argument("--parquet", type=Path, default=Path("data/parquet"))
    p.add_argument("--layout", type=Path, default=Path("data/interim/layout"))
    p.add_argument("--raw", type=Path, default=Path("data/raw"))
    p.add_argument("--out", type=Path, default=Path("data/report"))
    p.add_argument("--dpi", type=int, default=100, help="resolution of the page images (default 100)")
    p.add_argument("--only", action="append", metavar="ID_O_ARCHIVO",
                   help="only this documento_id or file name (repeatable)")
    p.add_argument("--force", action="store_true", help="re-render page images that exist")
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    if not (args.parquet / "documentos").is_dir():
        print(f"No hay datasets en {args.parquet}: ejecute primero make parquet.", file=sys.stderr)
        return 2
    if not 20 <= args.dpi <= 600:
        print("--dpi debe estar entre 20 y 600", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    reps = build_report(args.parquet, args.layout, args.raw, args.out, dpi=args.dpi,
                        force=args.force, only=args.only)
    print(f"{args.out / 'index.html'}: {len(reps)} documento(s), "
          f"{sum(r.imagenes for r in reps)} páginas, {sum(r.hallazgos for r in reps)} hallazgos, "
          f"{time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
