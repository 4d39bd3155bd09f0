"""The API's audit trail: one ``resourcelog`` row per request, the web UI's error reports (``uiexception``), and
who was active when (``ella-cli users activity``).

Requests must not wait for their audit row: :class:`ResourceLogWriter` takes a :class:`RequestRecord` in O(1)
(a bounded in-memory queue) and a background thread of each process writes the rows in batches, one INSERT
per batch, at most ``interval`` seconds after the request. Payloads are redacted (every value under a key
that names a password, secret or token) in that thread too. The price: rows of the last ``interval`` seconds
are lost if the process is killed (a normal stop flushes them), and when the database is unreachable for
longer than the queue lasts, rows are dropped and the drop is logged.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import os
import queue
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ella_app.db.models import ResourceLog, UiException, User, UserGroup, UserSession
from ella_app.db.session import get_engine

log = logging.getLogger(__name__)

MAX_PAYLOAD = 100_000  # characters of a body kept in the log
REDACTED = "[redacted]"
TOO_DEEP = "[JSON nested too deeply, not kept]"
_SECRET_KEY = re.compile(r"pass(word)?|secret|token", re.IGNORECASE)
# Bodies of these paths are never stored as text unless they parse as JSON (and are redacted).
_CREDENTIAL_PATHS = re.compile(r"/users/actions/(login|changepassword)/?$")


@dataclass(frozen=True)
class RequestRecord:
    """What the API knows of a finished request (the payload still raw: it is redacted off the request)."""

    time: dt.datetime
    remote_addr: str | None
    user_id: int | None
    usersession_id: int | None
    method: str
    resource: str
    query: str
    statuscode: int
    duration: float  # milliseconds
    response_size: int | None
    payload: bytes | None
    payload_size: int | None


def redact(data: Any) -> Any:
    """``data`` with the value of every key that names a password, secret or token replaced."""
    if isinstance(data, dict):
        return {k: REDACTED if _SECRET_KEY.search(str(k)) else redact(v) for k, v in data.items()}
    if isinstance(data, list):
        return [redact(v) for v in data]
    return data


def payload_text(resource: str, payload: bytes | None) -> str | None:
    """The body as stored: JSON redacted and re-serialised, other text as is (cut at MAX_PAYLOAD); bodies of
    the credential routes that are not JSON are not stored at all."""
    if payload is None or payload == b"":
        return None
    text = payload.decode("utf-8", "replace")
    try:
        stored = json.dumps(redact(json.loads(text)), ensure_ascii=False)
    except RecursionError:
        # nested deeper than Python recurses (the input guard refuses such a body with a 422): the row is kept,
        # the body is not, since it could not be searched for secrets to redact
        return TOO_DEEP
    except ValueError:
        if _CREDENTIAL_PATHS.search(resource):
            return REDACTED
        stored = text
    stored = stored.replace("\x00", "\\u0000")
    return stored if len(stored) <= MAX_PAYLOAD else stored[:MAX_PAYLOAD] + f"… [{len(stored)} characters]"


_COLUMNS = (
    "time",
    "remote_addr",
    "user_id",
    "usersession_id",
    "method",
    "resource",
    "query",
    "statuscode",
    "duration",
    "response_size",
    "payload",
    "payload_size",
)


def _clean(value: str | None) -> str | None:
    return value.replace("\x00", "\\u0000")[:2000] if value is not None else None


def _row(record: RequestRecord) -> tuple[Any, ...]:
    return (
        record.time,
        _clean(record.remote_addr),
        record.user_id,
        record.usersession_id,
        record.method,
        _clean(record.resource),
        _clean(record.query),
        record.statuscode,
        record.duration,
        record.response_size,
        payload_text(record.resource, record.payload),
        record.payload_size,
    )


def write(session: Session, records: Sequence[RequestRecord]) -> None:
    """Insert the rows of ``records`` in one statement (psycopg2's execute_values: the writer thread shares the
    interpreter with the requests, so it should spend little CPU per row)."""
    if not records:
        return
    rows = [_row(r) for r in records]
    statement = f"INSERT INTO resourcelog ({', '.join(_COLUMNS)}) VALUES %s"
    dbapi = session.connection().connection.dbapi_connection
    try:
        from psycopg2.extras import execute_values
    except ImportError:  # another driver: one INSERT per row, still off the request
        session.execute(insert(ResourceLog), [dict(zip(_COLUMNS, row, strict=True)) for row in rows])
        return
    with dbapi.cursor() as cursor:  # type: ignore[union-attr]
        execute_values(cursor, statement, rows, page_size=1000)


class ResourceLogWriter:
    """Collects request records and writes them in batches from a background thread (one per process)."""

    def __init__(self, db_url: str, *, interval: float = 0.5, batch_size: int = 500, capacity: int = 20_000) -> None:
        self.db_url = db_url
        self.interval = interval
        self.batch_size = batch_size
        self._queue: queue.Queue[RequestRecord] = queue.Queue(maxsize=capacity)
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self.written = 0
        self.dropped = 0
        self.cpu_seconds = 0.0  # CPU time the writer thread spent writing (for the overhead benchmark)
        self._last_drop_warning = 0.0

    def submit(self, record: RequestRecord) -> None:
        """Queue a record; never blocks. When the queue is full (database down for long), drop it."""
        self._ensure_thread()
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1
            if time.monotonic() - self._last_drop_warning > 60:
                self._last_drop_warning = time.monotonic()
                log.error("resourcelog queue full: %d request rows dropped so far", self.dropped)

    def flush(self, timeout: float = 30) -> bool:
        """Wait until every queued record is written (or given up); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _ensure_thread(self) -> None:
        # a thread does not survive fork(): start one in each (gunicorn worker) process
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            if self._pid != os.getpid():
                self._queue = queue.Queue(maxsize=self._queue.maxsize)
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="resourcelog-writer", daemon=True)
            self._thread.start()
            atexit.register(self.flush, 5)

    def _take_batch(self) -> list[RequestRecord]:
        first = self._queue.get()
        batch = [first]
        deadline = time.monotonic() + self.interval
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        engine = get_engine(self.db_url)
        while True:
            batch = self._take_batch()
            started = time.thread_time()
            try:
                for attempt in range(3):
                    try:
                        with Session(engine) as session, session.begin():
                            write(session, batch)
                        self.written += len(batch)
                        break
                    except Exception:  # the database may be restarting: never let the thread die
                        if attempt == 2:
                            self.dropped += len(batch)
                            log.exception("resourcelog: %d request rows could not be written", len(batch))
                        else:
                            time.sleep(1 + attempt)
            finally:
                self.cpu_seconds += time.thread_time() - started
                for _ in batch:
                    self._queue.task_done()


