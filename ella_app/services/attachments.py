"""Attachments (feature A10): files users attach to classifications (a lab report, a picture of a gel).

Storage, as ELLA: ``app.attachment_storage`` (else ``$ATTACHMENT_STORAGE``), each file at
``<sha256[:2]>/<sha256>`` of its content, so the same file uploaded twice is stored once (each upload still
gets its own ``attachment`` row with its name). Images get a 300x300 JPEG thumbnail next to the file
(``<sha256>.thumbnail``, made with Pillow when it is installed; ELLA used ImageMagick); other files none.

Refused, with a message naming the file and nothing stored: a file over ``app.max_upload_size`` bytes (413; the
API also stops reading the request there), an empty file, a name with a path or control characters, and a
disguised type: a name whose extension belongs to a known format (``.pdf``, ``.png``, ``.docx`` …) with
content of another, or content of a known format under another extension.

Who sees an attachment: its uploader, and whoever may see an allele whose assessment it is linked to
(``alleleassessmentattachment``); for anyone else it does not exist (404). Analysis attachments are the files
of ``$ANALYSES_PATH/<analysis name>/attachments`` (sorted by name), seen by whoever sees the analysis.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import mimetypes
import os
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ella_app.db.models import AlleleAssessment, AlleleAssessmentAttachment, Attachment, User
from ella_app.errors import EllaError, InputError, NotFoundError
from ella_app.services import access, igv_tracks
from ella_app.services.current_user import UserLike
from ella_app.services.filters.context import int_ids
from ella_app.services.list_filter import INT, TEXT, conditions

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
HEAD = 8 * 1024  # bytes kept to recognise the format
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024
MAX_NAME = 255
THUMBNAIL_SIZE = 300
MAX_THUMBNAIL_PIXELS = 40_000_000  # larger images get no thumbnail (Pillow's bomb check)


class UploadTooLargeError(EllaError):
    http_status = 413
    exit_code = 2


class StorageUnavailableError(EllaError):
    http_status = 503


# ------------------------------------------------------------------------------------------ formats


@dataclass(frozen=True)
class Format:
    name: str  # as a message names it
    mimetype: str
    extensions: tuple[str, ...]
    image: bool = False  # gets a thumbnail, served inline-capable as its type


def _bmp(head: bytes) -> bool:
    return (
        head[:2] == b"BM"
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124)
    )


_FORMATS: tuple[tuple[Format, Any], ...] = (
    (Format("a PNG image", "image/png", ("png",), True), lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    (
        Format("a JPEG image", "image/jpeg", ("jpg", "jpeg", "jpe", "jfif"), True),
        lambda h: h.startswith(b"\xff\xd8\xff"),
    ),
    (Format("a GIF image", "image/gif", ("gif",), True), lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    (Format("a WebP image", "image/webp", ("webp",), True), lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    (Format("a BMP image", "image/bmp", ("bmp",), True), _bmp),
    (Format("a TIFF image", "image/tiff", ("tif", "tiff")), lambda h: h[:4] in (b"II*\x00", b"MM\x00*")),
    (Format("a PDF document", "application/pdf", ("pdf",)), lambda h: b"%PDF-" in h[:1024]),
    (
        Format(
            "a ZIP container", "application/zip", ("zip", "docx", "docm", "xlsx", "xlsm", "pptx", "odt", "ods", "odp")
        ),
        lambda h: h[:4] in (b"PK\x03\x04", b"PK\x05\x06"),
    ),
    (
        Format("an OLE2 (old Office) document", "application/x-ole-storage", ("doc", "xls", "ppt", "msg")),
        lambda h: h.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    ),
    (Format("a gzip file", "application/gzip", ("gz", "tgz", "bgz", "bam")), lambda h: h.startswith(b"\x1f\x8b")),
)
_BY_EXTENSION = {ext: fmt for fmt, _ in _FORMATS for ext in fmt.extensions}
# What downloads are served as: images and PDFs as themselves (pictures in comments, the browser's viewer
# after saving), everything else as bytes.
_SERVED_AS = {fmt.mimetype for fmt, _ in _FORMATS if fmt.image} | {"application/pdf"}


def detect(head: bytes) -> Format | None:
    for fmt, test in _FORMATS:
        if test(head):
            return fmt
    return None


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1] if "." in filename.strip(".") else ""


def check_filename(filename: str | None) -> str:
    if filename is None or not filename.strip():
        raise InputError("the file needs a name", key="file")
    if len(filename) > MAX_NAME:
        raise InputError(f"the file name is longer than {MAX_NAME} characters", key="file")
    if "/" in filename or "\\" in filename or filename.strip() in (".", ".."):
        raise InputError(f"the file name '{filename[:100]}' holds a path; send the name only", key="file")
    if any(ord(c) < 32 or ord(c) == 127 for c in filename):
        raise InputError("the file name must not contain control characters", key="file")
    return filename


def check_format(filename: str, head: bytes) -> tuple[Format | None, str]:
    """The recognised format and the mimetype to record; InputError for a disguised type."""
    extension = extension_of(filename).lower()
    claimed = _BY_EXTENSION.get(extension)
    found = detect(head)
    if claimed is not None and found is not claimed:
        what = found.name if found is not None else "not in that format"
        raise InputError(f"'{filename}' is named as {claimed.name} but its content is {what}", key="file")
    if found is not None and claimed is None and extension:
        raise InputError(f"'{filename}' is {found.name} but its name ends in .{extension}", key="file")
    if found is not None:
        guessed = mimetypes.guess_type(filename, strict=False)[0]
        specific = found.mimetype if found.image or found.mimetype == "application/pdf" else guessed
        return found, specific or found.mimetype
    return None, mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream"


def served_mimetype(attachment: Attachment) -> str:
    return attachment.mimetype if attachment.mimetype in _SERVED_AS else "application/octet-stream"


def served_mimetype_of_file(path: Path) -> str:
    """What a file we did not receive ourselves (an analysis attachment) is served as, by its content."""
    with path.open("rb") as handle:
        found = detect(handle.read(HEAD))
    return found.mimetype if found is not None and found.mimetype in _SERVED_AS else "application/octet-stream"


# ------------------------------------------------------------------------------------------ storage


@dataclass(frozen=True)
class Storage:
    root: Path
    max_size: int

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def thumbnail(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.thumbnail"


def storage(app_config: Mapping[str, Any], env_path: Path | None) -> Storage:
    """Where attachments live and the size limit, from the config (``app``) or ``$ATTACHMENT_STORAGE``."""
    app = app_config.get("app", {})
    configured = app.get("attachment_storage") or (str(env_path) if env_path else None)
    if not configured:
        raise StorageUnavailableError("attachments are off: app.attachment_storage (ATTACHMENT_STORAGE) is not set")
    limit = app.get("max_upload_size")
    return Storage(Path(configured), int(limit) if isinstance(limit, int) else DEFAULT_MAX_UPLOAD)


def _thumbnail(source: Path, target: Path) -> None:
    """A 300x300 JPEG of an image, centred on white (ELLA's ImageMagick command); nothing when it fails."""
    try:
        from PIL import Image
    except ImportError:
        return
    Image.MAX_IMAGE_PIXELS = MAX_THUMBNAIL_PIXELS
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # too many pixels: no thumbnail
            with Image.open(source) as image:
                image.draft("RGB", (THUMBNAIL_SIZE, THUMBNAIL_SIZE))
                frame = image.convert("RGBA")
        frame.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        canvas = Image.new("RGB", (THUMBNAIL_SIZE, THUMBNAIL_SIZE), "white")
        offset = ((THUMBNAIL_SIZE - frame.width) // 2, (THUMBNAIL_SIZE - frame.height) // 2)
        canvas.paste(frame, offset, frame)
        canvas.save(temporary, "JPEG", quality=90)
        os.replace(temporary, target)
    except Exception as exc:  # a broken or hostile image: no thumbnail, the upload stands
        log.info("no thumbnail for %s: %s", source.name, exc)
        with contextlib.suppress(OSError):
            temporary.unlink()


def upload(session: Session, user: UserLike, where: Storage, filename: str | None, stream: IO[bytes]) -> Attachment:
    """Store an uploaded file and record it; refused uploads leave no file and no row."""
    name = check_filename(filename)
    try:
        tmp_dir = where.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        tmp = tmp_dir / uuid.uuid4().hex
        handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    except OSError as exc:
        log.error("attachment storage %s: %s", where.root, exc)
        raise StorageUnavailableError("the attachment storage cannot be written to; tell the administrator") from None
    try:
        hasher = hashlib.sha256()
        size = 0
        head = b""
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > where.max_size:
                    raise UploadTooLargeError(
                        f"'{name}' is larger than the upload limit of {where.max_size} bytes (app.max_upload_size)"
                    )
                if len(head) < HEAD:
                    head += chunk[: HEAD - len(head)]
                hasher.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InputError(f"'{name}' is empty", key="file")
        fmt, mimetype = check_format(name, head)
        digest = hasher.hexdigest()
        target = where.path(digest)
        target.parent.mkdir(exist_ok=True)
        if target.is_file():
            tmp.unlink()  # the same content is stored already
        else:
            os.replace(tmp, target)
        if fmt is not None and fmt.image and not where.thumbnail(digest).is_file():
            _thumbnail(target, where.thumbnail(digest))
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    attachment = Attachment(
        sha256=digest, filename=name, size=size, mimetype=mimetype, extension=extension_of(name), user_id=user.id
    )
    session.add(attachment)
    session.flush()
    return attachment


# ------------------------------------------------------------------------------------------ access


def visible(user: UserLike) -> ColumnElement[bool]:
    """SQL condition: the caller uploaded the attachment, or may see an allele whose assessment links it."""
    linked = exists(
        select(AlleleAssessmentAttachment.c.attachment_id)
        .join(AlleleAssessment, AlleleAssessment.id == AlleleAssessmentAttachment.c.alleleassessment_id)
        .where(
            AlleleAssessmentAttachment.c.attachment_id == Attachment.id,
            access.allele_allowed(user, AlleleAssessment.allele_id),
        )
    )
    return or_(Attachment.user_id == user.id, linked)


def get(session: Session, user: UserLike, attachment_id: int) -> Attachment:
    if access.valid_id(attachment_id):
        found = session.scalar(select(Attachment).where(Attachment.id == attachment_id, visible(user)))
        if found is not None:
            return found
    raise NotFoundError(f"no attachment {attachment_id}")


def file_of(where: Storage, attachment: Attachment) -> Path:
    path = where.path(attachment.sha256)
    if not path.is_file():
        log.error("attachment %s: %s is missing from the storage", attachment.id, path)
        raise NotFoundError(f"the file of attachment {attachment.id} is missing from the storage")
    return path


_FILTER = {
    "id": (Attachment.id, INT),
    "user_id": (Attachment.user_id, INT),
    "sha256": (Attachment.sha256, TEXT),
    "filename": (Attachment.filename, TEXT),
}


def list_attachments(
    session: Session, user: UserLike, where: Storage, q: Any, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    query = select(Attachment).where(visible(user), *conditions(q, _FILTER))
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = list(session.scalars(query.order_by(Attachment.id).offset((page - 1) * per_page).limit(per_page)))
    return as_json(session, where, rows), total


def link_to_assessment(
    session: Session, user: UserLike, alleleassessment_id: int, attachment_ids: Sequence[int]
) -> None:
    """Link attachments the caller may see to an allele assessment (as ELLA's finalize does)."""
    wanted = sorted(set(attachment_ids))
    if not wanted:
        return
    found = set(session.scalars(select(Attachment.id).where(Attachment.id == int_ids(wanted), visible(user))))
    missing = [a for a in wanted if a not in found]
    if missing:
        raise NotFoundError(f"no attachment(s) {', '.join(map(str, missing[:20]))}")
    rows = [{"alleleassessment_id": alleleassessment_id, "attachment_id": a} for a in wanted]
    session.execute(pg_insert(AlleleAssessmentAttachment).values(rows).on_conflict_do_nothing())


def attachment_ids(session: Session, alleleassessment_ids: Sequence[int]) -> dict[int, list[int]]:
    """The attachment ids of each allele assessment (ELLA's ``attachment_ids``)."""
    result: dict[int, list[int]] = {a: [] for a in alleleassessment_ids}
    if not alleleassessment_ids:
        return result
    link = AlleleAssessmentAttachment.c
    query = select(link.alleleassessment_id, link.attachment_id).where(
        link.alleleassessment_id == int_ids(alleleassessment_ids)
    )
    for assessment_id, attachment_id in session.execute(query.order_by(link.attachment_id)).tuples():
        result[assessment_id].append(attachment_id)
    return result


def as_json(session: Session, where: Storage, rows: Sequence[Attachment]) -> list[dict[str, Any]]:
    """ELLA's attachment shape: the thumbnail (base64 JPEG) inline, the uploader as a user."""
    user_ids = {r.user_id for r in rows if r.user_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id == int_ids(user_ids)))} if user_ids else {}
    result = []
    for row in rows:
        thumbnail_path = where.thumbnail(row.sha256)
        thumbnail = base64.b64encode(thumbnail_path.read_bytes()).decode() if thumbnail_path.is_file() else None
        uploader = users.get(row.user_id) if row.user_id is not None else None
        result.append(
            {
                "id": row.id,
                "sha256": row.sha256,
                "filename": row.filename,
                "size": row.size,
                "date_created": row.date_created.isoformat(),
                "mimetype": row.mimetype,
                "extension": row.extension or "",
                "thumbnail": thumbnail,
                "user": None
                if uploader is None
                else {
                    "id": uploader.id,
                    "username": uploader.username,
                    "first_name": uploader.first_name,
                    "last_name": uploader.last_name,
                    "full_name": f"{uploader.first_name} {uploader.last_name}",
                },
            }
        )
    return result


# ------------------------------------------------------------------------------------------ analyses


def analysis_files(analyses_path: Path | None, analysis_name: str) -> list[Path]:
    """The files of an analysis' ``attachments`` folder, by name (hidden files and links out skipped)."""
    if analyses_path is None:
        return []
    try:
        folder = igv_tracks.safe_dir(analyses_path, analysis_name, "attachments")
    except NotFoundError:
        return []
    files = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        with contextlib.suppress(OSError, RuntimeError):
            resolved = entry.resolve(strict=True)
            if resolved.is_file() and resolved.is_relative_to(folder):
                files.append(resolved)
    return files


def analysis_file(analyses_path: Path | None, analysis_name: str, index: int) -> Path:
    files = analysis_files(analyses_path, analysis_name)
    if not 0 <= index < len(files):
        raise NotFoundError(f"analysis {analysis_name} has no attachment {index}")
    return files[index]
