"""Header recognition: printed column headers -> the contract's field names.

Synonyms are data (``pipelines/data/headers.toml``), one table per kind of table
(``poa``, ``presupuesto``, ...).  A header matches a synonym when their folded forms
(case, accents, digits and punctuation removed) are equal, or their rapidfuzz ratio is
at least ``[matching].min_ratio``.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from normalize.text import fold

DATA_DIR = Path(__file__).resolve().parent.parent / "pipelines" / "data"
HEADERS_FILE = DATA_DIR / "headers.toml"
_NOISE = re.compile(r"[^a-z% ]+")


def header_key(text: str) -> str:
    """Folded header for matching: 'COD. ACCIÓN DE CP' -> 'cod accion de cp';
    digits dropped ('ACCIÓN DE CORTO PLAZO 2021' -> 'accion de corto plazo')."""
    return " ".join(_NOISE.sub(" ", fold(text or "")).split())


@lru_cache(maxsize=1)
def synonyms() -> dict:
    """The parsed headers.toml plus every ``headers_*.toml`` beside it (one per form
    family; their tables are merged, cached).  Raises ``FileNotFoundError`` /
    ``tomllib.TOMLDecodeError`` at start-up if a data file is missing or broken."""
    with HEADERS_FILE.open("rb") as fh:
        data = tomllib.load(fh)
    for extra in sorted(DATA_DIR.glob("headers_*.toml")):
        with extra.open("rb") as fh:
            for kind, table in tomllib.load(fh).items():
                data.setdefault(kind, {}).update(table)
    return data


@lru_cache(maxsize=4096)
def match_header(text: str, kind: str) -> str | None:
    """The field of table kind ``kind`` whose synonym best matches header ``text``,
    or ``None``.  Exact folded equality wins over fuzzy similarity."""
    key = header_key(text)
    if not key:
        return None
    table = synonyms()[kind]
    min_ratio = synonyms()["matching"]["min_ratio"]
    best, best_score = None, 0.0
    for field, words in table.items():
        for w in words:
            wk = header_key(w)
            if wk == key:
                return field
            score = fuzz.ratio(key, wk)
            if score > best_score:
                best, best_score = field, score
    return best if best_score >= min_ratio else None


def column_headers(header_rows: Sequence[Sequence[str]]) -> list[str]:
    """One header text per column from several header rows: a blank cell under or
    beside a merged parent inherits the parent's text ('FECHA PREVISTA' over
    'Inicio' / 'Fin' -> 'FECHA PREVISTA Inicio', 'FECHA PREVISTA Fin')."""
    if not header_rows:
        return []
    n = max(len(r) for r in header_rows)
    out = [""] * n
    for r in header_rows:
        last = ""
        for j in range(n):
            t = r[j] if j < len(r) else ""
            if t:
                last = t
                out[j] = f"{out[j]} {t}".strip()
            elif out[j] == "" and last and r is header_rows[0]:
                out[j] = last
    return out


def map_columns(headers: Sequence[str], kind: str) -> dict[int, str]:
    """Column index -> field for a table of ``kind``.  A '_codigo' column takes the
    field of the column to its right plus '_codigo'.  When two columns claim a field
    the first keeps it.  Combined headers ('FECHA PREVISTA Inicio') are tried whole,
    then by their last word group."""
    raw: list[str | None] = []
    for h in headers:
        f = match_header(h, kind)
        if f is None and " " in h.strip():
            parts = h.split()
            for k in range(1, len(parts)):
                f = match_header(" ".join(parts[k:]), kind)
                if f:
                    break
        raw.append(f)
    out: dict[int, str] = {}
    used: set[str] = set()
    for j, f in enumerate(raw):
        if f == "_codigo":
            nxt = raw[j + 1] if j + 1 < len(raw) else None
            f = f"{nxt}_codigo" if nxt and not nxt.endswith("_codigo") and nxt != "_codigo" else None
        if f and f not in used:
            out[j] = f
            used.add(f)
    return out