# ------------------------------------------------------------------------------------------ web UI errors


def record_ui_exception(
    session: Session,
    *,
    user_id: int | None,
    usersession_id: int | None,
    message: str,
    location: str | None,
    stacktrace: str | None,
    state: dict[str, Any] | None,
) -> int:
    row = UiException(
        user_id=user_id,
        usersession_id=usersession_id,
        message=message,
        location=location,
        stacktrace=stacktrace,
        state=state,
    )
    session.add(row)
    session.flush()
    return row.id


# ------------------------------------------------------------------------------------------ activity


def user_activity(session: Session, days: int = 30, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every user with their last activity (sessions), last login, and API requests in the last ``days`` days
    (from resourcelog), the most recently active first (ELLA's ``users activity``, with request counts)."""
    now = now or dt.datetime.now(dt.UTC)
    sessions = (
        select(
            UserSession.user_id,
            func.max(UserSession.lastactivity).label("last_activity"),
            func.max(UserSession.issued).label("last_login"),
        )
        .group_by(UserSession.user_id)
        .subquery()
    )
    requests = (
        select(
            ResourceLog.user_id,
            func.count().label("requests"),
            func.max(ResourceLog.time).label("last_request"),
        )
        .where(ResourceLog.time >= now - dt.timedelta(days=days), ResourceLog.user_id.is_not(None))
        .group_by(ResourceLog.user_id)
        .subquery()
    )
    query = (
        select(User, UserGroup.name, sessions, requests.c.requests, requests.c.last_request)
        .join(UserGroup, User.group_id == UserGroup.id)
        .outerjoin(sessions, sessions.c.user_id == User.id)
        .outerjoin(requests, requests.c.user_id == User.id)
        .order_by(sessions.c.last_activity.desc().nulls_last(), User.username)
    )
    rows = []
    for row in session.execute(query):
        user = row[0]
        rows.append(
            {
                "id": user.id,
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "group": row.name,
                "active": user.active,
                "last_activity": _iso(row.last_activity),
                "last_login": _iso(row.last_login),
                "requests": int(row.requests or 0),
                "last_request": _iso(row.last_request),
            }
        )
    return rows


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
