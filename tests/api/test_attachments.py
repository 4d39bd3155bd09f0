"""Attachments: upload (content-addressed storage, thumbnail, size limit, refused names and disguised types),
download with safe headers, listing, links to allele assessments and who may see them, analysis attachments."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from ella_app.db.models import Allele, AlleleAssessment, Attachment, User
from ella_app.errors import NotFoundError
from ella_app.services import attachments as service
from tests.api.factories import HBOC, Api, World, build_world, classify, copy_db, make_app, session_for, template_db


def build(session: Any) -> World:
    world = build_world(session)
    ada = session.get(User, world.users["ada"])
    world.extra["assessment"] = classify(
        session, session.get(Allele, world.alleles["hboc_rare"]), ada, "4", panel=HBOC
    ).id
    return world


@pytest.fixture(scope="module")
def template(pg) -> tuple[str, World]:
    return template_db(pg, build)


@pytest.fixture
def env(pg, template, tmp_path) -> Any:
    name, world = template
    with copy_db(pg, name) as url:
        app = make_app(url, tmp_path)
        yield app, url, world, tmp_path / "attachments"


def png(width: int = 640, height: int = 480, color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png() -> bytes:
    """A PNG whose header claims 100000 x 100000 pixels (its data is a few bytes)."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x00")) + _chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(api: Api, content: bytes, filename: str, **kw: Any) -> Any:
    return api.post("/api/v1/attachments/upload/", data={"file": (io.BytesIO(content), filename)}, **kw)


def raw_upload(api: Api, quoted_filename: bytes, content: bytes) -> Any:
    """A multipart body written by hand: the filename exactly as a client quotes it."""
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="' + quoted_filename + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n--B--\r\n"
    )
    return api.post("/api/v1/attachments/upload/", data=body, content_type="multipart/form-data; boundary=B")


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attachment_rows(url: str) -> int:
    with session_for(url) as session:
        return int(session.scalar(select(func.count()).select_from(Attachment)) or 0)


def test_upload_and_download(env):
    """Mirrors ELLA src/api/tests/test_attachments.py::test_attachments (a PNG up and down again)."""
    app, url, world, _root = env
    api = Api(app, url, world.users["ada"])
    content = png()
    response = upload(api, content, "ella.png")
    assert response.status_code == 200, response.json
    body = response.json
    with session_for(url) as session:
        row = session.scalar(select(Attachment))
        assert row is not None
        assert (row.filename, row.extension, row.mimetype, row.size) == ("ella.png", "png", "image/png", len(content))
        assert row.user_id == world.users["ada"]
    assert body["id"] == row.id and body["user"]["username"] == "ada"
    download = api.get(f"/api/v1/attachments/{row.id}")
    assert download.status_code == 200
    assert download.get_data() == content
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"] == "attachment; filename=ella.png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_same_content_is_stored_once_at_its_hash(env):
    app, url, world, root = env
    api = Api(app, url, world.users["ada"])
    content = png(color="blue")
    first, second = upload(api, content, "a.png").json, upload(api, content, "b.png").json
    digest = hashlib.sha256(content).hexdigest()
    assert first["sha256"] == second["sha256"] == digest and first["id"] != second["id"]
    assert (root / digest[:2] / digest).read_bytes() == content
    assert stored_files(root) == [root / digest[:2] / digest, root / digest[:2] / f"{digest}.thumbnail"]
    assert api.get(f"/api/v1/attachments/{second['id']}").headers["Content-Disposition"].endswith("b.png")


def test_thumbnails_for_images_only(env):
    app, url, world, root = env
    api = Api(app, url, world.users["ada"])
    image = upload(api, png(1200, 300), "wide.png").json
    thumbnail = root / image["sha256"][:2] / f"{image['sha256']}.thumbnail"
    with Image.open(thumbnail) as made:
        assert (made.format, made.size) == ("JPEG", (300, 300))
        assert made.getpixel((150, 10)) == (255, 255, 255)  # letterboxed on white
        assert made.getpixel((150, 150))[0] > 200  # the red picture in the middle
    assert image["thumbnail"] and image["thumbnail"] == api.get("/api/v1/attachments/").json[0]["thumbnail"]
    pdf = upload(api, PDF, "report.pdf").json
    assert pdf["thumbnail"] is None and pdf["mimetype"] == "application/pdf"
    assert not (root / pdf["sha256"][:2] / f"{pdf['sha256']}.thumbnail").exists()
    # a broken image and one claiming 10^10 pixels are stored, without a thumbnail
    for name, content in (("broken.png", b"\x89PNG\r\n\x1a\n" + b"junk" * 100), ("bomb.png", bomb_png())):
        response = upload(api, content, name)
        assert response.status_code == 200 and response.json["thumbnail"] is None, response.json


def test_size_limit_is_enforced_by_the_server(env):
    app, url, world, root = env
    app.config["ELLA_SETTINGS"].config["app"]["max_upload_size"] = 1000
    api = Api(app, url, world.users["ada"])
    assert upload(api, b"x" * 1000, "limit.txt").status_code == 200
    before = stored_files(root)
    response = upload(api, b"y" * 1001, "over.txt")
    assert response.status_code == 413
    assert "'over.txt' is larger than the upload limit of 1000 bytes" in response.json["message"]
    response = upload(api, b"z" * 200_000, "far-over.txt")  # stopped by the request size already
    assert response.status_code == 413 and response.json["code"] == 413
    assert "bytes is larger than the upload limit of 1000 bytes" in response.json["message"]
    assert stored_files(root) == before
    assert attachment_rows(url) == 1


def test_size_limit_holds_without_content_length(env):
    """A chunked body (no Content-Length, the server marks the input terminated) is cut at the limit: a clean 413
    JSON answer, nothing stored, and the request still logged."""
    app, url, world, root = env
    app.config["ELLA_SETTINGS"].config["app"]["max_upload_size"] = 1000
    api = Api(app, url, world.users["ada"])
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="chunked.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + b"c" * 200_000 + b"\r\n--B--\r\n"
    )
    response = api.post(
        "/api/v1/attachments/upload/",
        input_stream=io.BytesIO(body),
        content_type="multipart/form-data; boundary=B",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413 and response.json["code"] == 413, response.get_data(as_text=True)[:300]
    assert stored_files(root) == [] and attachment_rows(url) == 0


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("report.pdf", png(), "'report.pdf' is named as a PDF document but its content is a PNG image"),
        ("picture.png", b"just some text", "'picture.png' is named as a PNG image but its content is not in that"),
        ("notes.txt", PDF, "'notes.txt' is a PDF document but its name ends in .txt"),
        ("letter.docx", b"<html>hello</html>", "is named as a ZIP container"),
        ("photo.JPG", png(), "is named as a JPEG image but its content is a PNG image"),
        ("../../etc/passwd", b"x", "holds a path"),
        ("folder/a.txt", b"x", "holds a path"),
        ("..", b"x", "holds a path"),
        ("a\x01b.txt", b"x", "control characters"),
        ("n" * 256 + ".txt", b"x", "longer than 255"),
        ("empty.txt", b"", "'empty.txt' is empty"),
    ],
)
def test_refused_uploads_store_nothing(env, filename, content, message):
    app, url, world, root = env
    response = upload(Api(app, url, world.users["ada"]), content, filename)
    assert response.status_code == 422, response.json
    assert message in response.json["message"]
    assert [p for p in stored_files(root) if p.parent.name != "tmp"] == []
    assert stored_files(root / "tmp") == []
    assert attachment_rows(url) == 0


def test_windows_paths_are_refused(env):
    app, url, world, _root = env
    response = raw_upload(Api(app, url, world.users["ada"]), b"C:\\\\temp\\\\a.txt", b"x")  # C:\\temp\\a.txt quoted
    assert response.status_code == 422 and "holds a path" in response.json["message"], response.json
    assert attachment_rows(url) == 0


def test_upload_needs_a_file_field_login_and_csrf(env):
    app, url, world, _root = env
    api = Api(app, url, world.users["ada"])
    response = api.post("/api/v1/attachments/upload/", data={"other": (io.BytesIO(b"x"), "a.txt")})
    assert response.status_code == 422 and "'file'" in response.json["message"]
    assert api.post("/api/v1/attachments/upload/", json={"file": "x"}).status_code == 422
    anonymous = Api(app, url, None)
    assert upload(anonymous, b"x", "a.txt").status_code == 403
    no_csrf = api.client.post("/api/v1/attachments/upload/", data={"file": (io.BytesIO(b"x"), "a.txt")})
    assert no_csrf.status_code == 403
    assert attachment_rows(url) == 0


def test_unusable_storage_is_503(env):
    app, url, world, root = env
    blocker = root.parent / "not-a-folder"
    blocker.write_text("")
    app.config["ELLA_SETTINGS"].config["app"]["attachment_storage"] = str(blocker)
    response = upload(Api(app, url, world.users["ada"]), b"x", "a.txt")
    assert response.status_code == 503 and "cannot be written" in response.json["message"]


@pytest.mark.parametrize(
    ("filename", "content", "served"),
    [
        ("r.pdf", PDF, "application/pdf"),
        ("notes.txt", b"<script>alert(1)</script>", "application/octet-stream"),
        ("page.html", b"<html><script>alert(1)</script></html>", "application/octet-stream"),
        (
            "logo.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "application/octet-stream",
        ),
        ("Rapport å.txt", b"x", "application/octet-stream"),
    ],
)
def test_downloads_are_served_safely(env, filename, content, served):
    app, url, world, _root = env
    api = Api(app, url, world.users["ada"])
    attachment = upload(api, content, filename).json
    response = api.get(f"/api/v1/attachments/{attachment['id']}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == served
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"] == "no-store"  # patient data: never kept in a browser cache


def test_who_sees_an_attachment(env):
    """The uploader; once linked to a classification, whoever may see that variant; nobody else (404)."""
    app, url, world, _root = env
    ada, bob, cid = (Api(app, url, world.users[n]) for n in ("ada", "bob", "cid"))
    attachment_id = upload(ada, PDF, "report.pdf").json["id"]
    path = f"/api/v1/attachments/{attachment_id}"
    assert bob.get(path).status_code == 404 and cid.get(path).status_code == 404
    assert bob.get(f'/api/v1/attachments/?q={{"id": [{attachment_id}]}}').json == []
    with session_for(url) as session:
        user = session.get(User, world.users["cid"])
        with pytest.raises(NotFoundError):  # cid may not link what cid cannot see
            service.link_to_assessment(session, user, world.extra["assessment"], [attachment_id])
        user = session.get(User, world.users["ada"])
        service.link_to_assessment(session, user, world.extra["assessment"], [attachment_id])
        service.link_to_assessment(session, user, world.extra["assessment"], [attachment_id])  # twice: once
        session.commit()
        assert service.attachment_ids(session, [world.extra["assessment"]]) == {
            world.extra["assessment"]: [attachment_id]
        }
    assert bob.get(path).status_code == 200
    listed = bob.get(f'/api/v1/attachments/?q={{"id": [{attachment_id}, 999]}}')
    assert [a["id"] for a in listed.json] == [attachment_id] and listed.headers["Total-Count"] == "1"
    denied = cid.get(path)
    assert denied.status_code == 404 and set(denied.json) == {"code", "error", "message"}
    assert cid.get("/api/v1/attachments/").json == []
    for missing in (999, 2**31, 10**20):
        assert ada.get(f"/api/v1/attachments/{missing}").status_code == 404


def test_list_filter_and_paging(env):
    app, url, world, _root = env
    api = Api(app, url, world.users["ada"])
    ids = [upload(api, f"file {i}".encode(), f"f{i}.txt").json["id"] for i in range(60)]
    everything = api.get(f'/api/v1/attachments/?q={{"id": {ids}}}'.replace(" ", ""))
    assert [a["id"] for a in everything.json] == ids  # every listed id on one page (ELLA's client)
    page = api.get("/api/v1/attachments/?page=2&per_page=25")
    assert [a["id"] for a in page.json] == ids[25:50] and page.headers["Total-Count"] == "60"
    assert api.get('/api/v1/attachments/?q={"id": []}').json == []
    for bad in ('{"name": 1}', '{"id": "x"}', '{"id": [true]}', "[1]", "{", '{"filename": "a\\u0001"}'):
        response = api.get(f"/api/v1/attachments/?q={bad}")
        assert response.status_code == 422, (bad, response.json)
    assert api.get("/api/v1/attachments/?per_page=1000").status_code == 422


def test_analysis_attachments(env):
    app, url, world, root = env
    folder = root.parent / "analyses/imported/Diag-HBOC-1/attachments"
    folder.mkdir(parents=True)
    (folder / "b-report.pdf").write_bytes(PDF)
    (folder / "a-notes.txt").write_bytes(b"notes")
    (folder / ".hidden").write_bytes(b"secret")
    (folder / "c-outside").symlink_to("/etc/hostname")
    ada, cid = Api(app, url, world.users["ada"]), Api(app, url, world.users["cid"])
    base = f"/api/v1/attachments/analyses/{world.analyses['hboc']}"
    first = ada.get(f"{base}/0/")
    assert first.status_code == 200 and first.get_data() == b"notes"
    assert first.headers["Content-Type"] == "application/octet-stream"
    assert first.headers["Content-Disposition"] == "attachment; filename=a-notes.txt"
    second = ada.get(f"{base}/1/")
    assert second.get_data() == PDF and second.headers["Content-Type"] == "application/pdf"
    assert ada.get(f"{base}/2/").status_code == 404  # the link out of the folder and the hidden file are skipped
    assert cid.get(f"{base}/0/").status_code == 404
    assert ada.get(f"/api/v1/attachments/analyses/{world.analyses['cilio']}/0/").status_code == 404
    assert ada.get(f"/api/v1/attachments/analyses/{world.analyses['hboc']}/99999999999/").status_code == 404


def test_links_live_in_the_link_table(env):
    app, url, world, _root = env
    ada = Api(app, url, world.users["ada"])
    attachment_id = upload(ada, png(), "gel.png").json["id"]
    with session_for(url) as session:
        user = session.get(User, world.users["ada"])
        service.link_to_assessment(session, user, world.extra["assessment"], [attachment_id])
        session.commit()
        assessment = session.get(AlleleAssessment, world.extra["assessment"])
        assert assessment is not None
        assert service.attachment_ids(session, [assessment.id, 12345]) == {assessment.id: [attachment_id], 12345: []}


def test_a_classification_carries_its_attachments(env):
    """Mirrors ELLA's finalizeallele with ``alleleassessment.attachment_ids``: the new assessment links the files
    (its ``attachment_ids``), whoever may see the variant may then download them; a file the caller may not see is
    a 404 and nothing is classified."""
    app, url, world, _root = env
    ada, bob, cid = (Api(app, url, world.users[n]) for n in ("ada", "bob", "cid"))
    allele = world.alleles["hboc_rare"]
    base = f"/api/v1/workflows/alleles/{allele}"
    assert ada.post(f"{base}/actions/start/", json={"gp_name": "HBOC", "gp_version": "v1.0.0"}).status_code == 200
    mine = upload(ada, PDF, "lab-report.pdf").json["id"]
    theirs = upload(bob, b"notes", "notes.txt").json["id"]  # bob's: ada may not see it (yet)
    body = {
        "allele_id": allele,
        "annotation_id": world.annotations[allele],
        "alleleassessment": {
            "classification": "3",
            "presented_alleleassessment_id": world.extra["assessment"],
            "attachment_ids": [mine, theirs],
        },
    }
    before = assessment_count(url)
    refused = ada.post(f"{base}/actions/finalizeallele/", json=body)
    assert refused.status_code == 404 and f"no attachment(s) {theirs}" in refused.json["message"]
    assert assessment_count(url) == before
    body["alleleassessment"]["attachment_ids"] = [mine]
    done = ada.post(f"{base}/actions/finalizeallele/", json=body)
    assert done.status_code == 200, done.json
    assert done.json["alleleassessment"]["attachment_ids"] == [mine]
    current = ada.get(f"/api/v1/alleleassessments/?allele_ids={allele}").json
    assert [a["attachment_ids"] for a in current] == [[mine]]
    assert bob.get(f"/api/v1/attachments/{mine}").status_code == 200  # same group: sees the variant
    assert cid.get(f"/api/v1/attachments/{mine}").status_code == 404
    body["alleleassessment"]["attachment_ids"] = [mine] * 101
    assert ada.post(f"{base}/actions/finalizeallele/", json=body).status_code == 422


def assessment_count(url: str) -> int:
    with session_for(url) as session:
        return int(session.scalar(select(func.count()).select_from(AlleleAssessment)) or 0)
