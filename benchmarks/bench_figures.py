"""Benchmark: every figure of a county briefing — time to build, time to render, PNG bytes, pixels.

    python benchmarks/bench_figures.py [--schools 120] [--dpi-cap | --no-dpi-cap] [--repeat 1]

Not a test: it prints numbers measured in this run, on this machine.

* The county is synthetic: 西岭县 of the demo prefecture re-planned with ``--schools`` schools
  (``generate_demo_table(counties=[replace(COUNTIES[3], n_schools=N)])``), years 2024–2025, so the
  heatmaps have about ``--schools`` rows. ``--demo CODE`` uses a county of ``data/demo`` instead.
* The briefing is built in this process (``balance.briefing.county_briefing``) and every section
  of ``notebooks/county_briefing.ipynb`` is called in the notebook's order, as the kernel does. Each
  call to :func:`balance.reporting.display.render_figure` is timed (savefig + palette PNG); the rest of
  the section's time is building the figure (matplotlib artists) and its tables.
* The table has one row per figure: section, caption, build s, render s, PNG KB, pixels, dpi, and
  the section totals; then the HTML size of all sections (the briefing without the page CSS) and
  the share of it that is figures. The first section pays for the font cache and imports: a
  warm-up pass runs first (``--repeat`` passes are timed, the median is shown).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


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


def legacy_render(fig, fmt="png", dpi=150, optimize=True) -> bytes:
    """The rendering before issue 16's figure work: savefig to PNG under the house style (its
    ``savefig.bbox="tight"`` applies), decode, palette, encode again."""
    import io

    import matplotlib as mpl

    from balance.reporting import fonts, render

    buf = io.BytesIO()
    with mpl.rc_context(fonts.rc_params()):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return render._quantize_png(buf.getvalue())


def one_pass(data: Path, code: str, names: list[str], county_sheet: str | None,
             legacy: bool = False) -> tuple[list[dict], dict]:
    from balance import briefing
    from balance.reporting import display

    figures: list[dict] = []
    real, real_dpi = display.render_figure, display.print_dpi
    draw = legacy_render if legacy else real

    def timed(fig, fmt="png", dpi=150, optimize=True):
        t0, c0 = time.perf_counter(), time.process_time()
        data = draw(fig, fmt=fmt, dpi=dpi, optimize=optimize)
        w, h = display._png_size(data)
        figures.append({"render_s": time.perf_counter() - t0, "render_cpu": time.process_time() - c0,
                        "bytes": len(data), "px": f"{w}×{h}", "dpi": dpi,
                        "caption": (getattr(fig, "balance_caption", None) or "")[:28]})
        return data

    display.render_figure = timed
    if legacy:
        display.print_dpi = lambda fig, dpi=150: dpi
    try:
        briefing.setup()
        t0 = time.perf_counter()
        b = briefing.county_briefing(str(data), code, 2025, county_sheet=county_sheet)
        sections = {"(read + assess)": {"s": time.perf_counter() - t0, "html": 0}}
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
        display.render_figure, display.print_dpi = real, real_dpi


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--schools", type=int, default=120, help="schools of the synthetic county (about)")
    ap.add_argument("--demo", metavar="CODE", help="use this county of data/demo instead (e.g. 990104)")
    ap.add_argument("--repeat", type=int, default=1, help="timed passes after the warm-up (median shown)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the pass with the old rendering")
    args = ap.parse_args()

    from balance.method import cache

    names = sections_of_notebook(REPO / "notebooks" / "county_briefing.ipynb")
    with tempfile.TemporaryDirectory() as d:
        if args.demo:
            data, code, sheet = REPO / "data" / "demo" / "schools.csv", args.demo, str(REPO / "data" / "demo" / "county_sheet.xlsx")
        else:
            (data, code), sheet = sized_county_csv(args.schools, Path(d)), None
        one_pass(data, code, names, sheet)  # warm-up: font cache, imports, first draw
        runs = {"now": [], "before": []}
        for _ in range(max(1, args.repeat)):
            for mode in (("now",) if args.no_baseline else ("now", "before")):
                cache.clear()
                runs[mode].append(one_pass(data, code, names, sheet, legacy=mode == "before"))
    figures, sections = _median_pass(runs["now"])

    print(f"machine: {os.cpu_count()} CPUs; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"county {code} ({'demo data' if args.demo else f'synthetic, about {args.schools} schools'}); "
          f"{len(runs['now'])} timed pass(es) after a warm-up; CPU s = this process's CPU time (robust on a busy machine)")
    print(f"\n{'section':<22} {'figure (caption)':<30} {'build s':>8} {'render s':>8} {'render CPU':>10} "
          f"{'PNG KB':>7} {'pixels':>11} {'dpi':>5}")
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
    if runs["before"]:
        b = _totals(*_median_pass(runs["before"]))
        print(f"\nbaseline in the same run (the old rendering: 150 dpi at every width, house-style tight bounding "
              f"box = a second draw, PNG encoded twice):")
        print(f"{'':<10} {'render s':>9} {'render CPU':>11} {'sections CPU':>13} {'PNG MB':>7} {'HTML MB':>8}")
        for label, x in (("before", b), ("now", t)):
            print(f"{label:<10} {x['render']:>9.2f} {x['render_cpu']:>11.2f} {x['cpu']:>13.2f} "
                  f"{x['png'] / 1e6:>7.2f} {x['html'] / 1e6:>8.2f}")
        print(f"{'ratio':<10} {b['render'] / t['render']:>8.2f}× {b['render_cpu'] / t['render_cpu']:>10.2f}× "
              f"{b['cpu'] / t['cpu']:>12.2f}× {b['png'] / t['png']:>6.2f}× {b['html'] / t['html']:>7.2f}×  (before ÷ now)")


if __name__ == "__main__":
    main()
