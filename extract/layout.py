"""What the table strategies read of a page: words, drawn rules and filled areas, in
reading orientation.

A :class:`Layer` is one reading frame of a page: the page as displayed (pdfplumber
already applies ``/Rotate``), or the page turned so that text printed sideways (chars
rotated 90°, read top-to-bottom or bottom-to-top) reads left to right.  Each layer has
its own words, rules and fills, all in its frame; :meth:`Layer.to_page` maps a box back
to the page as displayed (what ``tablas`` boxes and the QA report use).

Text direction is read from the geometry, not from font matrices: consecutive chars
of the content stream that belong to one word advance right (normal text), down
(``ttb``), up (``btt``) or left.  Chars advancing left on upright glyphs are
right-to-left scripts (Hebrew, Arabic) printed in visual order: each such word's chars
are reversed here (:func:`fix_rtl_words`), and :func:`extract.geometry.line_text` reads
such a line right to left.

The layer keeps only compact data (tuples of small frozen objects), so the pdfplumber
page can be released once its layers are built.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from pdfplumber.utils import extract_words, obj_to_edges

from extract.geometry import is_rtl
from extract.models import BBox, Word

Direction = Literal["ltr", "ttb", "btt", "flip"]
"""How a layer's text runs on the displayed page: left to right (the page itself),
top to bottom, bottom to top, or upside down."""

WORD_SETTINGS = {"x_tolerance": 1.5, "y_tolerance": 2.0, "keep_blank_chars": False}
"""pdfplumber word settings (same as :mod:`extract.text_layer`)."""

MIN_LAYER_CHARS = 40
"""A sideways reading frame gets its own layer when at least this many chars..."""
MIN_LAYER_SHARE = 0.25
"""... or this share of the page's chars run in its direction."""

FILL_MIN = 2.5
"""A filled rectangle thinner than this (pt) in one dimension is a rule, not a fill."""


@dataclass(frozen=True)
class Rule:
    """A drawn straight segment, horizontal (``top == bottom``) or vertical
    (``x0 == x1``), in the layer's frame (pt, top-left origin)."""

    orientation: Literal["h", "v"]
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def pos(self) -> float:
        """y of a horizontal rule, x of a vertical one."""
        return self.top if self.orientation == "h" else self.x0

    @property
    def start(self) -> float:
        return self.x0 if self.orientation == "h" else self.top

    @property
    def end(self) -> float:
        return self.x1 if self.orientation == "h" else self.bottom

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Fill:
    """A filled rectangle (a shaded row or cell, a header band): box and luminance
    (0 black .. 1 white)."""

    bbox: BBox
    gray: float


@dataclass(frozen=True)
class Layer:
    """One reading frame of a page (see the module docstring).

    ``width``/``height`` are the frame's size in points; ``direction`` says how its text
    runs on the displayed page (``'ltr'`` for the page itself); ``page_width`` /
    ``page_height`` are the displayed page's size.
    """

    pagina: int
    width: float
    height: float
    words: tuple[Word, ...]
    rules: tuple[Rule, ...] = ()
    fills: tuple[Fill, ...] = ()
    direction: Direction = "ltr"
    page_width: float = 0.0
    page_height: float = 0.0
    metodo: Literal["pdf", "ocr"] = "pdf"

    def to_page(self, b: BBox) -> BBox:
        """Box ``b`` of this frame as a box of the displayed page."""
        return to_page(b, self.direction, self.page_width, self.page_height)

    @property
    def h_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.orientation == "h")

    @property
    def v_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.orientation == "v")


# --------------------------------------------------------------------------- frames

def to_frame(b: BBox, direction: Direction, pw: float, ph: float) -> BBox:
    """Box ``b`` of the displayed page (size ``pw`` x ``ph``) in the frame where text of
    ``direction`` reads left to right."""
    x0, t, x1, bt = b
    if direction == "ttb":      # turn the page a quarter counter-clockwise
        return (t, pw - x1, bt, pw - x0)
    if direction == "btt":      # turn it a quarter clockwise
        return (ph - bt, x0, ph - t, x1)
    if direction == "flip":
        return (pw - x1, ph - bt, pw - x0, ph - t)
    return b


def to_page(b: BBox, direction: Direction, pw: float, ph: float) -> BBox:
    """Inverse of :func:`to_frame`."""
    x0, t, x1, bt = b
    if direction == "ttb":
        return (pw - bt, x0, pw - t, x1)
    if direction == "btt":
        return (t, ph - x1, bt, ph - x0)
    if direction == "flip":
        return (pw - x1, ph - bt, pw - x0, ph - t)
    return b


def frame_size(direction: Direction, pw: float, ph: float) -> tuple[float, float]:
    return (ph, pw) if direction in ("ttb", "btt") else (pw, ph)


# --------------------------------------------------------------------------- text

def _is_rtl_char(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def char_directions(chars: Sequence[dict]) -> list[Direction]:
    """Direction of each char, from the displacement to its neighbour in the content
    stream (same size, abutting): right ``ltr``, down ``ttb``, up ``btt``, left
    ``flip`` (or ``ltr`` for the letters of a right-to-left script, printed in visual
    order, which is fixed later).  A char with no such neighbour takes its upright flag's
    direction (``ltr``) or, rotated, the page's most common rotated direction."""
    n = len(chars)
    votes: list[Direction | None] = [None] * n
    for i in range(n - 1):
        a, b = chars[i], chars[i + 1]
        ta, tb = a.get("text", ""), b.get("text", "")
        if not ta.strip() or not tb.strip():
            continue
        sa, sb = float(a.get("size") or 0), float(b.get("size") or 0)
        if sa <= 0 or abs(sa - sb) > 0.2 * sa:
            continue
        tol = 0.35 * sa
        h_ov = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
        v_ov = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
        min_w = min(a["x1"] - a["x0"], b["x1"] - b["x0"])
        min_h = min(a["bottom"] - a["top"], b["bottom"] - b["top"])
        d: Direction | None = None
        if v_ov >= 0.5 * min_h and abs(b["x0"] - a["x1"]) <= tol:
            d = "ltr"
        elif v_ov >= 0.5 * min_h and abs(a["x0"] - b["x1"]) <= tol:
            # advancing left: a right-to-left script in visual order, or upside down
            d = "ltr" if _is_rtl_char(ta[:1]) or _is_rtl_char(tb[:1]) else "flip"
        elif h_ov >= 0.5 * min_w and abs(b["top"] - a["bottom"]) <= tol:
            d = "ttb"
        elif h_ov >= 0.5 * min_w and abs(a["top"] - b["bottom"]) <= tol:
            d = "btt"
        if d is None:
            continue
        votes[i] = votes[i] or d
        votes[i + 1] = d
    rotated = Counter(v for v, c in zip(votes, chars) if v in ("ttb", "btt") and not c.get("upright", True))
    default_rot: Direction = rotated.most_common(1)[0][0] if rotated else "ttb"
    out: list[Direction] = []
    for v, c in zip(votes, chars):
        if v is None:
            v = "ltr" if c.get("upright", True) else default_rot
        out.append(v)
    return out


def words_from_chars(chars: Sequence[dict], direction: Direction, pw: float, ph: float,
                     ) -> tuple[tuple[Word, ...], tuple[Word, ...]]:
    """Words of ``chars`` (pdfplumber char dicts of the displayed page) that run in
    ``direction``: ``(in the frame of that direction, the same on the displayed page)``."""
    moved = []
    for c in chars:
        x0, t, x1, bt = to_frame((c["x0"], c["top"], c["x1"], c["bottom"]), direction, pw, ph)
        d = dict(c)
        d.update(x0=x0, x1=x1, top=t, bottom=bt, doctop=t, upright=True)
        moved.append(d)
    words = extract_words(moved, **WORD_SETTINGS)
    framed = _words(words)
    on_page = tuple(replace(w, bbox=to_page(w.bbox, direction, pw, ph)) for w in framed)
    return framed, on_page


def _words(words: list[dict]) -> tuple[Word, ...]:
    out = [Word(w["text"], (float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"])))
           for w in words]
    return tuple(fix_rtl_words(out))


def fix_rtl_words(words: Sequence[Word]) -> list[Word]:
    """Words of a right-to-left script, printed in visual order, read back in logical
    order: each such word's chars reversed (numbers and Latin words stay)."""
    out = []
    for w in words:
        if any(_is_rtl_char(c) for c in w.text):
            out.append(replace(w, text=w.text[::-1]))
        else:
            out.append(w)
    return out


# --------------------------------------------------------------------------- graphics

def _gray(color: Any) -> float:
    """Luminance 0-1 of a pdfplumber colour (gray, RGB or CMYK tuple); 1.0 if unknown."""
    if color is None:
        return 1.0
    if isinstance(color, (int, float)):
        return float(color)
    try:
        vals = [float(v) for v in color]
    except (TypeError, ValueError):
        return 1.0
    if len(vals) == 1:
        return vals[0]
    if len(vals) == 3:
        r, g, b = vals
        return 0.299 * r + 0.587 * g + 0.114 * b
    if len(vals) == 4:
        c, m, y, k = vals
        return (1 - k) * (1 - (0.299 * c + 0.587 * m + 0.114 * y))
    return 1.0


def page_graphics(pp: Any) -> tuple[tuple[Rule, ...], tuple[Fill, ...]]:
    """Rules and fills of a pdfplumber page, in displayed coordinates.

    Fills: filled rectangles at least :data:`FILL_MIN` pt in both dimensions, not
    stroked (a shaded row or cell; the lattice strategy also reads their sides, a grid
    of shaded cells being a grid).  Rules: every other drawn edge (pdfplumber's
    ``obj_to_edges`` of lines, curves, stroked rectangles and rectangles thin enough
    to be a line)."""
    rules: list[Rule] = []
    fills: list[Fill] = []
    objs: list[dict] = []
    for r in pp.rects:
        x0, t, x1, bt = float(r["x0"]), float(r["top"]), float(r["x1"]), float(r["bottom"])
        if r.get("fill") and not r.get("stroke") and x1 - x0 >= FILL_MIN and bt - t >= FILL_MIN:
            fills.append(Fill((x0, t, x1, bt), round(_gray(r.get("non_stroking_color")), 3)))
        else:
            objs.append(r)
    objs += list(pp.lines) + list(pp.curves)
    for o in objs:
        for e in obj_to_edges(o):
            rule = _edge_rule(e)
            if rule is not None:
                rules.append(rule)
    return tuple(rules), tuple(fills)


def _edge_rule(e: dict) -> Rule | None:
    x0, t, x1, bt = float(e["x0"]), float(e["top"]), float(e["x1"]), float(e["bottom"])
    if e.get("orientation") == "h" and x1 - x0 > 0.5:
        y = (t + bt) / 2
        return Rule("h", x0, y, x1, y)
    if e.get("orientation") == "v" and bt - t > 0.5:
        x = (x0 + x1) / 2
        return Rule("v", x, t, x, bt)
    return None


def fill_edges(fills: Sequence[Fill]) -> list[Rule]:
    """The four sides of each fill, as rules (for the lattice strategy)."""
    out = []
    for f in fills:
        x0, t, x1, bt = f.bbox
        out += [Rule("h", x0, t, x1, t), Rule("h", x0, bt, x1, bt),
                Rule("v", x0, t, x0, bt), Rule("v", x1, t, x1, bt)]
    return out


def _rule_to_frame(r: Rule, direction: Direction, pw: float, ph: float) -> Rule:
    x0, t, x1, bt = to_frame((r.x0, r.top, r.x1, r.bottom), direction, pw, ph)
    if abs(x1 - x0) >= abs(bt - t):
        y = (t + bt) / 2
        return Rule("h", x0, y, x1, y)
    x = (x0 + x1) / 2
    return Rule("v", x, t, x, bt)


# --------------------------------------------------------------------------- layers

def read_layers(pp: Any, page_words: Sequence[Word]) -> list[Layer]:
    """The reading frames of a text-layer page (a ``pdfplumber.page.Page``).

    ``page_words`` are the page's words as :mod:`extract.text_layer` read them.  When
    every char runs left to right they are the one layer's words.  Otherwise the
    upright chars make the first layer (with any few sideways words, such as a rotated
    column header, added as words read in their own direction), and each sideways
    direction holding enough chars (:data:`MIN_LAYER_CHARS`, :data:`MIN_LAYER_SHARE`)
    makes a layer of its own in its turned frame.
    """
    pw, ph = float(pp.width), float(pp.height)
    rules, fills = page_graphics(pp)
    chars = [c for c in pp.chars if c.get("text")]
    dirs = char_directions(chars)
    counts = Counter(d for d, c in zip(dirs, chars) if c["text"].strip())
    total = sum(counts.values()) or 1
    base = dict(pagina=pp.page_number, page_width=pw, page_height=ph)
    if set(counts) <= {"ltr"}:
        words = tuple(fix_rtl_words(page_words)) if any(is_rtl(w.text) for w in page_words) else tuple(page_words)
        return [Layer(width=pw, height=ph, words=words, rules=rules, fills=fills, **base)]
    by_dir: dict[Direction, list[dict]] = {}
    for d, c in zip(dirs, chars):
        by_dir.setdefault(d, []).append(c)
    upright: list[Word] = []
    layers: list[Layer] = []
    for d, cs in by_dir.items():
        if d == "ltr":
            upright += _words(extract_words(cs, **WORD_SETTINGS))
            continue
        framed, on_page = words_from_chars(cs, d, pw, ph)
        n = counts.get(d, 0)
        if n >= MIN_LAYER_CHARS or n / total >= MIN_LAYER_SHARE:
            fw, fh = frame_size(d, pw, ph)
            layers.append(Layer(width=fw, height=fh, words=framed,
                                rules=tuple(_rule_to_frame(r, d, pw, ph) for r in rules),
                                fills=tuple(Fill(to_frame(f.bbox, d, pw, ph), f.gray) for f in fills),
                                direction=d, **base))
        if n / total < MIN_LAYER_SHARE:
            upright += on_page
    return [Layer(width=pw, height=ph, words=tuple(upright), rules=rules, fills=fills, **base)] + layers


def ocr_layer(pagina: int, width: float, height: float, words: Sequence[Word],
              rules: Sequence[Rule] = ()) -> Layer:
    """The one layer of an OCR'd page (words already deskewed into page points)."""
    return Layer(pagina=pagina, width=width, height=height, words=tuple(words),
                 rules=tuple(rules), page_width=width, page_height=height, metodo="ocr")
