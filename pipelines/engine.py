"""Where documents are processed: in this process, or as tasks of a Dask distributed cluster.

One interface, two engines (:func:`open_engine`):

- :class:`InlineEngine` runs each task when it is submitted, in this process (``--jobs 1``,
  or a run with a single document to process, whose scanned pages are then OCR'd by
  ``jobs`` processes: :func:`extract.ocr.ocr_pages`).
- :class:`DaskEngine` sends tasks to a Dask ``distributed`` cluster: a ``LocalCluster`` of
  ``jobs`` single-threaded worker processes started for the run, or a running cluster
  whose scheduler address is given (``--scheduler`` / ``DASK_SCHEDULER_ADDRESS``; start it
  with ``dask scheduler`` and ``dask worker``, README "Escalar / Scaling").

A task is a picklable function of picklable arguments (:func:`pipelines.run.process_and_write`:
paths in, a ``FileOutcome`` out).  Tasks are submitted no faster than the cluster has
worker threads (:attr:`DaskEngine.slots`), so the caller decides the order they run in
(largest document first balances the load); Dask's own queueing is not relied on.
"""
from __future__ import annotations

import logging
import os
from collections import deque
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
                              "con la misma ruta en todas las máquinas.")
        if version != ours:
            raise EngineError(f"el trabajador {worker} tiene la versión {version} del pipeline y "
                              f"esta máquina la {ours}: instale la misma versión en todas.")


@contextmanager
def open_engine(jobs: int, scheduler: str | None, tasks: int,
                folders: list[Path] = ()) -> Iterator[InlineEngine | DaskEngine]:
    """The engine for a run of ``tasks`` documents: a running cluster when ``scheduler``
    is an address; else a ``LocalCluster`` of ``min(jobs, tasks)`` single-threaded worker
    processes when both are above 1; else this process.  ``folders`` are created, then
    checked on a running cluster's workers (:func:`check_workers`).  Raises :class:`EngineError` when
    the scheduler cannot be reached or its workers cannot do the run."""
    if scheduler or min(jobs, tasks) > 1:
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
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           memory_limit=0, dashboard_address=None,
                           silence_logs=logging.ERROR)
    try:
        with Client(cluster) as client:
            yield DaskEngine(client)
    finally:
        cluster.close()
