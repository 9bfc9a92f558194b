"""Hysteresis: a one-off surge tips a department into lasting, bounded firefighting.

Runs ``scenarios/tipping_point.toml`` (healthy but close to the edge) for four
years, with the same random numbers in every case (replication r of each case
sees the same incidents outside the surge), and prints:

1. **Both states are bounded.** Year by year, the department with no surge and the
   one after a large surge: incidents a day, the share of hours spent firefighting,
   tech debt and the incident wait. The tipped department settles at about twice
   the incidents (the debt effect's ceiling, ``[dynamics] debt_incident_ceiling``)
   and stays there; it does not run away.
2. **The boundary.** Surges of different sizes, each lasting ``SURGE_WEEKS`` weeks:
   the share of replications still firefighting at the end (with its Wilson 95%
   interval), and how much that depends on the assumed debt effect
   (``incident_rate_per_debt_hour``, which no public figure pins down).
3. **What rescues a tipped department.** After a large surge: protecting
   maintenance for one quarter (a ``[[phase]]`` policy), paying debt before
   projects, three more people for a quarter, protecting maintenance for good,
   and protecting maintenance for a quarter but a year too late.

A replication counts as tipped when, over the last quarter, firefighting takes
more than ``TIPPED_MARGIN`` more of the hours than in the same replication
without a surge. Weekly series of every case go to
``out/hysteresis/timeseries.parquet``.

    python experiments/hysteresis.py [--replications N] [--workers N] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from scipy.stats import binomtest

import itsim
from itsim.store import atomic_write_parquet

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "tipping_point.toml"
YEARS = 4
SURGE_START_WEEK = 20
SURGE_WEEKS = 8
SMALL_SURGE = 1.6
LARGE_SURGE = 3.0
BOUNDARY = (1.6, 2.0, 2.25, 2.5, 2.75, 3.0)
DEBT_SLOPES = (0.001, 0.002, 0.004)  # incident_rate_per_debt_hour; the scenario's is 0.002
END_WEEKS = 13
TIPPED_MARGIN = 0.15
QUARTER_DAYS = 91


def surge(scale: float) -> dict:
    """A phase multiplying incidents by ``scale`` for ``SURGE_WEEKS`` weeks."""
    start = SURGE_START_WEEK * 7
    return {"phase": [{"name": f"surge x{scale:g}", "start_day": start, "end_day": start + SURGE_WEEKS * 7,
                       "incident_rate_scale": scale}]}


def after_surge(scale: float, change: dict, delay_days: int = 0, days: int = QUARTER_DAYS) -> dict:
    """The surge, then ``change`` (keys of a ``[[phase]]``) for ``days`` days starting
    ``delay_days`` after it ends."""
    (phase,) = surge(scale)["phase"]
    start = phase["end_day"] + delay_days
    return {"phase": [phase, {"name": "rescue", "start_day": start, "end_day": start + days, **change}]}


PROTECT = {"policy": {"name": "protected_maintenance", "share": 0.2}}


def rescues(scenario: itsim.Scenario) -> dict[str, dict]:
    """The rescue cases after a large surge, as scenario changes."""
    engineers = scenario.role("engineer").count
    return {
        "protect maintenance (20%) for a quarter after the surge": after_surge(LARGE_SURGE, PROTECT),
        "pay tech debt before projects, for good": {
            **surge(LARGE_SURGE), "dynamics.debt_paydown": "before_projects"},
        "three more engineers for a quarter after the surge": after_surge(
            LARGE_SURGE, {"team": {"engineer": {"count": engineers + 3}}}),
        "protect maintenance for good": {**surge(LARGE_SURGE), "policy": PROTECT["policy"]},
        "protect maintenance for a quarter, a year after the surge": after_surge(
            LARGE_SURGE, PROTECT, delay_days=364),
    }


def end_state(series: pd.DataFrame, weeks: int = END_WEEKS) -> pd.DataFrame:
    """Per replication, the mean over the last ``weeks`` weeks of the horizon."""
    last = series[series["week"] > series["week"].max() - weeks]
    g = last.groupby("replication")
    return pd.DataFrame(
        {
            "firefighting_share": g["hours.firefighting"].sum() / g["hours.available"].sum(),
            "tech_debt_hours": g["tech_debt_hours"].mean(),
            "incidents_per_day": g["incident_rate_per_day"].mean(),
            "project_backlog": g["project_backlog"].mean(),
        }
    )


def by_year(series: pd.DataFrame) -> pd.DataFrame:
    """Mean over replications of each measured year: incidents a day, firefighting
    share, and tech debt at the year's end."""
    s = series.assign(year=series["week"] // 52 + 1)
    g = s.groupby("year")
    year_end = s[s["week"] % 52 == 51].groupby("year")["tech_debt_hours"].mean()
    return pd.DataFrame({
        "incidents_per_day": g["incident_rate_per_day"].mean(),
        "firefighting_share": g["hours.firefighting"].sum() / g["hours.available"].sum(),
        "tech_debt_hours": year_end,
    })


def tipped(series: pd.DataFrame, calm: pd.DataFrame) -> pd.Series:
    """Per replication, whether it ends firefighting clearly more than without the surge."""
    end = end_state(series)
    return end["firefighting_share"] > calm["firefighting_share"] + TIPPED_MARGIN


def share_text(flags: pd.Series) -> str:
    k, n = int(flags.sum()), len(flags)
    ci = binomtest(k, n).proportion_ci(method="wilson")
    return f"{k}/{n} tipped ({k / n:.0%}, 95% interval {ci.low:.0%} to {ci.high:.0%})"


def run(scenario: itsim.Scenario, changes: dict, replications: int, workers: int) -> itsim.Replicated:
    sc = scenario.with_changes(changes) if changes else scenario
    return itsim.replicate(sc, replications=replications, workers=workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("out/hysteresis"))
    args = parser.parse_args()
    n, w = args.replications, args.workers
    sc = itsim.load_scenario(SCENARIO).with_changes({"scenario.horizon_days": 364 * YEARS})
    dyn = sc.dynamics
    print(f"{SCENARIO.name}: {YEARS} years, {n} replications with common random numbers; surges multiply"
          f" incidents for {SURGE_WEEKS} weeks from week {SURGE_START_WEEK}. Debt effect: slope"
          f" {dyn.incident_rate_per_debt_hour:g} per debt hour, ceiling x{dyn.debt_incident_ceiling:g};"
          f" tipped = firefighting share over the last {END_WEEKS} weeks more than {TIPPED_MARGIN:.0%}"
          " above the same replication without a surge.")
    frames = []
    calm = run(sc, {}, n, w)
    large = run(sc, surge(LARGE_SURGE), n, w)
    calm_end = end_state(calm.timeseries)
    print("\n1. Both states are bounded (mean over replications, by measured year):")
    for name, res in (("no surge", calm), (f"after a x{LARGE_SURGE:g} surge", large)):
        years = by_year(res.timeseries)
        wait = res.runs.loc[res.runs.metric == "incident_wait_hours", "value"].mean()
        print(f"  {name}: " + "; ".join(
            f"year {y}: {r.incidents_per_day:.0f} incidents/day, firefighting {r.firefighting_share:.0%},"
            f" debt at its end {max(r.tech_debt_hours, 0.0):,.0f} h" for y, r in years.iterrows())
            + f"; mean incident wait over the {YEARS} years {wait:.1f} h")
        frames.append(res.timeseries.assign(case=name))
    print(f"\n2. The boundary: which surge tips ({n} replications each):")
    for scale in BOUNDARY:
        res = large if scale == LARGE_SURGE else run(sc, surge(scale), n, w)
        print(f"  x{scale:<5g} for {SURGE_WEEKS} weeks: {share_text(tipped(res.timeseries, calm_end))}")
        if scale != LARGE_SURGE:
            frames.append(res.timeseries.assign(case=f"surge x{scale:g}"))
    mid = 2.5
    print(f"  How much it hinges on the assumed debt effect (a x{mid:g} surge):")
    for slope in DEBT_SLOPES:
        changes = {"dynamics.incident_rate_per_debt_hour": slope}
        base = end_state(run(sc, changes, n, w).timeseries)
        res = run(sc, {**changes, **surge(mid)}, n, w)
        print(f"    slope {slope:g} (first 100 h of debt: +{slope * 100:.0%} incidents):"
              f" {share_text(tipped(res.timeseries, base))}")
    print(f"\n3. What rescues a department after a x{LARGE_SURGE:g} surge"
          f" (without a rescue: {share_text(tipped(large.timeseries, calm_end))}):")
    for name, changes in rescues(sc).items():
        res = run(sc, changes, n, w)
        end = end_state(res.timeseries)
        print(f"  {name}: {share_text(tipped(res.timeseries, calm_end))};"
              f" at the end {end['incidents_per_day'].mean():.0f} incidents/day,"
              f" debt {max(end['tech_debt_hours'].mean(), 0.0):,.0f} h")
        frames.append(res.timeseries.assign(case=name))
    atomic_write_parquet(args.out / "timeseries.parquet", pd.concat(frames, ignore_index=True))
    print(f"\nWeekly series in {args.out / 'timeseries.parquet'}")


if __name__ == "__main__":
    main()
