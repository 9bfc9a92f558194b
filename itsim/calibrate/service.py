"""Shares and targets of the service: priority mix, escalation, SLA targets, impatience.

- Priority mix: the share of each class among tickets with a priority, with
  Wilson 95% intervals.
- Escalation: the share of tickets reassigned at least once.
- SLA targets: where the export says whether each ticket met its SLA
  (``made_sla``) but not the target, the target of each class is the
  resolution time (working hours) that best separates met from missed (the
  middle of the range of equally good cuts); it is written only when it agrees
  with :data:`MIN_AGREEMENT` of the tickets.
- Impatience: tickets cancelled before anyone started on them left the queue.
  With exponential patience the maximum-likelihood mean patience is the total
  time tickets spent waiting (until started, or until cancelled) divided by the
  number cancelled while waiting (wall-clock hours, as itsim's patience clock runs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from itsim.stats import wilson_interval

MIN_AGREEMENT = 0.9
MIN_SLA_TICKETS = 20
MIN_ABANDONED = 5


@dataclass(frozen=True)
class PriorityMix:
    """Tickets per priority class (1 = P1) among ``n`` with a known priority."""

    counts: dict[int, int]
    n: int
    unknown: int

    @property
    def shares(self) -> dict[str, float]:
        """``{"P1": share, ...}`` rounded to four decimals, summing to exactly 1."""
        raw = {f"P{k}": round(c / self.n, 4) for k, c in sorted(self.counts.items())}
        top = max(raw, key=raw.get)
        raw[top] = round(raw[top] + 1 - sum(raw.values()), 4)
        return raw

    def interval(self, k: int) -> tuple[float, float]:
        return wilson_interval(self.counts[k], self.n)


def priority_mix(classes: np.ndarray) -> PriorityMix | None:
    """The mix of classes (0 = unknown); None when no ticket has a priority."""
    known = classes[classes > 0]
    if len(known) == 0:
        return None
    values, counts = np.unique(known, return_counts=True)
    return PriorityMix({int(v): int(c) for v, c in zip(values, counts, strict=True)}, len(known),
                       int((classes == 0).sum()))


@dataclass(frozen=True)
class Escalation:
    """Tickets reassigned at least once, among ``n`` with a reassignment count."""

    escalated: int
    n: int

    @property
    def share(self) -> float:
        return self.escalated / self.n

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.escalated, self.n)


def escalation(reassignments: np.ndarray) -> Escalation | None:
    known = reassignments[~np.isnan(reassignments)]
    if len(known) == 0:
        return None
    return Escalation(int((known > 0).sum()), len(known))


@dataclass(frozen=True)
class SlaTarget:
    """The inferred target of one class (working hours) and how well it explains ``made_sla``."""

    hours: float
    agreement: float
    n: int
    met: int
    between: tuple[float, float]
    """Every cut in this range of working hours agrees as well; ``hours`` is its middle."""


def sla_targets(resolution: np.ndarray, made: np.ndarray, classes: np.ndarray) -> tuple[
        dict[int, SlaTarget], dict[int, str]]:
    """``(targets written, reasons for classes without one)``, per class (1 = P1; 0 when the
    export has no priorities). ``resolution`` in working hours, ``made`` 1/0/NaN."""
    targets: dict[int, SlaTarget] = {}
    skipped: dict[int, str] = {}
    known = ~np.isnan(made) & ~np.isnan(resolution)
    for k in np.unique(classes[known]):
        mine = known & (classes == k)
        r, m = resolution[mine], made[mine] > 0.5
        n = len(r)
        if n < MIN_SLA_TICKETS:
            skipped[int(k)] = f"only {n} resolved tickets say whether they met their SLA"
            continue
        if m.all() or not m.any():
            skipped[int(k)] = (f"all {n} met their SLA: the target is at least the longest resolution, "
                               f"{r.max():.3g} working hours" if m.all() else f"none of {n} met their SLA")
            continue
        order = np.argsort(r, kind="stable")
        r, m = r[order], m[order]
        errors = np.cumsum(~m) + (m.sum() - np.cumsum(m))  # missed at or below, met above each cut
        best = int(np.argmin(errors))
        agreement = 1 - errors[best] / n
        between = (float(r[best]), float(r[best + 1]) if best + 1 < n else float(r[best]))
        target = _round_target(sum(between) / 2)
        if agreement < MIN_AGREEMENT:
            skipped[int(k)] = (f"made_sla does not follow resolution time (the best cut, {target:g} working "
                               f"hours, agrees with {agreement:.0%} of {n}): the export's SLA clock differs")
            continue
        targets[int(k)] = SlaTarget(target, float(agreement), n, int(m.sum()), between)
    return targets, skipped


def _round_target(hours: float) -> float:
    """Two significant digits, never 0."""
    if hours <= 0:
        return 0.1
    return max(0.1, float(f"{hours:.2g}"))


@dataclass(frozen=True)
class Patience:
    """Exponential patience fitted from tickets cancelled while waiting (wall hours)."""

    abandoned: int
    n: int
    exposure_hours: float

    @property
    def mean(self) -> float:
        return self.exposure_hours / self.abandoned

    @property
    def interval(self) -> tuple[float, float]:
        k = self.abandoned
        return (2 * self.exposure_hours / stats.chi2.ppf(0.975, 2 * k),
                2 * self.exposure_hours / stats.chi2.ppf(0.025, 2 * k))

    @property
    def share(self) -> float:
        return self.abandoned / self.n


def patience(waits: np.ndarray, abandoned: np.ndarray) -> Patience | None:
    """``waits``: wall hours each ticket waited (until started, or until cancelled while
    waiting; NaN where unknown), ``abandoned``: cancelled while waiting. None when fewer than
    :data:`MIN_ABANDONED` were."""
    ok = ~np.isnan(waits)
    k = int((abandoned & ok).sum())
    if k < MIN_ABANDONED:
        return None
    return Patience(k, int(ok.sum()), float(np.clip(waits[ok], 0, None).sum()))
