"""The analyses watcher (in-process and as real processes) and the poller process."""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from ella_app.services.watcher import AnalysisWatcher, NameFilter
from tests.conftest import UPSTREAM, Cli
from tests.support import vcfgen

make_panel = importlib.import_module("tests.import.panels").make_panel  # "import" is a keyword


def _q(db_url: str, sql: str) -> list[tuple]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return rows


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def dirs(cli_env, db_url) -> tuple[Path, Path]:
    make_panel(db_url)
    return Path(cli_env["ANALYSES_INCOMING"]), Path(cli_env["ANALYSES_PATH"])


def _watcher(db_url: str, dirs: tuple[Path, Path], **kw) -> AnalysisWatcher:
    return AnalysisWatcher(db_url, dirs[0], dirs[1], rescan_interval=0, **kw)


def test_watch_once_imports_testanalysis_and_moves_it(cli, dirs, db_url):
    incoming, dest = dirs
    shutil.copytree(UPSTREAM / "analyses" / "TestAnalysis-001", incoming / "TestAnalysis-001")
    vcfgen.write_analysis(incoming, "NotReady-1", 5, ready=False)
    out = cli.ok("analyses", "watch", "--once", "--json").json()
    assert [(o["folder"], o["status"]) for o in out["outcomes"]] == [("TestAnalysis-001", "imported")]
    assert cli.ok("analyses", "watch", "--once").stdout.strip() == "nothing to import"
    assert (dest / "TestAnalysis-001" / "TestAnalysis-001.vcf").is_file()
    assert not (incoming / "TestAnalysis-001").exists() and (incoming / "NotReady-1").is_dir()
    assert _q(db_url, "SELECT name FROM analysis") == [("TestAnalysis-001",)]
    assert _q(db_url, "SELECT count(*) FROM genotype") == [(6,)]
    [(props,)] = _q(db_url, "SELECT properties FROM analysis")
    assert props["import"]["folder"] == "TestAnalysis-001" and len(props["import"]["fingerprint"]) == 64


def test_failing_folder_gets_error_file_is_retried_when_changed_and_blocks_nothing(dirs, db_url):
    incoming, dest = dirs
    bad = vcfgen.write_analysis(incoming, "A-bad", 10, trio=True)
    (bad / "A-bad.ped").write_text((bad / "A-bad.ped").read_text().replace("\t2\t2\t1\n", "\t2\t2\t0\n"))
    vcfgen.write_analysis(incoming, "B-good", 10)
    watcher = _watcher(db_url, dirs)

    outcomes = {o.folder: o.status for o in watcher.scan()}
    assert outcomes == {"A-bad": "failed", "B-good": "imported"}
    error = (incoming / "A-bad.error").read_text()
    assert "A-bad.ped" in error and "exactly one proband" in error and "fingerprint: " in error
    assert (dest / "B-good").is_dir() and (incoming / "A-bad").is_dir()

    assert watcher.scan() == []  # unchanged: not retried
    assert AnalysisWatcher(db_url, incoming, dest).scan() == []  # nor by a restarted watcher

    ped = bad / "A-bad.ped"
    ped.write_text(ped.read_text().replace("PROBAND\tFATHER\tMOTHER\t2\t2\t0", "PROBAND\tFATHER\tMOTHER\t2\t2\t1"))
    assert [(o.folder, o.status) for o in watcher.scan()] == [("A-bad", "imported")]
    assert not (incoming / "A-bad.error").exists() and (dest / "A-bad").is_dir()
    assert sorted(_q(db_url, "SELECT name FROM analysis")) == [("A-bad",), ("B-good",)]


def test_data_the_database_refuses_fails_only_that_folder(dirs, db_url):
    incoming, _ = dirs
    bad = vcfgen.write_analysis(incoming, "A-overflow", 5)
    vcf = bad / "A-overflow.vcf"
    lines = vcf.read_text().splitlines(keepends=True)
    cols = lines[-1].split("\t")
    gt, ad, _dp, gq, pl = cols[9].split(":")
    cols[9] = ":".join([gt, ad, "99999999999", gq, pl])  # DP beyond PostgreSQL's integer
    vcf.write_text("".join([*lines[:-1], "\t".join(cols)]))
    vcfgen.write_analysis(incoming, "B-fine", 5)
    outcomes = {o.folder: o for o in _watcher(db_url, dirs).scan()}
    assert outcomes["B-fine"].status == "imported" and outcomes["A-overflow"].status == "failed"
    assert "out of range" in (incoming / "A-overflow.error").read_text()
    assert _q(db_url, "SELECT name FROM analysis") == [("B-fine",)]


def test_deleting_the_error_file_retries_and_duplicate_names_are_refused(dirs, db_url):
    incoming, dest = dirs
    vcfgen.write_analysis(incoming, "Dup-1", 5)
    watcher = _watcher(db_url, dirs)
    assert [o.status for o in watcher.scan()] == ["imported"]
    vcfgen.write_analysis(incoming, "Dup-1", 5, seed=9)  # same name, different content, arrives again
    shutil.move(str(dest / "Dup-1"), str(dest / "Dup-1-archived"))
    [outcome] = watcher.scan()
    assert outcome.status == "failed" and "already imported" in outcome.message
    assert watcher.scan() == []
    (incoming / "Dup-1.error").unlink()
    assert [o.status for o in watcher.scan()] == ["failed"]
    assert _q(db_url, "SELECT count(*) FROM analysis") == [(1,)]


