"""Upserting user groups from ``usergroups.json`` entries.

A group named in the file is created or brought in line with its entry: the keys given overwrite (the
whole ``config`` included), the official panels are replaced by the ones listed (custom, unofficial panels
stay), the import groups are rewritten. Every panel and import group named must exist (import groups may be
defined further down the same file); otherwise nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import GenePanel, UserGroup, UserGroupGenePanel, UserGroupImport
from ella_app.errors import MissingDependencyError
from ella_app.formats.usergroups import PanelRef, UserGroupEntry
from ella_app.services.results import ChangeReport, ProgressFn, no_progress


@dataclass(frozen=True)
class _State:
    config: Any
    default_import: tuple[str | None, str | None]
    panels: frozenset[tuple[str, str]]
    imports: frozenset[str]


def version_key(version: str) -> tuple[Any, ...]:
    """Orders ``v1.0.0`` < ``v1.2`` < ``v1.10``: numbers compare as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", version) if part)


class _Panels:
    """The panels in the database, by name."""

    def __init__(self, session: Session) -> None:
        self.by_name: dict[str, list[GenePanel]] = {}
        for panel in session.scalars(select(GenePanel)):
            self.by_name.setdefault(panel.name, []).append(panel)
        for versions in self.by_name.values():
            versions.sort(key=lambda p: version_key(p.version))

    def official(self, ref: PanelRef) -> list[tuple[str, str]]:
        """``[name]``: every official version; ``[name, version]``: that one if it is official."""
        return [
            (p.name, p.version)
            for p in self.by_name.get(ref.name, [])
            if p.official and (ref.version is None or p.version == ref.version)
        ]

    def is_official(self, name: str, version: str) -> bool:
        return any(p.official and p.version == version for p in self.by_name.get(name, []))


def add_groups(
    session: Session,
    entries: Sequence[UserGroupEntry],
    *,
    dry_run: bool = False,
    progress: ProgressFn = no_progress,
) -> ChangeReport:
    """Create or update the groups; with ``dry_run`` everything is checked and reported, nothing kept."""
    savepoint = session.begin_nested() if dry_run else None
    try:
        report = _add_groups(session, entries, progress)
    finally:
        if savepoint is not None:
            savepoint.rollback()
    if dry_run:
        report.extra["dry_run"] = True
        report.messages.append("dry run: nothing was written")
    return report


def _add_groups(session: Session, entries: Sequence[UserGroupEntry], progress: ProgressFn) -> ChangeReport:
    report = ChangeReport(kind="usergroup")
    panels = _Panels(session)
    resolved = _resolve_panels(entries, panels)
    existing = {g.name: g for g in session.scalars(select(UserGroup))}
    _check_import_groups(entries, existing)

    groups: dict[str, UserGroup] = {}
    before: dict[str, _State | None] = {}
    for entry in entries:
        group = existing.get(entry.name)
        before[entry.name] = _state(session, group) if group is not None else None
        if group is None:
            group = UserGroup(name=entry.name, config={})
            session.add(group)
            existing[entry.name] = group
        groups[entry.name] = group
    session.flush()

    for index, entry in enumerate(entries, start=1):
        group = groups[entry.name]
        if entry.config is not None and group.config != entry.config:
            group.config = entry.config
        if entry.has_default_import_genepanel:
            default = resolved[entry.name][1] or (None, None)
            if (group.default_import_genepanel_name, group.default_import_genepanel_version) != default:
                group.default_import_genepanel_name, group.default_import_genepanel_version = default
        if entry.genepanels is not None:
            _set_panels(session, group, resolved[entry.name][0], panels)
        _set_imports(session, group, [existing[name].id for name in entry.import_groups])
        session.flush()
        after = _state(session, group)
        if before[entry.name] is None:
            report.created.append(entry.name)
        elif after != before[entry.name]:
            report.updated.append(entry.name)
        else:
            report.unchanged.append(entry.name)
        progress("user groups", index, len(entries))
    return report


def _resolve_panels(
    entries: Sequence[UserGroupEntry], panels: _Panels
) -> dict[str, tuple[list[tuple[str, str]], tuple[str, str] | None]]:
    """Per group: the (name, version) pairs of its panels and of its default import panel."""
    missing: list[str] = []
    resolved: dict[str, tuple[list[tuple[str, str]], tuple[str, str] | None]] = {}
    for entry in entries:
        pairs: list[tuple[str, str]] = []
        for ref in entry.genepanels or ():
            found = panels.official(ref)
            if not found:
                missing.append(f"user group '{entry.name}' names gene panel {ref}")
            pairs.extend(p for p in found if p not in pairs)
        default = None
        if entry.default_import_genepanel is not None:
            found = panels.official(entry.default_import_genepanel)
            if not found:
                missing.append(
                    f"user group '{entry.name}' names default import gene panel {entry.default_import_genepanel}"
                )
            else:
                default = found[-1]  # the newest version
        resolved[entry.name] = (pairs, default)
    if missing:
        raise MissingDependencyError(
            "gene panel(s) not in the database (or not official): "
            + "; ".join(missing)
            + ". Deposit them first with 'ella-cli deposit genepanel'; nothing was written."
        )
    return resolved


def _check_import_groups(entries: Sequence[UserGroupEntry], existing: dict[str, UserGroup]) -> None:
    known = set(existing) | {e.name for e in entries}
    missing = [
        f"user group '{entry.name}' may import into unknown group '{name}'"
        for entry in entries
        for name in entry.import_groups
        if name not in known
    ]
    if missing:
        raise MissingDependencyError(
            "; ".join(missing) + ". Define those groups in the file or add them first; nothing was written."
        )


def _state(session: Session, group: UserGroup) -> _State:
    panels = session.execute(
        select(UserGroupGenePanel.genepanel_name, UserGroupGenePanel.genepanel_version).where(
            UserGroupGenePanel.usergroup_id == group.id
        )
    ).tuples()
    imports = session.scalars(
        select(UserGroup.name)
        .join(UserGroupImport, UserGroupImport.import_usergroup_id == UserGroup.id)
        .where(UserGroupImport.usergroup_id == group.id)
    )
    return _State(
        config=group.config,
        default_import=(group.default_import_genepanel_name, group.default_import_genepanel_version),
        panels=frozenset(panels),
        imports=frozenset(imports),
    )


def _set_panels(session: Session, group: UserGroup, wanted: list[tuple[str, str]], panels: _Panels) -> None:
    """Official panels become exactly ``wanted``; links to unofficial (custom) panels stay."""
    links = list(session.scalars(select(UserGroupGenePanel).where(UserGroupGenePanel.usergroup_id == group.id)))
    present = set()
    for link in links:
        pair = (link.genepanel_name, link.genepanel_version)
        if pair not in wanted and panels.is_official(*pair):
            session.delete(link)
        else:
            present.add(pair)
    for name, version in wanted:
        if (name, version) not in present:
            session.add(UserGroupGenePanel(usergroup_id=group.id, genepanel_name=name, genepanel_version=version))


def _set_imports(session: Session, group: UserGroup, wanted_ids: list[int]) -> None:
    links = list(session.scalars(select(UserGroupImport).where(UserGroupImport.usergroup_id == group.id)))
    present = set()
    for link in links:
        if link.import_usergroup_id in wanted_ids:
            present.add(link.import_usergroup_id)
        else:
            session.delete(link)
    for target in wanted_ids:
        if target not in present:
            session.add(UserGroupImport(usergroup_id=group.id, import_usergroup_id=target))
            present.add(target)
