"""Hysteresis: a one-off surge tips a department into lasting firefighting.

Runs ``scenarios/tipping_point.toml`` (healthy but close to the edge) four ways,
with the same random numbers in every case (replication r of each case sees
the same incidents outside the surge):

(a) no surge;  (b) a large surge of a few weeks;  (c) a smaller surge;
(d) the large surge under ``protected_maintenance``.

Prints the end state (the last quarter of the two-year horizon) and writes the
weekly series of every case to ``out/hysteresis/timeseries.parquet``.

    python experiments/hysteresis.py [--replications N] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import itsim
from itsim.store import atomic_write_parquet

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "tipping_point.toml"
SURGE_START_WEEK = 20
SURGE_WEEKS = 6
END_WEEKS = 13


def surge(scale: float) -> dict:
    """A phase multiplying incidents by ``scale`` for ``SURGE_WEEKS`` weeks."""
    start = SURGE_START_WEEK * 7
    return {"phase": [{"name": f"surge x{scale:g}", "start_day": start, "end_day": start + SURGE_WEEKS * 7,
                       "incident_rate_scale": scale}]}


CASES = {
    "(a) no surge": {},
    "(b) large surge x2.5": surge(2.5),
    "(c) small surge x1.6": surge(1.6),
    "(d) large surge x2.5, protected maintenance": {
        **surge(2.5), "policy": {"name": "protected_maintenance", "share": 0.2},
    },
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


def run_cases(replications: int, scenario: itsim.Scenario | None = None) -> dict[str, pd.DataFrame]:
    """Weekly series (all replications) of every case."""
    sc = scenario if scenario is not None else itsim.load_scenario(SCENARIO)
    return {name: itsim.replicate(sc.with_changes(ch), replications=replications).timeseries
            for name, ch in CASES.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("out/hysteresis"))
    args = parser.parse_args()
    series = run_cases(args.replications)
    baseline = end_state(series["(a) no surge"])
    print(f"{SCENARIO.name}: two years, {args.replications} replications with common random numbers;"
          f" surges last {SURGE_WEEKS} weeks from week {SURGE_START_WEEK}.")
    print(f"End state (last {END_WEEKS} weeks), mean over replications:")
    for name, ts in series.items():
        end = end_state(ts)
        tipped = (end["firefighting_share"] > baseline["firefighting_share"].mean() + 0.15).mean()
        print(
            f"  {name:<45} firefighting {end['firefighting_share'].mean():4.0%}, "
            f"tech debt {end['tech_debt_hours'].mean():6.0f} h, "
            f"{end['incidents_per_day'].mean():5.1f} incidents/day, "
            f"project backlog {end['project_backlog'].mean():4.0f}"
            f" -> {'still firefighting' if tipped > 0.5 else 'healthy'}"
            f" ({tipped:.0%} of replications tipped)"
        )
    frames = [ts.assign(case=name) for name, ts in series.items()]
    atomic_write_parquet(args.out / "timeseries.parquet", pd.concat(frames, ignore_index=True))
    print(f"Weekly series in {args.out / 'timeseries.parquet'}")


if __name__ == "__main__":
    main()
