"""``ella-cli deposit append_genepanel_to_usergroup NAME VERSION GROUP``: give a user group a gene panel.

As ELLA: the group and the panel must exist; a panel the group already has is left as it is (and said so).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ella_app.db.models import GenePanel, UserGroup, UserGroupGenePanel
from ella_app.errors import MissingDependencyError
from ella_app.services.results import ChangeReport


def append_genepanel(session: Session, name: str, version: str, group_name: str) -> ChangeReport:
    group = session.scalars(select(UserGroup).where(UserGroup.name == group_name).with_for_update()).first()
    if group is None:
        raise MissingDependencyError(f"user group {group_name!r} is not in the database")
    if session.get(GenePanel, (name, version)) is None:
        raise MissingDependencyError(f"gene panel {name} {version} is not in the database")
    report = ChangeReport(kind="user group gene panels")
    label = f"{name}_{version} in {group_name}"
    if any(link.genepanel_name == name and link.genepanel_version == version for link in group.genepanels):
        report.unchanged.append(label)
        report.messages.append(f"Gene panel ({name},{version}) already exists in user group {group_name}")
        return report
    group.genepanels.append(UserGroupGenePanel(genepanel_name=name, genepanel_version=version))
    session.flush()
    report.created.append(label)
    report.messages.append(f"Appended gene panel ({name},{version}) to user group {group_name}")
    return report
