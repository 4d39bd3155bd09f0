"""Latency of the analyses watcher: from READY written to the analysis visible in the database.

    python benchmarks/watcher_latency.py               # 5 rounds, 1k-variant analyses
    python benchmarks/watcher_latency.py --rounds 10 --variants 1000 --trio

A real ``ella-cli analyses watch`` process runs against a throwaway PostgreSQL cluster with a rescan
interval of 300 s, so only inotify can explain a quick pick-up. Each round puts a complete analysis folder
(without READY) into the incoming folder, waits a second, writes READY and polls the database every
10 ms for the committed analysis, then for the folder to arrive in ANALYSES_PATH. ELLA itself polls every
30 s.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--trio", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from ella_app.db import schema
    from tests.support import vcfgen
    from tests.support.pgcluster import PgCluster

    make_panel = importlib.import_module("tests.import.panels").make_panel
    cluster = PgCluster().start()
    work = Path(tempfile.mkdtemp(prefix="ella-watch-"))
    incoming, dest, staging = work / "incoming", work / "imported", work / "staging"
    for d in (incoming, dest, staging):
        d.mkdir()
    proc = None
    try:
        url = cluster.url()
        schema.make_production(url)
        make_panel(url)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "ELLA_CONFIG": str(ROOT / "files" / "ella_config.example.yml"),
            "DB_URL": url,
            "ANALYSES_INCOMING": str(incoming),
            "ANALYSES_PATH": str(dest),
        }
        code = "import sys; from ella_app.cli.main import main; sys.argv[0] = 'ella-cli'; main()"
        log = (work / "watcher.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-c", code, "analyses", "watch", "--interval", "300"], env=env, stdout=log, stderr=log
        )
        time.sleep(2.0)
        engine = create_engine(url)
        visible, moved = [], []
        for i in range(args.rounds):
            name = f"Latency-{i}"
            vcfgen.write_analysis(staging, name, args.variants, trio=args.trio, ready=False, seed=i)
            shutil.move(str(staging / name), str(incoming / name))
            time.sleep(1.0)
            t0 = time.perf_counter()
            (incoming / name / "READY").touch()
            with engine.connect() as conn:
                while not conn.execute(text("SELECT 1 FROM analysis WHERE name = :n"), {"n": name}).first():
                    if time.perf_counter() - t0 > 120:
                        raise SystemExit(f"timed out; see {work / 'watcher.log'}")
                    conn.commit()
                    time.sleep(0.01)
            visible.append(time.perf_counter() - t0)
            while not (dest / name).is_dir():
                time.sleep(0.005)
            moved.append(time.perf_counter() - t0)
            print(f"round {i}: visible after {visible[-1]:.3f} s, moved after {moved[-1]:.3f} s", flush=True)
        engine.dispose()
        kind = "trio" if args.trio else "single sample"
        print()
        print(f"{args.rounds} rounds, {args.variants}-variant {kind} analyses")
        print(f"READY → analysis visible: median {statistics.median(visible):.3f} s, max {max(visible):.3f} s")
        print(f"READY → folder moved:     median {statistics.median(moved):.3f} s, max {max(moved):.3f} s")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
