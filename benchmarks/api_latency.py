"""API latency through nginx + gunicorn: the analyses overview and an analysis' filtered variant list, next
to a bare Flask endpoint served by the same gunicorn and nginx, in the same run.

    python benchmarks/api_latency.py                        # 1,000 analyses, 100k variants, 20 clients
    python benchmarks/api_latency.py --analyses 200 --variants 20000 --requests 400   # quicker
    python benchmarks/api_latency.py --json                 # one JSON object instead of the table
    python benchmarks/api_latency.py --large 50000          # plus one 50k-variant trio (an exome) next to them

A throwaway PostgreSQL cluster (tests/support/pgcluster.py, fsync off like the test suite) gets the schema
and, by set-based SQL, the analyses (one proband each, ~70% finalized, the rest spread over the worklist
categories), their variants in BRCA1/BRCA2 with VEP-like annotation and gnomAD frequencies, genotypes,
priorities, some classifications, and the demo filter configs. gunicorn serves ``ella_app.api.wsgi``-style
app plus a bare Flask app mounted at ``/bare`` (one process group: same workers, same settings); nginx
proxies ``/api`` and ``/bare`` to it as in production (a unix socket, buffered). Each of
``--clients`` threads keeps one HTTP/1.1 connection to nginx, logged in with a session cookie; like a browser,
it sends back the ETag it got (If-None-Match) and counts a 304 as an answer. Figures: p50/p95/p99 latency and
requests/s, the peak resident memory (RSS) of the gunicorn workers while the endpoints are measured, and the CPU
time per request of gunicorn, PostgreSQL, nginx and the load generator itself (they share the machine's cores).

``--large N`` adds one trio of N variants (``tests/support/vcfgen.py``: four transcripts per variant, gnomAD
frequencies, ClinVar on one in ten) on a generated 500-gene panel, imported with the real importer; its filter
results are computed by the import hook (timed). It then measures the trio's filtered list (``filteredalleles``,
ids per filter), variant list rows (``alleles/?allele_ids=`` a window of 100), one variant's detail, the
overview (revalidated with its ETag, and without), ``/status`` and the bare endpoint, also with one client,
and the first filtered list after the stored result was dropped (computed in the request by a worker).

The overview's full answers come from the workers' memory while the lists do not change (services/overview.py);
the overview right after a change, when the lists are built, is measured separately with one client.

Every client sends its next request as soon as it has the answer: that measures the server at capacity (20
clients keep 20 requests in flight all the time). The "users reading" cases show what 20 people using it at once
would see instead: each waits on average ``THINK_MS`` (1 s, exponential) before the next request.
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
    upstream api {{ server unix:{api_socket} fail_timeout=0; }}
    server {{
        listen 127.0.0.1:{port};
        location ~ ^/(api|bare) {{
            proxy_pass http://api;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 300;
        }}
    }}
}}
"""


def _wait_for(address: int | Path, timeout: float = 30) -> None:
    """Until something accepts connections on ``address``: a port on 127.0.0.1, or a unix socket's path."""
    family, target = (
        (socket.AF_UNIX, str(address)) if isinstance(address, Path) else (socket.AF_INET, ("127.0.0.1", address))
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(family) as probe:
            if probe.connect_ex(target) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {address}")


class Servers:
    def __init__(self, db_url: str, workers: int, threads: int) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="ella-bench-"))
        # as deployed (roles/ella_nginx, roles/ella_services): nginx reaches gunicorn through a unix socket (its
        # workers run as nobody when the benchmark runs as root: they must reach the socket's directory)
        self.tmp.chmod(0o755)
        self.api_socket, self.port = self.tmp / "api.sock", _free_port()
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
                f"unix:{self.api_socket}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                "300",  # as deployed (ella_services_api_timeout)
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
        (self.tmp / "nginx.conf").write_text(_NGINX.format(prefix=self.tmp, api_socket=self.api_socket, port=self.port))
        self.nginx = subprocess.Popen(
            ["nginx", "-c", str(self.tmp / "nginx.conf"), "-p", str(self.tmp)],
            stdout=subprocess.DEVNULL,
            stderr=self._log("nginx.log"),
            start_new_session=True,
        )
        _wait_for(self.api_socket)
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


