"""IGV data for the visual mode (ELLA spec §2.7, feature A11): reference files, track files and their config.

Files are served only from their own directory: a relative path with ``..``, an absolute path, an empty or
hidden component, a backslash, a NUL, or a symbolic link whose target lies outside the directory is
refused (:class:`NotFoundError`; nothing about the file system is revealed).

Track ids are ``STATIC/<path under $IGV_DATA/tracks>``, ``ANALYSIS/<path under $ANALYSES_PATH/<analysis
name>/tracks>`` and ``DYNAMIC/<name>``. ``$IGV_DATA/track_config.json`` (else ``track_config_default.json``)
maps regular expressions (matched at the start of the track id) to settings; every matching entry is merged
in file order, its ``igv`` object merged key by key. A track is shown only when a matching entry sets
``limit_to_groups``: ``null`` for everyone, else a list of user group names.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ella_app.errors import ConfigError, NotFoundError

TRACK_CONFIG_NAMES = ("track_config.json", "track_config_default.json")
# (suffix, igv.js format, index suffix or None) — longest suffixes first.
TRACK_TYPES: tuple[tuple[str, str, str | None], ...] = (
    (".bed.gz", "bed", ".tbi"),
    (".vcf.gz", "vcf", ".tbi"),
    (".gff3.gz", "gff3", ".tbi"),
    (".gtf.gz", "gtf", ".tbi"),
    (".bigBed", "bigbed", None),
    (".bigWig", "bigwig", None),
    (".bam", "bam", ".bai"),
    (".cram", "cram", ".crai"),
    (".bed", "bed", None),
    (".vcf", "vcf", None),
    (".bb", "bigbed", None),
    (".bw", "bigwig", None),
)
DYNAMIC_TRACKS = ("variants", "classifications", "genepanel", "regions_of_interest")
DYNAMIC_URLS = {
    "variants": "/api/v1/igv/tracks/dynamic/variants/<ANALYSIS_ID>",
    "classifications": "/api/v1/igv/tracks/dynamic/classifications",
    "genepanel": "/api/v1/igv/tracks/dynamic/genepanel/<GENEPANEL_NAME>/<GENEPANEL_VERSION>",
    "regions_of_interest": "/api/v1/igv/tracks/dynamic/regions_of_interest/<ANALYSIS_ID>",
}


# ------------------------------------------------------------------------------------------ path safety


def safe_file(root: Path, relative: str) -> Path:
    """``root/relative`` if it is a regular file that really lies inside ``root``; NotFoundError otherwise."""
    parts = relative.split("/")
    if (
        not relative
        or "\x00" in relative
        or "\\" in relative
        or relative.startswith("/")
        or any(part in ("", ".", "..") or part.startswith(".") for part in parts)
    ):
        raise NotFoundError("no such file")
    try:
        base = root.resolve(strict=True)
        target = (base / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        raise NotFoundError("no such file") from None
    if not target.is_relative_to(base) or not target.is_file():
        raise NotFoundError("no such file")
    return target


def resource_file(igv_data: Path, name: str, valid_names: list[str]) -> Path:
    """A reference file of ``igv.valid_resource_files`` (FASTA, index, cytoband) from ``$IGV_DATA``."""
    if name not in valid_names:
        raise NotFoundError("no such file")
    return safe_file(igv_data, name)


def track_type(path: str) -> tuple[str, str | None] | None:
    """(igv.js format, index suffix) of a track file name, None when it is no track (e.g. an index)."""
    for suffix, fmt, index in TRACK_TYPES:
        if path.endswith(suffix):
            return fmt, index
    return None


def index_path(path: str) -> str | None:
    found = track_type(path)
    return path + found[1] if found and found[1] else None


def list_tracks(root: Path | None) -> list[str]:
    """Track files under ``root`` (relative paths, sorted); links leaving ``root`` and hidden entries skipped."""
    if root is None or not root.is_dir():
        return []
    base = root.resolve()
    found = []
    for directory, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and Path(directory, d).resolve().is_relative_to(base))
        for name in files:
            if name.startswith(".") or track_type(name) is None:
                continue
            full = Path(directory, name)
            if full.resolve().is_relative_to(base):
                found.append(full.relative_to(base).as_posix())
    return sorted(found)


# ------------------------------------------------------------------------------------------ config


def load_track_config(igv_data: Path) -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    """The rules of ``track_config.json`` (or the default one), in file order; [] when there is none."""
    for name in TRACK_CONFIG_NAMES:
        path = igv_data / name
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"{path}: cannot read the IGV track config: {exc}") from None
            if not isinstance(data, dict):
                raise ConfigError(f"{path}: the IGV track config must be a JSON object")
            rules = []
            for pattern, settings in data.items():
                try:
                    compiled = re.compile(pattern)
                except re.error as exc:
                    raise ConfigError(f"{path}: bad track pattern {pattern!r}: {exc}") from None
                if not isinstance(settings, dict):
                    raise ConfigError(f"{path}: the settings of {pattern!r} must be an object")
                rules.append((compiled, settings))
            return rules
    return []


def merged_settings(rules: list[tuple[re.Pattern[str], dict[str, Any]]], track_id: str) -> dict[str, Any]:
    merged: dict[str, Any] = {"applied_rules": []}
    igv: dict[str, Any] = {}
    for pattern, settings in rules:
        if pattern.match(track_id):
            for key, value in settings.items():
                if key == "igv" and isinstance(value, dict):
                    igv.update(copy.deepcopy(value))
                else:
                    merged[key] = copy.deepcopy(value)
            merged["applied_rules"].append(pattern.pattern)
    merged["igv"] = igv
    return merged


def visible_to(settings: dict[str, Any], group_name: str) -> bool:
    if "limit_to_groups" not in settings:
        return False
    groups = settings["limit_to_groups"]
    return groups is None or (isinstance(groups, list) and group_name in groups)


@dataclass(frozen=True)
class TrackSources:
    igv_data: Path
    analyses_path: Path | None
    analysis_id: int
    analysis_name: str
    genepanel: tuple[str, str]

    @property
    def analysis_tracks(self) -> Path | None:
        if self.analyses_path is None:
            return None
        try:
            return safe_dir(self.analyses_path, self.analysis_name, "tracks")
        except NotFoundError:
            return None

    def track_ids(self) -> Iterator[tuple[str, str, str]]:
        """(track id, source, path or name)."""
        for path in list_tracks(self.igv_data / "tracks"):
            yield f"STATIC/{path}", "static", path
        for path in list_tracks(self.analysis_tracks):
            yield f"ANALYSIS/{path}", "analysis", path
        for name in DYNAMIC_TRACKS:
            yield f"DYNAMIC/{name}", "dynamic", name


def safe_dir(root: Path, *parts: str) -> Path:
    """``root/part/...`` if it is a directory inside ``root`` (analysis names come from the database)."""
    if any(not p or p in (".", "..") or "/" in p or "\\" in p or "\x00" in p for p in parts):
        raise NotFoundError("no such directory")
    try:
        base = root.resolve(strict=True)
        target = base.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        raise NotFoundError("no such directory") from None
    if not target.is_relative_to(base) or not target.is_dir():
        raise NotFoundError("no such directory")
    return target


def _default_url(source: str, path: str) -> str:
    if source == "static":
        return "/api/v1/igv/tracks/static/<TRACK_FILEPATH>"
    if source == "analysis":
        return "/api/v1/igv/tracks/analyses/<ANALYSIS_ID>/<TRACK_FILEPATH>"
    return DYNAMIC_URLS[path]


def track_config(sources: TrackSources, group_name: str, allele_ids: str = "") -> list[dict[str, Any]]:
    """The tracks of an analysis the group may see, ready for igv.js (``igv`` holds the track options)."""
    rules = load_track_config(sources.igv_data)
    tracks = []
    for track_id, source, path in sources.track_ids():
        settings = merged_settings(rules, track_id)
        if not visible_to(settings, group_name):
            continue
        url = settings.pop("url", None)
        if not isinstance(url, str) or not url:
            url = _default_url(source, path)
        values = {
            "<TRACK_FILEPATH>": path,
            "<ANALYSIS_ID>": str(sources.analysis_id),
            "<GENEPANEL_NAME>": sources.genepanel[0],
            "<GENEPANEL_VERSION>": sources.genepanel[1],
            "<ALLELE_IDS>": allele_ids,
        }
        for placeholder, value in values.items():
            url = url.replace(placeholder, value)
        igv = settings.pop("igv")
        igv.setdefault("name", path.rsplit("/", 1)[-1].split(".")[0] if source != "dynamic" else path)
        igv["url"] = url
        found = track_type(path) if source != "dynamic" else None
        if found is not None:
            igv.setdefault("format", found[0])
            if found[1] is not None:
                igv.setdefault("indexURL", url + ("&" if "?" in url else "?") + "index=1")
        settings.pop("limit_to_groups", None)
        tracks.append(
            {
                "id": track_id,
                "source": source,
                "show": bool(settings.pop("show", False)),
                "presets": settings.pop("presets", []),
                "description": settings.pop("description", None),
                "type": settings.pop("type", None),
                "applied_rules": settings.pop("applied_rules"),
                "igv": igv,
                **settings,
            }
        )
    return tracks


def track_allowed(igv_data: Path, track_id: str, group_name: str) -> bool:
    return visible_to(merged_settings(load_track_config(igv_data), track_id), group_name)
