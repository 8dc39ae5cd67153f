"""Where documents are processed: in this process, or as tasks of a Dask distributed cluster.

One interface, three engines (:func:`open_engine`):

- :class:`InlineEngine` runs each task when it is submitted, in this process (``--jobs 1``,
  or a run with a single short document to process, whose scanned pages are then OCR'd
  by ``jobs`` processes: :func:`extract.ocr.ocr_pages`).
- :class:`PoolEngine` runs tasks on ``jobs`` worker processes of this machine, the
  standard library's ``concurrent.futures.ProcessPoolExecutor``, forked from this process
  so they start in milliseconds with the pipeline already imported (a Dask
  ``LocalCluster`` takes about 2.5 s of the run to start its scheduler and workers and
  import the pipeline in each; ``make bench-scale``).
- :class:`DaskEngine` sends tasks to a running Dask ``distributed`` cluster whose
  scheduler address is given (``--scheduler`` / ``DASK_SCHEDULER_ADDRESS``; start it with
  ``dask scheduler`` and ``dask worker``, README "Escalar / Scaling"), or to a
  ``LocalCluster`` (``open_engine(..., local="dask")``).

A task is a picklable function of picklable arguments (:func:`pipelines.run.process_and_write`:
paths in, a ``FileOutcome`` out).  Tasks are submitted no faster than the cluster has
worker threads (:attr:`DaskEngine.slots`), so the caller decides the order they run in
(largest document first balances the load); Dask's own queueing is not relied on.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = "20s"
"""How long to try to reach a scheduler before giving up."""

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
"""Environment variable read for the scheduler address when ``--scheduler`` is not given
(the same name Dask itself reads)."""


class EngineError(Exception):
    """The cluster cannot be used (unreachable scheduler, no workers, workers that cannot
    see the folders or run another pipeline version).  ``mensaje`` is for the analyst."""

    def __init__(self, mensaje: str):
        super().__init__(mensaje)
        self.mensaje = mensaje


Done = tuple[Any, Any, BaseException | None]
"""``(key, result, exception)`` of a finished task; ``exception`` None when it returned."""


class InlineEngine:
    """Runs each task in this process, at submission."""

    inline = True
    slots = 1

    def __init__(self) -> None:
        self._done: deque[Done] = deque()

    def submit(self, key: Any, fn: Callable, *args, **kwargs) -> None:
        try:
            self._done.append((key, fn(*args, **kwargs), None))
        except Exception as exc:  # reported by the caller as the file's failure
            self._done.append((key, None, exc))

    def next_done(self) -> Done:
        return self._done.popleft()


def _init_worker() -> None:
    # One Tesseract thread per worker process: with N workers on N cores, OpenMP threads
    # inside each tesseract would only oversubscribe the CPU (as extract.ocr's pool does).
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _start_method() -> str:
    """``fork`` while this process has a single thread (workers start at once, the
    pipeline imported); ``forkserver`` when other threads run (a progress display), as a
    fork copies a lock another thread may hold; its server imports the pipeline once
    (:data:`PRELOAD`) and forks the workers from there."""
    return "fork" if threading.active_count() == 1 else "forkserver"


PRELOAD = ["pipelines.run"]
"""Modules imported by every worker before its first task: by the ``forkserver`` before it
forks pool workers, and by Dask workers (``LocalCluster(preload=...)``; on a cluster,
``dask worker --preload pipelines.run``), so no task pays the pipeline's import."""

MAX_BREAKS = 2
"""A task in flight when a worker process dies (killed, out of memory) is run again on a
new pool; one in flight at this many deaths is reported failed (it may be the cause)."""


