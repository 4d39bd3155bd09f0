"""The roles share a few facts (user, paths, socket, files) through separate variables; their defaults must
agree, or a deployment with defaults would break between two roles."""

from __future__ import annotations

from tests.deploy.conftest import defaults


def test_one_user_for_every_role() -> None:
    user = defaults("ella_app")["ella_app_user"]
    assert defaults("ella_services")["ella_services_user"] == user
    assert defaults("ella_fixtures")["ella_fixtures_work_owner"] == user
    assert defaults("ella_igv")["ella_igv_owner"] == user
    group = defaults("ella_app")["ella_app_group"]
    assert defaults("ella_services")["ella_services_group"] == group
    assert defaults("ella_fixtures")["ella_fixtures_owner_group"] == group
    assert defaults("ella_igv")["ella_igv_group"] == group


def test_database_password_file_is_shared() -> None:
    assert (
        defaults("ella_app")["ella_app_db_password_file"]
        == defaults("ella_postgresql")["ella_postgresql_password_file"]
    )
    assert defaults("ella_app")["ella_app_db_name"] == defaults("ella_postgresql")["ella_postgresql_db_name"]
    assert defaults("ella_app")["ella_app_db_user"] == defaults("ella_postgresql")["ella_postgresql_db_user"]


def test_paths_agree() -> None:
    app, services = defaults("ella_app"), defaults("ella_services")
    install = app["ella_app_install_dir"]
    assert services["ella_services_venv"] == f"{install}/current/venv"
    assert defaults("ella_nginx")["ella_nginx_static_root"] == f"{install}/current/webui"
    assert services["ella_services_apptainer_wheelhouse"] == f"{install}/current/wheelhouse"
    assert services["ella_services_env_file"] == f"{app['ella_app_config_dir']}/ella.env"
    assert services["ella_services_config_dir"] == app["ella_app_config_dir"]
    assert services["ella_services_data_dir"] == app["ella_app_data_dir"]
    assert services["ella_services_log_dir"] == app["ella_app_log_dir"]
    assert defaults("ella_fixtures")["ella_fixtures_dest_dir"] == app["ella_app_fixtures_dir"]
    assert defaults("ella_igv")["ella_igv_data_dir"] == app["ella_app_igv_data"]
    assert defaults("ella_wheelhouse")["ella_wheelhouse_dir"] == app["ella_app_wheelhouse_dir"]
    for role in ("ella_schema", "ella_fixtures", "ella_igv"):
        assert defaults(role)[f"{role}_cli"] == app["ella_app_cli_path"], role


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
    assert nginx["ella_nginx_api_socket"] == services["ella_services_api_socket"]
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
