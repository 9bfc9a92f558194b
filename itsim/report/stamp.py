"""Whether a report is up to date with the results it shows.

``report.html`` carries a stamp in its ``<head>``: the itsim version that wrote it, a
digest of the content of every file the report is built from (:func:`inputs`), and
whether its charts were also written as images::

    <meta name="itsim-report" content="itsim 0.1.0; inputs 3f2a...; images">

A report is up to date when its stamp matches the results as they are now: the same
itsim version, the same inputs byte for byte, and images if images are wanted. The
digest is of content, not of modification times, because a resumed sweep rewrites its
summary files with the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STAMP_META = "itsim-report"
_RUN_FILES = ("summary.json", "timeseries.parquet", "timeseries.csv", "scenario.toml")
_SWEEP_FILES = ("sweep.json", "sweep.parquet", "sweep.csv", "too_busy.json", "scenario.toml")
_HEAD_BYTES = 8192  # the stamp sits before the inlined chart libraries, near the top
#: What the stamp of a report whose charts were also written as images ends with.
WITH_IMAGES = "; images"
_STAMP = re.compile(rf'<meta name="{STAMP_META}" content="([^"]*)">')


def is_sweep(directory: Path) -> bool:
    """A sweep directory (``sweep.parquet`` or ``sweep.json``), rather than a run."""
    return (directory / "sweep.parquet").exists() or (directory / "sweep.json").exists()


def inputs(directory: str | Path) -> list[Path]:
    """The files a report of ``directory`` reads: for a run its summary, weekly series and
    scenario; for a sweep its table, too-busy points, description, scenarios (the sweep's
    own and each cell's) and each cell's summary (its invariant checks)."""
    directory = Path(directory)
    if is_sweep(directory):
        files = [directory / name for name in _SWEEP_FILES]
        for name in ("scenario.toml", "summary.json"):
            files += sorted((directory / "cells").glob(f"*/{name}"))
    else:
        files = [directory / name for name in _RUN_FILES]
    return [f for f in files if f.is_file()]


def stamp(directory: str | Path) -> str:
    """The stamp of a report of ``directory`` built now without chart images (with them,
    :data:`WITH_IMAGES` follows)."""
    from itsim import __version__

    digest = hashlib.sha256()
    directory = Path(directory)
    for path in inputs(directory):
        digest.update(path.relative_to(directory).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return f"itsim {__version__}; inputs {digest.hexdigest()}"


def written_stamp(report: Path) -> str | None:
    """The stamp in an existing ``report.html``, or None (no file, or a report without one)."""
    try:
        with open(report, "rb") as handle:
            head = handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    match = _STAMP.search(head)
    return match.group(1) if match else None


def is_current(directory: str | Path, images: bool = False) -> bool:
    """Whether ``directory/report.html`` was written by this itsim from the results now in
    ``directory`` (and with chart images, when ``images`` is true)."""
    directory = Path(directory)
    written = written_stamp(directory / "report.html")
    if written is None:
        return False
    without = stamp(directory)
    return written == without + WITH_IMAGES or (not images and written == without)
