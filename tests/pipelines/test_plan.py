"""Issue #9: a long document is read in page ranges by several tasks and joined by one more
(:mod:`pipelines.plan`, :func:`pipelines.document.read_pages`, :func:`pipelines.run.run_all`);
what is written must be the bytes of a single pass."""
from __future__ import annotations

import shutil
from collections import deque
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pytest

from pipelines import engine as engine_mod
from pipelines import plan as plan_mod
from pipelines import run as run_mod
from pipelines.document import process_document, read_pages
from pipelines.plan import Task, page_ranges, plan_tasks
from pipelines.run import run_all
from tests.conftest import corpus_pdf

DIGITAL = "segip_rendicion_2020_booktabs.pdf"  # 12 text-layer pages
SCAN = "cge_informe_digemig_2024.pdf"  # 2 scanned pages


def test_page_ranges_cover_every_page_once_in_near_equal_parts():
    for pages, size in [(47, 16), (35, 18), (8, 8), (9, 8), (1, 8), (100, 7)]:
        ranges = page_ranges(pages, size)
        assert [n for a, b in ranges for n in range(a, b + 1)] == list(range(1, pages + 1))
        lengths = [b - a + 1 for a, b in ranges]
        assert max(lengths) - min(lengths) <= 1 and max(lengths) <= size + 1
    assert page_ranges(47, 16) == [(1, 16), (17, 31), (32, 47)]


def test_plan_cuts_only_the_documents_that_would_keep_one_worker_busy():
    # the corpus folder: a 47-page and a 35-page document among eight shorter ones
    pages = [2, 8, 6, 8, 35, 5, 10, 25, 12, 47]
    tasks = plan_tasks(pages, workers=2)
    cut = {t.doc for t in tasks if not t.whole}
    assert cut == {4, 9}  # 158 pages / (2 workers x 4) -> ranges of 20; 25 pages stays whole
    assert [t.cost for t in tasks] == sorted((t.cost for t in tasks), reverse=True)
    for doc in cut:
        mine = sorted((t.first, t.last) for t in tasks if t.doc == doc)
        assert [n for a, b in mine for n in range(a, b + 1)] == list(range(1, pages[doc] + 1))
    assert sum(t.cost for t in tasks) == sum(pages)
    # one worker: one task per document, in input order; unknown page counts are never cut
    assert plan_tasks(pages, workers=1) == [Task(i, p) for i, p in enumerate(pages)]
    assert plan_tasks([None, 300], workers=4)[-1] == Task(0, 1)
    # a single long document on two workers is read by several
    assert len(plan_tasks([47], workers=2)) == 6


@pytest.fixture(scope="module")
def mixed_pdf(tmp_path_factory) -> Path:
    """A digital document followed by a scanned one, as one file: text-layer pages, then
    pages the OCR stage defers to the end of its pass."""
    dest = tmp_path_factory.mktemp("mixed") / "mixto.pdf"
    with pikepdf.open(corpus_pdf(DIGITAL)) as a, pikepdf.open(corpus_pdf(SCAN)) as b:
        a.pages.extend(b.pages)
        a.save(dest)
    return dest


def test_pages_read_in_ranges_join_into_the_rows_of_one_pass(mixed_pdf, ocr_cache):
    whole = process_document(mixed_pdf, ocr_cache=ocr_cache)
    reads = [read_pages(mixed_pdf, a, b, ocr_cache) for a, b in [(9, 14), (1, 4), (5, 8)]]
    assert [r.paginas for r in reads] == [14, 14, 14]
    joined = process_document(mixed_pdf, ocr_cache=ocr_cache, read=reads)
    assert [p["metodo"] for p in whole.datasets["paginas"]][-2:] == ["ocr", "ocr"]
    assert joined.datasets.keys() == whole.datasets.keys()
    for ds, rows in whole.datasets.items():
        assert joined.datasets[ds] == rows, ds
    assert joined.layout_json == whole.layout_json and joined.errores == whole.errores
    with pytest.raises(ValueError, match="do not cover"):
        process_document(mixed_pdf, ocr_cache=ocr_cache, read=reads[:2])


class _Eager:
    """An engine of workers, as run_all sees one (not inline, two slots), that runs each
    task at submission in this process: the order and joining logic without a cluster."""

    inline = False
    slots = 2

    def __init__(self) -> None:
        self.done: deque = deque()
        self.submitted: list[Task] = []

    def submit(self, key, fn, *args, **kwargs) -> None:
        self.submitted.append(key)
        try:
            self.done.append((key, fn(*args, **kwargs), None))
        except Exception as exc:
            self.done.append((key, None, exc))

    def next_done(self):
        return self.done.popleft()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_run_reads_long_documents_in_ranges_and_falls_back_to_whole(tmp_path, mixed_pdf, ocr_cache,
                                                                   monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(mixed_pdf, raw / mixed_pdf.name)
    shutil.copy(corpus_pdf(SCAN), raw / SCAN)
    files = run_mod.list_inputs(raw)
    base = run_all(files, tmp_path / "j1", ocr_cache=ocr_cache, layout_dir=tmp_path / "l1")
    assert all(o.ok and not o.skipped for o in base)

    engines: list[_Eager] = []

    @contextmanager
    def eager(jobs, scheduler, tasks, folders=()):
        engines.append(_Eager())
        yield engines[-1]

    monkeypatch.setattr(engine_mod, "open_engine", eager)
    monkeypatch.setattr(plan_mod, "MIN_RANGE_PAGES", 3)
    said = []
    ranged = run_all(files, tmp_path / "j2", jobs=2, force=True, ocr_cache=ocr_cache,
                     layout_dir=tmp_path / "l2",
                     progress_factory=lambda p: lambda done, total: said.append((p.name, done, total)))
    keys = engines[-1].submitted
    cut = [k for k in keys if not k.whole]
    assert len(cut) >= 3 and {k.doc for k in cut} == {1}  # the 14-page file, in ranges
    assert keys.index(next(k for k in keys if k.whole and k.doc == 1)) > keys.index(cut[-1])
    assert [(o.archivo, o.ok, o.paginas, o.rows) for o in ranged] == \
        [(o.archivo, o.ok, o.paginas, o.rows) for o in base]
    # the progress display hears of the ranges as they finish, up to the page count
    assert {n for n, _, _ in said} == {"mixto.pdf"} and {t for _, _, t in said} == {14}
    assert [d for _, d, _ in said] == sorted(d for _, d, _ in said) and said[-1][1] == 14
    assert len(said) == len(cut)
    assert _files(tmp_path / "j1") == _files(tmp_path / "j2")
    assert _files(tmp_path / "l1") == _files(tmp_path / "l2")

    # a range that fails (a worker that died, a bug): the document is processed whole
    real = run_mod.read_pages

    def flaky(path, first, *a, **kw):
        if first > 1:
            raise RuntimeError("worker lost")
        return real(path, first, *a, **kw)

    monkeypatch.setattr(run_mod, "read_pages", flaky)
    again = run_all(files, tmp_path / "j3", jobs=2, force=True, ocr_cache=ocr_cache,
                    layout_dir=tmp_path / "l3")
    assert [o.ok for o in again] == [True, True]
    assert _files(tmp_path / "j1") == _files(tmp_path / "j3")