class RssSampler:
    """Samples the resident memory of gunicorn's worker processes (children of the master) every 0.2 s."""

    def __init__(self, master_pid: int) -> None:
        self.master = master_pid
        self.peak_kb = 0
        self.peak_child_kb = 0  # processes the workers start (filtering an exome out of process)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @staticmethod
    def _children(parents: set[int]) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) in parents:
                    pids.append(int(entry.name))
        return pids

    def workers(self) -> list[int]:
        return self._children({self.master})

    @staticmethod
    def _rss(pids: list[int]) -> int:
        largest = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        largest = max(largest, int(line.split()[1]))
            except OSError:
                continue
        return largest

    def sample(self) -> int:
        return self._rss(self.workers())

    def _run(self) -> None:
        while not self.stopped.wait(0.2):
            workers = self.workers()
            self.peak_kb = max(self.peak_kb, self._rss(workers))
            self.peak_child_kb = max(self.peak_child_kb, self._rss(self._children(set(workers))))

    def reset(self) -> int:
        peak, self.peak_kb = self.peak_kb, self.sample()
        return peak

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


class CpuMeter:
    """CPU time (user + system, from /proc) of the process trees that take part in a request: gunicorn (master and
    workers, with the processes they start), PostgreSQL (postmaster and backends), nginx, and this process — the
    load generator (with the RSS sampler's thread, a small part). ``per_request`` divides the CPU spent between
    two readings by the requests served: where a request's cost goes when all four share the machine's cores."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots
        self.last = self.read()

    def _ticks(self, root: int) -> dict[int, int]:
        pids, frontier = {root}, {root}
        while frontier:
            frontier = set(RssSampler._children(frontier)) - pids
            pids |= frontier
        ticks = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
        return ticks

    def read(self) -> dict[str, dict[int, int]]:
        own = os.times()
        return {
            **{name: self._ticks(pid) for name, pid in self.roots.items()},
            "client": {0: round((own.user + own.system) * self.TICK)},
        }

    def per_request(self, requests: int) -> dict[str, float]:
        """CPU ms per request since the last call, by tree. A process that ended in between (an autovacuum
        worker, a backend whose connection closed) takes its time since the last reading with it."""
        now = self.read()
        spent = {}
        for name, ticks in now.items():
            before = self.last[name]
            used = sum(t - before.get(pid, 0) for pid, t in ticks.items())
            spent[name] = round(used / self.TICK * 1000 / max(1, requests), 2)
        self.last = now
        return spent


THINK_MS = 1000.0  # mean pause of a "user reading" between two requests


def percentile(ordered: list[float], p: float) -> float:
    """The ``p``-th percentile of sorted latencies (ms), rounded to 0.1."""
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)


def run_load(
    port: int,
    token: str,
    paths: Callable[[random.Random], str],
    clients: int,
    total: int,
    *,
    revalidate: bool = True,
    anonymous: bool = False,
    think_ms: float = 0.0,
) -> dict[str, Any]:
    """``total`` GETs over ``clients`` keep-alive connections; latency percentiles (ms) and requests/s. With
    ``revalidate`` a client sends the ETag it got for a path back (If-None-Match), as a browser does. Without
    ``think_ms`` each client sends its next request as soon as it has the answer (the server's capacity); with
    it, a client first waits a random time of that mean (exponential), as users reading a page do."""
    latencies: list[float] = []
    errors: list[int] = []
    not_modified = [0]
    lock = threading.Lock()
    per_client = max(1, total // clients)
    headers = (
        {"Accept-Encoding": "gzip"}
        if anonymous
        else {"Cookie": f"AuthenticationToken={token}", "Accept-Encoding": "gzip"}
    )

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        mine: list[float] = []
        bad: list[int] = []
        etags: dict[str, str] = {}
        revalidated = 0
        for _ in range(per_client):
            if think_ms > 0:
                time.sleep(rng.expovariate(1000 / think_ms))
            path = paths(rng)
            sent = dict(headers)
            if revalidate and path in etags:
                sent["If-None-Match"] = etags[path]
            start = time.perf_counter()
            conn.request("GET", path, headers=sent)
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - start) * 1000)
            etag = response.getheader("ETag")
            if etag:
                etags[path] = etag
            if response.status == 304:
                revalidated += 1
            elif response.status != 200:
                bad.append(response.status)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)
            not_modified[0] += revalidated

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    return {
        "requests": len(ordered),
        "errors": len(errors),
        "p50_ms": percentile(ordered, 50),
        "p95_ms": percentile(ordered, 95),
        "p99_ms": percentile(ordered, 99),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "rps": round(len(ordered) / elapsed, 1),
        "not_modified": not_modified[0],
    }


EXOME = ("Exome", "v1.0.0")
TRIO_NAME = "Bench-Trio-Exome"


def exome_panel_genes(count: int = 500) -> list[Any]:
    """Genes GENE0..GENE<count-1> whose transcripts NM_<g>.1 are the ones vcfgen annotates, spread over the 22
    autosomes where vcfgen puts its variants (positions from 100,000), six exons each."""
    from tests.api.factories import GeneSpec

    genes = []
    for g in range(count):
        start = 100_000 + (g // 22) * 4_000
        exons = [(start + e * 600, start + e * 600 + 200) for e in range(6)]
        genes.append(
            GeneSpec(
                2000 + g,
                f"GENE{g}",
                f"NM_{g:06d}.1",
                str(1 + g % 22),
                start,
                start + 3_400,
                "+" if g % 2 == 0 else "-",
                (start + 100, start + 3_300),
                exons,
                "AD" if g % 3 else "AR",
            )
        )
    return genes


def build_large_trio(db_url: str, variants: int, workdir: Path) -> dict[str, Any]:
    """The exome panel (in the benchmark group), and a trio of ``variants`` variants imported by the importer;
    then the import hook computes its filter results."""
    from sqlalchemy import create_engine, select, text
    from sqlalchemy.orm import Session

    from ella_app.config import load_settings
    from ella_app.db.models import UserGroup, UserGroupGenePanel
    from ella_app.db.session import transaction
    from ella_app.services import filter_results
    from ella_app.services.importer import import_analysis
    from tests.api.factories import make_panel
    from tests.support import vcfgen

    engine = create_engine(db_url)
    with Session(engine) as session:
        make_panel(session, *EXOME, exome_panel_genes())
        group = session.scalars(select(UserGroup).where(UserGroup.name == "testgroup01")).one()
        session.add(UserGroupGenePanel(usergroup_id=group.id, genepanel_name=EXOME[0], genepanel_version=EXOME[1]))
        session.commit()
    engine.dispose()
    t0 = time.perf_counter()
    folder = vcfgen.write_analysis(workdir, TRIO_NAME, variants, trio=True, panel=EXOME, seed=5)
    t1 = time.perf_counter()
    with transaction(db_url) as session:
        report = import_analysis(session, folder)
    t2 = time.perf_counter()
    analysis_id = int(report.extra["analysis_id"])
    config = load_settings({"ELLA_CONFIG": str(CONFIG), "DB_URL": db_url}).config
    filter_results.after_import(db_url, analysis_id, config)
    t3 = time.perf_counter()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
        round_id = conn.execute(
            text("SELECT id FROM analysisinterpretation WHERE analysis_id = :a"), {"a": analysis_id}
        ).scalar_one()
        computed = [
            {"filterconfig": name, "seconds": seconds, "passed": len(passed), "alleles": count}
            for name, seconds, passed, count in conn.execute(
                text(
                    "SELECT f.name, r.seconds, r.passed, r.allele_count FROM filterresult r "
                    "JOIN filterconfig f ON f.id = r.filterconfig_id WHERE r.analysis_id = :a ORDER BY f.id"
                ),
                {"a": analysis_id},
            )
        ]
    engine.dispose()
    return {
        "analysis_id": analysis_id,
        "round_id": round_id,
        "variants": int(report.extra["variants"]),
        "vcf_seconds": round(t1 - t0, 1),
        "import_seconds": round(t2 - t1, 1),
        "filter_results_seconds": round(t3 - t2, 1),
        "filter_results": computed,
    }


def _get_json(port: int, token: str, path: str) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", path, headers={"Cookie": f"AuthenticationToken={token}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return json.loads(body)


def _cold_filtered_list(db_url: str, port: int, token: str, trio: dict[str, Any], rss: RssSampler) -> dict[str, Any]:
    """The first filtered list after the stored result was dropped: a worker computes it in the request."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM filterresult WHERE analysis_id = :a"), {"a": trio["analysis_id"]})
    engine.dispose()
    rss.reset()
    path = f"/api/v1/workflows/analyses/{trio['analysis_id']}/interpretations/{trio['round_id']}/filteredalleles/"
    start = time.perf_counter()
    _get_json(port, token, path)
    seconds = time.perf_counter() - start
    time.sleep(0.5)
    return {
        "seconds": round(seconds, 2),
        "peak_worker_rss_mb": round(rss.reset() / 1024),
        "after_mb": round(rss.sample() / 1024),
    }


