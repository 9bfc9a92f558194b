"""Usable cores: CPU affinity capped by a cgroup CPU quota (the default number of workers)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from itsim import cores
from itsim.cores import cgroup_cpu_quota, usable_cores
from itsim.executors import LocalExecutor


def cgroup_v2(root: Path, own: str, limits: dict[str, str]) -> Path:
    """A fake cgroup v2 tree under ``root`` with ``cpu.max`` files, and the process's /proc/self/cgroup."""
    for group, text in limits.items():
        directory = root / group.strip("/")
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "cpu.max").write_text(text + "\n")
    proc = root.parent / "cgroup"
    proc.write_text(f"0::{own}\n")
    return proc


def test_no_cgroup_files_means_no_limit(tmp_path):
    assert cgroup_cpu_quota(tmp_path / "none", tmp_path / "missing") is None


def test_v2_quota_of_the_process_own_cgroup(tmp_path):
    root = tmp_path / "fs"
    proc = cgroup_v2(root, "/ci/job", {"ci/job": "150000 100000"})
    assert cgroup_cpu_quota(root, proc) == pytest.approx(1.5)


def test_v2_unlimited_group_under_a_limited_parent_takes_the_parent_limit(tmp_path):
    root = tmp_path / "fs"
    proc = cgroup_v2(root, "/kubepods/pod/container", {
        "kubepods/pod/container": "max 100000", "kubepods/pod": "300000 100000", "kubepods": "800000 100000"})
    assert cgroup_cpu_quota(root, proc) == pytest.approx(3.0)


def test_v2_max_everywhere_is_no_limit(tmp_path):
    root = tmp_path / "fs"
    proc = cgroup_v2(root, "/", {"": "max 100000"})
    assert cgroup_cpu_quota(root, proc) is None


def test_v1_cfs_quota(tmp_path):
    cpu = tmp_path / "cpu,cpuacct"
    cpu.mkdir()
    (cpu / "cpu.cfs_quota_us").write_text("200000\n")
    (cpu / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_cpu_quota(tmp_path, tmp_path / "missing") == pytest.approx(2.0)
    (cpu / "cpu.cfs_quota_us").write_text("-1\n")
    assert cgroup_cpu_quota(tmp_path, tmp_path / "missing") is None


def test_usable_cores_rounds_a_quota_up_and_never_exceeds_the_affinity(monkeypatch):
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    monkeypatch.setattr(cores, "cgroup_cpu_quota", lambda: 0.5)
    assert usable_cores() == 1
    monkeypatch.setattr(cores, "cgroup_cpu_quota", lambda: 1000.0)
    assert usable_cores() == affinity
    monkeypatch.setattr(cores, "cgroup_cpu_quota", lambda: None)
    assert usable_cores() == affinity


def test_usable_cores_follows_the_cpu_affinity(monkeypatch):
    monkeypatch.setattr(cores.os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    monkeypatch.setattr(cores, "cgroup_cpu_quota", lambda: None)
    assert usable_cores() == 3
    monkeypatch.setattr(cores, "cgroup_cpu_quota", lambda: 1.2)
    assert usable_cores() == 2


def test_local_executor_without_a_count_uses_the_usable_cores(monkeypatch):
    monkeypatch.setattr(cores, "usable_cores", lambda: 3)
    assert LocalExecutor(None).workers == 3
    assert LocalExecutor().workers == 1
