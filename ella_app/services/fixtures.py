"""Depositing a whole fixtures folder in ELLA's bootstrap order, in the caller's transaction.

The order is the one ELLA's production guide asks the operator to type, because each part needs the one
before: gene panels → user groups → filter configs → users → annotation config → references. Each part is the
same service the single-file command uses; the result holds each part's report and the new users' one-time passwords.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ella_app.formats.fixture_folder import FixtureFolder
from ella_app.security.passwords import PasswordPolicy
from ella_app.services import annotation_configs
from ella_app.services.filterconfigs import update_filterconfigs
from ella_app.services.genepanels import deposit_genepanels
from ella_app.services.references import deposit_references
from ella_app.services.results import ChangeReport, ProgressFn, no_progress
from ella_app.services.usergroups import add_groups
from ella_app.services.users import add_users


@dataclass
class FixturesResult:
    steps: dict[str, ChangeReport] = field(default_factory=dict)
    one_time_passwords: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(report.changed for report in self.steps.values())

    def summary(self) -> str:
        return "; ".join(report.summary() for report in self.steps.values()) or "fixtures: nothing to deposit"

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": "fixtures",
            "changed": self.changed,
            "steps": [{"step": name, **report.as_dict()} for name, report in self.steps.items()],  # in order
            "users_created": len(self.steps["users"].created) if "users" in self.steps else 0,
        }


def deposit_fixtures(
    session: Session, fixtures: FixtureFolder, policy: PasswordPolicy, *, progress: ProgressFn = no_progress
) -> FixturesResult:
    result = FixturesResult()
    if fixtures.genepanels:
        result.steps["genepanels"] = deposit_genepanels(session, fixtures.genepanels, progress=progress)
    if fixtures.usergroups is not None:
        result.steps["usergroups"] = add_groups(session, fixtures.usergroups, progress=progress)
    if fixtures.filterconfigs is not None:
        result.steps["filterconfigs"] = update_filterconfigs(session, fixtures.filterconfigs, progress=progress)
    if fixtures.users is not None:
        change = add_users(session, fixtures.users, policy, progress=progress)
        result.steps["users"] = change.report
        result.one_time_passwords.update(change.one_time_passwords)
    if fixtures.annotationconfig is not None:
        result.steps["annotationconfig"] = annotation_configs.update(session, fixtures.annotationconfig)
    if fixtures.references is not None:
        result.steps["references"] = deposit_references(session, fixtures.references, progress)
    return result
