"""Runtime apptainer (ella_common_runtime: apptainer), statically: the rendered units, the image's definition,
the ella-cli wrapper (run here with a stand-in for apptainer) and the rule that builds a release's image again
only when its inputs changed. molecule/apptainer deploys it on a real Apptainer (a Debian sid test host)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import ROLES, flat_tasks, load_yaml, parse_unit
from tests.deploy.test_skip_rules import APP_INPUTS, OTHER_WHEELS, conditions, evaluate, install_marker

DAEMONS = ("ella-api.service", "ella-watcher.service", "ella-poller.service")
IMAGE = "/opt/ella/current/image"
BINDS = {"/data:/data", "/etc/ella:/etc/ella:ro", "/var/log/ella:/var/log/ella"}


def exec_argv(line: str) -> list[str]:
    argv = shlex.split(line)
    assert argv[:2] == ["/usr/bin/apptainer", "exec"], line
    return argv


def binds(argv: list[str]) -> list[str]:
    """apptainer's --bind options (those before the image; gunicorn has a --bind of its own after it)."""
    options = argv[: argv.index(IMAGE)]
    return [options[i + 1] for i, a in enumerate(options) if a == "--bind"]


@pytest.mark.parametrize("unit", DAEMONS)
def test_units_exec_the_image_in_the_foreground_with_binds(rendered_apptainer: Path, unit: str) -> None:
    svc = parse_unit(rendered_apptainer / unit)["Service"]
    for line in svc["ExecStart"] + svc["ExecStartPre"]:
        argv = exec_argv(line)
        assert "instance" not in argv  # foreground: journald, Restart= and the cgroup keep working
        assert "--no-home" in argv
        assert set(binds(argv)) == BINDS
        assert argv[argv.index(IMAGE) - 1].startswith("/var/log/ella")  # the image follows the options
    pre = exec_argv(svc["ExecStartPre"][0])
    assert pre[pre.index(IMAGE) + 1 :] == ["ella-cli", "database", "compare"]
    assert svc["Type"] == ["exec"]
    assert svc["Restart"] == ["on-failure"] and svc["User"] == ["ella"]
    assert svc["EnvironmentFile"] == ["/etc/ella/ella.env"]


@pytest.mark.parametrize("unit", DAEMONS)
def test_sandbox_keeps_what_apptainer_allows(rendered_apptainer: Path, unit: str) -> None:
    svc = parse_unit(rendered_apptainer / unit)["Service"]
    for key in ("ProtectSystem", "PrivateTmp", "NoNewPrivileges", "ProtectHome", "ReadWritePaths"):
        assert key in svc, key
    assert svc["PrivateDevices"] == ["yes"] and svc["ProtectKernelModules"] == ["yes"]
    # apptainer needs a user and a mount namespace, mount(2), and setuid/capset inside them (@privileged);
    # every other namespace and the @resources calls stay refused (tried by hand on a sid host: ~@privileged
    # fails with "Failed to set all user ID", without @mount the image cannot be mounted)
    assert svc["RestrictNamespaces"] == ["user mnt"]
    assert svc["SystemCallFilter"] == ["@system-service @mount", "~@resources"]
    assert svc["SystemCallErrorNumber"] == ["EPERM"]


def test_api_takes_the_systemd_socket_as_fd3(rendered_apptainer: Path) -> None:
    svc = parse_unit(rendered_apptainer / "ella-api.service")
    argv = exec_argv(svc["Service"]["ExecStart"][0])
    rest = argv[argv.index(IMAGE) + 1 :]
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
        assert argv[argv.index(IMAGE) + 1 :] == cmd


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


