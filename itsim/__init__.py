"""itsim: a discrete-event simulator of IT demand versus IT supply.

The flat public API::

    import itsim
    sc = itsim.load_scenario("scenarios/baseline.toml")
    run = itsim.simulate(sc, seed=1)
    res = itsim.replicate(sc, replications=30)
    grid = itsim.sweep(sc, vary={"demand_scale": [0.8, 1.0, 1.2]}, replications=20)
    again = itsim.load_results("out/baseline")
    itsim.compare(again, res)
"""

import sys
import types
from typing import Any

from itsim.distributions import Distribution
from itsim.experiment import Replicated, Run, replicate, simulate
from itsim.scenario import Scenario, ScenarioError, load_scenario, loads_scenario
from itsim.sweep import Sweep, sweep

__all__ = [
    "Distribution",
    "Replicated",
    "Run",
    "Scenario",
    "ScenarioError",
    "compare",
    "load_results",
    "load_scenario",
    "loads_scenario",
    "replicate",
    "simulate",
    "sweep",
    "Sweep",
]
__version__ = "0.1.0"

#: Names loaded on first use (their modules import the report's formatting).
_LAZY = {"compare": "itsim.results", "load_results": "itsim.results"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # found directly from now on
    return value


class _Package(types.ModuleType):
    """``itsim.compare`` is the function :func:`itsim.results.compare`, although a submodule
    has the same name: importing a submodule sets it as an attribute of its package, which
    would otherwise hide the function once ``itsim.compare`` the module is loaded."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "compare" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
