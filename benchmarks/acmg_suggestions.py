"""Latency of the ACMG suggestion endpoint (``POST /api/v1/acmg/alleles/``) for 100 alleles per request, next
to a bare Flask endpoint that parses the same body, served by the same gunicorn in the same run.

    python benchmarks/acmg_suggestions.py                    # 2,000 alleles, 300 requests of 100 alleles
    python benchmarks/acmg_suggestions.py --requests 100     # quicker
    python benchmarks/acmg_suggestions.py --json             # one JSON object

A throwaway PostgreSQL cluster (tests/support/pgcluster.py) gets the schema, the HBOC panel, the demo group
testgroup01 with its acmg config, a user, and one analysis with ``--alleles`` BRCA1/BRCA2 variants whose
annotation looks like an imported one: RefSeq and Ensembl transcripts (and a neighbour gene's), gnomAD exome
and genome frequencies with allele numbers for nine populations, ExAC, ClinVar and HGMD. Each request asks for
100 random alleles with 10 reference assessments; one client sends them one after the other over a keep-alive
connection (the web client asks once per interpretation). Figures: p50/p95/p99 latency (ms), next to the limit
(200 ms p95) and the bare endpoint, and the CPU time gunicorn and PostgreSQL spent per request (from /proc:
what a request costs whatever else runs). The load average is read before and after: other work on the
machine shows there.
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
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONFIG = ROOT / "files" / "ella_config.example.yml"
GROUPS = ROOT / "files" / "demo" / "fixtures" / "usergroups.json"
LIMIT_P95_MS = 200.0
PER_REQUEST = 100
CONSEQUENCES = [
    "missense_variant",
    "synonymous_variant",
    "stop_gained",
    "frameshift_variant",
    "intron_variant",
    "splice_region_variant&intron_variant",
    "splice_donor_variant",
    "inframe_deletion",
    "3_prime_UTR_variant",
]
POPULATIONS = ["G", "AFR", "AMR", "ASJ", "EAS", "FIN", "NFE", "OTH", "SAS"]


def combined() -> Any:
    """The real API and, at /bare, a Flask app that parses the JSON body and answers (gunicorn ``combined()``)."""
    from flask import Flask, jsonify, request
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from ella_app.api import create_app

    bare = Flask("bare")

    @bare.post("/")
    def echo() -> Any:
        body = request.get_json(silent=True) or {}
        return jsonify({"n": len(body.get("allele_ids", []))})

    return DispatcherMiddleware(create_app(), {"/bare": bare})


# ------------------------------------------------------------------------------------------ data


def _annotation(rng: random.Random, index: int, chrom: str) -> dict[str, Any]:
    brca2 = chrom == "13"
    symbol, hgnc, refseq, ensembl = (
        ("BRCA2", 1101, "NM_000059.3", "ENST00000380152")
        if brca2
        else ("BRCA1", 1100, "NM_007294.3", "ENST00000357654")
    )
    consequence = CONSEQUENCES[index % len(CONSEQUENCES)].split("&")
    exon = f"{1 + index % 27}/27"
    transcripts = [
        {
            "transcript": name,
            "symbol": symbol,
            **({"hgnc_id": hgnc} if name.startswith("ENST") else {}),
            "consequences": consequence,
            "HGVSc": f"{name}:c.{index}A>G",
            "HGVSc_short": f"c.{index}A>G",
            "HGVSp": f"p.Lys{index}Glu",
            "exon": exon,
            "strand": 1 if brca2 else -1,
            "is_canonical": name.startswith("NM"),
            "impact": "MODERATE",
            "dbsnp": [f"rs{1000 + index}"],
        }
        for name in (refseq, ensembl)
    ]
    transcripts.append(
        {
            "transcript": "ENST00000533490",
            "symbol": "ZAR1L",
            "hgnc_id": 37116,
            "consequences": ["upstream_gene_variant"],
        }
    )
    annotation: dict[str, Any] = {"transcripts": transcripts, "frequencies": {}}
    if index % 4:  # a quarter absent from the population databases
        for provider in ("GNOMAD_EXOMES", "GNOMAD_GENOMES"):
            annotation["frequencies"][provider] = {
                "freq": {p: round(rng.random() ** 4 * 0.02, 6) for p in POPULATIONS},
                "num": {p: rng.choice([2000, 8000, 30000, 120000]) for p in POPULATIONS},
                "count": {p: rng.randint(0, 50) for p in POPULATIONS},
            }
        annotation["frequencies"]["ExAC"] = {"freq": {"G": round(rng.random() * 0.01, 6)}, "num": {"G": 120000}}
    annotation["external"] = {
        "CLINVAR_VCF": {"clnsig": ["5", "1"], "revstat": ["single", "not"], "accessions": [f"RCV{index:09d}.1"]},
        "HGMD": {"tag": "DM", "acc_num": f"CM{index:06d}", "disease": "Breast cancer"},
    }
    annotation["references"] = [{"pubmed_id": 10_000_000 + index, "source": "HGMD", "sources": ["HGMD"]}]
    return annotation


def populate(db_url: str, n_alleles: int) -> dict[str, Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from ella_app.db.models import UserSession
    from ella_app.security import tokens
    from tests.api.factories import (
        BRCA1,
        BRCA2,
        HBOC,
        SampleSpec,
        VariantSpec,
        make_analysis,
        make_group,
        make_panel,
        make_user,
    )

    rng = random.Random(11)
    config = json.loads(GROUPS.read_text())[0]["config"]
    engine = create_engine(db_url)
    with Session(engine) as session:
        make_panel(session, *HBOC, [BRCA1, BRCA2])
        group = make_group(session, "testgroup01", [HBOC], config)
        user = make_user(session, "bench", group)
        variants = []
        for i in range(n_alleles):
            chrom = "13" if i % 2 == 0 else "17"
            pos = (32890600 if chrom == "13" else 41197700) + i
            variants.append(VariantSpec(chrom, pos, "A", "G", _annotation(rng, i, chrom)))
        _, alleles = make_analysis(session, "Bench-ACMG-1", HBOC, variants, [SampleSpec("S1")])
        token = tokens.new_token()
        session.add(
            UserSession(
                user_id=user.id,
                token=tokens.token_digest(token),
                expires=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            )
        )
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
        ids = [a.id for a in alleles]
    engine.dispose()
    return {"token": token, "allele_ids": ids}


# ------------------------------------------------------------------------------------------ server and client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


class Gunicorn:
    def __init__(self, db_url: str, workers: int) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="ella-acmg-bench-"))
        self.port = _free_port()
        env = {**os.environ, "ELLA_CONFIG": str(CONFIG), "DB_URL": db_url, "PYTHONPATH": str(ROOT)}
        for name in ("ANALYSES_PATH", "IGV_DATA", "ATTACHMENT_STORAGE"):
            (self.tmp / name.lower()).mkdir()
            env[name] = str(self.tmp / name.lower())
        log = os.open(self.tmp / "gunicorn.log", os.O_WRONLY | os.O_CREAT, 0o644)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "120",
                "benchmarks.acmg_suggestions:combined()",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        _wait_for(self.port)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _children(parent: int) -> list[int]:
    """Every descendant of a process (gunicorn's workers, PostgreSQL's backends)."""
    found: list[int] = []
    todo = [parent]
    while todo:
        pid = todo.pop()
        try:
            kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        found.extend(int(k) for k in kids)
        todo.extend(int(k) for k in kids)
    return found


def cpu_seconds(roots: list[int]) -> float:
    """User + system CPU time of these processes and their descendants (from /proc; 0 for gone ones)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in {*roots, *(c for r in roots for c in _children(r))}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def body(rng: random.Random, allele_ids: list[int]) -> bytes:
    chosen = rng.sample(allele_ids, PER_REQUEST)
    references = [
        {
            "allele_id": chosen[i],
            "reference_id": 1 + i,
            "evaluation": {"relevance": "Yes", "ref_segregation": "segr", "ref_segregation_quality": "segr_MQ"},
        }
        for i in range(10)
    ]
    return json.dumps(
        {"allele_ids": chosen, "gp_name": "HBOC", "gp_version": "v1.0.0", "referenceassessments": references}
    ).encode()


