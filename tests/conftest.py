"""Shared fixtures: where ../shared is, the corpus documents, the committed OCR cache and
the pipeline output of each corpus document, built once per test session.

``ocr_cache``: a session copy of ``tests/fixtures/ocr_cache`` (the Tesseract output of
the scanned corpus pages and of their cell re-reads, see its README), so the scans do not
run Tesseract cold; a miss (another Tesseract, language model or setting: the cache key
has them all) runs Tesseract and writes to the copy, never into the repository.

``corpus``: :class:`Corpus`, which runs the pipeline (``process_and_write``, as the CLI)
on a corpus document the first time a test asks for it and hands the same output (and
what the pipeline's stages worked on, :class:`Recorder`) to every later test, in every
test process of the session.  Tests needing ../shared skip with a message when it is absent.
"""
from __future__ import annotations

import os
import pickle
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SCORER = SHARED / "bench" / "score.py"
COMMITTED_OCR_CACHE = ROOT / "tests" / "fixtures" / "ocr_cache"

SCANNED = ["cge_informe_digemig_2024", "segip_poa_2021_escaneado",
           "segip_ra_036_2024_reformulacion_poa"]
"""The scanned corpus documents (their pages' OCR is in the committed cache)."""


def corpus_pdf(name: str) -> Path:
    """Path of a corpus PDF; skips the test with a clear message when ../shared is absent."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"{path} not found: these tests need ../shared/corpus beside the repo")
    return path


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory) -> Path:
    """A folder holding a copy of the committed OCR cache (empty when the repository has
    none): read and written by the OCR stage like ``--ocr-cache``."""
    dest = tmp_path_factory.mktemp("ocr_cache")
    if COMMITTED_OCR_CACHE.is_dir():
        for f in COMMITTED_OCR_CACHE.glob("*.json"):
            shutil.copy2(f, dest / f.name)
    return dest


@dataclass(frozen=True)
class PageTables:
    """What the pipeline's table stage saw and found on one text-layer page: the page's
    reading frames (``extract.layout.Layer``) and the tables ``find_tables`` returned on
    them (before continuations are joined)."""

    pagina: int
    layers: list
    tables: list


@dataclass(frozen=True)
class Processed:
    """One corpus document through the pipeline: its outcome and where it was written
    (``parquet``: a dataset folder holding this document only; ``layout``: its sidecars);
    what the pipeline's stages worked on, recorded during that run (:class:`Recorder`):
    ``page_tables``, :class:`PageTables` of every text-layer page in page order;
    ``build_input``, the ``pipelines.builders.BuildInput`` its dataset builders got
    (context, tables with continuations joined, pages)."""

    name: str
    pdf: Path
    outcome: object  # pipelines.run.FileOutcome
    parquet: Path
    layout: Path
    page_tables: list = field(default_factory=list)
    build_input: object = None

    @property
    def documento_id(self) -> str:
        return self.outcome.documento_id


class Recorder:
    """Context manager: while it is open, the pipeline's table stage on each text-layer
    page (``pipelines.document.find_tables``, called with the page's reading frames) and
    its builders stage (``pipelines.document.builders_stage``) are recorded, their
    results unchanged: ``page_tables`` (:class:`PageTables`, in call order) and
    ``build_input`` (the last ``BuildInput``)."""

    def __init__(self) -> None:
        self.page_tables: list[PageTables] = []
        self.build_input = None

    def __enter__(self) -> "Recorder":
        import pipelines.document as document

        real_find, real_build = document.find_tables, document.builders_stage

        def find_tables(layers, *args, **kwargs):
            tables = real_find(layers, *args, **kwargs)
            layers = list(layers)
            self.page_tables.append(PageTables(layers[0].pagina if layers else 0, layers, list(tables)))
            return tables

        def builders_stage(run, inp):
            self.build_input = inp
            return real_build(run, inp)

        self._patches = [mock.patch.object(document, "find_tables", find_tables),
                         mock.patch.object(document, "builders_stage", builders_stage)]
        for p in self._patches:
            p.start()
        return self

    def __exit__(self, *exc) -> None:
        for p in reversed(self._patches):
            p.stop()


class Corpus:
    """Pipeline output of corpus documents, each processed at most once per session.

    ``get("segip_poa_2021")`` -> :class:`Processed` (``.pdf`` optional in the name);
    ``get_many(names)`` -> their :class:`Processed`, shared out between test processes;
    ``parquet(names)`` / ``layout(names)`` -> one dataset / layout folder with those
    documents (their files copied side by side: every file there is per document)."""

    def __init__(self, root: Path, ocr_cache: Path, shared: Path | None = None) -> None:
        self.root = root
        self.ocr_cache = ocr_cache
        self.shared = shared
        self._done: dict[str, Processed] = {}
        self._combined: dict[tuple[str, ...], Path] = {}  # (kind, *names) -> folder

    def get(self, name: str) -> Processed:
        name = name.removesuffix(".pdf")
        if name not in self._done:
            self._done[name] = self._shared(name) if self.shared else self._process(name, self.root)
        return self._done[name]

    def get_many(self, names) -> list[Processed]:
        """:meth:`get` of each of ``names``, in that order.  In several test processes, a
        document another process is working on is left for later and the next one is
        taken, so processes asking for the same documents share the work."""
        names = [n.removesuffix(".pdf") for n in names]
        if self.shared:
            for name in names:
                if name not in self._done:
                    p = self._shared(name, wait=False)
                    if p is not None:
                        self._done[name] = p
        return [self.get(n) for n in names]

    def _process(self, name: str, root: Path) -> Processed:
        from pipelines.run import process_and_write

        pdf = corpus_pdf(f"{name}.pdf")
        out, layout = root / name / "parquet", root / name / "layout"
        with Recorder() as rec:
            outcome = process_and_write(pdf, out, ocr_cache=self.ocr_cache, jobs=1, layout_dir=layout)
        return Processed(name, pdf, outcome, out, layout,
                         sorted(rec.page_tables, key=lambda p: p.pagina), rec.build_input)

    def _shared(self, name: str, wait: bool = True) -> Processed | None:
        """``name`` processed once for all the session's test processes (pytest-xdist
        workers): the first to ask runs the pipeline into ``shared`` under a file lock
        and pickles the :class:`Processed` beside the output; the others wait for the
        lock and read it.  ``wait=False``: ``None`` at once when another process holds
        the lock."""
        from filelock import FileLock, Timeout

        done = self.shared / name / "processed.pickle"
        try:
            with FileLock(str(self.shared / f"{name}.lock"), timeout=-1 if wait else 0):
                if done.is_file():
                    return pickle.loads(done.read_bytes())
                p = self._process(name, self.shared)
                part = done.with_name(done.name + ".part")
                part.write_bytes(pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL))
                part.replace(done)
                return p
        except Timeout:
            return None

    def _combine(self, kind: str, names) -> Path:
        key = (kind, *sorted(n.removesuffix(".pdf") for n in names))
        if key not in self._combined:
            dest = self.root / f"{kind}-{len(self._combined)}"
            dest.mkdir()
            for p in self.get_many(key[1:]):
                shutil.copytree(p.parquet if kind == "parquet" else p.layout, dest,
                                dirs_exist_ok=True, ignore=shutil.ignore_patterns("_tmp", "*.tmp"))
            self._combined[key] = dest
        return self._combined[key]

    def parquet(self, names) -> Path:
        return self._combine("parquet", names)

    def layout(self, names) -> Path:
        return self._combine("layout", names)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, ocr_cache) -> Corpus:
    """The session's :class:`Corpus` (documents processed lazily, once).  When the suite
    runs in several processes (``pytest -n 2``, pytest-xdist, as ``make test`` does), the
    documents are processed once for all of them, in the session's common temporary
    folder."""
    shared = None
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = tmp_path_factory.getbasetemp().parent / "corpus-shared"
        shared.mkdir(exist_ok=True)
    return Corpus(tmp_path_factory.mktemp("corpus"), ocr_cache, shared)
