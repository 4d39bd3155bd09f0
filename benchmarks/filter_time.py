"""Time to filter a generated exome trio with a demo filter config (issue 10: the Trio config on 50k variants).

    nice -n 10 python benchmarks/filter_time.py                       # 50,000-variant trio, Trio config, 5 runs
    python benchmarks/filter_time.py --variants 10000 --config Default --runs 3 --json

A throwaway PostgreSQL cluster (tests/support/pgcluster.py) gets the schema, the demo filter configs
(files/demo/fixtures/filterconfigs.json) in testgroup01 and the generated 500-gene exome panel; the trio
(``tests/support/vcfgen.py``: proband, father, mother; four transcripts per variant, gnomAD frequencies, ClinVar on
one in ten) is imported by the real importer (``benchmarks/api_latency.py build_large_trio``, which also lets the
import hook store every config's result once). Each run then, in this process, as a request on the cold path does:

* ``load``: reads what the filters need for all the trio's variants (``analysis_context``),
* ``filter``: runs the config's filter chain on them (``filtering.outcome_for``),
* ``stored``: ``filter_results.compute`` after the stored result was dropped — load, filter and store the result
  (what the first user after a change waits for; above ``OUT_OF_PROCESS_ALLELES`` variants in a child process).

Figures are the median and the range over ``--runs``, wall time and, for load and filter, this process' CPU time
(PostgreSQL's is not in it); the load average before and after is printed with them (the machine may be shared:
read the wall figures with it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.api_latency import CONFIG, EXOME, FILTERCONFIGS, build_large_trio  # noqa: E402


def _setup(db_url: str) -> None:
    """testgroup01 with the demo filter configs in their order (the exome panel comes with the trio)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from ella_app.db.models import FilterConfig, UserGroupFilterConfig
    from tests.api.factories import make_group

    engine = create_engine(db_url)
    with Session(engine) as session:
        group = make_group(session, "testgroup01", [])
        for entry in json.loads(FILTERCONFIGS.read_text()):
            orders = [g["order"] for g in entry["usergroups"] if g["name"] == "testgroup01"]
            if orders:
                fc = FilterConfig(
                    name=entry["name"], filterconfig=entry["filterconfig"], requirements=entry.get("requirements", [])
                )
                session.add(fc)
                session.flush()
                session.add(UserGroupFilterConfig(usergroup_id=group.id, filterconfig_id=fc.id, order=orders[0]))
        session.commit()
    engine.dispose()


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2), "max": round(max(values), 2)}


def measure(db_url: str, analysis_id: int, config_name: str, runs: int) -> dict[str, Any]:
    from sqlalchemy import select, text

    from ella_app.config import load_settings
    from ella_app.db.models import FilterConfig
    from ella_app.db.session import transaction
    from ella_app.services import filter_results, filtering
    from ella_app.services.filters.context import analysis_context

    app_config = load_settings({"ELLA_CONFIG": str(CONFIG), "DB_URL": db_url}).config
    load, run, stored, load_cpu, run_cpu = [], [], [], [], []
    outcome = None
    for _ in range(runs):
        with transaction(db_url) as session:
            fc = session.scalars(select(FilterConfig).where(FilterConfig.name == config_name)).one()
            t0, c0 = time.perf_counter(), time.process_time()
            ctx = analysis_context(session, app_config, analysis_id, EXOME)
            t1, c1 = time.perf_counter(), time.process_time()
            outcome = filtering.outcome_for(ctx, fc, None)
            t2, c2 = time.perf_counter(), time.process_time()
            load.append(t1 - t0)
            run.append(t2 - t1)
            load_cpu.append(c1 - c0)
            run_cpu.append(c2 - c1)
        with transaction(db_url) as session:
            fc = session.scalars(select(FilterConfig).where(FilterConfig.name == config_name)).one()
            drop = "DELETE FROM filterresult WHERE analysis_id = :a AND filterconfig_id = :fc"
            session.execute(text(drop), {"a": analysis_id, "fc": fc.id})  # else compute reads the stored one
        with transaction(db_url) as session:
            fc = session.scalars(select(FilterConfig).where(FilterConfig.name == config_name)).one()
            t0 = time.perf_counter()
            result = filter_results.compute(session, app_config, analysis_id, fc, EXOME)
            stored.append(time.perf_counter() - t0)
            assert result.recomputed, "the stored result was read, not computed"
    assert outcome is not None
    return {
        "config": config_name,
        "alleles": len(ctx.alleles),
        "passed": len(outcome.passed),
        "excluded": {name: len(ids) for name, ids in outcome.excluded.items()},
        "unsupported_filters": outcome.unsupported,
        "load_seconds": _summary(load),
        "filter_seconds": _summary(run),
        "load_cpu_seconds": _summary(load_cpu),  # this process only (not PostgreSQL's)
        "filter_cpu_seconds": _summary(run_cpu),
        "stored_seconds": _summary(stored),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", type=int, default=50_000)
    parser.add_argument("--config", default="Trio", help="a demo filter config's name")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from ella_app.db import schema
    from tests.support.pgcluster import PgCluster

    load_before = os.getloadavg()
    cluster = PgCluster().start()
    workdir = Path(tempfile.mkdtemp(prefix="ella-bench-filter-"))
    try:
        db_url = cluster.url("bench")
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('CREATE DATABASE "bench"'))
        admin.dispose()
        schema.make_production(db_url)
        schema.get_engine(db_url).dispose()
        _setup(db_url)
        trio = build_large_trio(db_url, args.variants, workdir)
        result = measure(db_url, trio["analysis_id"], args.config, args.runs)
    finally:
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "nice": os.nice(0),
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "variants": trio["variants"],
        "import_seconds": trio["import_seconds"],
        "import_hook_all_configs_seconds": trio["filter_results_seconds"],
        **result,
    }
    if args.json:
        print(json.dumps(report))
        return
    print(f"{report['command']}  (nice {report['nice']}, {report['cpus']} CPUs)")
    print(f"load average before {report['loadavg_before']}, after {report['loadavg_after']}")
    print(f"trio: {report['variants']} variants imported in {report['import_seconds']} s")
    print(f"config {result['config']}: {result['passed']} of {result['alleles']} passed; excluded {result['excluded']}")
    print(f"unsupported filters: {result['unsupported_filters'] or 'none'}")
    for key in ("load_seconds", "load_cpu_seconds", "filter_seconds", "filter_cpu_seconds", "stored_seconds"):
        s = result[key]
        print(f"{key:>18}: median {s['median']} s (min {s['min']}, max {s['max']}) over {args.runs} runs")


if __name__ == "__main__":
    main()