def test_definition_bootstraps_debian_and_installs_the_wheelhouse_offline(rendered_apptainer: Path) -> None:
    header, sections = definition_sections((rendered_apptainer / "ella.def").read_text())
    # no image registry: debootstrap from the Debian mirror (through the host's apt proxy, see image.yml)
    assert header == {
        "Bootstrap": "debootstrap",
        "OSVersion": "bookworm",
        "MirrorURL": "http://deb.debian.org/debian",
        "Include": "python3,python3-venv,ca-certificates",
    }
    assert set(sections) == {"files", "post", "environment", "runscript", "test", "labels"}
    assert sections["files"] == ["/opt/ella/releases/0123456789ab/wheelhouse /opt/ella/wheelhouse"]
    post = "\n".join(sections["post"])
    assert "python3 -m venv /opt/ella/venv" in post
    assert re.search(r"pip install --no-index --find-links /opt/ella/wheelhouse .*ella-app$", post, re.M)
    assert "apt-get install" not in post  # everything from Debian comes in by debootstrap's Include
    assert "export PATH=/opt/ella/venv/bin:$PATH" in sections["environment"]
    assert any("ella-cli --version" in line for line in sections["test"])
    assert any("gunicorn --version" in line for line in sections["test"])


def _image_tasks() -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in flat_tasks(load_yaml(ROLES / "ella_app" / "tasks" / "image.yml"))}


def test_image_is_a_sandbox_built_with_fakeroot_through_the_apt_proxy() -> None:
    tasks = _image_tasks()
    build = tasks["Build the image (debootstrap, the app from the wheelhouse, then its %test)"]
    argv = build["ansible.builtin.command"]["argv"]
    assert argv[1:5] == ["build", "--fakeroot", "--force", "--sandbox"]
    assert argv[5].endswith("/image.build") and argv[6].endswith("/ella.def")
    assert "http_proxy" in build["environment"]
    proxy = tasks["Read the host's apt proxy (debootstrap goes through it)"]["ansible.builtin.command"]["argv"]
    assert proxy == ["apt-config", "shell", "proxy", "Acquire::http::Proxy"]
    place = tasks["Put the new image in place"]
    assert place["ansible.builtin.command"]["argv"][:3] == ["mv", "-T", "{{ _ella_app_release_dir }}/image.build"]
    assert place["notify"] == "ella restart"


IMAGE_INCLUDE = (
    "install.yml",
    "Build the release's Apptainer image and link its web UI (skipped while the install marker matches)",
)
APPTAINER_INPUTS = {**APP_INPUTS, "ella_app_runtime": "apptainer", "_ella_app_release_dir": "/opt/ella/releases/r1"}


def _image_case(previous: dict[str, Any] | None, **current: Any) -> dict[str, Any]:
    return {
        "vars": {**APPTAINER_INPUTS, "_ella_app_release_dir_created": {"changed": False}, **current},
        "marker": install_marker(previous),
    }


IMAGE_CASES = {
    "same": (_image_case(APPTAINER_INPUTS), False),
    "no_marker": (_image_case(None), True),
    "wheel_changed": (_image_case(APPTAINER_INPUTS, _ella_app_wheels=OTHER_WHEELS), True),
    "definition_changed": (_image_case(APPTAINER_INPUTS, ella_app_image_suite="trixie"), True),
    "mirror_changed": (_image_case(APPTAINER_INPUTS, ella_app_image_mirror="http://mirror.example/debian"), True),
    "was_a_venv": (_image_case({**APPTAINER_INPUTS, "ella_app_runtime": "venv"}), True),
    "forced": (_image_case(APPTAINER_INPUTS, ella_app_force_install=True), True),
    "check_mode_new_release": (
        _image_case(None, _check=True, _ella_app_release_dir_created={"changed": True}),
        False,
    ),
}


def test_image_is_built_exactly_when_the_marker_does_not_match(tmp_path: Path) -> None:
    """Mirrors the venv's rule (test_skip_rules.py): a release's image is built once; a changed wheelhouse,
    definition (suite, mirror), a venv release or ella_app_force_install build it again; check mode on a new
    release builds nothing."""
    (tmp_path / "templates").symlink_to(ROLES / "ella_app" / "templates")  # the stamp's template lookup
    cases = {k: v[0] for k, v in IMAGE_CASES.items()}
    expression = conditions("ella_app", IMAGE_INCLUDE, ("image.yml", "Build the release's image"))
    assert evaluate(tmp_path, "ella_app", expression, cases) == {k: v[1] for k, v in IMAGE_CASES.items()}


