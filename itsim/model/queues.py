"""Waiting lines. Incidents wait first come first served within a class;
recurring work waits in order of due time. Items that leave a queue without
being served (abandonment, skipping) are marked dead and dropped when reached.
"""

from __future__ import annotations

import heapq
from collections import deque


class FifoQueue:
    """First come first served; a preempted item goes back to the front.

    An incident queue's items may interrupt work in hand whose rank lies strictly between
    ``preempts_above`` and ``preempts_below`` (see :class:`itsim.model.incidents.IncidentSource`).
    """

    __slots__ = ("items", "live", "roles", "rank", "name", "preempts_above", "preempts_below")

    def __init__(self, name: str, rank: int, roles: list):
        self.items: deque = deque()
        self.live = 0
        self.roles = roles
        self.rank = rank
        self.name = name
        self.preempts_above = rank
        self.preempts_below = rank + 1  # nothing, until the incident source says otherwise

    def push(self, item) -> None:
        self.items.append(item)
        self.live += 1

    def push_front(self, item) -> None:
        self.items.appendleft(item)
        self.live += 1

    def head_key(self) -> float:
        """Arrival time of the first live item (for ties between queues of one rank)."""
        items = self.items
        while items and not items[0].alive:
            items.popleft()
        return items[0].arrival if items else float("inf")

    def pop(self):
        items = self.items
        while items:
            item = items.popleft()
            if item.alive:
                self.live -= 1
                return item
        return None

    def discard(self, item) -> None:
        """Mark a waiting item as gone (it stays in the deque until reached)."""
        item.alive = False
        self.live -= 1

    def __iter__(self):
        return (i for i in self.items if i.alive)


class CountedFifoQueue(FifoQueue):
    """A :class:`FifoQueue` whose roles also count its live items in
    ``incidents_waiting``: a role that takes from several incident queues learns in
    one look that none has anything waiting."""

    __slots__ = ()

    def push(self, item) -> None:
        self.items.append(item)
        self.live += 1
        for role in self.roles:
            role.incidents_waiting += 1

    def push_front(self, item) -> None:
        self.items.appendleft(item)
        self.live += 1
        for role in self.roles:
            role.incidents_waiting += 1

    def pop(self):
        item = FifoQueue.pop(self)
        if item is not None:
            for role in self.roles:
                role.incidents_waiting -= 1
        return item

    def discard(self, item) -> None:
        FifoQueue.discard(self, item)
        for role in self.roles:
            role.incidents_waiting -= 1


class DueQueue(FifoQueue):
    """Earliest due first (ties: release order). Every role served keeps the count of
    live items across its due queues in ``recurring_waiting``, so that a free person
    learns in one look that no recurring work waits."""

    __slots__ = ("seq",)

    def __init__(self, name: str, rank: int, roles: list):
        super().__init__(name, rank, roles)
        self.items: list = []
        self.seq = 0

    def push(self, item) -> None:
        self.seq += 1
        heapq.heappush(self.items, (item.due, self.seq, item))
        self.live += 1
        for role in self.roles:
            role.recurring_waiting += 1

    push_front = push

    def head_key(self) -> float:
        items = self.items
        while items and not items[0][2].alive:
            heapq.heappop(items)
        return items[0][0] if items else float("inf")

    def pop(self):
        items = self.items
        while items:
            item = heapq.heappop(items)[2]
            if item.alive:
                self.live -= 1
                for role in self.roles:
                    role.recurring_waiting -= 1
                return item
        return None

    def discard(self, item) -> None:
        super().discard(item)
        for role in self.roles:
            role.recurring_waiting -= 1

    def __iter__(self):
        return (entry[2] for entry in self.items if entry[2].alive)
