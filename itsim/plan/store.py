"""Where a plan search keeps its replications, so that it can resume.

On disk (``--out DIR``): ``DIR/search.json`` names the scenario (its SHA-256) and
seed the replications belong to; each finished batch of replications of one option
at one demand level is one parquet file,
``DIR/options/<option id>/demand=<level>/reps-<first>-<last>.parquet``, with the
long table (replication, metric, value) and, beside the metrics, what the plan needs
of each run (:data:`RECORDS`): ``too_busy`` (1.0 or 0.0), each target it broke
(``run.broke.<target>``, 1.0), each target's figure (``run.figure.<target>``), and
``run.wip_peak``, the most projects in progress at once over the whole run (what
proves that a WIP limit above it would not have changed the run).
Every file is written atomically (:mod:`itsim.store`), so a search killed at any
moment loses at most the batches in progress, and a search run again on the same
directory takes every stored replication instead of computing it. Since a
replication depends only on the option's scenario, the demand level, the seed and
its number, stored replications serve any risk level, budget or schedule. A
replication that raised leaves ``error.txt`` in its cell's directory.

Without a directory, replications are kept in memory only.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from itsim import store
from itsim.sweep import TOO_BUSY

#: Rows of a run that are not metrics: the verdict, its targets, and the WIP witness.
RECORDS = (TOO_BUSY, "run.")
BROKE, FIGURE, WIP_PEAK = "run.broke.", "run.figure.", "run.wip_peak"

_BATCH = re.compile(r"^reps-(\d+)-(\d+)\.parquet$")


class PlanMismatch(ValueError):
    """The output directory holds replications of another scenario or seed."""


Cell = tuple[str, float]


class Replications:
    """The replications of every (option id, demand level) found so far."""

    def __init__(self, out: Path | None = None):
        self.out = Path(out) if out is not None else None
        self._frames: dict[Cell, list[pd.DataFrame]] = {}
        self._busy: dict[Cell, np.ndarray] = {}
        self._peaks: dict[Cell, dict[int, float]] = {}

    # -- on disk ---------------------------------------------------------------------------

    def open(self, scenario_text: str, seed: int) -> None:
        """Check that the directory holds nothing or replications of this scenario and seed."""
        meta = {"scenario_sha256": hashlib.sha256(scenario_text.encode("utf-8")).hexdigest(), "seed": seed}
        path = self.out / "search.json"
        if path.exists():
            old = json.loads(path.read_text(encoding="utf-8"))
            differ = [k for k in meta if old.get(k) != meta[k]]
            if differ:
                what = "the scenario file changed" if "scenario_sha256" in differ else \
                    f"seed {old.get('seed')} there, {seed} here"
                raise PlanMismatch(f"--out {self.out}: holds a plan search with other inputs ({what}); "
                                   "use another --out or remove it")
        else:
            store.atomic_write_text(self.out / "scenario.toml", scenario_text)
            store.atomic_write_json(path, meta)

    def _dir(self, cell: Cell) -> Path:
        oid, demand = cell
        return self.out / "options" / oid / f"demand={demand!r}"

    def _load(self, cell: Cell) -> None:
        if cell in self._frames:
            return
        frames: list[pd.DataFrame] = []
        if self.out is not None and self._dir(cell).is_dir():
            for stale in self._dir(cell).glob(".*.tmp"):  # left by a search killed while writing
                stale.unlink(missing_ok=True)
            batches = sorted((int(m[1]), p) for p in self._dir(cell).iterdir() if (m := _BATCH.match(p.name)))
            frames = [pd.read_parquet(p) for _, p in batches]
        self._frames[cell] = frames
        self._busy[cell] = self._verdicts(frames)

    @staticmethod
    def _verdicts(frames: list[pd.DataFrame]) -> np.ndarray:
        """Too-busy verdicts of replications 0, 1, ... as long as they run without a gap."""
        if not frames:
            return np.zeros(0, dtype=bool)
        rows = pd.concat(frames, ignore_index=True)
        rows = rows[rows["metric"] == TOO_BUSY].drop_duplicates("replication").set_index("replication")
        n = 0
        while n in rows.index:
            n += 1
        return rows.loc[range(n), "value"].to_numpy() > 0.5

    # -- reading and adding ------------------------------------------------------------------

    def has(self, cell: Cell, replication: int) -> bool:
        """Whether replication ``replication`` of ``cell`` is stored (gap or not)."""
        self._load(cell)
        return any(replication in frame["replication"].values for frame in self._frames[cell])

    def have(self, cell: Cell) -> int:
        """How many replications (0, 1, ... without a gap) are stored for ``cell``."""
        self._load(cell)
        return len(self._busy[cell])

    def busy(self, cell: Cell, n: int) -> np.ndarray:
        """Too-busy verdicts of replications ``0..n-1`` of ``cell``."""
        self._load(cell)
        return self._busy[cell][:n]

    def runs(self, cell: Cell, n: int) -> pd.DataFrame:
        """Long table (replication, metric, value) of replications ``0..n-1`` of ``cell``."""
        self._load(cell)
        frames = self._frames[cell]
        if not frames:
            return pd.DataFrame(columns=["replication", "metric", "value"])
        rows = pd.concat(frames, ignore_index=True).drop_duplicates(["replication", "metric"])
        return rows[rows["replication"] < n].reset_index(drop=True)

    def metrics(self, cell: Cell, n: int) -> pd.DataFrame:
        """Long table of the metrics alone (no :data:`RECORDS`) of replications ``0..n-1``."""
        rows = self.runs(cell, n)
        keep = ~(rows["metric"].eq(TOO_BUSY) | rows["metric"].str.startswith("run."))
        return rows[keep].reset_index(drop=True)

    def verdicts(self, cell: Cell, n: int) -> list[dict]:
        """Each replication's too-busy verdict as :func:`itsim.targets.verdict` gives it
        (``verdict``, ``reasons`` by target code, ``figures``), for replications ``0..n-1``."""
        rows = self.runs(cell, n)
        out = []
        for r in range(n):
            mine = rows[rows["replication"] == r]
            values = dict(zip(mine["metric"], mine["value"], strict=True))
            out.append({
                "verdict": values.get(TOO_BUSY, 0.0) > 0.5,
                "reasons": [{"code": k.removeprefix(BROKE)} for k in values if k.startswith(BROKE)],
                "figures": {k.removeprefix(FIGURE): v for k, v in values.items() if k.startswith(FIGURE)},
            })
        return out

    def wip_peak(self, cell: Cell, replication: int) -> float | None:
        """``run.wip_peak`` of one stored replication (None if not stored or not recorded)."""
        self._load(cell)
        if replication >= len(self._busy[cell]):
            return None
        if cell not in self._peaks:
            rows = pd.concat(self._frames[cell], ignore_index=True)
            rows = rows[rows["metric"] == WIP_PEAK]
            self._peaks[cell] = dict(zip(rows["replication"], rows["value"], strict=True))
        value = self._peaks[cell].get(replication)
        return None if value is None else float(value)

    def add(self, cell: Cell, rows: pd.DataFrame) -> None:
        """Keep one finished batch (long table with the ``too_busy`` metric)."""
        self._load(cell)
        reps = rows["replication"]
        if self.out is not None:
            directory = self._dir(cell)
            (directory / "error.txt").unlink(missing_ok=True)
            store.atomic_write_parquet(directory / f"reps-{reps.min()}-{reps.max()}.parquet", rows)
        self._frames[cell].append(rows)
        self._busy[cell] = self._verdicts(self._frames[cell])
        self._peaks.pop(cell, None)

    def fail(self, cell: Cell, text: str) -> Path | None:
        """Record why a replication of ``cell`` failed; returns the file written, if any."""
        if self.out is None:
            return None
        path = self._dir(cell) / "error.txt"
        store.atomic_write_text(path, text if text.endswith("\n") else text + "\n")
        return path
