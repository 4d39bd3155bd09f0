"""Files the ella_app role writes: the environment file and its checker, ella_config.yml, the ella-cli
wrapper; and the controller's wheelhouse builder."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from unittest import mock

import pytest
import yaml

from tests.deploy.conftest import ROLES, ROOT

CHECK_ENV = ROLES / "ella_app" / "files" / "check-env"
BUILDER = ROLES / "ella_wheelhouse" / "files" / "build-wheelhouse.sh"
GOOD_ENV = """# comment
ELLA_CONFIG='/etc/ella/ella_config.yml'
DB_URL='postgresql://ella:abc123@127.0.0.1:5432/ella'
ANALYSES_PATH='/data/analyses/imported'
ANALYSES_INCOMING='/data/analyses/incoming'
ATTACHMENT_STORAGE='/data/attachments'
IGV_DATA='/data/igv-data'

EXTRA=bare-value
"""


def check_env(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    f = tmp_path / "ella.env"
    f.write_text(text)
    return subprocess.run([str(CHECK_ENV), str(f)], capture_output=True, text=True)


def test_env_checker_accepts_a_good_file(tmp_path: Path) -> None:
    assert check_env(tmp_path, GOOD_ENV).returncode == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("DB_URL='postgresql://", "DB_URL='mysql://"), "postgresql"),
        (("IGV_DATA='/data/igv-data'", "IGV_DATA=''"), "IGV_DATA missing or empty"),
        (("ANALYSES_PATH='/data/analyses/imported'\n", ""), "ANALYSES_PATH missing"),
        (("EXTRA=bare-value", "EXTRA=two words"), "bare or single-quoted"),
        (("EXTRA=bare-value", "EXTRA='it''s'"), "bare or single-quoted"),
        (("EXTRA=bare-value", "EXTRA=$(reboot)"), "bare or single-quoted"),
        (("EXTRA=bare-value", "not an assignment"), "not KEY=VALUE"),
    ],
)
def test_env_checker_rejects(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    result = check_env(tmp_path, GOOD_ENV.replace(*change))
    assert result.returncode != 0
    assert message in result.stderr


def test_rendered_env_file_passes_the_checker(rendered_venv: Path) -> None:
    result = subprocess.run([str(CHECK_ENV), str(rendered_venv / "ella.env")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _untag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    return None


class TaggedLoader(yaml.SafeLoader):
    pass


TaggedLoader.add_multi_constructor("!", _untag)


def shape(value: object) -> object:
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    return type(value).__name__ if value is not None else None


def test_rendered_config_has_the_keys_of_the_apps_example(rendered_venv: Path) -> None:
    rendered = yaml.safe_load((rendered_venv / "ella_config.yml").read_text())
    example = yaml.load((ROOT / "files" / "ella_config.example.yml").read_text(), Loader=TaggedLoader)

    def keys(d: object, prefix: str = "") -> set[str]:
        if not isinstance(d, dict):
            return set()
        out = set()
        for k, v in d.items():
            out.add(prefix + str(k))
            out |= keys(v, f"{prefix}{k}.")
        return out

    assert keys(rendered) == keys(example)
    assert rendered["app"]["attachment_storage"] == "/data/attachments"


def test_rendered_config_is_valid_for_the_app(rendered_venv: Path) -> None:
    try:
        from ella_app.config import load_config_file
    except ImportError:
        if os.environ.get("ELLA_DEPLOY_TESTS_REQUIRED") == "1" and shutil.which("ella-cli"):
            pytest.fail("ella_app not importable")
        pytest.skip("ella_app is not installed here (the Molecule scenario validates the config on the host)")
    load_config_file(str(rendered_venv / "ella_config.yml"))


def test_annotation_service_and_preimport_are_role_variables(
    rendered_venv: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Issue 15: the annotation service URL and the preimport script and its time limit are flat role
    variables (argument spec) rendered into ella_config.yml with their types (null stays null, not "None")."""
    from tests.deploy.conftest import _render

    default = yaml.safe_load((rendered_venv / "ella_config.yml").read_text())
    assert default["app"]["annotation_service"] == "http://localhost:6000"
    assert default["import"]["preimport_script"] is None
    assert default["import"]["preimport_timeout"] == 300
    lab = _render(
        tmp_path_factory.mktemp("lab"),
        {
            "ella_services_runtime": "venv",
            "ella_app_annotation_service_url": "http://anno.lab.example:6000",
            "ella_app_preimport_script": "/opt/lab/preimport.sh",
            "ella_app_preimport_timeout": 120,
        },
    )
    rendered = yaml.safe_load((lab / "ella_config.yml").read_text())
    assert rendered["app"]["annotation_service"] == "http://anno.lab.example:6000"
    assert rendered["import"] == {
        **default["import"],
        "preimport_script": "/opt/lab/preimport.sh",
        "preimport_timeout": 120,
    }


def test_wrapper_runs_the_cli_as_the_service_user_with_the_env_file(rendered_venv: Path) -> None:
    # the service user must be able to reach the files: a world-traversable directory, not pytest's 0700 tmp
    tmp_path = Path(tempfile.mkdtemp(prefix="ella-wrapper-test-", dir="/var/tmp"))
    try:
        _check_wrapper(tmp_path, rendered_venv)
    finally:
        shutil.rmtree(tmp_path)


