"""Results on disk. Every file is written atomically (a temporary file in the same
directory, then a rename), so a run or sweep killed at any moment leaves either
the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from itsim.experiment import Replicated
from itsim.scenario import Scenario


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_parquet(path: Path, frame: pd.DataFrame) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_run(out: Path, scenario: Scenario, result: Replicated, scenario_text: str | None = None) -> None:
    """Write ``scenario.toml``, ``runs.parquet``, ``timeseries.parquet`` and, last,
    ``summary.json`` (its presence marks a complete result directory).

    ``scenario_text`` is the user's file as run (with its comments); without it the
    scenario is written from its values."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "scenario.toml", scenario.dumps() if scenario_text is None else scenario_text)
    atomic_write_parquet(out / "runs.parquet", result.runs)
    atomic_write_parquet(out / "timeseries.parquet", result.timeseries)
    atomic_write_text(out / "summary.json", json.dumps(result.summary, indent=2, sort_keys=True) + "\n")


def read_summary(out: Path) -> dict:
    return json.loads((Path(out) / "summary.json").read_text())


# -- sweep cells ------------------------------------------------------------------------
#
# A sweep writes one run directory per cell under ``cells/``, plus ``verdicts.parquet``
# (replication, too_busy, reasons) from which the too-busy point is computed. A cell
# is complete once its ``summary.json`` exists; a cell that raised holds ``error.txt``
# instead and is computed again when the sweep is resumed.


def atomic_write_json(path: Path, data: object) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def cell_complete(directory: Path) -> bool:
    return (Path(directory) / "summary.json").exists()


def write_cell(directory: Path, scenario: Scenario, result: Replicated, verdicts: pd.DataFrame) -> None:
    """Write a finished cell: leftovers of an interrupted attempt go, ``summary.json`` comes last."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    (directory / "error.txt").unlink(missing_ok=True)
    atomic_write_parquet(directory / "verdicts.parquet", verdicts)
    write_run(directory, scenario, result)


def write_cell_error(directory: Path, text: str) -> None:
    """Record why a cell failed (it stays incomplete, so a resumed sweep tries it again)."""
    atomic_write_text(Path(directory) / "error.txt", text if text.endswith("\n") else text + "\n")


def read_cell(directory: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """``(summary, runs, verdicts)`` of a complete cell."""
    directory = Path(directory)
    return (
        read_summary(directory),
        pd.read_parquet(directory / "runs.parquet"),
        pd.read_parquet(directory / "verdicts.parquet"),
    )
