"""Benchmark: the figures of the trend and region briefings — CPU to build and render — against a baseline.

    python benchmarks/bench_trend_figures.py [--county 990104] [--repeat 3] [--baseline REV | --no-baseline]

Not a test: it prints numbers measured in this run, on this machine. ``bench_figures.py`` times
the county briefing; this script times the four figures it does not draw: ``cv_trend_chart``,
``pass_share_trend``, ``oversize_trend_chart``, ``equity_trend_chart`` (the trend briefing of
``--county`` in ``data/demo``) and ``region_cv_heatmap`` (the region briefing of the demo's last
year). Each figure is built from the briefing's own data and rendered as the briefing does
(:func:`balance.reporting.display.figure_html`); CPU time (robust on a busy machine) after a
warm-up, the median of ``--repeat`` passes. The baseline is git revision ``--baseline`` (default
``HEAD``) unpacked with ``git archive`` and run by this script in a child process, same data, same minute.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SRC = Path(os.environ.get("BALANCE_BENCH_SRC") or REPO)
sys.path.insert(0, str(SRC))
DATA = REPO / "data" / "demo" / "schools.csv"


def builders(code: str) -> dict:
    """name → function building the figure (data prepared once, outside the timing)."""
    from balance import briefing
    from balance.analysis.equity import equity_table
    from balance.reporting import plotting

    t = briefing.county_trend(str(DATA), code)
    years = t.years
    r = briefing.region_overview(str(DATA), years[-1])
    eq = equity_table(t.assessment, by="urban_rural")
    return {
        "cv_trend_chart": lambda: plotting.cv_trend_chart(t.assessment.county_indicators),
        "pass_share_trend": lambda: plotting.pass_share_trend(t.assessment.school_results),
        "oversize_trend_chart": lambda: plotting.oversize_trend_chart(t.oversize.sort_values("year")),
        "equity_trend_chart": lambda: plotting.equity_trend_chart(eq),
        "region_cv_heatmap": lambda: plotting.region_cv_heatmap(r.assessment.county_indicators, year=r.year),
    }


def measure(code: str, repeat: int) -> dict:
    from balance import briefing
    from balance.reporting import display

    briefing.setup()
    out = {}
    for name, build in builders(code).items():
        display.figure_html(build(), number=False)  # warm-up
        runs = []
        for _ in range(max(1, repeat)):
            c0 = time.process_time()
            html = display.figure_html(build(), number=False)
            runs.append(time.process_time() - c0)
        out[name] = {"cpu": statistics.median(runs), "kb": len(html.encode("utf-8")) / 1024}
    return out


def baseline(rev: str, code: str, repeat: int, folder: Path) -> dict:
    tree = folder / "baseline"
    tree.mkdir()
    tar = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev, "balance"],
                         check=True, capture_output=True).stdout
    with tarfile.open(fileobj=__import__("io").BytesIO(tar)) as t:
        t.extractall(tree, filter="data")
    env = dict(os.environ, BALANCE_BENCH_SRC=str(tree))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", code, str(repeat)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=str(folder)).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]))))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--county", default="990104", help="county of data/demo for the trend figures")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes after the warm-up (median shown)")
    ap.add_argument("--baseline", default="HEAD", metavar="REV", help="git revision measured as the baseline")
    ap.add_argument("--no-baseline", action="store_true", help="skip the baseline pass")
    args = ap.parse_args()
    now = measure(args.county, args.repeat)
    with tempfile.TemporaryDirectory() as d:
        before = None if args.no_baseline else baseline(args.baseline, args.county, args.repeat, Path(d))
    print(f"machine: {os.cpu_count()} CPUs; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"county {args.county} of data/demo; median of {args.repeat} pass(es) after a warm-up; CPU s")
    print(f"{'figure':<22} {'before s':>9} {'now s':>8} {'ratio':>7} {'before KB':>10} {'now KB':>8}")
    for name, n in now.items():
        b = (before or {}).get(name)
        if b:
            print(f"{name:<22} {b['cpu']:>9.3f} {n['cpu']:>8.3f} {b['cpu'] / n['cpu']:>6.2f}× {b['kb']:>10.0f} {n['kb']:>8.0f}")
        else:
            print(f"{name:<22} {'—':>9} {n['cpu']:>8.3f} {'':>7} {'':>10} {n['kb']:>8.0f}")


if __name__ == "__main__":
    main()
