"""Benchmark: ``balance batch`` versus the naive loop a user would write, in the same run.

    python benchmarks/bench_batch.py params/demo [--workers N] [--limit 20] [--notebooks DIR]

For the same params files (e.g. 20 county briefings):

* ``balance batch PARAMS --out A --force`` (one command: parallel workers, papermill and nbconvert
  in-process, one Python start per worker);
* the naive loop, one county after the other: ``papermill NB.ipynb out.ipynb -p …`` (CLI), then
  ``jupyter nbconvert --to html --no-input out.ipynb`` (CLI).

Prints both wall times, the throughput ratio, and the per-briefing time split: kernel start,
execution, export (from ``manifest.csv`` for the batch; for the naive loop from papermill's
metadata and the CLI wall times). Not a test; outputs go to a temporary folder unless ``--out``.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _mean(xs):
    xs = [float(x) for x in xs if x not in ("", None)]
    return statistics.mean(xs) if xs else float("nan")


def _jupyter() -> list[str]:
    exe = Path(sys.executable).with_name("jupyter")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter"]


def select_params(paths, notebooks: Path | None, only: str, limit: int) -> list[Path]:
    """Params files under ``paths`` that load and are for notebook ``only`` ("all": any), at most ``limit``."""
    from balance.running.params import load_params
    from balance.running import expand_params

    params = []
    for p in expand_params(paths):
        try:
            prm = load_params(p, notebooks)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports and skips unusable files
            print(f"skip {p}: {exc}")
            continue
        if only == "all" or prm.notebook == only:
            params.append(p)
    return params[:limit]


def run_batch_cli(params: list[Path], out: Path, workers: int | None, notebooks: Path | None) -> float:
    cmd = [sys.executable, "-m", "balance", "batch", *map(str, params), "--out", str(out), "--force", "--no-progress"]
    if workers:
        cmd += ["--workers", str(workers)]
    if notebooks:
        cmd += ["--notebooks", str(notebooks)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        sys.exit(f"balance batch failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    print(proc.stdout.strip())
    return wall


def run_naive(params: list[Path], out: Path, notebooks: Path | None) -> tuple[float, list[dict]]:
    from balance.running.params import load_params, notebook_path

    out.mkdir(parents=True, exist_ok=True)
    rows = []
    t_all = time.perf_counter()
    for p in params:
        prm = load_params(p, notebooks)
        nb = notebook_path(prm, notebooks)
        run_dir = out / p.stem
        run_dir.mkdir(exist_ok=True)
        executed = out / f"{p.stem}.ipynb"
        args = ["-r", "data", str(prm.data), "-r", "output_dir", str(run_dir)]
        if prm.county_code:
            args += ["-r", "county_code", prm.county_code]
        if prm.year is not None:
            args += ["-p", "year", str(prm.year)]
        if "standard" in prm.given_keys():
            args += ["-r", "standard", prm.standard]
        if prm.title:
            args += ["-r", "title", prm.title]
        t = time.perf_counter()
        pm = subprocess.run([sys.executable, "-m", "papermill", str(nb), str(executed), *args, "-k", "python3",
                             "--no-progress-bar"], capture_output=True, text=True)
        t_pm = time.perf_counter() - t
        t = time.perf_counter()
        nc = subprocess.run([*_jupyter(), "nbconvert", "--to", "html", "--no-input", str(executed)],
                            capture_output=True, text=True)
        t_nc = time.perf_counter() - t
        row = {"run": p.stem, "papermill_cli": t_pm, "nbconvert_cli": t_nc, "ok": pm.returncode == 0 and nc.returncode == 0}
        try:
            import nbformat
            from dateutil.parser import isoparse

            ran = nbformat.read(executed, as_version=4)
            t0 = isoparse(ran.metadata["papermill"]["start_time"])
            starts = [isoparse(c.metadata["papermill"]["start_time"]) for c in ran.cells
                      if c.metadata.get("papermill", {}).get("start_time")]
            ends = [isoparse(c.metadata["papermill"]["end_time"]) for c in ran.cells
                    if c.metadata.get("papermill", {}).get("end_time")]
            row["kernel_start"] = (min(starts) - t0).total_seconds()
            row["execution"] = (max(ends) - min(starts)).total_seconds()
        except Exception:
            row["kernel_start"] = row["execution"] = ""
        rows.append(row)
        print(f"  naive {p.stem}: papermill {t_pm:.1f} s + nbconvert {t_nc:.1f} s{'' if row['ok'] else '  (FAILED)'}",
              flush=True)
    return time.perf_counter() - t_all, rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("params", nargs="+", help="params YAML files or folders (e.g. params/demo)")
    ap.add_argument("--workers", type=int, default=None, help="balance batch workers (default: CPU count)")
    ap.add_argument("--limit", type=int, default=20, help="at most this many runs (default 20)")
    ap.add_argument("--notebooks", type=Path, default=None, help="notebooks folder (default <repo>/notebooks)")
    ap.add_argument("--only", default="county_briefing",
                    help="only params files for this notebook (default county_briefing; 'all' for every file)")
    ap.add_argument("--out", type=Path, default=None, help="keep outputs here (default: a temporary folder)")
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args(argv)


    params = select_params(args.params, args.notebooks, args.only, args.limit)
    if not params:
        print("no params files to run")
        return 2
    import os

    workers = args.workers or os.cpu_count()
    base = args.out or Path(tempfile.mkdtemp(prefix="bench_batch_"))
    for sub in ("batch", "naive"):
        shutil.rmtree(base / sub, ignore_errors=True)
    print(f"{len(params)} runs, {workers} workers, CPU count {os.cpu_count()}, outputs in {base}")

    print("\n== balance batch ==")
    t_batch = run_batch_cli(params, base / "batch", args.workers, args.notebooks)
    with open(base / "batch" / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
        man = [r for r in csv.DictReader(fh) if r["run"] in {p.stem for p in params}]
    n_ok = sum(r["status"] == "ok" for r in man)

    if not args.skip_naive:
        print("\n== naive loop (papermill CLI, then jupyter nbconvert CLI, per run) ==")
        t_naive, naive = run_naive(params, base / "naive", args.notebooks)

    n = len(params)
    print("\n== results ==")
    print(f"balance batch: {t_batch:7.1f} s wall  {t_batch / n:5.2f} s/briefing  ({n_ok}/{n} ok)")
    print("  per briefing inside a worker (mean): "
          f"kernel start {_mean(r['kernel_start'] for r in man):.2f} s, "
          f"execution {_mean(r['execution'] for r in man):.2f} s, "
          f"export {_mean(r['export'] for r in man):.2f} s, "
          f"whole run {_mean(r['seconds'] for r in man):.2f} s")
    if not args.skip_naive:
        print(f"naive loop:    {t_naive:7.1f} s wall  {t_naive / n:5.2f} s/briefing  "
              f"({sum(r['ok'] for r in naive)}/{n} ok)")
        print("  per briefing (mean): "
              f"papermill CLI {_mean(r['papermill_cli'] for r in naive):.2f} s "
              f"(kernel start {_mean(r['kernel_start'] for r in naive):.2f} s, "
              f"execution {_mean(r['execution'] for r in naive):.2f} s, rest = Python start-up and imports), "
              f"nbconvert CLI (export) {_mean(r['nbconvert_cli'] for r in naive):.2f} s")
        print(f"throughput ratio (naive / batch): {t_naive / t_batch:.1f}x")
    if args.out is None:
        print(f"(outputs left in {base})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
