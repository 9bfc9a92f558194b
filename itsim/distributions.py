"""Effort, patience and size distributions, parameterised the way leaders think.

Every distribution knows its own ``mean`` and ``variance`` (so offered load can
be checked before simulating) and draws arrays of samples from a numpy
Generator. Units are whatever the field using it says (hours, days, money).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from itsim.bounds import Bounded

#: The range of ``cv`` for ``lognormal`` and ``gamma``: outside it the shape parameters
#: underflow or overflow (a gamma of cv 1e-200 has shape 1e400), and no real effort varies so.
MIN_CV, MAX_CV = 1e-6, 100.0

if TYPE_CHECKING:  # numpy is imported where an array is made, so that reading a scenario does not load it
    import numpy as np


class _Distribution(Bounded):

    @property
    def mean(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def variance(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def cv(self) -> float:
        """Coefficient of variation: standard deviation / mean."""
        return math.sqrt(self.variance) / self.mean if self.mean else 0.0

    @property
    def second_moment(self) -> float:
        """E[X^2] = variance + mean^2 (used by Pollaczek-Khinchine and Cobham)."""
        return self.variance + self.mean**2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class Exponential(_Distribution):
    """Memoryless; ``mean`` only."""

    dist: Literal["exponential"]
    mean_: float = Field(alias="mean", gt=0)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_**2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_, n)


class Lognormal(_Distribution):
    """Right-skewed sizes (task effort, estimate overruns); ``mean`` and ``cv``."""

    dist: Literal["lognormal"]
    mean_: float = Field(alias="mean", gt=0)
    cv_: float = Field(alias="cv", ge=MIN_CV, le=MAX_CV)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return (self.mean_ * self.cv_) ** 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        sigma2 = math.log1p(self.cv_**2)
        mu = math.log(self.mean_) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)


class Gamma(_Distribution):
    """Moderately variable durations; ``mean`` and ``cv`` (shape = 1/cv^2)."""

    dist: Literal["gamma"]
    mean_: float = Field(alias="mean", gt=0)
    cv_: float = Field(alias="cv", ge=MIN_CV, le=MAX_CV)

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return (self.mean_ * self.cv_) ** 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = 1.0 / self.cv_**2
        return rng.gamma(shape, self.mean_ / shape, n)


class Triangular(_Distribution):
    """Three-point estimate: ``low``, ``mode``, ``high``."""

    dist: Literal["triangular"]
    low: float = Field(ge=0)
    mode: float = Field(ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError(
                f"needs low <= mode <= high and low < high, got "
                f"low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)


class Uniform(_Distribution):
    """Anything between ``low`` and ``high`` equally likely."""

    dist: Literal["uniform"]
    low: float = Field(ge=0)
    high: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low >= self.high:
            raise ValueError(f"needs low < high, got low={self.low}, high={self.high}")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class Constant(_Distribution):
    """Always ``value`` (deterministic service: M/D/c)."""

    dist: Literal["constant"]
    value: float = Field(gt=0)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        import numpy as np

        return np.full(n, self.value)


class Empirical(_Distribution):
    """Resample observed ``values`` (for example last year's ticket efforts)."""

    dist: Literal["empirical"]
    values: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _positive(self) -> Empirical:
        if any(v < 0 or not math.isfinite(v) for v in self.values):
            raise ValueError("values must be finite and >= 0")
        if sum(self.values) <= 0:
            raise ValueError("values must not all be 0")
        return self

    @property
    def mean(self) -> float:
        import numpy as np

        return float(np.mean(self.values))

    @property
    def variance(self) -> float:
        import numpy as np

        return float(np.var(self.values))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        import numpy as np

        return rng.choice(np.asarray(self.values, dtype=float), n)


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Triangular | Uniform | Constant | Empirical,
    Field(discriminator="dist"),
]
"""A distribution written as an inline TOML table, e.g. ``{ dist = "lognormal", mean = 2, cv = 1 }``."""

KINDS = ("exponential", "lognormal", "gamma", "triangular", "uniform", "constant", "empirical")
