"""What the request audit log (resourcelog) costs a request: the API in-process (Flask test client, no network),
the same requests with the log off, with the log on (rows queued, written in batches by the writer thread),
and with a synchronous INSERT per request (what batching avoids).

    python benchmarks/resourcelog_overhead.py               # 2,000 requests per mode and kind
    python benchmarks/resourcelog_overhead.py --requests 300 --json

A throwaway PostgreSQL cluster (tests/support/pgcluster.py, fsync off like the test suite) holds the test
world of tests/api/factories.py. Two kinds of request: GET /users/currentuser/ (small, read) and POST of a
work-log message (a state-changing request whose payload is logged). The modes run interleaved in rounds of
50 requests, so that drift of the shared machine spreads over all of them; after each round the writer's
queue is flushed. Figures: median and p95 wall time per request and their overhead against "off", and the
process CPU time per request (requests and writer thread together, the flush included: robust against other
load on the machine); and directly, what a request pays itself (the time of the log's after-request hook)
and the writer thread's CPU time per row. The limit: hook plus writer stay below 1 ms per request.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LIMIT_MS = 1.0
ROUND = 50


def _apps(db_url: str, data: Path, world: Any) -> dict[str, Any]:
    from sqlalchemy.orm import Session

    from ella_app.api import create_app
    from ella_app.api.requestlog import writer
    from ella_app.config import load_settings
    from ella_app.db.session import get_engine
    from ella_app.services import resourcelog
    from tests.api.factories import Api, make_app

    make_app(db_url, data)  # creates the data folders
    settings = load_settings(
        {
            "ELLA_CONFIG": str(ROOT / "files" / "ella_config.example.yml"),
            "DB_URL": db_url,
            "ANALYSES_PATH": str(data / "analyses/imported"),
            "ANALYSES_INCOMING": str(data / "analyses/incoming"),
            "ATTACHMENT_STORAGE": str(data / "attachments"),
            "IGV_DATA": str(data / "igv-data"),
        }
    )
    off = create_app(settings, {"RESOURCELOG": False})
    batched = create_app(settings)
    synchronous = create_app(settings)
    engine = get_engine(db_url)

    def write_now(record: Any) -> None:
        with Session(engine) as session, session.begin():
            resourcelog.write(session, [record])

    writer(synchronous).submit = write_now  # type: ignore[method-assign]
    return {
        name: (app, Api(app, db_url, world.users["ada"]))
        for name, app in (("off", off), ("batched", batched), ("synchronous", synchronous))
    } | {"_writer": writer(batched)}


class HookTimer:
    """Times the request log's after-request hook (what a request itself pays) in the batched app."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.active = False

    def install(self) -> None:
        from ella_app.api import requestlog

        original = requestlog._record

        def timed(response: Any) -> Any:
            start = time.perf_counter()
            result = original(response)
            if self.active:
                self.samples.append((time.perf_counter() - start) * 1000)
            return result

        requestlog._record = timed  # type: ignore[assignment]


def run(requests: int) -> dict[str, Any]:
    from tests.api.factories import build_world, copy_db, template_db
    from tests.support.pgcluster import PgCluster

    hook = HookTimer()
    hook.install()
    cluster = PgCluster().start()
    try:
        from ella_app.db import schema
        from tests.conftest import _create_database

        _create_database(cluster, "ella_template")
        schema.make_production(cluster.url("ella_template"))
        schema.get_engine(cluster.url("ella_template")).dispose()
        name, world = template_db(cluster, build_world)
        with copy_db(cluster, name) as url, tempfile.TemporaryDirectory() as tmp:
            apps = _apps(url, Path(tmp), world)
            log_writer = apps.pop("_writer")
            path_logs = f"/api/v1/workflows/analyses/{world.analyses['hboc']}/logs/"
            kinds = {
                "GET currentuser": lambda api: api.get("/api/v1/users/currentuser/"),
                "POST work-log message": lambda api: api.post(path_logs, json={"message": "benchmark message"}),
            }
            times: dict[tuple[str, str], list[float]] = {(k, m): [] for k in kinds for m in apps}
            cpu: dict[tuple[str, str], float] = dict.fromkeys(times, 0.0)
            flush_s = 0.0
            for kind, call in kinds.items():
                for _, api in apps.values():  # warm up each app
                    for _ in range(20):
                        call(api)
                assert log_writer.flush(120)
                done = 0
                while done < requests:
                    for mode, (_, api) in apps.items():
                        hook.active = mode == "batched"
                        cpu_start = time.process_time()
                        for _ in range(ROUND):
                            start = time.perf_counter()
                            response = call(api)
                            times[(kind, mode)].append((time.perf_counter() - start) * 1000)
                            assert response.status_code < 300, response.status_code
                        # the writer thread's work for these rows counts too (CPU of the whole process)
                        start = time.perf_counter()
                        assert log_writer.flush(120)
                        flush_s = max(flush_s, time.perf_counter() - start)
                        cpu[(kind, mode)] += time.process_time() - cpu_start
                    done += ROUND
    finally:
        cluster.stop()
    results = []
    for kind in kinds:
        base = statistics.median(times[(kind, "off")])
        base_cpu = cpu[(kind, "off")] / len(times[(kind, "off")]) * 1000
        for mode in apps:
            values = sorted(times[(kind, mode)])
            median = statistics.median(values)
            cpu_ms = cpu[(kind, mode)] / len(values) * 1000
            results.append(
                {
                    "request": kind,
                    "log": mode,
                    "n": len(values),
                    "median_ms": round(median, 3),
                    "p95_ms": round(values[int(0.95 * (len(values) - 1))], 3),
                    "overhead_ms": round(median - base, 3),
                    "cpu_ms": round(cpu_ms, 3),
                    "cpu_overhead_ms": round(cpu_ms - base_cpu, 3),
                }
            )
    hook_samples = sorted(hook.samples)
    hook_median = statistics.median(hook_samples)
    writer_per_row = log_writer.cpu_seconds / max(1, log_writer.written) * 1000
    return {
        "results": results,
        "hook_median_ms": round(hook_median, 3),
        "hook_p95_ms": round(hook_samples[int(0.95 * (len(hook_samples) - 1))], 3),
        "writer_cpu_ms_per_row": round(writer_per_row, 3),
        "limit_overhead_ms": LIMIT_MS,
        "ok": hook_median + writer_per_row < LIMIT_MS,
        "written_by_writer": log_writer.written,
        "dropped": log_writer.dropped,
        "longest_flush_s": round(flush_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests per mode and kind")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    report = run(args.requests)
    if args.json:
        print(json.dumps(report))
        return
    print(f"{'request':<24}{'log':<13}{'n':>6}{'median ms':>11}{'p95 ms':>9}{'overhead':>10}{'CPU ms':>9}{'CPU +':>8}")
    for r in report["results"]:
        print(
            f"{r['request']:<24}{r['log']:<13}{r['n']:>6}{r['median_ms']:>11.3f}{r['p95_ms']:>9.3f}"
            f"{r['overhead_ms']:>+10.3f}{r['cpu_ms']:>9.3f}{r['cpu_overhead_ms']:>+8.3f}"
        )
    print(
        f"batched: the request's own hook {report['hook_median_ms']} ms (median; p95 {report['hook_p95_ms']} ms), "
        f"the writer thread {report['writer_cpu_ms_per_row']} ms CPU per row: "
        f"{'within' if report['ok'] else 'NOT within'} {LIMIT_MS} ms per request; rows written "
        f"{report['written_by_writer']}, dropped {report['dropped']}, longest flush {report['longest_flush_s']} s"
    )


if __name__ == "__main__":
    main()
