"""ELLA's attachment files: checked before anything is written, copied into ``ATTACHMENT_STORAGE`` after.

ELLA and the kit both keep a file at ``<storage>/<sha256[:2]>/<sha256>``, so a file keeps its path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

_BLOCK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def stored_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    sha256: str
    size: int | None


@dataclass
class AttachmentCheck:
    problems: list[tuple[int, str]] = field(default_factory=list)  # (attachment id, reason)
    files: int = 0
    bytes: int = 0


def check_files(rows: Iterable[AttachmentRow], source_dir: Path) -> AttachmentCheck:
    """Every row's file exists under ``source_dir`` with the row's SHA-256 and size."""
    result = AttachmentCheck()
    seen: set[str] = set()
    for row in rows:
        path = stored_path(source_dir, row.sha256)
        if not path.is_file():
            result.problems.append((row.id, f"file {path} is missing"))
            continue
        size = path.stat().st_size
        if row.size is not None and size != row.size:
            result.problems.append((row.id, f"file {path} has {size} bytes, the row says {row.size}"))
            continue
        if row.sha256 in seen:
            continue
        actual = file_sha256(path)
        if actual != row.sha256:
            result.problems.append((row.id, f"file {path} has SHA-256 {actual}, not the row's {row.sha256}"))
            continue
        seen.add(row.sha256)
        result.files += 1
        result.bytes += size
    return result


@dataclass
class CopiedFiles:
    created: list[Path] = field(default_factory=list)
    present: int = 0  # already in the storage with the right content

    def undo(self) -> None:
        """Remove the files this run created (the database transaction was rolled back)."""
        for path in self.created:
            path.unlink(missing_ok=True)


def copy_files(sha256s: Iterable[str], source_dir: Path, storage: Path) -> CopiedFiles:
    """Copy each file into ``storage`` (write to a temporary name, verify the SHA-256, rename), with its
    thumbnail when there is one; a file already there with the right content is left alone. Raises OSError or
    ValueError; ``undo`` removes what it made."""
    copied = CopiedFiles()
    try:
        for sha in sorted(set(sha256s)):
            target = stored_path(storage, sha)
            if target.is_file() and file_sha256(target) == sha:
                copied.present += 1
                _copy_thumbnail(source_dir, storage, sha, copied)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{sha}.import-{os.getpid()}")
            shutil.copyfile(stored_path(source_dir, sha), temporary)
            actual = file_sha256(temporary)
            if actual != sha:
                temporary.unlink(missing_ok=True)
                raise ValueError(f"copy of attachment {sha} has SHA-256 {actual}: the copy is damaged")
            os.chmod(temporary, 0o640)
            os.replace(temporary, target)
            copied.created.append(target)
            _copy_thumbnail(source_dir, storage, sha, copied)
    except BaseException:
        copied.undo()
        raise
    return copied


def thumbnail_path(root: Path, sha256: str) -> Path:
    """ELLA's (and the kit's) thumbnail of an image attachment, next to the file."""
    return root / sha256[:2] / f"{sha256}.thumbnail"


def _copy_thumbnail(source_dir: Path, storage: Path, sha: str, copied: CopiedFiles) -> None:
    """The thumbnail comes along when ELLA made one and the storage has none (derived: not checksummed)."""
    source, target = thumbnail_path(source_dir, sha), thumbnail_path(storage, sha)
    if source.is_file() and not target.exists():
        temporary = target.with_name(f".{sha}.thumbnail.import-{os.getpid()}")
        shutil.copyfile(source, temporary)
        os.chmod(temporary, 0o640)
        os.replace(temporary, target)
        copied.created.append(target)
