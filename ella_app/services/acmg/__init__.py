"""The ACMG rule engine: suggested criteria per allele (REQ codes included) and the suggested class.

* ``rules.json`` — ELLA's rules as data, in ELLA's rule language (:mod:`.language`), checked at start;
* :mod:`.facts` — what the rules read: annotation, gene panel, the group's ``acmg`` config, references;
* :mod:`.engine` — applying the rules; :mod:`.classifier` — ELLA's combination of criteria into a class;
* :mod:`.suggestions` — the use case behind ``POST /api/v1/acmg/alleles/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ella_app.errors import ConfigError, EllaError
from ella_app.formats.acmg_config import app_frequency_groups, check_acmg_config
from ella_app.services.acmg.classifier import Classification, suggested_class
from ella_app.services.acmg.criteria import texts as criteria_texts
from ella_app.services.acmg.rules import default_rules
from ella_app.services.acmg.suggestions import SuggestionRequest, parse_request, suggest

__all__ = [
    "Classification",
    "SuggestionRequest",
    "check_app_config",
    "criteria_texts",
    "default_rules",
    "parse_request",
    "suggest",
    "suggested_class",
]


def check_app_config(app_config: Mapping[str, Any], source: str = "ella_config.yml") -> None:
    """Before going live: the packaged rule file and ``user.user_config.acmg`` of the application config.

    ConfigError naming the rule and key (rule file) or the key (config).
    """
    try:
        default_rules()
    except EllaError as exc:
        raise ConfigError(f"the ACMG rule file is invalid: {exc.message}") from None
    user = app_config.get("user")
    base = user.get("user_config") if isinstance(user, dict) else None
    if isinstance(base, dict) and "acmg" in base:
        _, errors = check_acmg_config(
            base["acmg"], app_frequency_groups(app_config), key="user.user_config.acmg", source=source
        )
        if errors:
            lines = "\n  ".join(e.message for e in errors[:20])
            raise ConfigError(f"{source} is invalid:\n  {lines}")
