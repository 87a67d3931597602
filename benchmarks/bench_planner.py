"""Benchmark: the planner on the demo data, with and without transfers.

    python benchmarks/bench_planner.py [data/demo/schools.csv] [--year 2025] [--repeat 3]

Prints reading time, then per run: planner wall time, county-years, plans that pass, total cost
and the cost split (teachers / buildings / grounds / equipment / rooms). Not a test.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("input", nargs="?", default=str(REPO / "data" / "demo" / "schools.csv"))
    ap.add_argument("--year", type=int)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from balance.analysis.planner import plan
    from balance.io.reading import load_school_table

    t0 = time.perf_counter()
    table = load_school_table(args.input)
    print(f"read {args.input}: {len(table.data)} rows in {time.perf_counter() - t0:.2f} s")
    for transfers in (False, True):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            p = plan(table, transfers=transfers, year=args.year)
            times.append(time.perf_counter() - t0)
        n = len(p.counties)
        ok = sum(c["after"]["passed"] for c in p.counties)
        split = p.items.groupby("field")["cost"].sum().sort_values(ascending=False) if len(p.items) else {}
        print(f"transfers={transfers}: median {statistics.median(times):.2f} s (min {min(times):.2f}) for {n} "
              f"county-years; passing after plan {ok}/{n}; total {p.total_cost / 1e4:,.1f} 万元")
        for f, c in (split.items() if len(split) else []):
            if c:
                print(f"    {f:<22} {c / 1e4:>12,.1f} 万元")


if __name__ == "__main__":
    main()
