"""Filter configurations: update from ``filterconfigs.json``, list, deactivate.

A config is never edited in place. When an entry differs from the active config of that name (its filters
or its requirements), the old row is superseded (``active`` false, ``date_superceeded`` set) and a new row
points back to it with ``previous_filterconfig_id``. Each group listed gets a link to the active row with
the given order; links of groups no longer listed are left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ella_app.db.models import FilterConfig, UserGroup, UserGroupFilterConfig
from ella_app.errors import MissingDependencyError, NotFoundError
from ella_app.formats.filterconfigs import FilterConfigEntry
from ella_app.services.access import valid_id
from ella_app.services.results import ChangeReport, ProgressFn, no_progress


def update_filterconfigs(
    session: Session, entries: Sequence[FilterConfigEntry], *, progress: ProgressFn = no_progress
) -> ChangeReport:
    report = ChangeReport(kind="filterconfig")
    groups = _groups(session, entries)
    rows: list[dict[str, Any]] = []
    for index, entry in enumerate(entries, start=1):
        rows.append(_update_one(session, entry, groups, report))
        progress("filter configs", index, len(entries))
    report.extra["filterconfigs"] = rows
    _warn_order_ties(session, groups, report)
    return report


def _groups(session: Session, entries: Sequence[FilterConfigEntry]) -> dict[str, UserGroup]:
    names = {g.name for e in entries for g in e.usergroups}
    found = {g.name: g for g in session.scalars(select(UserGroup).where(UserGroup.name.in_(names)))} if names else {}
    missing = [
        f"filter config '{e.name}' names unknown user group '{g.name}'"
        for e in entries
        for g in e.usergroups
        if g.name not in found
    ]
    if missing:
        raise MissingDependencyError(
            "; ".join(missing) + ". Add the groups first with 'ella-cli users add_groups'; nothing was written."
        )
    return found


def _update_one(
    session: Session, entry: FilterConfigEntry, groups: dict[str, UserGroup], report: ChangeReport
) -> dict[str, Any]:
    active = session.scalars(
        select(FilterConfig).where(FilterConfig.name == entry.name, FilterConfig.active.is_(True))
    ).one_or_none()
    previous_id: int | None = None
    if active is not None and active.filterconfig == entry.filterconfig and active.requirements == entry.requirements:
        row, action = active, "unchanged"
    else:
        if active is not None:
            active.active = False
            active.date_superceeded = dt.datetime.now(dt.UTC)
            session.flush()  # the active name must be free before the new row is inserted
            previous_id, action = active.id, "superseded"
        else:
            previous_id = session.scalar(select(func.max(FilterConfig.id)).where(FilterConfig.name == entry.name))
            action = "created"
        row = FilterConfig(
            name=entry.name,
            filterconfig=entry.filterconfig,
            requirements=entry.requirements,
            active=True,
            previous_filterconfig_id=previous_id,
        )
        session.add(row)
        session.flush()

    if action == "superseded":
        _warn_dropped_groups(session, previous_id, entry, report)
    links_changed = _link(session, row, entry, groups)
    if action == "created":
        report.created.append(entry.name)
    elif action == "superseded" or links_changed:
        report.updated.append(entry.name)
    else:
        report.unchanged.append(entry.name)
    if action == "superseded":
        report.messages.append(f"filter config '{entry.name}': id {previous_id} superseded by id {row.id}")
    return {
        "name": entry.name,
        "id": row.id,
        "action": action if action != "unchanged" or not links_changed else "links updated",
        "previous_id": previous_id,
        "usergroups": {g.name: g.order for g in entry.usergroups},
    }


def _warn_dropped_groups(
    session: Session, previous_id: int | None, entry: FilterConfigEntry, report: ChangeReport
) -> None:
    """Groups linked to the superseded row but not listed any more do not follow to the new row."""
    listed = {g.name for g in entry.usergroups}
    query = (
        select(UserGroup.name)
        .join(UserGroupFilterConfig, UserGroupFilterConfig.usergroup_id == UserGroup.id)
        .where(UserGroupFilterConfig.filterconfig_id == previous_id)
    )
    for name in sorted(set(session.scalars(query)) - listed):
        report.messages.append(
            f"warning: user group '{name}' used filter config '{entry.name}' (id {previous_id}) but is not listed "
            "for it any more: it is not linked to the new version"
        )


def _link(session: Session, row: FilterConfig, entry: FilterConfigEntry, groups: dict[str, UserGroup]) -> bool:
    query = select(UserGroupFilterConfig).where(UserGroupFilterConfig.filterconfig_id == row.id)
    links = {link.usergroup_id: link for link in session.scalars(query)}
    changed = False
    for wanted in entry.usergroups:
        group = groups[wanted.name]
        link = links.get(group.id)
        if link is None:
            session.add(UserGroupFilterConfig(usergroup_id=group.id, filterconfig_id=row.id, order=wanted.order))
            changed = True
        elif link.order != wanted.order:
            link.order = wanted.order
            changed = True
    session.flush()
    return changed


def _warn_order_ties(session: Session, groups: dict[str, UserGroup], report: ChangeReport) -> None:
    """Two active configs with the same order in one group make the UI's default ambiguous."""
    for group in groups.values():
        orders: dict[int, list[str]] = {}
        for name, order in _active_links(session, group.id):
            orders.setdefault(order, []).append(name)
        for order, names in sorted(orders.items()):
            if len(names) > 1:
                report.messages.append(
                    f"warning: user group '{group.name}' has several active filter configs with order {order}: "
                    f"{', '.join(sorted(names))}"
                )


