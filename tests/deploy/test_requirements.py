"""requirements.yml names, with a pinned version, every collection the kit uses besides ansible.builtin, and
ella_services_runtime accepts only the runtimes the role implements."""

from __future__ import annotations

import re

from tests.deploy.conftest import ROLES, ROOT, load_yaml

FQCN = re.compile(r"\b([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)\.[a-z][a-z0-9_]*\b")
PLACES = ("roles", "playbooks", "molecule", "inventories", "testhosts")
NOT_COLLECTIONS = {"ansible.builtin", "ansible.legacy", "ella_app.cli", "ella_app.db", "ella_app.api"}


def _used_collections() -> set[str]:
    used = set()
    files = [p for place in PLACES for p in (ROOT / place).rglob("*") if p.suffix in {".yml", ".yaml", ".j2", ".sh"}]
    for path in [*files, ROOT / "ansible.cfg"]:
        for line in path.read_text(errors="replace").splitlines():
            for name in FQCN.findall(line):
                if name.split(".")[0] in {"ansible", "community"} and name not in NOT_COLLECTIONS:
                    used.add(name)
    return used


def test_every_collection_used_is_pinned() -> None:
    pinned = {c["name"]: c["version"] for c in load_yaml(ROOT / "requirements.yml")["collections"]}
    used = _used_collections()
    assert used, "no collection found: the scan is broken"
    assert used <= set(pinned), f"used but not in requirements.yml: {sorted(used - set(pinned))}"
    assert set(pinned) <= used, f"pinned but unused: {sorted(set(pinned) - used)}"
    for name, version in pinned.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", str(version)), (name, version)


def test_services_runtime_has_choices_the_role_checks() -> None:
    spec = load_yaml(ROLES / "ella_services" / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert spec["ella_services_runtime"]["choices"] == ["venv", "apptainer"]
    # the default is ella_common's runtime, which has the same choices
    common = load_yaml(ROLES / "ella_common" / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert spec["ella_services_runtime"]["default"] == "{{ ella_common_runtime }}"
    assert common["ella_common_runtime"]["choices"] == spec["ella_services_runtime"]["choices"]
    assert common["ella_common_runtime"]["default"] in common["ella_common_runtime"]["choices"]
