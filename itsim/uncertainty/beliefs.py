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

import copy
import math
import types
import typing
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats

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


# -- beliefs inside plain scenario data -----------------------------------------------------


def _label(items: list[Any], i: int) -> str:
    """How a list entry is named in a dotted key: its ``role`` or unique ``name``, else its index."""
    item = items[i]
    if isinstance(item, dict):
        for field in ("role", "name"):
            name = item.get(field)
            if (isinstance(name, str) and name and "." not in name and not name.lstrip("-").isdigit()
                    and sum(isinstance(x, dict) and x.get(field) == name for x in items) == 1):
                return name
    return str(i)


def _find(node: Any, prefix: str, found: dict[str, Any]) -> None:
    """Collect inline belief tables under ``node``: dotted key -> spec."""
    if isinstance(node, dict):
        if MARK in node:
            found[prefix] = node
            return
        for k, v in node.items():
            _find(v, f"{prefix}.{k}" if prefix else str(k), found)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _find(v, f"{prefix}.{_label(node, i)}", found)


def lift(data: Any) -> Any:
    """Plain scenario data with every inline belief replaced by its central value and the
    beliefs gathered in ``data["uncertain"]`` (dotted key -> belief table), next to any
    given there already. Data without beliefs comes back as it is.

    Raises :class:`ScenarioError` for a bad belief or an ``uncertain`` key that names no
    number of the scenario.
    """
    if not isinstance(data, dict):
        return data
    inline: dict[str, Any] = {}
    for k, v in data.items():
        if k != MARK:
            _find(v, k, inline)
    given = data.get(MARK)
    if not inline and not given:
        return data
    data = copy.deepcopy(data)
    problems: list[str] = []
    table = data.get(MARK) if isinstance(data.get(MARK), dict) else {}
    if given is not None and not isinstance(given, dict):
        problems.append(f"{MARK}: a table of dotted key = belief (got {given!r})")
    beliefs: dict[str, Any] = {}
    for key, spec in [*table.items(), *inline.items()]:
        try:
            belief = parse_belief(spec, key)
            if key in inline:
                central = belief.central
                _set(data, key, whole(central) if is_integer_key(data, key) else central)
            else:
                current = _get(data, key)
                if not isinstance(current, int | float) or isinstance(current, bool):
                    problems.append(f"{MARK}.{key}: no number of the scenario has this key")
                    continue
            beliefs[key] = belief.model_dump()
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    data[MARK] = beliefs
    return data


def _parts(data: dict[str, Any], key: str) -> list[Any] | None:
    """``key`` resolved against ``data``: dict keys and list indices; None if it names nothing."""
    cur: Any = data
    out: list[Any] = []
    for part in key.split("."):
        if isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, list):
            idx = next((i for i in range(len(cur)) if _label(cur, i) == part), None)
            if idx is None and part.lstrip("-").isdigit() and -len(cur) <= int(part) < len(cur):
                idx = int(part) % len(cur)
            if idx is None:
                idx = next((i for i, x in enumerate(cur) if isinstance(x, dict)
                            and part in (x.get("role"), x.get("name"))), None)
            if idx is None:
                return None
            out.append(idx)
            cur = cur[idx]
        else:
            return None
    return out


def _get(data: dict[str, Any], key: str) -> Any:
    parts = _parts(data, key)
    if parts is None:
        return None
    cur: Any = data
    for p in parts:
        cur = cur[p]
    return cur


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    parts = _parts(data, key)
    cur: Any = data
    for p in parts[:-1]:
        cur = cur[p]
    cur[parts[-1]] = value


def pin(data: dict[str, Any], key: str) -> None:
    """Drop from ``data["uncertain"]`` the beliefs at ``key`` or under it: a value set by
    hand is certain."""
    beliefs = data.get(MARK)
    if not beliefs:
        return
    target = _parts(data, key)
    if target is None:
        return
    for k in list(beliefs):
        parts = _parts(data, k)
        if parts is not None and parts[: len(target)] == target:
            del beliefs[k]


