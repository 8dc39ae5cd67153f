"""Fatal problems with a source file (and with the configuration): exception classes
that carry their message, the ``errores.clase`` name and the process exit code
(OCRmyPDF's habit).

Data problems are never raised: they become ``validaciones`` findings.
"""
from __future__ import annotations


class ExtractError(Exception):
    """Base class: a file or page that could not be processed.

    ``etapa`` is the stage (``abrir``, ``texto``, ``ocr``, ``tablas``, ...), ``clase``
    the name written to ``errores.clase``, ``exit_code`` what the CLI exits with.
    """

    clase = "ErrorExtraccion"
    etapa = "abrir"
    exit_code = 1

    def __init__(self, archivo: str, mensaje: str, pagina: int | None = None):
        super().__init__(f"{archivo}{f' p.{pagina}' if pagina else ''}: {mensaje}")
        self.archivo, self.mensaje, self.pagina = archivo, mensaje, pagina


class NoEsPdf(ExtractError):
    """The file does not start with the PDF signature ``%PDF``."""

    clase = "NoEsPdf"


class PdfCifrado(ExtractError):
    """The PDF is encrypted with a password we do not have."""

    clase = "PdfCifrado"


class PdfCorrupto(ExtractError):
    """The PDF's structure cannot be parsed."""

    clase = "PdfCorrupto"


class NombreNoUtf8(ExtractError):
    """The file's name is not valid UTF-8 (DATASETS.md: text is UTF-8): a Latin-1 /
    Windows-1252 byte, as names copied from older Windows machines have.  ``archivo``
    carries the name with the undecodable bytes written ``\\xNN``."""

    clase = "NombreNoUtf8"


class ArchivoIlegible(ExtractError):
    """The file cannot be read (permission denied, I/O error)."""

    clase = "ArchivoIlegible"


class EnlaceRoto(ExtractError):
    """A symbolic link in the raw folder points to nothing."""

    clase = "EnlaceRoto"


class PaginaIlegible(ExtractError):
    """One page failed in a stage; the rest of the document goes on."""

    clase = "PaginaIlegible"
    etapa = "texto"


class ConfigError(Exception):
    """A data file of document knowledge (``pipelines/data/*.toml``) is broken or
    inconsistent: the run stops before any document is touched (exit code 2, bad
    usage).  ``archivo`` is the file, ``linea`` the 1-based line (``None`` when the
    problem is the file as a whole), ``mensaje`` what is wrong and what to do."""

    exit_code = 2

    def __init__(self, archivo: str, linea: int | None, mensaje: str):
        super().__init__(f"{archivo}{f':{linea}' if linea else ''}: {mensaje}")
        self.archivo, self.linea, self.mensaje = archivo, linea, mensaje
