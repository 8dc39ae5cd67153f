"""How a run's documents are cut into tasks for several workers.

A folder's documents differ in length by two orders of magnitude (a 2-page audit report
beside a 300-page rendición de cuentas).  Run one task per document and the longest one
decides when the run ends: with 2 workers, a document with 40 % of the folder's pages
keeps one worker busy while the other has long finished.  So a long document is read in
page ranges by several tasks (:func:`pipelines.document.read_pages`), joined by one last
task that builds, validates and writes it; and tasks are started longest first (the
"longest processing time first" rule of list scheduling, within 4/3 of the best
makespan), so the short ones fill in at the end.

The cost of a task is estimated by its page count (pdfium reads it in milliseconds, without
parsing the pages).  Pages differ in cost, a dense digital table page against a scanned
one read from a warm OCR cache, by about 2x in the corpus; ranges of
``total / (workers * RANGES_PER_WORKER)`` pages keep that error small.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

RANGES_PER_WORKER = 4
"""Target number of page ranges per worker over the whole run: more ranges balance the
load better, each costs one more opening of its PDF (and its fonts parsed again)."""

MIN_RANGE_PAGES = 8
"""No range is shorter than this: below it, opening the PDF again costs more than the
balance gains."""


@dataclass(frozen=True)
class Task:
    """One task of a run: document ``doc`` (its index in the run's file list), whole
    (``first`` is None) or its pages ``first``..``last`` (1-based, inclusive).  ``cost``
    is its estimated cost in pages."""

    doc: int
    cost: int
    first: int | None = None
    last: int | None = None

    @property
    def whole(self) -> bool:
        return self.first is None


def page_ranges(pages: int, size: int) -> list[tuple[int, int]]:
    """``pages`` pages cut into ``ceil(pages / size)`` consecutive ranges of nearly equal
    length (they differ by at most one page), as ``(first, last)``, 1-based inclusive."""
    n = max(1, math.ceil(pages / size))
    bounds = [round(k * pages / n) for k in range(n + 1)]
    return [(bounds[k] + 1, bounds[k + 1]) for k in range(n)]


def plan_tasks(pages: list[int | None], workers: int) -> list[Task]:
    """The tasks for documents of ``pages`` pages each (``None``: not known, counted as
    one page and never cut) on ``workers`` workers, longest first (ties in input order).

    With one worker every document is one task.  Otherwise the range size is
    ``max(MIN_RANGE_PAGES, ceil(total / (workers * RANGES_PER_WORKER)))`` and a document
    longer than 1.5 ranges is cut (:func:`page_ranges`); its ranges are tasks of their
    own, and the task that joins them is not planned here (it can only start when they
    have all finished: :func:`pipelines.run.run_all`)."""
    known = [p if p and p > 0 else 1 for p in pages]
    if workers <= 1:
        return [Task(i, c) for i, c in enumerate(known)]
    size = max(MIN_RANGE_PAGES, math.ceil(sum(known) / (workers * RANGES_PER_WORKER)))
    tasks: list[Task] = []
    for i, (p, c) in enumerate(zip(pages, known)):
        if p is None or c <= 1.5 * size:
            tasks.append(Task(i, c))
            continue
        tasks += [Task(i, last - first + 1, first, last) for first, last in page_ranges(c, size)]
    return sorted(tasks, key=lambda t: (-t.cost, t.doc, t.first or 0))
