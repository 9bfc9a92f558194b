"""Random streams: one numpy Generator per source of randomness.

Streams are keyed by *name*, not by the order in which they are created, so
adding a new source of randomness never shifts the numbers another source
draws, and replication ``r`` of every policy sees the same arrivals, efforts and
priorities (common random numbers). Values are handed out from blocks drawn in
one numpy call, because a scalar draw costs about a microsecond.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

BLOCK = 4096
# Blocks grow 16, 32, ... up to BLOCK. All even: numpy draws bounded integers (an
# empirical distribution) from 32-bit halves of 64-bit words, so even blocks give
# exactly the numbers of one large draw.
FIRST_BLOCK = 16


def stream_seed(seed: int, replication: int, source: str) -> np.random.SeedSequence:
    """The seed sequence of one source in one replication."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(replication, zlib.crc32(source.encode())))


def generator(seed: int, replication: int, source: str) -> np.random.Generator:
    """A fresh Generator for ``source`` in replication ``replication``."""
    return np.random.Generator(np.random.PCG64(stream_seed(seed, replication, source)))


class Stream:
    """Scalars from one random source, drawn in blocks of ``FIRST_BLOCK`` values, then
    twice as many each time up to ``BLOCK``, so that a source used a few times a year
    (an annual task) does not draw thousands of values it never uses.

    ``draw`` is any ``(rng, n) -> array`` function, e.g. a distribution's
    ``sample``. Call the instance for the next value.
    """

    __slots__ = ("_rng", "_draw", "_buf", "_i", "_n", "_block")

    def __init__(self, rng: np.random.Generator, draw: Callable[[np.random.Generator, int], np.ndarray]):
        self._rng = rng
        self._draw = draw
        self._buf: list[float] = []
        self._i = 0
        self._n = 0
        self._block = FIRST_BLOCK

    def __call__(self) -> float:
        i = self._i
        if i == self._n:
            self._buf = self._draw(self._rng, self._block).tolist()
            self._n = len(self._buf)
            self._block = min(2 * self._block, BLOCK)
            i = 0
        self._i = i + 1
        return self._buf[i]

    def take(self, n: int) -> list[float]:
        """The next ``n`` values (the same as ``n`` calls)."""
        i = self._i
        if i + n <= self._n:
            self._i = i + n
            return self._buf[i:i + n]
        return [self() for _ in range(n)]


class Rows:
    """One value from each of several random sources per call, as a tuple.

    A column is an ``n -> list`` function that draws ``n`` values from its own
    generator; columns are drawn in blocks of the same growing sizes as a
    :class:`Stream`'s, so each holds the numbers its source would give as a Stream,
    and one call replaces one per source.
    """

    __slots__ = ("_columns", "_rows", "_block")

    def __init__(self, columns: list[Callable[[int], list]]):
        self._columns = columns
        self._rows = iter(())
        self._block = FIRST_BLOCK

    def __call__(self) -> tuple:
        row = next(self._rows, None)
        if row is None:
            self._rows = zip(*[column(self._block) for column in self._columns], strict=True)
            self._block = min(2 * self._block, BLOCK)
            row = next(self._rows)
        return row


class Streams:
    """Factory of named streams for one replication of one scenario."""

    def __init__(self, seed: int, replication: int):
        self.seed = seed
        self.replication = replication

    def rng(self, source: str) -> np.random.Generator:
        return generator(self.seed, self.replication, source)

    def stream(self, source: str, draw: Callable[[np.random.Generator, int], np.ndarray]) -> Stream:
        return Stream(self.rng(source), draw)

    def column(self, source: str, draw: Callable[[np.random.Generator, int], np.ndarray]) -> Callable[[int], list]:
        """A column of :class:`Rows`: ``n`` values of ``draw`` from ``source``'s generator."""
        rng = self.rng(source)
        return lambda n: draw(rng, n).tolist()

    def uniform(self, source: str) -> Stream:
        return self.stream(source, lambda rng, n: rng.random(n))

    def exponential(self, source: str) -> Stream:
        """Unit-mean exponentials (scale them by the mean inter-arrival time)."""
        return self.stream(source, lambda rng, n: rng.standard_exponential(n))
