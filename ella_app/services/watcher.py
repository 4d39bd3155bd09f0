"""The analyses watcher: import each folder of ANALYSES_INCOMING that has a READY file, then move it.

* inotify (inotify_simple) wakes the watcher as soon as something changes in the incoming folder or one of
  its sub-folders; a periodic rescan is the safety net (network file systems send no events).
* Per folder: a session-level advisory lock on the folder name (so watchers on several hosts sharing the
  data directory never work on one folder at once), the import in one transaction, the commit, and only
  then the move to ANALYSES_PATH. The analysis remembers the folder's fingerprint, so a watcher killed
  between commit and move finishes the move on restart instead of reporting a duplicate.
* A failing folder stays where it is with ``<folder>.error`` next to it saying why; it is retried when
  its content changes (or the error file is deleted). One bad folder never blocks the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import logging
import os
import re
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inotify_simple import INotify
from inotify_simple import flags as inflags
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from ella_app.db.models import Analysis
from ella_app.db.session import get_engine
from ella_app.errors import ConfigError, EllaError
from ella_app.formats.analysis_folder import READY, load_analysis
from ella_app.services import filter_results
from ella_app.services.importer import AnalysisLocked, import_spec

log = logging.getLogger("ella.watcher")

FOLDER_LOCK_NAMESPACE = 0x57415443  # "WATC"
ERROR_SUFFIX = ".error"
_WATCH_TOP = (
    inflags.CREATE | inflags.MOVED_TO | inflags.MOVED_FROM | inflags.DELETE | inflags.CLOSE_WRITE | inflags.ATTRIB
)
_WATCH_SUB = inflags.CREATE | inflags.MOVED_TO | inflags.DELETE | inflags.CLOSE_WRITE | inflags.ATTRIB


# ---------------------------------------------------------------------------------------------- name filter


def _read_patterns(path: str | None) -> list[str]:
    if not path:
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"list file {path} not found") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class NameFilter:
    """ELLA's whitelist/blacklist of analysis names (``re.match``); list files are re-read when changed."""

    def __init__(
        self,
        whitelist: list[str] | None = None,
        blacklist: list[str] | None = None,
        whitelist_file: str | None = None,
        blacklist_file: str | None = None,
    ) -> None:
        self.whitelist = list(whitelist or [])
        self.blacklist = list(blacklist or [])
        self.files = {"white": whitelist_file, "black": blacklist_file}
        self._stamps: dict[str, float | None] = {}
        self._compiled: tuple[list[re.Pattern[str]], list[re.Pattern[str]]] = ([], [])
        self.reload(force=True)

    def _stamp(self, path: str | None) -> float | None:
        try:
            return os.stat(path).st_mtime if path else None
        except FileNotFoundError:
            return None

    def reload(self, force: bool = False) -> bool:
        stamps = {kind: self._stamp(path) for kind, path in self.files.items()}
        if not force and stamps == self._stamps:
            return False
        self._stamps = stamps
        try:
            white = [*self.whitelist, *_read_patterns(self.files["white"])]
            black = [*self.blacklist, *_read_patterns(self.files["black"])]
            self._compiled = ([re.compile(p) for p in white], [re.compile(p) for p in black])
        except re.error as exc:
            raise ConfigError(f"invalid whitelist/blacklist pattern {exc.pattern!r}: {exc}") from None
        return True

    def allows(self, name: str) -> bool:
        white, black = self._compiled
        if any(p.match(name) for p in black):
            return False
        return not white or any(p.match(name) for p in white)


# ---------------------------------------------------------------------------------------------- folder helpers


def fingerprint(folder: Path) -> str | None:
    """A digest of every file's path, size and mtime in the folder; None if the folder vanished."""
    digest = hashlib.sha256()
    try:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = Path(root, name)
                st = path.stat()
                digest.update(f"{path.relative_to(folder)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    except FileNotFoundError:
        return None
    return digest.hexdigest() if folder.is_dir() else None


def error_file(folder: Path) -> Path:
    return folder.with_name(folder.name + ERROR_SUFFIX)


def recorded_fingerprint(folder: Path) -> str | None:
    try:
        lines = error_file(folder).read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    for line in reversed(lines):
        if line.startswith("fingerprint: "):
            return line.split(": ", 1)[1].strip()
    return None


def write_error(folder: Path, message: str, digest: str | None) -> None:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = (
        f"Import of analysis folder {folder.name} failed ({when}, host {socket.gethostname()}):\n\n"
        f"{message}\n\n"
        "The watcher tries again when a file in the folder changes; delete this file to retry it unchanged.\n"
        f"fingerprint: {digest or '-'}\n"
    )
    tmp = folder.with_name(f".{folder.name}{ERROR_SUFFIX}.{os.getpid()}")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, error_file(folder))