def measure(port: int, token: str, path: str, bodies: list[bytes], processes: list[int]) -> dict[str, Any]:
    from ella_app.security.tokens import csrf_token

    csrf = csrf_token(token)  # bound to the session (main's CSRF check since the security hardening)
    headers = {
        "Cookie": f"AuthenticationToken={token}; csrf_token={csrf}",
        "X-CSRF-Token": csrf,
        "Content-Type": "application/json",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    cpu_before = [cpu_seconds([p]) for p in processes]
    latencies = []
    errors = 0
    codes = 0
    for data in bodies:
        start = time.perf_counter()
        conn.request("POST", path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            errors += 1
            if errors == 1:
                print(f"{path}: HTTP {response.status} {payload[:200]!r}", file=sys.stderr)
        elif path.startswith("/api"):
            codes += sum(len(v["codes"]) for v in json.loads(payload).values())
    conn.close()
    cpu_parts = [cpu_seconds([p]) - before for p, before in zip(processes, cpu_before, strict=True)]
    cpu = sum(cpu_parts)
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)

    return {
        "requests": len(ordered),
        "errors": errors,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "codes_per_request": round(codes / max(1, len(ordered) - errors), 1),
        "cpu_ms_per_request": round(cpu * 1000 / max(1, len(ordered)), 1),
        "cpu_ms_per_request_by_process": [round(c * 1000 / max(1, len(ordered)), 1) for c in cpu_parts],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alleles", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from ella_app.db import schema
    from tests.support.pgcluster import PgCluster

    cluster = PgCluster().start()
    server = None
    try:
        db_url = cluster.url("bench")
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('CREATE DATABASE "bench"'))
        admin.dispose()
        schema.make_production(db_url)
        schema.get_engine(db_url).dispose()
        data = populate(db_url, args.alleles)
        server = Gunicorn(db_url, args.workers)
        rng = random.Random(5)
        bodies = [body(rng, data["allele_ids"]) for _ in range(args.requests)]
        warm = bodies[: 2 * args.workers]
        load_before = os.getloadavg()[0]
        measure(server.port, data["token"], "/bare/", warm, [])
        measure(server.port, data["token"], "/api/v1/acmg/alleles/", warm, [])
        processes = [server.proc.pid, int((cluster.datadir / "postmaster.pid").read_text().split()[0])]
        bare = measure(server.port, data["token"], "/bare/", bodies, processes)
        acmg = measure(server.port, data["token"], "/api/v1/acmg/alleles/", bodies, processes)
        load_after = os.getloadavg()[0]
        report = {
            "alleles_in_db": args.alleles,
            "alleles_per_request": PER_REQUEST,
            "reference_assessments_per_request": 10,
            "gunicorn_workers": args.workers,
            "cpus": os.cpu_count(),
            "load_average_1m": {"before": round(load_before, 2), "after": round(load_after, 2)},
            "limit_p95_ms": LIMIT_P95_MS,
            "bare": bare,
            "acmg": acmg,
            "within_limit": acmg["p95_ms"] < LIMIT_P95_MS and acmg["errors"] == 0,
        }
        if args.json:
            print(json.dumps(report))
            return
        print(
            f"{args.requests} requests of {PER_REQUEST} alleles (of {args.alleles}) + 10 reference assessments, one "
            f"client, gunicorn {args.workers} workers; {os.cpu_count()} CPUs, load average {load_before:.2f} → "
            f"{load_after:.2f}"
        )
        print(f"{'endpoint':40} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'CPU ms':>8} {'errors':>7}")
        for name, r in (("bare Flask, same body (/bare/)", bare), ("ACMG suggestions (/acmg/alleles/)", acmg)):
            print(
                f"{name:40} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} {r['cpu_ms_per_request']:>8} "
                f"{r['errors']:>7}"
            )
        verdict = "within" if report["within_limit"] else "OVER"
        print(
            f"limit: p95 < {LIMIT_P95_MS:.0f} ms → {verdict} ({acmg['codes_per_request']} codes per answer; "
            f"minus the bare endpoint's p95: {acmg['p95_ms'] - bare['p95_ms']:.1f} ms)"
        )
    finally:
        if server is not None:
            server.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