def _active_links(session: Session, group_id: int) -> list[tuple[str, int]]:
    query = (
        select(FilterConfig.name, UserGroupFilterConfig.order)
        .join(UserGroupFilterConfig, UserGroupFilterConfig.filterconfig_id == FilterConfig.id)
        .where(UserGroupFilterConfig.usergroup_id == group_id, FilterConfig.active.is_(True))
    )
    return list(session.execute(query).tuples())


def list_filterconfigs(session: Session, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Filter configs (active ones unless ``include_inactive``) with their groups, by name then id."""
    query = select(FilterConfig)
    if not include_inactive:
        query = query.where(FilterConfig.active.is_(True))
    configs = sorted(session.scalars(query), key=lambda fc: (fc.name, fc.id))  # independent of the DB collation
    links: dict[int, list[dict[str, Any]]] = {}
    link_query = (
        select(UserGroupFilterConfig.filterconfig_id, UserGroup.name, UserGroupFilterConfig.order)
        .join(UserGroup, UserGroup.id == UserGroupFilterConfig.usergroup_id)
        .order_by(UserGroup.name)
    )
    for fc_id, group, order in session.execute(link_query).tuples():
        links.setdefault(fc_id, []).append({"name": group, "order": order})
    return [
        {
            "id": fc.id,
            "name": fc.name,
            "active": fc.active,
            "date_created": fc.date_created.isoformat() if fc.date_created else None,
            "date_superceeded": fc.date_superceeded.isoformat() if fc.date_superceeded else None,
            "previous_filterconfig_id": fc.previous_filterconfig_id,
            "usergroups": links.get(fc.id, []),
            "requirements": fc.requirements,
            "filters": [f["name"] for f in fc.filterconfig.get("filters", [])],
        }
        for fc in configs
    ]


def deactivate_filterconfig(session: Session, filterconfig_id: int) -> ChangeReport:
    """Set a config inactive; warns for each group left without any, or without a requirement-free one."""
    report = ChangeReport(kind="filterconfig")
    row = session.get(FilterConfig, filterconfig_id)
    if row is None:
        raise NotFoundError(f"filter config id {filterconfig_id} not found")
    label = f"{row.name} (id {row.id})"
    if not row.active:
        report.unchanged.append(label)
        report.messages.append(f"filter config {label} is already inactive")
        return report
    row.active = False
    session.flush()
    report.updated.append(label)
    group_query = (
        select(UserGroup)
        .join(UserGroupFilterConfig, UserGroupFilterConfig.usergroup_id == UserGroup.id)
        .where(UserGroupFilterConfig.filterconfig_id == row.id)
        .order_by(UserGroup.name)
    )
    for group in session.scalars(group_query):
        remaining = list(
            session.scalars(
                select(FilterConfig)
                .join(UserGroupFilterConfig, UserGroupFilterConfig.filterconfig_id == FilterConfig.id)
                .where(UserGroupFilterConfig.usergroup_id == group.id, FilterConfig.active.is_(True))
            )
        )
        if not remaining:
            report.messages.append(f"warning: user group '{group.name}' has no active filter config left")
        elif not row.requirements and all(fc.requirements for fc in remaining):
            report.messages.append(
                f"warning: user group '{group.name}' has no active filter config without requirements left; "
                "analyses matching none of the requirements get no filter config"
            )
    report.extra["warnings"] = [m for m in report.messages if m.startswith("warning:")]
    return report


def group_filterconfig(session: Session, group_id: int, filterconfig_id: int) -> dict[str, Any]:
    """ELLA's ``filterconfigs/<id>``: a filter config linked to the group (active or not: old rounds name it),
    with its filters and requirements; any other is "not found"."""
    found = (
        session.scalar(
            select(FilterConfig)
            .join(UserGroupFilterConfig, UserGroupFilterConfig.filterconfig_id == FilterConfig.id)
            .where(FilterConfig.id == filterconfig_id, UserGroupFilterConfig.usergroup_id == group_id)
        )
        if valid_id(filterconfig_id)
        else None
    )
    if found is None:
        raise NotFoundError(f"no filter config {filterconfig_id}")
    return {
        "id": found.id,
        "name": found.name,
        "active": found.active,
        "filterconfig": found.filterconfig,
        "requirements": found.requirements,
        "date_created": found.date_created.isoformat() if found.date_created else None,
    }
