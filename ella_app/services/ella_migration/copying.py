"""Rows from one PostgreSQL connection into another with COPY, streamed: memory stays flat in the number of
rows (a bounded queue of chunks between a reader thread and the writing COPY)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

_CHUNKS = 8  # at most this many chunks in flight between the reading and the writing side
_CHUNK_BYTES = 1 << 20  # rows are handed over in chunks of about 1 MiB (psycopg2 writes one row per call)
_DONE = object()


class _Cancelled(Exception):
    pass


class _Sink:
    """File-like target of ``COPY ... TO STDOUT``: gathers rows into chunks and hands them to the queue
    (blocks while it is full)."""

    def __init__(self, chunks: queue.Queue[Any], cancelled: threading.Event) -> None:
        self._chunks = chunks
        self._cancelled = cancelled
        self._pending = bytearray()

    def write(self, data: bytes | str) -> int:
        self._pending += data.encode() if isinstance(data, str) else data
        if len(self._pending) >= _CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if not self._pending:
            return
        chunk, self._pending = bytes(self._pending), bytearray()
        while True:
            if self._cancelled.is_set():
                raise _Cancelled
            try:
                self._chunks.put(chunk, timeout=0.2)
                return
            except queue.Full:
                continue


class _Source:
    """File-like source of ``COPY ... FROM STDIN``: hands over the chunks as they come, counts rows (one
    newline a row in COPY's text format, where newlines inside values are escaped) and reports progress."""

    def __init__(self, chunks: queue.Queue[Any], on_rows: Callable[[int], None]) -> None:
        self._chunks = chunks
        self._current = memoryview(b"")
        self._eof = False
        self._on_rows = on_rows
        self.rows = 0
        self.error: BaseException | None = None

    def _next(self) -> None:
        item = self._chunks.get()
        if item is _DONE:
            self._eof = True
        elif isinstance(item, BaseException):
            self.error = item
            self._eof = True
        else:
            self.rows += item.count(b"\n")
            self._on_rows(self.rows)
            self._current = memoryview(item)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (less is fine: the caller reads until it gets none)."""
        while not self._current and not self._eof:
            self._next()
        if size < 0 or size >= len(self._current):
            data, self._current = bytes(self._current), memoryview(b"")
        else:
            data, self._current = bytes(self._current[:size]), self._current[size:]
        return data

    def readline(self, size: int = -1) -> bytes:
        raise NotImplementedError("COPY reads with read()")


def stream_copy(
    source_conn: Any, source_sql: str, target_conn: Any, target_sql: str, on_rows: Callable[[int], None]
) -> int:
    """``COPY (source_sql) TO STDOUT`` on ``source_conn`` into ``target_sql`` (a ``COPY ... FROM STDIN``) on
    ``target_conn``; returns the number of rows. Errors on either side are raised here."""
    chunks: queue.Queue[Any] = queue.Queue(maxsize=_CHUNKS)
    cancelled = threading.Event()

    def produce() -> None:
        try:
            with source_conn.cursor() as cur:
                sink = _Sink(chunks, cancelled)
                cur.copy_expert(f"COPY ({source_sql}) TO STDOUT", sink)
                sink.flush()
            _put(chunks, _DONE, cancelled)
        except _Cancelled:
            return
        except BaseException as exc:  # handed to the writing side, raised there
            _put(chunks, exc, cancelled)

    reader = _Source(chunks, on_rows)
    thread = threading.Thread(target=produce, name="ella-import-source", daemon=True)
    thread.start()
    try:
        with target_conn.cursor() as cur:
            cur.copy_expert(target_sql, reader, size=_CHUNK_BYTES)
    except BaseException:
        cancelled.set()
        _drain(chunks, thread)
        if reader.error is not None:
            raise reader.error from None
        raise
    finally:
        thread.join()
    if reader.error is not None:
        raise reader.error
    return reader.rows


def _put(chunks: queue.Queue[Any], item: Any, cancelled: threading.Event) -> None:
    while not cancelled.is_set():
        try:
            chunks.put(item, timeout=0.2)
            return
        except queue.Full:
            continue


def _drain(chunks: queue.Queue[Any], thread: threading.Thread) -> None:
    while thread.is_alive():
        try:
            chunks.get(timeout=0.1)
        except queue.Empty:
            continue
