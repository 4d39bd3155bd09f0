"""ELLA's fixtures folder (``/data/fixtures`` in its production guide), read and validated as a whole.

Layout (each part optional, names as in ELLA's test data and production guide)::

    genepanels/NAME_vVERSION/…      gene panel folders
    usergroups.json                 user groups
    filterconfigs.json              filter configurations
    users.json                      users
    annotation-config.yml           the annotation config (``annotationconfig update``)
    references.json                 references (JSON Lines)

Every file is parsed and checked against the application config before anything is written, so a bad
file anywhere leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ella_app.errors import InputError
from ella_app.formats.annotation_config import read_config_file
from ella_app.formats.filterconfigs import FilterConfigEntry, check_against_config, read_filterconfigs
from ella_app.formats.genepanel import GenePanelData, find_panel_folders, read_panel_folder
from ella_app.formats.references import ReferenceEntry, parse_references
from ella_app.formats.usergroups import UserGroupEntry, check_acmg_frequency_groups, read_usergroups
from ella_app.formats.users import UserEntry, parse_users


@dataclass(frozen=True)
class FixtureNames:
    """Where each part lives inside the folder (ELLA's names by default)."""

    genepanels: str = "genepanels"
    usergroups: str = "usergroups.json"
    filterconfigs: str = "filterconfigs.json"
    users: str = "users.json"
    references: str = "references.json"
    annotationconfig: str = "annotation-config.yml"


@dataclass
class FixtureFolder:
    path: Path
    genepanels: list[GenePanelData] = field(default_factory=list)
    usergroups: list[UserGroupEntry] | None = None
    filterconfigs: list[FilterConfigEntry] | None = None
    users: list[UserEntry] | None = None
    references: list[ReferenceEntry] | None = None
    annotationconfig: dict[str, Any] | None = None


def read_fixture_folder(
    path: str | Path, app_config: Mapping[str, Any], names: FixtureNames = FixtureNames()
) -> FixtureFolder:
    folder = Path(path)
    if not folder.is_dir():
        raise InputError("is not a directory", source=str(folder))
    result = FixtureFolder(folder)
    frequency_groups = app_config.get("frequencies", {}).get("groups", {})
    panels_dir = folder / names.genepanels
    if panels_dir.is_dir():
        result.genepanels = [read_panel_folder(sub) for sub in find_panel_folders(panels_dir)]
        seen: dict[str, str] = {}
        for panel in result.genepanels:
            if panel.key in seen:
                raise InputError(f"gene panel {panel.key} also comes from {seen[panel.key]}", source=panel.source)
            seen[panel.key] = panel.source
    if (file := folder / names.usergroups).is_file():
        result.usergroups = read_usergroups(file)
        check_acmg_frequency_groups(result.usergroups, frequency_groups, str(file))
    if (file := folder / names.filterconfigs).is_file():
        result.filterconfigs = read_filterconfigs(file)
        check_against_config(result.filterconfigs, app_config, str(file))
    if (file := folder / names.users).is_file():
        result.users = parse_users(file)
    if (file := folder / names.annotationconfig).is_file():
        result.annotationconfig = read_config_file(file)
    if (file := folder / names.references).is_file():
        result.references = parse_references(file)
    return result
