"""The production guide's whole bootstrap, in ELLA's order, from the demo fixtures — twice.

The first run creates everything; the second must report that nothing changed, command by command.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import DEMO_FIXTURES, Cli, table_snapshot

DEMO_ANALYSES = DEMO_FIXTURES.parent / "analyses"


def _sequence(tmp_path: Path) -> list[list[str]]:
    panels = sorted(p for p in (DEMO_FIXTURES / "genepanels").iterdir() if p.is_dir())
    assert len(panels) >= 3, "the demo fixtures carry several gene panels"
    analyses = sorted(p for p in DEMO_ANALYSES.iterdir() if p.is_dir())
    assert len(analyses) == 2, "a single-sample and a trio demo analysis"
    return [
        ["database", "make-production"],
        *(["deposit", "genepanel", "--folder", str(p)] for p in panels),
        ["users", "add_groups", str(DEMO_FIXTURES / "usergroups.json")],
        ["filterconfigs", "update", str(DEMO_FIXTURES / "filterconfigs.json")],
        ["users", "add_many", str(DEMO_FIXTURES / "users.json"), "--passwords-file", str(tmp_path / "otp.txt")],
        ["deposit", "references", str(DEMO_FIXTURES / "references.json")],
        # the demo analyses the test hosts get (roles/ella_fixtures, ella_fixtures_analyses_src_dir)
        *(["deposit", "analysis", str(a), "--skip-existing"] for a in analyses),
    ]


def test_full_bootstrap_then_rerun_changes_nothing(cli_env, empty_db_url, tmp_path):
    cli = Cli({**cli_env, "DB_URL": empty_db_url})
    first = [cli.ok(*args, "--json").json() for args in _sequence(tmp_path)]
    assert all(step["changed"] for step in first), first
    otp_lines = (tmp_path / "otp.txt").read_text().splitlines()
    assert len(otp_lines) == first[-4]["created"] > 0
    assert [step["variants"] > 0 for step in first[-2:]] == [True, True]
    before = table_snapshot(empty_db_url)

    second = [cli.ok(*args, "--json").json() for args in _sequence(tmp_path)]
    assert [step["changed"] for step in second] == [False] * len(second), second
    assert all(step.get("created", 0) == 0 and step.get("updated", 0) == 0 for step in second)
    assert table_snapshot(empty_db_url) == before
    assert (tmp_path / "otp.txt").read_text().splitlines() == otp_lines, "no password was reset"

    engine = create_engine(empty_db_url)
    with engine.connect() as conn:
        audited = conn.execute(text("SELECT count(*) FROM clilog")).scalar_one()
        outputs = " ".join(r[0] or "" for r in conn.execute(text("SELECT output FROM clilog")))
    engine.dispose()
    assert audited >= len(first)
    for line in otp_lines:
        assert line.split("\t")[1] not in outputs, "a one-time password leaked into the audit log"
