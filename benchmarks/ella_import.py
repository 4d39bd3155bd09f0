"""Moving from ELLA at size: ``ella-cli database import-ella`` on a generated ELLA v1.17 database, next to a
plain ``pg_dump | pg_restore`` of the same source in the same run (the floor: copying the bytes, no checks).

    python benchmarks/ella_import.py            # 1M alleles, 10,000 analyses, 100,000 classifications
    python benchmarks/ella_import.py --alleles 100000 --analyses 1000 --assessments 10000   # quicker
    python benchmarks/ella_import.py --json

A throwaway PostgreSQL cluster (tests/support/pgcluster.py, fsync off like the test suite) gets ELLA's schema
from tests/data/ella-schema, the generated database of the import tests (every entity and edge case), and by
set-based SQL the bulk: alleles with an annotation, a genotype and sample data each, spread over the analyses
(one proband and one round each), current classifications of the first alleles (every tenth with a superseded
one before it). The floor is ``pg_dump -Fc`` piped into ``pg_restore`` into an empty database. The import runs
as the real command in a child process (validation, COPY in one transaction, verification of every table);
its peak memory is the child's maximum resident set size. Aim: within 3x the floor, under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from ella_app.db import schema  # noqa: E402
from tests.migration.ella_seed import grow, seed  # noqa: E402
from tests.support.pgcluster import PgCluster  # noqa: E402

FLOOR_FACTOR = 3.0
MEMORY_LIMIT_MB = 500.0


def _create(cluster: PgCluster, name: str) -> str:
    engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return cluster.url(name)


def _run(argv: list[str], env: dict[str, str] | None = None, shell: bool = False) -> tuple[float, float, str]:
    """Run a child; (seconds, its peak resident set in MB, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(argv, env=env, shell=shell, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{argv[0]} ... failed ({process.returncode}): {err.read().decode()[-2000:]}")
        return seconds, usage.ru_maxrss / 1024, out.read().decode()


def measure(alleles: int, analyses: int, assessments: int) -> dict[str, Any]:
    cluster = PgCluster().start()
    work = Path(tempfile.mkdtemp(prefix="ella-import-bench-"))
    try:
        source = _create(cluster, "ella")
        started = time.monotonic()
        seeded = seed(source, work / "ella-attachments")
        grow(source, alleles=alleles, analyses=analyses, assessments=assessments)
        generated = time.monotonic() - started
        engine = create_engine(source)
        with engine.connect() as conn:
            size_mb = conn.execute(text("SELECT pg_database_size('ella')")).scalar_one() / 1e6
            counts = {
                t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("allele", "annotation", "analysis", "genotype", "genotypesampledata", "alleleassessment")
            }
        engine.dispose()

        floor_db = _create(cluster, "floor")
        bindir = cluster.bindir
        pipe = f"{bindir}/pg_dump -Fc -d '{source}' | {bindir}/pg_restore --no-owner -d '{floor_db}'"
        floor_seconds, _, _ = _run([pipe], shell=True)

        kit = _create(cluster, "kit")
        schema.make_production(kit)
        schema.get_engine(kit).dispose()
        env = {
            **os.environ,
            "ELLA_CONFIG": str(ROOT / "files" / "ella_config.example.yml"),
            "DB_URL": kit,
            "ATTACHMENT_STORAGE": str(work / "storage"),
            "ELLA_OPERATOR": "benchmark",
        }
        (work / "storage").mkdir()
        command = [
            sys.executable,
            "-c",
            "from ella_app.cli.main import main; main()",
            "database",
            "import-ella",
            "--source",
            source,
            "--attachments",
            str(seeded.attachment_dir),
            "--json",
        ]
        import_seconds, peak_mb, stdout = _run(command, env=env)
        report = json.loads(stdout.strip().splitlines()[-1])
        return {
            "source": {"rows": report["rows"], "size_mb": round(size_mb, 1), **counts},
            "generate_seconds": round(generated, 1),
            "floor_seconds": round(floor_seconds, 1),
            "import_seconds": round(import_seconds, 1),
            "import_phases": report.get("seconds", {}),
            "ratio": round(import_seconds / floor_seconds, 2),
            "peak_rss_mb": round(peak_mb, 1),
            "verification_equal": report["verification"]["equal"],
        }
    finally:
        cluster.stop()
        subprocess.run(["rm", "-rf", str(work)], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alleles", type=int, default=1_000_000)
    parser.add_argument("--analyses", type=int, default=10_000)
    parser.add_argument("--assessments", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.alleles, args.analyses, args.assessments)
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return
    src = result["source"]
    print(f"ELLA source: {src['rows']} rows ({src['size_mb']} MB): {src['allele']} alleles, "
          f"{src['analysis']} analyses, {src['alleleassessment']} classifications "
          f"(generated in {result['generate_seconds']} s)")  # fmt: skip
    print(f"floor  pg_dump | pg_restore       {result['floor_seconds']:>8} s")
    print(f"import ella-cli database import-ella {result['import_seconds']:>6} s  phases {result['import_phases']}")
    ok_time = "ok" if result["ratio"] <= FLOOR_FACTOR else "OVER"
    ok_memory = "ok" if result["peak_rss_mb"] <= MEMORY_LIMIT_MB else "OVER"
    print(f"ratio  {result['ratio']}x the floor (limit {FLOOR_FACTOR}x)  {ok_time}")
    print(f"memory peak RSS {result['peak_rss_mb']} MB (limit {MEMORY_LIMIT_MB:.0f} MB)  {ok_memory}")
    print(f"verification: {'all equal' if result['verification_equal'] else 'DIFFERENCES'}")


if __name__ == "__main__":
    main()
