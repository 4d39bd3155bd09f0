"""A play on the controller must not set ``connection: local``: the play keyword also applies to the tasks it
delegates to a test host, which then run on the controller instead (found when the default scenario's
operator check created its account and sudo rule on the controller). The implicit ``localhost`` is local
anyway. Only the wheelhouse build, which delegates nothing, keeps it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"playbooks/wheelhouse.yml"}


def _plays() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted([*ROOT.glob("playbooks/*.yml"), *ROOT.glob("molecule/*/*.yml")]):
        document = yaml.safe_load(path.read_text())
        if isinstance(document, list):
            found += [(str(path.relative_to(ROOT)), play) for play in document if isinstance(play, dict)]
    return found


def test_no_controller_play_forces_a_local_connection() -> None:
    plays = _plays()
    assert len(plays) > 20
    local = sorted({name for name, play in plays if play.get("connection") == "local"})
    assert set(local) <= ALLOWED, local


def test_the_wheelhouse_play_delegates_nothing() -> None:
    text = (ROOT / "playbooks/wheelhouse.yml").read_text()
    role = (ROOT / "roles/ella_wheelhouse/tasks").rglob("*.yml")
    assert "delegate_to" not in text and not any("delegate_to" in p.read_text() for p in role)
