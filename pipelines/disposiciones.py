"""Numbered dispositions in a document's text (DATASETS.md ``disposiciones``).

- ``resuelve``: the items of a resolución's dispositive part, ``PRIMERO.-``,
  ``SEGUNDO.-`` ... (or ``ARTÍCULO PRIMERO.-``, ``Artículo 1.-``, ``ÚNICO.-``) after
  ``RESUELVE:``.  ``texto`` is the item without its label; the last item ends before
  the closing formula (``Regístrese, comuníquese y archívese``) or the signature.
- ``recomendacion``: the recommendations of an audit report, in order: the bullets (or
  numbered lines) after ``se recomienda:`` / ``RECOMENDACIONES``, or the text under each
  ``Recomendación N° k`` heading.  Sub-bullets belong to their item, their marks dropped.

Pure functions on :class:`extract.models.Page` texts (``Page.texto``, text layer or
OCR); the phrases (ordinals, markers, closing formulas) are data in
``pipelines/data/documentos.toml``.  Page headers and footers (lines repeated at the top
or bottom of several pages, page numbers, OCR specks) are removed first, so an item
continued over a page break does not take them in.  ``pagina`` is the page where the
item starts.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from extract.models import Page
from normalize.text import clean_text, fold
from pipelines.builders import BuildInput, BuildResult
from pipelines.context import DocContext
from pipelines.identify import NUM_SIGN, knowledge, loose, starts_with, text_lines

__all__ = ["disposiciones", "resuelve_items", "recomendacion_items", "body_lines",
           "join_lines", "ordinal_label"]


@dataclass(frozen=True)
class Line:
    """One text line of the document body: its page (1-based) and text."""

    pagina: int
    text: str


# --------------------------------------------------------------------------- body

_EDGE = 3  # lines at the top / bottom of a page where headers and footers are looked for
_PAGE_NO = re.compile(r"^[-–—\s]*(?:p[aá]g(?:ina)?\.?\s*)?[0-9]{1,3}(?:\s*(?:de|/)\s*[0-9]{1,3})?"
                      r"[-–—\s]*$", re.IGNORECASE)


def _key(line: str) -> str:
    """Comparison key of a header/footer line: folded, digits as '#', letters and digits only."""
    return re.sub(r"[^a-z#]+", " ", re.sub(r"[0-9]+", "#", fold(line))).strip()


def _is_speck(line: str) -> bool:
    """An OCR speck or a rule: one or two characters ('a', '|', '•'), or no letter or
    digit at all ('— —', '_____')."""
    s = line.strip()
    return len(s) <= 2 or not any(ch.isalnum() for ch in s)


def body_lines(pages: list[Page]) -> list[Line]:
    """The document's lines in reading order without page headers and footers: at the top
    and bottom ``_EDGE`` lines of each page, a line whose key repeats at the edge of
    another page (letterhead, footer address), a page number ('Página 2 de 6', '- 3 -')
    or an OCR speck is dropped."""
    per_page = [(p.numero, text_lines(p)) for p in pages]
    seen: Counter = Counter()
    for _, lines in per_page:
        edge = set(_key(x) for x in lines[:_EDGE] + lines[-_EDGE:])
        seen.update(k for k in edge if len(k) >= 4)
    running = {k for k, c in seen.items() if c >= 2}

    def dropped(line: str) -> bool:
        return _is_speck(line) or bool(_PAGE_NO.match(line)) or _key(line) in running

    out: list[Line] = []
    for num, lines in per_page:
        lo, hi = 0, len(lines)
        while lo < min(hi, _EDGE) and dropped(lines[lo]):
            lo += 1
        while hi > max(lo, len(lines) - _EDGE) and dropped(lines[hi - 1]):
            hi -= 1
        out += [Line(num, x) for x in lines[lo:hi]]
    return out


_HYPHEN_END = re.compile(r"(?<=[^\W_])-$")


def join_lines(parts: list[str]) -> str | None:
    """Join the lines of one item: one space between lines; a line ending in a hyphen glued
    to a letter is joined without space ('INF-' + '00012/2024' -> 'INF-00012/2024'), and
    a word split in syllables loses its hyphen ('adminis-' + 'tración')."""
    text = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if text and _HYPHEN_END.search(text):
            if text[-2:-1].islower() and part[:1].islower():
                text = text[:-1] + part
            else:
                text += part
        else:
            text = f"{text} {part}" if text else part
    return clean_text(text)


# --------------------------------------------------------------------------- resuelve

_SEP = r"\s*(?:[.:;]\s?[-–—_]*|,\s?[-–—_]+|[-–—_]+)\s*"
"""The punctuation after an ordinal label: '.-', '. -', '.–', ':', '-', ',-' (OCR)."""


def _ordinal_table() -> list[tuple[str, int]]:
    kb = knowledge()["resoluciones"]
    table = [(w, i + 1) for i, w in enumerate(kb["ordinales"])]
    table += list(kb.get("ordinales_variantes", {}).items())
    table += [(w, 0) for w in kb.get("unico", [])]
    return sorted(table, key=lambda t: len(t[0]), reverse=True)


@lru_cache(maxsize=1)
def _ordinal_re() -> re.Pattern:
    kb = knowledge()["resoluciones"]
    words = "|".join(f"(?P<w{i}>{loose(w)})" for i, (w, _) in enumerate(_ordinal_table()))
    prefix = "|".join(loose(p) for p in sorted(kb.get("prefijos_ordinal", []), key=len,
                                                reverse=True))
    prefix_part = rf"(?:(?P<art>{prefix})\s*)?" if prefix else ""
    return re.compile(
        rf"^\s*{prefix_part}(?:(?:{words})(?![^\W\d_])|(?P<num>[0-9]{{1,2}})\s?[°º*]?(?![0-9]))"
        rf"{_SEP}(?P<rest>.*)$", re.IGNORECASE)


def ordinal_label(line: str) -> tuple[int, str] | None:
    """``(value, rest)`` when ``line`` starts with an ordinal label: ``'PRIMERO.- APROBAR'``
    -> ``(1, 'APROBAR')``, ``'SEGUNDO. - El'`` -> ``(2, 'El')``, ``'ARTÍCULO 3.- Se'`` ->
    ``(3, 'Se')``; ``ÚNICO.-`` -> value 0.  A bare number ('1. ...') counts only after
    'Artículo'/'Art.'.  Else None."""
    m = _ordinal_re().match(line)
    if not m:
        return None
    if m.group("num") is not None:
        if not m.group("art"):
            return None
        return int(m.group("num")), m.group("rest").strip()
    table = _ordinal_table()
    for i, (_, value) in enumerate(table):
        if m.group(f"w{i}") is not None:
            return value, m.group("rest").strip()
    return None


def _is_signature(line: str) -> bool:
    """A short all-capitals line naming a post ('DIRECTORA GENERAL EJECUTIVA a.i.')."""
    letters = [c for c in line if c.isalpha()]
    if len(line.split()) > 8 or len(letters) < 4 or \
            sum(c.isupper() for c in letters) < 0.8 * len(letters):
        return False
    words = set(re.findall(r"[a-z]+", fold(line)))
    return any(c in words for c in knowledge()["firmas"]["cargos"])


_PARTICLES = {"de", "del", "la", "las", "los", "y", "e", "vda.", "vda"}


def _is_name(line: str) -> bool:
    """A signer's name line: 2 to 6 capitalized words ('Patricia Hermosa Gutiérrez',
    'Lic. Juan de la Cruz'), no digits, no closing punctuation."""
    words = line.split()
    if not 2 <= len(words) <= 6 or re.search(r"[0-9]", line) or line.rstrip()[-1] in ".,;:":
        return False
    return all(w[0].isupper() or w.casefold() in _PARTICLES for w in words)


def _resuelve_start(lines: list[Line]) -> int:
    """Index of the first line after the 'RESUELVE:' marker that is followed by a first
    ordinal label; the first 'PRIMERO.-' label when there is no marker; -1 if none."""
    kb = knowledge()["resoluciones"]
    marker = re.compile(r"^\s*(?:" + "|".join(loose(p) for p in kb["resuelve"]) +
                        r")\s*[:.;,-]*\s*(?P<rest>.*)$", re.IGNORECASE)
    for i, ln in enumerate(lines):
        m = marker.match(ln.text)
        if not m:
            continue
        rest = m.group("rest")
        if rest and not ordinal_label(rest):
            continue
        for j in range(i + 1, min(i + 4, len(lines))):
            lab = ordinal_label(lines[j].text)
            if lab and lab[0] in (0, 1):
                return j
        if rest and ordinal_label(rest)[0] in (0, 1):
            return i
    after = 0  # no marker: the first label after the last 'POR TANTO'
    for i, ln in enumerate(lines):
        if starts_with(ln.text, ["por tanto"]):
            after = i
    for i, ln in enumerate(lines[after:], start=after):
        lab = ordinal_label(ln.text)
        if lab and lab[0] in (0, 1):
            return i
    return -1


def _starts_other_document(prev: Line, line: Line) -> bool:
    """At a page break, a page that opens with an all-capitals heading after a finished
    sentence, or with a document heading (``[titulos].inicio``: 'FORMULARIO N° 1'), is
    an annex, not the continuation of an item."""
    if line.pagina == prev.pagina:
        return False
    letters = [c for c in line.text if c.isalpha()]
    caps = len(letters) >= 4 and all(c.isupper() for c in letters)
    if caps and starts_with(line.text, knowledge()["titulos"]["inicio"]):
        return True
    return caps and prev.text.rstrip().endswith((".", ":"))


def resuelve_items(pages: list[Page]) -> list[tuple[int, str]]:
    """``[(pagina, texto), ...]`` of a resolución's dispositive items in printed order.

    Items start at ordinal labels whose value follows the previous one (one missed label
    is tolerated); text runs over line and page breaks up to the next label, the closing
    formula (``[resoluciones].cierre``) or a signature line."""
    lines = body_lines(pages)
    start = _resuelve_start(lines)
    if start < 0:
        return []
    kb = knowledge()["resoluciones"]
    first = lines[start]
    marker = re.compile(r"^\s*(?:" + "|".join(loose(p) for p in kb["resuelve"]) +
                        r")\s*[:.;,-]*\s*", re.IGNORECASE)
    if not ordinal_label(first.text):  # 'RESUELVE: PRIMERO.- ...' on one line
        lines[start] = Line(first.pagina, marker.sub("", first.text, count=1))
    items: list[tuple[int, list[str]]] = []
    last = None
    prev = None
    for ln in lines[start:]:
        if prev is not None and _starts_other_document(prev, ln):
            break
        prev = ln
        lab = ordinal_label(ln.text)
        if lab and (last is None or (last >= 1 and last < lab[0] <= last + 2)):
            last = lab[0]
            items.append((ln.pagina, [lab[1]]))
            if lab[0] == 0:  # ÚNICO: a single item
                last = -1
            continue
        if starts_with(ln.text, kb["cierre"]):
            break
        if _is_signature(ln.text):
            parts = items[-1][1]
            if len(parts) > 1 and _is_name(parts[-1]) and parts[-2].rstrip().endswith("."):
                # the signer's name, printed above the post
                parts.pop()
            break
        items[-1][1].append(ln.text)
    out = []
    for pagina, parts in items:
        text = join_lines(parts)
        if text:
            out.append((pagina, text))
    return out


# --------------------------------------------------------------------------- recomendaciones

_BULLET_CLASSES = {"dot": "•●·*+»«", "arrow": "►>➢➤", "check": "✓✔", "square": "■▪□◆♦",
                   "dash": "-–—", "circle": "o◦○°", "e": "e"}
"""Bullet marks by shape: OCR reads a round bullet '•' as '+', '»', '*', '·' or 'e'."""
_BULLET = re.compile(r"^\s*(?P<mark>[•●·*+»«►>➢➤✓✔■▪□◆♦◦○°]|[-–—](?=\s+[^\W\d_“\"(])"
                     r"|[oe](?=\s+[A-ZÁÉÍÓÚÑ“\"(]))\s*(?P<rest>\S.*)$")
_NUMBERED = re.compile(r"^\s*(?P<n>[0-9]{1,2}|[a-z])\s?[.)]\s+(?P<rest>\S.*)$")
_REC_HEADING_TEMPLATE = r"^\s*{rec}\s*(?:{num}\s*)?(?P<n>[0-9]{{1,2}})\s*[:.\-–—]*\s*(?P<rest>.*)$"


def _bullet_class(mark: str) -> str:
    for name, chars in _BULLET_CLASSES.items():
        if mark in chars:
            return name
    return mark


def _is_heading(line: str) -> bool:
    """A section heading: all capitals, at most 8 words, no bullet, no closing punctuation
    ('DIGEMIG.' ending a sentence is not one); or '2.3 Título'."""
    if re.match(r"^\s*[0-9]+(?:\.[0-9]+)+\.?\s+[A-ZÁÉÍÓÚÑ]", line):
        return True
    letters = [c for c in line if c.isalpha()]
    return (len(letters) >= 4 and all(c.isupper() for c in letters)
            and len(line.split()) <= 8 and not _BULLET.match(line)
            and not line.rstrip().endswith((".", ",", ";", ")")))


_KEY_VALUE = re.compile(r"^[A-ZÁÉÍÓÚÑ][^\W\d_]*(?:\s+[^\W\d_]+){0,2}\s*:\s")
"""A key/value label line ('Fecha: 1/1/2024', 'Fecha de emisión: ...')."""


def _rec_stop(line: str) -> bool:
    kb = knowledge()["informes"]
    return bool(starts_with(line, kb["fin_recomendaciones"])) or _is_signature(line) or \
        _is_heading(line) or bool(_KEY_VALUE.match(line))


def _numbered_value(n: str) -> int:
    return int(n) if n.isdigit() else ord(n) - ord("a") + 1


def _list_after(lines: list[Line], i: int) -> tuple[list[tuple[int, list[str]]], int]:
    """Bullet or numbered items from ``lines[i]`` on, up to the end of the list, and the
    index of the first line after it."""
    items: list[tuple[int, list[str]]] = []
    top = None
    n_last = 0
    j = i
    for j, ln in enumerate(lines[i:], start=i):
        b = _BULLET.match(ln.text)
        nm = _NUMBERED.match(ln.text)
        if top is None:
            if b:
                top = ("bullet", _bullet_class(b.group("mark")))
            elif nm and _numbered_value(nm.group("n")) == 1:
                top = ("numbered", nm.group("n").isdigit())
            else:  # the first bullet lost by OCR: the list's bullets come a few lines on
                later = [m for x in lines[i + 1:i + 5] if (m := _BULLET.match(x.text))]
                if not later or _rec_stop(ln.text):
                    return [], i
                top = ("bullet", _bullet_class(later[0].group("mark")))
                items.append((ln.pagina, [ln.text]))
                continue
        if top[0] == "bullet" and b and _bullet_class(b.group("mark")) == top[1]:
            items.append((ln.pagina, [b.group("rest")]))
            continue
        if top[0] == "numbered" and nm and nm.group("n").isdigit() == top[1] and \
                _numbered_value(nm.group("n")) == n_last + 1:
            n_last += 1
            items.append((ln.pagina, [nm.group("rest")]))
            continue
        if _rec_stop(ln.text):
            return items, j
        sub = b and (b.group("mark") != "e" or top == ("bullet", "e"))  # 'e Informe ...'
        items[-1][1].append(b.group("rest") if sub else ln.text)  # sub-bullet: mark dropped
    return items, len(lines)


def _paragraph_after(lines: list[Line], i: int) -> tuple[list[tuple[int, list[str]]], int]:
    """A recommendation printed as a plain paragraph: its lines up to the one that ends a
    sentence ('.'), or up to a stop line; and the index of the line after it."""
    parts: list[str] = []
    j = i
    for j, ln in enumerate(lines[i:], start=i):
        if _rec_stop(ln.text):
            break
        parts.append(ln.text)
        if ln.text.rstrip().endswith("."):
            j += 1
            break
    else:
        j = len(lines)
    return ([(lines[i].pagina, parts)] if parts else []), j


def recomendacion_items(pages: list[Page]) -> list[tuple[int, str]]:
    """``[(pagina, texto), ...]`` of an audit report's recommendations in printed order.

    Each line that opens a list of recommendations (``[informes].recomendaciones``:
    'Por lo señalado se recomienda:', 'RECOMENDACIONES') is followed by bullets or
    numbered lines, one item each (continuation lines and sub-bullets joined).  Reports
    that print one 'Recomendación N° k' heading per finding give one item per heading."""
    kb = knowledge()["informes"]
    lines = body_lines(pages)
    heading = re.compile(_REC_HEADING_TEMPLATE.format(rec=loose("recomendacion"), num=NUM_SIGN),
                         re.IGNORECASE)
    heads = [i for i, ln in enumerate(lines) if heading.match(ln.text)]
    if heads:
        items = []
        for k, i in enumerate(heads):
            end = heads[k + 1] if k + 1 < len(heads) else len(lines)
            parts = [heading.match(lines[i].text).group("rest")]
            for ln in lines[i + 1:end]:
                if _rec_stop(ln.text):
                    break
                parts.append(ln.text)
            text = join_lines(parts)
            if text:
                items.append((lines[i].pagina, text))
        return items
    opener = re.compile(r"(?:" + "|".join(loose(p) for p in kb["recomendaciones"]) +
                        r")\b[^:]{0,80}:\s*(?P<rest>.*)$|^\s*(?:" +
                        "|".join(loose(p) for p in kb["recomendaciones"]) +
                        r")\s*[:.]?\s*$", re.IGNORECASE)
    out: list[tuple[int, str]] = []
    done = 0  # lines before this index belong to a list already read
    for i, ln in enumerate(lines):
        m = opener.search(ln.text) if i >= done else None
        if not m:
            continue
        rest = (m.group("rest") or "").strip()
        if rest and len(rest.split()) < 2:  # 'Recomendaciones: 5' is a count, not an item
            continue
        if rest:  # 'se recomienda: <first item>' on the same line
            sub = [Line(ln.pagina, rest)] + lines[i + 1:]
            items, end = _list_after(sub, 0)
            if not items:
                items, end = _paragraph_after(sub, 0)
            done = i + end
        else:
            items, done = _list_after(lines, i + 1)
            if not items:
                items, done = _paragraph_after(lines, i + 1)
        for pagina, parts in items:
            text = join_lines(parts)
            if text:
                out.append((pagina, text))
    return out


# --------------------------------------------------------------------------- dataset

def disposiciones(ctx: DocContext, tipo: str, pages: list[Page]) -> list[dict]:
    """The ``disposiciones`` rows of one document (DATASETS.md).

    ``tipo`` is the document kind from :func:`pipelines.identify.identify`:
    ``resolucion`` gives ``resuelve`` rows, ``informe_auditoria`` gives
    ``recomendacion`` rows, any other kind none.  ``orden`` is 1, 2, 3 ... in printed
    order; ``pagina`` the page where the item starts; ``texto`` the whole item without
    its label or bullet, whitespace-folded."""
    if tipo == "resolucion":
        kind, items = "resuelve", resuelve_items(pages)
    elif tipo == "informe_auditoria":
        kind, items = "recomendacion", recomendacion_items(pages)
    else:
        return []
    return [{**ctx.prov(pagina), "tipo": kind, "orden": k, "texto": texto}
            for k, (pagina, texto) in enumerate(items, start=1)]


class DisposicionesBuilder:
    """Builder of ``disposiciones`` for resoluciones (``resuelve``) and audit reports
    (``recomendacion``): :func:`disposiciones`."""

    name = "disposiciones"
    datasets = ("disposiciones",)

    def build(self, inp: BuildInput) -> BuildResult:
        return BuildResult({"disposiciones": disposiciones(inp.ctx, inp.tipo, list(inp.pages))})
