"""Uncertain inputs: beliefs about a scenario's numbers (:mod:`.beliefs`), and runs that
sample them, with input uncertainty told apart from simulation noise (:mod:`.nested`)."""

from itsim.uncertainty.beliefs import Belief, check, inline, lift, pin

__all__ = ["Belief", "check", "inline", "lift", "pin"]
