"""Choosing among the strategies' candidates: for every region, the best explanation.

Candidates that share words (same layer) or overlap on the page (different layers)
compete.  Within each group of competing candidates the kept set is the one of
mutually compatible candidates that best explains the group's words: every word held
by a kept table counts that table's confidence, every word left out of all tables
(it is then a caption or running text) counts :data:`FREE_WORD`.  A large table read
well beats a small piece of it read perfectly; two tables read well beat one table
that glues them together; a table does not win words it reads worse than leaving
them out (the caption above a grid is no row of it).  No strategy wins by running
first.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from extract.geometry import overlap_share
from extract.tables.base import Candidate

PRIOR = {"lattice": 1.05, "ocr": 1.05, "hybrid": 1.02}
"""On equal evidence a ruled grid (exact by construction: ``lattice`` on a text page,
``ocr`` the ruled cells of a scan's image) is preferred, then the hybrid reading."""
FREE_WORD = 0.85
"""What a word left out of every table is worth (see the module docstring)."""
PER_TABLE = 0.5
"""What each kept table costs (in words read perfectly): on equal evidence one table
is kept rather than the same rows cut in two."""
MAX_STEPS = 200_000
"""Bound on the branch-and-bound search of one group of competing candidates."""


def nested(a: Candidate, b: Candidate) -> bool:
    """True when ``a`` lies inside one cell of ``b`` (a table printed in a cell of a
    larger ruled frame): both are kept."""
    if a.layer is not b.layer or a.metodo == b.metodo == "stream":
        return False
    return any(c.bbox and c.bbox[0] - 2 <= a.bbox[0] and c.bbox[1] - 2 <= a.bbox[1]
               and a.bbox[2] <= c.bbox[2] + 2 and a.bbox[3] <= c.bbox[3] + 2 for c in b.cells)


def conflict(a: Candidate, b: Candidate) -> bool:
    """True when ``a`` and ``b`` claim the same printed words (a table nested in a cell
    of the other does not)."""
    if nested(a, b) or nested(b, a):
        return False
    if a.layer is b.layer:
        if not a.word_ids or not b.word_ids:
            return overlap_share(a.bbox, b.bbox) > 0.2
        shared = len(a.word_ids & b.word_ids)
        return shared > 0 and shared >= 0.1 * min(len(a.word_ids), len(b.word_ids))
    return overlap_share(a.page_bbox, b.page_bbox) > 0.3


def weight(c: Candidate) -> float:
    """What keeping a candidate adds: its words read at its confidence (with the
    strategy prior) instead of left out at :data:`FREE_WORD`."""
    return (c.confianza * PRIOR.get(c.metodo, 1.0) - FREE_WORD) * max(1, len(c.word_ids)) - PER_TABLE


def _groups(cands: Sequence[Candidate]) -> list[list[int]]:
    n = len(cands)
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, j in combinations(range(n), 2):
        if conflict(cands[i], cands[j]):
            parent[find(i)] = find(j)
    out: dict[int, list[int]] = {}
    for i in range(n):
        out.setdefault(find(i), []).append(i)
    return list(out.values())


def _best_subset(cands: Sequence[Candidate], idx: list[int]) -> list[int]:
    """The compatible subset of ``idx`` with the largest total :func:`weight`: a
    maximum-weight independent set of the conflict graph, by branch and bound (the
    groups of a page are small; :data:`MAX_STEPS` bounds the search, keeping the best
    set found)."""
    order = sorted(idx, key=lambda i: -weight(cands[i]))
    w = [weight(cands[i]) for i in order]
    n = len(order)
    clash = [[conflict(cands[order[a]], cands[order[b]]) for b in range(n)] for a in range(n)]
    suffix = [0.0] * (n + 1)
    for k in range(n - 1, -1, -1):
        suffix[k] = suffix[k + 1] + max(0.0, w[k])
    best: list[int] = []
    best_w = 0.0
    steps = 0

    def search(k: int, chosen: list[int], total: float) -> None:
        nonlocal best, best_w, steps
        steps += 1
        if total > best_w and chosen:
            best, best_w = list(chosen), total
        if k == n or steps > MAX_STEPS or total + suffix[k] <= best_w:
            return
        if w[k] > 0 and not any(clash[k][j] for j in chosen):
            chosen.append(k)
            search(k + 1, chosen, total + w[k])
            chosen.pop()
        search(k + 1, chosen, total)

    search(0, [], 0.0)
    if not best:    # none reads its words better than leaving them: keep the best one
        return [max(idx, key=lambda i: cands[i].confianza * max(1, len(cands[i].word_ids)))]
    return [order[k] for k in best]


GRID_CONFIDENCE = 0.9
"""A ruled grid read at least this well is taken to delimit its table."""


def glues_grids(c: Candidate, cands: Sequence[Candidate]) -> bool:
    """True when a whitespace or hybrid candidate holds two or more ruled grids that
    were each read well on their own: the rules say where those tables end, so one
    table across them (with the captions between them as rows) is not a reading."""
    if c.metodo == "lattice" or not c.word_ids:
        return False
    grids = [g for g in cands if g.metodo == "lattice" and g.layer is c.layer and g.n_rows >= 2
             and g.confianza >= GRID_CONFIDENCE and g.word_ids
             and len(g.word_ids & c.word_ids) >= 0.9 * len(g.word_ids)]
    return len(grids) >= 2


def select(cands: Sequence[Candidate]) -> list[Candidate]:
    """The kept candidates of one page (all layers), in no particular order; a
    candidate gluing ruled grids together (:func:`glues_grids`) never is."""
    cands = [c for c in cands if not glues_grids(c, cands)]
    out: list[Candidate] = []
    for g in _groups(cands):
        out += [cands[i] for i in _best_subset(cands, g)]
    return out
