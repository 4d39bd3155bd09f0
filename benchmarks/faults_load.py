"""Faults and load on a deployed ELLA host: concurrent clients through the TLS proxy, kill -9 of each
service under load, PostgreSQL restarted under load, the watcher killed in the middle of an import, and the
systemd-analyze security exposure of each unit.

    benchmarks/faults_load.sh                     # boots a test host, deploys site.yml, runs this, destroys it
    python benchmarks/faults_load.py --url https://10.213.0.32:3114/ --ca /var/tmp/testhosts/ella-ca/ella-ca.crt

Runs on the controller. Every request goes through nginx (HTTPS, verified against the kit's CA) as a
browser's would; the faults are made over SSH as root. Each client keeps one keep-alive connection and
reconnects after an error. A request counts as an error when it does not answer 200 (connection errors
included). For each fault: the errors while the service was down, the seconds until it answered again,
and the errors after it was back (the contract: none).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import ssl
import statistics
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.deployed_host import DeployedHost  # noqa: E402

PASSWORD = "Faults-And-Load-2026!"
# SIGKILL to every process of a unit, read from its cgroup (cgroup v2, or the name=systemd hierarchy of v1;
# `systemctl kill` needs cgroup.kill, which systemd-nspawn hosts on a v1 machine lack)
KILL_ALL = (
    "cg=$(systemctl show -P ControlGroup {unit}); f=/sys/fs/cgroup/systemd$cg/cgroup.procs; "
    "[ -f $f ] || f=/sys/fs/cgroup$cg/cgroup.procs; kill -9 $(cat $f)"
)
UNITS = ("ella-api.service", "ella-watcher.service", "ella-poller.service", "nginx.service")


@dataclass
class Target:
    url: str
    ca: str | None
    host: DeployedHost

    def ssh(self, command: str, stdin: str | bytes | None = None, check: bool = True) -> str:
        return self.host.run(command, stdin=stdin, check=check)

    def connection(self) -> http.client.HTTPConnection:
        parsed = urlparse(self.url)
        if parsed.scheme == "https":
            context = ssl.create_default_context(cafile=self.ca)
            return http.client.HTTPSConnection(parsed.hostname or "", parsed.port or 443, timeout=30, context=context)
        return http.client.HTTPConnection(parsed.hostname or "", parsed.port or 80, timeout=30)

    def call(self, method: str, path: str, body: Any = None, cookie: str = "") -> tuple[int, Any, Any]:
        conn = self.connection()
        headers = {"Content-Type": "application/json", "Cookie": cookie}
        conn.request(method, "/api/v1/" + path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, json.loads(data or b"null"), response.headers


def log_in(target: Target) -> tuple[str, list[str]]:
    """A fresh user (ella-cli users add_many on the host), its one-time password changed; the session cookie
    and the request paths of the load: the overview and the variant lists of the analyses it can see."""
    username, one_time = target.host.add_user("load", "Load", "Test", group="testgroup01")
    status, body, _ = target.call(
        "POST", "users/actions/changepassword/", {"username": username, "password": one_time, "new_password": PASSWORD}
    )
    assert status == 200, body
    status, body, headers = target.call("POST", "users/actions/login/", {"username": username, "password": PASSWORD})
    assert status == 200, body
    cookie = "; ".join(c.split(";")[0] for c in headers.get_all("Set-Cookie") or [])
    paths = ["overviews/analyses/"]
    for row in json.loads(target.ssh("ella-cli analyses list --json").splitlines()[-1])["analyses"]:
        status, rounds, _ = target.call("GET", f"workflows/analyses/{row['id']}/interpretations/", cookie=cookie)
        if status == 200 and rounds:
            paths.append(f"workflows/analyses/{row['id']}/interpretations/{rounds[-1]['id']}/alleles/")
    return cookie, paths


@dataclass
class Load:
    """Clients calling the API in a loop until stopped; every answer is recorded with its time."""

    target: Target
    cookie: str
    paths: list[str]
    clients: int
    samples: list[tuple[float, float, bool]] = field(default_factory=list)  # (start, ms, ok)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _client(self, index: int) -> None:
        conn: http.client.HTTPConnection | None = None
        mine: list[tuple[float, float, bool]] = []
        i = index
        while not self._stop.is_set():
            path = "/api/v1/" + self.paths[i % len(self.paths)]
            i += 1
            start = time.monotonic()
            ok = False
            try:
                conn = conn or self.target.connection()
                conn.request("GET", path, headers={"Cookie": self.cookie, "Accept-Encoding": "gzip"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if not ok:
                    time.sleep(0.05)
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.05)
            mine.append((start, (time.monotonic() - start) * 1000, ok))
        if conn is not None:
            conn.close()
        with self._lock:
            self.samples.extend(mine)

    def start(self) -> Load:
        self._threads = [threading.Thread(target=self._client, args=(n,)) for n in range(self.clients)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def summary(samples: list[tuple[float, float, bool]], seconds: float) -> dict[str, Any]:
    latencies = sorted(ms for _, ms, ok in samples if ok)

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 1) if latencies else 0.0

    return {
        "requests": len(samples),
        "errors": sum(1 for *_, ok in samples if not ok),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        "rps": round(len(samples) / seconds, 1),
    }


def steady_load(target: Target, cookie: str, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    load = Load(target, cookie, paths, clients).start()
    time.sleep(seconds)
    load.stop()
    return {"clients": clients, "seconds": seconds, **summary(load.samples, seconds)}


def wait_healthy(target: Target, unit: str, since: float, timeout: float = 120) -> float:
    """Seconds from ``since`` (the fault, time.monotonic()) until the unit is active again and the API
    answers its status through nginx."""
    started = since
    while time.monotonic() - started < timeout:
        active = target.ssh(f"systemctl is-active {unit}", check=False).strip() == "active"
        if active:
            try:
                status, _, _ = target.call("GET", "status")
                if status == 200:
                    return time.monotonic() - started
            except (OSError, http.client.HTTPException):
                pass
        time.sleep(0.1)
    raise RuntimeError(f"{unit} not back after {timeout} s")


def fault_under_load(target: Target, cookie: str, paths: list[str], clients: int, unit: str, action: str) -> dict:
    """``action`` (kill or restart) on ``unit`` while ``clients`` call the API; errors before, during, after."""
    main_pid = target.ssh(f"systemctl show -P MainPID {unit}").strip()
    load = Load(target, cookie, paths, clients).start()
    time.sleep(3)
    fault_at = time.monotonic()
    if action == "kill":  # every process of the service at once, as a crash or the OOM killer would
        target.ssh(KILL_ALL.format(unit=unit))
    else:
        target.ssh(f"systemctl restart {unit}")
    back = wait_healthy(target, unit, since=fault_at)  # a restart returns only once the unit has started
    back_at = fault_at + back
    time.sleep(10)
    load.stop()
    new_pid = target.ssh(f"systemctl show -P MainPID {unit}").strip()
    grace = 1.0  # requests already in flight when the service came back
    return {
        "unit": unit,
        "action": "SIGKILL to all its processes" if action == "kill" else "systemctl restart",
        "new_main_pid": new_pid != main_pid,
        "seconds_to_healthy": round(back, 2),
        "errors_before": sum(1 for t, _, ok in load.samples if t < fault_at and not ok),
        "errors_while_down": sum(1 for t, _, ok in load.samples if fault_at <= t < back_at + grace and not ok),
        "errors_after": sum(1 for t, _, ok in load.samples if t >= back_at + grace and not ok),
        "requests": len(load.samples),
    }


def watcher_killed_mid_import(target: Target, variants: int) -> dict[str, Any]:
    """A large analysis dropped into incoming; the watcher is killed -9 while it holds the import lock. The
    database must hold no trace of it right after; after the restart it is imported once, complete."""
    from tests.support import vcfgen

    name = f"Faults-kill-{int(time.time())}"
    work = Path(tempfile.mkdtemp(prefix="ella-faults-"))
    try:
        vcfgen.write_analysis(work, name, variants, ready=False)
        bundle = work / "bundle.tar"
        with tarfile.open(bundle, "w") as tar:
            tar.add(work / name, arcname=name)
        staging = "/data/analyses/.faults-staging"
        target.ssh(
            f"rm -rf {staging} && install -d -o ella -g ella {staging} && tar -C {staging} -xf - && "
            f"chown -R ella:ella {staging}",
            stdin=bundle.read_bytes(),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def psql(sql: str) -> str:
        return target.ssh(f'runuser -u postgres -- psql -d ella -tAc "{sql}"').strip()

    target.ssh(
        f"mv {staging}/{name} /data/analyses/incoming/ && runuser -u ella -- touch /data/analyses/incoming/{name}/READY"
    )
    ready_at = time.monotonic()
    locked = ""
    while time.monotonic() - ready_at < 60:
        locked = psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
        if locked not in ("", "0"):
            break
        time.sleep(0.05)
    if locked in ("", "0"):
        raise RuntimeError("the watcher never took the import lock")
    pid = target.ssh("systemctl show -P MainPID ella-watcher.service").strip()
    target.ssh(f"kill -9 {pid}")
    killed_after = time.monotonic() - ready_at
    rows_after_kill = psql(f"SELECT count(*) FROM analysis WHERE name = '{name}'")
    started = time.monotonic()
    while time.monotonic() - started < 300:
        if psql(f"SELECT count(*) FROM analysis WHERE name = '{name}'") == "1":
            break
        time.sleep(0.5)
    imported_after = time.monotonic() - started
    genotypes = psql(
        "SELECT count(*) FROM genotype g JOIN sample s ON s.id = g.sample_id "
        f"JOIN analysis a ON a.id = s.analysis_id WHERE a.name = '{name}'"
    )
    moved = target.ssh(f"test -d /data/analyses/imported/{name} && echo yes", check=False).strip() == "yes"
    return {
        "variants": variants,
        "killed_seconds_after_ready": round(killed_after, 2),
        "analysis_rows_right_after_kill": int(rows_after_kill),
        "analysis_rows_at_end": int(psql(f"SELECT count(*) FROM analysis WHERE name = '{name}'")),
        "genotypes_imported": int(genotypes or 0),
        "folder_moved_to_imported": moved,
        "seconds_from_kill_to_imported": round(imported_after, 1),
    }


def security(target: Target) -> dict[str, float]:
    scores = {}
    for unit in UNITS:
        out = target.ssh(f"systemd-analyze security --no-pager {unit}", check=False)
        found = re.search(r"exposure level for \S+: ([0-9.]+)", out)
        scores[unit] = float(found[1]) if found else -1.0
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the web UI as users reach it, e.g. https://HOST:3114/")
    parser.add_argument("--ca", help="CA certificate of the host's TLS certificate")
    parser.add_argument("--host", help="SSH address (default: the URL's host)")
    parser.add_argument("--key", default="/var/tmp/testhosts/ssh/id_ed25519")
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--fault-clients", type=int, default=10)
    parser.add_argument("--import-variants", type=int, default=30000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    address = args.host or urlparse(args.url).hostname or ""
    target = Target(args.url.rstrip("/"), args.ca, DeployedHost(address, args.key))

    cookie, paths = log_in(target)
    results: dict[str, Any] = {"url": args.url, "paths": len(paths)}
    results["load"] = [steady_load(target, cookie, paths, n, args.seconds) for n in args.clients]
    faults = [(unit, "kill") for unit in UNITS] + [("postgresql@15-main.service", "restart")]
    results["faults"] = [fault_under_load(target, cookie, paths, args.fault_clients, u, a) for u, a in faults]
    results["watcher_kill"] = watcher_killed_mid_import(target, args.import_variants)
    results["security"] = security(target)

    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"target {args.url} ({len(paths)} request paths: overview + variant lists)")
    print("\nload (GET, keep-alive, through nginx):")
    heads = ("clients", "seconds", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "req/s")
    print("  " + " ".join(f"{h:>8}" for h in heads))
    for r in results["load"]:
        print(
            f"  {r['clients']:>8} {r['seconds']:>8.0f} {r['requests']:>8} {r['errors']:>8} {r['p50_ms']:>8} "
            f"{r['p95_ms']:>8} {r['p99_ms']:>8} {r['rps']:>8}"
        )
    print(f"\nfaults under load ({args.fault_clients} clients):")
    print(f"  {'unit':<28} {'action':<22} {'back (s)':>8} {'err down':>8} {'err after':>9} {'requests':>8}")
    for f in results["faults"]:
        print(
            f"  {f['unit']:<28} {f['action']:<22} {f['seconds_to_healthy']:>8} {f['errors_while_down']:>8} "
            f"{f['errors_after']:>9} {f['requests']:>8}"
        )
    w = results["watcher_kill"]
    print(
        f"\nwatcher killed -9 {w['killed_seconds_after_ready']} s into a {w['variants']}-variant import: "
        f"{w['analysis_rows_right_after_kill']} analysis rows right after; after restart "
        f"{w['analysis_rows_at_end']} analysis with {w['genotypes_imported']} genotypes in "
        f"{w['seconds_from_kill_to_imported']} s, folder moved: {w['folder_moved_to_imported']}"
    )
    print("\nsystemd-analyze security exposure (0 = locked down, 10 = exposed):")
    for unit, score in results["security"].items():
        print(f"  {unit:<24} {score}")


if __name__ == "__main__":
    main()
