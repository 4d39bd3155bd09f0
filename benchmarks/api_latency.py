"""API latency through nginx + gunicorn: the analyses overview and an analysis' filtered variant list, next
to a bare Flask endpoint served by the same gunicorn and nginx, in the same run.

    python benchmarks/api_latency.py                        # 1,000 analyses, 100k variants, 20 clients
    python benchmarks/api_latency.py --analyses 200 --variants 20000 --requests 400   # quicker
    python benchmarks/api_latency.py --json                 # one JSON object instead of the table

A throwaway PostgreSQL cluster (tests/support/pgcluster.py, fsync off like the test suite) gets the schema
and, by set-based SQL, the analyses (one proband each, ~70% finalized, the rest spread over the worklist
categories), their variants in BRCA1/BRCA2 with VEP-like annotation and gnomAD frequencies, genotypes,
priorities, some classifications, and the demo filter configs. gunicorn serves ``ella_app.api.wsgi``-style
app plus a bare Flask app mounted at ``/bare`` (one process group: same workers, same settings); nginx
proxies ``/api`` and ``/bare`` to it as in production. Each of ``--clients`` threads keeps one HTTP/1.1
connection to nginx, logged in with a session cookie. Figures: p50/p95/p99 latency and requests/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONFIG = ROOT / "files" / "ella_config.example.yml"
FILTERCONFIGS = ROOT / "files" / "demo" / "fixtures" / "filterconfigs.json"


# ------------------------------------------------------------------------------------------ the app


def combined() -> Any:
    """The real API and a bare Flask app at /bare, in one WSGI app (gunicorn ``module:combined()``)."""
    from flask import Flask, jsonify
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from ella_app.api import create_app

    bare = Flask("bare")

    @bare.get("/")
    def hello() -> Any:
        return jsonify({"status": "ok"})

    return DispatcherMiddleware(create_app(), {"/bare": bare})


# ------------------------------------------------------------------------------------------ data

_DATA_SQL = """
INSERT INTO analysis (name, genepanel_name, genepanel_version, properties, date_requested)
SELECT 'Bench-' || i, 'HBOC', 'v1.0.0', jsonb_build_object('priority', 1 + i % 3), DATE '2024-01-01' + i % 365
FROM generate_series(1, :analyses) i;

INSERT INTO sample (identifier, analysis_id, sample_type, proband, affected, sex)
SELECT 'S-' || id, id, 'HTS', true, true, 'Female' FROM analysis;

-- positions inside BRCA2 (13:32889616-32973809) and BRCA1 (17:41196311-41277500), one ALT each
INSERT INTO allele (genome_reference, chromosome, start_position, open_end_position, change_from, change_to,
                    change_type, caller_type, vcf_pos, vcf_ref, vcf_alt, length)
SELECT 'GRCh37', chrom, pos - 1, pos, 'A', 'G', 'SNP', 'snv', pos, 'A', 'G', 1
FROM (SELECT i, CASE WHEN i % 2 = 0 THEN '13' ELSE '17' END AS chrom,
             CASE WHEN i % 2 = 0 THEN 32889616 + i / 2 ELSE 41196311 + i / 2 END AS pos
      FROM generate_series(1, :variants) i) v;

INSERT INTO annotation (allele_id, annotation, schema_version)
SELECT a.id, jsonb_build_object(
    'transcripts', jsonb_build_array(jsonb_build_object(
        'transcript', CASE WHEN a.chromosome = '13' THEN 'NM_000059.3' ELSE 'NM_007294.3' END,
        'symbol', CASE WHEN a.chromosome = '13' THEN 'BRCA2' ELSE 'BRCA1' END,
        'hgnc_id', CASE WHEN a.chromosome = '13' THEN 1101 ELSE 1100 END,
        'consequences', jsonb_build_array((ARRAY['missense_variant', 'synonymous_variant', 'intron_variant',
                                                 'stop_gained', 'splice_region_variant'])[1 + a.id % 5]),
        'HGVSc', 'NM:c.' || a.id || 'A>G', 'HGVSc_short', 'c.' || a.id || 'A>G', 'HGVSp', 'p.Lys' || a.id || 'Glu',
        'is_canonical', true, 'exon', (1 + a.id % 20) || '/27')),
    'frequencies', jsonb_build_object('GNOMAD_EXOMES', jsonb_build_object(
        'freq', jsonb_build_object('G', (a.id % 100) / 2000.0),
        'num', jsonb_build_object('G', 100000))),
    'external', jsonb_build_object('CLINVAR_VCF', jsonb_build_object('clnsig', jsonb_build_array('Benign'))))
