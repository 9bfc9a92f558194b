"""The back-test: simulate a scenario over the observed period and compare with what happened.

The scenario runs for the weeks of the period (after its warm-up, rounded up to
whole weeks so that simulated weekdays fall on the data's), replication after
replication. For each observed series there is a simulated 95% band: the k-th
lowest and k-th highest of R runs, k = the whole part of (R + 1) / 40 (at
least 1), which a further run falls outside with chance 2k / (R + 1), 5% for
R = 39 (the default), more for fewer runs (:func:`band_chance`):

- tickets opened per week (whole weeks only);
- tickets open at the end of each week (the first weeks are left out when the
  export has no tickets opened before the period, since those would still be
  open);
- resolution time (wall-clock hours, opened to resolved) at the median and the
  90th percentile, per priority class.

An observed value outside its band is a disagreement; :func:`findings` says in
plain words where and which way. Phase days count from the period's first
Monday, as a calibrated scenario writes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from itsim.calibrate.read import ReadOptions
from itsim.calibrate.simulated import incident_table
from itsim.calibrate.tickets import Period, Tickets, read_tickets
from itsim.experiment import policy_for, simulate
from itsim.scenario import Scenario

QUANTILES = (("median", 0.5), ("90th percentile", 0.9))
REPLICATIONS = 39
"""With 39 runs the lowest and the highest bound a 95% band: a new run falls below the
lowest of 39 with chance 1 in 40, and above the highest with chance 1 in 40."""


@dataclass(frozen=True)
class Backtest:
    """Observed against simulated: ``weekly`` (``week, days, observed, low, median, high``),
    ``open`` (``week_end, compared, observed, low, median, high``), ``resolution`` (``class,
    statistic, observed, tickets, low, median, high``, hours) and the plain-words ``findings``."""

    scenario: Scenario
    period: Period
    replications: int
    seed: int
    weekly: pd.DataFrame
    open: pd.DataFrame
    resolution: pd.DataFrame
    findings: list[str]
    notes: list[str]

    @property
    def chance(self) -> float:
        """Chance that a value from the model itself falls outside its band."""
        return band_chance(self.replications)

    def write(self, directory: str | Path) -> dict[str, Path]:
        """Write ``backtest.html`` and ``backtest.json`` to ``directory``."""
        from itsim.calibrate.backtest_report import write_backtest  # the report imports this module

        return write_backtest(self, directory)


def band_chance(replications: int) -> float:
    """Chance that one more run falls outside the band of ``replications`` runs."""
    return 2 * _band_rank(replications) / (replications + 1)


def _band_rank(replications: int) -> int:
    return max(1, math.floor((replications + 1) / 40))


def backtest(scenario: Scenario, paths: Sequence[str | Path], replications: int = REPLICATIONS,
             seed: int | None = None,
             workers: int = 1, start: str | None = None, end: str | None = None,
             options: ReadOptions | None = None, progress=None) -> Backtest:
    """Simulate ``scenario`` over the period of the tickets in ``paths`` and compare (module docstring).

    ``start``/``end`` bound the period (dates, ``end`` included), as for
    :func:`~itsim.calibrate.calibrate`. Raises :class:`~itsim.calibrate.CalibrationError`
    for bad exports and :class:`~itsim.scenario.ScenarioError` for a scenario that cannot run.
    """
    _check_replications(replications)
    options = options or ReadOptions()
    tickets = read_tickets(paths, options)
    period = Period.of(tickets, start, end, options.dayfirst)
    return backtest_tickets(scenario, tickets, period, replications, seed, workers, progress)


def backtest_tickets(scenario: Scenario, tickets: Tickets, period: Period, replications: int = REPLICATIONS,
                     seed: int | None = None, workers: int = 1, progress=None) -> Backtest:
    """:func:`backtest` on tickets already read, over ``period``; ``progress`` is called with
    the number of replications done."""
    _check_replications(replications)
    weeks = math.ceil((period.end - period.origin).days / 7)
    info = scenario.scenario
    warmup = math.ceil(info.warmup_days / 7) * 7
    simulated = scenario.with_changes({"scenario.horizon_days": weeks * 7, "scenario.warmup_days": warmup})
    policy_for(simulated)
    rounded = "" if warmup == info.warmup_days else ", warm-up rounded up to whole weeks"
    notes = [f"Simulated {weeks} weeks from Monday {period.origin.date()} after {warmup} days of warm-up "
             f"(the scenario's horizon set to the period{rounded})."]
    if scenario.incidents is None:
        raise ValueError("the scenario has no [incidents] to compare with tickets")
    seed = info.seed if seed is None else seed
    from itsim.executors import LocalExecutor

    tasks = [(simulated, seed, r, weeks, period.start_hour, period.end_hour) for r in range(replications)]
    runs = []
    for _, result in LocalExecutor(workers).run(_replication, tasks):
        runs.append(result)
        if progress is not None:
            progress(len(runs))
    observed = _observed(tickets, period, weeks, len(simulated.incidents.priority_names) > 1)
    weekly = _band(observed["weekly"], np.array([r["weekly"] for r in runs]))
    weekly.insert(0, "week", [period.origin + pd.Timedelta(weeks=w) for w in range(weeks)])
    weekly.insert(1, "days", observed["days"])
    opened = _band(observed["open"], np.array([r["open"] for r in runs]))
    opened.insert(0, "week_end", [period.origin + pd.Timedelta(weeks=w + 1) for w in range(weeks)])
    ramp = observed["ramp_weeks"]
    opened.insert(1, "compared", (np.arange(weeks) >= ramp) & (opened["week_end"] <= period.end).to_numpy())
    if ramp:
        notes.append(f"The export has no tickets opened before {period.start.date()}, so the observed count of "
                     f"open tickets starts near zero: its first {ramp} weeks (the 90th percentile of resolution "
                     "time) are left out of the comparison.")
    resolution = _resolution(observed["resolution"], runs)
    return Backtest(simulated, period, replications, seed, weekly, opened, resolution,
                    findings(weekly, opened, resolution, band_chance(replications)), notes)


def _check_replications(replications: int) -> None:
    if replications < 2:
        raise ValueError("a back-test needs at least 2 replications for a band")


def _replication(scenario: Scenario, seed: int, replication: int, weeks: int, start: float,
                 end: float) -> dict:
    """One simulated replication reduced to the compared series (small, so it travels cheaply)."""
    run = simulate(scenario, seed=seed, replication=replication, keep_events=True)
    world = run.world
    t = incident_table(world)
    t = t[t["deflect"].isna()]
    arrive = t["arrive"].to_numpy() - world.warmup
    left = np.fmin(t["done"].to_numpy(), t["abandon"].to_numpy()) - world.warmup
    inside = (arrive >= 0) & (arrive < weeks * 168)
    weekly = np.bincount((arrive[inside] // 168).astype(np.int64), minlength=weeks)[:weeks]
    names = scenario.incidents.priority_names
    counted = (arrive >= start) & (arrive < end) & ~np.isnan(t["done"].to_numpy())
    taken = (t["done"].to_numpy() - t["arrive"].to_numpy())[counted]
    classes = t["priority"].to_numpy()[counted]
    return {
        "weekly": weekly,
        "open": _open_at(arrive, left, weeks),
        "resolution": {names[k]: taken[classes == k] for k in range(len(names))},
    }


def _open_at(arrive: np.ndarray, left: np.ndarray, weeks: int) -> np.ndarray:
    """Tickets opened before and not yet gone at the end of each week (hours since the origin)."""
    ends = (np.arange(weeks) + 1) * 168.0
    arrived = np.searchsorted(np.sort(arrive), ends, side="right")
    gone = np.searchsorted(np.sort(left[~np.isnan(left)]), ends, side="right")
    return (arrived - gone).astype(float)


def _observed(tickets: Tickets, period: Period, weeks: int, by_class: bool) -> dict:
    """The observed series; resolution times by class (``P1``...) when the scenario has
    classes, else all together (under the scenario's one class, ``P1``)."""
    table = tickets.table
    opened = period.hours(table["opened"].to_numpy())
    ended = period.hours(table["ended"].to_numpy())
    resolved = period.hours(table["resolved"].to_numpy())
    inside = (opened >= period.start_hour) & (opened < period.end_hour)
    weekly = np.bincount((opened[inside] // 168).astype(np.int64), minlength=weeks)[:weeks].astype(float)
    starts = np.arange(weeks) * 168.0
    days = (np.minimum(starts + 168, period.end_hour) - np.maximum(starts, period.start_hour)) / 24
    weekly[days < 7] = np.nan  # weeks cut by the period are not compared
    taken = (resolved - opened)[inside]
    classes = table["priority"].to_numpy()[inside] if by_class else np.ones(int(inside.sum()), np.int8)
    ok = ~np.isnan(taken)
    before = (opened < period.start_hour).any()
    p90 = float(np.quantile(taken[ok], 0.9)) if ok.any() else 0.0
    return {
        "weekly": weekly, "days": days.clip(0),
        "open": _open_at(opened, ended, weeks),
        "resolution": {f"P{k}": taken[ok & (classes == k)] for k in np.unique(classes) if k > 0},
        "ramp_weeks": 0 if before else min(weeks, math.ceil(p90 / 168)),
    }


def _band(observed: np.ndarray, simulated: np.ndarray) -> pd.DataFrame:
    """The observed series beside the band of the simulated runs (one row per run)."""
    low, median, high = _bounds(simulated)
    return pd.DataFrame({"observed": observed, "low": low, "median": median, "high": high})


def _bounds(simulated: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The k-th lowest, the median and the k-th highest over runs (axis 0); see the module docstring."""
    ordered = np.sort(np.asarray(simulated, dtype=float), axis=0)
    runs = len(ordered)
    k = _band_rank(runs)
    return ordered[k - 1], np.median(ordered, axis=0), ordered[runs - k]


def _resolution(observed: dict[str, np.ndarray], runs: list[dict]) -> pd.DataFrame:
    """Observed resolution-time quantiles per class against the band of simulated ones."""
    rows = []
    for cls, taken in sorted(observed.items()):
        simulated = [r["resolution"].get(cls, ()) for r in runs]
        for label, q in QUANTILES:
            values = [float(np.quantile(s, q)) for s in simulated if len(s)]
            if not values or not len(taken):
                continue
            low, median, high = _bounds(np.array(values))
            rows.append({"class": cls, "statistic": label, "observed": float(np.quantile(taken, q)),
                         "tickets": len(taken), "low": low, "median": median, "high": high})
    return pd.DataFrame(rows, columns=["class", "statistic", "observed", "tickets", "low", "median", "high"])


def _about(n: float) -> str:
    """An expected count: whole numbers, but under 1 to one decimal ("about 0.4")."""
    return f"{n:.1f}" if n < 1 else f"{n:.0f}"


def _hours(h: float) -> str:
    return f"{h:,.0f} h" if h >= 10 else f"{h:.2g} h"


def findings(weekly: pd.DataFrame, opened: pd.DataFrame, resolution: pd.DataFrame, chance: float) -> list[str]:
    """Where the model and the data agree and disagree, in plain words; ``chance`` is the
    share of values a perfect model leaves outside its band."""
    out = []
    whole = weekly.dropna(subset=["observed"])
    if len(whole):
        out.append(_series_finding(
            "Tickets per week", whole, "whole weeks", chance,
            above="more tickets arrived than the model makes: weeks of bursts or a growing rate",
            below="fewer tickets arrived than the model makes: holidays or quiet weeks",
            excess="real arrivals vary more than a steady Poisson rate (holidays, outages, incidents in bursts)"))
    compared = opened[opened["compared"]]
    if len(compared):
        out.append(_series_finding(
            "Open tickets at the end of each week", compared, "weeks", chance,
            above=("the data holds more tickets open than the model: tickets waiting on users, vendors or "
                   "changes stay open with no one working on them, which the model does not represent, or "
                   "the team spends less time on tickets than the staff numbers suggest"),
            below="the model holds more tickets open than the data: its team is slower than the real one "
                  "(effort too high or fewer people than really handle tickets)",
            excess="the backlog drifts in ways the model does not follow"))
    out.extend(_resolution_findings(resolution, chance))
    return out


def _resolution_findings(resolution: pd.DataFrame, chance: float) -> list[str]:
    fits, misses = [], []
    for _, row in resolution.iterrows():
        what = f"{row['class']} {row['statistic']}"
        if row["low"] <= row["observed"] <= row["high"]:
            fits.append(what)
            continue
        way = "took longer" if row["observed"] > row["high"] else "were resolved faster"
        misses.append(f"{row['class']} tickets {way} in reality: {row['statistic']} {_hours(row['observed'])} "
                      f"observed against {_hours(row['median'])} simulated (band {_hours(row['low'])} to "
                      f"{_hours(row['high'])}, {row['tickets']:,} tickets)")
    out = []
    if misses:
        n = len(resolution)
        text = (f"Resolution time: {len(misses)} of {n} statistics fell outside the simulated band (about "
                f"{_about(chance * n)} expected by chance)")
        if stats.binomtest(len(misses), n, chance, alternative="greater").pvalue < 0.01:
            text += ": the model and the data disagree. "
        else:
            text += ": within what chance explains, but worth a look. "
        out.append(text + "; ".join(misses) + ".")
    if fits:
        out.append("Resolution time agrees (inside the simulated band) for " + ", ".join(fits) + ".")
    return out


def _series_finding(name: str, rows: pd.DataFrame, unit: str, chance: float, above: str, below: str,
                    excess: str) -> str:
    n = len(rows)
    high = int((rows["observed"] > rows["high"]).sum())
    low = int((rows["observed"] < rows["low"]).sum())
    outside = high + low
    text = (f"{name}: {rows['observed'].mean():,.1f} on average observed, {rows['median'].mean():,.1f} "
            f"simulated; {outside} of {n} {unit} fell outside the simulated band "
            f"(about {_about(chance * n)} expected by chance)")
    if outside and stats.binomtest(outside, n, chance, alternative="greater").pvalue < 0.01:
        way = above if high > 2 * low else below if low > 2 * high else excess
        return text + f": more than chance explains; {way}."
    return text + ": within what chance explains; the model fits."
