"""Benchmark: every figure of a county briefing — time to build, time to render, bytes — against a baseline.

    python benchmarks/bench_figures.py [--schools 120 | --demo 990104] [--repeat 1] [--baseline REV | --no-baseline]

Not a test: it prints numbers measured in this run, on this machine.

* The county is synthetic: 西岭县 of the demo prefecture re-planned with ``--schools`` schools
  (``generate_demo_table(counties=[replace(COUNTIES[3], n_schools=N)])``), years 2024–2025, so the
  attainment grids have about ``--schools`` rows. ``--demo CODE`` uses a county of ``data/demo`` instead.
* The briefing is built in this process (``balance.briefing.county_briefing``) and every section
  of ``notebooks/county_briefing.ipynb`` is called in the notebook's order, as the kernel does. Each
  call to :func:`balance.reporting.display.render_figure` is timed (savefig + palette PNG), and so is
  each heat table (``plotting.attainment_table_html``, markup instead of an image); the rest of the
  section's time is building the figure (matplotlib artists) and its tables.
* The baseline is the code of git revision ``--baseline`` (default: ``main`` before issue 16's
  figure work), unpacked with ``git archive`` into a temporary folder and run by this same script
  in a child process right after the current code: same machine, same minute, same data. The
  closing table gives each figure before and after (CPU ms, KB) and the ratio (before ÷ now).
* CPU s = the process's CPU time, robust on a busy machine (wall times swing with the load of
  other processes); a warm-up pass runs first (font cache, imports, first draw), then ``--repeat``
  timed passes (the median is shown).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: main before issue 16's figure work (the heatmaps, constrained layouts, three-family fonts)
DEFAULT_BASELINE = "c5354d5"
SRC = Path(os.environ.get("BALANCE_BENCH_SRC") or REPO)  # the code measured (a baseline's unpacked tree)
sys.path.insert(0, str(SRC))


def sections_of_notebook(path: Path) -> list[str]:
    """The section functions the county briefing notebook calls, in order (``briefing.X(b)``)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            out += re.findall(r"^briefing\.(\w+)\(b\)", "".join(cell["source"]), flags=re.M)
    return out


def sized_county_csv(n_schools: int, folder: Path) -> tuple[Path, str]:
    from dataclasses import replace

    from balance.synthetic.demo import COUNTIES, generate_demo_table

    plan = replace(COUNTIES[3], n_schools=n_schools)
    df = generate_demo_table(years=(2024, 2025), counties=[plan])
    path = folder / "schools.csv"
    path.write_bytes(b"\xef\xbb\xbf" + df.to_csv(index=False).encode("utf-8"))
    return path, plan.code


def one_pass(data: Path, code: str, names: list[str], county_sheet: str | None) -> tuple[list[dict], dict]:
    from balance import briefing
    from balance.reporting import display, plotting

    figures: list[dict] = []
    real = display.render_figure
    real_table = getattr(plotting, "attainment_table_html", None)

    def record(t0, c0, nbytes, px, dpi, caption):
        figures.append({"render_s": time.perf_counter() - t0, "render_cpu": time.process_time() - c0,
                        "bytes": nbytes, "px": px, "dpi": dpi, "caption": (caption or "")[:28]})

    def timed(fig, fmt="png", dpi=150, optimize=True):
        t0, c0 = time.perf_counter(), time.process_time()
        data = real(fig, fmt=fmt, dpi=dpi, optimize=optimize)
        w, h = display._png_size(data)
        record(t0, c0, len(data), f"{w}×{h}", dpi, getattr(fig, "balance_caption", None))
        return data

    def timed_table(*args, **kwargs):
        t0, c0 = time.perf_counter(), time.process_time()
        html = real_table(*args, **kwargs)
        caption = re.search(r"<figcaption>(?:<span[^>]*>[^<]*</span>.)?([^<]*)", html)
        record(t0, c0, len(html.encode("utf-8")), "HTML table", 0, caption.group(1) if caption else "")
        return html

    display.render_figure = timed
    if real_table is not None:
        plotting.attainment_table_html = timed_table
    try:
        briefing.setup()
        t0, c0 = time.perf_counter(), time.process_time()
        b = briefing.county_briefing(str(data), code, 2025, county_sheet=county_sheet)
        sections = {"(read + assess)": {"s": time.perf_counter() - t0, "cpu": time.process_time() - c0, "html": 0}}
        for name in names:
            k = len(figures)
            t0, c0 = time.perf_counter(), time.process_time()
            html = getattr(briefing, name)(b).data
            sections[name] = {"s": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                              "html": len(html.encode("utf-8")),
                              "img": sum(len(m) for m in re.findall(r'src="data:image/[^"]+"', html))}
            for f in figures[k:]:
                f["section"] = name
        return figures, sections
    finally:
        display.render_figure = real
        if real_table is not None:
            plotting.attainment_table_html = real_table