def inline(data: dict[str, Any]) -> dict[str, Any]:
    """The reverse of :func:`lift`: each belief written back in place of its central value
    (how ``Scenario.dumps`` writes a scenario with beliefs)."""
    beliefs = data.get(MARK)
    if not beliefs:
        return data
    data = copy.deepcopy(data)
    del data[MARK]
    for key, spec in beliefs.items():
        _set(data, key, {k: v for k, v in spec.items() if v is not None})
    return data


# -- sampling ----------------------------------------------------------------------------------


def _strip(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``."""
    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
            annotation = args[0]
            continue
        return annotation


def _field(model: type[BaseModel], name: str) -> Any:
    for fname, info in model.model_fields.items():
        if (info.alias or fname) == name:
            return info.annotation
    return None


def is_integer_key(data: dict[str, Any], key: str) -> bool:
    """Whether the scenario field at ``key`` holds whole numbers (a head count, a WIP limit)."""
    from itsim.policies import available
    from itsim.scenario import Policy, Scenario

    parts = _parts(data, key)
    ann: Any = Scenario
    for part in parts or []:
        ann = _strip(ann)
        origin = typing.get_origin(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            found = _field(ann, part)
            if found is None and ann is Policy:
                found = next((_field(cls.Params, part) for cls in available().values()
                              if _field(cls.Params, part) is not None), None)
            ann = found
        elif origin is list:
            ann = typing.get_args(ann)[0]
        elif origin is dict:
            ann = typing.get_args(ann)[1]
        else:  # a union of models, such as a distribution: the member that has this field
            members = [m for m in typing.get_args(ann) if isinstance(m, type) and issubclass(m, BaseModel)]
            ann = next((_field(m, part) for m in members if _field(m, part) is not None), None)
        if ann is None:
            return False
    return _strip(ann) is int


def whole(x: float) -> int:
    """``x`` rounded to the nearest whole number, halves up (not to even)."""
    return int(math.floor(x + 0.5))


def values_at(scenario, u: np.ndarray) -> list[dict[str, float | int]]:
    """Input values for each row of quantiles ``u`` (rows x beliefs, in ``scenario.uncertain``
    order): one dict of dotted key -> value per row. Integer keys take whole numbers: a
    uniform belief each of ``low..high`` equally often, the others their value rounded."""
    data = scenario.to_dict()
    keys = list(scenario.uncertain)
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
    every prefix of a power-of-two length is balanced, so a search that adds
    replications in doubling batches covers the beliefs evenly at each look."""
    from scipy.stats import qmc

    engine = qmc.Sobol(d=dimensions, scramble=True, rng=np.random.default_rng([seed, 0x50B0]))
    return engine.random(2 ** max(0, math.ceil(math.log2(max(samples, 1)))))[:samples]


def sampled(scenario, values: dict[str, float | int]):
    """The scenario with these input values: certain, ready to simulate."""
    return scenario.with_changes(values)


def check(scenario, source: str = "<scenario>") -> None:
    """Check that the scenario stays valid at both ends of every belief (each on its own,
    the others at their central value); raises :class:`ScenarioError` naming the key."""
    if not scenario.uncertain:
        return
    from itsim.experiment import policy_for
    from itsim.scenario import Scenario

    base = scenario.to_dict()
    base.pop(MARK, None)
    problems: list[str] = []
    for key, belief in scenario.uncertain.items():
        integer = is_integer_key(base, key)
        for end, x in zip(("low", "high"), belief.span, strict=True):
            value = whole(x) if integer else x
            data = copy.deepcopy(base)
            _set(data, key, value)
            try:
                policy_for(Scenario.from_dict(data, source=source))
            except ScenarioError as exc:
                for p in exc.problems:
                    problems.append(f"{source}: {key}: at the {end} end of its belief ({value:g}): "
                                    f"{p.removeprefix(source + ': ')}")
                break
    if problems:
        raise ScenarioError(problems)
