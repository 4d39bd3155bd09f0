"""A small annotation service on 127.0.0.1 that speaks the endpoints the poller uses (ella-anno API v1).

    POST /api/v1/annotate {"input": "..."}  → {"task_id": "..."}
    GET  /api/v1/status/<task_id>          → {"active": true|false}  (active for the first ``active_polls``)
    GET  /api/v1/process/<task_id>         → the annotated VCF (one sample, heterozygous)
    GET  /api/v1/status                    → {"status": "ok"}

Input lines are ``chrom pos ref alt`` (whitespace separated) or VCF data lines. Switches make it answer
with errors: ``reject_annotate``, ``status_error``, ``process_error``.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support import vcfgen


def annotated_vcf(data: str, sample: str = "SAMPLE") -> str:
    rng = random.Random(7)
    lines = [vcfgen.header([sample])]
    for index, line in enumerate(ln for ln in data.splitlines() if ln.strip() and not ln.startswith("#")):
        cols = line.split("\t") if "\t" in line else line.split()
        chrom, pos, ref, alt = (cols[0], cols[1], cols[3], cols[4]) if len(cols) >= 5 else cols[:4]
        info = f"CSQ={vcfgen._csq(rng, alt, index)};GNOMAD_EXOMES__AC=3;GNOMAD_EXOMES__AN=250000"
        lines.append("\t".join([chrom, pos, ".", ref, alt, "100", "PASS", info, "GT:AD:DP:GQ", "0/1:10,10:20:99"]))
    return "\n".join(lines) + "\n"


class FakeAnnotationService:
    def __init__(self, port: int = 0, active_polls: int = 1) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.active_polls = active_polls
        self.reject_annotate = False
        self.status_error = False
        self.process_error = False
        self.requests: list[str] = []
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
                if self.path != "/api/v1/annotate":
                    return self._send(404, {"error": "not found"})
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if service.reject_annotate or "input" not in body:
                    return self._send(400, {"error": "bad input"})
                task_id = uuid.uuid4().hex
                service.tasks[task_id] = {"input": body["input"], "polls": 0}
                return self._send(200, {"task_id": task_id})

            def do_GET(self) -> None:
                service.requests.append(f"GET {self.path}")
                parts = self.path.strip("/").split("/")
                if parts == ["api", "v1", "status"]:
                    return self._send(200, {"status": "ok"})
                if len(parts) != 4 or parts[:2] != ["api", "v1"] or parts[3] not in service.tasks:
                    return self._send(404, {"error": "no such task"})
                task = service.tasks[parts[3]]
                if parts[2] == "status":
                    if service.status_error:
                        return self._send(500, {"error": "annotation crashed"})
                    task["polls"] += 1
                    return self._send(200, {"active": task["polls"] <= service.active_polls})
                if parts[2] == "process":
                    if service.process_error:
                        return self._send(500, {"error": "no result"})
                    return self._send(200, annotated_vcf(task["input"]), "text/plain")
                return self._send(404, {"error": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeAnnotationService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
