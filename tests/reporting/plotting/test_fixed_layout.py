"""Fixed layouts (issue 16): briefing figures are placed by margins in inches, drawn once, and
nothing they draw falls outside the canvas."""
from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from balance.reporting import display, plotting
from balance.reporting.plotting.degrees import bachelor_ratio_chart
from tests.reporting.test_plotting import county_from_sections, make_sections


def _ratios() -> pd.DataFrame:
    return pd.DataFrame({"year": [2023, 2024, 2025], "ratio": [1.31, 1.12, 1.04], "met": [False, False, True],
                         "target": 1.05, "groups": "城区、镇区 ÷ 乡村"})


SEC = make_sections(40, seed=11)
FIGURES = {
    "cv_chart": lambda: plotting.cv_chart(county_from_sections(SEC)),
    "small_multiples": lambda: plotting.indicator_small_multiples(SEC, "小学"),
    "small_multiples_legend_below": lambda: plotting.indicator_small_multiples(
        SEC[SEC["indicator"] != "生均教学仪器设备值"], "初中"),  # 6 panels fill 3 rows: legend below
    "urban_rural": lambda: plotting.urban_rural_chart(SEC),
    "bachelor_ratio": lambda: bachelor_ratio_chart(_ratios(), county="测试县"),
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
