"""Configuration checked once, at start (OCRmyPDF's habit: validate every option in one
place before any work).

The document knowledge kept as data, ``pipelines/data/``:

- ``headers.toml`` and every ``headers_*.toml`` beside it: header synonyms per kind of
  table (:mod:`normalize.headers`);
- ``documentos.toml``: entity names, document kinds, title headings, the phrases of
  resoluciones and audit reports (:mod:`pipelines.identify`, :mod:`pipelines.disposiciones`);
- ``tablas.toml``: what the table layer knows about tables in general (continuation
  marks of captions, connector words of wrapped cells; :mod:`extract.tables.data`).

:func:`validate_config` parses them, checks their shape and their consistency, and
raises :class:`extract.errors.ConfigError` naming the file and the line; the CLI turns
it into exit code 2 before any document is touched.  The loaders the pipeline uses are
then primed (their caches hold what was validated).

Checks (each one a mistake seen or easy to make when editing the files by hand):

- TOML syntax (the line ``tomllib`` reports);
- shape: every section the code reads is present with its type (a list of non-empty
  strings, a table of such lists, an integer, a regular expression...);
- header synonyms: ``[matching].min_ratio`` in 1..100; a synonym that folds to nothing
  (only digits or punctuation: it can never match); the same synonym (folded) under
  two fields of one kind (which field a header gets would depend on file order); a
  field of one kind defined in two files (the second silently replaces the first);
- tablas: a ``[totales]`` label both a grand total and a subtotal (which one a row
  is would be ambiguous);
- documentos: a document kind outside the contract's (``DATASETS.md``, ``documentos.tipo``);
  an external emitter (``[emisores_externos]``) that is not in ``[entidades]``; a
  ``[numeros]`` pattern that does not compile; an ``[ocr_confusiones]`` entry that is
  not one character for one character.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from extract.errors import ConfigError
from normalize.text import fold

TIPOS = ("poa", "rendicion_cuentas", "resolucion", "informe_auditoria")
"""Document kinds of the contract (``documentos.tipo``; ``otro`` is what none matches)."""

HEADER_KINDS = ("poa", "poa_acciones", "presupuesto", "poa_ejecucion", "formulario",
                "formulario_etiquetas")
"""Kinds of table the code looks synonyms up for (``normalize.headers.synonyms()[kind]``)."""

# Shape of documentos.toml: section -> key -> type ("strlist": list of non-empty strings;
# "map:strlist": table of such lists; "map:int": table of integers >= 1; "map:regex":
# table of regular expressions; "map:char": one character -> one character).
DOCUMENTOS_SHAPE: dict[str, str | dict[str, str]] = {
    "entidades": "map:strlist",
    "emisores_externos": "map:strlist",
    "tipos": "map:strlist",
    "titulos": {"inicio": "strlist", "fin": "strlist"},
    "resoluciones": {"encabezados": "strlist", "cuerpo": "strlist", "asunto": "strlist",
                     "resuelve": "strlist", "ordinales": "strlist", "unico": "strlist",
                     "prefijos_ordinal": "strlist", "cierre": "strlist",
                     "ordinales_variantes": "map:int"},
    "informes": {"titulos": "strlist", "numero": "strlist", "fecha": "strlist",
                 "entidad": "strlist", "gestion": "strlist", "recomendaciones": "strlist",
                 "fin_recomendaciones": "strlist"},
    "numeros": "map:regex",
    "ocr_confusiones": "map:char",
    "firmas": {"cargos": "strlist"},
    "gestion": {"texto": "strlist", "fecha_emision": "strlist", "claves": "map:regex"},
}


TABLAS_SHAPE: dict[str, str | dict[str, str]] = {
    "continuacion": {"marcas": "strlist"},
    "filas": {"conectores": "strlist"},
    "codigos": {"encabezados": "strlist"},
    "totales": {"generales": "strlist", "calificativos": "strlist", "subtotales": "strlist",
                "grupos": "strlist", "no_sumables": "strlist", "escalas": "strlist"},
}
"""Shape of tablas.toml (same notation as :data:`DOCUMENTOS_SHAPE`)."""


@dataclass(frozen=True)
class ConfigFiles:
    """Where the data files are (module attributes of their loaders, read when called)."""

    headers: Path
    headers_extra: tuple[Path, ...]
    documentos: Path
    tablas: Path | None = None


def config_files() -> ConfigFiles:
    """The data files the pipeline loads, from their loaders' modules."""
    from extract.tables import data as tablas
    from normalize import headers
    from pipelines import identify

    return ConfigFiles(headers.HEADERS_FILE, tuple(sorted(headers.DATA_DIR.glob("headers_*.toml"))),
                       identify.DATA_FILE, tablas.DATA_FILE)


