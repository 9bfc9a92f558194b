"""Stopping on request: Ctrl-C (SIGINT) and SIGTERM become :class:`Interrupted`, which
unwinds like any exception, so worker processes are stopped, temporary files removed
and completed work kept, and the command line exits 130 or 143 with one line.

Worker processes ignore Ctrl-C (the terminal sends it to them too; the main process
stops them) and watch their parent: one whose parent is gone, even killed with
SIGKILL, exits at once instead of computing work nobody will collect.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: How often a worker checks that its parent is still there (seconds).
PARENT_CHECK_SECONDS = 0.25

#: File descriptors a forked worker must close at once: a folder lock held through one
#: would outlive its owner for as long as the worker lives.
NOT_FOR_WORKERS: set[int] = set()


class Interrupted(BaseException):
    """A stop signal (SIGINT or SIGTERM) arrived. A ``BaseException``, like
    ``KeyboardInterrupt``, so that handlers of ordinary errors do not swallow it.

    ``code`` is the conventional exit status (128 + the signal number: 130 for Ctrl-C,
    143 for SIGTERM); ``message`` is the line the command line prints, which a command
    may replace with what it kept.
    """

    def __init__(self, signum: int = signal.SIGINT, message: str = "interrupted"):
        super().__init__(signum)
        self.signum = int(signum)
        self.code = 128 + int(signum)
        self.message = message


def _raise(signum: int, frame: object) -> None:
    raise Interrupted(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within this block (in the main thread), SIGINT and SIGTERM raise :class:`Interrupted`."""
    previous = {s: signal.signal(s, _raise) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def worker_started() -> None:
    """Set up a worker process (an executor's initializer): leave Ctrl-C to the main
    process, die of SIGTERM, and exit as soon as the process that started it is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for fd in list(NOT_FOR_WORKERS):
        os.close(fd)  # the parent's copy keeps what it holds; this one must not
    NOT_FOR_WORKERS.clear()
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), name="itsim-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # the parent is gone (killed): nobody will collect this worker's results
