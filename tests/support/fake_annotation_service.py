"""A small annotation service on 127.0.0.1 that speaks the endpoints the poller uses (ella-anno API v1).

    POST /api/v1/annotate {"input": "..."}  → {"task_id": "..."}
    POST /api/v1/samples/annotate           (multipart: ``sample_id`` and the other variables as fields, the
                                             ``regions`` BED and the preimport script's files as files)
                                             → {"task_id": "..."}
    GET  /api/v1/samples/?q={"name": "<term>"}&limit=<n>
                                           → {"<sample name>": {...}, ...} (the sample repository)
    GET  /api/v1/status/<task_id>          → {"active": true|false}  (active for the first ``active_polls``)
    GET  /api/v1/process/<task_id>         → the annotated VCF (one sample)
    GET  /api/v1/status                    → {"status": "ok"}

Input lines are ``chrom pos ref alt`` (whitespace separated), VCF data lines (FORMAT/GT kept) or ella-anno's
genomic form ``13-32890607-G-T`` with an optional ``(het)``/``(hom)``; HGVS names are converted with
``hgvs`` (a small table; an unknown name fails the annotation, as a name the real service cannot map does).
Switches make it answer with errors: ``reject_annotate``, ``status_error``, ``process_error``, ``bad_vcf``
(the processed result is not a VCF); ``error_message`` is the ``message`` of the error answers.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import random
import re
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support import vcfgen

HGVS = {"NM_000059.3:c.7397T>C": ("13", "32929387", "T", "C")}
_DASHED = re.compile(r"^(?:chr)?(\w+)-(\d+)-([A-Za-z]+)-([A-Za-z]+)$")
_GT = re.compile(r"\s*\((het|hom|homo)\)\s*$")


def _site(line: str, hgvs: dict[str, tuple[str, str, str, str]]) -> tuple[str, str, str, str, str]:
    """(chrom, pos, ref, alt, GT) of one input line; ValueError when the service could not read it."""
    gt_match = _GT.search(line)
    gt = "1/1" if gt_match and gt_match.group(1).startswith("hom") else "0/1"
    body = _GT.sub("", line).strip()
    dashed = _DASHED.match(body)
    if dashed:
        chrom, pos, ref, alt = dashed.groups()
        return chrom, pos, ref, alt, gt
    if ":c." in body:
        if body not in hgvs:
            raise ValueError(f"cannot map {body} to the genome")
        return (*hgvs[body], gt)
    cols = line.split("\t") if "\t" in line else line.split()
    if len(cols) >= 10 and "GT" in cols[8].split(":"):
        gt = cols[9].split(":")[cols[8].split(":").index("GT")]
    if len(cols) >= 5:
        return cols[0], cols[1], cols[3], cols[4], gt
    if len(cols) == 4:
        return cols[0], cols[1], cols[2], cols[3], gt
    raise ValueError(f"cannot read {line!r}")


def annotated_vcf(data: str, sample: str = "SAMPLE", hgvs: dict[str, tuple[str, str, str, str]] | None = None) -> str:
    rng = random.Random(7)
    lines = [vcfgen.header([sample])]
    for index, line in enumerate(ln for ln in data.splitlines() if ln.strip() and not ln.startswith("#")):
        chrom, pos, ref, alt, gt = _site(line, HGVS if hgvs is None else hgvs)
        info = f"CSQ={vcfgen._csq(rng, alt, index)};GNOMAD_EXOMES__AC=3;GNOMAD_EXOMES__AN=250000"
        lines.append("\t".join([chrom, pos, ".", ref, alt, "100", "PASS", info, "GT:AD:DP:GQ", f"{gt}:10,10:20:99"]))
    return "\n".join(lines) + "\n"


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """The fields and files of a multipart/form-data body."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8")
        filename = part.get_filename()
        if filename is None:
            fields[str(name)] = text
        else:
            files[str(name)] = (filename, text)
    return fields, files


