"""What a worker process keeps in memory between requests: a bounded, least-recently-used map.

Every cache of the services is one of these, keyed so that a stale entry can never be found: by a version the
database gives (a result's ``computed_at``, a count of logged changes, an entity tag), and by the database
(:func:`database_key`: a process of the test suite talks to many). Entries beyond the bound go, oldest use first;
the bound is a total weight (entries, ids, bytes: what the cache's ``weight`` counts).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def database_key(session: Session) -> str:
    """The database a session talks to (its URL, password hidden): the first part of every cache key."""
    return str(session.get_bind().engine.url)


def _one(_value: object) -> int:
    return 1


class ProcessCache(Generic[K, V]):
    """At most ``max_weight`` in total (each value weighs ``weight(value)``, 1 by default), except that the
    value put last is always kept (alone when it outweighs the bound). Safe to share between the threads of a
    worker."""

    def __init__(self, max_weight: int, weight: Callable[[V], int] = _one) -> None:
        if max_weight < 1:
            raise ValueError("max_weight must be at least 1")
        self.max_weight = max_weight
        self._weight = weight
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V) -> None:
        weight = self._weight(value)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._total -= old[1]
            self._items[key] = (value, weight)
            self._total += weight
            while self._total > self.max_weight and len(self._items) > 1:
                _, (_, dropped) = self._items.popitem(last=False)
                self._total -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._total = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def total_weight(self) -> int:
        return self._total
