"""Start-up: the command line and ``import itsim`` load no heavy library they do not need.

Checked by the modules a fresh interpreter has loaded, not by time: timings belong in
``benchmarks/end_to_end.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import itsim

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {"scipy", "pandas", "altair", "pyarrow", "dask", "vl_convert"}


def loaded_after(code: str, *argv: str) -> set[str]:
    """Top-level packages loaded by a fresh interpreter that runs ``code`` with ``sys.argv[1:] = argv``
    (counted at exit, so whatever the code imports on its way counts too)."""
    probe = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}))))\n"
        f"sys.argv = ['itsim', *{list(argv)!r}]\n"
        f"{code}\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def cli(*argv: str) -> set[str]:
    return loaded_after("from itsim.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass", *argv)


def test_import_itsim_loads_no_heavy_library():
    assert not loaded_after("import itsim") & HEAVY


def test_importing_the_command_line_loads_no_heavy_library():
    assert not loaded_after("import itsim.cli") & HEAVY


@pytest.mark.parametrize("argv", [("--help",), ("run", "--help"), ("sweep", "--help")])
def test_help_loads_no_heavy_library(argv):
    assert not cli(*argv) & HEAVY


def test_help_does_not_load_pydantic():
    assert "pydantic" not in cli("--help")


def test_validate_loads_no_heavy_library():
    assert not cli("validate", str(ROOT / "scenarios" / "baseline.toml")) & HEAVY


def test_a_worker_running_a_replication_does_not_load_scipy_or_charts():
    loaded = loaded_after(
        "import itsim\n"
        "from itsim.sweep import _replication\n"
        "sc = itsim.loads_scenario(open('scenarios/baseline.toml').read())"
        ".with_changes({'scenario.horizon_days': 7, 'scenario.warmup_days': 0})\n"
        "_replication(sc, 1, 0)"
    )
    assert not loaded & {"scipy", "altair", "vl_convert"}


def test_the_flat_api_is_there_on_first_use():
    for name in itsim.__all__:
        assert getattr(itsim, name) is not None
    assert set(itsim.__all__) <= set(dir(itsim))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        itsim.nothing_here  # noqa: B018


def test_itsim_sweep_stays_the_function_once_the_submodule_is_imported():
    loaded = loaded_after(
        "import itsim\n"
        "import itsim.sweep\n"
        "from itsim.sweep import Sweep\n"
        "assert callable(itsim.sweep) and itsim.sweep.__name__ == 'sweep', itsim.sweep\n"
        "assert itsim.Sweep is Sweep\n"
        "print('fine')"
    )
    assert "itsim" in loaded  # and the child's assertions held (exit code 0)
    from itsim.sweep import sweep

    assert itsim.sweep is sweep


def test_the_command_line_leaves_its_objects_out_of_the_final_garbage_collection():
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count()))  # runs after main's own handler\n"
        "sys.argv = ['itsim', '--help']\n"
        "from itsim.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    frozen = int(proc.stdout.strip().splitlines()[-1].split()[1])
    assert frozen > 1000, "objects left for the interpreter's last collection"
