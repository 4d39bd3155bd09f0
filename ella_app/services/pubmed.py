"""Fetch references from NCBI E-utilities (efetch, db=pubmed, XML) and save them as a references file.

The base URL comes from the caller (``--base-url``), else ``$ELLA_PUBMED_URL``, else NCBI. Ids go in
batches of 200 (NCBI's advice for GET); at most three requests a second (ten with ``$NCBI_API_KEY``).
Connection errors, timeouts, HTTP 429/5xx and unreadable answers are retried with exponential backoff;
when the retries are used up the caller gets an ExternalServiceError that says what failed and where.
"""

from __future__ import annotations

import filecmp
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ella_app import __version__
from ella_app.errors import ExternalServiceError, InputError
from ella_app.formats.pubmed import parse_article_set
from ella_app.formats.references import write_references
from ella_app.services.results import ProgressFn, no_progress

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
BASE_URL_ENV = "ELLA_PUBMED_URL"
API_KEY_ENV = "NCBI_API_KEY"
BATCH_SIZE = 200


class _Retryable(Exception):
    """One attempt failed in a way that may succeed later."""


def resolve_base_url(base_url: str | None = None) -> str:
    url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    url = url.rstrip("/")
    if url.endswith("/efetch.fcgi"):
        url = url[: -len("/efetch.fcgi")]
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise InputError(f"not an http(s) URL: {url}", key="base-url")
    return url


@dataclass
class FetchResult:
    references: list[dict[str, Any]] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    requests: int = 0


class PubMedClient:
    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        batch_size: int = BATCH_SIZE,
        api_key: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.batch_size = batch_size
        self.api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
        self.min_interval = 0.1 if self.api_key else 0.34
        self._sleep = sleep
        self._last_request = 0.0
        self.requests = 0

    def efetch_url(self, pmids: Sequence[int]) -> str:
        params = {"db": "pubmed", "id": ",".join(map(str, pmids)), "retmode": "xml", "tool": "ella-cli"}
        if self.api_key:
            params["api_key"] = self.api_key
        return f"{self.base_url}/efetch.fcgi?{urllib.parse.urlencode(params, safe=',')}"

    def _throttle(self) -> None:
        wait = self._last_request + self.min_interval - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last_request = time.monotonic()

    def _attempt(self, url: str) -> tuple[list[dict[str, Any]], float]:
        """One request; returns (references, suggested wait). Raises _Retryable or ExternalServiceError."""
        self._throttle()
        self.requests += 1
        request = urllib.request.Request(url, headers={"User-Agent": f"ella-cli/{__version__}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                retry_after = exc.headers.get("Retry-After", "") if exc.headers else ""
                wait = float(retry_after) if retry_after.isdigit() else 0.0
                raise _Retryable(f"HTTP {exc.code} {exc.reason}", wait) from None
            raise ExternalServiceError(
                f"PubMed efetch at {self.base_url} refused the request: HTTP {exc.code} {exc.reason}"
            ) from None
        except urllib.error.URLError as exc:
            raise _Retryable(f"cannot connect: {exc.reason}") from None
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise _Retryable(f"connection failed: {exc}") from None
        try:
            return parse_article_set(body, source="efetch answer"), 0.0
        except InputError as exc:
            raise _Retryable(f"unreadable answer ({exc.message})") from None

    def efetch(self, pmids: Sequence[int]) -> list[dict[str, Any]]:
        """Fetch one batch, retrying transient failures with exponential backoff."""
        url = self.efetch_url(pmids)
        attempts = self.retries + 1
        for attempt in range(attempts):
            try:
                return self._attempt(url)[0]
            except _Retryable as exc:
                reason = str(exc.args[0])
                if attempt + 1 == attempts:
                    raise ExternalServiceError(
                        f"PubMed efetch at {self.base_url} failed after {attempts} attempt(s): {reason}. "
                        f"Check --base-url / ${BASE_URL_ENV} and the network (proxy, firewall)."
                    ) from None
                suggested = exc.args[1] if len(exc.args) > 1 else 0.0
                self._sleep(min(60.0, max(suggested, self.backoff * 2**attempt)))
        raise AssertionError("unreachable")

    def fetch(self, pmids: Sequence[int], progress: ProgressFn = no_progress) -> FetchResult:
        result = FetchResult()
        found: set[int] = set()
        for start in range(0, len(pmids), self.batch_size):
            batch = pmids[start : start + self.batch_size]
            for reference in self.efetch(batch):
                if reference["pubmed_id"] not in found:
                    found.add(reference["pubmed_id"])
                    result.references.append(reference)
            progress("PubMed", min(start + self.batch_size, len(pmids)), len(pmids))
        result.missing = [pmid for pmid in pmids if pmid not in found]
        result.requests = self.requests
        return result


def save_references(path: str | Path, references: Sequence[dict[str, Any]]) -> bool:
    """Write a references file atomically (a temporary file in the same folder, then a rename).

    Returns False when the file already held exactly these references (it is then left untouched).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            write_references(references, out)
        if path.is_file() and filecmp.cmp(tmp, path, shallow=False):
            Path(tmp).unlink()
            return False
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
