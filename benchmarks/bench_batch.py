"""Benchmark: ``balance batch`` versus the naive loop a user would write, in the same run.

    python benchmarks/bench_batch.py params/demo [--workers N] [--limit 20] [--notebooks DIR]
                                     [--naive-sample K] [--cold]

Fewer params files than ``--limit`` (the demo has 8 county briefings) are cycled: copies named
``r01_<stem>.yaml`` … in a temporary folder, so a batch of 20 runs 20 briefings.
``--naive-sample K`` runs the naive loop for the first K runs only and scales its wall time to all
runs (it is sequential: wall = sum of the runs); the output says so. ``--cold`` also runs the
batch with a fresh kernel per run (``BALANCE_WARM_KERNEL=0``), the runner before kept kernels.

For the same params files (e.g. 20 county briefings):

* ``balance batch PARAMS --out A --force`` (one command: parallel workers, papermill and nbconvert
  in-process, one Python start per worker);
* the naive loop, one county after the other: ``papermill NB.ipynb out.ipynb -p …`` (CLI), then
  ``jupyter nbconvert --to html --no-input out.ipynb`` (CLI).

Prints both wall times, the throughput ratio, and the per-briefing time split: kernel start,
execution, export (from ``manifest.csv`` for the batch; for the naive loop from papermill's
metadata and the CLI wall times), then a summary table: ratios, median and p90 of execution +
export per briefing, and a projection for ``--project-briefings`` (2,850, the nation's county
briefings) on ``--project-cores`` (16). Then the same from CPU time (user + system of the whole
process trees: batch, workers and kernels; each naive CLI and its kernel), which does not depend
on how loaded the machine was: CPU s per briefing, the idle-machine throughput ratio and
projection. Not a test; outputs go to a temporary folder unless ``--out``.
"""
from __future__ import annotations

import argparse
import csv
import os
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


def cycle_params(params: list[Path], n: int, folder: Path) -> list[Path]:
    """``n`` params files: ``params`` as they are, or copies cycling through them (unique names)."""
    if len(params) >= n:
        return params[:n]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        src = params[i % len(params)]
        dst = folder / f"r{i + 1:02d}_{src.stem}.yaml"
        dst.write_text(_absolute(src), encoding="utf-8")
        out.append(dst)
    return out


def _absolute(src: Path) -> str:
    """The params file's text with its relative paths made absolute (as the file's own folder saw them)."""
    import yaml

    from balance.running.params import load_params

    prm = load_params(src)
    d = yaml.safe_load(src.read_text(encoding="utf-8"))
    d["data"] = str(prm.data)
    if d.get("county_sheet"):
        d["county_sheet"] = str(prm.county_sheet)
    if d.get("standard") and prm.standard_is_path():
        d["standard"] = str(prm.standard)
    return yaml.safe_dump(d, allow_unicode=True, sort_keys=False)


