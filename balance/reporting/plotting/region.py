"""Figures of a region (several counties): CV heatmap."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from balance.reporting.plotting.county import (
    CV_RATIO_CMAP,
    _cv_frame,
    _grid_mesh,
    _indicator_order,
    _text_color,
)
from balance.reporting.plotting.labels import _ordered, _require, _status, _wrap, indicator_short
from balance.reporting.plotting.style import (
    FAIL_COLOR,
    STAGES,
    _bold,
    _ensure_style,
    _finish,
    _fixed_figure,
    _fixed_title,
)


def _heatmap_axes(nrows: int, ncols: int, label_chars: int, tick_lines: int):
    """Figure, grid axes and colour-bar axes of :func:`region_cv_heatmap`, placed in inches (fixed
    layout, nothing measured at draw time).

    From the top: title 0.5 in, colour-bar title 0.28 in, the bar 0.18 in, its tick labels and
    the stage headings 0.62 in, then rows of 0.32 in; below, the indicator names at 0.16 in per
    line (8.5 pt). The county names take 0.13 in per character (9 pt) plus 0.3 in.
    """
    left = 0.3 + 0.13 * label_chars
    bottom = 0.3 + 0.16 * tick_lines
    top = 0.5 + 0.28 + 0.18 + 0.62
    fig = _fixed_figure(max(7.5, left + 0.7 * ncols + 0.5), top + 0.32 * nrows + bottom)
    w, h = fig.get_size_inches()
    ax = fig.add_axes((left / w, bottom / h, (w - left - 0.4) / w, 0.32 * nrows / h))
    cax = fig.add_axes((left / w, 1 - (0.5 + 0.28 + 0.18) / h, (w - left - 0.4) / w, 0.18 / h))
    return fig, ax, cax


def region_cv_heatmap(county_indicators: pd.DataFrame, *, year: int | None = None) -> Figure:
    """County × (stage, indicator) grid of CV ÷ limit (green within the limit, red above), the CV
    written in each cell; counties with any CV over the limit are marked ✗. Fixed layout
    (:func:`_heatmap_axes`), drawn once."""
    _ensure_style()
    _require(county_indicators, ["county_name", "stage", "indicator", "cv"], "region_cv_heatmap")
    df, year = _cv_frame(county_indicators, year, judge_missing=True)
    df["r"] = df["cv"] / df["cv_limit"]
    key = "county_code" if "county_code" in df.columns else "county_name"
    counties = df.drop_duplicates(key).sort_values(key)[[key, "county_name"]]
    stages = _ordered(df["stage"], STAGES)
    cols = [(s, i) for s in stages for i in _indicator_order(df[df["stage"] == s]["indicator"])]
    r = np.full((len(counties), len(cols)), np.nan)
    cv = np.full_like(r, np.nan)
    for i, c in enumerate(counties[key]):
        sub = df[df[key] == c].set_index(["stage", "indicator"])
        for j, col in enumerate(cols):
            if col in sub.index:
                row = sub.loc[col]
                row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
                r[i, j], cv[i, j] = row["r"], row["cv"]
    fails = df[df["cv_passed"].map(_status) == "fail"].groupby(key).size()
    labels = [("✗ " if fails.get(c, 0) else "") + str(nm) for c, nm in zip(counties[key], counties["county_name"])]
    nrows, ncols = r.shape
    xlabels = [_wrap(indicator_short(i), 4) for _, i in cols]
    fig, ax, cax = _heatmap_axes(nrows, ncols, max(len(s) for s in labels), max(t.count("\n") + 1 for t in xlabels))
    norm = TwoSlopeNorm(vmin=0.0, vcenter=1.0, vmax=2.0)
    im = _grid_mesh(ax, r, CV_RATIO_CMAP, norm)
    for i in range(nrows):
        for j in range(ncols):
            v = cv[i, j]
            rr = r[i, j]
            over = not math.isnan(rr) and rr > 1
            txt = "—" if math.isnan(v) else ("✗ " if over else "") + f"{v:.3f}"
            color = "#1a1a1a" if math.isnan(rr) else _text_color(CV_RATIO_CMAP(norm(rr)))
            ax.text(j, i, txt, ha="center", va="center", fontsize=7.5, color=color, in_layout=False,
                    fontweight=_bold() if over else "normal")
    ax.set_xticks(np.arange(ncols))
    ax.set_xticklabels(xlabels, fontsize=8.5)
    ax.set_yticks(np.arange(nrows))
    ax.set_yticklabels(labels, fontsize=9)
    for tick, c in zip(ax.get_yticklabels(), counties[key]):
        if fails.get(c, 0):
            tick.set_color(FAIL_COLOR)
            tick.set_fontweight(_bold())
    ax.tick_params(length=0)
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)
    start = 0
    for s in stages:
        k = sum(1 for st, _ in cols if st == s)
        lim = df[df["stage"] == s]["cv_limit"].dropna()
        head = s + (f"（限值 {float(lim.iloc[0]):.2f}）" if lim.nunique() == 1 else "")
        ax.annotate(head, xy=(start + (k - 1) / 2, -0.5), xycoords="data", xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=9.5, fontweight=_bold(), annotation_clip=False)
        if start:
            ax.axvline(start - 0.5, color="#333333", lw=1.6)
        start += k
    ax.tick_params(axis="x", top=True, labeltop=False, bottom=True, labelbottom=True)
    cb = fig.colorbar(im, cax=cax, orientation="horizontal", extend="max")
    cb.set_ticks([0, 0.5, 1.0, 1.5, 2.0])
    cb.set_ticklabels(["0", "50%", "100%（限值）", "150%", "≥200%"], fontsize=8)
    cb.ax.axvline(1.0, color="black", lw=1.6)
    cb.ax.set_title("差异系数 ÷ 限值（绿：不超过限值，红：超过限值）；格中数字为差异系数", fontsize=8.5, loc="left")
    cb.outline.set_visible(False)
    _fixed_title(fig, f"{year}年各县区差异系数" if year is not None else "各县区差异系数")
    caption = ("各县区（行）各学段各项指标（列）的校际差异系数，颜色为差异系数与限值之比：绿色不超过限值，红色超过限值；"
               "✗ 表示该项超过限值，标 ✗ 的县区至少有一项超过限值。")
    n_c = len(counties)
    failing = [f"{nm}（{int(fails.get(c, 0))} 项）" for c, nm in zip(counties[key], counties["county_name"]) if fails.get(c, 0)]
    alt = (f"{year}年 {n_c} 个县区中 {len(failing)} 个县区有差异系数超过限值"
           + ("：" + "、".join(failing) if failing else "") + "。")
    return _finish(fig, caption, alt)
