"""The bundled experiments read the metrics the model writes."""

import importlib.util
from pathlib import Path

import pytest

import itsim

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"


def experiment(name: str):
    spec = importlib.util.spec_from_file_location(name, EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_policy_comparison_counts_every_kind_of_neglected_maintenance():
    scenario = itsim.load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "understaffed.toml")
    result = itsim.replicate(scenario.with_changes({"scenario.horizon_days": 91, "demand_scale": 1.5}),
                             replications=2)
    wide = experiment("policy_comparison").per_replication(result)
    kinds = [c for c in wide.columns if c.startswith("neglect_hours.")]
    assert kinds and (wide["neglect_hours"] > 0).all()
    assert wide["neglect_hours"].to_numpy() == pytest.approx(wide[kinds].sum(axis=1).to_numpy())
