"""Checks of the web UI's static files that need no browser: no CDN or other absolute URL (hospitals are
air-gapped), relative asset URLs only, every module import resolves, the vendored igv.js is the locked one."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from ella_app.webui import static_dir

from .servers import ROOT

STATIC = static_dir()
OWN = sorted(p for p in STATIC.rglob("*") if p.is_file() and "vendor" not in p.parts)
IMPORT = re.compile(r"""(?:import\s*(?:[\w{}\s,*]+from\s*)?|import\()\s*["']([^"']+)["']""")


def test_own_files_reference_nothing_outside() -> None:
    assert any(p.name == "index.html" for p in OWN)
    for path in OWN:
        if path.suffix not in (".html", ".js", ".css", ".svg"):
            continue
        text = path.read_text()
        urls = re.findall(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)]*""", text, re.IGNORECASE)
        urls = [u for u in urls if "www.w3.org/2000/svg" not in u]
        assert not urls, f"{path.relative_to(STATIC)} references {urls}"


@pytest.mark.parametrize("page", ["index.html", "docs/index.html"])
def test_pages_use_relative_urls(page: str) -> None:
    """The web UI and the manual: every src/href is relative and names a file that exists (a folder: its
    index.html), inside the static folder."""
    html = (STATIC / page).read_text()
    base = (STATIC / page).parent
    refs = re.findall(r"""(?:src|href)=["']([^"'#]+)["']""", html)
    assert refs and all(not r.startswith("/") for r in refs), refs
    for ref in refs:
        target = (base / ref).resolve()
        assert target.is_relative_to(STATIC.resolve()), ref
        assert target.is_file() or (ref.endswith("/") and (target / "index.html").is_file()), ref


def test_module_imports_resolve() -> None:
    for path in STATIC.joinpath("js").rglob("*.js"):
        for spec in IMPORT.findall(path.read_text()):
            assert spec.startswith("."), f"{path.name}: bare import {spec!r} (no bundler: use a relative path)"
            assert (path.parent / spec).resolve().is_file(), f"{path.name}: {spec} does not exist"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_modules_parse() -> None:
    for path in STATIC.joinpath("js").rglob("*.js"):
        result = subprocess.run(
            ["node", "--input-type=module", "--check"], input=path.read_text(), capture_output=True, text=True
        )
        assert result.returncode == 0, f"{path}: {result.stderr}"


def test_vendored_igv_is_the_locked_version() -> None:
    lock = json.loads((ROOT / "webui" / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/igv"]["version"]
    wanted = json.loads((ROOT / "webui" / "package.json").read_text())["dependencies"]["igv"]
    assert locked == wanted
    assert (STATIC / "vendor" / "igv" / "VERSION").read_text().strip() == f"igv {locked}"
    bundle = (STATIC / "vendor" / "igv" / "igv.esm.min.js").read_text()
    assert "export{" in bundle.replace(" ", "") and len(bundle) > 500_000
    assert (STATIC / "vendor" / "igv" / "LICENSE").is_file()
