"""Every API request ends as a ``resourcelog`` row (ELLA's request audit): who, method, path, query, status,
duration, and the body of POST/PUT/PATCH/DELETE with passwords redacted. The rows are written in batches by a
background thread (``services.resourcelog.ResourceLogWriter``), so a request only queues its record.

``RESOURCELOG = False`` in the app config switches it off (the overhead benchmark compares both).
"""

from __future__ import annotations

import datetime as dt
import time

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from ella_app.api.auth import UNSAFE_METHODS
from ella_app.services.resourcelog import RequestRecord, ResourceLogWriter

MAX_READ = 1_000_000  # bodies larger than this are not read into memory for the log (only their size is kept)
EXTENSION = "ella_resourcelog"


def writer(app: Flask | None = None) -> ResourceLogWriter:
    """The app's writer (tests call ``writer(app).flush()`` before reading the table)."""
    found: ResourceLogWriter = (app or current_app).extensions[EXTENSION]
    return found


def _start() -> None:
    g.request_started = time.perf_counter()


def _record(response: Response) -> Response:
    req, store = request._get_current_object(), g._get_current_object()  # type: ignore[attr-defined]
    started = store.get("request_started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    payload = None
    size = req.content_length
    if req.method in UNSAFE_METHODS:
        limit = min(MAX_READ, req.max_content_length or MAX_READ)  # a route may lower the request limit
        try:
            if size is None or size <= limit:
                payload = req.get_data(cache=True)
                size = len(payload)
            else:
                payload = f"[{size} bytes not logged]".encode()
        except RequestEntityTooLarge:  # a body without Content-Length that went over the route's limit
            payload = b"[over the request size limit, not logged]"
    user = store.get("user")
    user_session = store.get("user_session")
    writer().submit(
        RequestRecord(
            time=dt.datetime.now(dt.UTC),
            remote_addr=req.remote_addr,
            user_id=user.id if user is not None else None,
            usersession_id=user_session.id if user_session is not None else None,
            method=req.method,
            resource=req.path,
            query=req.query_string.decode("latin-1"),
            statuscode=response.status_code,
            duration=round(duration, 3),
            response_size=response.content_length,
            payload=payload,
            payload_size=size,
        )
    )
    return response


def init_app(app: Flask) -> None:
    """Install first, so that the duration covers the other hooks and refused requests are logged too."""
    if not app.config.get("RESOURCELOG", True):
        return
    app.extensions[EXTENSION] = ResourceLogWriter(app.config["ELLA_SETTINGS"].db_url)
    app.before_request(_start)
    app.after_request(_record)
