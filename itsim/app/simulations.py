"""Simulations in the background, kept for when a leader comes back to a setting.

A what-if needs two sets of replications, the baseline's and the what-if's, run
with the same seed so that they compare pairwise. :class:`Simulations` runs them
from a thread of its own on a pool of worker processes, so the page stays
responsive and can show progress, and keeps recent results keyed by the
scenario's text, the seed and the number of replications: moving the levers back
to a setting already simulated gives its answer at once, and the baseline is
simulated once for every what-if compared with it.

Worker processes are started with ``spawn``: the app's server is multi-threaded,
and forking a multi-threaded process can leave a child waiting forever on a lock
another thread held. They are started once and reused, ignore Ctrl-C (the terminal
sends it to them too; the server stops them) and exit when the server is gone. As with any program that
starts processes with ``spawn``, a worker runs the main script again (as
``__mp_main__``): its work must be under ``if __name__ == "__main__":``, as it is in
:mod:`itsim.app.entry`.
"""

from __future__ import annotations

import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from itsim.experiment import Replicated, collect, simulate
from itsim.interrupt import worker_started
from itsim.scenario import ScenarioError, loads_scenario

Key = tuple[str, int, int]
"""A set of replications: the scenario's text, the seed and the number of replications."""


@dataclass(frozen=True)
class Request:
    """A what-if to work out: the ``baseline`` and ``whatif`` scenario texts, compared
    over ``replications`` runs from ``seed``; ``origin`` names the baseline's file."""

    baseline: str
    whatif: str
    seed: int
    replications: int
    origin: str = "baseline"

    def keys(self) -> tuple[Key, Key]:
        return (self.baseline, self.seed, self.replications), (self.whatif, self.seed, self.replications)


class Batch:
    """The replications of one scenario (a :data:`Key`) under way: ``done`` of
    ``replications`` finished; ``ready`` once ``result`` (or ``error``) is set."""

    def __init__(self, replications: int):
        self.replications = replications
        self.done = 0
        self.result: Replicated | None = None
        self.error: BaseException | None = None
        self.ready = threading.Event()


