"""Work items: small slotted objects that move through queues and people.

``remaining`` is effort in hours at productivity 1; a person with productivity
``p`` needs ``remaining / p`` on-shift hours. ``rank`` orders work for
preemption: incident classes 0..8 (P1 = 0), recurring work, then project work.
"""

from __future__ import annotations

INCIDENT, RECURRING, PROJECT = 0, 1, 2
KIND_NAMES = ("incident", "recurring", "project")
RECURRING_RANK = 100
PROJECT_RANK = 200


class WorkItem:
    """Base of every kind of work. :class:`Incident` sets these fields itself rather
    than calling this ``__init__``: it runs once per incident, where the extra call is
    a measurable share of the pure queue's time."""

    __slots__ = ("id", "kind", "rank", "queue", "remaining", "arrival", "started", "alive", "holder")

    def __init__(self, id: int, kind: int, rank: int, queue, remaining: float, arrival: float):
        self.id = id
        self.kind = kind
        self.rank = rank
        self.queue = queue
        self.remaining = remaining
        self.arrival = arrival
        self.started = -1.0
        self.alive = True
        self.holder = None


class Incident(WorkItem):
    """A ticket; ``escalation_hours`` > 0 means it goes on to the escalation role."""

    __slots__ = ("priority", "escalation_hours")

    def __init__(self, id, rank, queue, remaining, arrival, escalation_hours):
        self.id = id
        self.kind = INCIDENT
        self.rank = rank
        self.queue = queue
        self.remaining = remaining
        self.arrival = arrival
        self.started = -1.0
        self.alive = True
        self.holder = None
        self.priority = rank
        self.escalation_hours = escalation_hours


class RecurringTask(WorkItem):
    """One occurrence of a recurring maintenance task, due at ``due`` (hours)."""

    __slots__ = ("task", "due", "effort")

    def __init__(self, id, queue, remaining, arrival, task, due):
        WorkItem.__init__(self, id, RECURRING, RECURRING_RANK, queue, remaining, arrival)
        self.task = task
        self.due = due
        self.effort = remaining

    @property
    def task_index(self) -> int:
        """Its task's place in ``scenario.recurring`` (care and feeding: after the last)."""
        return self.task.index


class ProjectChunk(WorkItem):
    """A piece of at most ``chunk_hours`` of one project's work. Made with
    :class:`WorkItem`'s arguments (kind ``PROJECT``, rank ``PROJECT_RANK``); whoever
    makes it sets ``project`` and ``share``, the part of its hours that moves the
    project on (the rest is lost to juggling several projects): one call per chunk
    instead of two."""

    __slots__ = ("project", "share")
