"""Problems with a ticket export, collected so that a user sees all of them at once."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MAX_EXAMPLES = 5
"""Rows shown for one kind of problem; the rest are counted on one more line."""


class CalibrationError(ValueError):
    """Input that cannot be calibrated from; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class RowProblems:
    """Bad rows of one kind in one file: the first few as examples, the rest counted."""

    def __init__(self, source: str, what: str):
        self.source = source
        self.what = what
        self.examples: list[str] = []
        self.count = 0

    def add(self, where: np.ndarray, rows: np.ndarray, describe: Callable[[int], str]) -> None:
        """The rows at positions ``where`` (of a chunk whose row numbers are ``rows``) have
        this problem; ``describe(position)`` says what is wrong with one of them."""
        for i in where[: max(0, MAX_EXAMPLES - len(self.examples))]:
            self.examples.append(f"{self.source}: row {rows[i]}: {describe(int(i))}")
        self.count += len(where)

    def lines(self, hint: str = "") -> list[str]:
        """One line per example, then one for the rest (with ``hint``, if given)."""
        lines = list(self.examples)
        rest = self.count - len(self.examples)
        if rest > 0:
            lines.append(f"{self.source}: {rest} more rows {self.what}")
        if hint and lines:
            lines[-1] += f" ({hint})"
        return lines


class Problem(str):
    """What :func:`parse_pairs`' ``check`` returns for a pair that is wrong in a way of its own."""


def parse_pairs(items: list[str], flag: str, check: Callable[[str, str], object | None], expected: str,
                last: bool = False) -> dict[str, object]:
    """``KEY=VALUE`` options (``--staff``, ``--map``, ...) as {key: check(key, value)}, in order.

    ``check`` returns the value to keep, or None for a bad pair, which is reported with
    ``expected``; a string it returns instead is a problem of its own. Splits at the last
    ``=`` when ``last`` (column names may hold one). Raises :class:`CalibrationError`.
    """
    out: dict[str, object] = {}
    problems = []
    for item in items:
        key, sep, value = item.rpartition("=") if last else item.partition("=")
        key, value = key.strip(), value.strip()
        kept = check(key, value) if sep and key else None
        if kept is None:
            problems.append(f"{flag} {item!r}: expected {expected}")
        elif isinstance(kept, Problem):
            problems.append(f"{flag} {item!r}: {kept}")
        elif key in out:
            problems.append(f"{flag} {key}: given more than once")
        else:
            out[key] = kept
    if problems:
        raise CalibrationError(problems)
    return out
