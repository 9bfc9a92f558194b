"""How many CPU cores this process may use: the default number of local workers.

``os.cpu_count()`` counts the machine's cores, which is too many wherever the
process is confined: to some cores (CPU affinity, ``taskset``, a batch scheduler)
or to a share of the machine's time (a cgroup CPU quota: containers, CI runners,
Kubernetes limits). More workers than usable cores only add memory and
switching, so the count here takes both limits into account.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), capped by its cgroup's CPU quota
    rounded up (a quota of 1.5 CPUs gives 2), and at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # no affinity on macOS and Windows
        cores = os.cpu_count() or 1
    quota = cgroup_cpu_quota()
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores)


def cgroup_cpu_quota(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> float | None:
    """The CPU time this process's cgroups allow, in CPUs (``1.5`` = one and a half cores'
    worth of time per second), or None where there is no limit or no cgroup to read.

    cgroup v2: ``cpu.max`` (``"QUOTA PERIOD"`` or ``"max PERIOD"``) of the process's own
    cgroup and of every cgroup above it, the tightest winning. cgroup v1: ``cpu.cfs_quota_us``
    over ``cpu.cfs_period_us`` of the ``cpu`` controller (-1: no limit).
    """
    limits = [q for q in (*_v2_quotas(root, proc_cgroup), _v1_quota(root)) if q is not None]
    return min(limits) if limits else None


def _v2_quotas(root: Path, proc_cgroup: Path) -> list[float | None]:
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    own = next((line[3:] for line in lines if line.startswith("0::")), "/")
    group = root / own.strip("/")
    quotas = []
    for directory in (group, *group.parents):
        quotas.append(_ratio(directory / "cpu.max"))
        if directory == root:
            break
    return quotas


def _v1_quota(root: Path) -> float | None:
    for controller in ("cpu", "cpu,cpuacct"):
        quota = _read_number(root / controller / "cpu.cfs_quota_us")
        period = _read_number(root / controller / "cpu.cfs_period_us")
        if quota is not None and period:
            return quota / period if quota > 0 else None
    return None


def _ratio(path: Path) -> float | None:
    """``QUOTA PERIOD`` in a cgroup v2 ``cpu.max`` file as CPUs; None for ``max`` or no file."""
    try:
        quota, period = path.read_text().split()[:2]
        return int(quota) / int(period) if quota != "max" and int(period) > 0 else None
    except (OSError, ValueError):
        return None


def _read_number(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None
