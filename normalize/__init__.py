"""Pure ``str -> value | None`` normalizers for the values written to the datasets.

One module per job (see ../shared/DATASETS.md, sections "Layout" and "Codes"):

- :mod:`normalize.text`: ``clean_text``, ``fold``
- :mod:`normalize.numbers`: ``NumberFormat``/``ES``/``US``, ``detect_format``,
  ``parse_number``, ``parse_column``, ``looks_numeric``
- :mod:`normalize.percentages`: ``parse_percent``
- :mod:`normalize.dates`: ``parse_date``, ``find_date``
- :mod:`normalize.codes`: ``dotted_code``, ``operation_code``,
  ``categoria_programatica``, ``fuente_code``, ``partida_code``, ``rubro_code``,
  ``grupo_code``, ``split_code_prefix``

No function does I/O.  Each raises only its module's ``*ParseError`` (all
subclasses of ``ValueError``) for text that is not what it parses.
"""

from .codes import (
    CodeParseError,
    categoria_programatica,
    dotted_code,
    fuente_code,
    grupo_code,
    operation_code,
    partida_code,
    rubro_code,
    split_code_prefix,
)
from .dates import DateParseError, find_date, parse_date
from .numbers import (
    ES,
    US,
    ColumnParse,
    NumberFormat,
    NumberParseError,
    detect_format,
    looks_numeric,
    parse_column,
    parse_number,
)
from .percentages import parse_percent
from .text import clean_text, fold

__all__ = [
    "clean_text",
    "fold",
    "NumberFormat",
    "ES",
    "US",
    "NumberParseError",
    "ColumnParse",
    "detect_format",
    "parse_number",
    "parse_column",
    "looks_numeric",
    "parse_percent",
    "DateParseError",
    "parse_date",
    "find_date",
    "CodeParseError",
    "dotted_code",
    "operation_code",
    "categoria_programatica",
    "fuente_code",
    "partida_code",
    "rubro_code",
    "grupo_code",
    "split_code_prefix",
]
