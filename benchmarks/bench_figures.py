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


def one_pass(data: Path, code: str, names: list[str], county_sheet: str | None) -> tuple[list[dict], dict]:
    from balance import briefing
    from balance.reporting import display

    figures: list[dict] = []
    real = display.render_figure

    def timed(fig, fmt="png", dpi=150, optimize=True):
        t0 = time.perf_counter()
        data = real(fig, fmt=fmt, dpi=dpi, optimize=optimize)
        w, h = display._png_size(data)
        figures.append({"render_s": time.perf_counter() - t0, "bytes": len(data), "px": f"{w}×{h}",
                        "caption": (getattr(fig, "balance_caption", None) or "")[:28]})
        return data

    display.render_figure = timed
    try:
        briefing.setup()
        t0 = time.perf_counter()
        b = briefing.county_briefing(str(data), code, 2025, county_sheet=county_sheet)
        sections = {"(read + assess)": {"s": time.perf_counter() - t0, "html": 0}}
        for name in names:
            k = len(figures)
            t0 = time.perf_counter()
            html = getattr(briefing, name)(b).data
            sections[name] = {"s": time.perf_counter() - t0, "html": len(html.encode("utf-8")),
                              "img": sum(len(m) for m in re.findall(r'src="data:image/[^"]+"', html))}
            for f in figures[k:]:
                f["section"] = name
        return figures, sections
    finally:
        display.render_figure = real


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--schools", type=int, default=120, help="schools of the synthetic county (about)")
    ap.add_argument("--demo", metavar="CODE", help="use this county of data/demo instead (e.g. 990104)")
    ap.add_argument("--repeat", type=int, default=1, help="timed passes after the warm-up (median shown)")
    args = ap.parse_args()

    names = sections_of_notebook(REPO / "notebooks" / "county_briefing.ipynb")
    with tempfile.TemporaryDirectory() as d:
        if args.demo:
            data, code, sheet = REPO / "data" / "demo" / "schools.csv", args.demo, str(REPO / "data" / "demo" / "county_sheet.xlsx")
        else:
            (data, code), sheet = sized_county_csv(args.schools, Path(d)), None
        from balance.method import cache

        one_pass(data, code, names, sheet)  # warm-up: font cache, imports, first draw
        passes = []
        for _ in range(max(1, args.repeat)):
            cache.clear() if hasattr(cache, "clear") else None
            passes.append(one_pass(data, code, names, sheet))
    figures = passes[0][0]
    for i, f in enumerate(figures):
        f["render_s"] = statistics.median(p[0][i]["render_s"] for p in passes)
    sections = {n: dict(v, s=statistics.median(p[1][n]["s"] for p in passes)) for n, v in passes[0][1].items()}

    print(f"machine: {os.cpu_count()} CPUs; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"county {code} ({'demo data' if args.demo else f'synthetic, about {args.schools} schools'}); "
          f"{len(passes)} timed pass(es) after a warm-up")
    print(f"\n{'section':<22} {'figure (caption)':<30} {'build s':>8} {'render s':>8} {'PNG KB':>7} {'pixels':>11}")
    tot_build = tot_render = tot_png = 0.0
    for name, sec in sections.items():
        figs = [f for f in figures if f.get("section") == name]
        render = sum(f["render_s"] for f in figs)
        build = sec["s"] - render
        tot_build += build
        tot_render += render
        if not figs:
            print(f"{name:<22} {'—':<30} {build:>8.2f} {'':>8} {'':>7} {'':>11}")
        for j, f in enumerate(figs):
            tot_png += f["bytes"]
            print(f"{name if j == 0 else '':<22} {f['caption']:<30} {build if j == 0 else float('nan'):>8.2f} "
                  f"{f['render_s']:>8.2f} {f['bytes'] / 1024:>7.0f} {f['px']:>11}")
    html = sum(s["html"] for s in sections.values())
    img = sum(s.get("img", 0) for s in sections.values())
    print(f"{'total':<22} {f'{len(figures)} figures':<30} {tot_build:>8.2f} {tot_render:>8.2f} {tot_png / 1024:>7.0f}")
    print(f"\nHTML of all sections: {html / 1e6:.2f} MB (figures as base64: {img / 1e6:.2f} MB, {img / max(html, 1):.0%}); "
          f"target for a 120-school briefing: < 3 MB → {'met' if html < 3e6 else 'NOT met'}")
    print(f"figures: render {tot_render:.2f} s of {tot_build + tot_render:.2f} s for the sections "
          f"({tot_render / max(tot_build + tot_render, 1e-9):.0%})")


if __name__ == "__main__":
    main()
