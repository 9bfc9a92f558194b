"""Choosing an effort distribution for observed durations, with the evidence.

The candidates are the scenario distributions that have a likelihood for
positive durations: exponential, lognormal and gamma, each fitted by maximum
likelihood (scipy.stats, location fixed at 0). The one with the lowest AIC
(2 x parameters - 2 x log-likelihood) is chosen, unless even it misses the
data: when its Kolmogorov-Smirnov distance (the largest gap between the fitted
and the observed cumulative share) exceeds :data:`MAX_KS`, or when there are
fewer than :data:`MIN_FIT` values, the observed durations themselves are
written as an ``empirical`` distribution (:data:`EMPIRICAL_VALUES` block means,
which keep the observed mean).

Whether priority classes need their own distributions is a likelihood-ratio
test (:func:`compare_classes`): one distribution of the chosen family for all
of them against one per class, rejected at :data:`CLASSES_ALPHA`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

MAX_KS = 0.05
"""Largest acceptable gap between fitted and observed cumulative shares (5 points)."""
MIN_FIT = 30
"""Fewer values than this are too few to choose a shape: they are written as they are."""
CLASSES_ALPHA = 0.01
"""Priority classes get their own effort distributions when one shared distribution is
rejected at this level (a 1% chance of splitting classes that do not differ)."""
PARAMETERS = {"exponential": 1, "lognormal": 2, "gamma": 2}
EMPIRICAL_VALUES = 200
HIST_BINS = 40
QQ_POINTS = 99


@dataclass(frozen=True)
class Candidate:
    """One distribution fitted by maximum likelihood: its scenario table and fit statistics."""

    name: str
    spec: dict
    loglik: float
    aic: float
    ks: float
    ks_p: float
    frozen: object  # scipy.stats frozen distribution


@dataclass(frozen=True)
class DistributionFit:
    """The distribution written for a set of durations (hours), the candidates weighed, and
    aggregates for charts: ``histogram`` (``lo, hi, series, count``) and ``qq``
    (``p, observed, series, fitted``)."""

    n: int
    mean: float
    mean_ci: tuple[float, float]
    cv: float
    median: float
    p90: float
    candidates: list[Candidate]
    chosen: str
    spec: dict
    ks: float
    reason: str
    histogram: pd.DataFrame
    qq: pd.DataFrame

    def evidence(self) -> str:
        """The fit in one sentence, for scenario comments."""
        tried = ", ".join(f"{c.name} {c.aic:,.0f}" for c in self.candidates)
        return (f"n = {self.n:,}, mean {self.mean:.3g} h (95% CI {self.mean_ci[0]:.3g}-{self.mean_ci[1]:.3g}), "
                f"cv {self.cv:.2f}; " + (f"AIC {tried}; " if tried else "") + self.reason)


@dataclass(frozen=True)
class ClassComparison:
    """One effort distribution for every priority class in ``classes`` against one per class,
    both of ``family`` by maximum likelihood: ``statistic`` = 2 x (the classes' log-likelihoods
    summed - the shared fit's), chi-squared on ``df`` = parameters x (classes - 1) degrees of
    freedom when the classes share one distribution (Wilks)."""

    family: str
    classes: tuple[int, ...]
    n: int
    statistic: float
    df: int
    p_value: float

    @property
    def separate(self) -> bool:
        """Whether the classes differ (the shared distribution is rejected)."""
        return self.p_value < CLASSES_ALPHA

    def evidence(self) -> str:
        """The test in one sentence, for scenario comments."""
        p = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"
        names = ", ".join(f"P{k}" for k in self.classes)
        outcome = ("they differ, so each of these classes gets its own distribution"
                   if self.separate else "no significant difference, so they share one distribution")
        return (f"likelihood-ratio test of one {self.family} for {names} ({self.n:,} tickets) against one "
                f"per class: LR = {self.statistic:,.1f} on {self.df} degrees of freedom, {p}; {outcome} "
                f"(at the {CLASSES_ALPHA:.0%} level)")


def compare_classes(values: dict[int, np.ndarray], fits: dict[int, DistributionFit],
                    overall: DistributionFit) -> ClassComparison | None:
    """Test whether the classes in ``fits`` (with ``values``, hours) share one distribution
    (:class:`ClassComparison`). The family is the one chosen for ``overall`` (or, when that
    is ``empirical``, its lowest-AIC candidate), and only classes with enough values to
    choose a shape (:data:`MIN_FIT`) take part; None with fewer than two such classes."""
    tested = sorted(k for k, f in fits.items() if f.candidates)
    if len(tested) < 2:
        return None
    named = [{c.name: c for c in fits[k].candidates} for k in tested]
    order = [overall.chosen] + [c.name for c in overall.candidates]
    family = next(name for name in order if name in PARAMETERS and all(name in c for c in named))
    pooled = np.concatenate([values[k] for k in tested])
    shared = overall.candidates if len(pooled) == overall.n else _candidates(np.sort(pooled))
    statistic = max(0.0, 2 * (sum(c[family].loglik for c in named)
                               - next(c.loglik for c in shared if c.name == family)))
    df = PARAMETERS[family] * (len(tested) - 1)
    return ClassComparison(family, tuple(tested), len(pooled), statistic, df, float(stats.chi2.sf(statistic, df)))


def fit_durations(values: np.ndarray) -> DistributionFit:
    """Fit the candidates to ``values`` (hours, all > 0) and choose one (module docstring)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x[0] <= 0:
        raise ValueError("durations must be a non-empty array of positive hours")
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else 0.0
    half = 1.96 * sd / math.sqrt(n) if n > 1 else math.nan
    candidates = sorted(_candidates(x), key=lambda c: c.aic) if n >= MIN_FIT else []
    best = candidates[0] if candidates else None
    if best is not None and best.ks <= MAX_KS:
        chosen, spec, ks = best.name, best.spec, best.ks
        reason = f"{best.name} has the lowest AIC; KS distance {best.ks:.3f}"
    else:
        values_out = _block_means(x)
        spec = {"dist": "empirical", "values": [float(f"{v:.4g}") for v in values_out]}
        chosen = "empirical"
        ks = float(stats.ks_2samp(x, values_out).statistic) if n > 1 else 0.0
        reason = (f"too few to choose a shape (under {MIN_FIT}): the observed values are written as they are"
                  if best is None else
                  f"no candidate fits (best, {best.name}, misses by KS distance {best.ks:.3f} > {MAX_KS}): "
                  f"written as {len(values_out)} observed block means")
    return DistributionFit(
        n=n, mean=mean, mean_ci=(mean - half, mean + half), cv=sd / mean if mean else 0.0,
        median=float(np.quantile(x, 0.5)), p90=float(np.quantile(x, 0.9)), candidates=candidates,
        chosen=chosen, spec=spec, ks=ks, reason=reason,
        histogram=_histogram(x, candidates, spec), qq=_qq(x, candidates, spec),
    )


def _candidates(x: np.ndarray) -> list[Candidate]:
    logs = np.log(x)
    mu, sigma = float(logs.mean()), float(logs.std())
    out = []
    m = float(x.mean())
    fits = [("exponential", 1, stats.expon(scale=m), {"dist": "exponential", "mean": m})]
    if sigma > 0:
        cv = math.sqrt(math.expm1(sigma**2))
        fits.append(("lognormal", 2, stats.lognorm(s=sigma, scale=math.exp(mu)),
                     {"dist": "lognormal", "mean": math.exp(mu + sigma**2 / 2), "cv": cv}))
        shape, _, scale = stats.gamma.fit(x, floc=0)
        fits.append(("gamma", 2, stats.gamma(shape, scale=scale),
                     {"dist": "gamma", "mean": shape * scale, "cv": 1 / math.sqrt(shape)}))
    for name, k, frozen, spec in fits:
        loglik = float(frozen.logpdf(x).sum())
        ks = stats.kstest(x, frozen.cdf)
        spec = {key: (float(f"{v:.4g}") if isinstance(v, float) else v) for key, v in spec.items()}
        out.append(Candidate(name, spec, loglik, 2 * k - 2 * loglik, float(ks.statistic), float(ks.pvalue), frozen))
    return out


def _block_means(x: np.ndarray) -> np.ndarray:
    """Means of equal-count blocks of the sorted values: the shape, with the exact mean."""
    if len(x) <= EMPIRICAL_VALUES:
        return x
    return np.array([b.mean() for b in np.array_split(x, EMPIRICAL_VALUES)])


def _histogram(x: np.ndarray, candidates: list[Candidate], spec: dict) -> pd.DataFrame:
    top = float(np.quantile(x, 0.99)) or float(x[-1])
    # Bins of whole minutes: exports record times to the minute, and bins that hold three
    # minutes and four minutes by turns would draw a saw.
    width = max(1, round(top / HIST_BINS * 60)) / 60
    edges = np.arange(0.0, top + width, width)
    counts, _ = np.histogram(x, edges)
    rows = [pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "series": "observed", "count": counts})]
    for c in candidates:
        expected = len(x) * np.diff(c.frozen.cdf(edges))
        rows.append(pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "series": c.name, "count": expected}))
    if spec["dist"] == "empirical":
        values = np.asarray(spec["values"])
        share, _ = np.histogram(values, edges)
        rows.append(pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "series": "empirical",
                                  "count": len(x) * share / len(values)}))
    return pd.concat(rows, ignore_index=True)


def _qq(x: np.ndarray, candidates: list[Candidate], spec: dict) -> pd.DataFrame:
    p = (np.arange(QQ_POINTS) + 0.5) / QQ_POINTS
    observed = np.quantile(x, p)
    rows = [pd.DataFrame({"p": p, "observed": observed, "series": c.name, "fitted": c.frozen.ppf(p)})
            for c in candidates]
    if spec["dist"] == "empirical":
        rows.append(pd.DataFrame({"p": p, "observed": observed, "series": "empirical",
                                  "fitted": np.quantile(np.asarray(spec["values"]), p)}))
    return pd.concat(rows, ignore_index=True)
