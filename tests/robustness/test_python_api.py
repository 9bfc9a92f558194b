"""The Python API: wrong types get clear TypeErrors at the call, a single policy name is
one policy, numpy numbers are numbers, and one broken plugin breaks only itself."""

import numpy as np
import pytest

import itsim
from itsim.policies import PluginError, available, build_policy, names, policy_class
from tests.robustness.probes import PROBE

SC = itsim.loads_scenario(PROBE)


@pytest.mark.parametrize("call, message", [
    (lambda: itsim.loads_scenario(None), r"loads_scenario: expected TOML text \(str or bytes\), got NoneType"),
    (lambda: itsim.load_scenario(None), "load_scenario: expected a file path, got NoneType"),
    (lambda: itsim.simulate(None), "simulate: expected an itsim.Scenario"),
    (lambda: itsim.simulate(PROBE), "simulate: expected an itsim.Scenario .* got str"),
    (lambda: itsim.replicate(None), "replicate: expected an itsim.Scenario"),
    (lambda: itsim.sweep(None, {"demand_scale": [1]}), "sweep: expected an itsim.Scenario"),
    (lambda: SC.with_changes({5: 1}), r"with_changes: keys are dotted scenario keys as text .* got 5 \(int\)"),
    (lambda: SC.with_changes(None), "with_changes: expected a mapping of dotted keys to values, got NoneType"),
    (lambda: SC.with_changes([("demand_scale", 1)]), "with_changes: expected a mapping"),
    (lambda: itsim.simulate(SC, seed="1"), "seed must be an integer, got str"),
    (lambda: itsim.simulate(SC, seed=True), "seed must be an integer, got bool"),
    (lambda: itsim.replicate(SC, replications=2.5), "replications must be an integer, got float"),
    (lambda: itsim.sweep(SC, "demand_scale=1,2"), "vary: expected a mapping"),
    (lambda: itsim.sweep(SC, {"demand_scale": 1.2}), "vary: demand_scale: expected a list of values, got float"),
    (lambda: itsim.sweep(SC, {"demand_scale": [1]}, policies=[None]), "policies: expected policy names as text"),
])
def test_wrong_types_are_clear_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_out_of_range_counts_are_value_errors():
    with pytest.raises(ValueError, match="replications must be >= 1, got 0"):
        itsim.replicate(SC, replications=0)
    with pytest.raises(ValueError, match="seed must be >= 0, got -1"):
        itsim.simulate(SC, seed=-1)


def test_a_single_policy_name_is_one_policy_not_its_letters():
    grid = itsim.sweep(SC, {"demand_scale": [1.0]}, policies="wip_limit", replications=1)
    assert grid.policies == ["wip_limit"] and len(grid.cells) == 1


def test_numpy_numbers_and_tuples_are_plain_values():
    changed = SC.with_changes({"team.desk.count": np.int64(4), "demand_scale": np.float32(1.5),
                               "incidents.handled_by": ("desk",)})
    assert changed.role("desk").count == 4 and changed.demand_scale == 1.5
    grid = itsim.sweep(SC, {"team.desk.count": np.arange(3, 5)}, replications=1)
    assert [c.values["team.desk.count"] for c in grid.cells] == [3, 4]
    assert all(type(c.values["team.desk.count"]) is int for c in grid.cells)


# -- plugins ------------------------------------------------------------------------------------


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    """Two installed plugins: ``calm`` works, ``broken`` fails on import."""
    (tmp_path / "calm_plugin.py").write_text(
        "from itsim.policies.base import FirefightFirst\n\n"
        "class Calm(FirefightFirst):\n    name = 'calm'\n")
    (tmp_path / "broken_plugin.py").write_text("raise ImportError('needs a module that is not installed')\n")
    info = tmp_path / "itsim_plugins-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: itsim-plugins\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[itsim.policies]\ncalm = calm_plugin:Calm\nbroken = broken_plugin:Broken\n")
    monkeypatch.syspath_prepend(str(tmp_path))


def test_a_broken_plugin_breaks_only_itself(plugins):
    assert {"calm", "broken"} <= set(names())
    assert policy_class("calm").name == "calm"
    assert itsim.simulate(SC.with_changes({"policy.name": "calm"})).metrics["incidents_arrived"] > 0
    assert itsim.simulate(SC.with_changes({"policy.name": "wip_limit"})).metrics["incidents_arrived"] > 0
    assert "calm" in available() and "broken" not in available()


def test_a_broken_plugin_names_itself_when_asked_for(plugins, tmp_path, itsim_cli):
    with pytest.raises(PluginError, match="policy 'broken' could not be loaded from the plugin "
                                          "'broken_plugin:Broken' .*ImportError: needs a module"):
        policy_class("broken")
    with pytest.raises(ValueError, match="policy.name: policy 'broken' could not be loaded"):
        build_policy(["broken"], {})
    f = tmp_path / "s.toml"
    f.write_text(PROBE + '\n[policy]\nname = "broken"\n')
    code, _, err = itsim_cli("validate", f)
    assert code == 2 and f"{f}: policy.name: policy 'broken' could not be loaded from the plugin" in err


def test_only_the_plugin_asked_for_is_loaded(plugins):
    import sys

    policy_class("calm")
    assert "calm_plugin" in sys.modules and "broken_plugin" not in sys.modules