class _Source:
    """One TOML file: its parsed data and a way to find the line of a key."""

    def __init__(self, path: Path):
        self.path = path
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(str(path), None, f"no se puede leer ({exc.strerror or exc}); "
                                               "restáurelo desde el repositorio (git checkout).") from None
        try:
            self.text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            raise ConfigError(str(path), line, "no está en UTF-8; guárdelo como UTF-8.") from None
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            line = int(m.group(1)) if m else None
            msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise ConfigError(str(path), line, f"TOML inválido: {msg}"
                                               f"{f' (columna {m.group(2)})' if m else ''}.") from None
        self.lines = self.text.splitlines()

    def line_of(self, section: str, key: str | None = None) -> int | None:
        """1-based line of ``[section]`` (dotted for a sub-table) or of ``key`` inside it."""
        current = None
        header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
        section_line = None
        for i, ln in enumerate(self.lines, 1):
            m = header.match(ln)
            if m:
                current = m.group(1).replace('"', "").replace(" ", "")
                if current == section:
                    section_line = i
                continue
            if key is not None and current == section:
                k = re.match(r'^\s*"?([^"=]+?)"?\s*=', ln)
                if k and k.group(1).strip() == key:
                    return i
        return section_line

    def fail(self, section: str, key: str | None, mensaje: str) -> ConfigError:
        """A :class:`ConfigError` for this file at the line of ``[section] key``."""
        return ConfigError(str(self.path), self.line_of(section, key), mensaje)


def _check_strlist(src: _Source, section: str, key: str, value) -> None:
    where = f"[{section}] {key}"
    if not isinstance(value, list) or not value:
        raise src.fail(section, key, f"{where} debe ser una lista no vacía de textos entre comillas, "
                                     f"p. ej. {key} = [\"...\"].")
    for v in value:
        if not isinstance(v, str) or not v.strip():
            raise src.fail(section, key, f"{where} tiene un valor que no es un texto no vacío ({v!r}).")


def _check_value(src: _Source, section: str, key: str, kind: str, value) -> None:
    where = f"[{section}] {key}"
    if kind == "strlist":
        _check_strlist(src, section, key, value)
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise src.fail(section, key, f"{where} debe ser un número entero mayor que 0 (es {value!r}).")
    elif kind == "regex":
        if not isinstance(value, str):
            raise src.fail(section, key, f"{where} debe ser una expresión regular entre comillas.")
        try:
            re.compile(value)
        except re.error as exc:
            raise src.fail(section, key, f"{where}: la expresión regular no es válida ({exc}).") from None
    elif kind == "char":
        if not (isinstance(value, str) and len(value) == 1 and len(key) == 1):
            raise src.fail(section, key, f"{where}: cada confusión es un carácter por otro "
                                         f"(\"5\" = \"S\"), no {key!r} = {value!r}.")