class Job:
    """One request being worked out: its two sets of replications (those not already
    kept, shared with any other job that needs them), then the ``outcome`` (whatever
    ``finish`` makes of the two sets of results), then its ``report`` (whatever the
    optional ``report`` step makes of the outcome). ``problems`` holds one line per
    problem if it failed."""

    def __init__(self, request: Request, batches: list[Batch]):
        self.request = request
        self.batches = batches
        self.stage = "waiting for a worker"
        self.outcome: Any = None
        self.report: Any = None
        self.problems: list[str] | None = None
        self._finished = threading.Event()

    @property
    def total(self) -> int:
        """Replications to simulate for this request (0 when both sets were kept)."""
        return sum(b.replications for b in self.batches)

    @property
    def done(self) -> int:
        return sum(b.done for b in self.batches)

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    @property
    def failed(self) -> bool:
        return self.problems is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the job has finished (or ``timeout`` seconds); True once it has."""
        return self._finished.wait(timeout)

    @property
    def fraction(self) -> float:
        """Share of the work done, 0 to 1 (the outcome counts as one replication more)."""
        if self.finished:
            return 1.0
        return self.done / (self.total + 1)


Finish = Callable[[Request, Replicated, Replicated], Any]
Report = Callable[[Any], Any]


class Simulations:
    """Runs requests in the background and keeps the results of the last ``keep``
    scenarios and requests.

    ``finish(request, baseline, whatif)`` makes the outcome of a request from the two
    sets of results, and ``report(outcome)``, if given, what comes after it and takes
    longer (both in the job's thread: the outcome can be shown while the report is
    written). ``workers`` is the number of worker processes (1: replications run in
    the job's thread)."""

    def __init__(self, finish: Finish, report: Report | None = None, workers: int = 1, keep: int = 16):
        if workers < 1:
            raise ValueError(f"workers must be >= 1 (got {workers})")
        self.finish = finish
        self.report = report
        self.workers = workers
        self.keep = keep
        self._results: OrderedDict[Key, Replicated] = OrderedDict()
        self._batches: dict[Key, Batch] = {}
        self._jobs: OrderedDict[Request, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._pool: Executor | None = None

    def submit(self, request: Request) -> Job:
        """The job of ``request``: the one running or finished (unless it failed), else a
        new one started in the background."""
        with self._lock:
            job = self._jobs.get(request)
            if job is not None and not job.failed:
                self._jobs.move_to_end(request)
                return job
            owned = []
            batches = []
            for key in dict.fromkeys(request.keys()):
                if key in self._results:
                    continue
                batch = self._batches.get(key)
                if batch is None:
                    batch = self._batches[key] = Batch(key[2])
                    owned.append(key)
                batches.append(batch)
            job = Job(request, batches)
            self._jobs[request] = job
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._work, args=(job, owned), name="itsim-what-if", daemon=True).start()
        return job

    def prepare(self, key: Key) -> None:
        """Start simulating ``key`` in the background unless it is kept or under way
        (the baseline, while the leader is still moving levers)."""
        with self._lock:
            if key in self._results or key in self._batches:
                return
            self._batches[key] = Batch(key[2])
        threading.Thread(target=self._simulate_quietly, args=(key,), name="itsim-prepare", daemon=True).start()

    def job(self, request: Request) -> Job | None:
        """The job of ``request`` if one was submitted and is still kept."""
        with self._lock:
            return self._jobs.get(request)

    def results(self, key: Key) -> Replicated | None:
        """The kept results of ``key``, if any."""
        with self._lock:
            return self._results.get(key)

    def close(self) -> None:
        """Stop the worker processes (replications under way are abandoned)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    # -- in background threads -----------------------------------------------------------

    def _work(self, job: Job, owned: list[Key]) -> None:
        try:
            sides = []
            for label, key in zip(("the baseline", "the what-if"), job.request.keys(), strict=True):
                job.stage = f"simulating {label}"
                if key in owned:
                    owned.remove(key)
                    self._simulate(key)
                sides.append(self._wait_for(key))
            job.stage = "comparing"
            job.outcome = self.finish(job.request, *sides)
            if self.report is not None:
                job.stage = "writing the report"
                job.report = self.report(job.outcome)
        except ScenarioError as exc:
            job.problems = list(exc.problems)
        except Exception as exc:  # shown on the page; the server keeps going
            job.problems = [f"{type(exc).__name__}: {exc}", *traceback.format_exc().splitlines()[-6:]]
        finally:
            job.stage = "finished"
            job._finished.set()

    def _wait_for(self, key: Key) -> Replicated:
        with self._lock:
            kept = self._results.get(key)
            batch = self._batches.get(key)
        if kept is not None:
            return kept
        if batch is None:  # dropped from the results since the job was submitted
            batch = Batch(key[2])
            with self._lock:
                self._batches[key] = batch
            self._simulate(key)
        batch.ready.wait()
        if batch.error is not None:
            raise batch.error
        return batch.result

    def _simulate_quietly(self, key: Key) -> None:
        try:
            self._simulate(key)
        except Exception:  # the job that needs these results reports the problem
            return

    def _simulate(self, key: Key) -> None:
        """Run the batch of ``key`` (registered by the caller) and keep its result."""
        with self._lock:
            batch = self._batches[key]
        text, seed, replications = key
        try:
            scenario = loads_scenario(text, source="scenario")
            runs = []
            if self.workers == 1:
                for r in range(replications):
                    runs.append(simulate(scenario, seed, r, False))
                    batch.done += 1
            else:
                pool = self._executor()
                futures = [pool.submit(simulate, scenario, seed, r, False) for r in range(replications)]
                try:
                    for future in as_completed(futures):
                        runs.append(future.result())
                        batch.done += 1
                except BrokenProcessPool:
                    self._forget(pool)  # a worker died (killed, out of memory): new ones next time
                    raise
            batch.result = collect(scenario, seed, runs)
        except BaseException as exc:
            batch.error = exc
            raise
        finally:
            with self._lock:
                if batch.result is not None:
                    self._results[key] = batch.result
                    while len(self._results) > self.keep:
                        self._results.popitem(last=False)
                self._batches.pop(key, None)
            batch.ready.set()

    def _forget(self, pool: Executor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def _executor(self) -> Executor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"),
                                                 initializer=worker_started)
            return self._pool
