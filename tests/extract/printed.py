"""Small PDF pages built in the tests: one table printed in each style real entities use.

The same content (a header, a wrapped cell, amounts in Spanish format) is drawn with
reportlab as a full grid, booktabs rules, shaded rows, rules between rows only, no
rules at all, sideways on the page, and on a page with ``/Rotate``.  ``EXPECTED`` is the
grid every style must read as (logical rows: the wrapped description is one value).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

FONT, SIZE, LEAD, PAD = "Helvetica", 9.0, 11.0, 4.0
HEADER = ["Código", "Descripción", "Inicial", "Vigente", "Ejecutado"]
ROWS = [
    ["1.1", "Servicios personales", "1.000,00", "1.200,00", "900,50"],
    ["1.2", "Materiales y suministros para las oficinas centrales", "500,00", "450,00", "300,00"],
    ["1.3", "Activos reales", "250,00", "250,00", "0,00"],
    ["1.4", "Transferencias", "75,00", "80,00", "80,00"],
]
EXPECTED = [HEADER] + ROWS
WIDTHS = [50.0, 150.0, 70.0, 70.0, 70.0]
NUMERIC = {2, 3, 4}


def wrap(text: str, width: float) -> list[str]:
    """``text`` cut into lines that fit ``width`` pt in the test font."""
    lines: list[str] = []
    for word in text.split():
        if lines and stringWidth(f"{lines[-1]} {word}", FONT, SIZE) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def draw_table(c: canvas.Canvas, x0: float, top: float, style: str,
               header: Sequence[str] = HEADER, rows: Sequence[Sequence[str]] = ROWS,
               widths: Sequence[float] = WIDTHS, parent: tuple[str, int, int] | None = None,
               page_height: float = A4[1]) -> float:
    """Draw one table with its top-left corner at ``(x0, top)`` (top-left coordinates);
    returns the y of its bottom.  ``style``: ``grid``, ``booktabs``, ``shaded``,
    ``ruled_rows`` or ``plain``.  ``parent``: a header label spanning columns
    ``(text, first, last)`` printed above the header row."""
    def Y(y: float) -> float:          # top-left -> reportlab's bottom-left
        return page_height - y

    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    c.setFont(FONT, SIZE)
    y = top
    bands: list[tuple[float, float, bool]] = []   # (top, bottom, is_header)
    if parent is not None:
        text, a, b = parent
        h = LEAD + 2 * PAD
        cx = (xs[a] + xs[b + 1]) / 2
        c.drawCentredString(cx, Y(y + PAD + SIZE), text)
        if style in ("grid",):
            c.rect(xs[a], Y(y + h), xs[b + 1] - xs[a], h)
        if style == "booktabs":
            c.line(xs[a] + 2, Y(y + h - 1), xs[b + 1] - 2, Y(y + h - 1))   # a cmidrule
        bands.append((y, y + h, True))
        y += h
    for k, row in enumerate([header, *rows]):
        cells = [wrap(t, w - 2 * PAD) for t, w in zip(row, widths)]
        n = max(len(ls) for ls in cells)
        h = n * LEAD + 2 * PAD
        if style == "shaded" and (k == 0 or k % 2 == 1):
            gray = 0.25 if k == 0 else 0.9
            c.setFillGray(gray)
            c.rect(xs[0], Y(y + h), xs[-1] - xs[0], h, stroke=0, fill=1)
            c.setFillGray(1.0 if k == 0 else 0.0)
        else:
            c.setFillGray(0.0)
        for j, ls in enumerate(cells):
            for m, line in enumerate(ls):
                base = Y(y + PAD + SIZE + m * LEAD)
                if j in NUMERIC:
                    c.drawRightString(xs[j + 1] - PAD, base, line)
                else:
                    c.drawString(xs[j] + PAD, base, line)
        c.setFillGray(0.0)
        bands.append((y, y + h, k == 0))
        y += h
    bottom = y
    if style == "grid":
        for t, b, _ in bands:
            for j in range(len(widths)):
                if parent is not None and t == bands[0][0]:
                    continue
                c.rect(xs[j], Y(b), widths[j], b - t)
    elif style == "booktabs":
        head_bottom = max(b for t, b, is_h in bands if is_h)
        for yy in (top, head_bottom, bottom):
            c.line(xs[0], Y(yy), xs[-1], Y(yy))
    elif style == "ruled_rows":
        for t, b, _ in bands:
            c.line(xs[0], Y(b), xs[-1], Y(b))
    return bottom


def make_pdf(path: Path, style: str, *, sideways: str | None = None, rotate_page: int = 0,
             caption: str | None = "Cuadro 1. Ejecución presupuestaria", parent=None,
             rows: Sequence[Sequence[str]] = ROWS) -> Path:
    """Write a one-page PDF with the test table in ``style``.  ``sideways``: ``'cw'`` or
    ``'ccw'`` draws the whole table turned a quarter on a portrait page; ``rotate_page``
    sets the page's ``/Rotate`` (the content drawn so the page reads upright)."""
    if rotate_page:
        return _rotated(path, style, rotate_page, caption=caption, parent=parent, rows=rows)
    w, h = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("test table")
    if sideways == "cw":        # text runs top to bottom
        c.translate(w, 0)
        c.rotate(90)
        ph = w
    elif sideways == "ccw":     # text runs bottom to top
        c.translate(0, h)
        c.rotate(-90)
        ph = w
    else:
        ph = h
    top = 80.0
    if caption:
        c.setFont("Helvetica-Bold", 10)
        c.drawString(60, ph - 60, caption)
    draw_table(c, 60, top, style, rows=rows, parent=parent, page_height=ph)
    c.setFont(FONT, SIZE)
    c.drawString(60, ph - 400, "Fuente: elaboración propia con datos del sistema de gestión pública.")
    c.showPage()
    c.save()
    return path


