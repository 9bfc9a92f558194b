"""Whether priority classes need their own effort distributions: a likelihood-ratio test of
one shared fit against one fit per class."""

import numpy as np
import pytest
from scipy import stats

from itsim.calibrate.fitting import compare_classes, fit_durations


def lognormal(rng, mean: float, cv: float, n: int) -> np.ndarray:
    sigma = np.sqrt(np.log1p(cv**2))
    return rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, n)


def comparison(values: dict[int, np.ndarray]):
    return compare_classes(values, {k: fit_durations(x) for k, x in values.items()},
                           fit_durations(np.concatenate(list(values.values()))))


def test_classes_drawn_from_one_distribution_share_it():
    rng = np.random.default_rng(7)
    test = comparison({1: lognormal(rng, 1.0, 1.0, 300), 2: lognormal(rng, 1.0, 1.0, 900)})
    assert test.family == "lognormal" and test.df == 2 and not test.separate
    assert test.p_value == pytest.approx(stats.chi2.sf(test.statistic, 2))


def test_classes_with_different_means_are_separated():
    rng = np.random.default_rng(7)
    test = comparison({1: lognormal(rng, 2.0, 1.0, 300), 2: lognormal(rng, 1.0, 1.0, 900)})
    assert test.separate and test.p_value < 1e-6
    assert "they differ" in test.evidence() and "LR = " in test.evidence()


SCIPY = {"exponential": stats.expon, "lognormal": stats.lognorm, "gamma": stats.gamma}


def max_loglik(family: str, x: np.ndarray) -> float:
    dist = SCIPY[family]
    return float(dist.logpdf(x, *dist.fit(x, floc=0)).sum())


def test_the_statistic_is_twice_the_gain_in_log_likelihood():
    rng = np.random.default_rng(3)
    values = {1: rng.exponential(1.0, 200), 2: rng.exponential(1.5, 200), 3: rng.exponential(1.0, 200)}
    test = comparison(values)
    per_class = sum(max_loglik(test.family, x) for x in values.values())
    pooled = max_loglik(test.family, np.concatenate(list(values.values())))
    assert test.statistic == pytest.approx(2 * (per_class - pooled), rel=1e-3, abs=0.05)
    assert test.df == {"exponential": 1, "lognormal": 2, "gamma": 2}[test.family] * 2


def test_only_classes_with_enough_tickets_to_choose_a_shape_take_part():
    rng = np.random.default_rng(5)
    values = {1: lognormal(rng, 3.0, 1.0, 12), 2: lognormal(rng, 1.0, 1.0, 400), 3: lognormal(rng, 1.0, 1.0, 400)}
    test = comparison(values)
    assert test.classes == (2, 3) and test.n == 800
    assert comparison({1: values[1], 2: values[2]}) is None
