"""The one seam to Tesseract: every OCR call of the project goes through this module.

- :func:`tesseract_version` / :func:`check_language`: the install probe, run once per
  process (``lru_cache``); a missing binary or language pack is an :class:`OcrError`
  with the ``apt-get install`` line to run;
- :func:`engine_id`: what identifies the engine in a cache key - the version string and
  the SHA-256 of each ``<lang>.traineddata`` file used, so a new Tesseract *or* a new
  language model (a Debian update of ``tesseract-ocr-spa`` keeps the version) misses the
  cache instead of returning another engine's text;
- :func:`image_to_data`: the single call (``pytesseract.image_to_data``, TSV as a dict
  of lists), optionally through the disk cache;
- :class:`OcrCache`: the on-disk cache, one JSON file per entry, ``<dir>/<key>.json``,
  ``key = sha256(json{kind, image sha256, settings, engine_id, CACHE_VERSION})``.  Two
  kinds of entries share it: a page's OCR result (:func:`extract.ocr.ocr_page`, settings =
  language, dpi, page segmentation modes, config, preprocessing steps) and one raw call
  (:func:`image_to_data`, settings = language + full config string: the per-cell
  re-reads of :func:`extract.tables_image.reread_numeric_cells`).  Writes are atomic
  (temp file + rename) so parallel workers never see half a file; a corrupt file is a
  miss.

Errors surface as :class:`OcrError`, whose message names the file, the page and what to
do.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import cv2
import numpy as np

CACHE_VERSION = 5
"""Bump when a cached JSON layout or the text post-processing of cached results changes.
3: engine id with the traineddata hashes; raw-call entries for the cell re-reads.
4: two more guards in :func:`extract.ocr.choose_reading` (cached page words hold the
chosen reading, so a rule change must miss the old entries).
5: page words on the straightened page (no longer turned back onto the scan) and the
skew undone, ``skew_deg``."""

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-spa"


class OcrError(Exception):
    """OCR of a page failed.  The message names the file, the page and the remedy.

    ``pdf_path`` and ``page_number`` (1-based) are kept as attributes; either may be
    ``None`` for image-level calls (:func:`extract.ocr.ocr_image`).
    """

    def __init__(self, message: str, pdf_path: str | Path | None = None,
                 page_number: int | None = None) -> None:
        where = ""
        if pdf_path is not None:
            where = f"{pdf_path}" + (f" page {page_number}" if page_number is not None else "")
            where += ": "
        super().__init__(where + message)
        self.pdf_path = None if pdf_path is None else str(pdf_path)
        self.page_number = page_number

    def __reduce__(self):  # keep attributes across process boundaries
        msg = str(self)
        return (_rebuild_ocr_error, (msg, self.pdf_path, self.page_number))


def _rebuild_ocr_error(msg: str, pdf_path: str | None, page_number: int | None) -> OcrError:
    err = OcrError(msg)
    err.pdf_path, err.page_number = pdf_path, page_number
    return err


# --------------------------------------------------------------------------- probe


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    """Tesseract's version string (e.g. ``'5.3.0'``), asked once per process.

    Raises :class:`OcrError` (with the apt-get hint) when the binary is missing.
    """
    import pytesseract

    try:
        return str(pytesseract.get_tesseract_version())
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise OcrError(f"tesseract not installed ({exc}): {INSTALL_HINT}") from exc


_RE_TESSDATA = re.compile(r'languages in "([^"]+)"')


@lru_cache(maxsize=4)
def _languages(version: str) -> tuple[Path | None, frozenset[str]]:
    """``(tessdata folder, installed languages)`` from ``tesseract --list-langs``."""
    import pytesseract

    cmd = pytesseract.pytesseract.tesseract_cmd
    try:
        proc = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OcrError(f"cannot list tesseract languages ({exc}): {INSTALL_HINT}") from exc
    out = proc.stdout + proc.stderr
    m = _RE_TESSDATA.search(out)
    lines = [ln.strip() for ln in proc.stdout.splitlines()[1:] if ln.strip()]
    return (Path(m.group(1)) if m else None), frozenset(lines)


def check_language(lang: str) -> None:
    """Raise :class:`OcrError` unless every ``+``-joined language in ``lang`` is installed."""
    _, have = _languages(tesseract_version())
    missing = [x for x in lang.split("+") if x not in have]
    if missing:
        raise OcrError(f"tesseract language(s) {', '.join(missing)} not installed "
                       f"(have {', '.join(sorted(have)) or 'none'}): "
                       f"apt-get install " + " ".join(f"tesseract-ocr-{m}" for m in missing))


@lru_cache(maxsize=8)
def _traineddata_sha(path: str, size: int, mtime_ns: int) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def engine_id(lang: str) -> dict[str, Any]:
    """What identifies the engine for ``lang`` in a cache key: ``{"tesseract": version,
    "traineddata": {lang: sha256 or None}}`` (``None`` when the file is not found, e.g. a
    ``TESSDATA_PREFIX`` layout we do not know: the version alone then keys it).
    Raises :class:`OcrError` when Tesseract is missing."""
    version = tesseract_version()
    folder, _ = _languages(version)
    folder = Path(os.environ["TESSDATA_PREFIX"]) if os.environ.get("TESSDATA_PREFIX") else folder
    data: dict[str, str | None] = {}
    for one in lang.split("+"):
        f = folder / f"{one}.traineddata" if folder else None
        if f is not None and f.is_file():
            st = f.stat()
            data[one] = _traineddata_sha(str(f), st.st_size, st.st_mtime_ns)
        else:
            data[one] = None
    return {"tesseract": version, "traineddata": data}


def build_config(psm: int, config: str = "", *, dpi: int | None = None,
                 whitelist: str | None = None) -> str:
    """The Tesseract command-line config string: ``--psm``, ``--dpi``, extra options and
    ``-c tessedit_char_whitelist=...`` when ``whitelist`` is given.  Raises ``ValueError``
    for a whitelist with whitespace or quotes."""
    parts = [f"--psm {int(psm)}"]
    if dpi:
        parts.append(f"--dpi {int(dpi)}")
    if config:
        parts.append(config.strip())
    if whitelist:
        if any(c.isspace() or c in "'\"" for c in whitelist):
            raise ValueError("whitelist may not contain whitespace or quotes")
        parts.append(f"-c tessedit_char_whitelist={whitelist}")
    return " ".join(parts)


# --------------------------------------------------------------------------- cache


def image_sha256(image: np.ndarray) -> str:
    """SHA-256 hex of an image: its shape, dtype and raw pixel bytes."""
    h = hashlib.sha256()
    h.update(f"{image.shape}|{image.dtype}|".encode())
    h.update(np.ascontiguousarray(image).tobytes())
    return h.hexdigest()


class OcrCache:
    """The OCR disk cache in folder ``root`` (created on the first write).

    :meth:`key` names an entry; :meth:`load` returns its JSON (``None`` when missing or
    corrupt: the caller redoes the OCR); :meth:`save` writes it atomically."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @staticmethod
    def key(kind: str, image_sha: str, settings: dict[str, Any], engine: dict[str, Any]) -> str:
        """Entry name: SHA-256 of ``kind`` (``'page'`` / ``'call'``), the image hash, the
        settings, the engine id and :data:`CACHE_VERSION`."""
        blob = json.dumps({"kind": kind, "image": image_sha, "settings": settings,
                           "engine": engine, "cache_version": CACHE_VERSION}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def load(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or corrupt (e.g. interrupted write): redo the OCR

    def save(self, key: str, payload: dict[str, Any]) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.stem, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(payload, f, ensure_ascii=False)
            os.replace(tmp, path)  # atomic: parallel workers never see half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def as_cache(cache: OcrCache | str | Path | None) -> OcrCache | None:
    """``cache`` as an :class:`OcrCache` (a folder path is wrapped; ``None`` stays)."""
    if cache is None or isinstance(cache, OcrCache):
        return cache
    return OcrCache(cache)


# --------------------------------------------------------------------------- the call


@contextmanager
def _as_pnm(image: np.ndarray) -> Iterator[str]:
    """``image`` written to a temporary uncompressed PGM/PPM file, its path; deleted after.

    pytesseract would save a PNG: on a 300 dpi page, compressing it and Tesseract
    decompressing it again cost about 0.07 CPU s per call (``make bench-scale``).  The
    pixels Tesseract reads are the same."""
    if image.ndim == 3:  # OpenCV writes BGR
        image = cv2.cvtColor(image, cv2.COLOR_RGBA2BGR if image.shape[2] == 4 else cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".pgm" if image.ndim == 2 else ".ppm", np.ascontiguousarray(image))
    if not ok:
        raise OcrError(f"image of shape {image.shape} could not be written for tesseract")
    fd, path = tempfile.mkstemp(prefix="ocr-", suffix=".pnm")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buf.tobytes())
        yield path
    finally:
        Path(path).unlink(missing_ok=True)


def image_to_data(image: np.ndarray, *, lang: str, config: str,
                  cache: OcrCache | str | Path | None = None) -> dict[str, list]:
    """Tesseract's TSV of ``image`` (``uint8``, gray or RGB) as a dict of columns
    (``text``, ``conf``, ``left``, ``top``, ``width``, ``height``, ``block_num``, ...),
    with ``lang`` and the command-line ``config`` (see :func:`build_config`).

    With ``cache`` the result is read from / written to the entry keyed by the image
    hash, ``lang``, ``config`` and :func:`engine_id`.  Raises :class:`OcrError` when
    Tesseract is missing, the language is not installed or Tesseract fails."""
    import pytesseract

    store = as_cache(cache)
    key = None
    if store is not None:
        key = store.key("call", image_sha256(image), {"lang": lang, "config": config},
                        engine_id(lang))
        hit = store.load(key)
        if hit is not None and isinstance(hit.get("data"), dict):
            return hit["data"]
    try:
        with _as_pnm(image) as path:
            data = pytesseract.image_to_data(path, lang=lang, config=config,
                                             output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrError(f"tesseract not installed: {INSTALL_HINT}") from exc
    except pytesseract.TesseractError as exc:
        msg = str(exc)
        if "Failed loading language" in msg or "Could not initialize" in msg:
            raise OcrError(f"tesseract language {lang!r} not installed ({msg.strip()}): "
                           f"apt-get install tesseract-ocr-{lang.split('+')[0]}") from exc
        raise OcrError(f"tesseract failed: {msg.strip()}") from exc
    if store is not None and key is not None:
        data = {k: list(v) for k, v in data.items()}
        store.save(key, {"data": data})
        data = json.loads(json.dumps(data))  # the same types a later cache hit returns
    return data
