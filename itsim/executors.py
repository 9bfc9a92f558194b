"""Where independent tasks run: local processes (the default) or a Dask cluster.

An executor runs ``fn(*args)`` for each argument tuple and yields
``(index, result)`` as each task finishes, in whatever order they finish, so
that callers can store finished work promptly. Results never depend on the
executor or the number of workers: every task carries its own seed.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

from itsim.interrupt import worker_started


class Executor(Protocol):
    """Runs independent tasks; see the module docstring."""

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]: ...


class LocalExecutor:
    """``workers`` local processes (None: one per usable core, :func:`itsim.cores.usable_cores`);
    with one worker, tasks run in this process, in order.

    Worker processes are forked where the platform does so, so policies registered
    at run time (``itsim.policies.register``) are known to them. When the caller stops
    early (Ctrl-C, SIGTERM, an error, or leaving the loop), the workers are terminated
    at once rather than left to finish their tasks; workers also exit by themselves
    when this process dies (:func:`itsim.interrupt.worker_started`).
    """

    def __init__(self, workers: int | None = 1):
        if workers is None:
            from itsim.cores import usable_cores

            workers = usable_cores()
        if workers < 1:
            raise ValueError(f"workers must be >= 1 (got {workers})")
        self.workers = workers

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        if self.workers == 1 or len(tasks) <= 1:
            for i, args in enumerate(tasks):
                yield i, fn(*args)
            return
        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)), initializer=worker_started)
        try:
            futures = {pool.submit(fn, *args): i for i, args in enumerate(tasks)}
            for future in as_completed(futures):
                # forget each future as it is handed over, so that finished results are not all kept
                yield futures.pop(future), future.result()
        except BaseException:
            _terminate(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's workers now: their tasks are abandoned, nothing of theirs was stored."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


class DaskExecutor:
    """Tasks on a Dask cluster: pass the scheduler ``address`` (``tcp://host:8786``)
    or an existing ``dask.distributed.Client``.

    The workers need ``itsim`` (and any third-party policy packages) installed.
    """

    #: how long to keep trying to reach the scheduler, in seconds
    connect_timeout_s: float = 10.0

    def __init__(self, address: str | None = None, client: Any = None):
        if (address is None) == (client is None):
            raise ValueError("give either a scheduler address or a client")
        self.address = address
        self.client = client

    def connect(self) -> Any:
        """A client for the scheduler (created here unless one was given)."""
        if self.client is None:
            from dask.distributed import Client

            self.client = Client(self.address, timeout=self.connect_timeout_s)
            self._own_client = True
        return self.client

    def close(self) -> None:
        if getattr(self, "_own_client", False):
            self.client.close()
            self.client = None
            self._own_client = False

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        """Tasks travel in batches (:func:`guided_batches`), each batch's arguments pickled
        here in one go: a Dask task costs the scheduler and this client a few milliseconds,
        and Dask's own serialisation of a rich argument (a sweep cell's scenario) costs
        more than that per task. The batches have no data dependencies, so the scheduler
        queues them and hands one to each worker as it frees up."""
        from dask.distributed import as_completed as dask_as_completed

        client = self.connect()
        batches = guided_batches(len(tasks), sum(client.nthreads().values()))
        futures = [client.submit(_run_batch, fn, _pickle([tasks[i] for i in batch]), pure=False)
                   for batch in batches]
        index = {f.key: batch for f, batch in zip(futures, batches, strict=True)}
        try:
            for future, results in dask_as_completed(futures, with_results=True):
                future.release()
                yield from zip(index.pop(future.key), results, strict=True)
        finally:
            client.cancel(futures)


#: the most tasks in one batch: beyond a few, batching saves nothing measurable and an
#: interrupted run would lose more finished work
MAX_BATCH = 8


def guided_batches(tasks: int, workers: int) -> list[range]:
    """Consecutive ranges of task indices, largest first (guided self-scheduling): each batch
    takes 1/(2 x ``workers``) of the tasks not yet batched, at most :data:`MAX_BATCH` and at
    least one, so the big batches at the start cut per-task overhead and the single tasks at
    the end keep every worker busy to the last. With no workers known, every task is its
    own batch."""
    batches: list[range] = []
    start = 0
    while start < tasks:
        size = min(MAX_BATCH, max(1, (tasks - start) // (2 * workers))) if workers > 0 else 1
        batches.append(range(start, start + size))
        start += size
    return batches


def _pickle(batch: list[tuple]) -> bytes:
    """``batch`` as bytes; arguments plain pickle cannot take (a lambda, say) go through cloudpickle."""
    try:
        return pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        import cloudpickle

        return cloudpickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)


def _run_batch(fn: Callable[..., Any], batch: bytes) -> list[Any]:
    return [fn(*args) for args in pickle.loads(batch)]
