"""Uncertain inputs: a number in a scenario written as a belief instead of a value.

Any number may be written as an inline table with the key ``uncertain``::

    incident_rate_per_debt_hour = { uncertain = "uniform", low = 0.0005, high = 0.002 }
    estimate_bias = { uncertain = "triangular", low = 1.1, mode = 1.35, high = 1.8 }
    rate_per_day = { uncertain = "normal", mean = 55, sd = 5, low = 40 }   # low/high truncate
    mean = { uncertain = "lognormal", mean = 0.5, cv = 0.3 }

The loader replaces each belief by its central value (its mean), so a scenario
with beliefs validates, runs and reads like a plain one, and keeps the beliefs in
``Scenario.uncertain`` (dotted key -> belief). A value set later with
``with_changes`` is certain again: its belief is dropped ("pinned"). Beliefs of
integer keys (``team.engineer.count``) are rounded to whole numbers when sampled.

Unbounded beliefs (normal without ``low``/``high``, lognormal) are cut at their
0.1% and 99.9% quantiles (:data:`TAIL`), so every value a sample can take is one
the loader has checked.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from itsim.scenario_text import ScenarioError

#: Quantile at which unbounded beliefs are cut on either side.
TAIL = 0.001
#: The key that marks an inline table as a belief.
MARK = "uncertain"
KINDS = ("uniform", "triangular", "normal", "lognormal")


class _Belief(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @property
    def central(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Values at quantiles ``u`` (0 to 1; unbounded beliefs are cut at :data:`TAIL`)."""
        raise NotImplementedError

    @property
    def span(self) -> tuple[float, float]:
        """The lowest and highest value a sample can take."""
        lo, hi = self.ppf(np.array([0.0, 1.0]))
        return float(lo), float(hi)


class UniformBelief(_Belief):
    """Anything between ``low`` and ``high`` equally likely (``low = high``: certain)."""

    uncertain: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> UniformBelief:
        if not self.low <= self.high:
            raise ValueError(f"needs low <= high, got low={self.low:g}, high={self.high:g}")
        return self

    @property
    def central(self) -> float:
        return (self.low + self.high) / 2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + np.asarray(u, dtype=float) * (self.high - self.low)


class TriangularBelief(_Belief):
    """A three-point estimate: ``low``, most likely ``mode``, ``high``."""

    uncertain: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> TriangularBelief:
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"needs low <= mode <= high, got low={self.low:g}, mode={self.mode:g}, high={self.high:g}"
            )
        return self

    @property
    def central(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        width = self.high - self.low
        if width == 0:
            return np.full(u.shape, self.low)
        from scipy import stats  # on first use: scipy.stats takes half a second to import

        return stats.triang.ppf(u, (self.mode - self.low) / width, loc=self.low, scale=width)


class NormalBelief(_Belief):
    """``mean`` and standard deviation ``sd``, optionally truncated to ``low``..``high``."""

    uncertain: Literal["normal"]
    mean: float
    sd: float = Field(ge=0)
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> NormalBelief:
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        if not lo < hi:
            raise ValueError(f"needs low < high, got low={lo:g}, high={hi:g}")
        if self.sd == 0 and not lo <= self.mean <= hi:
            raise ValueError(f"mean {self.mean:g} lies outside low..high")
        return self

    def _dist(self):
        lo = -np.inf if self.low is None else (self.low - self.mean) / self.sd
        hi = np.inf if self.high is None else (self.high - self.mean) / self.sd
        from scipy import stats  # on first use: scipy.stats takes half a second to import

        return stats.truncnorm(lo, hi, loc=self.mean, scale=self.sd)

    @property
    def central(self) -> float:
        return self.mean if self.sd == 0 else float(self._dist().mean())

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self.sd == 0:
            return np.full(u.shape, self.mean)
        tail_lo = 0.0 if self.low is not None else TAIL
        tail_hi = 1.0 if self.high is not None else 1 - TAIL
        return self._dist().ppf(np.clip(u, tail_lo, tail_hi))


class LognormalBelief(_Belief):
    """A positive quantity known by its ``mean`` and coefficient of variation ``cv``."""

    uncertain: Literal["lognormal"]
    mean: float = Field(gt=0)
    cv: float = Field(ge=0)

    @property
    def central(self) -> float:
        return self.mean

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self.cv == 0:
            return np.full(u.shape, self.mean)
        sigma = math.sqrt(math.log1p(self.cv**2))
        mu = math.log(self.mean) - sigma**2 / 2
        from scipy import stats  # on first use: scipy.stats takes half a second to import

        return stats.lognorm.ppf(np.clip(u, TAIL, 1 - TAIL), sigma, scale=math.exp(mu))


Belief = Annotated[
    UniformBelief | TriangularBelief | NormalBelief | LognormalBelief,
    Field(discriminator="uncertain"),
]
"""A belief about one number, written inline as ``{ uncertain = "uniform", low = ..., high = ... }``."""


class _Holder(BaseModel):
    belief: Belief


def parse_belief(spec: Any, key: str) -> _Belief:
    """Validate one belief table; raises :class:`ScenarioError` naming ``key``."""
    try:
        return _Holder.model_validate({"belief": spec}).belief
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            if err["type"] == "union_tag_invalid":
                tag = err.get("ctx", {}).get("tag")
                problems.append(f"{key}: unknown belief {tag!r} (uncertain = one of {', '.join(KINDS)})")
                continue
            field = ".".join(str(p) for p in err["loc"][2:])
            where = f"{key}.{field}" if field else key
            problems.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
        raise ScenarioError(problems) from None


def whole(x: float) -> int:
    """``x`` rounded to the nearest whole number, halves up (not to even)."""
    return int(math.floor(x + 0.5))