def _quantile(xs, q):
    xs = sorted(float(x) for x in xs if x not in ("", None))
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _subreaper() -> bool:
    """Linux: become the child subreaper of this process tree, so descendants orphaned by their
    parent's exit (the batch's fork server and the workers it forked) are re-parented here and
    their CPU time reaches :func:`_children_cpu` when :func:`_reap` waits for them."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _reap(timeout: float = 60) -> None:
    """Wait for every descendant re-parented to this process (see :func:`_subreaper`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.1)


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children and their descendants
    (the batch, its workers and their kernels; papermill / nbconvert and their kernels): what the
    work costs whatever the load of the machine. Exact on Linux (:func:`_subreaper`)."""
    import resource

    _reap()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


#: CPU seconds of the last run_batch_cli call (whole process tree)
LAST_CPU = [0.0]


def run_batch_cli(params: list[Path], out: Path, workers: int | None, notebooks: Path | None, cold: bool = False) -> float:
    import os

    cmd = [sys.executable, "-m", "balance", "batch", *map(str, params), "--out", str(out), "--force", "--no-progress"]
    if workers:
        cmd += ["--workers", str(workers)]
    if notebooks:
        cmd += ["--notebooks", str(notebooks)]
    env = {**os.environ, "BALANCE_WARM_KERNEL": "0" if cold else "1"}
    cpu0 = _children_cpu()
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env)
    wall = time.perf_counter() - t
    LAST_CPU[0] = _children_cpu() - cpu0
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
        cpu0 = _children_cpu()
        t = time.perf_counter()
        pm = subprocess.run([sys.executable, "-m", "papermill", str(nb), str(executed), *args, "-k", "python3",
                             "--no-progress-bar"], capture_output=True, text=True)
        t_pm = time.perf_counter() - t
        t = time.perf_counter()
        nc = subprocess.run([*_jupyter(), "nbconvert", "--to", "html", "--no-input", str(executed)],
                            capture_output=True, text=True)
        t_nc = time.perf_counter() - t
        row = {"run": p.stem, "papermill_cli": t_pm, "nbconvert_cli": t_nc, "ok": pm.returncode == 0 and nc.returncode == 0,
               "cpu": _children_cpu() - cpu0}
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
    ap.add_argument("--naive-sample", type=int, default=None,
                    help="run the naive loop for the first K runs only and scale its wall time to all runs")
    ap.add_argument("--cold", action="store_true", help="also run the batch with a fresh kernel per run")
    ap.add_argument("--project-briefings", type=int, default=2850, help="projection: county briefings (default 2,850)")
    ap.add_argument("--project-cores", type=int, default=16, help="projection: cores (default 16)")
    args = ap.parse_args(argv)

    reaper = _subreaper()
    params = select_params(args.params, args.notebooks, args.only, 10 ** 6)
    if not params:
        print("no params files to run")
        return 2
    workers = args.workers or os.cpu_count()
    base = args.out or Path(tempfile.mkdtemp(prefix="bench_batch_"))
    for sub in ("batch", "naive", "cold", "params"):
        shutil.rmtree(base / sub, ignore_errors=True)
    params = cycle_params(params, args.limit, base / "params")
    print(f"{len(params)} runs, {workers} workers, CPU count {os.cpu_count()}, outputs in {base}; CPU time of "
          f"{'whole process trees' if reaper else 'direct children only (no subreaper here)'}")

    def manifest_rows(folder):
        with open(folder / "manifest.csv", encoding="utf-8-sig", newline="") as fh:
            return [r for r in csv.DictReader(fh) if r["run"] in {p.stem for p in params}]

    print(f"\n== balance batch (kept kernels) ==  load average {_load()}")
    t_batch = run_batch_cli(params, base / "batch", args.workers, args.notebooks)
    cpu_batch = LAST_CPU[0]
    man = manifest_rows(base / "batch")
    n_ok = sum(r["status"] == "ok" for r in man)
    if args.cold:
        print(f"\n== balance batch (fresh kernel per run) ==  load average {_load()}")
        t_cold = run_batch_cli(params, base / "cold", args.workers, args.notebooks, cold=True)
        man_cold = manifest_rows(base / "cold")

    n = len(params)
    if not args.skip_naive:
        k = min(args.naive_sample or n, n)
        print(f"\n== naive loop (papermill CLI, then jupyter nbconvert CLI, per run; {k} of {n} runs) ==  "
              f"load average {_load()}")
        t_naive, naive = run_naive(params[:k], base / "naive", args.notebooks)
        if k < n:
            print(f"  naive wall time scaled from {k} to {n} runs: {t_naive:.1f} s x {n / k:.2f}")
            t_naive *= n / k

    def per_briefing(rows):
        both = [float(r["execution"]) + float(r["export"]) for r in rows
                if r["status"] == "ok" and r["execution"] not in ("", None) and r["export"] not in ("", None)]
        return statistics.median(both) if both else float("nan"), _quantile(both, 0.9)

    print(f"\n== results ==  load average {_load()}")
    print(f"balance batch: {t_batch:7.1f} s wall  {t_batch / n:5.2f} s/briefing  ({n_ok}/{n} ok)")
    print("  per briefing inside a worker (mean): "
          f"kernel start/reset {_mean(r['kernel_start'] for r in man):.2f} s, "
          f"execution {_mean(r['execution'] for r in man):.2f} s, "
          f"export {_mean(r['export'] for r in man):.2f} s, "
          f"whole run {_mean(r['seconds'] for r in man):.2f} s")
    med, p90 = per_briefing(man)
    print(f"  execution + export per briefing: median {med:.2f} s, p90 {p90:.2f} s")
    if args.cold:
        med_c, p90_c = per_briefing(man_cold)
        print(f"fresh kernels: {t_cold:7.1f} s wall  {t_cold / n:5.2f} s/briefing; kernel start "
              f"{_mean(r['kernel_start'] for r in man_cold):.2f} s, execution "
              f"{_mean(r['execution'] for r in man_cold):.2f} s, export {_mean(r['export'] for r in man_cold):.2f} s; "
              f"execution + export median {med_c:.2f} s, p90 {p90_c:.2f} s")
        print(f"kept / fresh kernels throughput ratio: {t_cold / t_batch:.2f}x")
    if not args.skip_naive:
        print(f"naive loop:    {t_naive:7.1f} s wall  {t_naive / n:5.2f} s/briefing  "
              f"({sum(r['ok'] for r in naive)}/{len(naive)} ok)")
        print("  per briefing (mean): "
              f"papermill CLI {_mean(r['papermill_cli'] for r in naive):.2f} s "
              f"(kernel start {_mean(r['kernel_start'] for r in naive):.2f} s, "
              f"execution {_mean(r['execution'] for r in naive):.2f} s, rest = Python start-up and imports), "
              f"nbconvert CLI (export) {_mean(r['nbconvert_cli'] for r in naive):.2f} s")
        print(f"throughput ratio (naive / batch): {t_naive / t_batch:.1f}x")
    print_table(n, workers, t_batch, man, t_naive if not args.skip_naive else None,
                t_cold if args.cold else None, args.project_briefings, args.project_cores)
    print_cpu(n, workers, cpu_batch, naive if not args.skip_naive else None, args.project_briefings, args.project_cores)
    if args.out is None:
        print(f"(outputs left in {base})")
    return 0


def projection(rows: list[dict], briefings: int, cores: int) -> tuple[float, float]:
    """Hours for ``briefings`` county briefings on ``cores`` workers, from this batch's manifest.

    A warm worker runs its briefings one after the other, so the batch takes about
    ``ceil(briefings / cores) × mean whole-run seconds`` (kernel reset + execution + export, from
    ``manifest.csv``) plus one kernel start per worker. The runs here shared their workers
    on this machine's cores: their times include that contention, so on an idle 16-core machine
    the projection is an upper bound. Returns (hours, mean seconds per run)."""
    import math

    per = _mean(r["seconds"] for r in rows if r["status"] == "ok")
    start = max((float(r["kernel_start"]) for r in rows if r["kernel_start"] not in ("", None)), default=0.0)
    return (math.ceil(briefings / cores) * per + start) / 3600, per


def print_table(n, workers, t_batch, man, t_naive, t_cold, briefings, cores) -> None:
    """The closing table: batch vs baselines, time split, per-briefing median / p90, projection."""
    ok = [r for r in man if r["status"] == "ok"]
    both = [float(r["execution"]) + float(r["export"]) for r in ok if r["execution"] not in ("", None)]
    print(f"\n== summary ({n} county briefings, {workers} workers, {os.cpu_count()} CPUs, load {_load()}) ==")
    print(f"{'':<40} {'wall s':>8} {'s/briefing':>11} {'ratio':>8}")
    print(f"{'balance batch (kept kernels)':<40} {t_batch:>8.1f} {t_batch / n:>11.2f} {'1.00x':>8}")
    if t_cold is not None:
        print(f"{'balance batch (fresh kernels)':<40} {t_cold:>8.1f} {t_cold / n:>11.2f} {t_cold / t_batch:>7.2f}x")
    if t_naive is not None:
        print(f"{'naive loop (papermill + nbconvert CLI)':<40} {t_naive:>8.1f} {t_naive / n:>11.2f} "
              f"{t_naive / t_batch:>7.2f}x   (target ≥ 5x)")
    print("time split per briefing in a worker (mean s): "
          f"kernel start/reset {_mean(r['kernel_start'] for r in ok):.2f} · execution {_mean(r['execution'] for r in ok):.2f} "
          f"· export {_mean(r['export'] for r in ok):.2f}")
    med = statistics.median(both) if both else float("nan")
    print(f"execution + export per briefing: median {med:.2f} s (target ≤ 2.5 s), p90 {_quantile(both, 0.9):.2f} s")
    hours, per = projection(ok, briefings, cores)
    print(f"projection: {briefings:,} county briefings on {cores} cores ≈ {hours:.1f} h "
          f"(⌈{briefings}/{cores}⌉ × {per:.2f} s per run measured here with {workers} workers sharing "
          f"{os.cpu_count()} CPUs; an upper bound when this machine was loaded)")


def print_cpu(n: int, workers: int, cpu_batch: float, naive: list[dict] | None, briefings: int, cores: int) -> None:
    """The load-independent view: CPU seconds per briefing of the whole process trees (batch:
    parent, workers, kernels; naive: papermill and nbconvert CLIs and their kernels). On a machine
    with nothing else running, ``workers`` busy cores give wall ≈ CPU / workers; the ratio of CPU
    per briefing is the throughput ratio such a machine would see."""
    per_b = cpu_batch / n
    print("\n== CPU (whole process trees, independent of the machine's load) ==")
    print(f"balance batch: {cpu_batch:.1f} CPU s = {per_b:.2f} CPU s/briefing; on {workers} idle cores ≈ "
          f"{cpu_batch / workers:.1f} s wall")
    if naive:
        per_n = _mean(r["cpu"] for r in naive)
        print(f"naive loop:    {per_n:.2f} CPU s/briefing (sequential: ≈ {per_n:.2f} s wall per briefing when idle); "
              f"CPU ratio naive / batch {per_n / per_b:.1f}x; idle-machine throughput ratio "
              f"≈ {per_n * workers / per_b:.1f}x with {workers} workers")
    import math

    print(f"projection from CPU: {briefings:,} county briefings on {cores} idle cores ≈ "
          f"{math.ceil(briefings / cores) * per_b / 3600:.2f} h")


if __name__ == "__main__":
    sys.exit(main())
