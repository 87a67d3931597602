"""Figure rendering (balance.reporting.render): print resolution, one encode, and the size of a
whole briefing of a large county."""
from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import replace

import matplotlib as mpl
import pytest
from matplotlib.figure import Figure

from balance.reporting import display, fonts, plotting, render
from tests.reporting.test_plotting import make_sections


@pytest.fixture(autouse=True)
def _style():
    plotting.use_house_style()


def test_print_dpi_caps_the_pixels_across_of_wide_figures_only():
    wide, narrow = Figure(figsize=(11.2, 4)), Figure(figsize=(5, 3))
    assert render.print_dpi(wide) == pytest.approx(render.PRINT_DPI * render.PRINT_WIDTH_IN / 11.2)
    assert render.print_dpi(narrow) == render.PRINT_DPI
    assert render.print_dpi(narrow, dpi=40) == 40
    assert round(11.2 * render.print_dpi(wide)) == round(render.PRINT_DPI * render.PRINT_WIDTH_IN)


def test_a_wide_figure_keeps_its_shown_size_with_fewer_pixels():
    sec = make_sections(30, seed=3)
    fig = plotting.indicator_small_multiples(sec, "小学")
    width_in = fig.get_figwidth()
    h = display.figure_html(fig, number=False)
    shown = int(re.search(r'width="(\d+)"', h).group(1))
    png = display._png_size(base64.b64decode(re.search(r"base64,([^\"]+)", h).group(1)))
    assert png[0] <= round(render.PRINT_DPI * render.PRINT_WIDTH_IN) + 1  # ≤ 150 dpi of 7 in
    assert abs(shown - width_in * 96) <= 2  # CSS size: the figure's inches at 96 per inch
    full = display.figure_html(plotting.indicator_small_multiples(sec, "小学"), number=False, fit_print=False)
    assert len(h) < len(full)


def test_one_encode_gives_the_bytes_of_quantizing_matplotlibs_png():
    """Constrained-layout figures are drawn once at their own size (no "tight" bounding box, which
    the house style's ``savefig.bbox`` would otherwise apply: a second draw)."""
    fig = plotting.attainment_heatmap(make_sections(25, seed=4), "小学")
    direct = render.render_figure(fig, dpi=60)
    buf = io.BytesIO()
    with mpl.rc_context({**fonts.rc_params(), "savefig.bbox": "standard"}):
        fig.savefig(buf, format="png", dpi=60, metadata={"Software": None})
    assert direct == render._quantize_png(buf.getvalue())
    assert display._png_size(direct) == (int(fig.get_figwidth() * 60), int(fig.get_figheight() * 60))
    assert direct[:8] == b"\x89PNG\r\n\x1a\n"


def test_briefing_of_a_120_school_county_stays_under_3_mb(tmp_path):
    """Every section of the county briefing notebook, rendered in this process for a synthetic
    county of about 120 schools (demo county 西岭县 re-planned larger): under 3 MB of HTML."""
    from balance import briefing
    from balance._resources import NOTEBOOKS_DIR
    from balance.synthetic.demo import COUNTIES, generate_demo_table

    df = generate_demo_table(years=(2024, 2025), counties=[replace(COUNTIES[3], n_schools=123)])
    schools = df.loc[df["年份"] == 2025, "学校标识码"].nunique()
    assert 110 <= schools <= 130, schools
    path = tmp_path / "schools.csv"
    path.write_bytes(b"\xef\xbb\xbf" + df.to_csv(index=False).encode("utf-8"))
    briefing.setup()
    b = briefing.county_briefing(str(path), COUNTIES[3].code, 2025)
    nb = json.loads((NOTEBOOKS_DIR / "county_briefing.ipynb").read_text(encoding="utf-8"))
    names = [n for c in nb["cells"] if c["cell_type"] == "code"
             for n in re.findall(r"^briefing\.(\w+)\(b\)", "".join(c["source"]), flags=re.M)]
    assert {"attainment_figures", "indicator_figures", "cv_figure"} <= set(names)
    html = "".join(getattr(briefing, n)(b).data for n in names)
    assert html.count("<img") >= 5
    assert len(html.encode("utf-8")) < 3_000_000
