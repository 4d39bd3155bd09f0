"""ella_app's computed defaults as Ansible evaluates them for each host of an inventory (no host needed):
the database host an app host connects to follows the inventory's ella_db group."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.deploy.conftest import ROLES, run_playbook

SEVERAL_HOSTS: dict[str, Any] = {
    "all": {
        "children": {
            "ella_db": {"hosts": {"db1": {"ansible_host": "192.0.2.10"}}},
            "ella_app": {"hosts": {"app1": {"ansible_host": "192.0.2.21"}, "app2": {}}},
        }
    }
}
DB_WITHOUT_ADDRESS: dict[str, Any] = {
    "all": {
        "children": {
            "ella_db": {"hosts": {"db.lab.example": {}}},
            "ella_app": {"hosts": {"app1": {"ansible_host": "192.0.2.21"}}},
        }
    }
}
ALL_IN_ONE: dict[str, Any] = {
    "all": {
        "children": {
            "ella_db": {"hosts": {"aio": {"ansible_host": "192.0.2.30"}}},
            "ella_app": {"hosts": {"aio": {}}},
        }
    }
}
EXTERNAL_DB: dict[str, Any] = {"all": {"children": {"ella_app": {"hosts": {"app1": {}}}}}}


def db_hosts(tmp_path: Path, inventory: dict[str, Any]) -> dict[str, str]:
    """ella_app_db_host of every ella_app host, evaluated from the role's defaults (loaded as play vars)."""
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    out = tmp_path / "out"
    out.mkdir()
    playbook = [
        {
            "name": "Evaluate ella_app's defaults",
            "hosts": "ella_app",
            "connection": "local",
            "gather_facts": False,
            "vars_files": [str(ROLES / role / "defaults" / "main.yml") for role in ("ella_common", "ella_app")],
            "tasks": [
                {
                    "name": "Write the database host",
                    "ansible.builtin.copy": {
                        "content": "{{ ella_app_db_host }}",
                        "dest": f"{out}/{{{{ inventory_hostname }}}}",
                        "mode": "0644",
                    },
                    "delegate_to": "localhost",
                }
            ],
        }
    ]
    (tmp_path / "play.json").write_text(json.dumps(playbook))
    run_playbook(["-i", str(tmp_path / "inventory.json"), str(tmp_path / "play.json")])
    return {p.name: p.read_text() for p in out.iterdir()}


def test_app_hosts_reach_the_first_database_host(tmp_path: Path) -> None:
    assert db_hosts(tmp_path, SEVERAL_HOSTS) == {"app1": "192.0.2.10", "app2": "192.0.2.10"}


def test_database_host_without_ansible_host_is_reached_by_name(tmp_path: Path) -> None:
    assert db_hosts(tmp_path, DB_WITHOUT_ADDRESS) == {"app1": "db.lab.example"}


def test_all_in_one_host_uses_loopback(tmp_path: Path) -> None:
    assert db_hosts(tmp_path, ALL_IN_ONE) == {"aio": "127.0.0.1"}


def test_without_database_group_loopback_is_the_default(tmp_path: Path) -> None:
    assert db_hosts(tmp_path, EXTERNAL_DB) == {"app1": "127.0.0.1"}
