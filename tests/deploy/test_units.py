"""The systemd units as rendered for the venv runtime (the one the Molecule scenario runs for real)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deploy.conftest import defaults, parse_unit

DAEMONS = ("ella-api.service", "ella-watcher.service", "ella-poller.service")
HARDENING = {
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "NoNewPrivileges": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectControlGroups": "yes",
    "RestrictNamespaces": "yes",
    "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes",
    "CapabilityBoundingSet": "",
}


@pytest.mark.parametrize("unit", DAEMONS)
def test_daemon_units_are_grouped_restarted_and_hardened(rendered_venv: Path, unit: str) -> None:
    u = parse_unit(rendered_venv / unit)
    assert u["Unit"]["PartOf"] == ["ella.target"]
    assert u["Install"]["WantedBy"] == ["ella.target"]
    # started only once /data is mounted (an NFS export on several app hosts)
    assert u["Unit"]["RequiresMountsFor"] == ["/data"]
    svc = u["Service"]
    assert svc["Restart"] == ["on-failure"]
    assert float(svc["RestartSec"][0]) <= 5
    assert svc["User"] == ["ella"] and svc["Group"] == ["ella"]
    assert svc["EnvironmentFile"] == ["/etc/ella/ella.env"]
    assert svc["StandardOutput"] == ["journal"] and svc["StandardError"] == ["journal"]
    for key, value in HARDENING.items():
        assert svc.get(key) == [value], f"{unit}: {key}={svc.get(key)}"
    assert "@system-service" in svc["SystemCallFilter"]
    # refuse to start on an unmigrated database
    assert svc["ExecStartPre"] == ["/opt/ella/current/venv/bin/ella-cli database compare"]


def test_writable_paths_are_exactly_the_configured_ones(rendered_venv: Path) -> None:
    d = defaults("ella_services")
    for unit, key in (
        ("ella-api.service", "api"),
        ("ella-watcher.service", "watcher"),
        ("ella-poller.service", "poller"),
    ):
        paths = parse_unit(rendered_venv / unit)["Service"]["ReadWritePaths"]
        assert paths == [" ".join(d[f"ella_services_{key}_writable_paths"])], unit


def test_api_is_gunicorn_notify_on_the_systemd_socket(rendered_venv: Path) -> None:
    svc = parse_unit(rendered_venv / "ella-api.service")
    assert svc["Unit"]["Requires"] == ["ella-api.socket"]
    assert svc["Service"]["Type"] == ["notify"]
    assert svc["Service"]["NotifyAccess"] == ["main"]
    start = svc["Service"]["ExecStart"][0].split()
    assert start[0] == "/opt/ella/current/venv/bin/gunicorn"
    assert start[-1] == "ella_app.api.wsgi:app"
    assert "--bind" not in start  # the socket comes from systemd (LISTEN_FDS)
    assert start[start.index("--workers") + 1] == str(defaults("ella_services")["ella_services_api_workers"])
    sock = parse_unit(rendered_venv / "ella-api.socket")["Socket"]
    assert sock["ListenStream"] == ["/run/ella/api.sock"]
    assert sock["SocketGroup"] == ["www-data"] and sock["SocketMode"] == ["0660"]


def test_daemons_run_the_cli_subcommands(rendered_venv: Path) -> None:
    watch = parse_unit(rendered_venv / "ella-watcher.service")["Service"]["ExecStart"]
    poll = parse_unit(rendered_venv / "ella-poller.service")["Service"]["ExecStart"]
    assert watch == ["/opt/ella/current/venv/bin/ella-cli analyses watch"]
    assert poll == ["/opt/ella/current/venv/bin/ella-cli annotation poll"]


def test_target_pulls_everything_and_starts_at_boot(rendered_venv: Path) -> None:
    t = parse_unit(rendered_venv / "ella.target")
    wants = t["Unit"]["Wants"][0].split()
    assert set(wants) == {"ella-api.socket", *DAEMONS}
    assert t["Install"]["WantedBy"] == ["multi-user.target"]


def test_nginx_site(rendered_venv: Path) -> None:
    site = (rendered_venv / "ella-site.conf").read_text()
    assert "listen 3114 default_server;" in site
    assert "server unix:/run/ella/api.sock" in site
    assert "location /api {" in site and "proxy_pass http://ella_api;" in site
    assert "root /opt/ella/current/webui;" in site
    assert "try_files $uri $uri/ /index.html;" in site
    assert site.count("{") == site.count("}")
