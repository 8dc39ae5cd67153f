"""Document knowledge the table layer reads as data: ``pipelines/data/tablas.toml``
(continuation marks of captions, connector words that end a wrapped line)."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parents[2] / "pipelines" / "data" / "tablas.toml"


@lru_cache(maxsize=1)
def knowledge() -> dict:
    """The parsed ``tablas.toml``.  Raises ``FileNotFoundError`` /
    ``tomllib.TOMLDecodeError`` when it is missing or broken (checked at start-up)."""
    with DATA_FILE.open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def connector_end() -> re.Pattern:
    """A line of a cell ending in one of these continues on the next line (a wrapped
    cell): a hyphen, comma, an open bracket, or a connector word of ``[filas].conectores``."""
    words = knowledge()["filas"]["conectores"]
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?:[-,;(/]|\b(?:" + alt + r"))$", re.I)
