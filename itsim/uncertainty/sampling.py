"""Sampling beliefs: quantiles from a design (Latin hypercube, scrambled Sobol') turned
into input values, and the scenario with those values."""

from __future__ import annotations

import math

import numpy as np

from itsim.uncertainty.beliefs import UniformBelief, whole
from itsim.uncertainty.keys import is_integer_key


def values_at(scenario, u: np.ndarray, keys: list[str] | None = None) -> list[dict[str, float | int]]:
    """Input values for each row of quantiles ``u`` (rows x beliefs, in the order of ``keys``,
    by default all of ``scenario.uncertain``): one dict of dotted key -> value per row.
    Integer keys take whole numbers: a uniform belief each of ``low..high`` equally often,
    the others their value rounded."""
    data = scenario.to_dict()
    keys = list(scenario.uncertain) if keys is None else keys
    u = np.atleast_2d(np.asarray(u, dtype=float))
    columns = []
    for j, key in enumerate(keys):
        belief = scenario.uncertain[key]
        if not is_integer_key(data, key):
            columns.append([float(x) for x in belief.ppf(u[:, j])])
        elif isinstance(belief, UniformBelief):
            lo, hi = whole(belief.low), whole(belief.high)
            columns.append([min(hi, lo + int(x * (hi - lo + 1))) for x in u[:, j]])
        else:
            columns.append([whole(x) for x in belief.ppf(u[:, j])])
    return [{k: columns[j][i] for j, k in enumerate(keys)} for i in range(u.shape[0])]


def latin_hypercube(dimensions: int, samples: int, seed: int) -> np.ndarray:
    """``samples`` x ``dimensions`` quantiles in (0, 1), one per stratum of each dimension
    (scipy's scrambled Latin hypercube), from ``seed`` alone."""
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=dimensions, rng=np.random.default_rng([seed, 0x1A7E])).random(samples)


def sobol_points(dimensions: int, samples: int, seed: int) -> np.ndarray:
    """The first ``samples`` points of a scrambled Sobol' sequence (rows x ``dimensions``):
    every prefix of a power-of-two length is balanced and every other prefix is spread
    evenly, so each look of a search that adds replications covers the beliefs evenly."""
    from scipy.stats import qmc

    engine = qmc.Sobol(d=dimensions, scramble=True, rng=np.random.default_rng([seed, 0x50B0]))
    return engine.random(2 ** max(0, math.ceil(math.log2(max(samples, 1)))))[:samples]


def sampled(scenario, values: dict[str, float | int]):
    """The scenario with these input values: certain, ready to simulate."""
    return scenario.with_changes(values)
