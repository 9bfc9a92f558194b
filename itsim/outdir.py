"""Output folders, checked before any simulation: ``--out`` must be a folder itsim can
create and write in, must not hold the scenario being run, and must not hold another
run's results unless ``--overwrite`` says to replace them.

What a folder may already hold:

- nothing (or it does not exist yet): it is used;
- the results of a run of the same scenario (same ``[scenario] name``): a run replaces
  them once its simulation is done (so an interrupted run keeps the old ones);
- a sweep, for a sweep: it is resumed when its arguments match (see :mod:`itsim.sweep`);
- the results of another scenario, or of the other kind (a sweep for a run, a run for a
  sweep): refused, unless ``--overwrite``, which clears the folder first;
- anything else (files itsim did not write): always refused, since clearing it would
  delete someone's files.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from itsim.atomic import is_temporary
from itsim.folder_lock import LOCK_NAME

#: What ``itsim run`` writes in its folder (a folder holding only these is a run's).
RUN_FILES = frozenset({"summary.json", "runs.parquet", "runs.csv", "timeseries.parquet", "scenario.toml",
                       "report.html", "charts"})
#: What marks a sweep's folder.
SWEEP_MARKS = ("sweep.json", "cells", "sweep.parquet")

Kind = Literal["empty", "run", "sweep", "other"]


class OutputFolderError(ValueError):
    """``--out`` cannot be used; the message is one line naming the folder."""


@dataclass(frozen=True)
class OutputFolder:
    """A checked output folder: ``kind`` of what it holds; ``clear``: it is to be cleared
    before any work (``--overwrite``); ``replace``: a run's earlier results of the same
    scenario, replaced once the new ones are ready."""

    path: Path
    kind: Kind
    clear: bool = False
    replace: bool = False


def kind_of(path: Path) -> Kind:
    """What a folder holds: nothing, a run's results, a sweep's, or other files."""
    try:
        entries = {p.name for p in Path(path).iterdir()}
    except FileNotFoundError:
        return "empty"
    except NotADirectoryError:
        return "other"
    entries = {e for e in entries if not is_temporary(e) and e != LOCK_NAME}
    if not entries:
        return "empty"
    if any(mark in entries for mark in SWEEP_MARKS):
        return "sweep"
    if "summary.json" in entries or entries <= RUN_FILES:
        return "run"
    return "other"


def prepare(out: Path, kind: Literal["run", "sweep"], scenario_name: str, inputs: list[Path],
            overwrite: bool = False) -> OutputFolder:
    """Check ``out`` for a run or sweep of ``scenario_name`` read from ``inputs``, before any
    work (nothing is changed here). Raises :class:`OutputFolderError` with one line."""
    out = Path(out)
    flag = f"--out {out}"
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{flag}: is a file, not a folder")
    existing = _nearest_existing(out)
    if not existing.is_dir():
        raise OutputFolderError(f"{flag}: cannot create the folder, {existing} is a file")
    _check_writable(existing, flag)
    held = kind_of(out)
    inside = [p for p in inputs if _inside(p, out)]
    if inside:
        raise OutputFolderError(f"{flag}: holds the scenario file {inside[0]} that is being run, which the results "
                                f"would overwrite; choose another folder")
    if held == "other":
        sample = ", ".join(sorted(p.name for p in out.iterdir())[:3])
        raise OutputFolderError(f"{flag}: holds files that are not itsim results ({sample}, ...); "
                                f"choose an empty or new folder")
    if held == "empty":
        return OutputFolder(out, held)
    if overwrite:
        return OutputFolder(out, held, clear=True)
    if kind == "sweep" and held == "sweep":
        return OutputFolder(out, held)  # resumed, or refused, once the sweep's arguments are known
    if kind == "run" and held == "run":
        previous = _scenario_of_run(out)
        if previous is None or previous == scenario_name:
            return OutputFolder(out, held, replace=True)
        raise OutputFolderError(f"{flag}: holds the results of another scenario ({previous!r}); use --overwrite to "
                                f"replace them, or another --out")
    raise OutputFolderError(f"{flag}: holds the results of a {held}; use --overwrite to replace them, "
                            f"or another --out")


def _nearest_existing(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _check_writable(folder: Path, flag: str) -> None:
    """Try to create a file there: permissions, read-only file systems and full disks all show."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".itsim-probe.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputFolderError(f"{flag}: cannot write in {folder} ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


def _inside(file: Path, folder: Path) -> bool:
    """Whether ``file`` is in ``folder`` or below it (where results or clearing would reach it)."""
    try:
        return Path(folder).resolve() in Path(file).resolve().parents
    except OSError:
        return False


def _scenario_of_run(out: Path) -> str | None:
    """The scenario name in a run folder's ``summary.json`` (None if it cannot be read)."""
    try:
        name = json.loads((out / "summary.json").read_text(encoding="utf-8")).get("scenario")
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) else None