def _median_pass(passes):
    figures = [dict(f) for f in passes[0][0]]
    for i, f in enumerate(figures):
        for k in ("render_s", "render_cpu"):
            f[k] = statistics.median(p[0][i][k] for p in passes)
    sections = {n: dict(v, **{k: statistics.median(p[1][n][k] for p in passes) for k in ("s", "cpu") if k in v})
                for n, v in passes[0][1].items()}
    return figures, sections


def _totals(figures, sections) -> dict:
    html = sum(s["html"] for s in sections.values())
    return {"wall": sum(s["s"] for s in sections.values()), "cpu": sum(s.get("cpu", 0) for s in sections.values()),
            "render": sum(f["render_s"] for f in figures), "render_cpu": sum(f["render_cpu"] for f in figures),
            "png": sum(f["bytes"] for f in figures), "html": html}


def measure(data: Path, code: str, sheet: str | None, repeat: int) -> tuple[list[dict], dict]:
    """A warm-up pass, then ``repeat`` timed passes (the median), warm as in a batch worker: the
    table read and assessed once (the kernel's cache), fonts and imports loaded."""
    names = sections_of_notebook(SRC / "notebooks" / "county_briefing.ipynb")
    one_pass(data, code, names, sheet)  # warm-up: font cache, imports, first draw
    runs = []
    for _ in range(max(1, repeat)):
        runs.append(one_pass(data, code, names, sheet))
    return _median_pass(runs)


def baseline(rev: str, data: Path, code: str, sheet: str | None, repeat: int, folder: Path) -> tuple[list[dict], dict]:
    """The same measurement of the code at git revision ``rev`` (``git archive`` of balance/ and
    notebooks/ into ``folder``, this script run there in a child process)."""
    tree = folder / "baseline"
    tree.mkdir()
    tar = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev, "balance", "notebooks"],
                         check=True, capture_output=True).stdout
    with tarfile.open(fileobj=__import__("io").BytesIO(tar)) as t:
        t.extractall(tree, filter="data")
    env = dict(os.environ, BALANCE_BENCH_SRC=str(tree))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(data), code, sheet or "", str(repeat)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=str(folder)).stdout
    return tuple(json.loads(out.strip().splitlines()[-1]))


def print_run(figures, sections) -> None:
    print(f"\n{'section':<22} {'figure (caption)':<30} {'build s':>8} {'render s':>8} {'render CPU':>10} "
          f"{'KB':>7} {'pixels':>11} {'dpi':>5}")
    for name, sec in sections.items():
        figs = [f for f in figures if f.get("section") == name]
        build = sec["s"] - sum(f["render_s"] for f in figs)
        if not figs:
            print(f"{name:<22} {'—':<30} {build:>8.2f}")
        for j, f in enumerate(figs):
            shown = f"{build:>8.2f}" if j == 0 else f"{'':>8}"
            print(f"{name if j == 0 else '':<22} {f['caption']:<30} {shown} {f['render_s']:>8.2f} "
                  f"{f['render_cpu']:>10.2f} {f['bytes'] / 1024:>7.0f} {f['px']:>11} {f['dpi']:>5.0f}")
    t = _totals(figures, sections)
    print(f"{'total':<22} {f'{len(figures)} figures':<30} {t['wall'] - t['render']:>8.2f} {t['render']:>8.2f} "
          f"{t['render_cpu']:>10.2f} {t['png'] / 1024:>7.0f}")
    print(f"\nHTML of all sections: {t['html'] / 1e6:.2f} MB; target for a 120-school briefing: < 3 MB → "
          f"{'met' if t['html'] < 3e6 else 'NOT met'}")
    print(f"sections {t['wall']:.2f} s wall / {t['cpu']:.2f} s CPU, of which rendering figures {t['render']:.2f} s "
          f"wall / {t['render_cpu']:.2f} s CPU")


