"""A stoppable service loop for the long-running processes (watcher, poller)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)


class ServiceLoop:
    """Calls ``step`` every ``interval`` seconds until SIGTERM/SIGINT; a failing step is logged, not fatal."""

    def __init__(self, name: str, interval: float) -> None:
        self.name = name
        self.interval = interval
        self._stop = threading.Event()

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self._stop.set()

    def run(self, step: Callable[[], None], max_iterations: int | None = None) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        iterations = 0
        log.info("%s started (every %.1f s)", self.name, self.interval)
        while not self._stop.is_set():
            try:
                step()
            except Exception:
                log.exception("%s: step failed; retrying in %.1f s", self.name, self.interval)
            iterations += 1
            if max_iterations is not None and iterations >= max_iterations:
                break
            self._stop.wait(self.interval)
        log.info("%s stopped", self.name)
        return iterations
