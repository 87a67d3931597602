"""The urban–rural bachelor-degree ratio over the years, with the target line."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from balance.reporting.plotting.style import (
    FAIL_COLOR,
    FAIL_MARKER,
    LIMIT_COLOR,
    PASS_COLOR,
    PASS_MARKER,
    _ensure_style,
    _finish,
    _fixed_axes,
    _fixed_figure,
)


def bachelor_ratio_chart(ratios: pd.DataFrame, *, county: str = "") -> Figure:
    """One county's ratio per year (:func:`balance.analysis.degrees.bachelor_ratio` rows) as a line,
    each year marked met / not met, and a dashed line at the target (≤ target is met).
    Fixed layout (margins in inches; the target's label sits in the right margin)."""
    _ensure_style()
    df = ratios.dropna(subset=["ratio"]).sort_values("year")
    target = float(ratios["target"].iloc[0])
    fig = _fixed_figure(6.4, 3.0)
    ax = _fixed_axes(fig, 1, 1, left=0.78, right=1.0, top=0.18, bottom=0.58, wspace=0.0)[0, 0]
    ax.plot(df["year"], df["ratio"], color="#444444", lw=1.5, zorder=2)
    for r in df.itertuples(index=False):
        ok = bool(r.met)
        ax.scatter([r.year], [r.ratio], s=46, zorder=3, marker=PASS_MARKER if ok else FAIL_MARKER,
                   color=PASS_COLOR if ok else FAIL_COLOR)
        ax.annotate(f"{r.ratio:.3f}", (r.year, r.ratio), textcoords="offset points", xytext=(0, 7), ha="center",
                    fontsize=8)
    ax.axhline(target, color=LIMIT_COLOR, ls="--", lw=1.2, zorder=1)
    ax.text(1.0, target, f" 目标 ≤ {target:g}", transform=ax.get_yaxis_transform(), va="center", ha="left",
            fontsize=8, color=LIMIT_COLOR)
    years = sorted(ratios["year"].unique())
    ax.set_xticks(years, [str(y) for y in years])
    top = float(np.nanmax([df["ratio"].max() if len(df) else target, target]))
    ax.set_ylim(min(0.95, float(df["ratio"].min()) - 0.02 if len(df) else 0.95), top * 1.06)
    ax.set_ylabel("城市 ÷ 农村")
    ax.set_xlabel("年份")
    groups = ratios["groups"].iloc[0]
    caption = f"{county}城乡教师本科及以上学历比例之比（{groups}；虚线为目标值 {target:g}，不高于目标为达到）"
    alt = "；".join(f"{r.year} 年 {r.ratio:.3f}{'（达到）' if r.met else '（未达到）'}" for r in df.itertuples(index=False))
    return _finish(fig, caption, alt or "无数据")
