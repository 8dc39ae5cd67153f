"""The object model shared by every extraction stage.

All geometry is in PDF points with a **top-left** origin (pdfplumber's convention):
``bbox = (x0, top, x1, bottom)``.  Objects are frozen dataclasses so stages cannot
mutate what an earlier stage produced.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BBox = tuple[float, float, float, float]
"""(x0, top, x1, bottom) in PDF points, origin top-left."""

PageMethod = Literal["pdf", "ocr"]
TableMethod = Literal["lattice", "hybrid", "stream", "ocr"]


@dataclass(frozen=True)
class Word:
    """One word on a page, from the text layer or from OCR.

    ``confidence`` is Tesseract's 0-100 word confidence for OCR words, ``None`` for
    text-layer words.
    """

    text: str
    bbox: BBox
    confidence: float | None = None

    @property
    def x0(self) -> float:
        return self.bbox[0]

    @property
    def top(self) -> float:
        return self.bbox[1]

    @property
    def x1(self) -> float:
        return self.bbox[2]

    @property
    def bottom(self) -> float:
        return self.bbox[3]


@dataclass(frozen=True)
class Page:
    """One page of a document with its words and full text in reading order.

    ``numero`` is 1-based.  ``metodo`` says where the text came from; ``ocr_confianza``
    is the mean word confidence (0-100) for OCR pages, else ``None``; ``ocr_motor``
    names the OCR engines whose words the page kept (``'tesseract'`` or
    ``'tesseract+ppocr'``), ``None`` for text-layer pages (DATASETS.md, ``paginas``).
    ``skew_deg``: for OCR pages, the skew undone before reading (degrees, positive = the
    scan's content turned counter-clockwise): the words' boxes are on the page as
    straightened; :func:`extract.geometry.unskew` turns a box back onto the page as
    displayed (tables are turned back so before they are written).
    """

    numero: int
    width: float
    height: float
    texto: str
    words: tuple[Word, ...]
    metodo: PageMethod = "pdf"
    ocr_confianza: float | None = None
    ocr_motor: str | None = None
    skew_deg: float = 0.0


@dataclass(frozen=True)
class Cell:
    """One cell of a reconstructed table.

    ``row``/``col`` are 0-based grid positions of the cell's top-left corner;
    ``rowspan``/``colspan`` > 1 mark merged cells (the text sits at the top-left
    position, the covered positions are empty).  ``pagina`` is the page the cell is
    printed on (a table continued over pages keeps one id but its cells keep their page).
    """

    row: int
    col: int
    text: str
    bbox: BBox | None = None
    rowspan: int = 1
    colspan: int = 1
    pagina: int = 0


@dataclass(frozen=True)
class Table:
    """A table found on one page (or continued over several).

    ``rows`` is the grid of cell texts ('' for empty / covered positions), header rows
    first; ``n_header`` counts them.  ``cells`` keeps geometry and spans.  ``row_pages``
    gives the 1-based page of each row.  ``titulo`` is the caption printed above the
    table (DATASETS.md, ``tablas``).  ``confianza`` is 0-1: how well the table's words
    fit its grid, as the strategy that read it measured (camelot's parsing report
    idea; DATASETS.md, trace columns); ``medidas`` its parts.  ``bbox`` and the cells'
    boxes are on the displayed page; ``direction`` says how the table's text runs there
    (``'ltr'``, or ``'ttb'``/``'btt'`` for a table printed sideways) and ``frame_bbox``
    is its box in that reading frame; ``col_starts`` the left x of each column in that
    frame (what a continuation on the next page is compared with).
    """

    pagina: int
    orden: int
    metodo: TableMethod
    bbox: BBox
    rows: tuple[tuple[str, ...], ...]
    row_pages: tuple[int, ...]
    n_header: int = 0
    titulo: str | None = None
    cells: tuple[Cell, ...] = field(default=(), repr=False)
    confianza: float = 1.0
    medidas: dict = field(default_factory=dict, repr=False, compare=False)
    direction: str = "ltr"
    frame_bbox: BBox | None = None
    col_starts: tuple[float | None, ...] = ()
    title_lines: tuple[str, ...] = ()
    provisional: bool = False

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    @property
    def header(self) -> tuple[tuple[str, ...], ...]:
        return self.rows[: self.n_header]

    @property
    def body(self) -> tuple[tuple[str, ...], ...]:
        return self.rows[self.n_header :]
