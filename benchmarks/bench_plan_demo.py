"""Benchmark: plan all 40 demo county-years, against one assess of the same data (issue 13).

    nice python benchmarks/bench_plan_demo.py [--demo data/demo/schools.csv] [--repeat 3]

Prints the total seconds of planning every county-year of the demo prefecture (the optimiser, one
call) and of one ``assess`` of the same table, and their ratio, both measured in this run (the
best of ``--repeat`` runs each, so machine load affects both alike). The target of issue 13 is
< 10 s on a quiet 2-core machine. Not a test: no assertions on times.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo", default=str(REPO / "data" / "demo" / "schools.csv"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from balance.analysis.planner import plan
    from balance.io.reading import load_school_table
    from balance.method.assessment import assess

    table = load_school_table(args.demo)
    t_a, t_p = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        a = assess(table)
        t_a.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        p = plan(table)
        t_p.append(time.perf_counter() - t0)
    n = len(p.counties)
    print(f"demo prefecture: {n} county-years ({len(a.verdicts)} assessed), "
          f"{sum(c['after']['passed'] for c in p.counties)} passing after the plan")
    print(f"  plan all: {min(t_p):.2f} s (best of {args.repeat}; runs {', '.join(f'{t:.2f}' for t in t_p)})")
    print(f"  one assess: {min(t_a):.3f} s; ratio plan ÷ assess {min(t_p) / min(t_a):.1f}")
    print(f"  total {p.total_cost / 1e4:,.1f} 万元, bound {p.lower_bound / 1e4:,.1f} 万元, gap {p.gap:.3%}")


if __name__ == "__main__":
    main()