def test_whitelist_and_blacklist(dirs, db_url, tmp_path):
    incoming, _ = dirs
    for name in ("Diag-1", "Diag-2", "Research-1"):
        vcfgen.write_analysis(incoming, name, 3)
    blacklist = tmp_path / "black.txt"
    blacklist.write_text("# no research\nResearch-\n")
    watcher = _watcher(
        db_url,
        dirs,
        names=NameFilter(whitelist=["Diag-", "Research-"], blacklist_file=str(blacklist), blacklist=["Diag-2$"]),
    )
    assert {o.folder: o.status for o in watcher.scan()} == {
        "Diag-1": "imported",
        "Diag-2": "filtered",
        "Research-1": "filtered",
    }
    blacklist.write_text("")  # list files are re-read when they change
    os.utime(blacklist, (time.time() + 5, time.time() + 5))
    assert {o.folder: o.status for o in watcher.scan()} == {"Diag-2": "filtered", "Research-1": "imported"}


def test_crash_between_commit_and_move_is_finished_on_restart(dirs, db_url):
    incoming, dest = dirs
    folder = vcfgen.write_analysis(incoming, "Moved-1", 5)
    watcher = _watcher(db_url, dirs)
    original = watcher._move
    watcher._move = lambda f: None  # the process "dies" right after the commit, before the move
    assert [o.status for o in watcher.scan()] == ["imported"]
    watcher._move = original
    assert folder.is_dir()
    assert [o.status for o in _watcher(db_url, dirs).scan()] == ["moved"]
    assert (dest / "Moved-1").is_dir() and _q(db_url, "SELECT count(*) FROM analysis") == [(1,)]


# ------------------------------------------------------------------------------------- real processes


def _start(cli_env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    code = "import sys; from ella_app.cli.main import main; sys.argv[0] = 'ella-cli'; main()"
    env = {**os.environ, **cli_env}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", code, "analyses", "watch", *args],
            env=env,
            stdout=out,
            stderr=out,
            cwd=Path(__file__).resolve().parents[2],
        )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def test_inotify_picks_up_a_ready_folder_within_seconds(cli_env, dirs, db_url, tmp_path, processes):
    incoming, dest = dirs
    log = tmp_path / "watcher.log"
    processes.append(_start(cli_env, log, "--interval", "300"))  # rescans are far away: only inotify helps
    _wait(lambda: log.exists() and "analyses watcher started" in log.read_text(), 30, "the watcher to start")
    time.sleep(0.3)  # its first scan
    folder = vcfgen.write_analysis(incoming, "Late-1", 20, ready=False)
    t0 = time.monotonic()
    (folder / "READY").touch()
    _wait(lambda: (dest / "Late-1").is_dir(), 15, f"the folder to be moved\n{log.read_text()}")
    assert time.monotonic() - t0 < 10
    processes[0].send_signal(signal.SIGTERM)
    assert processes[0].wait(10) == 0


def test_kill_9_mid_import_leaves_nothing_and_restart_imports(cli_env, dirs, db_url, tmp_path, processes):
    incoming, dest = dirs
    vcfgen.write_analysis(incoming, "Big-1", 15000)
    log = tmp_path / "watcher.log"
    processes.append(_start(cli_env, log, "--interval", "1"))

    def importing() -> bool:
        return bool(_q(db_url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")[0][0])

    _wait(importing, 30, f"the import to start\n{log.read_text() if log.exists() else ''}")
    time.sleep(0.3)
    processes[0].kill()
    processes[0].wait(10)
    _wait(lambda: not importing(), 15, "PostgreSQL to end the killed session")
    for table in ("analysis", "sample", "allele", "annotation", "genotype", "genotypesampledata"):
        assert _q(db_url, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert (incoming / "Big-1").is_dir() and not (incoming / "Big-1.error").exists()

    processes.append(_start(cli_env, log, "--interval", "1"))
    _wait(lambda: (dest / "Big-1").is_dir(), 60, f"the re-import\n{log.read_text()}")
    assert _q(db_url, "SELECT count(*) FROM analysis") == [(1,)]
    assert _q(db_url, "SELECT count(*) FROM genotype") == [(15000,)]


def test_two_watchers_racing_import_each_folder_once(cli_env, dirs, db_url, tmp_path, processes):
    incoming, dest = dirs
    names = [f"Race-{i}" for i in range(4)]
    for i, name in enumerate(names):
        vcfgen.write_analysis(incoming, name, 1000, seed=i)
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    processes.extend(_start(cli_env, log, "--interval", "0.2") for log in logs)
    _wait(lambda: all((dest / n).is_dir() for n in names), 60, "all folders to be moved")
    time.sleep(1.0)  # give a late duplicate the chance to show up
    for proc in processes:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    assert sorted(_q(db_url, "SELECT name FROM analysis")) == [(n,) for n in names]
    assert list(incoming.iterdir()) == []
    text_ = "".join(log.read_text() for log in logs)
    assert text_.count("imported analysis") == 4, text_
    assert "Traceback" not in text_ and "failed" not in text_


def test_watcher_refuses_unwritable_destination(cli_env, tmp_path):
    result = Cli({**cli_env, "ANALYSES_PATH": str(tmp_path / "missing")})("analyses", "watch", "--once")
    assert result.exit_code == 2 and "ANALYSES_PATH" in result.stderr


def test_watcher_waits_for_the_schema(cli_env, empty_db_url):
    incoming = Path(cli_env["ANALYSES_INCOMING"])
    vcfgen.write_analysis(incoming, "Early-1", 3)
    result = Cli({**cli_env, "DB_URL": empty_db_url})("analyses", "watch", "--once")
    assert result.exit_code == 1 and "not at head" in result.stderr
    assert (incoming / "Early-1").is_dir() and not (incoming / "Early-1.error").exists()


def test_poller_polls_once_without_jobs(cli, caplog):
    caplog.set_level("INFO")
    cli.ok("annotation", "poll", "--once")
    assert any("polling annotation service http://localhost:6000" in r.getMessage() for r in caplog.records)
