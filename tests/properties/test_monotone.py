"""Monotone effects in expectation, under common random numbers.

Replication ``r`` of both variants sees the same arrivals and efforts, so the
paired differences are small and a reversal beyond three standard errors (plus a
small margin) is a real effect, not noise.
"""

import math

import numpy as np
from hypothesis import given

import itsim
from itsim.testing import scenarios

REPLICATIONS = 3


def _paired(base, changed, metric):
    """Paired differences ``changed - base`` of ``metric`` over replications (NaN-free pairs)."""
    pairs = []
    for r in range(REPLICATIONS):
        a = itsim.simulate(base, replication=r, keep_events=False).metrics.get(metric, math.nan)
        b = itsim.simulate(changed, replication=r, keep_events=False).metrics.get(metric, math.nan)
        if not (math.isnan(a) or math.isnan(b)):
            pairs.append((a, b))
    return np.array(pairs).reshape(-1, 2)


def _noise(pairs):
    diff = pairs[:, 1] - pairs[:, 0]
    return 3 * diff.std(ddof=1) / math.sqrt(len(diff)) if len(diff) > 1 else 0.0


def _plain(scenario):
    """Waits of served incidents only mean the same thing if nobody gives up waiting."""
    return scenario.with_changes({"incidents.patience_hours": None})


@given(scenarios(incidents=True, phases=False, dynamics=False, max_horizon_days=30))
def test_more_staff_never_lengthens_incident_waits(scenario):
    base = _plain(scenario)
    more = base.with_changes({f"team.{t.role}.count": t.count + 1 for t in base.team})
    pairs = _paired(base, more, "incident_wait_hours")
    if len(pairs):
        gain = pairs[:, 1].mean() - pairs[:, 0].mean()
        assert gain <= _noise(pairs) + 0.05 * pairs[:, 0].mean() + 1e-9, (
            f"mean incident wait rose from {pairs[:, 0].mean():.4g} h to {pairs[:, 1].mean():.4g} h "
            f"with one more person in every role (noise {_noise(pairs):.3g} h)"
        )


@given(scenarios(phases=False, dynamics=False, max_horizon_days=30))
def test_more_demand_never_lowers_utilisation(scenario):
    more = scenario.with_changes({"demand_scale": scenario.demand_scale * 1.5})
    pairs = _paired(scenario, more, "utilization")
    if len(pairs):
        change = pairs[:, 1].mean() - pairs[:, 0].mean()
        assert change >= -(_noise(pairs) + 0.01), (
            f"utilisation fell from {pairs[:, 0].mean():.4f} to {pairs[:, 1].mean():.4f} "
            f"with 1.5x the demand (noise {_noise(pairs):.3g})"
        )