def clear_error(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        error_file(folder).unlink()


def move_folder(folder: Path, destination: Path) -> Path:
    """Move the folder into ``destination``; atomic on one file system, copy-then-rename across."""
    target = destination / folder.name
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    try:
        os.rename(folder, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        partial = destination / f".{folder.name}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(folder, partial, symlinks=True)
        os.rename(partial, target)
        shutil.rmtree(folder)
    return target


# ---------------------------------------------------------------------------------------------- the watcher


@dataclass(frozen=True)
class Outcome:
    folder: str
    status: str  # imported | moved | failed | unchanged-failure | locked | filtered | gone | db-unavailable
    message: str = ""
    analysis_id: int | None = None


class AnalysisWatcher:
    def __init__(
        self,
        db_url: str,
        incoming: Path,
        destination: Path,
        *,
        names: NameFilter | None = None,
        rescan_interval: float = 10.0,
        settle: float = 0.05,
        ready_check: Callable[[], object] | None = None,
        app_config: dict[str, Any] | None = None,
    ) -> None:
        if not os.access(incoming, os.R_OK | os.X_OK) or not incoming.is_dir():
            raise ConfigError(f"ANALYSES_INCOMING {incoming} is not a readable folder")
        if not os.access(destination, os.W_OK | os.X_OK) or not destination.is_dir():
            raise ConfigError(f"ANALYSES_PATH {destination} is not a writable folder")
        self.db_url = db_url
        self.incoming = incoming
        self.destination = destination
        self.names = names or NameFilter()
        self.rescan_interval = rescan_interval
        self.settle = settle
        self.ready_check = ready_check
        self.app_config = app_config
        self.host = socket.gethostname()
        self._inotify: INotify | None = None
        self._watches: dict[str, int] = {}
        self._next_scan = 0.0
        self._filtered: set[str] = set()

    # -- inotify --------------------------------------------------------------------------------------

    def __enter__(self) -> AnalysisWatcher:
        self._inotify = INotify()
        self._inotify.add_watch(str(self.incoming), _WATCH_TOP)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._inotify is not None:
            self._inotify.close()
            self._inotify = None
            self._watches.clear()

    def _sync_watches(self, folders: list[Path]) -> None:
        if self._inotify is None:
            return
        current = {str(f) for f in folders}
        for path in current - set(self._watches):
            try:
                self._watches[path] = self._inotify.add_watch(path, _WATCH_SUB)
            except OSError:
                continue
        for path in set(self._watches) - current:
            wd = self._watches.pop(path)
            with contextlib.suppress(OSError):
                self._inotify.rm_watch(wd)

    def step(self, max_wait: float = 1.0) -> list[Outcome]:
        """Wait for a change (at most ``max_wait`` s), then scan if something changed or a rescan is due."""
        wait = max(0.0, min(max_wait, self._next_scan - time.monotonic()))
        changed = False
        if self._inotify is not None:
            if self._inotify.read(timeout=int(wait * 1000)):
                changed = True
                time.sleep(self.settle)  # let a burst of events (a copy in progress) settle
                while self._inotify.read(timeout=0):
                    pass
        else:
            time.sleep(wait)
        if changed or time.monotonic() >= self._next_scan:
            return self.scan()
        return []

    # -- scanning -------------------------------------------------------------------------------------

    def candidates(self) -> list[Path]:
        try:
            entries = sorted(self.incoming.iterdir())
        except OSError as exc:
            log.error("cannot list %s: %s", self.incoming, exc)
            return []
        return [p for p in entries if not p.name.startswith(".") and p.is_dir()]

    def scan(self) -> list[Outcome]:
        """One pass over the incoming folder; returns what happened to each ready folder."""
        self._next_scan = time.monotonic() + self.rescan_interval
        folders = self.candidates()
        self._sync_watches(folders)
        try:
            self.names.reload()
        except ConfigError as exc:
            log.error("%s", exc)
            return []
        if self.ready_check is not None:
            self.ready_check()  # e.g. the schema is at head; raises (and the loop retries) otherwise
        outcomes = []
        for folder in folders:
            if not (folder / READY).is_file():
                continue
            try:
                outcome = self.process(folder)
            except Exception:
                log.exception("analysis folder %s: unexpected error; the other folders go on", folder.name)
                continue
            if outcome is None:
                continue
            outcomes.append(outcome)
            if outcome.status == "db-unavailable":
                break
        return outcomes

    def process(self, folder: Path) -> Outcome | None:
        """Import one ready folder, unless it failed before and has not changed since."""
        digest = fingerprint(folder)
        if digest is None:
            return None
        if recorded_fingerprint(folder) == digest:
            return None  # failed before, unchanged since: wait for a change
        try:
            engine = get_engine(self.db_url)
            with engine.connect() as conn:
                return self._locked(conn, folder)
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, OperationalError) or exc.connection_invalidated:
                log.warning("database unavailable, will retry %s: %s", folder.name, str(exc).splitlines()[0])
                return Outcome(folder.name, "db-unavailable", str(exc).splitlines()[0])
            raise

    def _locked(self, conn: Connection, folder: Path) -> Outcome | None:
        params = {"ns": FOLDER_LOCK_NAMESPACE, "name": folder.name}
        got = conn.execute(text("SELECT pg_try_advisory_lock(:ns, hashtext(:name))"), params).scalar_one()
        conn.commit()
        if not got:
            return Outcome(folder.name, "locked", "another watcher is working on it")
        try:
            return self._import(conn, folder)
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:ns, hashtext(:name))"), params)
                conn.commit()
            except DBAPIError:
                conn.invalidate()

    def _import(self, conn: Connection, folder: Path) -> Outcome | None:
        # Another watcher may have finished with this folder while we waited for the lock.
        digest = fingerprint(folder)
        if digest is None or not (folder / READY).is_file():
            return Outcome(folder.name, "gone")
        if recorded_fingerprint(folder) == digest:
            return Outcome(folder.name, "unchanged-failure")
        session = Session(bind=conn, expire_on_commit=False)
        try:
            spec = load_analysis(folder)
            if not self.names.allows(spec.name):
                if spec.name not in self._filtered:
                    log.info("analysis %s (%s) is not allowed by the white/blacklist; left alone", spec.name, folder)
                    self._filtered.add(spec.name)
                return Outcome(folder.name, "filtered")
            if (self.destination / folder.name).exists():
                raise EllaError(f"{self.destination / folder.name} already exists; not importing over it")
            existing = session.scalars(select(Analysis).where(Analysis.name == spec.name)).first()
            if existing is not None:
                info: dict[str, Any] = (existing.properties or {}).get("import", {})
                if info.get("fingerprint") != digest:
                    raise EllaError(f"Analysis {spec.name} is already imported (id {existing.id})")
                session.rollback()
                self._move(folder)
                log.info("analysis %s was imported before (id %s); folder moved now", spec.name, existing.id)
                return Outcome(folder.name, "moved", analysis_id=existing.id)
            report = import_spec(
                session,
                spec,
                app_config=self.app_config,
                properties={"import": {"folder": folder.name, "fingerprint": digest, "host": self.host}},
            )
            session.commit()
        except AnalysisLocked as exc:
            session.rollback()
            return Outcome(folder.name, "locked", exc.message)
        except EllaError as exc:
            session.rollback()
            log.error("analysis folder %s failed: %s", folder.name, exc.message)
            write_error(folder, exc.message, digest)
            return Outcome(folder.name, "failed", exc.message)
        except (OperationalError, DBAPIError) as exc:
            session.rollback()
            if isinstance(exc, OperationalError) or exc.connection_invalidated:
                raise  # the database, not the folder: no error file, retried on the next scan
            message = f"the database refused the data: {str(exc.orig).strip().splitlines()[0]}"
            log.error("analysis folder %s failed: %s", folder.name, message)
            write_error(folder, message, digest)
            return Outcome(folder.name, "failed", message)
        except Exception as exc:
            session.rollback()
            log.exception("analysis folder %s failed unexpectedly", folder.name)
            write_error(folder, f"unexpected error: {exc!r}", digest)
            return Outcome(folder.name, "failed", repr(exc))
        finally:
            session.close()
        self._move(folder)
        filter_results.after_import(self.db_url, report.extra.get("analysis_id"))
        extra = report.extra
        log.info(
            "imported analysis %s (id %s): %s variants in %.2f s; moved to %s",
            extra["analysis"],
            extra["analysis_id"],
            extra["variants"],
            extra["seconds"],
            self.destination,
        )
        return Outcome(folder.name, "imported", analysis_id=extra["analysis_id"])

    def _move(self, folder: Path) -> None:
        try:
            move_folder(folder, self.destination)
        except OSError as exc:
            message = f"imported, but moving the folder to {self.destination} failed: {exc}"
            log.error("%s: %s", folder.name, message)
            write_error(folder, message, fingerprint(folder))
            return
        clear_error(folder)
