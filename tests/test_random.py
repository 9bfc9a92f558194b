"""Random streams: values come in blocks, but never depend on how they are blocked."""

import numpy as np
import pytest

from itsim.distributions import Empirical, Gamma, Lognormal
from itsim.random import BLOCK, Rows, Stream, Streams, generator


def first_values(source: str, draw, n: int) -> list[float]:
    """The first ``n`` values of ``source``, drawn in one call."""
    return draw(generator(7, 2, source), n).tolist()


@pytest.mark.parametrize("dist", [
    Lognormal(dist="lognormal", mean=0.5, cv=1.2),
    Gamma(dist="gamma", mean=4, cv=0.3),
    # Bounded integers come from 32-bit halves of 64-bit draws: even block sizes keep them aligned.
    Empirical(dist="empirical", values=[1.0, 2.0, 3.0, 5.0, 8.0]),
])
def test_a_stream_gives_the_numbers_of_one_large_draw(dist):
    n = 3 * BLOCK + 5  # across the growing blocks and several full ones
    stream = Stream(generator(7, 2, "effort"), dist.sample)
    assert [stream() for _ in range(n)] == first_values("effort", dist.sample, n)


def test_take_is_the_same_as_that_many_calls():
    def uniform(rng, n):
        return rng.random(n)

    one, other = (Stream(generator(7, 2, "u"), uniform) for _ in range(2))
    taken = [x for k in (1, 3, 12, 40, 4000, 7) for x in one.take(k)]
    assert taken == [other() for _ in range(len(taken))]


def test_rows_hold_each_source_s_own_numbers():
    streams = Streams(7, 2)
    rows = Rows([
        streams.column("a", lambda rng, n: rng.random(n)),
        streams.column("b", lambda rng, n: rng.standard_exponential(n)),
        lambda n: [0] * n,
    ])
    n = 2 * BLOCK + 3
    got = [rows() for _ in range(n)]
    assert [r[0] for r in got] == first_values("a", lambda rng, k: rng.random(k), n)
    assert [r[1] for r in got] == first_values("b", lambda rng, k: rng.standard_exponential(k), n)
    assert {r[2] for r in got} == {0}


def test_sources_are_independent_of_each_other():
    a = Streams(7, 2).stream("a", lambda rng, n: rng.random(n))
    b = Streams(7, 2).stream("b", lambda rng, n: rng.random(n))
    assert not np.allclose([a() for _ in range(10)], [b() for _ in range(10)])
