"""Bad scans on demand: the degradations entities' photocopied scans show, applied to a
clean page image, seeded and deterministic (``make bench-ocr``, the OCR tests).

:func:`degrade` turns a page rendered at 300 dpi into what a 150 dpi photocopy of a
photocopy looks like (issue 10's recipe):

1. downscale to ``dpi`` (150) with area averaging;
2. rotate by an angle of 1-2 degrees, its sign and size drawn from ``seed``, about the
   centre, white fill (the canvas keeps its size: a feeder skews, it does not pad);
3. gaussian noise, standard deviation ``noise_sigma`` gray levels (12);
4. JPEG at quality ``jpeg_quality`` (50), decoded again.

The same ``(image, seed, settings)`` always gives the same bytes: the random numbers
come from ``numpy.random.default_rng(seed)`` and OpenCV's resize, rotation and JPEG
codec are deterministic on one machine.  :func:`degraded_pdf` writes such pages as an
image-only PDF at ``dpi`` (what a scanner writes), so the whole pipeline can run on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np


@dataclass(frozen=True)
class Degradation:
    """The recipe: output resolution (dpi), rotation range (degrees, absolute value;
    the sign is drawn too), noise sigma (gray levels) and JPEG quality (1-100)."""

    dpi: int = 150
    min_deg: float = 1.0
    max_deg: float = 2.0
    noise_sigma: float = 12.0
    jpeg_quality: int = 50


DEFAULT_DEGRADATION = Degradation()


def degrade(gray: np.ndarray, seed: int, src_dpi: int = 300,
            recipe: Degradation = DEFAULT_DEGRADATION) -> tuple[np.ndarray, float]:
    """``(degraded image, rotation in degrees)`` of ``gray`` (``uint8`` ``(H, W)``, rendered
    at ``src_dpi``).  The result is ``uint8`` ``(H * dpi / src_dpi, W * dpi / src_dpi)``.
    Raises ``ValueError`` for a non-2-D image."""
    if gray.ndim != 2:
        raise ValueError(f"degrade needs a grayscale (H, W) image, got shape {gray.shape}")
    rng = np.random.default_rng(seed)
    f = recipe.dpi / src_dpi
    small = cv2.resize(gray, (max(1, round(gray.shape[1] * f)), max(1, round(gray.shape[0] * f))),
                       interpolation=cv2.INTER_AREA)
    angle = float(rng.uniform(recipe.min_deg, recipe.max_deg)) * (1 if rng.random() < 0.5 else -1)
    h, w = small.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    noisy = rotated.astype(np.float32) + rng.normal(0.0, recipe.noise_sigma, rotated.shape)
    noisy = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    ok, jpg = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, int(recipe.jpeg_quality)])
    if not ok:  # pragma: no cover - OpenCV always encodes a uint8 gray image
        raise ValueError("JPEG encoding failed")
    return cv2.imdecode(jpg, cv2.IMREAD_GRAYSCALE), round(angle, 4)


def degraded_pdf(pdf: str | Path, pages: Sequence[int], out: str | Path, seed: int,
                 recipe: Degradation = DEFAULT_DEGRADATION) -> list[float]:
    """Write ``out``: an image-only PDF of ``pages`` (1-based) of ``pdf``, each rendered
    at 300 dpi and :func:`degrade`-d with seed ``seed + page``, embedded as JPEG (quality 95, so the page is not degraded twice) at
    ``recipe.dpi`` (so the PDF page keeps the original's size in points).  Returns the
    rotation of each page, in page order."""
    from PIL import Image

    from extract.preprocess import render_page, to_grayscale

    images, angles = [], []
    for p in pages:
        img, angle = degrade(to_grayscale(render_page(pdf, p, 300)), seed + int(p), 300, recipe)
        images.append(Image.fromarray(img))
        angles.append(angle)
    images[0].save(str(out), "PDF", resolution=float(recipe.dpi), save_all=True,
                   append_images=images[1:], quality=95)
    return angles