class PoolEngine:
    """Runs tasks on ``workers`` local processes (``concurrent.futures.ProcessPoolExecutor``);
    :meth:`next_done` returns them as they finish, in any order.  When a worker process
    dies, the pool is replaced and the tasks that were in flight are submitted again
    (:data:`MAX_BREAKS`).  Close it with :meth:`close`."""

    inline = False

    def __init__(self, workers: int) -> None:
        self.slots = workers
        self._method = _start_method()
        self._pool = self._new_pool()
        self._pending: dict[Future, tuple[Any, Callable, tuple, dict, int]] = {}
        self._failed: deque[Done] = deque()

    def _new_pool(self) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context(self._method)
        if self._method == "forkserver":
            ctx.set_forkserver_preload(PRELOAD)
        return ProcessPoolExecutor(self.slots, mp_context=ctx, initializer=_init_worker)

    def submit(self, key: Any, fn: Callable, *args, _breaks: int = 0, **kwargs) -> None:
        fut = self._pool.submit(fn, *args, **kwargs)
        self._pending[fut] = (key, fn, args, kwargs, _breaks)

    def next_done(self) -> Done:
        while True:
            if self._failed:
                return self._failed.popleft()
            done, _ = wait(list(self._pending), return_when=FIRST_COMPLETED)
            fut = next(f for f in self._pending if f in done)  # the first submitted of them
            key, fn, args, kwargs, breaks = self._pending.pop(fut)
            try:
                return key, fut.result(), None
            except BrokenProcessPool as exc:
                log.warning("a worker process died (%s); the pool is replaced and the tasks "
                            "in flight are run again", exc)
                again = [(key, fn, args, kwargs, breaks), *self._pending.values()]
                self._pending.clear()
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = self._new_pool()
                for k, f, a, kw, b in again:
                    if b + 1 >= MAX_BREAKS:
                        self._failed.append((k, None, exc))
                    else:
                        self.submit(k, f, *a, _breaks=b + 1, **kw)
            except Exception as exc:  # a bug: reported by the caller as the file's failure
                return key, None, exc

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """Sends tasks to a Dask ``distributed`` client; :meth:`next_done` returns them as
    they finish, in any order."""

    inline = False

    def __init__(self, client) -> None:
        from distributed import as_completed

        self.client = client
        self._ac = as_completed()
        self._keys: dict[str, Any] = {}

    @property
    def slots(self) -> int:
        """Worker threads of the cluster now (at least 1): how many tasks to keep running."""
        return max(1, sum(self.client.nthreads().values()))

    def submit(self, key: Any, fn: Callable, *args, **kwargs) -> None:
        fut = self.client.submit(fn, *args, pure=False, **kwargs)
        self._keys[fut.key] = key
        self._ac.add(fut)

    def next_done(self) -> Done:
        fut = next(self._ac)
        key = self._keys.pop(fut.key)
        try:
            return key, fut.result(), None
        except Exception as exc:  # a worker died (KilledWorker), a bug, a lost connection
            return key, None, exc
        finally:
            fut.release()


def _reach(paths: list[str]) -> tuple[list[str], str]:
    """Run on each worker: the folders it cannot see, and its pipeline version."""
    from pipelines.write import pipeline_version

    return [p for p in paths if not os.path.isdir(p)], pipeline_version()


def check_workers(client, folders: list[Path]) -> None:
    """Raise :class:`EngineError` unless the cluster has workers, each sees every folder in
    ``folders`` (raw, output, OCR cache, layout: they must be on a filesystem shared with
    the workers) and runs the same pipeline version as this process."""
    from pipelines.write import pipeline_version

    if not client.nthreads():
        raise EngineError("el clúster de Dask no tiene trabajadores: inicie al menos uno con "
                          "«dask worker DIRECCIÓN» y vuelva a ejecutar.")
    paths = [str(Path(f).resolve()) for f in folders]
    ours = pipeline_version()
    for worker, (missing, version) in sorted(client.run(_reach, paths).items()):
        if missing:
            raise EngineError(f"el trabajador {worker} no ve {', '.join(missing)}: las carpetas de "
                              "entrada y salida deben estar en un sistema de archivos compartido, "
                              "con la misma ruta en todas las máquinas (una carpeta dada como URL "
                              "se trabaja en una copia local bajo $TMPDIR, que también debe estar "
                              "en ese sistema de archivos).")
        if version != ours:
            raise EngineError(f"el trabajador {worker} tiene la versión {version} del pipeline y "
                              f"esta máquina la {ours}: instale la misma versión en todas.")


@contextmanager
def open_engine(jobs: int, scheduler: str | None, tasks: int, folders: list[Path] = (),
                local: str = "pool") -> Iterator[InlineEngine | PoolEngine | DaskEngine]:
    """The engine for a run of ``tasks`` tasks: a running cluster when ``scheduler`` is an
    address; else ``min(jobs, tasks)`` worker processes when both are above 1 (a
    :class:`PoolEngine`, or with ``local="dask"`` a Dask ``LocalCluster`` of single-threaded
    workers); else this process.  ``folders`` are created, then
    checked on a running cluster's workers (:func:`check_workers`).  Raises :class:`EngineError` when
    the scheduler cannot be reached or its workers cannot do the run."""
    if scheduler or (min(jobs, tasks) > 1 and local == "dask"):
        # the scheduler and client run in this process: their INFO lines are not the run's log
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"no se pudo conectar con el planificador de Dask en {scheduler} "
                              f"({exc}); revise que «dask scheduler» esté corriendo y la dirección.") from None
        try:
            for f in folders:  # made here, so the workers' check sees them
                Path(f).mkdir(parents=True, exist_ok=True)
            check_workers(client, [Path(f) for f in folders])
            yield DaskEngine(client)
        finally:
            client.close()
        return
    workers = min(jobs, tasks)
    if workers <= 1:
        yield InlineEngine()
        return
    if local == "pool":
        pool = PoolEngine(workers)
        try:
            yield pool
        finally:
            pool.close()
        return
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           memory_limit=0, dashboard_address=None, preload=PRELOAD,
                           silence_logs=logging.ERROR)
    try:
        with Client(cluster) as client:
            yield DaskEngine(client)
    finally:
        cluster.close()
