"""A stoppable service loop for the long-running processes (watcher, poller)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)


class ServiceLoop:
    """Calls ``step`` every ``interval`` seconds until SIGTERM/SIGINT (``interval`` 0: the step itself waits,
    e.g. on inotify). A failing step is logged, not fatal; the next try comes after at least ``retry_delay``
    seconds, so that a database that is down does not make the loop spin."""

    def __init__(self, name: str, interval: float, retry_delay: float = 5.0) -> None:
        self.name = name
        self.interval = interval
        self.retry_delay = retry_delay
        self._stop = threading.Event()

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self._stop.set()

    def run(self, step: Callable[[], None], max_iterations: int | None = None) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        iterations = 0
        log.info("%s started%s", self.name, f" (every {self.interval:.1f} s)" if self.interval > 0 else "")
        while not self._stop.is_set():
            wait = self.interval
            try:
                step()
            except Exception:
                wait = max(self.interval, self.retry_delay)
                log.exception("%s: step failed; retrying in %.1f s", self.name, wait)
            iterations += 1
            if max_iterations is not None and iterations >= max_iterations:
                break
            self._stop.wait(wait)
        log.info("%s stopped", self.name)
        return iterations
