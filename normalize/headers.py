"""Header recognition: printed column headers -> the contract's field names.

Synonyms are data (``pipelines/data/headers.toml``), one table per kind of table
(``poa``, ``presupuesto``, ...).  Matching is by *tokens*, not whole strings
(:func:`match_header`): a header and a synonym are folded (case, accents), cut into
words, stripped of digits, punctuation and the stop words of ``[matching].stop_words``
("de", "la", "del" ...), and each word is put in the singular ("Tareas" -> "tarea",
"Operaciones" -> "operacion").  A header matches the synonym whose words it holds
(``DESCRIPCIÓN DE LA TAREA`` holds ``Tarea``; ``% Ejecución del gasto`` holds
``% Ejecución``) when those words are at least half of the header's; the synonym that
covers most of the header wins.  Words equal up to a typo (rapidfuzz ratio at least
``[matching].min_word_ratio``) count as equal; failing any token match, a whole-string
rapidfuzz ratio of at least ``[matching].min_ratio`` is accepted.
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


def _singular(w: str) -> str:
    """Spanish/English plural -> singular, enough for header words."""
    if len(w) > 5 and w.endswith("iones"):
        return w[:-2]
    if len(w) > 5 and w.endswith("ades"):
        return w[:-2]
    if len(w) > 4 and w.endswith("es") and w[-3] in "rlnd":
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def header_tokens(text: str) -> tuple[str, ...]:
    """The words of a header for matching: folded, no digits or punctuation (``%``
    kept), stop words dropped, singular.  ``'DESCRIPCIÓN DE LAS TAREAS'`` ->
    ``('descripcion', 'tarea')``."""
    stop = _stop_words()
    return tuple(_singular(w) for w in header_key(text).split() if w not in stop)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    return frozenset(header_key(w) for w in synonyms()["matching"].get("stop_words", []))


@lru_cache(maxsize=64)
def _synonym_tokens(kind: str) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """``(field, tokens, folded key)`` for every synonym of table kind ``kind``."""
    out = []
    for field, words in synonyms()[kind].items():
        for w in words:
            out.append((field, header_tokens(w), header_key(w)))
    return tuple(out)


def _same_word(a: str, b: str, min_ratio: float) -> bool:
    return a == b or (min(len(a), len(b)) >= 5 and fuzz.ratio(a, b) >= min_ratio)


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


@lru_cache(maxsize=8192)
def match_header(text: str, kind: str) -> str | None:
    """The field of table kind ``kind`` whose synonym best matches header ``text``,
    or ``None`` (see the module docstring).  Exact folded equality wins; then the
    token match covering most of the header; then whole-string fuzzy similarity."""
    key = header_key(text)
    if not key:
        return None
    matching = synonyms()["matching"]
    word_ratio = matching.get("min_word_ratio", 88)
    table = _synonym_tokens(kind)
    for field, _, wk in table:
        if wk == key:
            return field
    head = header_tokens(text)
    best, best_score = None, 0.0
    if head:
        for field, toks, _ in table:
            if not toks or len(toks) > len(head):
                continue
            if all(any(_same_word(t, h, word_ratio) for h in head) for t in toks):
                score = len(toks) / len(head)
                if score > best_score:
                    best, best_score = field, score
    if best is not None and best_score >= 0.5:
        return best
    fbest, fscore = None, 0.0
    for field, _, wk in table:
        sc = fuzz.ratio(key, wk)
        if sc > fscore:
            fbest, fscore = field, sc
    return fbest if fscore >= matching["min_ratio"] else None


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
