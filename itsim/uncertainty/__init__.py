"""Uncertain inputs: beliefs about a scenario's numbers (:mod:`.beliefs`), where they sit
in scenario data (:mod:`.keys`), how they are sampled (:mod:`.sampling`), and runs that
sample them, with input uncertainty told apart from simulation noise (:mod:`.nested`)."""

from itsim.uncertainty.beliefs import Belief
from itsim.uncertainty.keys import check, inline, lift, pin

__all__ = ["Belief", "check", "inline", "lift", "pin"]
