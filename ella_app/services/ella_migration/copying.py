"""Rows from one PostgreSQL connection into another with COPY, streamed: memory stays flat in the number of
rows (a bounded queue of chunks between a reader thread and the writing COPY)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

_CHUNKS = 16  # at most this many chunks (of up to ~64 KiB each, as psycopg2 hands them over) in flight
_DONE = object()


class _Cancelled(Exception):
    pass


class _Sink:
    """File-like target of ``COPY ... TO STDOUT``: hands chunks to the queue (blocks while it is full)."""

    def __init__(self, chunks: queue.Queue[Any], cancelled: threading.Event) -> None:
        self._chunks = chunks
        self._cancelled = cancelled

    def write(self, data: bytes | str) -> int:
        while True:
            if self._cancelled.is_set():
                raise _Cancelled
            try:
                self._chunks.put(data, timeout=0.2)
                return len(data)
            except queue.Full:
                continue


class _Source:
    """File-like source of ``COPY ... FROM STDIN``: reads the chunks, counts rows (one newline a row in COPY's
    text format, where newlines inside values are escaped) and reports progress."""

    def __init__(self, chunks: queue.Queue[Any], on_rows: Callable[[int], None]) -> None:
        self._chunks = chunks
        self._buffer = b""
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
            data = item.encode() if isinstance(item, str) else bytes(item)
            n = data.count(b"\n")
            if n:
                self.rows += n
                self._on_rows(self.rows)
            self._buffer += data

    def read(self, size: int = -1) -> bytes:
        while not self._eof and (size < 0 or len(self._buffer) < size):
            self._next()
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size: int = -1) -> bytes:
        while not self._eof and b"\n" not in self._buffer:
            self._next()
        end = self._buffer.find(b"\n")
        end = len(self._buffer) if end < 0 else end + 1
        line, self._buffer = self._buffer[:end], self._buffer[end:]
        return line


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
                cur.copy_expert(f"COPY ({source_sql}) TO STDOUT", _Sink(chunks, cancelled))
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
            cur.copy_expert(target_sql, reader)
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
