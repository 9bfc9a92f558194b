"""The probe scenario of the robustness tests (a 30-day 24x7 desk of 3 people at one
incident an hour), ways to change it, and ``itsim`` as a separate process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import itsim
from itsim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
[scenario]
name = "probe"
horizon_days = 30
calendar = "24x7"
seed = 3

[[team]]
role = "desk"
count = 3

[incidents]
rate_per_hour = 1
effort_hours = { dist = "exponential", mean = 1.0 }
handled_by = ["desk"]
"""

PROJECTS = """
[projects]
rate_per_month = 4
estimate_hours = { dist = "constant", value = 40 }
handled_by = ["desk"]
"""


def probe(*replace: tuple[str, str], append: str = "", prepend: str = "") -> str:
    """The probe scenario's text with ``(old, new)`` replacements and extra text."""
    text = PROBE
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    return prepend + text + append


def problems(text: str) -> list[str]:
    """The problems ``loads_scenario`` reports (the test fails if there are none)."""
    with pytest.raises(ScenarioError) as info:
        itsim.loads_scenario(text, source="probe.toml")
    return info.value.problems


def itsim_process(*args, cwd=None, timeout=120, **kwargs) -> subprocess.CompletedProcess:
    """``itsim ARGS`` as its own process (for what must not share this one: signals, hangs)."""
    return subprocess.run([sys.executable, "-m", "itsim.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout, **kwargs)
