"""Per-document context passed to every dataset builder, and the typed place a row or a
finding points at."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where something is printed: 1-based ``pagina``, the ``tablas`` table
    (``tabla_id``, DATASETS.md "tablas") and its row ``fila`` (as in ``tablas.fila``),
    and a box ``(x0, top, x1, bottom)`` in PDF points, origin top-left of the page as
    displayed.  Every part may be None: a finding about a whole unit has only a page, a
    finding about running text has no table (DATASETS.md "Trace columns")."""

    pagina: int | None = None
    tabla_id: str | None = None
    fila: int | None = None
    bbox: tuple[float, float, float, float] | None = None

    def describe(self) -> str:
        """A short human description, ``'p8 <tabla_id> fila 22'``: what ``ubicacion``
        says when a rule has no better label for the place."""
        parts = []
        if self.pagina is not None:
            parts.append(f"p{self.pagina}")
        if self.tabla_id:
            parts.append(self.tabla_id)
        if self.fila is not None:
            parts.append(f"fila {self.fila}")
        return " ".join(parts)

    def columns(self) -> dict:
        """The trace columns of a ``validaciones`` row: ``pagina``, ``tabla_id``, ``fila``."""
        return {"pagina": self.pagina, "tabla_id": self.tabla_id, "fila": self.fila}


def trace(tabla_id: str | None, fila: int | None) -> dict:
    """The trace columns of a row built from a table (DATASETS.md "Trace columns"):
    ``{"tabla_id": ..., "fila": ...}``; both None for a row read from running text."""
    return {"tabla_id": tabla_id, "fila": None if fila is None else int(fila)}


def location_of(row: dict) -> Location:
    """The :class:`Location` of a dataset row that carries provenance and trace columns
    (``pagina``, and ``tabla_id``/``fila`` when it was read from a table)."""
    return Location(row.get("pagina"), row.get("tabla_id"), row.get("fila"))


@dataclass(frozen=True)
class DocContext:
    """Provenance shared by every row of one source document (DATASETS.md,
    "Columns every dataset has").  ``gestion`` may be ``None`` when no fiscal year
    is printed."""

    documento_id: str
    archivo: str
    entidad: str | None
    gestion: int | None

    def prov(self, pagina: int) -> dict:
        """The provenance columns for a row printed on 1-based page ``pagina``."""
        return {"documento_id": self.documento_id, "archivo": self.archivo,
                "pagina": int(pagina), "entidad": self.entidad, "gestion": self.gestion}


@dataclass(frozen=True)
class Finding:
    """One validation finding (a ``validaciones`` row without provenance).

    ``ubicacion`` is the short human description of the place (the contract's
    ``ubicacion``); ``donde`` the same place as data, written to the trace columns
    ``pagina``, ``tabla_id``, ``fila``.  Nothing reads ``ubicacion`` back."""

    dataset: str
    regla: str
    ubicacion: str
    esperado: float | None
    observado: float | None
    severidad: str
    mensaje: str
    donde: Location = Location()

    def row(self, ctx: DocContext) -> dict:
        """The ``validaciones`` row of this finding in document ``ctx``."""
        return {"documento_id": ctx.documento_id, "archivo": ctx.archivo,
                "entidad": ctx.entidad, "gestion": ctx.gestion, "dataset": self.dataset,
                "regla": self.regla, "ubicacion": self.ubicacion or self.donde.describe(),
                "esperado": self.esperado, "observado": self.observado,
                "severidad": self.severidad, "mensaje": self.mensaje, **self.donde.columns()}