, 1 FROM allele a;

INSERT INTO genotype (allele_id, sample_id, filter_status, variant_quality)
SELECT a.id, s.id, CASE WHEN a.id % 17 = 0 THEN 'LowQual' ELSE 'PASS' END, 50 + a.id % 1000
FROM allele a JOIN sample s ON s.analysis_id = 1 + (a.id % :analyses);

INSERT INTO genotypesampledata (genotype_id, sample_id, secondallele, multiallelic, type, genotype_quality,
                                sequencing_depth, allele_depth, allele_ratio)
SELECT g.id, g.sample_id, false, false, CASE WHEN g.id % 9 = 0 THEN 'Homozygous' ELSE 'Heterozygous' END, 99, 80,
       '{"REF": 40, "ALT": 40}', 0.1 + (g.id % 9) / 10.0
FROM genotype g;

-- rounds: ~70% finalized, the rest spread over the worklist categories
INSERT INTO analysisinterpretation (analysis_id, genepanel_name, genepanel_version, status, workflow_status,
                                    finalized, user_id, state, user_state, date_last_update)
SELECT id, 'HBOC', 'v1.0.0',
       CASE WHEN id % 10 < 7 THEN 'Done' WHEN id % 10 = 7 THEN 'Ongoing' ELSE 'Not started' END,
       (ARRAY['Interpretation', 'Review', 'Medical review', 'Not ready', 'Interpretation', 'Review',
              'Interpretation', 'Interpretation', 'Review', 'Not ready'])[1 + id % 10],
       CASE WHEN id % 10 < 7 THEN true END,
       CASE WHEN id % 10 = 7 THEN :user_id END, '{}', '{}', now() - (id || ' minutes')::interval
FROM analysis;

INSERT INTO interpretationlog (analysis_id, user_id, priority, review_comment)
SELECT id, :user_id, 1 + id % 3, CASE WHEN id % 4 = 0 THEN 'check family' END FROM analysis;

INSERT INTO alleleassessment (allele_id, classification, evaluation, user_id, usergroup_id, genepanel_name,
                              genepanel_version)