def _check_shape(src: _Source, section: str, shape, value) -> None:
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise src.fail(section, None, f"[{section}] debe ser una sección (tabla).")
        for key, sub in shape.items():
            if key not in value:
                raise src.fail(section, None, f"a [{section}] le falta la clave {key!r}, que el "
                                              "pipeline lee; restáurela (git diff muestra qué cambió).")
            if isinstance(sub, dict) or sub.startswith("map:"):
                _check_shape(src, f"{section}.{key}", sub, value[key])
            else:
                _check_value(src, section, key, sub, value[key])
        return
    if shape.startswith("map:"):
        if not isinstance(value, dict):
            raise src.fail(section, None, f"[{section}] debe ser una sección (tabla) de claves = valores.")
        for key, v in value.items():
            _check_value(src, section, key, shape[4:], v)
        return
    parent, _, key = section.rpartition(".")
    _check_value(src, parent, key, shape, value)


def validate_headers(files: ConfigFiles) -> dict:
    """Check the header synonym files; return their merged data (what
    ``normalize.headers.synonyms()`` returns).  Raises :class:`ConfigError`."""
    from normalize.headers import header_key

    main = _Source(files.headers)
    sources = [main] + [_Source(p) for p in files.headers_extra]
    matching = main.data.get("matching")
    if not isinstance(matching, dict) or "min_ratio" not in matching:
        raise main.fail("matching", None, "falta [matching] min_ratio (similitud mínima 1-100 "
                                          "para aceptar un encabezado parecido).")
    r = matching["min_ratio"]
    if isinstance(r, bool) or not isinstance(r, (int, float)) or not 1 <= r <= 100:
        raise main.fail("matching", "min_ratio", f"[matching] min_ratio debe ser un número de 1 a 100 (es {r!r}).")
    wr = matching.get("min_word_ratio", 100)
    if isinstance(wr, bool) or not isinstance(wr, (int, float)) or not 1 <= wr <= 100:
        raise main.fail("matching", "min_word_ratio",
                        f"[matching] min_word_ratio debe ser un número de 1 a 100 (es {wr!r}).")
    if "stop_words" in matching:
        _check_strlist(main, "matching", "stop_words", matching["stop_words"])
    merged: dict[str, dict] = {"matching": matching}
    owner: dict[tuple[str, str], _Source] = {}
    for src in sources:
        for kind, table in src.data.items():
            if kind == "matching" and src is main:
                continue
            if not isinstance(table, dict):
                raise src.fail(kind, None, f"{kind} debe ser una sección [{kind}] de campo = [sinónimos].")
            by_key: dict[str, str] = {}
            for other_field, words in merged.get(kind, {}).items():
                for w in words:
                    by_key.setdefault(header_key(w), other_field)
            for fld, words in table.items():
                _check_strlist(src, kind, fld, words)
                if (kind, fld) in owner:
                    raise src.fail(kind, fld, f"[{kind}] {fld} ya está definido en "
                                              f"{owner[kind, fld].path.name}: júntelos en un solo archivo.")
                owner[kind, fld] = src
                for w in words:
                    k = header_key(w)
                    if not k:
                        raise src.fail(kind, fld, f"[{kind}] {fld}: el sinónimo {w!r} no tiene letras "
                                                  "(se comparan sin dígitos ni signos), nunca coincidiría.")
                    if by_key.get(k, fld) != fld:
                        raise src.fail(kind, fld, f"[{kind}]: el sinónimo {w!r} está en {fld} y en "
                                                  f"{by_key[k]}; déjelo en uno solo.")
                    by_key[k] = fld
            merged.setdefault(kind, {}).update(table)
    for kind in HEADER_KINDS:
        if kind not in merged:
            raise main.fail(kind, None, f"falta la sección [{kind}] de sinónimos de encabezado, que el "
                                        f"pipeline usa (en {files.headers.name} o un headers_*.toml).")
    return merged


