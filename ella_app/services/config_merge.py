"""The configuration a user works with (ELLA spec §2.2, feature A14).

``ella_config.yml`` ``user.user_config`` is the base; the user group's ``config`` and then the user's own
``config`` are laid over it key by key at the top level (a shallow merge, as ELLA does: a group that sets
``workflows`` replaces the whole ``workflows`` object of the base).
"""

from __future__ import annotations

import copy
from typing import Any

from ella_app.services.current_user import UserLike

# Keys of ella_config.yml that concern the server only; the client never needs them.
_SERVER_ONLY = {
    "app": ("annotation_service", "attachment_storage"),
    "import": ("preimport_script",),
}


def merged_user_config(app_config: dict[str, Any], user: UserLike | None) -> dict[str, Any]:
    base = app_config.get("user", {}).get("user_config", {})
    merged: dict[str, Any] = copy.deepcopy(base) if isinstance(base, dict) else {}
    if user is not None:
        for layer in (user.group.config, user.config):
            if isinstance(layer, dict):
                merged.update(copy.deepcopy(layer))
    return merged


def client_config(app_config: dict[str, Any], user: UserLike | None) -> dict[str, Any]:
    """The application config as the web client gets it: server-only keys removed, user config merged."""
    result = copy.deepcopy(app_config)
    for section, keys in _SERVER_ONLY.items():
        part = result.get(section)
        if isinstance(part, dict):
            for key in keys:
                part.pop(key, None)
    user_section = result.setdefault("user", {})
    user_section["user_config"] = merged_user_config(app_config, user)
    return result


def finalize_requirements(app_config: dict[str, Any], user: UserLike, workflow: str) -> dict[str, Any] | None:
    """``workflows.<analysis|allele>.finalize_requirements`` of the merged config (None when not set)."""
    workflows = merged_user_config(app_config, user).get("workflows")
    if not isinstance(workflows, dict):
        return None
    section = workflows.get(workflow)
    requirements = section.get("finalize_requirements") if isinstance(section, dict) else None
    return requirements if isinstance(requirements, dict) else None
