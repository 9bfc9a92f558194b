"""Sweeps: a grid of scenario variants times policies, each cell replicated.

A cell is one combination of values of the varied keys and one policy. Replication
``r`` of every cell draws the same random numbers (common random numbers), so
cells are compared pairwise and the too-busy point's interval is a paired
bootstrap over replications. The work is split into one task per cell and
replication, so a grid with few cells still uses every worker.

With ``out``, each cell is written to ``out/cells/<cell id>/`` as soon as its last
replication finishes; a sweep rerun on the same directory with the same
arguments skips complete cells and ends with the same results as an
uninterrupted one.

An adaptive sweep (``adaptive=True``) runs a few replications of every cell, then
more, round by round, only where they can move the tipping point
(:mod:`itsim.adaptive`); each cell is stored after every round that gives it more
replications, and a resumed adaptive sweep replays the schedule from what is stored.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from itsim import store, workload
from itsim.adaptive import FIRST_LOOK, levels_to_extend, next_count, round_rng
from itsim.executors import Executor, LocalExecutor
from itsim.experiment import Run, collect, expect_count, expect_scenario, policy_and_adjusted, policy_for, simulate
from itsim.folder_lock import folder_lock
from itsim.policies import available, policy_class
from itsim.progress import ProgressArg, ProgressDisplay, progress_for
from itsim.scenario import Scenario, ScenarioError
from itsim.scenario_text import plain_value
from itsim.tipping import tipping_point
from itsim.workload import FORCE_HINT, TooMuchWork, estimate
from itsim.workload import check as check_work

#: Metric added to the sweep table: 1.0 when a replication was too busy, else 0.0.
TOO_BUSY = "too_busy"

#: The most values one ``--vary`` key may take.
MAX_STEPS = 10_000

_INT = re.compile(r"[+-]?\d+")
_UNSAFE = re.compile(r"[^A-Za-z0-9._+=-]")


class SweepMismatch(ValueError):
    """The output directory holds a sweep run with other arguments."""


@dataclass
class Cell:
    """One point of the grid. ``summary``, ``runs`` (replication, metric, value) and
    ``verdicts`` (replication, too_busy, reasons) are set once it is computed;
    ``error`` holds the traceback of a cell that raised."""

    id: str
    values: dict[str, Any]
    policy: str
    scenario: Scenario = field(repr=False)
    summary: dict | None = field(default=None, repr=False)
    runs: pd.DataFrame | None = field(default=None, repr=False)
    verdicts: pd.DataFrame | None = field(default=None, repr=False)
    error: str | None = field(default=None, repr=False)

    @property
    def done(self) -> bool:
        return self.summary is not None


# -- the grid ------------------------------------------------------------------------------


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``KEY=START:STOP:STEPS`` (evenly spaced, both ends included) or ``KEY=V1,V2,...``.

    Values are numbers where they parse as numbers (integers stay integers), else text.
    Raises ValueError with a one-line message.
    """
    usage = "expected KEY=START:STOP:STEPS or KEY=V1,V2,..."
    key, sep, spec = text.partition("=")
    key, spec = key.strip(), spec.strip()
    if not sep or not key or not spec:
        raise ValueError(f"{text!r}: {usage}")
    if ":" in spec:
        parts = [p.strip() for p in spec.split(":")]
        if len(parts) != 3:
            raise ValueError(f"{key}: {spec!r}: {usage}")
        try:
            start, stop = float(parts[0]), float(parts[1])
            steps = int(parts[2])
        except ValueError:
            raise ValueError(f"{key}: {spec!r}: START and STOP must be numbers and STEPS an integer") from None
        if steps < 1 or (steps == 1 and start != stop):
            raise ValueError(f"{key}: {spec!r}: STEPS must be >= 2 to span START..STOP")
        if steps > MAX_STEPS:
            raise ValueError(f"{key}: {spec!r}: at most {MAX_STEPS:,} STEPS (got {steps:,})")
        if not (math.isfinite(start) and math.isfinite(stop)):
            raise ValueError(f"{key}: {spec!r}: START and STOP must be finite numbers")
        values: list[Any] = [float(f"{v:.12g}") for v in np.linspace(start, stop, steps)]
        if _INT.fullmatch(parts[0]) and _INT.fullmatch(parts[1]) and all(v.is_integer() for v in values):
            values = [int(v) for v in values]
    else:
        items = [p.strip() for p in spec.split(",")]
        if any(not p for p in items):
            raise ValueError(f"{key}: {spec!r}: empty value in the list")
        if len(items) > MAX_STEPS:
            raise ValueError(f"{key}: at most {MAX_STEPS:,} values (got {len(items):,})")
        values = [_scalar(p) for p in items]
        infinite = [p for p, v in zip(items, values, strict=True) if isinstance(v, float) and not math.isfinite(v)]
        if infinite:
            raise ValueError(f"{key}: {infinite[0]!r}: values must be finite numbers")
        if any(isinstance(v, float) for v in values) and all(_is_number(v) for v in values):
            values = [float(v) for v in values]
    dup = sorted({str(v) for v in values if values.count(v) > 1})
    if dup:
        raise ValueError(f"{key}: {', '.join(dup)} given more than once")
    return key, values


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _scalar(text: str) -> Any:
    if _INT.fullmatch(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        pass
    if text in ("true", "false"):
        return text == "true"
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def cell_id(values: dict[str, Any], policy: str) -> str:
    """A readable, filesystem-safe name, e.g. ``demand_scale=1.2__policy=wip_limit``."""
    parts = [f"{key}={_label(v)}" for key, v in values.items()] + [f"policy={policy}"]
    return "__".join(_UNSAFE.sub("_", p) for p in parts)


def _label(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def plan(scenario: Scenario, vary: dict[str, Sequence[Any]], policies: Sequence[str] | str | None = None,
         force: bool = False) -> list[Cell]:
    """Every cell of the grid, each with its scenario, checked before any work.

    ``policies`` are policy names (``a+b`` combines two; a single name may be given as
    text); default: the scenario's own. Scenario parameters of other known policies are
    dropped from each cell; a varied ``policy.X`` must be a parameter of some policy of
    the sweep. More cells than :data:`itsim.workload.LIMITS` allows are refused unless
    ``force``. Raises :class:`ScenarioError` with one line per problem.
    """
    expect_scenario(scenario, "sweep")
    vary = _grid(vary)
    policies = _policy_labels(policies) or ["+".join(scenario.policy.names)]
    problems: list[str] = []
    if "policy.name" in vary:
        problems.append("--vary policy.name: vary the policy with --policy")
    for key, values in vary.items():
        if not values:
            problems.append(f"--vary {key}: no values")
    problems += policy_problems(policies)
    if problems:
        raise ScenarioError(problems)
    cells_wanted = math.prod(len(v) for v in vary.values()) * len(policies)
    most = workload.LIMITS.cells
    if cells_wanted > most and not force:
        raise TooMuchWork([f"--vary: the grid has {cells_wanted:,} cells; the limit is {most:,} ({FORCE_HINT})"])
    problems.extend(_unused_policy_parameters(vary, policies))
    for key, values in vary.items():
        try:
            scenario.with_changes({key: values[0]})
        except ScenarioError as exc:
            problems.extend(f"--vary {key}: {_strip(p)}" for p in exc.problems)
    if problems:
        raise ScenarioError(problems)

    keys = list(vary)
    cells: list[Cell] = []
    ids: set[str] = set()
    seen: dict[str, str] = {}
    for combo in itertools.product(*(vary[k] for k in keys)):
        values = dict(zip(keys, combo, strict=True))
        for label in policies:
            cid = cell_id(values, label)
            try:
                sc = _cell_scenario(scenario, values, label)
                policy_for(sc)
            except ScenarioError as exc:
                for p in exc.problems:
                    seen.setdefault(_strip(p), cid)
                continue
            if cid in ids:
                raise ScenarioError([f"--vary: two cells would share the directory name {cid!r}"])
            ids.add(cid)
            cells.append(Cell(cid, values, label, sc))
    if seen:
        raise ScenarioError([f"cell {cid}: {p}" for p, cid in seen.items()])
    return cells


def policy_problems(labels: Sequence[str]) -> list[str]:
    """One line per unknown policy name in ``labels`` (``a+b`` combines), and for repeats."""
    problems = []
    for label in dict.fromkeys(labels):
        for name in label.split("+"):
            try:
                policy_class(name)
            except KeyError as exc:
                problems.append(f"--policy: {exc.args[0]}")
    if len(set(labels)) != len(labels):
        problems.append("--policy: a policy is given more than once")
    return problems


def check_sweep_work(cells: list[Cell], replications: int, force: bool = False) -> None:
    """Refuse a sweep whose expected work is beyond the limits of :mod:`itsim.workload`
    (:class:`itsim.workload.TooMuchWork`), unless ``force``."""
    check_work([estimate(policy_and_adjusted(c.scenario)[1]) for c in cells], replications, force=force)


def _grid(vary: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """``vary`` as plain lists of plain values (numpy numbers become Python numbers)."""
    if not isinstance(vary, Mapping):
        raise TypeError(f"vary: expected a mapping of dotted keys to lists of values, got {type(vary).__name__}")
    if not vary:
        raise ScenarioError(["--vary: give at least one KEY=SPEC"])
    bad = [k for k in vary if not isinstance(k, str)]
    if bad:
        raise TypeError(f"vary: keys are dotted scenario keys as text, got {bad[0]!r} ({type(bad[0]).__name__})")
    not_lists = [k for k, v in vary.items() if isinstance(v, str | bytes) or not isinstance(v, Sequence | np.ndarray)]
    if not_lists:
        raise TypeError(f"vary: {not_lists[0]}: expected a list of values, got {type(vary[not_lists[0]]).__name__}")
    return {k: [plain_value(v) for v in values] for k, values in vary.items()}


def _policy_labels(policies: Sequence[str] | str | None) -> list[str]:
    """Policy labels as a list: one name given as text is one policy, not its letters."""
    if policies is None:
        return []
    if isinstance(policies, str):
        return [policies]
    labels = list(policies)
    bad = [p for p in labels if not isinstance(p, str)]
    if bad:
        raise TypeError(f"policies: expected policy names as text, got {bad[0]!r} ({type(bad[0]).__name__})")
    return labels


def _unused_policy_parameters(vary: dict[str, list[Any]], policies: list[str]) -> list[str]:
    """A varied ``policy.X`` that no policy of the sweep takes would change nothing: refuse it."""
    problems = []
    for key in vary:
        param = key.removeprefix("policy.")
        if param == key or "." in param or param == "name":
            continue
        if any(param in policy_class(n).Params.model_fields for label in policies for n in label.split("+")):
            continue
        takers = sorted(n for n, cls in available().items() if param in cls.Params.model_fields)
        hint = f" (taken by {', '.join(takers)}; add it with --policy)" if takers else ""
        problems.append(f"--vary {key}: not a parameter of {' or '.join(policies)}{hint}")
    return problems


def require_numeric_key(vary: dict[str, Sequence[Any]]) -> None:
    """A sweep's report plots results against a numeric key: refuse a grid without one
    (raises :class:`ScenarioError`), before any cell is computed."""
    if not any(all(_is_number(v) for v in values) for values in vary.values()):
        raise ScenarioError([f"--vary: at least one key must take numbers (the sweep's x axis); "
                             f"{', '.join(vary)} {'takes' if len(vary) == 1 else 'take'} text"])


def tipping_key(vary: Mapping[str, Sequence[Any]], key: str | None = None) -> str:
    """The key along which a sweep's too-busy point is found: ``key`` if given (it must be
    varied and numeric), else ``demand_scale`` if varied, else the first numeric varied key.
    Raises ValueError when there is none."""
    numeric = [k for k, vs in vary.items() if all(_is_number(v) for v in vs)]
    if key is None:
        if not numeric:
            raise ValueError("no numeric key was varied, so there is no too-busy point")
        return "demand_scale" if "demand_scale" in numeric else numeric[0]
    if key not in numeric:
        raise ValueError(f"{key!r} is not a numeric key of this sweep (varied: {', '.join(vary)})")
    return key


def _strip(problem: str) -> str:
    return problem.removeprefix("with_changes: ")


def _cell_scenario(scenario: Scenario, values: dict[str, Any], label: str) -> Scenario:
    names = label.split("+")
    sc = scenario.with_changes({**values, "policy.name": names[0] if len(names) == 1 else names})
    own = {f for n in names for f in policy_class(n).Params.model_fields}
    if all(p in own for p in sc.policy.params):
        return sc
    known = {f for cls in available().values() for f in cls.Params.model_fields}
    foreign = [p for p in sc.policy.params if p in known and p not in own]
    if not foreign:
        return sc
    data = sc.to_dict()
    for p in foreign:
        del data["policy"][p]
    return Scenario.from_dict(data, source="with_changes")


# -- running ------------------------------------------------------------------------------


#: the fields of a :class:`Run` that a worker sends back; the cell already holds the scenario
_RUN_PARTS = tuple(f.name for f in fields(Run) if f.name not in ("scenario", "world"))


@dataclass
class _Outcome:
    """What a worker sends back for one replication: the run's parts (without the
    scenario, which would cost more to send than the results) or the error text."""

    replication: int
    parts: dict[str, Any] | None
    error: str | None

    def run(self, scenario: Scenario) -> Run:
        return Run(scenario=scenario, **self.parts)


def _replication(scenario: Scenario, seed: int, replication: int) -> _Outcome:
    """One replication of one cell (the unit of parallel work); errors come back as text."""
    try:
        run = simulate(scenario, seed=seed, replication=replication, keep_events=False, force=True)
    except Exception:
        return _Outcome(replication, None, f"replication {replication}:\n{traceback.format_exc()}")
    return _Outcome(replication, {name: getattr(run, name) for name in _RUN_PARTS}, None)


def sweep(
    scenario: Scenario,
    vary: dict[str, Sequence[Any]],
    policies: Sequence[str] | str | None = None,
    replications: int = 10,
    seed: int | None = None,
    out: str | Path | None = None,
    workers: int | None = 1,
    executor: Executor | None = None,
    progress: ProgressArg = None,
    force: bool = False,
    overwrite: bool = False,
    adaptive: bool = False,
    first_look: int = FIRST_LOOK,
) -> Sweep:
    """Run every cell of the grid ``vary`` (key -> values) times ``policies``.

    ``seed`` defaults to the scenario's. With ``out``, results are stored (and resumed)
    there and ``sweep.parquet``, ``too_busy.json`` and ``sweep.json`` are written; the
    folder is locked meanwhile (a second sweep on it raises
    :class:`itsim.folder_lock.FolderLocked`), a stored cell is reused only once checked
    (a damaged one is computed again and listed in ``Sweep.recomputed``), and a folder
    holding a sweep with other arguments raises :class:`SweepMismatch` unless
    ``overwrite``, which clears it first.
    ``executor`` defaults to ``workers`` local processes: 1 (the default) runs in this
    process, None one process per usable core (:func:`itsim.cores.usable_cores`, what
    ``itsim sweep`` does). ``progress``: True shows a progress bar with the time left
    (:mod:`itsim.progress`); a function is called with (replications finished,
    replications to run). A cell that raises is recorded (``Cell.error``) and the others
    go on. Work beyond the limits of :mod:`itsim.workload` is refused before any starts,
    unless ``force``.

    ``adaptive``: run ``first_look`` replications of every cell, then double them, round
    by round, only for the levels that can still move the too-busy point, up to
    ``replications`` (:mod:`itsim.adaptive`); a cell that reaches ``replications`` holds
    exactly the fixed grid's replications. The progress function is then called with
    (replications finished, replications planned so far), the total growing by round.
    """
    expect_scenario(scenario, "sweep")
    expect_count(replications, "replications", 1)
    if adaptive:
        expect_count(first_look, "first_look", 1)
        if first_look > replications:
            raise ValueError(f"first_look must be <= replications (the most a cell gets), "
                             f"got {first_look} > {replications}")
    seed = scenario.scenario.seed if seed is None else seed
    expect_count(seed, "seed", 0)
    vary = _grid(vary)
    cells = plan(scenario, vary, policies, force=force)
    check_sweep_work(cells, replications, force)
    grid = Sweep(scenario, vary, list(dict.fromkeys(c.policy for c in cells)),
                 replications, seed, cells, Path(out) if out is not None else None,
                 adaptive=adaptive, first_look=first_look if adaptive else None)
    if adaptive:
        grid._tipping_key(None)  # an adaptive sweep needs a numeric key to aim at
    executor = executor if executor is not None else LocalExecutor(workers)
    with progress_for(progress, f"sweeping {scenario.name}") as update:
        if grid.out is None:
            grid._compute(executor, update)
            return grid
        with folder_lock(grid.out) as stale:
            grid.stale_lock = stale
            grid._open(overwrite)
            grid._compute(executor, update)
            grid._close()
    return grid


@dataclass
class Sweep:
    """The result of :func:`sweep`: the ``cells``, the long ``table`` and :meth:`too_busy_point`.

    ``replications`` is the count of every cell of a fixed grid, and the most a cell of an
    adaptive sweep gets (``adaptive``, starting from ``first_look``; :meth:`counts`)."""

    scenario: Scenario = field(repr=False)
    vary: dict[str, list[Any]]
    policies: list[str]
    replications: int
    seed: int
    cells: list[Cell] = field(repr=False)
    out: Path | None = None
    adaptive: bool = False
    first_look: int | None = None
    #: cells found complete in ``out`` when the sweep started (reused, not computed again)
    resumed: int = 0
    #: replications simulated by this call (not those reused from ``out``)
    computed: int = 0
    #: ``(cell id, problem)`` of stored cells that could not be reused and were computed again
    recomputed: list[tuple[str, str]] = field(default_factory=list, repr=False)
    #: the previous owner of a lock left by a sweep that did not finish (taken over), if any
    stale_lock: dict | None = field(default=None, repr=False)
    _table: pd.DataFrame | None = field(default=None, repr=False)
    #: an adaptive sweep's replications of the cells it may still extend, by cell id (with
    #: ``out``, only those of the next round: the others are read back if extended later)
    _outcomes: dict[str, list[_Outcome]] = field(default_factory=dict, repr=False)

    @property
    def varied(self) -> list[str]:
        return list(self.vary)

    @property
    def failed(self) -> list[Cell]:
        return [c for c in self.cells if c.error is not None]

    def counts(self) -> dict[str, int]:
        """Replications held by each computed cell, by cell id (all equal in a fixed grid)."""
        return {c.id: len(c.verdicts) for c in self.cells if c.done}

    @property
    def replications_run(self) -> int:
        """Replications behind the results, against ``len(cells) x replications`` for a fixed grid."""
        return sum(self.counts().values())

    @property
    def table(self) -> pd.DataFrame:
        """Long table: one column per varied key, ``policy``, ``replication``, ``metric``,
        ``value``; the metric ``too_busy`` is 1.0 for a too-busy replication, else 0.0."""
        if self._table is None:
            frames = []
            for c in self.cells:
                if not c.done:
                    continue
                busy = pd.DataFrame({
                    "replication": c.verdicts["replication"].to_numpy(),
                    "metric": TOO_BUSY,
                    "value": c.verdicts["too_busy"].to_numpy(dtype=float),
                })
                frame = pd.concat([c.runs[["replication", "metric", "value"]], busy], ignore_index=True)
                frame = frame.sort_values(["replication", "metric"], kind="stable", ignore_index=True)
                coords = {k: [v] * len(frame) for k, v in c.values.items()}
                frames.append(pd.concat([pd.DataFrame(coords), frame.assign(policy=c.policy)], axis=1))
            columns = [*self.vary, "policy", "replication", "metric", "value"]
            self._table = (pd.concat(frames, ignore_index=True)[columns] if frames
                           else pd.DataFrame(columns=columns))
        return self._table

    def too_busy_point(self, key: str | None = None, level: float = 0.95) -> dict[str, dict[str, Any]]:
        """Per policy, the value of ``key`` at which the department's status changes to
        "too busy" (see :func:`itsim.tipping.tipping_point` and docs/verdict.md).

        ``key`` defaults to ``demand_scale`` if varied, else the first numeric varied key.
        A replication is too busy when it breaks a target; the status of a level is too
        busy when the share of such replications exceeds the scenario's ``too_busy_above``
        (and at risk above ``at_risk_above``). The direction of the key (more demand makes
        things worse, more staff better) is declared for well-known keys and read from the
        shares otherwise. The interval is a bootstrap over replications, paired across
        levels (replication ``r`` sees the same random numbers at every level).

        With other keys varied too, there is one entry per policy and combination of their
        values, named ``policy (k=v, ...)``. Returns ``{name: {"point": x | None,
        "ci95": [lo, hi] | None, "varied": key, "direction", "kind", "band", "at_risk",
        "shares"}}``.
        """
        key = self._tipping_key(key)
        rng = np.random.default_rng(self.seed)
        targets = self.scenario.targets
        integer = all(isinstance(v, int) and not isinstance(v, bool) for v in self.vary[key])
        result = {}
        for name, cells in self._groups(key).items():
            done = sorted((c for c in cells if c.done), key=lambda c: c.values[key])
            xs, busy = _busy_matrix(done, key)
            result[name] = tipping_point(xs, busy, key, targets.too_busy_above, targets.at_risk_above,
                                         level=level, rng=rng, integer=integer)
            if self.adaptive:
                result[name]["replications"] = [[c.values[key], len(c.verdicts)] for c in done]
        return result

    def too_busy_frame(self, key: str | None = None, level: float = 0.95) -> pd.DataFrame:
        """:meth:`too_busy_point` as a table, one row per entry: ``name``, ``policy``, the
        values of the other varied keys, ``varied``, ``point``, ``lo`` and ``hi`` (its
        interval), ``kind`` (tips, recovers, below_range, above_range or never),
        ``direction``, ``band``, and the same for the at-risk band (``at_risk_point``,
        ``at_risk_lo``, ``at_risk_hi``, ``at_risk_kind``)."""
        points = self.too_busy_point(key, level)
        key = self._tipping_key(key)
        others = [k for k in self.vary if k != key]
        rows = []
        for name, cells in self._groups(key).items():
            entry = points[name]
            risk = entry.get("at_risk") or {}
            lo, hi = entry["ci95"] or (None, None)
            risk_lo, risk_hi = risk.get("ci95") or (None, None)
            rows.append({
                "name": name, "policy": cells[0].policy, **{k: cells[0].values[k] for k in others},
                "varied": entry["varied"], "point": entry["point"], "lo": lo, "hi": hi, "kind": entry["kind"],
                "direction": entry["direction"], "band": entry["band"], "at_risk_point": risk.get("point"),
                "at_risk_lo": risk_lo, "at_risk_hi": risk_hi, "at_risk_kind": risk.get("kind"),
            })
        frame = pd.DataFrame(rows)
        for column in ("point", "lo", "hi", "at_risk_point", "at_risk_lo", "at_risk_hi"):
            if column in frame:
                frame[column] = pd.to_numeric(frame[column], errors="coerce")
        return frame

    def _groups(self, key: str) -> dict[str, list[Cell]]:
        """The cells of each too-busy entry: one per policy and combination of the values of
        the keys other than ``key``, named ``policy (k=v, ...)``."""
        others = [k for k in self.vary if k != key]
        groups: dict[str, list[Cell]] = {}
        for c in self.cells:
            at = ", ".join(f"{k}={_label(c.values[k])}" for k in others)
            groups.setdefault(f"{c.policy} ({at})" if at else c.policy, []).append(c)
        return groups

    def __repr__(self) -> str:
        from itsim.display import sweep_repr

        return sweep_repr(self)

    def _repr_html_(self) -> str:
        from itsim.display import sweep_html

        return sweep_html(self)

    def _tipping_key(self, key: str | None) -> str:
        return tipping_key(self.vary, key)

    # -- the output directory ---------------------------------------------------------------

    def _meta(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "scenario_sha256": hashlib.sha256(self.scenario.dumps().encode("utf-8")).hexdigest(),
            "varied": self.varied,
            "values": self.vary,
            "policies": self.policies,
            "replications": self.replications,
            "seed": self.seed,
            "cells": len(self.cells),
        } | ({"adaptive": {"first_look": self.first_look, "most": self.replications}} if self.adaptive else {})

    def _open(self, overwrite: bool = False) -> None:
        """Check that ``out`` holds nothing or this same sweep (with ``overwrite``, clear it);
        load its complete cells, each checked against its own stored scenario, replication
        count and seed (so a cell is reused only if it is this sweep's, even without
        ``sweep.json``)."""
        if overwrite:
            store.clear_folder(self.out)
        meta = json.loads(json.dumps(self._meta()))
        path = self.out / "sweep.json"
        old = self._stored_meta(path)
        if old is not None:
            keys = [*meta, *(["adaptive"] if "adaptive" in old and "adaptive" not in meta else [])]
            differ = [k for k in keys
                      if json.dumps(old.get(k), sort_keys=True) != json.dumps(meta.get(k), sort_keys=True)]
            if differ:
                what = "; ".join(
                    "the scenario file changed" if k == "scenario_sha256"
                    else f"{_mode(old)} there, {_mode(meta)} here" if k == "adaptive"
                    else f"{k}: {json.dumps(old.get(k))} there, {json.dumps(meta[k])} here" for k in differ
                )
                raise SweepMismatch(
                    f"--out {self.out}: holds a sweep with other arguments ({what}); use another --out, "
                    f"or --overwrite to replace it"
                )
        else:
            store.atomic_write_text(self.out / "scenario.toml", self.scenario.dumps())
            store.atomic_write_json(path, {**meta, "failed": None})
        store.remove_orphaned_temporaries(self.out)  # left by a sweep killed while writing
        counts = range(1, self.replications + 1) if self.adaptive else self.replications
        expect = {"replications": counts, "seed": self.seed}
        for c in self.cells:
            if not store.cell_complete(self._cell_dir(c)):
                continue
            try:
                self._load(c, store.CellExpectation(c.scenario, **expect))
            except store.DamagedResults as exc:
                self.recomputed.append((c.id, str(exc)))
                continue
            self.resumed += 1

    def _stored_meta(self, path: Path) -> dict | None:
        """``sweep.json`` as stored; None when missing, or unreadable (noted in ``recomputed``,
        and its cells are then checked one by one like any others)."""
        if not path.exists():
            return None
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self.recomputed.append(("sweep.json", f"{path}: cannot be read ({type(exc).__name__}); rewritten"))
            return None
        if not isinstance(old, dict):
            self.recomputed.append(("sweep.json", f"{path}: not a JSON object; rewritten"))
            return None
        return old

    def _cell_dir(self, cell: Cell) -> Path:
        return self.out / "cells" / cell.id

    def _load(self, cell: Cell, expect: store.CellExpectation | None = None) -> None:
        cell.summary, cell.runs, cell.verdicts = store.read_cell(self._cell_dir(cell), expect)
        cell.error = None

    def _compute(self, executor: Executor, progress: Callable[[int, int], None] | None) -> None:
        """Compute every cell not done, one task per cell and replication; store each cell
        as soon as its last replication is in."""
        if self.adaptive:
            self._compute_adaptive(executor, progress)
            return
        todo = [c for c in self.cells if not c.done]
        self._run_round(todo, {c.id: self.replications for c in todo}, executor, progress, 0)

    def _compute_adaptive(self, executor: Executor, progress: Callable[[int, int], None] | None) -> None:
        """Round by round (:mod:`itsim.adaptive`): bring every cell of the round to its
        count, store it, then decide from the cells' replications which go on. Cells
        found in ``out`` give the replications they hold, so a resumed sweep replays the
        same rounds and computes only what is missing."""
        key = self._tipping_key(None)
        bands = (self.scenario.targets.too_busy_above, self.scenario.targets.at_risk_above)
        display = progress if isinstance(progress, ProgressDisplay) else None
        if display is not None:
            display.open_ended = True  # the total grows by round
        wanted = {c.id: self.first_look for c in self.cells}
        active = list(self.cells)
        planned = round_no = 0
        while active:
            planned = self._run_round(active, wanted, executor, progress, planned)
            round_no += 1
            rng = round_rng(self.seed, round_no)
            active = []
            for cells in self._groups(key).values():
                series = sorted((c for c in cells if c.done), key=lambda c: c.values[key])
                busy = [_verdicts(c)[:wanted[c.id]] for c in series]
                for i in levels_to_extend([c.values[key] for c in series], busy, key, bands, rng):
                    cell = series[i]
                    if wanted[cell.id] < self.replications:
                        wanted[cell.id] = next_count(wanted[cell.id], self.replications)
                        active.append(cell)
            if self.out is not None:  # a stored cell a later round extends again is read back
                self._outcomes = {c.id: self._outcomes[c.id] for c in active if c.id in self._outcomes}
        planned = self._trim([c for c in self.cells if c.done and len(c.verdicts) > wanted[c.id]], wanted,
                             executor, progress, planned)
        if display is not None:
            display.open_ended = False
            display(self.computed, planned)
        self._outcomes = {}

    def _trim(self, cells: list[Cell], wanted: dict[str, int], executor: Executor,
              progress: Callable[[int, int], None] | None, planned: int) -> int:
        """Cut stored cells that hold more replications than the schedule gave them (stored by
        another schedule) to their first ``wanted``; those whose replications cannot be read
        back are computed again. Returns the replications planned so far."""
        for cell in cells:
            kept = self._stored_outcomes(cell)[:wanted[cell.id]]
            if len(kept) == wanted[cell.id]:
                self._finish(cell, kept)
            else:
                cell.summary = cell.runs = cell.verdicts = None
        return self._run_round([c for c in cells if not c.done], wanted, executor, progress, planned)

    def _run_round(self, cells: list[Cell], wanted: dict[str, int], executor: Executor,
                   progress: Callable[[int, int], None] | None, planned: int) -> int:
        """Bring each of ``cells`` to its ``wanted`` replications (computing only those it lacks)
        and store it; return the replications planned so far, this round's included."""
        base: dict[int, list[_Outcome]] = {}
        left: dict[int, int] = {}  # replications still to come, per cell
        tasks: list[tuple[Scenario, int, int]] = []
        owner: list[int] = []
        for k, cell in enumerate(cells):
            held = len(cell.verdicts) if cell.done else 0
            if held >= wanted[cell.id]:
                continue
            base[k] = list(self._outcomes.get(cell.id) or (self._stored_outcomes(cell) if held else []))
            start = len(base[k])
            tasks += [(cell.scenario, self.seed, r) for r in range(start, wanted[cell.id])]
            owner += [k] * (wanted[cell.id] - start)
            left[k] = wanted[cell.id] - start
        done_before, planned = self.computed, planned + len(tasks)
        if progress is not None:
            progress(done_before, planned)
        for done, (i, outcome) in enumerate(executor.run(_replication, tasks), start=done_before + 1):
            k = owner[i]
            base[k].append(outcome)
            left[k] -= 1
            if left[k] == 0:
                self._finish(cells[k], base.pop(k))
            self.computed = done
            if progress is not None:
                progress(done, planned)
        return planned

    def _stored_outcomes(self, cell: Cell) -> list[_Outcome]:
        """A stored cell's replications, read back to be extended; none (the cell is then
        computed from its first replication) when they cannot be read."""
        try:
            parts = store.read_cell_replications(self._cell_dir(cell))
        except store.DamagedResults as exc:
            self.recomputed.append((cell.id, str(exc)))
            return []
        return [_Outcome(p["replication"], p, None) for p in parts]

    def _finish(self, cell: Cell, outcomes: list[_Outcome]) -> None:
        outcomes = sorted(outcomes, key=lambda o: o.replication)
        errors = [o.error for o in outcomes if o.error is not None]
        if errors:
            cell.error = errors[0]
            cell.summary = cell.runs = cell.verdicts = None
            self._outcomes.pop(cell.id, None)
            if self.out is not None:
                store.write_cell_error(self._cell_dir(cell), cell.error)
            return
        if self.adaptive:
            self._outcomes[cell.id] = outcomes
        runs = [o.run(cell.scenario) for o in outcomes]
        result = collect(cell.scenario, self.seed, runs)
        verdicts = pd.DataFrame({
            "replication": [r.replication for r in runs],
            "too_busy": [bool(r.too_busy["verdict"]) for r in runs],
            "reasons": [",".join(x["code"] for x in r.too_busy["reasons"]) for r in runs],
        })
        if self.out is not None:
            kept = [{k: v for k, v in o.parts.items() if k != "timeseries"} for o in outcomes]
            store.write_cell(self._cell_dir(cell), cell.scenario, result, verdicts, kept if self.adaptive else None)
            self._load(cell)
        else:
            cell.summary, cell.runs, cell.verdicts, cell.error = result.summary, result.runs, verdicts, None

    def _close(self) -> None:
        """Write ``sweep.parquet``, ``too_busy.json`` and, last, the final ``sweep.json``."""
        store.atomic_write_parquet(self.out / "sweep.parquet", self.table)
        try:
            too_busy = self.too_busy_point()
        except ValueError:
            too_busy = {}
        store.atomic_write_json(self.out / "too_busy.json", too_busy)
        used = {"replications_run": self.replications_run} if self.adaptive else {}
        store.atomic_write_json(self.out / "sweep.json", {**self._meta(), "failed": len(self.failed), **used})


def _mode(meta: dict) -> str:
    """How a sweep spent replications, in words, from its ``sweep.json``."""
    adaptive = meta.get("adaptive")
    if isinstance(adaptive, dict):
        return f"an adaptive sweep of {adaptive.get('first_look')} to {adaptive.get('most')} replications per cell"
    return f"a fixed grid of {meta.get('replications')} replications per cell"


def _verdicts(cell: Cell) -> np.ndarray:
    """A computed cell's too-busy verdicts (1.0/0.0) in replication order."""
    return cell.verdicts.sort_values("replication", kind="stable")["too_busy"].to_numpy(dtype=float)


def _busy_matrix(cells: list[Cell], key: str) -> tuple[np.ndarray, np.ndarray | list[np.ndarray]]:
    """Levels of ``key`` (ascending) and too-busy verdicts: levels x replications where
    every cell holds the same replications; else (an adaptive sweep) one array per level
    with its own replications 0, 1, ... in order."""
    if not cells:
        return np.zeros(0), np.zeros((0, 0))
    cells = sorted(cells, key=lambda c: c.values[key])
    xs = np.array([float(c.values[key]) for c in cells])
    held = [set(c.verdicts["replication"]) for c in cells]
    if any(h != held[0] for h in held):
        return xs, [_verdicts(c) for c in cells]
    reps = sorted(held[0])
    busy = np.array([
        c.verdicts.set_index("replication").loc[reps, "too_busy"].to_numpy(dtype=float) for c in cells
    ]).reshape(len(cells), len(reps))
    return xs, busy


