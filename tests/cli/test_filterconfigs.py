"""``ella-cli filterconfigs update|list|deactivate``: reuse, supersede chain, links, order errors, bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.cli.test_genepanel import query
from tests.conftest import DEMO_FIXTURES, Cli, table_snapshot

CONFIGS = DEMO_FIXTURES / "filterconfigs.json"
DEMO = json.loads(CONFIGS.read_text())


@pytest.fixture
def groups(cli: Cli) -> Cli:
    cli.ok("deposit", "genepanel", "--all", str(DEMO_FIXTURES / "genepanels"))
    cli.ok("users", "add_groups", str(DEMO_FIXTURES / "usergroups.json"))
    return cli


def write(tmp_path: Path, data: object, name: str = "filterconfigs.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2))
    return path


def links(db_url: str) -> list[tuple[str, int, str, int]]:
    return query(
        db_url,
        'SELECT f.name, f.id, g.name, l."order" FROM usergroupfilterconfig l '
        "JOIN filterconfig f ON f.id = l.filterconfig_id JOIN usergroup g ON g.id = l.usergroup_id ORDER BY 1, 2, 3",
    )


def test_demo_configs_created_then_unchanged(groups: Cli, db_url):
    first = groups.ok("filterconfigs", "update", str(CONFIGS), "--json").json()
    assert first["changed"] is True and first["created"] == 5
    assert [row["action"] for row in first["filterconfigs"]] == ["created"] * 5
    assert query(db_url, "SELECT count(*) FROM filterconfig WHERE active") == [(5,)]
    stored = dict(query(db_url, "SELECT name, filterconfig FROM filterconfig"))
    assert stored["Default"] == DEMO[0]["filterconfig"]
    requirements = query(db_url, "SELECT requirements FROM filterconfig WHERE name = 'Trio'")
    assert requirements == [([{"function": "analysis", "params": {"is_trio": True}}],)]
    assert ("Default", 1, "testgroup02", 1) in links(db_url) and len(links(db_url)) == 9

    before = table_snapshot(db_url)
    second = groups.ok("filterconfigs", "update", str(CONFIGS), "--json").json()
    assert second["changed"] is False and second["unchanged"] == 5 and second["created"] == second["updated"] == 0
    assert table_snapshot(db_url) == before
    human = groups.ok("filterconfigs", "update", str(CONFIGS))
    assert "0 created, 0 updated, 5 unchanged" in human.stdout and "Ciliopathy recessive" in human.stdout


def test_changed_config_supersedes_the_old_row(groups: Cli, db_url, tmp_path):
    groups.ok("filterconfigs", "update", str(CONFIGS))
    data = copy.deepcopy(DEMO)
    data[0]["filterconfig"]["filters"][3]["config"]["qual"] = 50
    result = groups.ok("filterconfigs", "update", str(write(tmp_path, data)), "--json").json()
    assert result["names"]["updated"] == ["Default"] and result["unchanged"] == 4
    row = next(r for r in result["filterconfigs"] if r["name"] == "Default")
    assert row["action"] == "superseded" and row["previous_id"] == 1 and row["id"] == 6

    data[0]["requirements"] = [{"function": "analysis", "params": {"name": "^Diag-"}}]
    groups.ok("filterconfigs", "update", str(write(tmp_path, data)))
    chain = query(
        db_url,
        "SELECT id, active, date_superceeded IS NOT NULL, previous_filterconfig_id, filterconfig #> "
        "'{filters,3,config,qual}' FROM filterconfig WHERE name = 'Default' ORDER BY id",
    )
    assert chain == [(1, False, True, None, 100), (6, False, True, 1, 50), (7, True, False, 6, 50)]
    default_links = [link for link in links(db_url) if link[0] == "Default"]
    assert [(fc_id, group) for _, fc_id, group, _ in default_links if fc_id == 7] == [
        (7, "testgroup01"),
        (7, "testgroup02"),
        (7, "testgroup03"),
    ]
    assert len(default_links) == 9, "links of superseded rows are kept"
    again = groups.ok("filterconfigs", "update", str(write(tmp_path, data)), "--json").json()
    assert again["changed"] is False


def test_superseding_without_a_group_warns(groups: Cli, db_url, tmp_path):
    groups.ok("filterconfigs", "update", str(CONFIGS))
    data = copy.deepcopy(DEMO)
    data[1]["usergroups"] = [{"name": "testgroup01", "order": 1}]
    data[1]["requirements"][0]["params"]["is_family"] = True
    result = groups.ok("filterconfigs", "update", str(write(tmp_path, data)), "--json").json()
    assert result["names"]["updated"] == ["Trio"]
    assert any("'testgroup02' used filter config 'Trio' (id 2)" in m for m in result["messages"])
    assert [(fc_id, group) for name, fc_id, group, _ in links(db_url) if name == "Trio"] == [
        (2, "testgroup01"),
        (2, "testgroup02"),
        (6, "testgroup01"),
    ]


def test_order_change_updates_the_link_in_place(groups: Cli, db_url, tmp_path):
    groups.ok("filterconfigs", "update", str(CONFIGS))
    data = copy.deepcopy(DEMO)
    data[4]["usergroups"] = [{"name": "testgroup01", "order": 7}, {"name": "testgroup03", "order": 2}]
    result = groups.ok("filterconfigs", "update", str(write(tmp_path, data)), "--json").json()
    assert result["names"]["updated"] == ["CNV"]
    assert next(r for r in result["filterconfigs"] if r["name"] == "CNV")["action"] == "links updated"
    assert [link for link in links(db_url) if link[0] == "CNV"] == [
        ("CNV", 5, "testgroup01", 7),
        ("CNV", 5, "testgroup03", 2),
    ]
    assert query(db_url, "SELECT count(*) FROM filterconfig") == [(5,)]


def test_groups_no_longer_listed_keep_their_link(groups: Cli, db_url, tmp_path):
    groups.ok("filterconfigs", "update", str(CONFIGS))
    data = copy.deepcopy(DEMO)
    data[1]["usergroups"] = [{"name": "testgroup01", "order": 1}]
    result = groups.ok("filterconfigs", "update", str(write(tmp_path, data)), "--json").json()
    assert result["changed"] is False
    assert ("Trio", 2, "testgroup02", 2) in links(db_url)


def test_unknown_group_is_named_and_nothing_written(groups: Cli, db_url, tmp_path):
    data = copy.deepcopy(DEMO)
    data[2]["usergroups"].append({"name": "nobody", "order": 0})
    before = table_snapshot(db_url)
    result = groups("filterconfigs", "update", str(write(tmp_path, data)))
    assert result.exit_code == 3
    assert "filter config 'HBOC genes' names unknown user group 'nobody'" in " ".join(result.stderr.split())
    assert table_snapshot(db_url) == before


def test_order_dependency_on_groups(cli: Cli, db_url):
    result = cli("filterconfigs", "update", str(CONFIGS))
    assert result.exit_code == 3 and "users add_groups" in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d[0]["filterconfig"]["filters"].append({"name": "magic", "config": {}}), ["key '0.filterconfig"]),
        (lambda d: d[1].update(colour="red"), ["line {trio}", "key '1.colour'", "unknown key"]),
        (lambda d: d[3]["usergroups"][0].update(order=-1), ["key '3.usergroups.0.order'"]),
        (lambda d: d.append(copy.deepcopy(d[0])), ["key '5.name'", "'Default' is defined twice"]),
        (
            lambda d: d[0]["filterconfig"]["filters"][0]["config"]["groups"]["external"].update(EXAC=["G"]),
            ["'EXAC' is not in frequencies.groups.external"],
        ),
        (  # an exception naming a filter ELLA does not have
            lambda d: d[0]["filterconfig"]["filters"][1]["exceptions"].append({"name": "clinvar", "config": {}}),
            ["key '0.filterconfig.filters.1.exceptions.3.name'", "unknown filter 'clinvar'"],
        ),
        (  # ELLA's docs call it inheritance_model; its schema and filters say inheritancemodel
            lambda d: d[1]["filterconfig"]["filters"][2].update(name="inheritance_model"),
            ["line {trio}", "key '1.filterconfig.filters.2.name'", "unknown filter 'inheritance_model'"],
        ),
        (  # wrong types
            lambda d: d[0]["filterconfig"]["filters"][3]["config"].update(qual="high"),
            ["key '0.filterconfig.filters.3.config.qual'", "'high' is not of type 'number'"],
        ),
        (
            lambda d: d[2]["filterconfig"]["filters"][1]["config"]["clinvar"].update(num_stars=[2, 3, 4]),
            ["key '2.filterconfig.filters.1.config.clinvar.num_stars'", "is too long"],
        ),
        (
            lambda d: d[1]["filterconfig"]["filters"][1]["config"].pop("parental_mosaicism"),
            ["key '1.filterconfig.filters.1.config.parental_mosaicism'", "missing required key(s)"],
        ),
        (  # a class the application config does not have
            lambda d: d[0]["filterconfig"]["filters"][4]["config"].update(classes=["1", "Z"]),
            ["key 'filterconfig.filters.4.config.classes'", "class(es) Z are not in classification.options"],
        ),
    ],
)
def test_bad_input(groups: Cli, db_url, tmp_path, change, words):
    data = copy.deepcopy(DEMO)
    change(data)
    path = write(tmp_path, data)
    before = table_snapshot(db_url)
    result = groups("filterconfigs", "update", str(path), "--json")
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    lines = path.read_text().splitlines()
    trio = lines.index('    "name": "Trio",')  # the entry's "{" is the line before: 1-based, that is this index
    for word in [str(path), *(w.format(trio=trio) for w in words)]:
        assert word in message, (word, message)
    assert table_snapshot(db_url) == before


def test_malformed_json(groups: Cli, db_url, tmp_path):
    path = tmp_path / "filterconfigs.json"
    path.write_text('[\n  {"name": "x",\n')
    result = groups("filterconfigs", "update", str(path))
    assert result.exit_code == 2 and "invalid JSON" in result.stderr and str(path) in result.stderr


def test_list(groups: Cli, tmp_path):
    assert "no filter configs" in groups.ok("filterconfigs", "list").stdout
    groups.ok("filterconfigs", "update", str(CONFIGS))
    data = copy.deepcopy(DEMO)
    data[4]["filterconfig"]["filters"][1]["config"]["threshold"] = 5000
    groups.ok("filterconfigs", "update", str(write(tmp_path, data)))

    rows = groups.ok("filterconfigs", "list", "--json").json()["filterconfigs"]
    assert [r["name"] for r in rows] == ["CNV", "Ciliopathy recessive", "Default", "HBOC genes", "Trio"]
    cnv = rows[0]
    assert cnv["id"] == 6 and cnv["previous_filterconfig_id"] == 5 and cnv["filters"] == ["callertype", "size"]
    assert cnv["usergroups"] == [{"name": "testgroup01", "order": 3}]
    everything = groups.ok("filterconfigs", "list", "--all", "--json").json()["filterconfigs"]
    assert len(everything) == 6 and [r["active"] for r in everything if r["name"] == "CNV"] == [False, True]
    human = groups.ok("filterconfigs", "list").stdout
    assert "Default" in human and "testgroup02:1" in human and "is_trio" in human


def test_deactivate(groups: Cli, db_url):
    groups.ok("filterconfigs", "update", str(CONFIGS))
    # Ciliopathy recessive is testgroup02's config at order 0; Default and Trio remain
    result = groups.ok("filterconfigs", "deactivate", "4", "--reason", "retired", "--json").json()
    assert result["changed"] is True and result["names"]["updated"] == ["Ciliopathy recessive (id 4)"]
    assert result["warnings"] == []
    assert query(db_url, "SELECT active FROM filterconfig WHERE id = 4") == [(False,)]
    assert query(db_url, "SELECT reason FROM clilog WHERE command = 'deactivate'") == [("retired",)]

    again = groups.ok("filterconfigs", "deactivate", "4", "--json").json()
    assert again["changed"] is False and "already inactive" in again["messages"][0]

    # Default is the only requirement-free config of testgroup02 and testgroup03
    warned = groups.ok("filterconfigs", "deactivate", "1")
    assert "testgroup02' has no active filter config without requirements left" in warned.stdout
    # testgroup03 still has HBOC genes (with requirements); removing it leaves the group with none
    last = groups.ok("filterconfigs", "deactivate", "3", "--json").json()
    assert "warning: user group 'testgroup03' has no active filter config left" in last["warnings"]

    missing = groups("filterconfigs", "deactivate", "999")
    assert missing.exit_code == 4 and "999" in missing.stderr
