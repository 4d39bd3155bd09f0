"""The watcher and poller processes start, check their inputs, and stop."""

from __future__ import annotations

from pathlib import Path


def test_watcher_reports_ready_folders(cli, cli_env, caplog):
    incoming = Path(cli_env["ANALYSES_INCOMING"])
    (incoming / "Diag-1").mkdir()
    (incoming / "Diag-1" / "READY").touch()
    (incoming / "Diag-2").mkdir()  # not ready
    caplog.set_level("INFO")
    cli.ok("analyses", "watch", "--once")
    ready = [r.getMessage() for r in caplog.records if "is ready" in r.getMessage()]
    assert len(ready) == 1 and "Diag-1" in ready[0]


def test_watcher_refuses_unwritable_destination(cli_env, tmp_path):
    from tests.conftest import Cli

    result = Cli({**cli_env, "ANALYSES_PATH": str(tmp_path / "missing")})("analyses", "watch", "--once")
    assert result.exit_code == 2 and "ANALYSES_PATH" in result.stderr


def test_poller_polls_once(cli, caplog):
    caplog.set_level("INFO")
    cli.ok("annotation", "poll", "--once")
    assert any("annotation job(s) not done" in r.getMessage() for r in caplog.records)
