"""Results on disk. Every file is written atomically (:mod:`itsim.atomic`), so a run or
sweep killed at any moment leaves either the old file or the new one, never half of one.

What is read back is checked before it is used: a file that cannot be read, or that does
not hold what its folder says (a sweep cell of another scenario, replication count or
seed), raises :class:`DamagedResults` naming the file and the problem, so a sweep
computes such a cell again and ``itsim report`` / ``itsim compare`` refuse the folder
with a clear message instead of failing inside.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from itsim.atomic import (
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    is_temporary,
    remove_orphaned_temporaries,
)
from itsim.folder_lock import LOCK_NAME
from itsim.scenario_text import plain_value

if TYPE_CHECKING:
    from itsim.experiment import Replicated
    from itsim.scenario import Scenario

__all__ = [
    "DamagedResults", "CellExpectation", "atomic_write_bytes", "atomic_write_text",
    "atomic_write_json", "atomic_write_parquet", "is_temporary", "remove_orphaned_temporaries", "clear_folder",
    "write_run", "read_summary", "cell_complete", "write_cell", "write_cell_error", "read_cell",
    "read_cell_replications",
    "check_run_folder", "check_sweep_folder",
]

class DamagedResults(ValueError):
    """A results file that cannot be used; the message names the file and the problem."""


def atomic_write_json(path: Path, data: object) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def atomic_write_parquet(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def clear_folder(folder: Path) -> None:
    """Remove everything in a results folder (its lock excepted), keeping the folder."""
    for entry in Path(folder).iterdir():
        if entry.name == LOCK_NAME:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)


def write_run(out: Path, scenario: Scenario, result: Replicated, scenario_text: str | None = None,
              replace: bool = False) -> None:
    """Write ``scenario.toml``, ``runs.parquet``, ``timeseries.parquet`` and, last,
    ``summary.json`` (its presence marks a complete result directory).

    ``scenario_text`` is the user's file as run (with its comments); without it the
    scenario is written from its values. With ``replace``, what the folder held before
    (an earlier run's files, charts included) goes first."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if replace:
        clear_folder(out)
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
# instead and is computed again when the sweep is resumed. A cell of an adaptive sweep
# also keeps ``replications.json`` (each replication's metrics, checks, verdict and
# timings; its weekly series are in ``timeseries.parquet``), from which it is extended
# when a later round gives it more replications.


@dataclass(frozen=True)
class CellExpectation:
    """What a stored cell must hold to be reused: its scenario, replications (a count, or
    the counts allowed, for a cell of an adaptive sweep) and seed."""

    scenario: Scenario
    replications: int | range
    seed: int


def cell_complete(directory: Path) -> bool:
    return (Path(directory) / "summary.json").exists()


def write_cell(directory: Path, scenario: Scenario, result: Replicated, verdicts: pd.DataFrame,
               replications: list[dict] | None = None) -> None:
    """Write a finished cell: leftovers of an interrupted attempt go, ``summary.json`` comes
    last (an older one goes first, so a half-rewritten cell, an extended one included, is
    never taken as complete). ``replications``: each replication's parts but its weekly
    series, kept in ``replications.json`` so that the cell can be extended later."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    remove_orphaned_temporaries(directory)
    (directory / "summary.json").unlink(missing_ok=True)
    (directory / "error.txt").unlink(missing_ok=True)
    atomic_write_parquet(directory / "verdicts.parquet", verdicts)
    if replications is not None:
        atomic_write_text(directory / "replications.json",
                          json.dumps({"replications": plain_value(replications)}, sort_keys=True) + "\n")
    write_run(directory, scenario, result)


def read_cell_replications(directory: Path) -> list[dict[str, Any]]:
    """The replications of a complete cell of an adaptive sweep, in order, each as
    ``replications.json`` holds it with its weekly series (``timeseries``) added; raises
    :class:`DamagedResults` when they cannot be read or do not match the cell's runs."""
    directory = Path(directory)
    entries = _json_object(directory / "replications.json").get("replications")
    runs = _table(directory / "runs.parquet", ("replication",))
    series = _table(directory / "timeseries.parquet", ("replication",))
    if (not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries)
            or sorted(e.get("replication", -1) for e in entries) != sorted(set(runs["replication"]))):
        raise DamagedResults(f"{directory / 'replications.json'}: does not list the cell's replications")
    entries = sorted(entries, key=lambda e: e["replication"])
    for entry in entries:
        entry["timeseries"] = series[series["replication"] == entry["replication"]].reset_index(drop=True)
    return entries


def write_cell_error(directory: Path, text: str) -> None:
    """Record why a cell failed (it is incomplete from now on, an earlier round's results
    of an adaptive sweep's cell included, so a resumed sweep tries it again)."""
    (Path(directory) / "summary.json").unlink(missing_ok=True)
    atomic_write_text(Path(directory) / "error.txt", text if text.endswith("\n") else text + "\n")


def read_cell(directory: Path, expect: CellExpectation | None = None) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """``(summary, runs, verdicts)`` of a complete cell, checked: every file readable and,
    with ``expect``, holding that scenario, replication count and seed. Raises
    :class:`DamagedResults` otherwise."""
    directory = Path(directory)
    summary = _json_object(directory / "summary.json")
    runs = _table(directory / "runs.parquet", ("replication", "metric", "value"))
    verdicts = _table(directory / "verdicts.parquet", ("replication", "too_busy", "reasons"))
    _parquet_footer(directory / "timeseries.parquet")
    if expect is not None:
        _expect_cell(directory, expect, summary, runs, verdicts)
    return summary, runs, verdicts


def _expect_cell(directory: Path, expect: CellExpectation, summary: dict, runs: pd.DataFrame,
                 verdicts: pd.DataFrame) -> None:
    from itsim.scenario import ScenarioError, load_scenario

    allowed = expect.replications
    if isinstance(allowed, range):
        held = summary.get("replications")
        if not (isinstance(held, int) and held in allowed):
            raise DamagedResults(f"{directory / 'summary.json'}: replications {held!r} there, "
                                 f"{allowed.start} to {allowed.stop - 1} here")
    else:
        held = allowed
    for key, wanted in (("replications", held), ("seed", expect.seed)):
        if summary.get(key) != wanted:
            raise DamagedResults(f"{directory / 'summary.json'}: {key} {summary.get(key)!r} there, {wanted} here")
    reps = set(range(held))
    for name, frame in (("runs.parquet", runs), ("verdicts.parquet", verdicts)):
        if set(frame["replication"]) != reps:
            raise DamagedResults(f"{directory / name}: replications {sorted(set(frame['replication']))[:5]} "
                                 f"do not match 0..{held - 1}")
    try:
        stored = load_scenario(directory / "scenario.toml")
    except ScenarioError as exc:
        raise DamagedResults(f"{directory / 'scenario.toml'}: {exc.problems[0].split(': ', 1)[-1]}") from None
    if stored != expect.scenario:
        raise DamagedResults(f"{directory / 'scenario.toml'}: another scenario than this cell's")


# -- checking result folders before they are read ------------------------------------------


def check_run_folder(directory: Path, report: bool = True) -> None:
    """Raise :class:`DamagedResults` (file and problem) unless a run folder can be read:
    ``summary.json`` (with its metrics), ``runs`` and, for a report, ``timeseries`` and
    ``scenario.toml`` where present."""
    directory = Path(directory)
    summary = _json_object(directory / "summary.json")
    if not isinstance(summary.get("metrics", {}), dict):
        raise DamagedResults(f"{directory / 'summary.json'}: 'metrics' is not a table")
    _optional_table(directory, "runs", ("replication", "metric", "value"))
    if report:
        _optional_table(directory, "timeseries", ())
        _optional_toml(directory / "scenario.toml")


def check_sweep_folder(directory: Path) -> None:
    """Raise :class:`DamagedResults` unless a sweep folder can be read for its report."""
    directory = Path(directory)
    for name in ("sweep.json", "too_busy.json"):
        if (directory / name).exists():
            _json_object(directory / name)
    if _optional_table(directory, "sweep", ("policy", "replication", "metric", "value")) is None:
        raise DamagedResults(f"{directory}: no sweep.parquet (the sweep has not finished; run it again to "
                             f"complete it)")
    _optional_toml(directory / "scenario.toml")
    for cell in sorted((directory / "cells").glob("*/scenario.toml")):
        _optional_toml(cell)


def _json_object(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DamagedResults(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DamagedResults(f"{path}: cannot be read ({_reason(exc)})") from None
    if not isinstance(data, dict):
        raise DamagedResults(f"{path}: not a JSON object")
    return data


def _table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except FileNotFoundError:
        raise DamagedResults(f"{path}: missing") from None
    except Exception as exc:  # pyarrow and pandas raise many kinds for a damaged file
        raise DamagedResults(f"{path}: cannot be read ({_reason(exc)})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DamagedResults(f"{path}: no column {missing[0]!r}")
    return frame


def _optional_table(directory: Path, stem: str, columns: tuple[str, ...]) -> pd.DataFrame | None:
    for suffix in (".parquet", ".csv"):
        if (directory / f"{stem}{suffix}").exists():
            return _table(directory / f"{stem}{suffix}", columns)
    return None


def _parquet_footer(path: Path) -> None:
    """A parquet file's footer is written last: reading it shows a truncated file cheaply."""
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
    except FileNotFoundError:
        raise DamagedResults(f"{path}: missing") from None
    except Exception as exc:
        raise DamagedResults(f"{path}: cannot be read ({_reason(exc)})") from None


def _optional_toml(path: Path) -> None:
    if not path.exists():
        return
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DamagedResults(f"{path}: cannot be read ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:160]}" if text else type(exc).__name__
