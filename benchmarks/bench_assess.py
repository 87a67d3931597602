"""Benchmark: quality-2017 and basic-2012 assessment of the synthetic national panel.

    python benchmarks/bench_assess.py [--store DIR] [--fractions 0.1 0.25 0.5 1] [--loop-counties 20]
                                      [--profile] [--write]

Not a test: it prints numbers measured in this run, on this machine.

* The national panel (≈ 2,850 counties × 5 years, ≈ 1,000,000 section-years) is generated into
  ``--store`` first when that folder holds no store (``balance demo-data --scale national``).
* For each fraction of the counties (the same counties in every run, a fixed shuffle), a fresh
  Python process reads them from the store and assesses them with quality-2017 and then
  basic-2012 (``assess_schools`` on all counties and years at once). Reported: read time, the time
  of each standard, their sum, peak RSS (the process's high-water mark, ``ru_maxrss``), and the
  time and RSS relative to the 100 % run next to the fraction (linear growth: ratio ≈ fraction).
* The straightforward loop — ``assess_schools`` called once per county-year, as a user of the
  library might write it — is timed on ``--loop-counties`` counties (all their years, both
  standards, in its own process) and **extrapolated** to the whole panel by the number of
  county-years; the speed-up printed is that extrapolation ÷ the measured vectorised time.
* ``--profile`` prints the top of a cProfile of both assessments on the whole panel.
* Writing: at 100 % the quality-2017 result files are written as ``balance assess`` writes them
  (``write_results``: the six tables, summary.json, no workbook since a national panel exceeds
  Excel's rows) once as Parquet (what ``--format auto`` picks for a national panel) and once as
  CSV (``--format csv``); ``--no-write`` skips this (``--write`` is accepted, the old switch).
* The closing table: read, floor, assess, write, with the ratios assess / floor (target ≤ 3) and
  write / assess (target ≤ 1: writing one standard's results within the time of assessing it),
  in wall-clock and in CPU seconds (CPU is robust when the machine is shared; it counts every
  thread, so it is above wall-clock when the writer's second thread runs in parallel).
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
STANDARDS = ("quality-2017", "basic-2012")


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _county_order(store: str) -> list[str]:
    import pyarrow.parquet as pq

    from balance.io.store import PART_FILE, store_years

    y = store_years(store)[-1]
    codes = sorted(set(pq.read_table(Path(store) / f"year={y}" / PART_FILE, columns=["county_code"])
                       .column("county_code").to_pylist()))
    import random

    random.Random(2026).shuffle(codes)
    return codes


def child_vectorised(store: str, fraction: float, profile: bool, write: bool) -> dict:
    from balance.method.assessment import assess_schools
    from balance.method.standards import load_standard
    from balance.io.store import load_parquet_table

    codes = _county_order(store)
    take = codes[: max(1, round(len(codes) * fraction))]
    stds = {s: load_standard(s) for s in STANDARDS}
    t0, c0 = time.perf_counter(), time.process_time()
    table = load_parquet_table(store, counties=None if fraction >= 1 else take)
    read_s = time.perf_counter() - t0
    schools = table.data
    res = {"fraction": fraction, "counties": len(take), "school_rows": len(schools), "read_s": read_s,
           "read_cpu_s": time.process_time() - c0}
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    # the floor: the one vectorised chain that yields the 14 pupil-weighted CVs (sections split with
    # their shared facilities, indicator values, weighted mean and CV per county-year-stage with
    # np.bincount) — no school rule, shortfalls, verdicts or text tables
    from balance.method.indicators import indicator_values
    from balance.method.official import group_cv
    from balance.method.sections import build_sections

    for sid, std in stds.items():
        t0, c0 = time.perf_counter(), time.process_time()
        sec = build_sections(schools, std)
        group_cv(sec, indicator_values(sec, std))
        res[f"{sid}_floor_s"] = time.perf_counter() - t0
        res[f"{sid}_floor_cpu_s"] = time.process_time() - c0
    kept = []
    for sid, std in stds.items():
        t0, c0 = time.perf_counter(), time.process_time()
        a = assess_schools(schools, std)
        res[f"{sid}_s"] = time.perf_counter() - t0
        res[f"{sid}_cpu_s"] = time.process_time() - c0
        res["sections"] = len(a.sections)
        res["county_years"] = len(a.verdicts)
        res[f"{sid}_passing"] = int(a.verdicts["passed"].sum())
        kept.append(a)  # both results are held, as a script comparing the two standards would
    if prof is not None:
        import io
        import pstats

        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
        res["profile"] = buf.getvalue()
    if write:
        from balance.io.export.assessment import write_results

        for fmt in ("parquet", "csv"):
            with tempfile.TemporaryDirectory() as d:
                t0, c0, m0 = time.perf_counter(), time.process_time(), time.thread_time()
                paths = write_results(kept[0], d, format=fmt)
                res[f"write_{fmt}_s"] = time.perf_counter() - t0
                res[f"write_{fmt}_cpu_s"] = time.process_time() - c0
                res[f"write_{fmt}_main_cpu_s"] = time.thread_time() - m0  # this thread: summary.json
                res[f"write_{fmt}_mb"] = sum(Path(p).stat().st_size for p in paths) / 1e6
    res["peak_rss_mb"] = _peak_mb()
    return res


def child_loop(store: str, n_counties: int) -> dict:
    """The straightforward per-county-year loop, on a sample of counties."""
    from balance.method.assessment import assess_schools
    from balance.method.standards import load_standard
    from balance.io.store import load_parquet_table

    codes = _county_order(store)[:n_counties]
    schools = load_parquet_table(store, counties=codes).data
    stds = {s: load_standard(s) for s in STANDARDS}
    t0 = time.perf_counter()
    n = 0
    for (_year, _code), one in schools.groupby(["year", "county_code"], sort=True):
        for std in stds.values():
            assess_schools(one.reset_index(drop=True), std)
        n += 1
    return {"loop_s": time.perf_counter() - t0, "loop_county_years": n, "loop_counties": len(codes)}


def _print_closing_table(full: dict) -> None:
    """read, floor, assess, write (wall and CPU seconds) and the ratios assess / floor, write / assess."""
    rows = [("read", "read the store", full["read_s"], full["read_cpu_s"])]
    floor = (full["read_s"] + full["quality-2017_floor_s"] + full["basic-2012_floor_s"],
             full["read_cpu_s"] + full["quality-2017_floor_cpu_s"] + full["basic-2012_floor_cpu_s"])
    assess = (full["read_s"] + full["quality-2017_s"] + full["basic-2012_s"],
              full["read_cpu_s"] + full["quality-2017_cpu_s"] + full["basic-2012_cpu_s"])
    rows += [("floor", "read + the 14 CVs, both standards", *floor),
             ("assess", "read + both standards", *assess),
             ("assess q", "quality-2017 alone", full["quality-2017_s"], full["quality-2017_cpu_s"])]
    for fmt in ("parquet", "csv"):
        rows.append((f"write {fmt}", f"quality-2017 results, {full[f'write_{fmt}_mb']:,.0f} MB",
                     full[f"write_{fmt}_s"], full[f"write_{fmt}_cpu_s"]))
        main = full[f"write_{fmt}_main_cpu_s"]
        rows.append(("  of which", "summary.json (calling thread)", float("nan"), main))
        rows.append(("  of which", "tables (writer threads)", float("nan"), full[f"write_{fmt}_cpu_s"] - main))
    print(f"\nnational panel at 100 % ({full['sections']:,} section-years):")
    print(f"{'step':<14} {'what':<36} {'wall s':>7} {'CPU s':>7}")
    for step, what, wall, cpu in rows:
        print(f"{step:<14} {what:<36} {'' if wall != wall else f'{wall:.2f}':>7} {cpu:>7.2f}")
    print(f"assess / floor: {assess[0] / floor[0]:.2f}x wall, {assess[1] / floor[1]:.2f}x CPU (target <= 3x)")
    q, qc = full["quality-2017_s"], full["quality-2017_cpu_s"]
    for fmt in ("parquet", "csv"):
        w, wc = full[f"write_{fmt}_s"], full[f"write_{fmt}_cpu_s"]
        print(f"write {fmt} / assess quality-2017: {w / q:.2f}x wall, {wc / qc:.2f}x CPU (target <= 1x; "
              f"against read + both standards {w / assess[0]:.2f}x wall)")


def _run_child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"benchmark child failed: {args}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", default=str(REPO / "data" / "national"), help="national Parquet store (generated if missing)")
    ap.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.25, 0.5, 1.0])
    ap.add_argument("--loop-counties", type=int, default=20)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--write", action="store_true", help="(the default; kept for old command lines)")
    ap.add_argument("--no-write", action="store_true", help="do not time writing the result files")
    ap.add_argument("--child", choices=("vectorised", "loop"), help=argparse.SUPPRESS)
    ap.add_argument("--fraction", type=float, default=1.0, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child == "vectorised":
        print(json.dumps(child_vectorised(args.store, args.fraction, args.profile, args.write)))
        return
    if args.child == "loop":
        print(json.dumps(child_loop(args.store, args.loop_counties)))
        return

    from balance.io.store import is_store

    if not is_store(args.store):
        from balance.synthetic.national import write_national

        r = write_national(args.store, years=5)
        print(f"generated the national panel into {args.store}: {sum(r['rows'].values()):,} school rows, "
              f"years {r['years']}, {r['seconds']:.1f} s")
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; "
          f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    runs = []
    for f in sorted(args.fractions):
        extra = ["--profile"] if (args.profile and f >= 1) else []
        extra += ["--write"] if (not args.no_write and f >= 1) else []
        runs.append(_run_child(["--child", "vectorised", "--store", args.store, "--fraction", str(f), *extra]))
    full = runs[-1]
    print("\nvectorised assessment (all counties and years at once, each run in a fresh process):")
    print(f"{'share':>6} {'counties':>8} {'sections':>10} {'read s':>7} {'quality s':>9} {'basic s':>8} "
          f"{'both s':>7} {'peak MB':>8} {'time/100%':>9} {'RSS/100%':>8}")
    for r in runs:
        both = r["quality-2017_s"] + r["basic-2012_s"]
        full_both = full["quality-2017_s"] + full["basic-2012_s"]
        print(f"{r['fraction']:>6.0%} {r['counties']:>8} {r['sections']:>10,} {r['read_s']:>7.2f} "
              f"{r['quality-2017_s']:>9.2f} {r['basic-2012_s']:>8.2f} {both:>7.2f} {r['peak_rss_mb']:>8.0f} "
              f"{both / full_both:>9.2f} {r['peak_rss_mb'] / full['peak_rss_mb']:>8.2f}")
    both = full["quality-2017_s"] + full["basic-2012_s"]
    print(f"\n100 %: {full['county_years']:,} county-years, {full['sections']:,} section-years; read + quality-2017 + "
          f"basic-2012 = {full['read_s'] + both:.2f} s (assessments alone {both:.2f} s; CPU "
          f"{full['quality-2017_cpu_s'] + full['basic-2012_cpu_s']:.2f} s); peak RSS {full['peak_rss_mb']:.0f} MB")
    floor = full["read_s"] + full["quality-2017_floor_s"] + full["basic-2012_floor_s"]
    print(f"floor (store read {full['read_s']:.2f} s + one vectorised pass to the 14 CVs: quality-2017 "
          f"{full['quality-2017_floor_s']:.2f} s, basic-2012 {full['basic-2012_floor_s']:.2f} s) = {floor:.2f} s; "
          f"assessment (read + both standards) / floor = {(full['read_s'] + both) / floor:.2f}x (target <= 3x)")
    cpu = {k: full[f"{k}_cpu_s"] for k in ("read", "quality-2017", "basic-2012", "quality-2017_floor", "basic-2012_floor")}
    floor_cpu = cpu["read"] + cpu["quality-2017_floor"] + cpu["basic-2012_floor"]
    assess_cpu = cpu["read"] + cpu["quality-2017"] + cpu["basic-2012"]
    print(f"the same in CPU seconds (robust when the machine is shared): floor {floor_cpu:.2f} s, assessment "
          f"{assess_cpu:.2f} s → {assess_cpu / floor_cpu:.2f}x (target <= 3x)")
    print(f"targets: < 10 s → {'met' if both < 10 else 'NOT met'}; < 4 GB → "
          f"{'met' if full['peak_rss_mb'] < 4096 else 'NOT met'}")
    if "write_parquet_s" in full:
        _print_closing_table(full)
    if args.loop_counties > 0:
        loop = _run_child(["--child", "loop", "--store", args.store, "--loop-counties", str(args.loop_counties)])
        per = loop["loop_s"] / loop["loop_county_years"]
        projected = per * full["county_years"]
        print(f"\nper-county loop (assess_schools once per county-year, both standards): "
              f"{loop['loop_county_years']} county-years of {loop['loop_counties']} counties in {loop['loop_s']:.1f} s "
              f"= {per * 1000:.0f} ms per county-year")
        print(f"extrapolated to {full['county_years']:,} county-years: {projected:,.0f} s "
              f"({projected / 60:.1f} min) — an extrapolation from the sample, not a full run")
        print(f"speed-up of the vectorised assessment over the loop: {projected / both:,.0f}×")
    if "profile" in full:
        print("\ncProfile of both assessments at 100 % (cumulative):")
        print(full["profile"])


if __name__ == "__main__":
    main()
