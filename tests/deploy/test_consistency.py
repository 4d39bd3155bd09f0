"""The facts the roles share (user, paths, CLI, environment file, socket, database names) are defined once, in
ella_common's defaults; each role's variable for such a fact defaults to ella_common's, and each role that
reads one depends on ella_common. What is left to check across roles is what no single variable expresses."""

from __future__ import annotations

import re

from tests.deploy.conftest import ROLES, defaults, load_yaml, raw_defaults, role_names

COMMON_REF = re.compile(r"\{\{ (ella_common_\w+) \}\}")


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
    common = set(raw_defaults("ella_common"))
    for path in ROLES.glob("*/*/*.yml"):
        for name in COMMON_REF.findall(path.read_text()):
            assert name in common, f"{path}: {name} is not defined in ella_common"


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
