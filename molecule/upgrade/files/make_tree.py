#!/usr/bin/env python3
"""Make a modified copy of the app's source for the upgrade scenario (an older or a broken release).

    make_tree.py SRC DEST --version V [--drop-head-migration] [--failing-migration] [--broken-wsgi]

Copies the paths the wheelhouse is built from (pyproject.toml, README.md, ella_app/) from SRC, sets the
version (pyproject.toml and ella_app.__version__, so the API's /status names it), and:
  --drop-head-migration  removes the newest Alembic revision (the chain must be linear), making an older release
  --failing-migration    adds a revision after the head that commits a schema change of its own, then raises
                         (a migration that fails half-way: the kit must restore the pre-migration dump)
  --broken-wsgi          makes the API's WSGI module raise at import (the release fails its health check)
Prints one JSON object: {"dest": ..., "version": ..., "head": ...}.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

COPIED = ("pyproject.toml", "README.md", "LICENSE", "ella_app")
REV = re.compile(r'^revision\s*=\s*["\']([^"\']+)["\']', re.M)
DOWN = re.compile(r'^down_revision\s*=\s*(None|["\']([^"\']*)["\'])', re.M)


def revisions(versions: Path) -> dict[str, tuple[str | None, Path]]:
    found: dict[str, tuple[str | None, Path]] = {}
    for f in sorted(versions.glob("*.py")):
        text = f.read_text(encoding="utf-8")
        rev, down = REV.search(text), DOWN.search(text)
        if not rev or not down:
            continue
        found[rev.group(1)] = (down.group(2), f)
    return found


def linear_head(revs: dict[str, tuple[str | None, Path]]) -> str:
    roots = [r for r, (down, _) in revs.items() if down is None]
    children: dict[str, list[str]] = {}
    for rev, (down, _) in revs.items():
        if down is not None:
            children.setdefault(down, []).append(rev)
    if len(roots) != 1 or any(len(c) != 1 for c in children.values()):
        sys.exit(
            f"the migrations are not one linear chain: roots {roots}, branches "
            f"{ {k: v for k, v in children.items() if len(v) != 1} }"
        )
    rev = roots[0]
    seen = 1
    while rev in children:
        rev = children[rev][0]
        seen += 1
    if seen != len(revs):
        sys.exit("the migrations are not one linear chain (unreachable revisions)")
    return rev


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--version", required=True)
    ap.add_argument("--drop-head-migration", action="store_true")
    ap.add_argument("--failing-migration", action="store_true")
    ap.add_argument("--broken-wsgi", action="store_true")
    args = ap.parse_args()

    if args.dest.exists():
        shutil.rmtree(args.dest)
    args.dest.mkdir(parents=True)
    for name in COPIED:
        src = args.src / name
        if src.is_dir():
            shutil.copytree(src, args.dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        elif src.is_file():
            shutil.copy2(src, args.dest / name)

    pyproject = args.dest / "pyproject.toml"
    text, n = re.subn(r'(?m)^version\s*=\s*"[^"]*"', f'version = "{args.version}"', pyproject.read_text())
    assert n == 1, "no version in pyproject.toml"
    pyproject.write_text(text)
    init = args.dest / "ella_app" / "__init__.py"
    text, n = re.subn(r'(?m)^__version__\s*=\s*"[^"]*"', f'__version__ = "{args.version}"', init.read_text())
    assert n == 1, "no __version__ in ella_app/__init__.py"
    init.write_text(text)

    versions = args.dest / "ella_app" / "db" / "migrations" / "versions"
    revs = revisions(versions)
    head = linear_head(revs)
    if args.drop_head_migration:
        down, path = revs[head]
        if down is None:
            sys.exit("only one migration: nothing older to make")
        path.unlink()
        head = down
    if args.failing_migration:
        (versions / "29991231_9999_broken_for_upgrade_test.py").write_text(
            f'''"""deliberately broken migration (molecule/upgrade): commits a change of its own, then fails

Revision ID: 9999
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("clilog", sa.Column("upgrade_probe", sa.Text(), nullable=True))
    op.execute("COMMIT")  # like a non-transactional step (CREATE INDEX CONCURRENTLY): survives the failure
    raise RuntimeError("deliberately broken migration of the upgrade scenario")


def downgrade() -> None:
    op.drop_column("clilog", "upgrade_probe")
''',
            encoding="utf-8",
        )
        head = "9999"
    if args.broken_wsgi:
        wsgi = args.dest / "ella_app" / "api" / "wsgi.py"
        wsgi.write_text(
            wsgi.read_text() + '\nraise RuntimeError("deliberately broken release of the upgrade scenario")\n'
        )
    print(json.dumps({"dest": str(args.dest), "version": args.version, "head": head}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
