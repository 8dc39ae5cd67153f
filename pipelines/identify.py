"""What a document is: kind, entity, fiscal year, title, date (``documentos``).

Rules are driven by ``pipelines/data/documentos.toml`` so a new entity or a new
kind of heading is a data change.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from extract.models import Page
from normalize.dates import find_date
from normalize.text import clean_text, fold

DATA_FILE = Path(__file__).resolve().parent / "data" / "documentos.toml"
YEAR = re.compile(r"\b(20\d\d)\b")


@lru_cache(maxsize=1)
def knowledge() -> dict:
    """Parsed documentos.toml (cached)."""
    with DATA_FILE.open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class Identity:
    """What :func:`identify` found.  ``tipo`` is one of the contract's kinds."""

    tipo: str
    entidad: str | None
    emisor: str | None
    gestion: int | None
    titulo: str | None
    fecha: date | None
    numero: str | None = None


def _count(phrase: str, text_folded: str) -> int:
    p = fold(phrase)
    if len(p) <= 6:
        return len(re.findall(rf"\b{re.escape(p)}\b", text_folded))
    return text_folded.count(p)


def detect_tipo(pages: list[Page]) -> str:
    """Document kind from the phrases of ``[tipos]`` on the first two pages (title
    lines weigh most): ``poa``, ``rendicion_cuentas``, ``resolucion``,
    ``informe_auditoria`` or ``otro``."""
    head = fold(" ".join(p.texto for p in pages[:2]))
    first = fold(" ".join(pages[0].texto.splitlines()[:12])) if pages else ""
    for tipo, phrases in knowledge()["tipos"].items():
        if any(_count(ph, first) for ph in phrases):
            return tipo
    for tipo, phrases in knowledge()["tipos"].items():
        if any(_count(ph, head) for ph in phrases):
            return tipo
    return "otro"


def detect_entidad(pages: list[Page], tipo: str) -> tuple[str | None, str | None]:
    """(entidad, emisor): the entity named most often in the document; for an audit
    report by an external emitter (``[emisores_externos]``), the emitter is ``emisor``
    and the most-named other entity is ``entidad``."""
    text = fold(" ".join(p.texto for p in pages))
    counts: Counter = Counter()
    for acr, names in knowledge()["entidades"].items():
        counts[acr] = _count(acr, text) + sum(_count(n, text) for n in names) * 2
    externos = knowledge().get("emisores_externos", {})
    emisor = None
    if tipo == "informe_auditoria":
        for acr in externos:
            if counts.get(acr):
                emisor = acr
                counts.pop(acr)
    counts.pop("MINGOB", None) if any(c for a, c in counts.items() if a != "MINGOB") else None
    best = [a for a, c in counts.most_common() if c > 0]
    entidad = best[0] if best else None
    return entidad, emisor or entidad


def title_lines(page: Page, stop_y: float | None = None) -> list[str]:
    """The title block of a page: from the first line that starts with a heading of
    ``[titulos].inicio`` down to the first key/value label (a ':' line) or ``stop_y``."""
    starts = [fold(s) for s in knowledge()["titulos"]["inicio"]]
    lines: list[tuple[float, str]] = []
    for w in sorted(page.words, key=lambda w: (round(w.top), w.x0)):
        if lines and abs(w.top - lines[-1][0]) <= 3:
            lines[-1] = (lines[-1][0], lines[-1][1] + " " + w.text)
        else:
            lines.append((w.top, w.text))
    block: list[str] = []
    last_top = None
    for top, text in lines:
        if stop_y is not None and top >= stop_y:
            break
        f = fold(text)
        if not block:
            if any(f.startswith(s) for s in starts):
                block.append(text)
                last_top = top
            continue
        if ":" in text or (last_top is not None and top - last_top > 30) or \
                any(f.startswith(fold(e)) for e in knowledge()["titulos"].get("fin", [])):
            break
        if text.upper() != text:
            break
        block.append(text)
        last_top = top
    return block


def detect_gestion(pages: list[Page], titulo: str | None) -> int | None:
    """Fiscal year: the year in the title, else after 'GESTIÓN', else the most common
    year on the first page."""
    if titulo:
        m = YEAR.findall(titulo)
        if m:
            return int(m[-1])
    head = " ".join(p.texto for p in pages[:2])
    m = re.search(r"gesti[oó]n(?: del poa)?\s*:?\s*(20\d\d)", head, re.I)
    if m:
        return int(m.group(1))
    years = Counter(YEAR.findall(pages[0].texto if pages else ""))
    return int(years.most_common(1)[0][0]) if years else None


def detect_fecha(pages: list[Page]) -> date | None:
    """Date of issue: the date on a line labelled 'Fecha' ('Fecha: La Paz, 28 de agosto
    de 2018', 'Fecha de emisión: ...'), searched from the last page back."""
    for p in reversed(pages):
        for line in p.texto.splitlines():
            f = fold(line)
            if f.startswith("fecha") and ":" in line:
                d = find_date(line.split(":", 1)[1])
                if d:
                    return d
    return None


def identify(pages: list[Page], table_tops: dict[int, float] | None = None) -> Identity:
    """Kind, entity, fiscal year, title and date of a document from its pages.

    ``table_tops``: per page, the top of its first table (a title block stops there)."""
    tipo = detect_tipo(pages)
    entidad, emisor = detect_entidad(pages, tipo)
    titulo = None
    for p in pages[:2]:
        block = title_lines(p, (table_tops or {}).get(p.numero))
        if block:
            titulo = clean_text(" ".join(block))
            break
    return Identity(tipo=tipo, entidad=entidad, emisor=emisor,
                    gestion=detect_gestion(pages, titulo), titulo=titulo,
                    fecha=detect_fecha(pages))
