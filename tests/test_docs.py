"""The guides' examples run as written, so they cannot drift from the code.

Every ```python block of a guide runs, in order, in one namespace (a block
fenced ```python no-run is only shown); every TOML block that starts with
[scenario] must load as a scenario.
"""

import re
from pathlib import Path

import pytest

import itsim
import itsim.policies

DOCS = Path(__file__).resolve().parent.parent / "docs"
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<code>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
GUIDES = ["property-testing.md", "verdict.md", "how-to/calibrate.md"]


def blocks(guide: str, language: str) -> list[str]:
    """Code blocks of ``guide`` fenced exactly as ``language``."""
    text = (DOCS / guide).read_text(encoding="utf-8")
    return [m["code"] for m in FENCE.finditer(text) if m["info"].strip() == language]


@pytest.mark.parametrize("guide", GUIDES)
def test_python_examples_run(guide, monkeypatch):
    # Policies the guide registers stay out of the rest of the test session.
    monkeypatch.setattr(itsim.policies, "_REGISTRY", dict(itsim.policies._REGISTRY))
    code = blocks(guide, "python")
    assert code, f"{guide} has no python examples"
    namespace: dict = {"__name__": f"docs.{guide}"}
    for i, block in enumerate(code):
        exec(compile(block, f"{guide} (python block {i + 1})", "exec"), namespace)


@pytest.mark.parametrize("guide", GUIDES)
def test_scenario_examples_load(guide):
    scenarios = [b for b in blocks(guide, "toml") if b.lstrip().startswith("[scenario]")]
    for block in scenarios:
        itsim.loads_scenario(block, source=guide)


def test_fence_parsing_finds_the_guide_examples():
    assert len(blocks("property-testing.md", "python")) == 3
    assert len(blocks("property-testing.md", "python no-run")) == 1
