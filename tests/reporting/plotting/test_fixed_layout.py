"""Fixed layouts (issue 16): briefing figures are placed by margins in inches, drawn once, and
nothing they draw falls outside the canvas."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from balance.reporting import display, plotting
from balance.reporting.plotting.degrees import bachelor_ratio_chart
from tests.reporting.test_plotting import INDICATORS, county_from_sections, make_county_indicators, make_sections


def _ratios() -> pd.DataFrame:
    return pd.DataFrame({"year": [2023, 2024, 2025], "ratio": [1.31, 1.12, 1.04], "met": [False, False, True],
                         "target": 1.05, "groups": "城区、镇区 ÷ 乡村"})


def _equity(years=(2022, 2023, 2024, 2025)) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = [{"year": y, "county_name": "测试县", "stage": st, "indicator": ind,
             "theil_t_between_share": rng.uniform(0, 0.9), "mcloone": rng.uniform(0.7, 1.05)}
            for y in years for st in ("小学", "初中") for ind in INDICATORS]
    return pd.DataFrame(rows)


def _oversize(years=(2021, 2022, 2023, 2024, 2025)) -> pd.DataFrame:
    n = len(years)
    return pd.DataFrame({"year": list(years), "county_name": "测试县", "oversized_schools": np.arange(n) + 2,
                         "primary_oversized_classes": np.arange(n)[::-1] * 7, "junior_oversized_classes": np.arange(n) * 3,
                         "school_size_cap": 2000, "school_size_cap_combined": 2500, "primary_class_limit": 45,
                         "junior_class_limit": 50})


def _region(names) -> pd.DataFrame:
    df = make_county_indicators(counties=tuple((f"9901{i:02d}", n) for i, n in enumerate(names, 1)), n=9)
    df.loc[df.index[3], ["cv", "cv_passed"]] = [0.7, False]  # one county fails: its ✗ label is the widest
    return df


SEC = make_sections(40, seed=11)
SEC_YEARS = pd.concat([make_sections(12, y, seed=y) for y in (2022, 2023, 2024, 2025)], ignore_index=True)
FIGURES = {
    "cv_chart": lambda: plotting.cv_chart(county_from_sections(SEC)),
    "small_multiples": lambda: plotting.indicator_small_multiples(SEC, "小学"),
    "small_multiples_legend_below": lambda: plotting.indicator_small_multiples(
        SEC[SEC["indicator"] != "生均教学仪器设备值"], "初中"),  # 6 panels fill 3 rows: legend below
    "urban_rural": lambda: plotting.urban_rural_chart(SEC),
    "bachelor_ratio": lambda: bachelor_ratio_chart(_ratios(), county="测试县"),
    "cv_trend_4_years": lambda: plotting.cv_trend_chart(make_county_indicators(years=(2022, 2023, 2024, 2025))),
    "cv_trend_8_years_legend_below": lambda: plotting.cv_trend_chart(  # 3 panels fill their row; years rotated
        (lambda d: d[d["indicator"].isin(sorted(set(d["indicator"]))[:3])])(
            make_county_indicators(years=tuple(range(2018, 2026))))),
    "pass_share_one_county": lambda: plotting.pass_share_trend(SEC_YEARS),
    "pass_share_counties": lambda: plotting.pass_share_trend(pd.concat(
        [SEC_YEARS, SEC_YEARS.assign(county_code="990102", county_name="另一个名字很长的县")], ignore_index=True)),
    "equity_trend": lambda: plotting.equity_trend_chart(_equity()),
    "equity_trend_one_stage_8_years": lambda: plotting.equity_trend_chart(
        (lambda d: d[d["stage"] == "初中"])(_equity(tuple(range(2018, 2026))))),
    "oversize_trend": lambda: plotting.oversize_trend_chart(_oversize()),
    "oversize_trend_one_year": lambda: plotting.oversize_trend_chart(_oversize((2025,))),
    "region_heatmap_6_counties": lambda: plotting.region_cv_heatmap(_region(["甲县", "乙县", "丙区", "丁县", "戊县", "己市"])),
    "region_heatmap_long_names": lambda: plotting.region_cv_heatmap(_region(
        ["甲县", "乌兰察布市察哈尔右翼前旗", "丙区", *[f"第{i}县" for i in range(4, 15)]])),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_drawn_once_at_its_own_size(name):
    fig = FIGURES[name]()
    assert fig.balance_fixed_layout and fig.get_layout_engine() is None
    w, h = fig.get_size_inches()
    data = display.render_figure(fig, dpi=40)
    # a tight bounding box (a second draw) would crop or grow the canvas
    assert display._png_size(data) == (int(w * 40), int(h * 40))


def _drawn_boxes(fig, renderer):
    """(what, window extent) of everything with text the figure draws: each axis with the tick
    labels it shows and its label, titles, texts and annotations, legends, the figure title."""
    boxes = []
    for ax in fig.axes:
        if not ax.axison:
            boxes += [(f"legend of {ax.get_title(loc='left')!r}", lg.get_window_extent(renderer))
                      for lg in [ax.get_legend()] if lg is not None]
            continue
        boxes += [(f"{axis.axis_name}-axis of {ax.get_title(loc='left')!r}", axis.get_tightbbox(renderer))
                  for axis in (ax.xaxis, ax.yaxis)]
        texts = [ax.title, ax._left_title, ax._right_title, *ax.texts]
        boxes += [(t.get_text(), t.get_window_extent(renderer)) for t in texts if t.get_visible() and t.get_text()]
        if ax.get_legend() is not None:
            boxes.append(("legend", ax.get_legend().get_window_extent(renderer)))
    boxes += [("figure legend", lg.get_window_extent(renderer)) for lg in fig.legends]
    if fig._suptitle is not None:
        boxes.append((fig._suptitle.get_text(), fig._suptitle.get_window_extent(renderer)))
    return [(what, bb) for what, bb in boxes if bb is not None and bb.width > 0]


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_nothing_drawn_outside_the_canvas(name):
    fig = FIGURES[name]()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    W, H = fig.bbox.width, fig.bbox.height
    boxes = _drawn_boxes(fig, renderer)
    assert len(boxes) > 5
    out = [(what, [round(v) for v in bb.extents]) for what, bb in boxes
           if bb.x0 < -1 or bb.y0 < -1 or bb.x1 > W + 1 or bb.y1 > H + 1]
    assert not out, (W, H, out)


def test_fixed_axes_margins_are_inches():
    from balance.reporting.plotting.style import _fixed_axes, _fixed_figure

    fig = _fixed_figure(10.0, 6.0)
    axes = _fixed_axes(fig, 2, 3, left=1.0, right=0.5, top=0.8, bottom=0.7, wspace=0.6, hspace=0.9)
    boxes = [[ax.get_position().bounds for ax in row] for row in axes]
    pw = (10.0 - 1.0 - 0.5 - 2 * 0.6) / 3
    ph = (6.0 - 0.8 - 0.7 - 0.9) / 2
    x0, y0, w, h = boxes[1][0]
    assert (x0 * 10, y0 * 6, w * 10, h * 6) == pytest.approx((1.0, 0.7, pw, ph))
    x0, y0, w, h = boxes[0][2]
    assert (x0 * 10 + w * 10, y0 * 6 + h * 6) == pytest.approx((10.0 - 0.5, 6.0 - 0.8))
