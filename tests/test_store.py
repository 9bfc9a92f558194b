"""Results on disk: atomic writes, run directories, and sweep cell directories."""

import json

import pandas as pd
import pytest

import itsim
from itsim import store
from tests.test_scenario import MINIMAL

SC = itsim.loads_scenario(MINIMAL)


@pytest.fixture(scope="module")
def result():
    return itsim.replicate(SC, replications=2)


def verdicts():
    return pd.DataFrame({"replication": [0, 1], "too_busy": [True, False], "reasons": ["utilization", ""]})


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "deep" / "a.json"
    store.atomic_write_json(path, {"b": 1, "a": [1.5, None]})
    store.atomic_write_json(path, {"b": 2})
    assert json.loads(path.read_text()) == {"b": 2}
    assert [p.name for p in path.parent.iterdir()] == ["a.json"]


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "t.parquet"
    store.atomic_write_parquet(path, pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError):  # pyarrow cannot store a plain object
        store.atomic_write_parquet(path, pd.DataFrame({"x": [object()]}))
    assert pd.read_parquet(path)["x"].tolist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_run_directory_writes_summary_last(tmp_path, result, monkeypatch):
    order = []
    for name in ("atomic_write_text", "atomic_write_parquet"):
        original = getattr(store, name)
        monkeypatch.setattr(store, name, lambda path, data, _f=original: (order.append(path.name), _f(path, data)))
    store.write_run(tmp_path, SC, result)
    assert order[-1] == "summary.json"
    assert set(order) == {"scenario.toml", "runs.parquet", "timeseries.parquet", "summary.json"}
    assert store.read_summary(tmp_path) == json.loads(json.dumps(result.summary))


def test_cell_is_complete_only_once_written(tmp_path, result):
    cell = tmp_path / "cells" / "demand_scale=1.0__policy=firefight_first"
    assert not store.cell_complete(cell)
    store.write_cell(cell, SC, result, verdicts())
    assert store.cell_complete(cell)
    summary, runs, busy = store.read_cell(cell)
    assert summary["replications"] == 2
    pd.testing.assert_frame_equal(runs, result.runs)
    pd.testing.assert_frame_equal(busy, verdicts())
    assert itsim.loads_scenario((cell / "scenario.toml").read_text()) == SC


def test_failed_cell_keeps_its_error_until_it_is_written(tmp_path, result):
    cell = tmp_path / "c"
    store.write_cell_error(cell, "replication 1:\nRuntimeError: boom")
    assert (cell / "error.txt").read_text() == "replication 1:\nRuntimeError: boom\n"
    assert not store.cell_complete(cell)
    (cell / ".runs.parquet.x1.tmp").write_bytes(b"half a file")  # left by a killed attempt
    store.write_cell(cell, SC, result, verdicts())
    assert store.cell_complete(cell)
    assert sorted(p.name for p in cell.iterdir()) == [
        "runs.parquet", "scenario.toml", "summary.json", "timeseries.parquet", "verdicts.parquet",
    ]
