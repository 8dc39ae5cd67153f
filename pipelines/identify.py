"""What a document is: kind, entity, fiscal year, title, date, number (``documentos``).

Rules are driven by ``pipelines/data/documentos.toml`` so a new entity or a new
kind of heading is a data change.

- POA and rendición de cuentas: title from the title block's word geometry
  (:func:`title_lines`), date from a 'Fecha:' label.
- Resoluciones (:func:`resolucion_fields`) and audit reports (:func:`informe_fields`)
  arrive scanned, so they are read from ``Page.texto`` line by line, tolerating OCR
  noise (accents lost, 'N*' / 'Nº' / 'No.' for 'N°', labels broken over lines).
  Resolución: number after the 'RESOLUCIÓN ADMINISTRATIVA' heading, date of the
  'La Paz, 14 de febrero de 2024' line, titulo = subject heading.  Audit report: number
  after 'Informe N°', date after 'Fecha de emisión', titulo = 'RESUMEN EJECUTIVO' /
  'INFORME DE ...' heading, entidad = the 'Entidad:' value, emisor = the external
  emitter in the letterhead (``[emisores_externos]``: CGE) else the entity.
- Gestión of every kind (:func:`detect_gestion`): explicit cues only (``[gestion]``:
  'GESTIÓN 2021', 'POA 2019', 'al 31 de diciembre de 2020'; a resolución or an audit
  report without one takes the year of its date of issue), ``0`` when there is none.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import combinations
from pathlib import Path

from extract.geometry import group_lines, line_text
from extract.models import Page
from normalize.dates import MONTHS, find_date
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
    """What :func:`identify` found.  ``tipo`` is one of the contract's kinds; ``gestion``
    is ``0`` when the document names no fiscal year (DATASETS.md ``gestion``)."""

    tipo: str
    entidad: str | None
    emisor: str | None
    gestion: int
    titulo: str | None
    fecha: date | None
    numero: str | None = None


def _count(phrase: str, text_folded: str) -> int:
    p = fold(phrase)
    if len(p) <= 6:
        return len(re.findall(rf"\b{re.escape(p)}\b", text_folded))
    return text_folded.count(p)


def detect_tipo(pages: list[Page]) -> str:
    """Document kind from the phrases of ``[tipos]``: on the first 12 lines of the first
    page the phrase printed first wins (a resolución that cites the Contraloría below its
    heading stays a resolución); else the first kind, in ``[tipos]`` order, with a phrase
    on the first two pages.  ``poa``, ``rendicion_cuentas``, ``resolucion``,
    ``informe_auditoria`` or ``otro``."""
    head = fold(" ".join(p.texto for p in pages[:2]))
    first = fold(" ".join(pages[0].texto.splitlines()[:12])) if pages else ""
    best: tuple[int, int] | None = None
    found = None
    for rank, (tipo, phrases) in enumerate(knowledge()["tipos"].items()):
        for ph in phrases:
            pos = _position(ph, first)
            if pos is not None and (best is None or (pos, rank) < best):
                best, found = (pos, rank), tipo
    if found:
        return found
    for tipo, phrases in knowledge()["tipos"].items():
        if any(_count(ph, head) for ph in phrases):
            return tipo
    return "otro"


def _position(phrase: str, text_folded: str) -> int | None:
    """Where ``phrase`` first occurs in ``text_folded`` (same matching as :func:`_count`)."""
    p = fold(phrase)
    if len(p) <= 6:
        m = re.search(rf"\b{re.escape(p)}\b", text_folded)
        return m.start() if m else None
    i = text_folded.find(p)
    return i if i >= 0 else None


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


def _word_lines(page: Page) -> list[tuple[float, str]]:
    """The page's words as text lines ``(top, text)``, top to bottom, each read left to
    right (:func:`extract.geometry.group_lines`: one rule for every stage)."""
    return [(min(w.top for w in ln), line_text(ln)) for ln in group_lines(page.words)]


def title_lines(page: Page, stop_y: float | None = None) -> list[str]:
    """The title block of a page: from the first line that starts with a heading of
    ``[titulos].inicio`` down to the first key/value label (a ':' line) or ``stop_y``."""
    starts = [fold(s) for s in knowledge()["titulos"]["inicio"]]
    lines = _word_lines(page)
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


def _gestion_cues() -> tuple[re.Pattern, ...]:
    """The compiled ``[gestion.claves]`` of documentos.toml (``re`` caches the patterns)."""
    return tuple(re.compile(rx) for rx in knowledge()["gestion"]["claves"].values())


def gestion_cue(text: str | None) -> tuple[int, int] | None:
    """The first explicit gestión cue in ``text`` (``[gestion.claves]``, matched on the
    folded text): ``(position, year)``, or None.  'GESTIÓN 2021', 'POA 2019', 'PLAN
    OPERATIVO ANUAL ENERO A DICIEMBRE 2019', 'al 31 de diciembre de 2020' are cues; a
    bare year ('puertos 2001', 'Ley N° 145 de 2011') is not (DATASETS.md ``gestion``)."""
    folded = fold(text)
    hits = [(m.start(), int(m["anio"])) for rx in _gestion_cues() if (m := rx.search(folded))]
    return min(hits) if hits else None


def labelled_gestion(lines: list[str]) -> int | None:
    """The year of the first line that starts with a gestión cue and is a label: a ':'
    in the cue ('GESTIÓN DEL POA: 2021', 'Gestión: 2024') or nothing after the year
    ('GESTIÓN 2024').  A sentence that merely starts with one ('gestión 2019 y el
    periodo ...') is not."""
    for ln in lines:
        folded = fold(ln)
        for rx in _gestion_cues():
            m = rx.match(folded)
            if m and (":" in m.group(0) or not folded[m.end():].strip(" .")):
                return int(m["anio"])
    return None


def detect_gestion(pages: list[Page], titulo: str | None, tipo: str, fecha: date | None = None,
                   labelled: int | None = None) -> int:
    """Fiscal year from explicit cues only (DATASETS.md ``gestion``; cues and kinds in
    ``[gestion]`` of documentos.toml), in this order: a cue in the title; a labelled head
    line of the first page (:func:`labelled_gestion`) or ``labelled`` (a report's
    'Gestión examinada:' value); for the kinds in ``texto``, the first cue printed on the
    first two pages; for the kinds in ``fecha_emision``, the year of ``fecha`` (date of
    issue).  ``0`` when the document gives none."""
    conf = knowledge()["gestion"]
    if (hit := gestion_cue(titulo)):
        return hit[1]
    head = labelled_gestion(text_lines(pages[0])[:40]) if pages else None
    if head or labelled:
        return head or labelled
    if tipo in conf["texto"]:
        for p in pages[:2]:
            if (hit := gestion_cue(p.texto)):
                return hit[1]
    if tipo in conf["fecha_emision"] and fecha is not None:
        return fecha.year
    return 0


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


# --------------------------------------------------------------------------- text rules
# Resoluciones and audit reports arrive scanned: their rules read ``Page.texto`` line by
# line (not word geometry) and tolerate OCR noise: accents lost, the número sign read as
# 'N*', 'Nº', 'No.', 'Nro.', extra spaces, labels broken over two lines.

_ACCENTS = {"a": "aáàäâ", "e": "eéèëê", "i": "iíìïî", "o": "oóòöô", "u": "uúùüû", "n": "nñ"}

NUM_SIGN = r"(?:N\s?(?:[°º˚o]\.?|[*?”\"'’%]|ro\.?|\.)|Nro\.?|N[uú]m\.?|N[uú]mero)"
"""The número sign as printed or as OCR reads it: ``N°``, ``Nº``, ``N*``, ``N?``, ``No.``,
``N.``, ``Nro.``, ``Núm.``, ``Número`` (case-insensitive where used)."""

_NUM_SIGN_RE = re.compile(rf"(?<![^\W\d_]){NUM_SIGN}(?=\s?[0-9A-Z])", re.IGNORECASE)


def loose(phrase: str) -> str:
    """Regex source matching ``phrase`` (folded data) accent- and case-insensitively, with
    any run of spaces in the text where the phrase has one and optional spaces around its
    punctuation (use with ``re.IGNORECASE``)."""
    out = []
    for ch in fold(phrase):
        if ch == " ":
            out.append(r"\s+")
        elif ch in _ACCENTS:
            out.append(f"[{_ACCENTS[ch]}]")
        elif ch.isalnum():
            out.append(re.escape(ch))
        else:
            out.append(rf"\s?{re.escape(ch)}\s?")
    return "".join(out)


@lru_cache(maxsize=256)
def _label_re(phrases: tuple[str, ...]) -> re.Pattern:
    """A line that starts with one of ``phrases`` (longest first) as whole words."""
    alts = "|".join(loose(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"^\s*(?:{alts})(?![^\W\d_])", re.IGNORECASE)


def starts_with(line: str, phrases) -> re.Match | None:
    """Match of the phrase of ``phrases`` that ``line`` starts with, else None."""
    return _label_re(tuple(phrases)).match(line)


def text_lines(page: Page) -> list[str]:
    """Non-blank lines of ``page.texto``, stripped."""
    return [ln.strip() for ln in (page.texto or "").splitlines() if ln.strip()]


def normalize_numero(raw: str | None, emisor: str | None = None) -> str | None:
    """A document number as printed, whitespace-normalized (DATASETS.md ``documentos.numero``).

    - runs of whitespace -> one space, no space beside '/';
    - the número sign in any printed or OCR form (``Nº``, ``N*``, ``No.``, ``Nro.`` ...)
      -> ``N°``; a sign that only labels the number (``N° 036/2024``) is dropped, one
      inside the code (``SEGIP/DGE/N°036/2024``) is kept;
    - trailing punctuation dropped;
    - when ``[numeros]`` gives the shape of ``emisor``'s numbers and the text does not
      have it, the characters OCR confuses (``[ocr_confusiones]``: 5/S, 0/O ...) are
      swapped until it does (fewest swaps, at most 2): ``K3/GP445/524-G1`` ->
      ``K3/GP445/S24-G1``.
    ``None`` for blank input."""
    s = clean_text(raw)
    if not s:
        return None
    s = _NUM_SIGN_RE.sub("N°", s)
    s = re.sub(r"\s*/\s*", "/", s)
    s = re.sub(r"^N°\s*[:.]?\s*", "", s)
    s = re.sub(r"(?<=/)N°\s+(?=[0-9])", "N°", s)
    s = s.strip(" .,;:-–—")
    shape = knowledge().get("numeros", {}).get(emisor or "")
    if shape and s:
        s = _repair_shape(s, shape)
    return s or None


def _repair_shape(s: str, shape: str, max_swaps: int = 2) -> str:
    rx = re.compile(shape)
    if rx.match(s):
        return s
    conf = knowledge().get("ocr_confusiones", {})
    spots = [i for i, ch in enumerate(s) if ch in conf]
    for k in range(1, max_swaps + 1):
        for combo in combinations(spots, k):
            t = list(s)
            for i in combo:
                t[i] = conf[t[i]]
            cand = "".join(t)
            if rx.match(cand):
                return cand
    return s


_NUMBER_TOKEN = re.compile(r"[0-9/°]|^[A-ZÁÉÍÓÚÑ]{2,}[./-]?$|^[A-Z]{1,3}[0-9]")


def _number_part(rest: str) -> str | None:
    """The number at the start of ``rest`` (the text after a heading or label): its tokens
    up to the first one that is an ordinary word (lower case) or a place-date."""
    rest = _NUM_SIGN_RE.sub("N°", rest.strip(" :.-–—"))
    keep: list[str] = []
    for tok in rest.split():
        if keep and (tok.endswith(",") or not _NUMBER_TOKEN.search(tok)):
            break
        if not keep and not (_NUMBER_TOKEN.search(tok) or tok == "N°"):
            return None
        keep.append(tok)
    out = " ".join(keep)
    return out if re.search(r"[0-9]", out) else None


def _head_lines(pages: list[Page], limit: int = 40) -> list[str]:
    """First lines of the document up to the first body marker (``[resoluciones].cuerpo``)."""
    out = []
    for ln in text_lines(pages[0])[:limit] if pages else []:
        if starts_with(ln, knowledge()["resoluciones"]["cuerpo"]):
            break
        out.append(ln)
    return out


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.85 * len(letters)


_PLACE_DATE = re.compile(r"^[^\W\d_]+(?:[ .'-]+[^\W\d_]+){0,5}\s*,\s*(?:[^\W\d_]+\s+)?[0-9]")
"""A place-date line: 'La Paz, 14 de febrero de 2024', 'Santa Cruz de la Sierra, lunes 3 ...'."""


def _is_place_date(line: str) -> bool:
    return len(line) <= 70 and bool(_PLACE_DATE.match(line))


def resolucion_fields(pages: list[Page]) -> dict:
    """numero, fecha and titulo of a resolución from the lines above its body
    (``VISTOS`` / ``CONSIDERANDO``): the number after the heading
    (``RESOLUCIÓN ADMINISTRATIVA SEGIP/DGE/N°036/2024``, or on the next line), the date
    of the place-date line (``La Paz, 14 de febrero de 2024``), and the subject heading:
    the capitalized lines below them (or a ``REF.:`` label's value)."""
    kb = knowledge()["resoluciones"]
    head = _head_lines(pages)
    numero = fecha = None
    num_idx = date_idx = -1
    for i, ln in enumerate(head):
        m = starts_with(ln, kb["encabezados"])
        if m and numero is None:
            numero = _number_part(ln[m.end():])
            if numero is None and i + 1 < len(head) and len(head[i + 1]) <= 60:
                numero = _number_part(head[i + 1])
                num_idx = i + 1 if numero else i
            else:
                num_idx = i
            continue
        if fecha is None and _is_place_date(ln):
            d = find_date(ln)
            if d:
                fecha, date_idx = d, i
    if fecha is None:
        for i, ln in enumerate(head):
            if i != num_idx and (d := find_date(ln)):
                fecha, date_idx = d, i
                break
    if fecha is None:
        fecha = _closing_date(pages)
    titulo = None
    for ln in head:
        m = starts_with(ln, kb["asunto"])
        if m and ":" in ln[m.end():m.end() + 3]:
            titulo = clean_text(ln[m.end():].lstrip(" .:"))
            break
    if titulo is None:
        block: list[str] = []
        for i, ln in enumerate(head):
            if i <= max(num_idx, date_idx) or i == date_idx:
                continue
            if starts_with(ln, kb["encabezados"]):
                continue
            if _is_caps(ln) and not ln.rstrip().endswith(":"):
                block.append(ln)
            elif block:
                break
        if not block:  # a subject printed in lower case: the few lines above the body
            rest = head[max(num_idx, date_idx) + 1:]
            block = rest if 0 < len(rest) <= 4 and num_idx >= 0 else []
        titulo = clean_text(" ".join(block)) if block else None
    return {"numero": normalize_numero(numero), "fecha": fecha, "titulo": titulo}


_CLOSING_DATE = re.compile(
    r"(?<![0-9])(?P<d>[0-9]{1,2})\s+d[ií]as?\s+del\s+mes\s+de\s+(?P<m>[^\W\d_]+)\s+"
    r"(?:de|del)\s+(?:a[ñn]o\s+)?(?P<y>[0-9]{4})", re.IGNORECASE)


def _closing_date(pages: list[Page]) -> date | None:
    """'... a los 14 días del mes de febrero de 2024' (the closing of a resolución)."""
    for p in pages:
        for m in _CLOSING_DATE.finditer(" ".join(text_lines(p))):
            mo = MONTHS.get(fold(m.group("m")))
            if mo:
                try:
                    return date(int(m.group("y")), mo, int(m.group("d")))
                except ValueError:
                    continue
    return None


_LABEL_LINE = re.compile(r"^[^\W\d_][^\W\d_ ]{0,30}:\s*$")
"""A line that is only a label ('Objetivo:', 'emisión:'): the value of the label above
it is not there."""


def _value_of(lines: list[str], i: int, end: int) -> str:
    """The value of the label that ends at ``end`` on ``lines[i]``: the rest of the line,
    or, when the label stands alone (OCR reads a two-column key/value block label first),
    the next line unless that is another label."""
    rest = lines[i][end:].strip(" .:-–—\t|")
    if rest or i + 1 >= len(lines):
        return rest
    nxt = lines[i + 1]
    return "" if _LABEL_LINE.match(nxt) or ":" in nxt[:25] else nxt


def _kv_fields(lines: list[str]) -> dict:
    """numero, fecha, entidad and gestión from the key/value lines of a report."""
    kb = knowledge()["informes"]
    numero = fecha = entidad = gestion = None
    num_label = re.compile(r"^\s*(?:" + "|".join(loose(p) for p in kb["numero"]) + r")\s*"
                           + NUM_SIGN + r"?\s*[:.]?\s*", re.IGNORECASE)
    for i, ln in enumerate(lines):
        m = num_label.match(ln)
        if m and (re.search(NUM_SIGN, ln[:m.end()], re.IGNORECASE) or ":" in ln[:m.end()]):
            numero = _number_part(_value_of(lines, i, m.end()))
            if numero:
                break
    for i, ln in enumerate(lines):
        if starts_with(ln, kb["fecha"]):  # 'Fecha de 12/12/2024' + 'emisión:', or 3 lines
            for cand in [ln] + [x for x in lines[i + 1:i + 3] if len(x) <= 40]:
                if (d := find_date(cand)):
                    fecha = d
                    break
            if fecha:
                break
    ents = knowledge()["entidades"]
    externos = knowledge().get("emisores_externos", {})
    for i, ln in enumerate(lines[:60]):
        m = starts_with(ln, kb["entidad"])
        if m and ":" in ln[m.end():m.end() + 3]:
            raw = _value_of(lines, i, m.end())
            value = fold(raw)
            for acr, names in ents.items():
                if acr in externos:
                    continue
                if re.search(rf"\b{re.escape(acr.casefold())}\b", value) or \
                        any(fold(n) in value for n in names):
                    entidad = acr
                    break
            if entidad is None:  # 'Empresa Estatal X — EEX', 'Ministerio de Y (MY)'
                acr = _TRAILING_ACRONYM.search(raw)
                entidad = acr.group(1) if acr else None
            break
    for i, ln in enumerate(lines[:60]):
        m = starts_with(ln, kb["gestion"])
        if m and ":" in ln[m.end():m.end() + 3]:
            years = set(YEAR.findall(_value_of(lines, i, m.end())))
            if len(years) == 1:
                gestion = int(years.pop())
                break
    return {"numero": numero, "fecha": fecha, "entidad": entidad, "gestion": gestion}


_TRAILING_ACRONYM = re.compile(r"[—–\-(]\s*([A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ-]{1,11})\s*\)?\s*$")


def informe_fields(pages: list[Page]) -> dict:
    """numero, fecha, titulo, entidad and gestión of an audit report from the key/value
    block of its first page(s) (``Informe N°:``, ``Fecha de emisión:``, ``Entidad:``),
    tolerant of OCR's reading of that block: a value on the line after its label, a label
    broken over two lines (``Fecha de 12/12/2024`` / ``emisión:``).  Fields still
    missing are looked for on the lines rebuilt from word positions (a label and its
    value share a line there even when OCR read the labels as a column of their own)."""
    kb = knowledge()["informes"]
    lines = [ln for p in pages[:2] for ln in text_lines(p)]
    titulo = None
    for i, ln in enumerate(lines[:25]):
        m = starts_with(ln, kb["titulos"])
        if m and _is_caps(ln) and ":" not in ln:
            block = [ln]
            for nxt in lines[i + 1:i + 4]:
                if ":" in nxt or not _is_caps(nxt):
                    break
                block.append(nxt)
            titulo = clean_text(" ".join(block))
            break
    f = _kv_fields(lines)
    if any(v is None for v in f.values()):
        geo = [t for p in pages[:2] for _, t in _word_lines(p)]
        if geo:
            g = _kv_fields(geo)
            f = {k: v if v is not None else g[k] for k, v in f.items()}
    return {**f, "titulo": titulo}


def emisor_externo(pages: list[Page]) -> str | None:
    """The external emitter (``[emisores_externos]``) named on the first lines of the
    first page (its letterhead), else None."""
    first = fold(" ".join(text_lines(pages[0])[:12])) if pages else ""
    for acr, names in knowledge().get("emisores_externos", {}).items():
        if any(fold(n) in first for n in names) or re.search(rf"\b{acr.casefold()}\b", first):
            return acr
    return None


def identify(pages: list[Page], table_tops: dict[int, float] | None = None) -> Identity:
    """Kind, entity, fiscal year, title, date and number of a document from its pages.

    ``table_tops``: per page, the top of its first table (a title block stops there).
    Resoluciones and audit reports are read from the page text (:func:`resolucion_fields`,
    :func:`informe_fields`); other kinds from the title block's word geometry."""
    tipo = detect_tipo(pages)
    entidad, emisor = detect_entidad(pages, tipo)
    if tipo == "resolucion":
        f = resolucion_fields(pages)
        titulo = f["titulo"]
        gestion = detect_gestion(pages, titulo, tipo, f["fecha"])
        return Identity(tipo=tipo, entidad=entidad, emisor=emisor, gestion=gestion,
                        titulo=titulo, fecha=f["fecha"], numero=f["numero"])
    if tipo == "informe_auditoria":
        f = informe_fields(pages)
        ext = emisor_externo(pages)
        if f["entidad"]:
            entidad = f["entidad"]
        emisor = ext or entidad
        fecha = f["fecha"] or _place_date(pages[:2])
        titulo = f["titulo"] or _geometry_title(pages, table_tops)
        gestion = detect_gestion(pages, titulo, tipo, fecha, f["gestion"])
        return Identity(tipo=tipo, entidad=entidad, emisor=emisor, gestion=gestion,
                        titulo=titulo, fecha=fecha,
                        numero=normalize_numero(f["numero"], emisor))
    titulo = _geometry_title(pages, table_tops)
    return Identity(tipo=tipo, entidad=entidad, emisor=emisor,
                    gestion=detect_gestion(pages, titulo, tipo), titulo=titulo,
                    fecha=detect_fecha(pages))


def _geometry_title(pages: list[Page], table_tops: dict[int, float] | None) -> str | None:
    for p in pages[:2]:
        block = title_lines(p, (table_tops or {}).get(p.numero))
        if block:
            return clean_text(" ".join(block))
    return None


def _place_date(pages: list[Page]) -> date | None:
    """The date of the first place-date line ('La Paz, 12 de diciembre de 2024')."""
    for p in pages:
        for ln in text_lines(p):
            if _is_place_date(ln) and (d := find_date(ln)):
                return d
    return None
