"""The site's pages run as written, so they cannot drift from the code.

Every page under docs/ is checked: its ```python blocks run, in order, in one namespace
(a block fenced ```python no-run is only shown); its ```bash run blocks run each
``itsim`` command line in the same folder, which must succeed (other ```bash blocks are
only shown); every TOML block that starts with [scenario] must load as a scenario.
Each page runs in a fresh folder holding a link to the bundled scenarios.
"""

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

import itsim
import itsim.policies
from itsim.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<code>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
GUIDES = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md") if "hooks" not in p.parts)
#: Pages that must have code the tests run (the others may be prose only).
RUNNABLE = [
    "tutorials/first-what-if.md", "tutorials/first-sweep.md", "tutorials/first-policy.md",
    "how-to/dask.md", "how-to/sweep-any-key.md", "how-to/write-a-policy.md", "how-to/pandas.md",
    "how-to/spreadsheets.md", "reference/testing.md", "background/validation.md", "property-testing.md",
    "verdict.md", "how-to/calibrate.md",
]


def blocks(guide: str, language: str) -> list[str]:
    """Code blocks of ``guide`` fenced exactly as ``language``."""
    text = (DOCS / guide).read_text(encoding="utf-8")
    return [m["code"] for m in FENCE.finditer(text) if m["info"].strip() == language]


def command_lines(block: str) -> list[list[str]]:
    """The command lines of a shell block (continued lines joined), as argument lists."""
    return [shlex.split(line) for line in block.replace("\\\n", " ").splitlines() if line.strip()]


@pytest.fixture
def page_folder(tmp_path, monkeypatch):
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    # Policies a page registers stay out of the rest of the test session.
    monkeypatch.setattr(itsim.policies, "_REGISTRY", dict(itsim.policies._REGISTRY))
    return tmp_path


@pytest.mark.parametrize("guide", GUIDES)
def test_page_examples_run(guide, page_folder):
    runner = CliRunner()
    namespace: dict = {"__name__": "__main__"}
    text = (DOCS / guide).read_text(encoding="utf-8")
    for i, m in enumerate(FENCE.finditer(text)):
        info = m["info"].strip()
        if info == "python":
            exec(compile(m["code"], f"{guide} (block {i + 1})", "exec"), namespace)
        elif info == "bash run":
            for argv in command_lines(m["code"]):
                assert argv[0] == "itsim", f"{guide}: only itsim commands run in the tests: {argv}"
                result = runner.invoke(app, argv[1:], prog_name="itsim")
                assert result.exit_code == 0, f"{guide}: {' '.join(argv)}\n{result.output}\n{result.exception!r}"


@pytest.mark.parametrize("guide", RUNNABLE)
def test_runnable_pages_have_code_the_tests_run(guide):
    assert blocks(guide, "python") or blocks(guide, "bash run"), f"{guide} has no examples the tests run"


@pytest.mark.parametrize("guide", GUIDES)
def test_scenario_examples_load(guide):
    scenarios = [b for b in blocks(guide, "toml") if b.lstrip().startswith("[scenario]")]
    for block in scenarios:
        itsim.loads_scenario(block, source=guide)


def test_fence_parsing_finds_the_guide_examples():
    assert len(blocks("property-testing.md", "python")) == 3
    assert len(blocks("property-testing.md", "python no-run")) == 1
    assert command_lines("itsim run a.toml \\\n  --out b\nitsim compare a b\n") == [
        ["itsim", "run", "a.toml", "--out", "b"], ["itsim", "compare", "a", "b"]]


def test_the_readme_links_to_the_site_and_its_first_commands_stay():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# itsim\n\n```bash\npip install . && itsim run scenarios/baseline.toml\n"
                             'pip install ".[test]" && python -m pytest\n```')
    assert "mkdocs" in readme and "docs/index.md" in readme
