"""The service loop of the watcher and the poller: steps until stopped, survives failing steps without
spinning (a failing step waits at least retry_delay, even when the loop's own interval is 0)."""

from __future__ import annotations

import itertools
import logging
import time

import pytest

from ella_app.services.loop import ServiceLoop


def test_a_failing_step_is_retried_after_the_retry_delay_not_at_once(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[float] = []

    def step() -> None:
        calls.append(time.monotonic())
        raise RuntimeError("database is down")

    loop = ServiceLoop("watcher", 0, retry_delay=0.2)
    with caplog.at_level(logging.INFO, logger="ella_app.services.loop"):
        assert loop.run(step, max_iterations=3) == 3
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert len(gaps) == 2 and min(gaps) >= 0.19, gaps
    assert "watcher started" in caplog.text and "every" not in caplog.text.splitlines()[0]
    assert caplog.text.count("step failed; retrying in 0.2 s") == 3
    assert "database is down" in caplog.text


def test_steps_repeat_at_the_interval_until_stopped() -> None:
    calls: list[int] = []
    loop = ServiceLoop("poller", 0.01)

    def step() -> None:
        calls.append(1)
        if len(calls) == 5:
            loop.stop()  # as the SIGTERM handler does

    assert loop.run(step, max_iterations=50) == 5
