"""Progress of long work: how much is done, how long it has taken and how long is left.

On a terminal, and in a Jupyter notebook with ipywidgets, a rich progress bar; anywhere
else (a log file, CI, a pipe) a plain line on stderr at every tenth of the work, such as
``sweeping Baseline: 120/660 (18%), 25 s elapsed, about 1:52 left``. The time left is
the time taken so far per finished piece times the pieces still to run.

``itsim.replicate(..., progress=True)`` and ``itsim.sweep(..., progress=True)`` show one;
the command line always does.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TextIO

#: what the ``progress`` argument of the API accepts: True for a :class:`ProgressDisplay`,
#: or a function called with the number of pieces done (and, from a sweep, the total)
ProgressArg = bool | Callable[..., Any] | None
PLAIN_STEPS = 10  # plain lines per run of work


def duration(seconds: float) -> str:
    """``42 s``, ``3:05`` (minutes) or ``1:02:05`` (hours)."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ProgressDisplay:
    """Call with ``(done)`` or ``(done, total)`` as pieces of work finish; closes itself when
    ``done`` reaches the total, or on leaving a ``with`` block. ``stream`` defaults to stderr.

    While ``open_ended`` is set (an adaptive sweep, whose total is the work planned so far
    and grows by round), reaching the total neither closes it nor reads as done."""

    open_ended = False

    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None):
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None
        self._plain: bool | None = None  # decided at the first update
        self._next_line = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        if self._plain is False and self._bar is None:
            return  # the bar was closed: the work is done
        if self._plain is None:
            self._plain = not self._open_bar()
        if self._plain:
            self._line(done)
        else:
            self._bar.update(self._task, completed=done, total=self.total)
        if self.total is not None and done >= self.total and not self.open_ended:
            self.close()

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _open_bar(self) -> bool:
        """Start a rich bar where one can be drawn; False where plain lines are needed."""
        from rich.console import Console

        console = Console(file=self.stream)
        if not (console.is_terminal or (console.is_jupyter and _has_ipywidgets())):
            return False
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("elapsed,"), TimeRemainingColumn(), TextColumn("left"),
            console=console, transient=console.is_terminal,
        )
        self._task = self._bar.add_task(self.label, total=self.total)
        self._bar.start()
        return True

    def _line(self, done: int) -> None:
        total = self.total
        if total is None or total <= 0:
            return
        if done < min(self._next_line, total):
            return
        while self._next_line <= done:
            self._next_line += max(1, total // PLAIN_STEPS)
        elapsed = time.monotonic() - self.started
        if done >= total and self.open_ended:
            timing = f"{duration(elapsed)} elapsed, all planned so far; planning more"
        elif done >= total:
            timing = f"done in {duration(elapsed)}"
        else:
            left = elapsed / done * (total - done) if done else None
            timing = f"{duration(elapsed)} elapsed" + (f", about {duration(left)} left" if left is not None else "")
        print(f"{self.label}: {done}/{total} ({100 * done // total}%), {timing}", file=self.stream, flush=True)


def progress_for(progress: ProgressArg, label: str,
                 total: int | None = None) -> AbstractContextManager[Callable[..., Any] | None]:
    """What an API ``progress`` argument stands for, as a context manager that gives the
    function to call (None for None or False) and closes a display on leaving, also when
    the work stops with an error: a new :class:`ProgressDisplay` for True, the argument
    itself for a display (which learns ``total`` if it had none) or a function."""
    if progress is True:
        return ProgressDisplay(label, total)
    if isinstance(progress, ProgressDisplay):
        if progress.total is None:
            progress.total = total
        return progress
    return nullcontext(progress or None)


def _has_ipywidgets() -> bool:
    try:
        import ipywidgets  # noqa: F401  (rich draws its bar in a notebook through it)
    except ImportError:
        return False
    return True
