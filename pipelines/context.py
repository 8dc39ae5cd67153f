"""Per-document context passed to every dataset builder."""
from __future__ import annotations

from dataclasses import dataclass


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
    """One validation finding (a ``validaciones`` row without provenance)."""

    dataset: str
    regla: str
    ubicacion: str
    esperado: float | None
    observado: float | None
    severidad: str
    mensaje: str

    def row(self, ctx: DocContext) -> dict:
        return {"documento_id": ctx.documento_id, "archivo": ctx.archivo,
                "entidad": ctx.entidad, "gestion": ctx.gestion, "dataset": self.dataset,
                "regla": self.regla, "ubicacion": self.ubicacion, "esperado": self.esperado,
                "observado": self.observado, "severidad": self.severidad, "mensaje": self.mensaje}
