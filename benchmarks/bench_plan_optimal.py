"""Benchmark: the optimal planner against its lower bound and against the water-filling heuristic.

    python benchmarks/bench_plan_optimal.py [--random 60] [--seed 1] [--demo data/demo/schools.csv]

Prints, in one run (so machine load affects both alike):

* random counties with combined schools (完全中学, 九年一贯制, 十二年一贯制): cost ÷ lower bound
  (median, 95th percentile, max), the gap split (optimisation vs whole-unit rounding), cost ÷ the
  heuristic's cost, and solve times;
* the demo prefecture (all county-years): wall time of both planners and their ratio, totals, bound;
* the 完全中学 example: a county of 完全中学 only, heuristic vs optimal vs bound (万元).
Not a test: no assertions on times.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _county(rng, n, kinds, code="990101"):
    from tests.analysis.planner.test_optimal import _combined
    from tests.factories import primary, table

    rows = []
    f = lambda: float(rng.uniform(0.5, 2.5))  # noqa: E731
    for i in range(n):
        kind = kinds[i] if i < len(kinds) else rng.choice(["小学", "初级中学", "完全中学", "九年一贯制学校", "十二年一贯制学校"])
        c = str(i + 1)
        if kind == "小学":
            p = int(rng.integers(60, 900))
            rows.append(primary(c, p, teachers=p // 5, qualified=int(4.2 * p / 100 * f()), backbone=int(p / 100 * f()),
                                pe_art=int(0.9 * p / 100 * f()), teaching_area=4.5 * p * f(), ground=7.5 * p * f(),
                                equipment=2000.0 * p * f(), rooms=int(2.3 * p / 100 * f())))
        elif kind == "初级中学":
            rows.append(_combined(c, kind, 0, int(rng.integers(60, 900)), 0, f))
        elif kind == "完全中学":
            rows.append(_combined(c, kind, 0, int(rng.integers(100, 900)), int(rng.integers(100, 1500)), f))
        elif kind == "九年一贯制学校":
            rows.append(_combined(c, kind, int(rng.integers(100, 800)), int(rng.integers(60, 500)), 0, f))
        else:
            rows.append(_combined(c, kind, int(rng.integers(100, 800)), int(rng.integers(60, 500)),
                                  int(rng.integers(50, 600)), f))
    t = table(*rows)
    t["county_code"] = code
    return t


def _q(v, q):
    return float(np.quantile(v, q)) if len(v) else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--random", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--demo", default=str(REPO / "data" / "demo" / "schools.csv"))
    args = ap.parse_args()

    from balance.analysis.planner import plan, plan_schools
    from balance.io.reading import load_school_table
    from balance.method.standards import load_standard

    Q = load_standard("quality-2017")
    rng = np.random.default_rng(args.seed)
    ratio, vs_h, g_opt, g_rnd, t_opt, t_h = [], [], [], [], [], []
    for _ in range(args.random):
        t = _county(rng, int(rng.integers(4, 13)), [rng.choice(["完全中学", "九年一贯制学校", "十二年一贯制学校"])])
        t0 = time.perf_counter()
        p = plan_schools(t, Q)
        t_opt.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        h = plan_schools(t, Q, method="waterfill")
        t_h.append(time.perf_counter() - t0)
        assert p.feasible and h.feasible
        c = p.counties[0]
        if c["total_cost"] > 0:
            ratio.append(c["total_cost"] / c["lower_bound"])
            g_opt.append(c["gap_optimisation"])
            g_rnd.append(c["gap_rounding"])
            vs_h.append(c["total_cost"] / h.total_cost)
    print(f"random counties with combined schools: {args.random} (planned {len(ratio)})")
    print(f"  cost ÷ lower bound: median {statistics.median(ratio):.5f}, p95 {_q(ratio, .95):.5f}, max {max(ratio):.5f}")
    print(f"  gap split: optimisation max {max(g_opt):.2e}, rounding median {statistics.median(g_rnd):.2e} max {max(g_rnd):.2e}")
    print(f"  cost ÷ water-filling: median {statistics.median(vs_h):.4f}, min {min(vs_h):.4f}, max {max(vs_h):.4f}")
    print(f"  time per county: optimal median {statistics.median(t_opt):.3f} s (max {max(t_opt):.2f}), "
          f"water-filling median {statistics.median(t_h):.3f} s; ratio of totals {sum(t_opt) / sum(t_h):.2f}")

    table = load_school_table(args.demo)
    t0 = time.perf_counter()
    p = plan(table)
    t_p = time.perf_counter() - t0
    t0 = time.perf_counter()
    h = plan(table, method="waterfill")
    t_hh = time.perf_counter() - t0
    r = [c["total_cost"] / c["lower_bound"] for c in p.counties if c["total_cost"] > 0]
    print(f"demo prefecture: {len(p.counties)} county-years, passing after plan {sum(c['after']['passed'] for c in p.counties)}")
    print(f"  optimal {t_p:.2f} s, water-filling {t_hh:.2f} s (ratio {t_p / t_hh:.2f})")
    print(f"  total {p.total_cost / 1e4:,.1f} 万元 (water-filling {h.total_cost / 1e4:,.1f}), bound {p.lower_bound / 1e4:,.1f}; "
          f"cost ÷ bound median {statistics.median(r):.5f}, max {max(r):.5f}")

    ex = _county(np.random.default_rng(13), 8, ["完全中学"] * 8)
    p, h = plan_schools(ex, Q), plan_schools(ex, Q, method="waterfill")
    print(f"完全中学 county (8 schools, seed 13): water-filling {h.total_cost / 1e4:,.1f} 万元 → optimal "
          f"{p.total_cost / 1e4:,.1f} 万元 (bound {p.lower_bound / 1e4:,.1f})")


if __name__ == "__main__":
    main()
