"""The packaged rule file (``rules.json``: ELLA's rules as data), loaded and checked once per process."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from ella_app.services.acmg.criteria import is_rule_code
from ella_app.services.acmg.language import RuleSet, read_rule_file

RULES_FILE = "rules.json"


def rules_path() -> Path:
    return Path(str(resources.files("ella_app.services.acmg").joinpath(RULES_FILE)))


def load_rules(path: Path) -> RuleSet:
    """A rule file checked strictly: codes must be criteria or REQ codes, references must be produced earlier."""
    return read_rule_file(path, known_code=is_rule_code, check_references=True)


@cache
def default_rules() -> RuleSet:
    """The packaged rules (RuleFileError naming the rule and key when the file is bad)."""
    return load_rules(rules_path())
