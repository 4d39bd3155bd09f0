"""Whole-database dumps and restores with PostgreSQL's own clients, behind ``ella-cli database dump``,
``restore`` and ``fingerprint``.

The connection comes from the application's DB_URL (parsed by SQLAlchemy, as everywhere else in the app).
The password never reaches a command line or a child's environment: it is written to a pgpass file (0600, in
a private 0700 directory removed afterwards) that libpq reads through PGPASSFILE; host, port, user and
database go in PGHOST, PGPORT, PGUSER and PGDATABASE.

Dumps use pg_dump's custom format. A restore replaces the content of the ``public`` schema in ONE
transaction (schema dropped and recreated, dump replayed, COMMIT only when the whole dump was read), so on any
error the database stays as it was.

Files are passed as open binary streams, so that a caller running as another user (root, with root-only
backup directories) can open them and hand over the descriptor.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ella_app.errors import ConfigError, EllaError, InputError

# libpq settings that may come as query parameters of the URL
QUERY_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "host": "PGHOST",
    "port": "PGPORT",
}
# never inherited by the PostgreSQL clients
DROP_ENV = ("PGPASSWORD", "DB_URL", "PGSERVICE", "PGSERVICEFILE", "PGPASSFILE")
# TOC entries of a dump that describe the public schema itself (pg_restore --list)
PUBLIC_SCHEMA_ENTRY = re.compile(r" SCHEMA - public | - SCHEMA public ")
# give the recreated public schema the owner and access of a new database (PostgreSQL >= 15)
RESET_PUBLIC_SCHEMA = (
    b"DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_database_owner') THEN "
    b"EXECUTE 'ALTER SCHEMA public OWNER TO pg_database_owner'; END IF; END$$;\n"
    b"GRANT USAGE ON SCHEMA public TO PUBLIC;\n"
)
RESTORE_PREAMBLE = (
    b"SET lock_timeout = '120s';\nBEGIN;\nDROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n"
    + RESET_PUBLIC_SCHEMA
)


class DumpError(EllaError):
    """A PostgreSQL client failed; the message carries the end of its stderr."""


def libpq_env(db_url: str) -> tuple[dict[str, str], str]:
    """libpq environment variables for ``db_url`` (without the password), and the password."""
    try:
        url = make_url(db_url)
    except ArgumentError:
        raise ConfigError("DB_URL is not a database URL (postgresql://user:password@host:port/database)") from None
    if url.get_backend_name() != "postgresql":
        raise ConfigError(f"DB_URL is a {url.get_backend_name()} URL; ELLA needs postgresql://")
    env = {
        "PGHOST": url.host or "localhost",
        "PGPORT": str(url.port or 5432),
        "PGUSER": url.username or "",
        "PGDATABASE": url.database or "",
    }
    for key, value in url.query.items():
        if key in QUERY_ENV:
            env[QUERY_ENV[key]] = value if isinstance(value, str) else value[-1]
    if not env["PGUSER"] or not env["PGDATABASE"]:
        raise ConfigError("DB_URL names no user or no database")
    return env, url.password or ""


def _pgpass_field(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


@contextmanager
def client_env(db_url: str) -> Iterator[dict[str, str]]:
    """The environment for PostgreSQL clients: the connection in PG* variables, the password in a pgpass
    file that exists only inside this block."""
    pg, password = libpq_env(db_url)
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
    env.update(pg)
    with tempfile.TemporaryDirectory(prefix="ella-pg-") as tmp:  # 0700, removed afterwards
        passfile = os.path.join(tmp, "pgpass")
        fd = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(":".join(_pgpass_field(v) for v in ("*", "*", "*", pg["PGUSER"], password)) + "\n")
        env["PGPASSFILE"] = passfile
        yield env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DumpError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _tail(stderr: bytes | str | None) -> str:
    if not stderr:
        return ""
    text = stderr if isinstance(stderr, str) else stderr.decode(errors="replace")
    return text.strip()[-2000:]


def _rewind(stream: IO[bytes], what: str) -> None:
    try:
        stream.seek(0)
    except (OSError, ValueError):
        raise InputError("must be a file (redirect it: < FILE), not a pipe or a terminal", source=what) from None


def dump(db_url: str, target: IO[bytes]) -> None:
    """pg_dump --format=custom of the whole database into ``target`` (an open file)."""
    pg_dump = _tool("pg_dump")
    target.flush()
    with client_env(db_url) as env:
        proc = subprocess.run(
            [pg_dump, "--format=custom", "--no-password"],
            env=env,
            stdout=target.fileno(),
            stderr=subprocess.PIPE,
            check=False,
        )
    if proc.returncode != 0:
        raise DumpError(f"pg_dump failed: {_tail(proc.stderr)}")


def check_archive(source: IO[bytes], what: str) -> list[str]:
    """The table of contents of a custom-format dump; InputError when ``source`` is not one."""
    _rewind(source, what)
    listing = subprocess.run(
        [_tool("pg_restore"), "--list"], stdin=source.fileno(), capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise InputError(f"not a pg_dump custom-format archive ({_tail(listing.stderr)})", source=what)
    return listing.stdout.splitlines()


def restore(db_url: str, source: IO[bytes], what: str) -> dict[str, Any]:
    """Replace the database's content with the custom-format dump ``source`` in one transaction."""
    entries = [line for line in check_archive(source, what) if not PUBLIC_SCHEMA_ENTRY.search(line)]
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    with client_env(db_url) as env, tempfile.TemporaryDirectory(prefix="ella-restore-") as tmp:
        toc = os.path.join(tmp, "toc")
        with open(toc, "w", encoding="utf-8") as fh:
            fh.write("\n".join(entries) + "\n")
        _rewind(source, what)
        with (
            tempfile.TemporaryFile(dir=tmp) as reader_err,
            tempfile.TemporaryFile(dir=tmp) as psql_err,
        ):
            # pg_restore writes the SQL script, psql runs it inside BEGIN ... COMMIT; COMMIT is sent only when
            # pg_restore read the whole dump, so a damaged dump rolls everything back
            runner = subprocess.Popen(
                [psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--output=/dev/null"],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=psql_err,
            )
            reader = subprocess.Popen(
                [pg_restore, "--no-owner", "--no-privileges", f"--use-list={toc}", "--file=-"],
                env=env,
                stdin=source.fileno(),
                stdout=subprocess.PIPE,
                stderr=reader_err,
            )
            assert runner.stdin is not None and reader.stdout is not None
            try:
                runner.stdin.write(RESTORE_PREAMBLE)
                shutil.copyfileobj(reader.stdout, runner.stdin, 1 << 20)
                read_ok = reader.wait() == 0
                runner.stdin.write(b"COMMIT;\n" if read_ok else b"ROLLBACK;\n")
                runner.stdin.close()
            except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP): its transaction is rolled back
                reader.kill()
                read_ok = reader.wait() == 0
            applied = runner.wait() == 0
            reader_err.seek(0)
            psql_err.seek(0)
            message = _tail(reader_err.read() + psql_err.read())
        if not (read_ok and applied):
            raise DumpError(f"restore failed; the database was left as it was (one transaction): {message}")
        analyze = subprocess.run(
            [psql, "--no-psqlrc", "--quiet", "--no-password", "--command=ANALYZE"],
            env=env,
            capture_output=True,
            check=False,
        )
    return {"changed": True, "restored": what, "analyzed": analyze.returncode == 0}


def fingerprint(db_url: str) -> str:
    """sha256 of the schema (pg_dump --schema-only) without what is not ELLA's: comments, psql meta-commands
    (``\\restrict`` with a random key), the public schema's own owner and comment. Tells whether a failed
    migration left changes behind."""
    with client_env(db_url) as env:
        proc = subprocess.run(
            [_tool("pg_dump"), "--schema-only", "--no-owner", "--no-privileges", "--no-password"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise DumpError(f"pg_dump --schema-only failed: {_tail(proc.stderr)}")
    lines = [
        ln for ln in proc.stdout.splitlines() if ln and not ln.startswith(("--", "\\")) and "SCHEMA public" not in ln
    ]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
