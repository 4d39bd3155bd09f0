"""``ella-cli broadcast new|list|deactivate``."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.conftest import table_snapshot


def test_new_list_deactivate(cli, db_url):
    created = cli.ok("broadcast", "new", "Maintenance", "on", "Friday", "--json").json()
    assert created["changed"] is True and created["created"] == 1
    first = created["id"]
    second = cli.ok("broadcast", "new", "New  gene panels available").stdout
    assert "is active: New gene panels available" in second

    active = cli.ok("broadcast", "list", "--json").json()["broadcasts"]
    assert len(active) == 2
    assert (active[0]["id"], active[0]["message"], active[0]["active"]) == (first, "Maintenance on Friday", True)

    done = cli.ok("broadcast", "deactivate", str(first), "--json", "--reason", "over").json()
    assert done["changed"] is True and done["updated"] == 1
    assert cli.ok("broadcast", "deactivate", str(first), "--json").json()["changed"] is False
    assert [b["message"] for b in cli.ok("broadcast", "list", "--json").json()["broadcasts"]] == [
        "New gene panels available"
    ]
    everything = cli.ok("broadcast", "list", "--all").stdout.splitlines()
    assert len(everything) == 2 and "\tinactive\tMaintenance on Friday" in everything[0]

    engine = create_engine(db_url)
    with engine.connect() as conn:
        audited = conn.execute(text("SELECT command, reason FROM clilog ORDER BY id")).all()
    engine.dispose()
    assert [tuple(r) for r in audited] == [
        ("new", None),
        ("new", None),
        ("deactivate", "over"),
        ("deactivate", None),
    ]


def test_deactivate_unknown_id_and_empty_message(cli, db_url):
    before = table_snapshot(db_url)
    missing = cli("broadcast", "deactivate", "4711")
    assert missing.exit_code == 4 and "no broadcast with id 4711" in missing.stderr
    assert cli("broadcast", "new").exit_code == 2
    assert cli("broadcast", "new", "  ").exit_code == 2
    assert cli.ok("broadcast", "list").stdout.strip() == "no broadcasts"
    assert table_snapshot(db_url) == before


def test_list_tail_shows_the_last_ten_active_or_not_oldest_first(cli):
    """Mirrors ELLA src/cli/commands/broadcast/broadcast.py::cmd_list_active (--tail: the last 10 of all)."""
    ids = [cli.ok("broadcast", "new", f"message {i}", "--json").json()["id"] for i in range(12)]
    cli.ok("broadcast", "deactivate", str(ids[-1]))
    tail = cli.ok("broadcast", "list", "--tail", "--json").json()["broadcasts"]
    assert [b["id"] for b in tail] == ids[2:]
    assert tail[-1]["active"] is False
    assert len(cli.ok("broadcast", "list", "--json").json()["broadcasts"]) == 11
    assert cli.ok("broadcast", "list", "--tail").stdout.splitlines()[0].endswith("\tactive\tmessage 2")
