"""Executors: local processes and a Dask cluster give the same results as one process."""

import gc
import json
import math
import weakref

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import itsim
from itsim import cli
from itsim.executors import MAX_BATCH, DaskExecutor, LocalExecutor, guided_batches
from itsim.sweep import sweep
from tests.test_scenario import MINIMAL

SC = itsim.loads_scenario(MINIMAL)
GRID = {"demand_scale": [0.8, 1.0], "team.desk.count": [5, 6]}


def test_local_executor_runs_every_task_once():
    tasks = [(x,) for x in range(7)]
    for workers in (1, 3):
        got = dict(LocalExecutor(workers).run(math.sqrt, tasks))
        assert got == {i: math.sqrt(i) for i in range(7)}


class _Result:
    """A task result that can be watched with a weak reference."""

    def __init__(self, value: int):
        self.value = value


def test_local_executor_lets_go_of_results_it_has_handed_over():
    handed: list[weakref.ref] = []
    for _, result in LocalExecutor(2).run(_Result, [(x,) for x in range(6)]):
        handed.append(weakref.ref(result))
        del result
        gc.collect()
        assert [r() for r in handed[:-1]] == [None] * (len(handed) - 1)
    assert len(handed) == 6


def test_local_executor_refuses_no_workers():
    with pytest.raises(ValueError):
        LocalExecutor(0)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def local_sweep():
    return sweep(SC, GRID, replications=2, workers=2)


def test_dask_executor_runs_every_task_once(cluster):
    from dask.distributed import Client

    with Client(cluster) as client:
        got = dict(DaskExecutor(client=client).run(math.sqrt, [(x,) for x in range(5)]))
    assert got == {i: math.sqrt(i) for i in range(5)}


def _lookup(table: dict, key: str, factor: int) -> int:
    return table[key] * factor


def test_dask_executor_gives_each_task_its_own_arguments(cluster):
    from dask.distributed import Client

    table = {"a": 1, "b": 2}
    tasks = [(table, key, factor) for key in table for factor in range(30)]
    with Client(cluster) as client:
        got = dict(DaskExecutor(client=client).run(_lookup, tasks))
    assert got == {i: _lookup(*args) for i, args in enumerate(tasks)}


def _call(f, x: int) -> int:
    return f(x)


def test_dask_executor_takes_arguments_plain_pickle_cannot(cluster):
    from dask.distributed import Client

    with Client(cluster) as client:
        got = dict(DaskExecutor(client=client).run(_call, [(lambda x: x * x, x) for x in range(4)]))
    assert got == {i: i * i for i in range(4)}


@given(tasks=st.integers(0, 5000), workers=st.integers(0, 64))
def test_guided_batches_cover_every_task_once_largest_first(tasks, workers):
    batches = guided_batches(tasks, workers)
    assert [i for batch in batches for i in batch] == list(range(tasks))
    sizes = [len(batch) for batch in batches]
    assert all(1 <= n <= MAX_BATCH for n in sizes)
    assert sizes == sorted(sizes, reverse=True)
    if workers == 0:
        assert set(sizes) <= {1}
    else:
        # the last 2 x workers tasks are single, so no worker waits on a big batch at the end
        assert sizes[-min(tasks, 2 * workers):] == [1] * min(tasks, 2 * workers)


def test_sweep_on_dask_equals_local_processes(cluster, local_sweep):
    executor = DaskExecutor(cluster.scheduler_address)
    try:
        on_dask = sweep(SC, GRID, replications=2, executor=executor)
    finally:
        executor.close()
    pd.testing.assert_frame_equal(on_dask.table, local_sweep.table)
    assert on_dask.too_busy_point() == local_sweep.too_busy_point()


def test_command_line_dask_executor(cluster, local_sweep, tmp_path, monkeypatch, capsys):
    scenario = tmp_path / "mm5.toml"
    scenario.write_text(MINIMAL)
    out = tmp_path / "out"
    monkeypatch.setattr(cli, "_write_sweep_report", lambda out, images: None)  # the report has its own tests
    monkeypatch.setattr("sys.argv", [
        "itsim", "sweep", str(scenario), "--vary", "demand_scale=0.8,1", "--vary", "team.desk.count=5,6",
        "--replications", "2", "--executor", "dask", "--address", cluster.scheduler_address, "--out", str(out),
    ])
    cli.main()
    assert "4 computed, 0 already done" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), local_sweep.table)
    assert json.loads((out / "sweep.json").read_text())["failed"] == 0


def test_unreachable_scheduler_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(DaskExecutor, "connect_timeout_s", 1.0)
    scenario = tmp_path / "mm5.toml"
    scenario.write_text(MINIMAL)
    monkeypatch.setattr("sys.argv", [
        "itsim", "sweep", str(scenario), "--vary", "demand_scale=1", "--executor", "dask",
        "--address", "tcp://127.0.0.1:1", "--out", str(tmp_path / "out"),
    ])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("--address: cannot reach a Dask scheduler at tcp://127.0.0.1:1")
    assert len(err.strip().splitlines()) == 1
