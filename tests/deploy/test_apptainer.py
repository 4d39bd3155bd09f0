"""ella_services_runtime=apptainer. Apptainer cannot be installed on the machines this kit is tested on, so
this mode is tested statically only: the rendered units and the definition file."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.deploy.conftest import parse_unit

DAEMONS = ("ella-api.service", "ella-watcher.service", "ella-poller.service")
SIF = "/opt/ella/images/ella.sif"


def exec_argv(line: str) -> list[str]:
    argv = shlex.split(line)
    assert argv[:2] == ["/usr/bin/apptainer", "exec"], line
    return argv


def binds(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == "--bind"]


@pytest.mark.parametrize("unit", DAEMONS)
def test_units_exec_the_sif_in_the_foreground_with_binds(rendered_apptainer: Path, unit: str) -> None:
    svc = parse_unit(rendered_apptainer / unit)["Service"]
    for line in svc["ExecStart"] + svc["ExecStartPre"]:
        argv = exec_argv(line)
        assert "instance" not in argv  # foreground: journald, Restart= and the cgroup keep working
        assert "--no-home" in argv
        assert set(binds(argv)) >= {"/data:/data", "/etc/ella:/etc/ella:ro", "/var/log/ella:/var/log/ella"}
        assert argv[argv.index(SIF) - 1].startswith("/var/log/ella")  # the SIF follows the options
    pre = exec_argv(svc["ExecStartPre"][0])
    assert pre[pre.index(SIF) + 1 :] == ["ella-cli", "database", "compare"]
    assert svc["Type"] == ["exec"]
    assert svc["Restart"] == ["on-failure"] and svc["User"] == ["ella"]
    assert svc["EnvironmentFile"] == ["/etc/ella/ella.env"]


@pytest.mark.parametrize("unit", DAEMONS)
def test_sandbox_keeps_what_apptainer_allows(rendered_apptainer: Path, unit: str) -> None:
    svc = parse_unit(rendered_apptainer / unit)["Service"]
    for key in ("ProtectSystem", "PrivateTmp", "NoNewPrivileges", "ProtectHome", "ReadWritePaths"):
        assert key in svc, key
    # apptainer needs namespaces, mount(2) and fuse/loop devices
    for key in ("RestrictNamespaces", "SystemCallFilter", "PrivateDevices", "ProtectKernelModules"):
        assert key not in svc, key


def test_api_takes_the_systemd_socket_as_fd3(rendered_apptainer: Path) -> None:
    svc = parse_unit(rendered_apptainer / "ella-api.service")
    argv = exec_argv(svc["Service"]["ExecStart"][0])
    rest = argv[argv.index(SIF) + 1 :]
    assert rest[:3] == ["gunicorn", "--bind", "fd://3"]
    assert rest[-1] == "ella_app.api.wsgi:app"
    assert svc["Unit"]["Requires"] == ["ella-api.socket"]
    assert "NotifyAccess" not in svc["Service"]


def test_daemon_commands(rendered_apptainer: Path) -> None:
    for unit, cmd in (
        ("ella-watcher.service", ["ella-cli", "analyses", "watch"]),
        ("ella-poller.service", ["ella-cli", "annotation", "poll"]),
    ):
        argv = exec_argv(parse_unit(rendered_apptainer / unit)["Service"]["ExecStart"][0])
        assert argv[argv.index(SIF) + 1 :] == cmd


def definition_sections(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    header: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^%(\w+)\s*$", line)
        if m:
            current = m.group(1)
            sections[current] = []
        elif current is None:
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
        else:
            sections[current].append(line.strip())
    return header, sections


def test_definition_file(rendered_apptainer: Path) -> None:
    header, sections = definition_sections((rendered_apptainer / "ella.def").read_text())
    assert header == {"Bootstrap": "docker", "From": "debian:bookworm-slim"}
    assert set(sections) == {"files", "post", "environment", "runscript", "test", "labels"}
    assert sections["files"] == ["/opt/ella/current/wheelhouse /opt/ella/wheelhouse"]
    post = "\n".join(sections["post"])
    assert "python3 -m venv /opt/ella/venv" in post
    assert re.search(r"pip install --no-index --find-links /opt/ella/wheelhouse .*ella-app$", post, re.M)
    assert "export PATH=/opt/ella/venv/bin:$PATH" in sections["environment"]
    assert any("ella-cli --version" in line for line in sections["test"])
    assert any("gunicorn --version" in line for line in sections["test"])
