#!/usr/bin/env python3
"""Call ELLA's API in a loop and count the failed requests (a failure: no answer, or an HTTP status other
than 200), for the upgrade scenario: it runs on the controller while playbooks/upgrade.yml runs.

    api_client.py --base http://10.213.0.41:3114 --stop-file /tmp/stop --out result.json
    api_client.py --unix-socket /run/ella/api.sock --duration 30

The base URL may name http or https ("auto:HOST:PORT" tries https first, then http); certificates are not
checked (test hosts only). Stops when --stop-file appears or after --duration seconds; writes a JSON
summary (requests, failed, failures by kind, longest answer, first and last failure times).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import ssl
import sys
import time
from pathlib import Path


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


def connection(scheme: str, host: str, port: int, unix: str | None, timeout: float) -> http.client.HTTPConnection:
    if unix:
        return UnixConnection(unix, timeout)
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl._create_unverified_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


def get(conn_args: tuple, path: str) -> tuple[int, str]:
    conn = connection(*conn_args)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        body = resp.read()
        version = ""
        if resp.status == 200:
            try:
                version = json.loads(body).get("version", "")
            except ValueError:
                version = ""
        return resp.status, version
    finally:
        conn.close()


def pick_scheme(host: str, port: int, path: str, timeout: float) -> str:
    for scheme in ("https", "http"):
        try:
            get((scheme, host, port, None, timeout), path)
            return scheme
        except (OSError, http.client.HTTPException):
            continue
    return "http"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="", help="http(s)://HOST:PORT or auto:HOST:PORT")
    ap.add_argument("--unix-socket", default=None, help="talk HTTP to this unix socket instead")
    ap.add_argument("--path", default="/api/v1/status")
    ap.add_argument("--stop-file", default=None)
    ap.add_argument("--duration", type=float, default=3600.0)
    ap.add_argument("--interval", type=float, default=0.05, help="pause between requests (s)")
    ap.add_argument("--timeout", type=float, default=65.0, help="per-request timeout (s)")
    ap.add_argument("--out", default=None, help="write the JSON summary here (else stdout)")
    args = ap.parse_args()

    scheme, host, port = "http", "localhost", 80
    if not args.unix_socket:
        if args.base.startswith("auto:"):
            _, host, p = args.base.split(":")
            port = int(p)
            scheme = pick_scheme(host, port, args.path, 5.0)
        else:
            scheme, rest = args.base.split("://", 1)
            host, p = rest.rstrip("/").rsplit(":", 1)
            port = int(p)
    conn_args = (scheme, host, port, args.unix_socket, args.timeout)

    t0 = time.monotonic()
    total = failed = 0
    kinds: dict[str, int] = {}
    versions: dict[str, int] = {}
    first_fail = last_fail = None
    slowest = 0.0
    while time.monotonic() - t0 < args.duration:
        if args.stop_file and os.path.exists(args.stop_file):
            break
        start = time.monotonic()
        try:
            status, version = get(conn_args, args.path)
            kind = None if status == 200 else f"http {status}"
            if version:
                versions[version] = versions.get(version, 0) + 1
        except (OSError, http.client.HTTPException) as exc:
            kind = type(exc).__name__
        took = time.monotonic() - start
        slowest = max(slowest, took)
        total += 1
        if kind:
            failed += 1
            kinds[kind] = kinds.get(kind, 0) + 1
            rel = round(start - t0, 2)
            first_fail = rel if first_fail is None else first_fail
            last_fail = rel
        time.sleep(args.interval)
    summary = {
        "target": args.unix_socket or f"{scheme}://{host}:{port}{args.path}",
        "seconds": round(time.monotonic() - t0, 1),
        "requests": total,
        "failed": failed,
        "failures": kinds,
        "versions": versions,
        "slowest_s": round(slowest, 2),
        "first_failure_s": first_fail,
        "last_failure_s": last_fail,
    }
    text = json.dumps(summary, sort_keys=True)
    if args.out:
        Path(args.out).write_text(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