def test_venv_runtime_never_builds_an_image(tmp_path: Path) -> None:
    cases = {"venv": _image_case(None, ella_app_runtime="venv")}
    expression = conditions("ella_app", IMAGE_INCLUDE)
    assert evaluate(tmp_path, "ella_app", expression, cases) == {"venv": False}


def test_wrapper_runs_the_images_ella_cli_as_the_ella_user(rendered_apptainer: Path) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv (util-linux)")
    # a directory the unprivileged user can reach (pytest's own tmp_path sits under a root-only directory)
    tmp_path = Path(tempfile.mkdtemp(prefix="ella-apptainer-wrapper-", dir="/var/tmp"))
    try:
        _check_apptainer_wrapper(tmp_path, rendered_apptainer)
    finally:
        shutil.rmtree(tmp_path)


def _check_apptainer_wrapper(tmp_path: Path, rendered_apptainer: Path) -> None:
    fake = tmp_path / "apptainer"
    fake.write_text('#!/bin/sh\necho "user=$(id -un) pwd=$(pwd) db=$DB_URL args=$*"\n')
    env = tmp_path / "ella.env"
    env.write_text("DB_URL='postgresql://x@y/z'\n")
    wrapper = tmp_path / "ella-cli"
    text = (rendered_apptainer / "ella-cli").read_text()
    assert "exec /usr/bin/apptainer exec" in text
    wrapper.write_text(
        text.replace("ENV_FILE='/etc/ella/ella.env'", f"ENV_FILE='{env}'")
        .replace("exec /usr/bin/apptainer exec", f"exec {fake} exec")
        .replace("RUN_AS='ella'", "RUN_AS='nobody'")
        .replace("SELF='/usr/local/bin/ella-cli'", f"SELF='{wrapper}'")
    )
    for f in (fake, wrapper):
        f.chmod(0o755)
    env.chmod(0o644)
    tmp_path.chmod(0o755)
    private = tmp_path / "private"  # a working directory the ELLA user cannot enter (as root's home)
    private.mkdir(mode=0o700)

    def run(cwd: Path, extra: dict[str, str]) -> str:
        out = subprocess.run(
            [str(wrapper), "users", "list"],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={"PATH": "/usr/bin:/bin", **extra},
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    # ella_common_apptainer_binds in their order, then the live release's image (ELLA_CLI_RELEASE: another one)
    expected_args = (
        "exec --bind /data:/data --bind /etc/ella:/etc/ella:ro --bind /var/log/ella:/var/log/ella "
        "/opt/ella/current/image ella-cli users list"
    )
    assert run(private, {}) == f"user=nobody pwd=/ db=postgresql://x@y/z args={expected_args}"
    assert run(Path("/"), {"ELLA_CLI_RELEASE": "r2"}) == (
        f"user=nobody pwd=/ db=postgresql://x@y/z args={expected_args.replace('current', 'releases/r2')}"
    )


def test_image_build_goes_through_the_hosts_apt_proxy(tmp_path: Path) -> None:
    """The proxy read from `apt-config shell proxy Acquire::http::Proxy` (a bug once gave the literal ``\\1``)."""
    shell = "proxy='http://10.213.0.1:3142'"
    cases = {
        "from_apt": {"vars": {"_ella_app_apt_proxy": {"stdout": shell}}},
        "apt_has_none": {"vars": {"_ella_app_apt_proxy": {"stdout": ""}}},
        "given": {"vars": {"ella_app_image_http_proxy": "http://p:1", "_ella_app_apt_proxy": {"skipped": True}}},
    }
    expected = {"from_apt": "http://10.213.0.1:3142", "apt_has_none": "", "given": "http://p:1"}
    for case, value in expected.items():
        (tmp_path / case).mkdir()
        results = evaluate(tmp_path / case, "ella_app", f"_ella_app_image_proxy == {value!r}", {case: cases[case]})
        assert results == {case: True}, (case, value)