def _rotated(path: Path, style: str, rotate: int, **kw) -> Path:
    """A portrait page with ``/Rotate 90`` whose content is drawn turned the other way,
    so that it displays as an upright landscape page (scanned-then-rotated reports,
    tabula's and camelot's ``page-rotate-90`` cases)."""
    from pypdf import PdfWriter, Transformation

    flat = path.with_suffix(".landscape.pdf")
    lw, lh = A4[1], A4[0]
    c = canvas.Canvas(str(flat), pagesize=(lw, lh))
    if kw.get("caption"):
        c.setFont("Helvetica-Bold", 10)
        c.drawString(60, lh - 60, kw["caption"])
    draw_table(c, 60, 80, style, rows=kw.get("rows", ROWS), parent=kw.get("parent"), page_height=lh)
    c.showPage()
    c.save()
    out = PdfWriter(clone_from=str(flat))
    page = out.pages[0]
    page.add_transformation(Transformation().rotate(90).translate(tx=lh, ty=0))
    page.mediabox.lower_left = (0, 0)
    page.mediabox.upper_right = (lh, lw)
    page.rotate(rotate)
    with path.open("wb") as fh:
        out.write(fh)
    flat.unlink()
    return path


def make_two_pages(path: Path, style: str, second_caption: str | None) -> Path:
    """A table whose rows continue on a second page, the header repeated there, with
    ``second_caption`` printed above the continued table (or no caption)."""
    w, h = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica-Bold", 10)
    c.drawString(60, h - 60, "Cuadro 5. Ejecución por partida")
    draw_table(c, 60, 80, style, rows=ROWS[:2])
    c.showPage()
    if second_caption:
        c.setFont("Helvetica-Bold", 10)
        c.drawString(60, h - 40, second_caption)
    draw_table(c, 60, 60, style, rows=ROWS[2:])
    c.showPage()
    c.save()
    return path
