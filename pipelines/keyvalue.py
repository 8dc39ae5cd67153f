"""Key/value blocks printed as text lines, ``LABEL: value`` (not as a table).

Forms print their header block (CÓDIGO PEI, UNIDAD ORGANIZACIONAL, ACCIÓN DE CORTO
PLAZO ...) as a bordered table, a borderless two-column block (both read by the table
layer, then by :func:`pipelines.poa.read_form_header`), or as lines
``CÓDIGO PEI: 11.3.316.2``.  This module reads the last kind: a line whose text before
the first colon is a known label (header synonyms of a table kind, as data) starts a
field; the lines right below it that carry no label, set close and indented to its
value, continue that value.  Lines inside a table are never read here.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from extract.geometry import centre_inside, group_lines, line_text
from extract.models import BBox, Page
from normalize.headers import match_header

_LABEL = re.compile(r"^\s*(?P<label>[^:]{2,70}?)\s*:\s*(?P<value>.*)$")
MIN_FIELDS = 2
"""A block needs this many recognised labels (one stray ``Resultado: ...`` line in a
paragraph is no form header)."""


@dataclass
class LabelBlock:
    """One block of ``LABEL: value`` lines: field -> value, page and top (pt)."""

    pagina: int
    top: float
    values: dict[str, str] = field(default_factory=dict)


def label_blocks(page: Page, boxes: Sequence[BBox], kind: str) -> list[LabelBlock]:
    """The ``LABEL: value`` blocks of ``page`` outside the table ``boxes``, labels
    matched against the synonyms of table kind ``kind`` (``normalize.headers``)."""
    words = [w for w in page.words if not any(centre_inside(w.bbox, b, 1.0) for b in boxes)]
    out: list[LabelBlock] = []
    cur: LabelBlock | None = None
    last_field: str | None = None
    value_x = 0.0
    last_bottom = None
    for ln in group_lines(words):
        text = line_text(ln)
        top, bottom = min(w.top for w in ln), max(w.bottom for w in ln)
        height = max(1.0, bottom - top)
        near = last_bottom is not None and top - last_bottom <= 1.5 * height
        m = _LABEL.match(text)
        f = match_header(m.group("label"), kind) if m else None
        if f is not None:
            if cur is None or not near:
                if cur is not None and len(cur.values) >= MIN_FIELDS:
                    out.append(cur)
                cur = LabelBlock(page.numero, top)
            cur.values.setdefault(f, m.group("value").strip())
            last_field = f if f in cur.values else None
            value_x = ln[0].x0 + 10
        elif cur is not None and near and last_field is not None and ln[0].x0 >= value_x:
            cur.values[last_field] = f"{cur.values[last_field]} {text}".strip()
        else:
            if cur is not None and len(cur.values) >= MIN_FIELDS:
                out.append(cur)
            cur, last_field = None, None
        last_bottom = bottom
    if cur is not None and len(cur.values) >= MIN_FIELDS:
        out.append(cur)
    return out