SELECT id, (ARRAY['1', '2', '3', '4', '5'])[1 + id % 5], '{}', :user_id, :group_id, 'HBOC', 'v1.0.0'
FROM allele WHERE id % 10 = 0;
"""


def populate(db_url: str, analyses: int, variants: int) -> dict[str, Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from ella_app.db.models import FilterConfig, UserGroup, UserGroupFilterConfig, UserSession
    from ella_app.security import tokens
    from tests.api.factories import BRCA1, BRCA2, HBOC, make_group, make_panel, make_user

    engine = create_engine(db_url)
    with Session(engine) as session:
        make_panel(session, *HBOC, [BRCA1, BRCA2])
        group: UserGroup = make_group(session, "testgroup01", [HBOC])
        user = make_user(session, "bench", group)
        for entry in json.loads(FILTERCONFIGS.read_text()):
            orders = [g["order"] for g in entry["usergroups"] if g["name"] == "testgroup01"]
            if orders:
                fc = FilterConfig(
                    name=entry["name"], filterconfig=entry["filterconfig"], requirements=entry.get("requirements", [])
                )
                session.add(fc)
                session.flush()
                session.add(UserGroupFilterConfig(usergroup_id=group.id, filterconfig_id=fc.id, order=orders[0]))
        token = tokens.new_token()
        session.add(
            UserSession(
                user_id=user.id,
                token=tokens.token_digest(token),
                expires=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            )
        )
        session.commit()
        params = {"analyses": analyses, "variants": variants, "user_id": user.id, "group_id": group.id}
        for statement in _DATA_SQL.split(";\n"):
            if statement.strip():
                session.execute(text(statement), params)
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
        rounds = session.execute(text("SELECT analysis_id, id FROM analysisinterpretation")).all()
    engine.dispose()
    return {"token": token, "rounds": [(a, i) for a, i in rounds]}


# ------------------------------------------------------------------------------------------ servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_NGINX = """
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    gzip on;
    gzip_types application/json;
    upstream api {{ server 127.0.0.1:{api_port} fail_timeout=0; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        location ~ ^/(api|bare) {{
            proxy_pass http://api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 300;
        }}
    }}
}}
"""


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


class Servers:
    def __init__(self, db_url: str, workers: int, threads: int) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="ella-bench-"))
        self.api_port, self.port = _free_port(), _free_port()
        env = {**os.environ, "ELLA_CONFIG": str(CONFIG), "DB_URL": db_url, "PYTHONPATH": str(ROOT)}
        for name in ("ANALYSES_PATH", "IGV_DATA", "ATTACHMENT_STORAGE"):
            path = self.tmp / name.lower()
            path.mkdir()
            env[name] = str(path)
        self.gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.api_port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                "120",
                "--forwarded-allow-ips",
                "*",
                "benchmarks.api_latency:combined()",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self._log("gunicorn.log"),
            start_new_session=True,
        )
        (self.tmp / "nginx.conf").write_text(_NGINX.format(prefix=self.tmp, api_port=self.api_port, port=self.port))
        self.nginx = subprocess.Popen(
            ["nginx", "-c", str(self.tmp / "nginx.conf"), "-p", str(self.tmp)],
            stdout=subprocess.DEVNULL,
            stderr=self._log("nginx.log"),
            start_new_session=True,
        )
        _wait_for(self.api_port)
        _wait_for(self.port)

    def _log(self, name: str) -> int:
        return os.open(self.tmp / name, os.O_WRONLY | os.O_CREAT, 0o644)

    def stop(self) -> None:
        for proc in (self.nginx, self.gunicorn):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------ load


def run_load(port: int, token: str, paths: Callable[[random.Random], str], clients: int, total: int) -> dict[str, Any]:
    """``total`` GETs over ``clients`` keep-alive connections; latency percentiles (ms) and requests/s."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    per_client = max(1, total // clients)
    headers = {"Cookie": f"AuthenticationToken={token}", "Accept-Encoding": "gzip"}

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[float] = []
        bad: list[int] = []
        for _ in range(per_client):
            start = time.perf_counter()
            conn.request("GET", paths(rng), headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                bad.append(response.status)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)

    return {
        "requests": len(ordered),
        "errors": len(errors),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "rps": round(len(ordered) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--analyses", type=int, default=1000)
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers (default 2·CPU+1, as ELLA)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from ella_app.db import schema
    from tests.support.pgcluster import PgCluster

    cluster = PgCluster().start()
    servers = None
    try:
        db_url = cluster.url("bench")
        from sqlalchemy import create_engine, text

        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('CREATE DATABASE "bench"'))
        admin.dispose()
        schema.make_production(db_url)
        schema.get_engine(db_url).dispose()
        t0 = time.perf_counter()
        data = populate(db_url, args.analyses, args.variants)
        setup_s = time.perf_counter() - t0
        servers = Servers(db_url, args.workers, args.threads)
        rounds = data["rounds"]
        endpoints: dict[str, Callable[[random.Random], str]] = {
            "bare Flask (/bare/)": lambda rng: "/bare/",
            "overview (/overviews/analyses/)": lambda rng: "/api/v1/overviews/analyses/",
            "finalized page (/overviews/analyses/finalized/)": lambda rng: (
                f"/api/v1/overviews/analyses/finalized/?page={rng.randint(1, 20)}&per_page=20"
            ),
            "variant list (…/interpretations/<id>/alleles/)": lambda rng: (
                "/api/v1/workflows/analyses/{}/interpretations/{}/alleles/".format(*rng.choice(rounds))
            ),
        }
        for path in ("/bare/", "/api/v1/overviews/analyses/"):  # warm every worker up
            run_load(servers.port, data["token"], lambda rng, p=path: p, args.clients, args.clients * 2)
        results = {
            name: run_load(servers.port, data["token"], fn, args.clients, args.requests)
            for name, fn in endpoints.items()
        }
        report = {
            "analyses": args.analyses,
            "variants": args.variants,
            "clients": args.clients,
            "gunicorn": {"workers": args.workers, "threads": args.threads},
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "setup_seconds": round(setup_s, 1),
            "results": results,
        }
        if args.json:
            print(json.dumps(report))
            return
        print(
            f"{args.analyses} analyses, {args.variants} variants; {args.clients} clients through nginx → gunicorn "
            f"({args.workers} workers x {args.threads} threads); {os.cpu_count()} CPUs, load average "
            f"{report['load_average_1m']}; data built in {report['setup_seconds']} s"
        )
        print(f"{'endpoint':52} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}")
        for name, r in results.items():
            print(f"{name:52} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} {r['rps']:>8} {r['errors']:>7}")
    finally:
        if servers is not None:
            servers.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
