"""The per-process cache every service cache uses (services/process_cache.py): least recently used goes first,
the bound is a total weight, the value put last is always kept."""

from __future__ import annotations

import pytest

from ella_app.services.process_cache import ProcessCache


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: ProcessCache[str, int] = ProcessCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2 and cache.total_weight == 2


def test_the_bound_is_a_total_weight_and_replacing_a_key_counts_once() -> None:
    cache: ProcessCache[str, bytes] = ProcessCache(10, weight=len)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    cache.put("a", b"12345")  # replaced: 5 + 4, not 4 + 4 + 5
    assert cache.total_weight == 9 and cache.get("b") == b"1234"
    cache.put("c", b"123")  # 12 > 10: the least recently used (a, put before b was read) goes
    assert cache.get("a") is None and cache.total_weight == 7


def test_a_value_heavier_than_the_bound_is_kept_alone() -> None:
    cache: ProcessCache[str, bytes] = ProcessCache(4, weight=len)
    cache.put("small", b"12")
    cache.put("big", b"123456789")
    assert cache.get("small") is None and cache.get("big") == b"123456789" and len(cache) == 1
    cache.put("small", b"12")
    assert cache.get("big") is None and cache.total_weight == 2


def test_clear_and_a_bound_below_one() -> None:
    cache: ProcessCache[str, int] = ProcessCache(3)
    cache.put("a", 1)
    cache.clear()
    assert cache.get("a") is None and len(cache) == 0 and cache.total_weight == 0
    with pytest.raises(ValueError, match="at least 1"):
        ProcessCache(0)
