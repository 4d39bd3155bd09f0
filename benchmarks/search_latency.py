"""Search latency through nginx + gunicorn, next to a bare Flask endpoint served by the same processes in the
same run; and what keeping the search table (``annotationshadowtranscript``, migration 0005) costs the import
of a 50k-variant trio.

    python benchmarks/search_latency.py                       # 1,000 analyses, 100k variants, a 50k trio
    python benchmarks/search_latency.py --variants 1000000    # ~1M alleles in the database
    python benchmarks/search_latency.py --json                # one JSON object instead of the table

The database: ``benchmarks/api_latency.populate`` (1,000 analyses of the HBOC panel, ``--variants`` variants in
BRCA1/BRCA2 with annotation, ~10% classified by the benchmark user) plus a generated 50k-variant trio
(``tests/support/vcfgen``, 22 chromosomes, four transcripts per variant) brought in by the real importer. The
same trio is first imported into an empty database with the search table's triggers disabled, so the two
import times show their cost. Queries are the ELLA client's (``per_page=10&limit=100``) with values drawn
from the data: positions and ranges of the trio's variants, HGVS names of its transcripts, BRCA2 by gene, the
user, analysis names, gene suggestions. Figures: p50/p95/p99 latency (ms) and requests/s per endpoint.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TRIO_NAME = "Bench-Trio-50k"


def _create_database(cluster: Any, name: str) -> str:
    from sqlalchemy import create_engine, text

    from ella_app.db import schema

    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = cluster.url(name)
    schema.make_production(url)
    schema.get_engine(url).dispose()
    return url


def import_trio(db_url: str, folder: Path, *, triggers: bool) -> float:
    """Seconds to import the trio (the search table's triggers on or off)."""
    from sqlalchemy import create_engine, text

    from ella_app.db.session import transaction
    from ella_app.services.importer import import_analysis

    if not triggers:
        engine = create_engine(db_url)
        with engine.begin() as conn:
            for name in ("insert", "update", "delete"):
                conn.execute(text(f"ALTER TABLE annotation DISABLE TRIGGER annotationshadow_{name}"))
        engine.dispose()
    started = time.perf_counter()
    with transaction(db_url) as session:
        import_analysis(session, folder)
    return time.perf_counter() - started


def samples(db_url: str, trio_name: str) -> dict[str, Any]:
    """Values to search for, drawn from the data."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
        trio = conn.execute(
            text(
                "SELECT DISTINCT a.id, a.chromosome, a.vcf_pos FROM allele a JOIN genotype g ON g.allele_id = a.id "
                "JOIN sample s ON s.id = g.sample_id JOIN analysis an ON an.id = s.analysis_id "
                "WHERE an.name = :name ORDER BY a.id LIMIT 2000"
            ),
            {"name": trio_name},
        ).all()
        ids = [r[0] for r in trio]
        hgvs = conn.execute(
            text(
                "SELECT transcript, hgvsc, hgvsp FROM annotationshadowtranscript "
                "WHERE allele_id = ANY(:ids) AND transcript LIKE 'NM_%' AND hgvsc IS NOT NULL"
            ),
            {"ids": ids},
        ).all()
        counts = {
            name: int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
            for name in ("allele", "analysis", "annotationshadowtranscript", "alleleassessment")
        }
    engine.dispose()
    return {"positions": [(c, p) for _, c, p in trio], "hgvs": [tuple(h) for h in hgvs], "counts": counts}


def _search(query: dict[str, Any], extra: str = "&per_page=10&limit=100") -> str:
    return f"/api/v1/search/?q={quote(json.dumps(query, separators=(',', ':')))}{extra}"


def endpoints(data: dict[str, Any]) -> dict[str, tuple[Callable[[random.Random], str], float]]:
    """name → (path for a random generator, share of --requests)."""
    positions, hgvs = data["positions"], data["hgvs"]
    brca2 = {"hgnc_id": 1101}

    def position(rng: random.Random) -> str:
        chrom, pos = rng.choice(positions)
        return _search({"type": "alleles", "freetext": f"{chrom}:{pos}"})

    def chr_position(rng: random.Random) -> str:
        chrom, pos = rng.choice(positions)
        return _search({"type": "alleles", "freetext": f"chr{chrom}:{pos}"})

    def span(rng: random.Random) -> str:
        chrom, pos = rng.choice(positions)
        return _search({"type": "alleles", "freetext": f"{chrom}:{pos - 1000}-{pos + 1000}"})

    def bare_position(rng: random.Random) -> str:
        return _search({"type": "alleles", "freetext": str(rng.choice(positions)[1])})

    def transcript_hgvs(rng: random.Random) -> str:
        transcript, hgvsc, _ = rng.choice(hgvs)
        return _search({"type": "alleles", "freetext": f"{transcript}:{hgvsc}"})

    def gene_hgvsc(rng: random.Random) -> str:
        return _search({"type": "alleles", "gene": brca2, "freetext": f"c.{rng.randint(10, 999)}"})

    def gene_hgvsp(rng: random.Random) -> str:
        return _search({"type": "alleles", "gene": brca2, "freetext": f"p.Lys{rng.randint(100, 9999)}"})

    return {
        "bare Flask (/bare/)": (lambda rng: "/bare/", 1.0),
        "position 13:32890607 (chr:pos)": (position, 1.0),
        "position chr13:32890607": (chr_position, 1.0),
        "range chr:pos-pos (2 kb)": (span, 1.0),
        "position on any chromosome (pos)": (bare_position, 1.0),
        "HGVS c. with transcript (NM_…:c.…)": (transcript_hgvs, 1.0),
        "HGVS c. prefix in BRCA2 (c.123)": (gene_hgvsc, 1.0),
        "HGVS p. prefix in BRCA2 (p.Lys123)": (gene_hgvsp, 1.0),
        "gene alone: BRCA2, limit=100": (lambda rng: _search({"type": "alleles", "gene": brca2}), 1.0),
        "gene alone: BRCA2, every match counted": (
            lambda rng: _search({"type": "alleles", "gene": brca2}, "&per_page=10"),
            0.1,
        ),
        "user (10% of variants classified)": (
            lambda rng: _search({"type": "alleles", "user": {"username": "bench"}}),
            1.0,
        ),
        "analysis name (Bench-12…)": (
            lambda rng: _search({"type": "analyses", "freetext": f"Bench-{rng.randint(1, 99)}"}),
            1.0,
        ),
        "gene suggestions (options BR…)": (
            lambda rng: f"/api/v1/search/options/?q={quote(json.dumps({'gene': rng.choice(['BR', 'BRC', 'BRCA2'])}))}",
            1.0,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--analyses", type=int, default=1000)
    parser.add_argument("--variants", type=int, default=100_000, help="variants of the 1,000 analyses")
    parser.add_argument("--trio", type=int, default=50_000, help="variants of the imported trio")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400, help="requests per endpoint")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from benchmarks.api_latency import Servers, populate, run_load
    from tests.support import vcfgen
    from tests.support.pgcluster import PgCluster

    cluster = PgCluster().start()
    servers = None
    work = Path(tempfile.mkdtemp(prefix="ella-search-bench-"))
    try:
        folder = vcfgen.write_analysis(work, TRIO_NAME, args.trio, trio=True, seed=5)
        # the trio's import without the search table's triggers, in a database of its own
        scratch = _create_database(cluster, "scratch")
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session

        from tests.api.factories import BRCA1, BRCA2, HBOC, make_panel

        engine = create_engine(scratch)
        with Session(engine) as session:
            make_panel(session, *HBOC, [BRCA1, BRCA2])
            session.commit()
        engine.dispose()
        load_before = os.getloadavg()[0]
        without = import_trio(scratch, folder, triggers=False)

        db_url = _create_database(cluster, "bench")
        t0 = time.perf_counter()
        data = populate(db_url, args.analyses, args.variants)
        setup_s = time.perf_counter() - t0
        with_triggers = import_trio(db_url, folder, triggers=True)
        load_after = os.getloadavg()[0]
        drawn = samples(db_url, TRIO_NAME)

        servers = Servers(db_url, args.workers, args.threads)
        for path in ("/bare/", _search({"type": "alleles", "freetext": "13:32890607"})):  # warm every worker up
            run_load(servers.port, data["token"], lambda rng, p=path: p, args.clients, args.clients * 4)
        results = {}
        for name, (fn, share) in endpoints(drawn).items():
            total = max(args.clients, int(args.requests * share))
            results[name] = run_load(servers.port, data["token"], fn, args.clients, total)
        report = {
            "analyses": args.analyses,
            "variants": args.variants,
            "trio_variants": args.trio,
            "rows": drawn["counts"],
            "clients": args.clients,
            "gunicorn": {"workers": args.workers, "threads": args.threads},
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "setup_seconds": round(setup_s, 1),
            "trio_import_seconds": {
                "without_search_table": round(without, 1),
                "with_search_table": round(with_triggers, 1),
                "load_average_1m": [round(load_before, 1), round(load_after, 1)],
            },
            "results": results,
        }
        if args.json:
            print(json.dumps(report))
            return
        counts = drawn["counts"]
        print(
            f"{counts['analysis']} analyses, {counts['allele']} alleles ({args.variants} + a {args.trio}-variant "
            f"trio), {counts['annotationshadowtranscript']} search rows, {counts['alleleassessment']} "
            f"classifications; {args.clients} clients through nginx → gunicorn ({args.workers} workers x "
            f"{args.threads} threads); {os.cpu_count()} CPUs, load average {report['load_average_1m']}"
        )
        print(
            f"trio import: {without:.1f} s without the search table's triggers, {with_triggers:.1f} s with them "
            f"(load average {load_before:.1f} / {load_after:.1f})"
        )
        print(f"{'endpoint':44} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}")
        for name, r in results.items():
            print(f"{name:44} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} {r['rps']:>8} {r['errors']:>7}")
    finally:
        if servers is not None:
            servers.stop()
        cluster.stop()
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
