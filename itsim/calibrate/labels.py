"""What a ticket system's words mean: priority labels as classes P1..P9, and states.

Priorities: a label with a number ("1 - Critical", "P2", "3") keeps its number;
otherwise the labels of the whole file are matched against the schemes of the
common ticket systems (ServiceNow, Jira, Zendesk), P1 the most urgent. Labels
that fit no scheme are named in an error and can be given with
``--priority LABEL=P1``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from itsim.calibrate.errors import CalibrationError, parse_pairs

SCHEMES = (
    ("critical", "high", "moderate", "low", "planning"),  # ServiceNow
    ("highest", "high", "medium", "low", "lowest"),  # Jira
    ("blocker", "critical", "major", "minor", "trivial"),  # Jira, older projects
    ("urgent", "high", "normal", "low"),  # Zendesk
    ("critical", "high", "medium", "low"),
    ("emergency", "urgent", "high", "medium", "low"),
)
NUMBERED = re.compile(r"^\s*(?:p(?:riority)?\s*)?([1-9])(?:\s*[-:.)]|\s|$)", re.IGNORECASE)

# Ticket states, by what they mean for the model.
NEW, ACTIVE, WAITING, RESOLVED, CLOSED, CANCELLED, OTHER = range(7)
STATE_WORDS = {
    NEW: ("new", "open", "opened", "1", "to do", "todo", "backlog", "assigned", "submitted"),
    ACTIVE: ("active", "in progress", "work in progress", "wip", "2", "in work", "working"),
    WAITING: ("on hold", "3", "pending", "waiting", "awaiting user info", "awaiting caller",
              "awaiting problem", "awaiting vendor", "awaiting evidence", "awaiting change"),
    RESOLVED: ("resolved", "6", "done", "solved", "fixed", "completed", "complete"),
    CLOSED: ("closed", "7", "closed complete"),
    CANCELLED: ("canceled", "cancelled", "8", "closed incomplete", "closed skipped", "withdrawn",
                "won't do", "won't fix", "wont do", "wontfix", "rejected", "declined", "abandoned"),
}
WORD_STATE = {w: state for state, words in STATE_WORDS.items() for w in words}


def state_codes(labels: np.ndarray) -> np.ndarray:
    """State code (NEW, ACTIVE, ...) of each label; missing labels and other words are OTHER.

    States that begin with "awaiting" or "pending" count as waiting, "closed ..." as closed.
    """
    codes, uniques = pd.factorize(pd.Series(labels))  # missing labels get -1: the last entry, OTHER
    states = np.array([_state(str(u)) for u in uniques] + [OTHER], dtype=np.int8)
    return states[codes]


def _state(label: str) -> int:
    word = " ".join(label.strip().lower().replace("_", " ").split())
    if word in WORD_STATE:
        return WORD_STATE[word]
    if word.startswith(("awaiting", "pending", "on hold")):
        return WAITING
    if word.startswith("closed"):
        return CLOSED
    return OTHER


def priority_classes(labels: list[str], given: dict[str, int]) -> dict[str, int]:
    """Priority class number (1 = P1) of each distinct label; raises :class:`CalibrationError`
    for labels that fit no scheme and were not given with ``--priority``."""
    key = {label: label.strip().lower() for label in labels}
    given = {k.strip().lower(): v for k, v in given.items()}
    out: dict[str, int] = {}
    words = set()
    for label, low in key.items():
        if low in given:
            out[label] = given[low]
        elif m := NUMBERED.match(low):
            out[label] = int(m.group(1))
        else:
            words.add(re.sub(r"\s+", " ", low))
    if words:
        scheme = next((s for s in SCHEMES if words <= set(s)), None)
        if scheme is None:
            unknown = sorted(w for w in words if not any(w in s for s in SCHEMES)) or sorted(words)
            shown = ", ".join(repr(w) for w in unknown[:8]) + (" ..." if len(unknown) > 8 else "")
            raise CalibrationError([
                f"priority: labels that fit no known scheme: {shown}; name their class with "
                f"--priority LABEL=P1 (P1 the most urgent), or leave the column out with --map"
            ])
        for label, low in key.items():
            if label not in out:
                out[label] = scheme.index(re.sub(r"\s+", " ", low)) + 1
    return out


def parse_priority_options(items: list[str]) -> dict[str, int]:
    """``--priority LABEL=PN`` options as {label: N}; raises :class:`CalibrationError`."""

    def check(label: str, cls: str) -> int | None:
        m = re.fullmatch(r"[Pp]?([1-9])", cls)
        return int(m.group(1)) if m else None

    return parse_pairs(items, "--priority", check, "LABEL=PN with N from 1 to 9, e.g. 'Sev A=P1'", last=True)
