"""The local worker pool (:class:`pipelines.engine.PoolEngine`): results as tasks finish,
and a worker process that dies does not take the run's other tasks with it."""
from __future__ import annotations

import os
import signal
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipelines.engine import PoolEngine, open_engine, InlineEngine


def _square(x: int) -> int:
    return x * x


def _die_once(marker: str) -> str:
    """Kill this worker process the first time (as the kernel's OOM killer would)."""
    if not os.path.exists(marker):
        Path(marker).write_text("x")
        os.kill(os.getpid(), signal.SIGKILL)
    return "second try"


def _always_die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _fail() -> None:
    raise ValueError("a bug")


def _collect(engine, n):
    return sorted((engine.next_done() for _ in range(n)), key=lambda d: str(d[0]))


def test_pool_runs_tasks_and_reports_exceptions():
    with open_engine(2, None, 5) as engine:
        assert isinstance(engine, PoolEngine) and engine.slots == 2
        for i in range(4):
            engine.submit(i, _square, i)
        engine.submit("bug", _fail)
        done = _collect(engine, 5)
    assert [(k, r) for k, r, e in done if e is None] == [(0, 0), (1, 1), (2, 4), (3, 9)]
    assert [type(e) for k, r, e in done if k == "bug"] == [ValueError]
    with open_engine(2, None, 1) as engine:  # one task: this process
        assert isinstance(engine, InlineEngine)


def test_a_dead_worker_is_replaced_and_its_tasks_run_again(tmp_path):
    engine = PoolEngine(2)
    try:
        engine.submit("once", _die_once, str(tmp_path / "marker"))
        engine.submit("sq", _square, 7)
        done = dict((k, (r, e)) for k, r, e in _collect(engine, 2))
        assert done == {"once": ("second try", None), "sq": (49, None)}
        # a task that kills its worker every time is reported failed; the pool goes on
        engine.submit("killer", _always_die)
        key, result, exc = engine.next_done()
        assert key == "killer" and result is None and isinstance(exc, BrokenProcessPool)
        engine.submit("after", _square, 4)
        assert engine.next_done() == ("after", 16, None)
    finally:
        engine.close()
