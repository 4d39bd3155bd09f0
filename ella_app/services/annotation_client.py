"""HTTP client of the annotation service (ella-anno API v1), standard library only.

``ServiceUnavailable`` means the service could not be reached (connection refused, timeout, 502/503/504):
the job waits and is retried. ``ServiceRejected`` means the service answered with an error: the job fails.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from ella_app.errors import ExternalServiceError

_DOWN_STATUSES = {502, 503, 504}


class ServiceUnavailable(ExternalServiceError):
    pass


class ServiceRejected(ExternalServiceError):
    pass


@dataclass(frozen=True)
class AnnotationClient:
    base_url: str
    timeout: float = 30.0

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> bytes:
        url = self.base_url.rstrip("/") + path
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace")
            if exc.code in _DOWN_STATUSES:
                raise ServiceUnavailable(f"{method} {url}: HTTP {exc.code}") from None
            raise ServiceRejected(f"{method} {url}: HTTP {exc.code} {detail}".strip()) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceUnavailable(f"{method} {url}: {reason}") from None

    def _json(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        raw = self._request(method, path, body)
        try:
            value = json.loads(raw)
        except ValueError:
            raise ServiceRejected(f"{method} {path}: the answer is not JSON") from None
        if not isinstance(value, dict):
            raise ServiceRejected(f"{method} {path}: the answer is not a JSON object")
        return value

    def health(self) -> dict[str, Any]:
        return self._json("GET", "/api/v1/status")

    def annotate(self, data: str) -> str:
        """Submit pasted variants (VCF lines or 'chrom pos ref alt'); returns the task id."""
        answer = self._json("POST", "/api/v1/annotate", {"input": data})
        task_id = answer.get("task_id")
        if not task_id:
            raise ServiceRejected("POST /api/v1/annotate: no task_id in the answer")
        return str(task_id)

    def status(self, task_id: str) -> dict[str, Any]:
        return self._json("GET", f"/api/v1/status/{task_id}")

    def process(self, task_id: str) -> str:
        """The annotated VCF of a finished task."""
        return self._request("GET", f"/api/v1/process/{task_id}").decode("utf-8")
