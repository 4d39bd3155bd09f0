"""The files of ``ella-cli database dump`` and ``restore``: a dump is written to FILE.part (0600) and renamed
when complete; "-" stands for standard output or input, which a caller running as another user (the kit's
root-only backups) opens and hands over."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ella_app.db import dumps
from ella_app.errors import InputError


def _std_stream(name: str, problem: str) -> IO[bytes]:
    """Standard input or output as a binary file of its own; InputError unless it is a regular file."""
    stream = getattr(sys, name)
    try:
        fd = stream.fileno()
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except (AttributeError, OSError, ValueError):
        regular = False
    if not regular:
        raise InputError(problem, source="-")
    return os.fdopen(os.dup(fd), "rb" if name == "stdin" else "r+b")


def dump_to(db_url: str, target: str) -> dict[str, Any]:
    """Dump into ``target`` ("-": standard output, which must be a regular file); report file, size, sha256."""
    if target == "-":
        with _std_stream("stdout", "standard output must be redirected to a file (> FILE)") as out:
            start = out.tell()
            dumps.dump(db_url, out)
            size = out.seek(0, os.SEEK_END) - start
            try:  # a descriptor opened for writing only (the shell's "> FILE") cannot be read back
                digest: str | None = _sha256(out, start)
            except OSError:
                digest = None
            return {"changed": True, "file": "-", "size": size, "sha256": digest}
    path = Path(target)
    if path.is_dir():
        raise InputError("is a directory; name the dump file", source=target)
    if not path.parent.is_dir():
        raise InputError("the directory does not exist", source=target)
    part = path.with_name(path.name + ".part")
    old_umask = os.umask(0o077)
    try:
        with open(part, "w+b") as out:
            try:
                dumps.dump(db_url, out)
                digest = _sha256(out, 0)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
    finally:
        os.umask(old_umask)
    os.chmod(part, 0o600)
    os.replace(part, path)
    return {"changed": True, "file": str(path), "size": path.stat().st_size, "sha256": digest}


def _sha256(stream: IO[bytes], start: int) -> str:
    digest = hashlib.sha256()
    stream.seek(start)
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


@contextmanager
def open_source(source: str) -> Iterator[tuple[IO[bytes], str]]:
    """The dump to restore, open, and the name to report ("-": standard input, which must be a file)."""
    if source == "-":
        with _std_stream("stdin", "standard input must be redirected from a dump file (< FILE)") as stream:
            yield stream, "standard input"
        return
    if not os.path.isfile(source):
        raise InputError("no such dump file", source=source)
    try:
        stream = open(source, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot read it: {exc.strerror}", source=source) from None
    with stream:
        yield stream, source
