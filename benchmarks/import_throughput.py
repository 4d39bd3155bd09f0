"""Import throughput of annotated VCFs, next to a plain COPY of the same rows into the same tables.

    python benchmarks/import_throughput.py                         # the 50k-variant trio (issue 11's figure)
    python benchmarks/import_throughput.py --sizes 10000,100000 --cases single,trio
    python benchmarks/import_throughput.py --sizes 10000 --repeat 1   # quicker
    python benchmarks/import_throughput.py --py-spy /tmp/prof      # also profile each import (py-spy, all threads)

For each case a generated analysis (tests/support/vcfgen.py: VEP CSQ with 4 transcripts, 36 gnomAD fields,
some ClinVar) is imported by ``import_analysis`` in a fresh database, in a child process so that its peak
memory (VmHWM) is its own. Then the rows the import produced (allele, annotation, genotype,
genotypesampledata) are exported and loaded with plain ``COPY`` into another fresh database holding the same
analysis and samples: the speed limit of writing those rows. Both run on the same throwaway PostgreSQL
cluster (tests/support/pgcluster.py: fsync off, like the test suite).

import/COPY is the COPY's time divided by the import's (1.0 = as fast as a bare COPY). Each case runs
``--repeat`` times, each import followed at once by its COPY (both under about the same load); the ratio
reported is the median of these paired ratios, with every run's ratio and the machine's load average next
to it. Because a shared machine makes wall times noisy, the CPU seconds are reported too (of the importing
process, of its PostgreSQL backend, of the COPY's backend) and the CPU ratio: the COPY backend's CPU divided
by the larger of the import's two (parser and backend overlap on two cores, so the larger one bounds the
import on an idle machine).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TABLES = ("allele", "annotation", "genotype", "genotypesampledata")
SETUP_TABLES = ("analysis", "sample", "analysisinterpretation", "interpretationlog")


def _vm_hwm_kb() -> int:
    """Peak resident memory of this process (VmHWM; unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (here: a PostgreSQL backend of the local cluster)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(db_url: str, folder: str) -> None:
    """Run one import and print its report, timing and peak memory as JSON."""
    from sqlalchemy import text

    from ella_app.db.session import transaction
    from ella_app.services.importer import import_analysis

    rss_before = _vm_hwm_kb()
    with transaction(db_url) as session:
        backend = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        backend_cpu, own_cpu = _cpu_of(backend), time.process_time()
        t0 = time.perf_counter()
        report = import_analysis(session, folder)
    seconds = time.perf_counter() - t0
    cpu = {"python": time.process_time() - own_cpu, "postgres": _cpu_of(backend) - backend_cpu}
    peak = _vm_hwm_kb()
    print(
        json.dumps(
            {"seconds": seconds, "cpu": cpu, "extra": report.extra, "rss_start_kb": rss_before, "rss_peak_kb": peak}
        )
    )


def _new_db(cluster, name: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "bench_template"'))
    engine.dispose()
    return cluster.url(name)


def _export(db_url: str, tables: tuple[str, ...]) -> dict[str, str]:
    import psycopg2

    out = {}
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        for table in tables:
            buf = io.StringIO()
            cur.copy_expert(f'COPY "{table}" TO STDOUT', buf)
            out[table] = buf.getvalue()
    return out


def plain_copy(db_url: str, setup: dict[str, str], rows: dict[str, str]) -> tuple[float, float]:
    """COPY the import's rows into the same tables of a fresh database (setup rows first, untimed); returns
    the seconds and the CPU seconds of its PostgreSQL backend."""
    import psycopg2

    conn = psycopg2.connect(db_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend = cur.fetchone()[0]
            for table in SETUP_TABLES:
                cur.copy_expert(f'COPY "{table}" FROM STDIN', io.StringIO(setup[table]))
        conn.commit()
        backend_cpu = _cpu_of(backend)
        t0 = time.perf_counter()
        with conn.cursor() as cur:
            for table in TABLES:
                cur.copy_expert(f'COPY "{table}" FROM STDIN', io.StringIO(rows[table]))
        conn.commit()
        return time.perf_counter() - t0, _cpu_of(backend) - backend_cpu
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50000", help="variants per analysis, comma-separated")
    parser.add_argument("--cases", default="trio", help="single and/or trio, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; medians are reported")
    parser.add_argument("--py-spy", metavar="DIR", help="record each import with py-spy (raw stacks) into DIR")
    parser.add_argument("--child", nargs=2, metavar=("DB_URL", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    import importlib

    from ella_app.db import schema
    from tests.support import vcfgen
    from tests.support.pgcluster import PgCluster

    make_panel = importlib.import_module("tests.import.panels").make_panel
    sizes = [int(s) for s in args.sizes.split(",")]
    cases = [c.strip() for c in args.cases.split(",")]
    if not set(cases) <= {"single", "trio"}:
        parser.error("--cases takes single and/or trio")
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if args.py_spy:
        Path(args.py_spy).mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load average {_load()} at start", flush=True)
    cluster = PgCluster().start()
    work = Path(tempfile.mkdtemp(prefix="ella-bench-"))
    results = []
    try:
        template = cluster.url("bench_template")
        from sqlalchemy import create_engine, text

        engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text('CREATE DATABASE "bench_template"'))
        engine.dispose()
        schema.make_production(template)
        make_panel(template)
        schema.get_engine(template).dispose()
        for n in sizes:
            for trio in [c == "trio" for c in cases]:
                label = f"{n // 1000}k {'trio' if trio else 'single'}"
                folder = vcfgen.write_analysis(work, f"Bench-{n}-{int(trio)}", n, trio=trio)
                env = {**os.environ, "PYTHONPATH": str(ROOT)}
                runs, copies, copy_cpus = [], [], []
                loads = [_load()]
                for attempt in range(args.repeat):  # several: the machine may be shared
                    db_import = _new_db(cluster, f"imp_{n}_{int(trio)}_{attempt}")
                    command = [sys.executable, __file__, "--child", db_import, str(folder)]
                    if args.py_spy:
                        out = Path(args.py_spy) / f"{n}-{'trio' if trio else 'single'}-{attempt}.txt"
                        command = [spy, "record", "--threads", "--format", "raw", "-r", "250", "-o", str(out), "--"]
                        command += [sys.executable, __file__, "--child", db_import, str(folder)]
                    proc = subprocess.run(
                        command,
                        env=env,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    runs.append(json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1]))
                    rows = _export(db_import, TABLES)
                    setup = _export(db_import, SETUP_TABLES)
                    db_copy = _new_db(cluster, f"copy_{n}_{int(trio)}_{attempt}")
                    copy_seconds, copy_cpu = plain_copy(db_copy, setup, rows)
                    copies.append(copy_seconds)
                    copy_cpus.append(copy_cpu)
                    loads.append(_load())
                # each import and the COPY right after it ran under about the same load: their ratio is paired
                ratios = [c / r["seconds"] for r, c in zip(runs, copies, strict=True)]
                run = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
                copy_seconds = statistics.median(copies)
                n_rows = {t: rows[t].count("\n") for t in TABLES}
                result = {
                    "case": label,
                    "variants": run["extra"]["variants"],
                    "import_s": round(run["seconds"], 2),
                    "import_variants_per_s": round(run["extra"]["variants"] / run["seconds"]),
                    "copy_s": round(copy_seconds, 2),
                    "copy_variants_per_s": round(run["extra"]["variants"] / copy_seconds),
                    "ratio_import_to_copy": round(statistics.median(ratios), 2),
                    "rows": n_rows,
                    "peak_rss_mb": round(max(r["rss_peak_kb"] for r in runs) / 1024, 1),
                    "rss_at_start_mb": round(run["rss_start_kb"] / 1024, 1),
                    "all_import_s": [round(r["seconds"], 2) for r in runs],
                    "all_copy_s": [round(c, 2) for c in copies],
                    "all_ratios": [round(x, 2) for x in ratios],
                    "load_average_1m": loads,
                    # CPU seconds: load-independent. On two idle cores the parser (Python) and the PostgreSQL
                    # backend run in parallel, so the import takes at least the larger of the two.
                    "import_cpu_s": {k: round(min(r["cpu"][k] for r in runs), 2) for k in ("python", "postgres")},
                    "copy_postgres_cpu_s": round(min(copy_cpus), 2),
                    "ratio_cpu": round(
                        min(copy_cpus) / min(max(r["cpu"]["python"], r["cpu"]["postgres"]) for r in runs), 2
                    ),
                    "timings": run["extra"].get("timings"),
                }
                results.append(result)
                print(json.dumps(result), flush=True)
    finally:
        cluster.stop()
    print()
    print(f"machine: load average {_load()} at the end")
    print(
        "| case | variants | import s | import variants/s | plain COPY s | COPY variants/s | import/COPY "
        "| ratios of the runs | CPU s import: Python / PostgreSQL | CPU s COPY: PostgreSQL | CPU ratio "
        "| peak RSS MB | load (1 min) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        cpu = r["import_cpu_s"]
        print(
            f"| {r['case']} | {r['variants']} | {r['import_s']} | {r['import_variants_per_s']} | {r['copy_s']} | "
            f"{r['copy_variants_per_s']} | {r['ratio_import_to_copy']} | {r['all_ratios']} | "
            f"{cpu['python']} / {cpu['postgres']} | {r['copy_postgres_cpu_s']} | {r['ratio_cpu']} | "
            f"{r['peak_rss_mb']} | {min(r['load_average_1m'])}-{max(r['load_average_1m'])} |"
        )


if __name__ == "__main__":
    main()
