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
