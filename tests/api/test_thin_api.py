"""The API is a thin face over ``ella_app/services``: its blueprints parse, call a service and serialize. No module
under ``ella_app/api`` may import SQLAlchemy or the database layer (``ella_app.db``) — queries, writes and rules
live in the services (issue 11)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "ella_app" / "api"
FORBIDDEN = ("sqlalchemy", "ella_app.db")
ALLOWED = {
    "db.py": "the per-request session provider and its database error handlers",
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def test_no_api_module_imports_sqlalchemy_or_the_database_layer():
    offenders = []
    for path in sorted(API.rglob("*.py")):
        relative = path.relative_to(API).as_posix()
        if relative in ALLOWED:
            continue
        offenders += [
            f"ella_app/api/{relative}:{line} imports {name}" for line, name in _imports(path) if _forbidden(name)
        ]
    assert offenders == [], "move these into ella_app/services:\n" + "\n".join(offenders)


def test_the_check_sees_an_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from sqlalchemy import select\nimport ella_app.db.models\nfrom ella_app.dbx import y\n")
    assert [name for _, name in _imports(sample) if _forbidden(name)] == ["sqlalchemy", "ella_app.db.models"]


def test_exceptions_still_exist():
    for relative in ALLOWED:
        assert (API / relative).is_file(), f"ella_app/api/{relative} is gone: drop it from the exceptions"
