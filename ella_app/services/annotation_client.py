"""HTTP client of the annotation service (ella-anno API v1), standard library only.

``ServiceUnavailable`` means the service could not be reached (connection refused, timeout, 502/503/504):
the job waits and is retried. ``ServiceRejected`` means the service answered with an error: the job fails.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
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

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, raw: tuple[str, bytes] | None = None
    ) -> bytes:
        url = self.base_url.rstrip("/") + path
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if raw is not None:
            headers = {"Content-Type": raw[0]}
            data = raw[1]
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc.read()[:2000])
            if exc.code in _DOWN_STATUSES:
                raise ServiceUnavailable(f"{method} {url}: HTTP {exc.code}") from None
            # the service's own words first (the IMPORT page shows them), then where they came from
            where = f"(annotation service, HTTP {exc.code} on {method} {path.split('?')[0]})"
            raise ServiceRejected(f"{detail} {where}" if detail else where) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceUnavailable(f"{method} {url}: {reason}") from None

    def _json(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, raw_body: tuple[str, bytes] | None = None
    ) -> dict[str, Any]:
        raw = self._request(method, path, body, raw=raw_body)
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

    def annotate_sample(self, fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> str:
        """Submit a sample of the sample repository (``POST /api/v1/samples/annotate``, multipart: the
        variables as fields, the regions BED and the preimport script's files as files); returns the task id."""
        answer = self._json("POST", "/api/v1/samples/annotate", raw_body=multipart(fields, files))
        task_id = answer.get("task_id")
        if not task_id:
            raise ServiceRejected("POST /api/v1/samples/annotate: no task_id in the answer")
        return str(task_id)

    def search_samples(self, term: str, limit: int | None) -> list[dict[str, Any]]:
        """The sample repository's samples whose name contains ``term``, sorted by name (each with ``name``)."""
        query: dict[str, str] = {"q": json.dumps({"name": term})}
        if limit:
            query["limit"] = str(limit)
        answer = self._json("GET", "/api/v1/samples/?" + urllib.parse.urlencode(query))
        found = [{**(v if isinstance(v, dict) else {}), "name": str(k)} for k, v in answer.items()]
        return sorted(found, key=lambda s: s["name"])

    def running(self) -> bool:
        """True when the service answers its health check."""
        try:
            self._request("GET", "/api/v1/status")
        except ExternalServiceError:
            return False
        return True

    def status(self, task_id: str) -> dict[str, Any]:
        return self._json("GET", f"/api/v1/status/{task_id}")

    def process(self, task_id: str) -> str:
        """The annotated VCF of a finished task."""
        return self._request("GET", f"/api/v1/process/{task_id}").decode("utf-8")


def _error_detail(raw: bytes) -> str:
    """The service's own words for an error: the ``message`` of a JSON answer, else the text."""
    text = raw.decode("utf-8", "replace").strip()
    try:
        value = json.loads(text)
    except ValueError:
        return text[:500]
    if isinstance(value, dict) and (value.get("message") or value.get("error")):
        return str(value.get("message") or value.get("error"))[:500]
    return text[:500]


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    """(content type, body) of a multipart/form-data request."""
    boundary = "ella-" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"; '
            f'filename="{_quoted(filename)}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")