class FakeAnnotationService:
    def __init__(self, port: int = 0, active_polls: int = 1, host: str = "127.0.0.1") -> None:
        """``host``: the address to listen on (a deployed test host reaches the controller's bridge address)."""
        self.tasks: dict[str, dict[str, Any]] = {}
        self.active_polls = active_polls
        self.reject_annotate = False
        self.status_error = False
        self.process_error = False
        self.bad_vcf = False
        self.error_message = "annotation crashed"
        self.hgvs = dict(HGVS)
        self.requests: list[str] = []
        # the sample repository: name → the variants of its (unannotated) VCF and what the search shows
        self.samples: dict[str, dict[str, Any]] = {
            "Diag-Sample-1": {"variants": "13-32890607-G-T (het)\n13-32893344-A-G (hom)", "technology": "HTS"},
            "Diag-Sample-2": {"variants": "17-41245466-G-A (het)", "technology": "HTS"},
        }
        self.sample_requests: list[dict[str, Any]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def _send(self, code: int, body: str | dict[str, Any], kind: str = "application/json") -> None:
                raw = (json.dumps(body) if isinstance(body, dict) else body).encode()
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                service.requests.append(f"POST {self.path}")
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                if self.path == "/api/v1/samples/annotate":
                    fields, files = _multipart(self.headers.get("Content-Type", ""), raw)
                    service.sample_requests.append({"fields": fields, "files": files})
                    sample = service.samples.get(fields.get("sample_id", ""))
                    if service.reject_annotate or sample is None or "regions" not in files:
                        return self._send(400, {"message": f"no sample {fields.get('sample_id')!r} or no regions"})
                    task_id = uuid.uuid4().hex
                    service.tasks[task_id] = {"input": sample["variants"], "polls": 0, "sample": fields["sample_id"]}
                    return self._send(200, {"task_id": task_id})
                if self.path != "/api/v1/annotate":
                    return self._send(404, {"error": "not found"})
                body = json.loads(raw or b"{}")
                if service.reject_annotate or "input" not in body:
                    return self._send(400, {"error": "bad input", "message": service.error_message})
                task_id = uuid.uuid4().hex
                service.tasks[task_id] = {"input": body["input"], "polls": 0}
                return self._send(200, {"task_id": task_id})

            def do_GET(self) -> None:
                service.requests.append(f"GET {self.path}")
                path, _, query = self.path.partition("?")
                parts = path.strip("/").split("/")
                if parts == ["api", "v1", "status"]:
                    return self._send(200, {"status": "ok"})
                if parts == ["api", "v1", "samples"]:
                    args = urllib.parse.parse_qs(query)
                    term = json.loads(args.get("q", ['{"name": ""}'])[0]).get("name") or ""
                    limit = int(args.get("limit", ["0"])[0] or 0) or None
                    found = {
                        name: {"technology": s["technology"]}
                        for name, s in sorted(service.samples.items())
                        if term.lower() in name.lower()
                    }
                    return self._send(200, dict(list(found.items())[:limit]))
                if len(parts) != 4 or parts[:2] != ["api", "v1"] or parts[3] not in service.tasks:
                    return self._send(404, {"error": "no such task"})
                task = service.tasks[parts[3]]
                if parts[2] == "status":
                    if service.status_error:
                        return self._send(500, {"error": "annotation crashed", "message": service.error_message})
                    task["polls"] += 1
                    return self._send(200, {"active": task["polls"] <= service.active_polls})
                if parts[2] == "process":
                    if service.process_error:
                        return self._send(500, {"error": "no result", "message": service.error_message})
                    if service.bad_vcf:
                        return self._send(200, "this is not a VCF\n", "text/plain")
                    try:
                        vcf = annotated_vcf(task["input"], task.get("sample", "SAMPLE"), service.hgvs)
                    except ValueError as exc:
                        return self._send(500, {"error": "annotation failed", "message": str(exc)})
                    return self._send(200, vcf, "text/plain")
                return self._send(404, {"error": "not found"})

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        address, port = self.server.server_address[:2]
        return f"http://{address}:{port}"

    def start(self) -> FakeAnnotationService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
