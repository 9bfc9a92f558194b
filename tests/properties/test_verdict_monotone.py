"""The verdict answers monotonically: more demand never makes a department less likely to
be too busy, nor leaves it with less work undone, beyond what chance allows.

Common random numbers: replication ``r`` of every demand level draws the same random
numbers (the same arrivals, only closer together, and the same efforts), so levels are
compared pair by pair.
"""

import math

import numpy as np
from hypothesis import given

import itsim
from itsim.stats import wilson_interval
from itsim.testing import scenarios

REPLICATIONS = 4
LEVELS = (1.0, 1.6, 2.5)


def _plain(scenario):
    """Work leaves only by being done (or skipped, for maintenance): nobody gives up waiting."""
    changes = {}
    if scenario.incidents is not None:
        changes["incidents.patience_hours"] = None
    if scenario.projects is not None:
        changes["projects.patience_days"] = None
    return scenario.with_changes(changes) if changes else scenario


def shortfall(run) -> float:
    """Engineer-hours the team fell short by: work still open at the end beyond the hours the
    team had spare, plus maintenance hours done late or skipped.

    Open work alone is not monotone under common random numbers: more demand brings the
    same work earlier (and more of it), so in a team with time to spare a large project is
    further along at the end. Only what the team had no spare hours for is a shortfall.
    """
    metrics = run.metrics
    neglect = sum(v for k, v in metrics.items() if k.startswith("neglect_hours.") and math.isfinite(v))
    spare = float(run.timeseries["hours.idle"].sum())
    return max(0.0, metrics.get("open_work_hours_end", 0.0) - spare) + neglect


@given(scenarios(phases=False, dynamics=False, min_horizon_days=21, max_horizon_days=60, max_people=3))
def test_more_demand_never_makes_too_busy_less_likely_nor_the_shortfall_smaller(scenario):
    base = _plain(scenario)
    busy = np.zeros((len(LEVELS), REPLICATIONS))
    short = np.zeros((len(LEVELS), REPLICATIONS))
    for i, level in enumerate(LEVELS):
        sc = base.with_changes({"demand_scale": base.demand_scale * level})
        for r in range(REPLICATIONS):
            run = itsim.simulate(sc, replication=r, keep_events=False)
            busy[i, r] = run.too_busy["verdict"]
            short[i, r] = shortfall(run)
    for lower in range(len(LEVELS) - 1):
        higher = lower + 1
        lo_low, _ = wilson_interval(int(busy[lower].sum()), REPLICATIONS)
        _, hi_high = wilson_interval(int(busy[higher].sum()), REPLICATIONS)
        assert hi_high >= lo_low, (
            f"P(too busy) fell from {busy[lower].mean():.2f} to {busy[higher].mean():.2f} "
            f"going from {LEVELS[lower]}x to {LEVELS[higher]}x demand")
        diff = short[higher] - short[lower]
        noise = 3 * diff.std(ddof=1) / math.sqrt(REPLICATIONS)
        margin = 0.05 * short[lower].mean() + 1.0  # hours: a rounding-sized allowance
        assert diff.mean() >= -(noise + margin), (
            f"shortfall fell from {short[lower].mean():.1f} h to {short[higher].mean():.1f} h "
            f"going from {LEVELS[lower]}x to {LEVELS[higher]}x demand (noise {noise:.1f} h)")