def _overview_after_changes(db_url: str, port: int, token: str, times: int = 40) -> dict[str, Any]:
    """The analyses overview right after a change to it (one client): each request follows an update of one
    analysis row, so its entity tag is new and no worker has the answer in memory — the lists are built."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    seconds = []
    with engine.connect() as conn:
        first = conn.execute(text("SELECT min(id) FROM analysis")).scalar()
        for _ in range(times):
            conn.execute(text("UPDATE analysis SET warnings = warnings WHERE id = :id"), {"id": first})
            start = time.perf_counter()
            _get_json(port, token, "/api/v1/overviews/analyses/")
            seconds.append(time.perf_counter() - start)
    engine.dispose()
    ms = sorted(s * 1000 for s in seconds)
    return {"requests": times, "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--analyses", type=int, default=1000)
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=0, metavar="N", help="add one trio of N variants (e.g. 50000)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers (default 2·CPU+1, as ELLA)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="measure only the endpoints whose name contains TEXT (repeatable; bare Flask is always measured)",
    )
    args = parser.parse_args()

    from ella_app.db import schema
    from tests.support.pgcluster import PgCluster

    cluster = PgCluster().start()
    servers = None
    rss = None
    workdir = Path(tempfile.mkdtemp(prefix="ella-bench-data-"))
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
        trio = build_large_trio(db_url, args.large, workdir) if args.large else None
        servers = Servers(db_url, args.workers, args.threads)
        rss = RssSampler(servers.gunicorn.pid)
        postmaster = int((cluster.datadir / "postmaster.pid").read_text().split()[0])
        cpu = CpuMeter({"app": servers.gunicorn.pid, "postgresql": postmaster, "nginx": servers.nginx.pid})
        rounds = data["rounds"]
        token = data["token"]
        # the "users reading" cases pause between requests (THINK_MS); they are measured after the others
        reading: dict[str, tuple[Callable[[random.Random], str], int, bool]] = {}
        endpoints: dict[str, tuple[Callable[[random.Random], str], int, bool]] = {
            "bare Flask (/bare/)": (lambda rng: "/bare/", args.clients, False),
            "status (/status, no cookie, as a balancer)": (lambda rng: "/api/v1/status", args.clients, False),
            "session check only (/users/currentuser/)": (lambda rng: "/api/v1/users/currentuser/", args.clients, False),
            "overview (/overviews/analyses/), ETag revalidated": (
                lambda rng: "/api/v1/overviews/analyses/",
                args.clients,
                True,
            ),
            "overview (/overviews/analyses/), full answers": (
                lambda rng: "/api/v1/overviews/analyses/",
                args.clients,
                False,
            ),
            "finalized page (/overviews/analyses/finalized/)": (
                lambda rng: f"/api/v1/overviews/analyses/finalized/?page={rng.randint(1, 20)}&per_page=20",
                args.clients,
                False,
            ),
            "small analysis: filtered list (…/filteredalleles/)": (
                lambda rng: "/api/v1/workflows/analyses/{}/interpretations/{}/filteredalleles/".format(
                    *rng.choice(rounds)
                ),
                args.clients,
                False,
            ),
            "small analysis: variant list (…/alleles/)": (
                lambda rng: "/api/v1/workflows/analyses/{}/interpretations/{}/alleles/".format(*rng.choice(rounds)),
                args.clients,
                False,
            ),
        }
        if trio is not None:
            base = f"/api/v1/workflows/analyses/{trio['analysis_id']}/interpretations/{trio['round_id']}"
            ids = _get_json(servers.port, token, f"{base}/filteredalleles/")
            every = sorted({*ids["allele_ids"], *(a for v in ids["excluded_allele_ids"].values() for a in v)})
            trio["shown"] = len(ids["allele_ids"])
            trio["excluded"] = {k: len(v) for k, v in ids["excluded_allele_ids"].items()}

            def window(rng: random.Random) -> str:
                start = rng.randrange(0, max(1, len(every) - 100))
                return f"{base}/alleles/?allele_ids={','.join(map(str, every[start : start + 100]))}"

            trio_endpoints = {
                f"{args.large} trio: filtered list (…/filteredalleles/)": (
                    lambda rng: f"{base}/filteredalleles/",
                    args.clients,
                    False,
                ),
                f"{args.large} trio: variant list rows (…/alleles/, 100 ids)": (window, args.clients, False),
                f"{args.large} trio: variant detail (/alleles/<id>/)": (
                    lambda rng: f"/api/v1/alleles/{rng.choice(every)}/?analysis_id={trio['analysis_id']}",
                    args.clients,
                    False,
                ),
                f"{args.large} trio: filtered list, 1 client": (lambda rng: f"{base}/filteredalleles/", 1, False),
                "status, no cookie, 1 client": (lambda rng: "/api/v1/status", 1, False),
            }
            endpoints = {**endpoints, **trio_endpoints}
            reading[f"{args.large} trio: variant detail, {args.clients} users reading"] = (
                lambda rng: f"/api/v1/alleles/{rng.choice(every)}/?analysis_id={trio['analysis_id']}",
                args.clients,
                False,
            )
        reading[f"overview, {args.clients} users reading (ETag revalidated)"] = (
            lambda rng: "/api/v1/overviews/analyses/",
            args.clients,
            True,
        )
        endpoints = {**endpoints, **reading}
        if args.only:
            endpoints = {
                name: case
                for name, case in endpoints.items()
                if name.startswith("bare") or any(text in name for text in args.only)
            }
            reading = {name: case for name, case in reading.items() if name in endpoints}
        for path in ("/bare/", "/api/v1/overviews/analyses/", "/api/v1/status"):  # warm every worker up
            run_load(servers.port, token, lambda rng, p=path: p, args.clients, args.clients * 2)
        rss.reset()
        cpu.per_request(1)
        results = {}
        for name, (fn, clients, revalidate) in endpoints.items():
            count = args.requests if clients > 1 else max(20, args.requests // 10)
            anonymous = name.startswith("status")
            # "users reading": each client waits THINK_MS on average before its next request (open load)
            think_ms = THINK_MS if name in reading else 0.0
            if think_ms:
                count = max(clients, args.requests // 5)
            results[name] = run_load(
                servers.port, token, fn, clients, count, revalidate=revalidate, anonymous=anonymous, think_ms=think_ms
            )
            results[name]["peak_worker_rss_mb"] = round(rss.reset() / 1024)
            results[name]["cpu_ms_per_request"] = cpu.per_request(results[name]["requests"])
        # with --only, the first filtered list after its result was dropped (about 20 s) is not measured
        cold = None
        if trio is not None and not args.only:
            cold = _cold_filtered_list(db_url, servers.port, token, trio, rss)
        after_change = _overview_after_changes(db_url, servers.port, token)
        report = {
            "analyses": args.analyses,
            "variants": args.variants,
            "clients": args.clients,
            "gunicorn": {"workers": args.workers, "threads": args.threads},
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "setup_seconds": round(setup_s, 1),
            "large_trio": trio,
            "cold_filtered_list": cold,
            "overview_after_change": after_change,
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
        if trio is not None:
            computed = ", ".join(f"{r['filterconfig']} {r['seconds']} s" for r in trio["filter_results"])
            print(
                f"trio: {trio['variants']} variants imported in {trio['import_seconds']} s; filter results of "
                f"{len(trio['filter_results'])} configs computed in {trio['filter_results_seconds']} s "
                f"({computed}); "
                f"default config shows {trio['shown']}, removes {trio['excluded']}"
            )
        if cold is not None:
            print(
                f"first filtered list after the stored result was dropped: {cold['seconds']} s, worker peak RSS "
                f"{cold['peak_worker_rss_mb']} MB, {cold['after_mb']} MB after (the filtering runs in a child process)"
            )
        print(
            f"{'endpoint':58} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'304':>5} {'err':>4} "
            f"{'RSS MB':>7}"
        )
        for name, r in results.items():
            print(
                f"{name:58} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} {r['rps']:>8} "
                f"{r['not_modified']:>5} {r['errors']:>4} {r['peak_worker_rss_mb']:>7}"
            )
        print(
            f"overview right after a change to it (built, not from a worker's memory), 1 client, "
            f"{after_change['requests']} requests: p50 {after_change['p50_ms']} ms, p95 {after_change['p95_ms']} ms"
        )
        print(f"\nCPU ms per request (of the {os.cpu_count()} CPUs all share; client = this load generator)")
        print(f"{'endpoint':58} {'app':>8} {'postgres':>8} {'nginx':>8} {'client':>8} {'total':>8}")
        for name, r in results.items():
            c = r["cpu_ms_per_request"]
            print(
                f"{name:58} {c['app']:>8} {c['postgresql']:>8} {c['nginx']:>8} {c['client']:>8} "
                f"{round(sum(c.values()), 2):>8}"
            )
    finally:
        if rss is not None:
            rss.stop()
        if servers is not None:
            servers.stop()
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
