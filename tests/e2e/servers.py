"""The stack the browser talks to: gunicorn running the real API, behind nginx serving the static web UI
(tests/e2e/nginx.conf.in, the production layout on 127.0.0.1). Without nginx on the machine, or with
ELLA_E2E_SERVER=werkzeug, one in-process werkzeug server serves both the static files and the API instead."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ella_app.webui import static_dir

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float, alive: Any = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"the server exited before answering {url}\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {timeout}s: {last}")


@dataclass
class Stack:
    base_url: str
    mode: str
    logs: dict[str, Path] = field(default_factory=dict)
    _stops: list[Any] = field(default_factory=list)

    def stop(self) -> None:
        for stop in reversed(self._stops):
            with contextlib.suppress(Exception):
                stop()


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def start_stack(env: Mapping[str, str], workdir: Path) -> Stack:
    mode = os.environ.get("ELLA_E2E_SERVER") or ("nginx" if shutil.which("nginx") else "werkzeug")
    if mode == "werkzeug":
        return _start_werkzeug(env)
    return _start_nginx_gunicorn(env, workdir)


def _start_nginx_gunicorn(env: Mapping[str, str], workdir: Path) -> Stack:
    api_port, port = free_port(), free_port()
    stack = Stack(base_url=f"http://127.0.0.1:{port}/", mode="nginx+gunicorn")
    gunicorn_log = workdir / "gunicorn.log"
    stack.logs["gunicorn"] = gunicorn_log
    with gunicorn_log.open("wb") as log:
        api = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{api_port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
                "ella_app.api.wsgi:app",
            ],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    stack._stops.append(lambda: _terminate(api))
    try:
        wait_for(f"http://127.0.0.1:{api_port}/api/v1/status", 60, alive=lambda: api.poll() is None, log=gunicorn_log)
        prefix = workdir / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        prefix.chmod(0o755)
        workdir.chmod(0o755)
        conf = (HERE / "nginx.conf.in").read_text()
        for key, value in {"PREFIX": prefix, "API_PORT": api_port, "PORT": port, "STATIC": static_dir()}.items():
            conf = conf.replace(f"@{key}@", str(value))
        (prefix / "nginx.conf").write_text(conf)
        stack.logs["nginx"] = prefix / "error.log"
        nginx_out = prefix / "stdout.log"
        with nginx_out.open("wb") as out:
            proxy = subprocess.Popen(
                ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")], stdout=out, stderr=subprocess.STDOUT
            )
        stack._stops.append(lambda: _terminate(proxy))
        wait_for(stack.base_url + "api/v1/status", 30, alive=lambda: proxy.poll() is None, log=nginx_out)
        wait_for(stack.base_url, 10)
    except Exception:
        stack.stop()
        raise
    return stack


def _start_werkzeug(env: Mapping[str, str]) -> Stack:
    from werkzeug.middleware.shared_data import SharedDataMiddleware
    from werkzeug.serving import make_server

    from ella_app.api import create_app
    from ella_app.config import load_settings

    app = create_app(load_settings(dict(env)))
    static = static_dir()
    files = SharedDataMiddleware(app.wsgi_app, {"/": str(static)}, cache=False)

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        if environ.get("PATH_INFO", "/") == "/":
            environ["PATH_INFO"] = "/index.html"
        return files(environ, start_response)  # type: ignore[no-any-return]

    port = free_port()
    server = make_server("127.0.0.1", port, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-werkzeug", daemon=True)
    thread.start()
    stack = Stack(base_url=f"http://127.0.0.1:{port}/", mode="werkzeug")
    stack._stops.append(server.shutdown)
    wait_for(stack.base_url + "api/v1/status", 30)
    return stack