FIGURE_SECTIONS = ("cv_figure", "indicator_figures", "attainment_figures", "urban_rural", "bachelor_ratio_section")


def print_comparison(before, now, rev: str) -> None:
    """Per figure-bearing section: CPU s and KB before and now, the ratio; then the briefing total."""
    (bf, bs), (nf, ns) = before, now
    print(f"\nbaseline in the same run: git {rev} (child process), CPU seconds of each section (build + render) "
          f"and the bytes its figures add")
    print(f"{'section':<24} {'figures':>8} {'before s':>9} {'now s':>8} {'ratio':>7} {'before KB':>10} {'now KB':>8}")
    tot = [0.0, 0.0]
    for name in [n for n in ns if n in FIGURE_SECTIONS and n in bs]:
        kb = [sum(f["bytes"] for f in figs if f.get("section") == name) / 1024 for figs in (bf, nf)]
        b, n = bs[name]["cpu"], ns[name]["cpu"]
        tot[0] += b
        tot[1] += n
        print(f"{name:<24} {sum(f.get('section') == name for f in nf):>8} {b:>9.3f} {n:>8.3f} {b / n:>6.2f}× "
              f"{kb[0]:>10.0f} {kb[1]:>8.0f}")
    print(f"{'figures total':<24} {'':>8} {tot[0]:>9.3f} {tot[1]:>8.3f} {tot[0] / tot[1]:>6.2f}×")
    tb, tn = _totals(bf, bs), _totals(nf, ns)
    print(f"{'briefing (all sections)':<24} {'':>8} {tb['cpu']:>9.3f} {tn['cpu']:>8.3f} {tb['cpu'] / tn['cpu']:>6.2f}× "
          f"{tb['html'] / 1024:>10.0f} {tn['html'] / 1024:>8.0f}  (KB = HTML of all sections)")
    print(f"{'  wall s':<24} {'':>8} {tb['wall']:>9.3f} {tn['wall']:>8.3f} {tb['wall'] / tn['wall']:>6.2f}×")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":  # a baseline's measurement, as JSON on stdout
        data, code, sheet, repeat = sys.argv[2:6]
        print(json.dumps(measure(Path(data), code, sheet or None, int(repeat))))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--schools", type=int, default=120, help="schools of the synthetic county (about)")
    ap.add_argument("--demo", metavar="CODE", help="use this county of data/demo instead (e.g. 990104)")
    ap.add_argument("--repeat", type=int, default=1, help="timed passes after the warm-up (median shown)")
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, metavar="REV",
                    help=f"git revision measured as the baseline (default {DEFAULT_BASELINE}: before issue 16's figure work)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the baseline pass")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as d:
        if args.demo:
            data, code, sheet = REPO / "data" / "demo" / "schools.csv", args.demo, str(REPO / "data" / "demo" / "county_sheet.xlsx")
        else:
            (data, code), sheet = sized_county_csv(args.schools, Path(d)), None
        now = measure(data, code, sheet, args.repeat)
        before = None if args.no_baseline else baseline(args.baseline, data, code, sheet, args.repeat, Path(d))
    print(f"machine: {os.cpu_count()} CPUs; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"county {code} ({'demo data' if args.demo else f'synthetic, about {args.schools} schools'}); "
          f"{args.repeat} timed pass(es) after a warm-up")
    print_run(*now)
    if before is not None:
        print_comparison(before, now, args.baseline)


if __name__ == "__main__":
    main()
