"""The interface every table strategy implements, and what it returns.

A strategy (camelot's idea: one module per way of printing a table) reads one
:class:`extract.layout.Layer` and proposes :class:`Candidate` tables, each with the
confidence it measured.  :mod:`extract.tables.select` compares the candidates of every
region across strategies and keeps the best; nothing is decided by the order the
strategies run in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from extract.layout import Layer
from extract.models import BBox, Cell


@dataclass(frozen=True)
class Candidate:
    """A table a strategy proposes for a region of a layer.

    ``bbox`` and the cells' boxes are in the layer's frame; ``rows`` are equal-length
    rows of cell texts, header rows first (``n_header``); ``confianza`` is 0-1 as the
    strategy measured it, ``measures`` its parts; ``word_ids`` are the indices (in
    ``layer.words``) of the words the table holds.
    """

    metodo: str
    layer: Layer
    bbox: BBox
    rows: tuple[tuple[str, ...], ...]
    cells: tuple[Cell, ...]
    n_header: int
    confianza: float
    measures: dict[str, float] = field(default_factory=dict)
    word_ids: frozenset[int] = frozenset()

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    @property
    def page_bbox(self) -> BBox:
        """The table's box on the displayed page."""
        return self.layer.to_page(self.bbox)


class TableStrategy(Protocol):
    """A way of finding tables.  ``name`` is what ``tablas.metodo`` records."""

    name: str

    def find(self, layer: Layer) -> list[Candidate]:
        """Candidate tables of ``layer`` (possibly overlapping each other)."""
        ...


def words_in(layer: Layer, bbox: BBox, tol: float = 1.0) -> list[int]:
    """Indices of ``layer.words`` whose centre lies in ``bbox`` (grown by ``tol``)."""
    x0, t, x1, b = bbox[0] - tol, bbox[1] - tol, bbox[2] + tol, bbox[3] + tol
    out = []
    for i, w in enumerate(layer.words):
        cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
        if x0 <= cx <= x1 and t <= cy <= b:
            out.append(i)
    return out
