"""The plan search's bounds: the chance of a wrong call over all looks, worked out exactly,
stays within alpha, and the levels are as high as that allows."""

import itertools

import numpy as np
import pytest

from itsim.plan import Rules
from itsim.plan.bounds import LOWER, UPPER, crosses, nominal_level, wrong_call_chance


def enumerated_chance(looks, risk, level, side):
    """The same chance by listing every sequence of too-busy runs."""
    total = 0.0
    for runs in itertools.product([0, 1], repeat=looks[-1]):
        s = np.cumsum(runs)
        if any(crosses(side, int(s[n - 1]), n, risk, level) for n in looks):
            total += risk ** s[-1] * (1 - risk) ** (looks[-1] - s[-1])
    return total


@pytest.mark.parametrize("side", [LOWER, UPPER])
@pytest.mark.parametrize(("looks", "risk", "level"), [((2, 4, 8), 0.3, 0.05), ((3, 6, 9, 12), 0.1, 0.02),
                                                      ((1, 5, 10), 0.5, 0.1)])
def test_the_chance_of_a_wrong_call_is_exact(looks, risk, level, side):
    assert wrong_call_chance(looks, risk, level, side) == pytest.approx(enumerated_chance(looks, risk, level, side))


@pytest.mark.parametrize("risk", [0.05, 0.1, 0.2, 0.3, 0.5])
@pytest.mark.parametrize("side", [LOWER, UPPER])
def test_the_level_keeps_wrong_calls_within_alpha_and_is_no_lower_than_it_must_be(risk, side):
    looks = tuple(Rules(risk).looks)
    level = nominal_level(looks, risk, 0.05, side)
    assert 0.05 / len(looks) <= level <= 0.05
    assert wrong_call_chance(looks, risk, level, side) <= 0.05
    if level < 0.05:  # a little higher would allow more wrong calls than alpha
        assert wrong_call_chance(looks, risk, level * 1.01, side) > 0.05


def test_the_search_calls_with_those_levels_and_only_at_its_looks():
    rules = Rules(0.3, 40, 4)
    assert rules.bound_levels[LOWER] > 0.05 / len(rules.looks)  # more than an even split of alpha
    from itsim.plan.search import decide

    busy = np.array([True] * 10 + [False] * 6)  # 10 of 16: a call by the lower bound at the look of 16
    assert decide(busy, rules) == ("infeasible", "bound")
    assert decide(np.append(busy, False), rules) == ("open", "")  # 17 is no look: no bound call
