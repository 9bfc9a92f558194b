"""itsim: a discrete-event simulator of IT demand versus IT supply.

The flat public API::

    import itsim
    sc = itsim.load_scenario("scenarios/baseline.toml")
    run = itsim.simulate(sc, seed=1)
    res = itsim.replicate(sc, replications=30)
    grid = itsim.sweep(sc, vary={"demand_scale": [0.8, 1.0, 1.2]}, replications=20)
    again = itsim.load_results("out/baseline")
    itsim.compare(again, res)

Each name is imported on first use, so ``import itsim`` (and the command line's
start-up, and a Dask worker unpickling a task) loads none of pandas, scipy or the
charting libraries until something needs them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from itsim.distributions import Distribution
    from itsim.experiment import Replicated, Run, replicate, simulate
    from itsim.results import compare, load_results
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
#: the module that defines each public name
_HOME = {
    name: module
    for module, names in {
        "itsim.distributions": ("Distribution",),
        "itsim.experiment": ("Replicated", "Run", "replicate", "simulate"),
        "itsim.results": ("compare", "load_results"),
        "itsim.scenario": ("Scenario", "ScenarioError", "load_scenario", "loads_scenario"),
        "itsim.sweep": ("Sweep", "sweep"),
    }.items()
    for name in names
}
#: public functions that share their name with a submodule
_SHADOWED = ("compare", "sweep")
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """``itsim.sweep`` and ``itsim.compare`` are the functions, although submodules have the
    same names: importing a submodule sets it as an attribute of its package, which would
    otherwise replace the function the first time the submodule loads."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
