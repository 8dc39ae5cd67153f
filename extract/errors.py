"""Fatal problems with a source file: exception classes that carry their message,
the ``errores.clase`` name and the process exit code (OCRmyPDF's habit).

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


class PaginaIlegible(ExtractError):
    """One page failed in a stage; the rest of the document goes on."""

    clase = "PaginaIlegible"
    etapa = "texto"
