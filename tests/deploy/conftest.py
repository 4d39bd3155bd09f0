"""Fixtures for the deployment kit's static tests (no test host): role files, and templates rendered by
Ansible itself (ansible-playbook on localhost) for both runtimes of ella_services.

These tests need no database and no ELLA install. Rendering needs ansible-playbook: it is taken from
$ELLA_KIT_VENV (default /var/tmp/ella-kit-venv, made by testhosts/provision.sh) or PATH. Without it the
rendering tests are skipped, unless ELLA_DEPLOY_TESTS_REQUIRED=1 (scripts/test-deploy.sh sets it), which
turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = ROOT / "roles"
RENDER_PLAYBOOK = Path(__file__).with_name("render.yml")


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def flat_tasks(tasks: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Every task of a task list, those inside block/rescue/always included, in the order they are written."""
    out = []
    for task in tasks or []:
        out.append(task)
        for key in ("block", "rescue", "always"):
            out.extend(flat_tasks(task.get(key, [])))
    return out


def role_names() -> list[str]:
    """Every role: those with tasks, and ella_common (defaults and an argument spec only)."""
    return sorted(p.name for p in ROLES.iterdir() if (p / "defaults" / "main.yml").is_file())


def raw_defaults(role: str) -> dict[str, Any]:
    """A role's defaults/main.yml as written (references to ella_common's variables left as they are)."""
    return load_yaml(ROLES / role / "defaults" / "main.yml") or {}


COMMON_REF = re.compile(r"\{\{ (ella_common_\w+) \}\}")


def _resolve_common(value: Any, common: dict[str, Any]) -> Any:
    if isinstance(value, str):
        while COMMON_REF.search(value):
            value = COMMON_REF.sub(lambda m: str(common[m.group(1)]), value)
        return value
    if isinstance(value, list):
        return [_resolve_common(v, common) for v in value]
    if isinstance(value, dict):
        return {k: _resolve_common(v, common) for k, v in value.items()}
    return value


def defaults(role: str) -> dict[str, Any]:
    """A role's defaults as a deployment with defaults sees them: ``{{ ella_common_* }}`` replaced by
    ella_common's values (every role depends on ella_common)."""
    return _resolve_common(raw_defaults(role), raw_defaults("ella_common"))


def ansible_playbook() -> str | None:
    venv = Path(os.environ.get("ELLA_KIT_VENV", "/var/tmp/ella-kit-venv")) / "bin" / "ansible-playbook"
    if venv.is_file():
        return str(venv)
    return shutil.which("ansible-playbook")


def run_playbook(args: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    """``ansible-playbook ARGS`` with the kit's ansible.cfg and the kit venv's Python as the interpreter of
    local tasks; the test fails with the playbook's output when it fails. Without ansible-playbook the test
    is skipped (a failure under ELLA_DEPLOY_TESTS_REQUIRED=1)."""
    exe = ansible_playbook()
    if exe is None:
        if os.environ.get("ELLA_DEPLOY_TESTS_REQUIRED") == "1":
            pytest.fail("ansible-playbook not found: run testhosts/provision.sh --venv-only")
        pytest.skip("ansible-playbook not found (scripts/test-deploy.sh provisions it and runs these tests)")
    full_env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        **(env or {}),
    }
    interpreter = f"ansible_python_interpreter={Path(exe).parent / 'python'}"
    proc = subprocess.run(
        [exe, *args, "-e", interpreter], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0:
        pytest.fail(f"ansible-playbook failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}")


def _render(tmp: Path, extra: dict[str, Any]) -> Path:
    out = tmp / "out"
    out.mkdir(parents=True)
    variables = {"render_out": str(out), "kit_root": str(ROOT), **extra}
    run_playbook(["-i", "localhost,", "-c", "local", str(RENDER_PLAYBOOK), "-e", json.dumps(variables)])
    return out


@pytest.fixture(scope="session")
def rendered_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _render(tmp_path_factory.mktemp("venv"), {"ella_services_runtime": "venv"})


@pytest.fixture(scope="session")
def rendered_apptainer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _render(tmp_path_factory.mktemp("apptainer"), {"ella_common_runtime": "apptainer"})


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as {section: {key: [values...]}} (keys may repeat; continuation lines joined)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip() if pending else raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path.name}: key outside a section: {line}"
        assert "=" in line, f"{path.name}: not KEY=VALUE: {line}"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections
