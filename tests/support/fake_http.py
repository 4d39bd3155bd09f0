"""A small HTTP server on 127.0.0.1 for tests: NCBI efetch and static files, speaking the real protocols.

* ``GET /efetch.fcgi?db=pubmed&id=1,2&retmode=xml`` answers a ``PubmedArticleSet`` with the articles it
  knows (from the sample XML files, or made up for any id when ``synthesize`` is on); unknown ids are
  left out, as NCBI does. ``fail_next(n, status)`` makes the next n requests fail with that status.
* ``GET``/``HEAD /static/<path>`` serves files below ``static_dir`` with Content-Length;
  ``failing_downloads[path] = status`` makes only the GET of that path fail.

Every request is recorded in ``requests`` (method, path, query).
"""

from __future__ import annotations

import socket
import threading
import urllib.parse
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

ARTICLE_TEMPLATE = """<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><Volume>{volume}</Volume><Issue>2</Issue>
<PubDate><Year>2010</Year></PubDate></JournalIssue><Title>Journal of Tests</Title>
<ISOAbbreviation>J Tests</ISOAbbreviation></Journal><ArticleTitle>Article number {pmid}.</ArticleTitle>
<Pagination><MedlinePgn>1-9</MedlinePgn></Pagination><Abstract><AbstractText>Abstract of {pmid}.</AbstractText>
</Abstract><AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Tester</LastName><Initials>T</Initials></Author>
</AuthorList></Article></MedlineCitation></PubmedArticle>"""
EFETCH_PATHS = ("/efetch.fcgi", "/entrez/eutils/efetch.fcgi")


def free_port() -> int:
    """A port nobody listens on (for 'connection refused' tests)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def articles_from_files(paths: Iterable[Path]) -> dict[int, str]:
    """PMID → article XML, from files holding one article each (or a PubmedArticleSet)."""
    articles: dict[int, str] = {}
    for path in paths:
        root = ET.fromstring(path.read_bytes())
        elements = list(root) if root.tag == "PubmedArticleSet" else [root]
        for element in elements:
            pmid = element.find("./MedlineCitation/PMID")
            if pmid is None:
                pmid = element.find("./BookDocument/PMID")
            assert pmid is not None and pmid.text
            articles[int(pmid.text)] = ET.tostring(element, encoding="unicode")
    return articles


class FakeServer:
    def __init__(
        self, articles: dict[int, str] | None = None, static_dir: Path | None = None, synthesize: bool = False
    ) -> None:
        self.articles = dict(articles or {})
        self.static_dir = static_dir
        self.synthesize = synthesize
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self._failures: list[int] = []
        self.failing_downloads: dict[str, int] = {}  # path → status for GET (HEAD still answers normally)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, count: int, status: int = 500) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def efetch_batches(self) -> list[list[int]]:
        return [
            [int(i) for i in query["id"][0].split(",")] for method, path, query in self.requests if path in EFETCH_PATHS
        ]

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _pop_failure(self) -> int | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _article(self, pmid: int) -> str | None:
        if pmid in self.articles:
            return self.articles[pmid]
        if self.synthesize:
            return ARTICLE_TEMPLATE.format(pmid=pmid, volume=pmid % 97)
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return None

            def _send(self, status: int, body: bytes, content_type: str, head: bool = False) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _handle(self, head: bool) -> None:
                parts = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(parts.query)
                server.requests.append((self.command, parts.path, query))
                failure = server._pop_failure()
                if failure is None and not head:
                    failure = server.failing_downloads.get(parts.path)
                if failure is not None:
                    self._send(failure, b"<html><body>Internal error</body></html>", "text/html", head)
                    return
                if parts.path in EFETCH_PATHS:
                    self._efetch(query, head)
                elif parts.path.startswith("/static/") and server.static_dir is not None:
                    self._static(parts.path[len("/static/") :], head)
                else:
                    self._send(404, b"not found", "text/plain", head)

            def _efetch(self, query: dict[str, list[str]], head: bool) -> None:
                if query.get("db") != ["pubmed"] or query.get("retmode") != ["xml"] or "id" not in query:
                    self._send(400, b"<ERROR>bad request</ERROR>", "text/xml", head)
                    return
                ids = [int(i) for i in query["id"][0].split(",") if i.strip().isdigit()]
                found = [a for a in (server._article(i) for i in ids) if a is not None]
                body = (
                    '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
                    '1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n'
                    "<PubmedArticleSet>\n" + "\n".join(found) + "\n</PubmedArticleSet>\n"
                ).encode()
                self._send(200, body, "text/xml; charset=UTF-8", head)

            def _static(self, relative: str, head: bool) -> None:
                assert server.static_dir is not None
                path = (server.static_dir / urllib.parse.unquote(relative)).resolve()
                if server.static_dir.resolve() not in path.parents or not path.is_file():
                    self._send(404, b"not found", "text/plain", head)
                    return
                self._send(200, path.read_bytes(), "application/octet-stream", head)

            def do_GET(self) -> None:
                self._handle(head=False)

            def do_HEAD(self) -> None:
                self._handle(head=True)

        return Handler