def _login_name() -> str:
    """What the wrapper falls back to without a sudo caller: the session's login name, else root."""
    done = subprocess.run(["logname"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "root"


def _check_wrapper(tmp_path: Path, rendered_venv: Path) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv (util-linux)")
    user = "nobody"
    # The fake CLI reports who runs it and what the audit log would get, and leaves its whole environment in
    # a file: the test then asks ella_app's own operator_name() with exactly that environment (when ella_app
    # is importable here), so the wrapper and the app are checked against one contract.
    seen_env = tmp_path / "seen.env"
    seen_env.touch(mode=0o666)
    seen_env.chmod(0o666)
    fake_cli = tmp_path / "ella-cli-real"
    fake_cli.write_text(
        "#!/bin/sh\n"
        f"env > '{seen_env}'\n"
        'echo "user=$(id -un) db=$DB_URL operator=$ELLA_OPERATOR sudo=${SUDO_USER:-} args=$*"\n'
    )
    env = tmp_path / "ella.env"
    env.write_text("DB_URL='postgresql://x@y/z'\n")
    wrapper = tmp_path / "ella-cli"
    text = (rendered_venv / "ella-cli").read_text()
    text = (
        text.replace("ENV_FILE='/etc/ella/ella.env'", f"ENV_FILE='{env}'")
        .replace("CLI='/opt/ella/current/venv/bin/ella-cli'", f"CLI='{fake_cli}'")
        .replace("RUN_AS='ella'", f"RUN_AS='{user}'")
        .replace("SELF='/usr/local/bin/ella-cli'", f"SELF='{wrapper}'")
    )
    wrapper.write_text(text)
    for f in (fake_cli, wrapper):
        f.chmod(0o755)
    env.chmod(0o644)
    tmp_path.chmod(0o755)

    def run(extra_env: dict[str, str]) -> str:
        out = subprocess.run(
            [str(wrapper), "users", "list"],
            capture_output=True,
            text=True,
            cwd="/",
            env={"PATH": "/usr/bin:/bin", "DB_URL": "leaked", **extra_env},
        )
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def audit_name() -> str | None:
        """What ella_app's audit log records with the environment the real CLI got (None without ella_app:
        the kit venv of scripts/test-deploy.sh has no ella_app; the Molecule verify checks the host's log)."""
        try:
            from ella_app.services.audit import operator_name
        except ImportError:
            return None
        seen = dict(line.split("=", 1) for line in seen_env.read_text().splitlines() if "=" in line)
        with mock.patch.dict(os.environ, seen, clear=True):
            return operator_name()

    # sudo ella-cli ...: the sudo caller is the operator, although setpriv --reset-env drops SUDO_USER
    assert run({"SUDO_USER": "alice"}) == "user=nobody db=postgresql://x@y/z operator=alice sudo= args=users list"
    assert audit_name() in ("alice", None)
    # root logged in directly (or sudo from a root shell): the session's login name, else root
    login = _login_name()
    expected = f"user=nobody db=postgresql://x@y/z operator={login} sudo= args=users list"
    assert run({}) == expected
    assert audit_name() in (login, None)
    assert run({"SUDO_USER": "root"}) == expected
    # a caller cannot pass another name through the old variable or a stray ELLA_OPERATOR
    assert run({"SUDO_USER": "alice", "ELLA_CLI_OPERATOR": "mallory", "ELLA_OPERATOR": "mallory"}).startswith(
        "user=nobody db=postgresql://x@y/z operator=alice "
    )
    assert audit_name() in ("alice", None)
    # anyone else is refused
    other = pwd.getpwnam("daemon")
    refused = subprocess.run(
        [
            "setpriv",
            f"--reuid={other.pw_uid}",
            f"--regid={other.pw_gid}",
            "--clear-groups",
            str(wrapper),
            "users",
            "list",
        ],
        capture_output=True,
        text=True,
        cwd="/",
    )
    assert refused.returncode == 1 and "run it as root" in refused.stderr


def _project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pyproject.toml").write_text("[project]\nname='x'\n")
    (src / "pkg" / "__init__.py").write_text("A = 1\n")
    return src


def _fingerprint(src: Path, dest: Path) -> dict[str, object]:
    import json

    out = subprocess.run(
        [
            str(BUILDER),
            "--python",
            "/usr/bin/python3",
            "--source",
            str(src),
            "--dest",
            str(dest),
            "--check",
            "--",
            "pyproject.toml",
            "pkg",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_wheelhouse_is_rebuilt_only_when_the_source_changes(tmp_path: Path) -> None:
    src, dest = _project(tmp_path), tmp_path / "wheelhouse"
    first = _fingerprint(src, dest)
    assert first["changed"] is True  # nothing built yet
    dest.mkdir()
    (dest / "x-1-py3-none-any.whl").write_bytes(b"")
    (dest / ".source-fingerprint").write_text(f"{first['fingerprint']}\n")
    assert _fingerprint(src, dest)["changed"] is False
    (src / "pkg" / "__pycache__").mkdir()
    (src / "pkg" / "__pycache__" / "m.pyc").write_bytes(b"junk")  # caches do not count
    assert _fingerprint(src, dest)["changed"] is False
    (src / "pkg" / "__init__.py").write_text("A = 2\n")
    assert _fingerprint(src, dest)["changed"] is True
