"""Stored results back in Python, and comparisons of results in memory or on disk:
:func:`load_results` and :func:`compare` (``itsim.load_results``, ``itsim.compare``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from itsim import store
from itsim.compare import Comparison, ResultsError, Side, compare_results
from itsim.experiment import Replicated
from itsim.scenario import Scenario, ScenarioError, load_scenario
from itsim.sweep import Sweep, plan


def load_results(directory: str | Path) -> Replicated | Sweep:
    """The results stored in ``directory``: a :class:`itsim.Replicated` for the folder of
    ``itsim run`` (or one cell of a sweep), a :class:`itsim.Sweep` for the folder of
    ``itsim sweep``.

    A run's ``scenario`` is read back from its ``scenario.toml`` (None if that no
    longer loads, e.g. it names a policy not installed here); its ``checks`` were not
    stored and are empty. A sweep's cells that failed keep their error text; cells
    never run are not done. Raises :class:`itsim.compare.ResultsError` (one line per
    problem) for a folder that holds neither.
    """
    directory = Path(directory)
    if (directory / "sweep.json").exists():
        return _load_sweep(directory)
    if (directory / "summary.json").exists():
        return _load_run(directory)
    raise ResultsError([f"{directory}: not a results folder (no summary.json from itsim run, "
                        "no sweep.json from itsim sweep)"])


def _load_run(directory: Path) -> Replicated:
    side = Side.from_directory(directory)
    series = pd.DataFrame()
    if (directory / "timeseries.parquet").exists():
        try:
            series = pd.read_parquet(directory / "timeseries.parquet")
        except Exception as exc:  # pyarrow raises many kinds for a damaged file
            raise ResultsError([f"{directory / 'timeseries.parquet'}: cannot be read ({exc})"]) from None
    runs = side.runs if side.runs is not None else pd.DataFrame(columns=["replication", "metric", "value"])
    checks = pd.DataFrame({"replication": sorted(runs["replication"].unique())})
    try:
        scenario = Scenario.from_dict(side.scenario, source=str(directory / "scenario.toml"))
    except ScenarioError:
        scenario = None
    return Replicated(summary=side.summary, runs=runs, timeseries=series, checks=checks, scenario=scenario)


def _load_sweep(directory: Path) -> Sweep:
    import json

    try:
        meta = json.loads((directory / "sweep.json").read_text(encoding="utf-8"))
        scenario = load_scenario(directory / "scenario.toml")
        cells = plan(scenario, meta["values"], meta["policies"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems = exc.problems if isinstance(exc, ScenarioError) else [str(exc)]
        raise ResultsError([f"{directory}: cannot read the sweep back: {p}" for p in problems]) from None
    for cell in cells:
        where = directory / "cells" / cell.id
        if store.cell_complete(where):
            cell.summary, cell.runs, cell.verdicts = store.read_cell(where)
        elif (where / "error.txt").exists():
            cell.error = (where / "error.txt").read_text(encoding="utf-8")
    adaptive = meta.get("adaptive")
    return Sweep(scenario, meta["values"], meta["policies"], int(meta["replications"]), int(meta["seed"]), cells,
                 out=directory, adaptive=isinstance(adaptive, dict),
                 first_look=adaptive.get("first_look") if isinstance(adaptive, dict) else None)


def compare(a: Replicated | str | Path | Side, b: Replicated | str | Path | Side) -> Comparison:
    """Baseline ``a`` against variant ``b``, metric by metric: each side's mean with its 95%
    interval and the difference b − a, paired (replication by replication) when both
    used the same seed and number of replications, and each side's verdict.

    Each side is results in memory (from :func:`itsim.replicate` or :func:`load_results`)
    or a run folder. The :class:`itsim.compare.Comparison` shows itself as the
    terminal table or, in a notebook, as the comparison page; its ``table`` is a
    DataFrame (one row per metric).
    """
    return compare_results(_side(a), _side(b))


def _side(results: Replicated | str | Path | Side) -> Side:
    if isinstance(results, Side):
        return results
    if isinstance(results, Replicated):
        scenario = results.scenario.to_dict() if results.scenario is not None else {}
        return Side(results.summary, results.runs, scenario)
    if isinstance(results, str | Path):
        return Side.from_directory(results)
    raise TypeError(f"compare takes results (itsim.replicate, itsim.load_results) or a run folder, "
                    f"not {type(results).__name__}")