def validate_documentos(files: ConfigFiles) -> dict:
    """Check ``documentos.toml``; return its data.  Raises :class:`ConfigError`."""
    src = _Source(files.documentos)
    data = src.data
    for section, shape in DOCUMENTOS_SHAPE.items():
        if section not in data:
            raise ConfigError(str(src.path), None, f"falta la sección [{section}], que el pipeline "
                                                   "lee; restáurela (git diff muestra qué cambió).")
        _check_shape(src, section, shape, data[section])
    for tipo in data["tipos"]:
        if tipo not in TIPOS:
            raise src.fail("tipos", tipo, f"[tipos] {tipo}: no es un tipo de documento del contrato "
                                          f"({', '.join(TIPOS)}).")
    for key in ("texto", "fecha_emision"):
        for kind in data["gestion"][key]:
            if kind not in TIPOS + ("otro",):
                raise src.fail("gestion", key, f"[gestion] {key}: {kind} no es un tipo de documento "
                                               f"del contrato ({', '.join(TIPOS)}, otro).")
    for name, rx in data["gestion"]["claves"].items():
        if "anio" not in re.compile(rx).groupindex:
            raise src.fail("gestion.claves", name, f"[gestion.claves] {name}: la expresión debe "
                                                   "marcar el año con el grupo (?P<anio>...).")
    for acr in data["emisores_externos"]:
        if acr not in data["entidades"]:
            raise src.fail("emisores_externos", acr, f"[emisores_externos] {acr} no está en "
                                                     "[entidades]: agréguelo allí con sus nombres.")
    return data


def validate_tablas(files: ConfigFiles) -> dict:
    """Check ``tablas.toml``; return its data (``{}`` when ``files.tablas`` is None).
    Raises :class:`ConfigError`."""
    if files.tablas is None:
        return {}
    src = _Source(files.tablas)
    for section, shape in TABLAS_SHAPE.items():
        if section not in src.data:
            raise ConfigError(str(src.path), None, f"falta la sección [{section}], que el pipeline "
                                                   "lee; restáurela (git diff muestra qué cambió).")
        _check_shape(src, section, shape, src.data[section])
    tot = src.data["totales"]
    general = {fold(w) for w in tot["generales"]}
    for w in tot["subtotales"]:
        if fold(w) in general:
            raise src.fail("totales", "subtotales", f"[totales]: {w!r} está en generales y en "
                                                    "subtotales; déjelo en uno solo.")
    return src.data


def validate_ocr() -> None:
    """Check the OCR engine settings once, at start: ``$OCR_SECOND_ENGINE``
    (:func:`extract.ocr.second_engine_setting`) names a known engine and, unless it is
    ``none``, that engine's settings (:class:`extract.ocr.SecondEngine`) are in range and
    its package and model files are installed.  Tesseract itself is probed by the OCR
    stage the first time a document has a scanned page (a digital-only run does not need
    it).  Raises :class:`ConfigError` naming the setting and the remedy."""
    from extract import ocr
    from extract.tesseract import OcrError

    try:
        second = ocr.second_engine_setting()
    except ValueError as exc:
        raise ConfigError(f"${ocr.SECOND_ENGINE_ENV}", None, f"segundo motor OCR: {exc}") from exc
    if second is None:
        return
    try:
        second.validate()
    except (ValueError, OcrError) as exc:
        raise ConfigError("extract/ocr.py", None, f"segundo motor OCR ({second.name}): {exc}") from exc


def validate_config(files: ConfigFiles | None = None) -> ConfigFiles:
    """Validate every data file (see the module docstring) and the OCR engine settings
    (:func:`validate_ocr`), then load the files through the pipeline's own loaders so
    that what runs is what was checked.  Returns the files.

    Raises :class:`ConfigError` (exit code 2) naming the file and line."""
    files = files or config_files()
    validate_headers(files)
    validate_documentos(files)
    validate_tablas(files)
    validate_ocr()
    from extract.tables import data as tablas
    from normalize import headers
    from pipelines import identify

    loaders = [(headers.synonyms, files.headers), (identify.knowledge, files.documentos)]
    if files.tablas is not None:
        loaders.append((tablas.knowledge, files.tablas))
    for loader, path in loaders:
        loader.cache_clear()
        try:
            loader()
        except Exception as exc:  # a loader that disagrees with the checks above
            raise ConfigError(str(path), None, f"no se pudo cargar ({type(exc).__name__}: {exc}).") from exc
    return files
