"""The CLI audit log names the operator and can be read back with ``ella-cli clilog list`` (no SQL)."""

from __future__ import annotations

import pytest

from tests.conftest import Cli


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ELLA_OPERATOR": "alice"}, "alice"),  # what the host's wrapper hands over
        ({"ELLA_OPERATOR": "", "SUDO_USER": "bob"}, "bob"),  # sudo -u ella ella-cli ...
    ],
)
def test_audit_row_names_the_operator(cli_env, env, expected):
    cli = Cli({**cli_env, **env})
    cli.ok("broadcast", "new", "hello", "--reason", "why not")
    [row] = cli.ok("clilog", "list", "--json").json()["entries"]
    assert (row["user"], row["command"], row["reason"]) == (expected, "broadcast new", "why not")
    assert row["argv"] == ["broadcast", "new", "hello", "--reason", "why not"]


def test_clilog_list_newest_first_filtered_and_limited(cli_env):
    for name in ("ann", "ben", "ann"):
        Cli({**cli_env, "ELLA_OPERATOR": name}).ok("broadcast", "new", f"by {name}")
    cli = Cli(cli_env)
    entries = cli.ok("clilog", "list", "--json").json()["entries"]
    assert [e["user"] for e in entries] == ["ann", "ben", "ann"]
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    assert [e["user"] for e in cli.ok("clilog", "list", "--user", "ben", "--json").json()["entries"]] == ["ben"]
    assert len(cli.ok("clilog", "list", "--limit", "2", "--json").json()["entries"]) == 2
    assert "\tann\tbroadcast new\t" in cli.ok("clilog", "list").stdout
    assert cli("clilog", "list", "--limit", "0").exit_code == 2
    # reading the log is not itself logged
    assert len(cli.ok("clilog", "list", "--json", "--limit", "100").json()["entries"]) == 3
