"""Benchmark: briefings per minute for each executor, measured in the same run, and the
projected time for a national batch.

    python benchmarks/bench_executors.py params/demo [--limit 12] [--notebooks DIR]
    python benchmarks/bench_executors.py            # no params: small fixture notebooks and params
                                                    # generated in a temporary folder

For the same params files, one after the other, each as the command a user types
(``python -m balance batch PARAMS --out DIR --force --no-progress``, so every mode pays its own
start-up: worker processes, imports, Dask cluster start and stop):

1. ``--executor local --workers 1``
2. ``--executor local --workers 2``
3. ``--executor dask --workers 2`` (a 2-worker LocalCluster started and closed by the command)
4. ``--executor dask --scheduler ADDRESS`` against a 2-worker cluster that is already running and
   warmed up (the situation of a standing cluster; skip with ``--no-warm``)

It prints wall time, briefings per minute and seconds per briefing per worker slot
(``wall × workers / briefings``), then the projected time for 2,850 county briefings on N
workers (N = 2, 8, 32, 128), assuming linear scaling from the measured per-slot time. That is a
projection, not a measurement: it ignores the shared file system, the scheduler (≈ 1 ms per task)
and stragglers, and this machine's 2 cores are shared by 2 kernels in modes 2–4. Not a test.
"""
from __future__ import annotations

import argparse
import csv
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

NATIONAL = 2850
PROJECT_N = (2, 8, 32, 128)


def fixture_project(base: Path, n: int) -> tuple[Path, Path]:
    """``n`` county_briefing params files over a small data file, and the test fixture notebooks."""
    data = base / "data" / "schools.csv"
    data.parent.mkdir(parents=True, exist_ok=True)
    codes = [f"{130101 + i:06d}" for i in range(n)]
    data.write_text("年份,县区代码,县区名称\n" + "".join(f"2025,{c},县{c}\n" for c in codes), encoding="utf-8")
    pdir = base / "params"
    pdir.mkdir(exist_ok=True)
    for c in codes:
        (pdir / f"{c}_2025.yaml").write_text(
            f'notebook: county_briefing\ndata: {data}\ncounty_code: "{c}"\nyear: 2025\n', encoding="utf-8")
    return pdir, REPO / "tests" / "fixtures" / "notebooks"


def run_cli(params: list[Path], out: Path, notebooks: Path | None, extra: list[str]) -> tuple[float, int, str]:
    """Wall seconds, number of ok runs, and the summary line of one ``balance batch`` command."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "balance", "batch", *map(str, params), "--out", str(out), "--force",
           "--no-progress", *extra]
    if notebooks:
        cmd += ["--notebooks", str(notebooks)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - t
    if proc.returncode not in (0, 1) or not (out / "manifest.csv").is_file():
        sys.exit(f"balance batch failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    with open(out / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        n_ok = sum(r["status"] == "ok" for r in csv.DictReader(fh))
    return wall, n_ok, proc.stdout.strip().splitlines()[0]


def fmt_duration(s: float) -> str:
    if s >= 3600:
        return f"{s / 3600:.1f} h"
    if s >= 60:
        return f"{s / 60:.1f} min"
    return f"{s:.0f} s"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("params", nargs="*", help="params YAML files or folders (e.g. params/demo); "
                                              "none: generated fixture params")
    ap.add_argument("--limit", type=int, default=12, help="at most this many runs (default 12)")
    ap.add_argument("--notebooks", type=Path, default=None, help="notebooks folder (default <repo>/notebooks)")
    ap.add_argument("--only", default="county_briefing",
                    help="only params files for this notebook (default county_briefing; 'all' for every file)")
    ap.add_argument("--out", type=Path, default=None, help="keep outputs here (default: a temporary folder)")
    ap.add_argument("--no-warm", action="store_true", help="skip the already-running-cluster measurement")
    args = ap.parse_args(argv)

    from bench_batch import select_params  # same folder: the two benchmarks pick params alike

    base = args.out or Path(tempfile.mkdtemp(prefix="bench_executors_"))
    base.mkdir(parents=True, exist_ok=True)
    notebooks = args.notebooks
    source = ", ".join(map(str, args.params))
    if not args.params:
        pdir, notebooks = fixture_project(base / "fixture", args.limit)
        args.params = [pdir]
        source = f"generated fixture params ({args.limit} county briefings, tests/fixtures/notebooks)"
    params = select_params(args.params, notebooks, args.only, args.limit)
    if not params:
        print("no params files to run")
        return 2
    n = len(params)
    print(f"{n} runs from {source}; CPU count {os.cpu_count()}; outputs in {base}\n")

    modes = [("local, 1 worker", 1, ["--executor", "local", "--workers", "1"]),
             ("local, 2 workers", 2, ["--executor", "local", "--workers", "2"]),
             ("dask LocalCluster, 2 workers", 2, ["--executor", "dask", "--workers", "2"])]
    rows = []
    for label, workers, extra in modes:
        print(f"== {label} ==", flush=True)
        wall, ok, summary = run_cli(params, base / label.split(",")[0].replace(" ", "_") / str(workers), notebooks, extra)
        print(f"   {summary}", flush=True)
        rows.append((label + " (incl. start-up)" if "dask" in label else label, workers, wall, ok))

    if not args.no_warm:
        from distributed import Client, LocalCluster

        label = "dask cluster already running, 2 workers"
        print(f"== {label} ==", flush=True)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cl, \
                Client(cl, set_as_default=False):
            warm = ["--executor", "dask", "--scheduler", cl.scheduler_address, "--workers", "2"]
            run_cli(params[:2], base / "dask_warmup", notebooks, warm)  # imports once in each worker
            wall, ok, summary = run_cli(params, base / "dask_running" / "2", notebooks, warm)
        print(f"   {summary}", flush=True)
        rows.append((label, 2, wall, ok))

    print(f"\n== briefings per minute ({n} briefings each, measured in this run) ==")
    print(f"{'executor':44} {'wall':>8} {'ok':>5} {'per min':>8} {'s/briefing/slot':>16}")
    for label, workers, wall, ok in rows:
        print(f"{label:44} {wall:7.1f}s {ok:>2}/{n:<2} {ok / wall * 60:8.1f} {wall * workers / n:16.2f}")
    if any(ok < n for *_, ok in rows):
        print("WARNING: some runs failed (see the manifests): 'per min' counts successful briefings only, and a "
              "failed run may stop early — fix the notebooks before trusting these numbers")
    local1 = rows[0][2] / n
    print(f"local 2 workers vs 1: {rows[0][2] / rows[1][2]:.2f}x throughput; "
          f"dask LocalCluster vs local 2 workers: {rows[1][2] / rows[2][2]:.2f}x")

    bases = [("from local 1 worker", local1), ("from dask 2 workers", rows[-1][2] * 2 / n)]
    print(f"\n== PROJECTION (not measured): {NATIONAL:,} county briefings on N workers ==")
    print("linear scaling from the measured seconds per briefing per worker slot; excludes cluster start-up,")
    print("the shared file system and stragglers; one worker = one core running one notebook at a time")
    print(f"{'N workers':>10} " + " ".join(f"{b[0] + f' ({b[1]:.2f} s)':>32}" for b in bases))
    for w in PROJECT_N:
        print(f"{w:>10} " + " ".join(f"{fmt_duration(NATIONAL * t / w):>32}" for _, t in bases))
    if args.out is None:
        print(f"(outputs left in {base})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
