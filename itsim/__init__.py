"""itsim: a discrete-event simulator of IT demand versus IT supply.

The flat public API::

    import itsim
    sc = itsim.load_scenario("scenarios/baseline.toml")
    run = itsim.simulate(sc, seed=1)
    res = itsim.replicate(sc, replications=30)
    grid = itsim.sweep(sc, vary={"demand_scale": [0.8, 1.0, 1.2]}, replications=20)
"""

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
    "load_scenario",
    "loads_scenario",
    "replicate",
    "simulate",
    "sweep",
    "Sweep",
]
__version__ = "0.1.0"
