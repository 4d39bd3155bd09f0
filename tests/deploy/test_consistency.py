"""The facts the roles share (user, paths, CLI, environment file, socket, database names) are defined once, in
ella_common's defaults; each role's variable for such a fact defaults to ella_common's, and each role that
reads one depends on ella_common. What is left to check across roles is what no single variable expresses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.deploy.conftest import ROLES, defaults, load_yaml, raw_defaults, role_names

COMMON_REF = re.compile(r"\{\{ (ella_common_\w+) \}\}")
ANY_COMMON = re.compile(r"\bella_common_\w+")


def test_shared_facts_are_read_from_ella_common_only() -> None:
    """No role repeats a value of ella_common: a literal default equal to a shared fact is a second copy."""
    common = defaults("ella_common")
    shared_values = {v for k, v in common.items() if k != "ella_common_group" and isinstance(v, str)}
    for role in role_names():
        if role == "ella_common":
            continue
        for key, value in raw_defaults(role).items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and not COMMON_REF.search(item):
                    assert item not in shared_values, f"{role}.{key} repeats ella_common's {item!r}: read it from there"


def test_roles_that_read_shared_facts_depend_on_ella_common() -> None:
    for role in role_names():
        text = (ROLES / role / "defaults" / "main.yml").read_text()
        if "ella_common_" not in text or role == "ella_common":
            continue
        dependencies = load_yaml(ROLES / role / "meta" / "main.yml")["dependencies"]
        assert "ella_common" in [d["role"] if isinstance(d, dict) else d for d in dependencies], role


def test_every_reference_names_a_fact_of_ella_common() -> None:
    """Every ``ella_common_*`` name a role's YAML or template uses, inside any expression, is one of ella_common's
    defaults (a misspelt one would be undefined only when that task runs)."""
    common = set(raw_defaults("ella_common"))
    files = [p for p in ROLES.glob("*/*/*") if p.suffix in (".yml", ".j2") and p.is_file()]
    assert len(files) > 50, len(files)
    for path in files:
        for name in ANY_COMMON.findall(path.read_text()):
            assert name in common, f"{path}: {name} is not defined in ella_common"


def _values(node: Any) -> Iterator[str]:
    """The strings of a YAML document, its keys and argument specs' descriptions left out."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "description":
                yield from _values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _values(item)
    elif isinstance(node, str):
        yield node


def test_the_unit_names_are_listed_once() -> None:
    """Which units ELLA runs is ella_common's fact: no other role's tasks, handlers, defaults or vars name one (only
    ella_services' unit files, which are those units, and prose). Four roles kept their own copy of the list."""
    common = defaults("ella_common")
    units = [common["ella_common_api_socket_unit"], *common["ella_common_daemon_units"]]
    assert units == ["ella-api.socket", "ella-api.service", "ella-watcher.service", "ella-poller.service"]
    checked = 0
    for path in ROLES.glob("*/*/*.yml"):
        if path.parts[-3] == "ella_common":
            continue
        checked += 1
        for value in _values(load_yaml(path)):
            named = [unit for unit in units if unit in value]
            assert not named, f"{path}: {value!r} names {named}: read ella_common_api_socket_unit / _daemon_units"
    assert checked > 40, checked


def test_writable_paths_cover_what_each_process_writes() -> None:
    app, services = defaults("ella_app"), defaults("ella_services")
    assert app["ella_app_attachment_storage"] in services["ella_services_api_writable_paths"]
    assert app["ella_app_analyses_incoming"] in services["ella_services_watcher_writable_paths"]
    assert app["ella_app_analyses_path"] in services["ella_services_watcher_writable_paths"]
    for unit in ("api", "watcher", "poller"):
        assert app["ella_app_log_dir"] in services[f"ella_services_{unit}_writable_paths"], unit
        # nothing outside ELLA's data and log dirs is writable
        for path in services[f"ella_services_{unit}_writable_paths"]:
            assert path.startswith((app["ella_app_data_dir"] + "/", app["ella_app_log_dir"])), (unit, path)


def test_socket_and_timeouts() -> None:
    services, nginx = defaults("ella_services"), defaults("ella_nginx")
    assert nginx["ella_nginx_proxy_read_timeout"] > services["ella_services_api_timeout"]
    assert nginx["ella_nginx_port"] == 3114
    assert services["ella_services_api_socket_group"] == "www-data"  # Debian's nginx user


def test_config_defaults_follow_the_data_layout() -> None:
    app = defaults("ella_app")
    assert app["ella_app_config_defaults"]["app"]["attachment_storage"] == "{{ ella_app_attachment_storage }}"
    for key in (
        "app",
        "user",
        "analysis",
        "frequencies",
        "classification",
        "report",
        "transcripts",
        "igv",
        "import",
        "similar_alleles",
    ):
        assert key in app["ella_app_config_defaults"], key
