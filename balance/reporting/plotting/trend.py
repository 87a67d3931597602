"""Figures over years: CV trend, pass shares, equity measures."""
from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from balance.reporting.plotting.county import _indicator_order
from balance.reporting.plotting.labels import (
    _county_label,
    _isna,
    _one_county,
    _ordered,
    _pct_int,
    _ref_label,
    _require,
    _status,
    _wrap,
    indicator_short,
)
from balance.reporting.plotting.style import (
    FAIL_COLOR,
    FAIL_MARKER,
    STAGE_COLORS,
    STAGE_STYLES,
    STAGES,
    STANDARD_COLOR,
    _ensure_style,
    _finish,
    _fixed_axes,
    _fixed_figure,
    _fixed_legend,
    _fixed_title,
)
from balance.reporting.wording import year_span


def _trend_line(ax, sub: pd.DataFrame, name: str, stage: str) -> str | None:
    """One stage's CV line of one indicator (years over the limit crossed, the latest limit dotted);
    returns its part of the alt text (first and last year), or None without a CV."""
    color = STAGE_COLORS.get(stage, "#555555")
    sty = STAGE_STYLES.get(stage, dict(ls="-", marker="o"))
    ax.plot(sub["year"], sub["cv"], color=color, lw=1.8, ms=5, label=stage, **sty)
    fails = sub[sub["cv_passed"].map(_status) == "fail"]
    if len(fails):
        ax.plot(fails["year"], fails["cv"], ls="none", marker=FAIL_MARKER, ms=9, color=FAIL_COLOR,
                mec="white", mew=0.6, zorder=4)
    lim = sub["cv_limit"].dropna()
    if len(lim):
        ax.axhline(float(lim.iloc[-1]), color=color, lw=1.0, ls=(0, (2, 2)), alpha=0.9)
    valid = sub.dropna(subset=["cv"])
    if len(valid) >= 2:
        a, b = valid.iloc[0], valid.iloc[-1]
        verb = "降至" if b["cv"] < a["cv"] else "升至" if b["cv"] > a["cv"] else "持平于"
        return (f"{name}（{stage}）由 {a['year']} 年 {a['cv']:.3f} {verb} {b['year']} 年 {b['cv']:.3f}"
                + ("，超过限值" if _status(b["cv_passed"]) == "fail" else ""))
    if len(valid) == 1:
        b = valid.iloc[0]
        return f"{name}（{stage}）{b['year']} 年 {b['cv']:.3f}"
    return None


def _trend_handles(df: pd.DataFrame, stages: list[str]) -> list:
    handles = []
    for stage in stages:
        color = STAGE_COLORS.get(stage, "#555555")
        sty = STAGE_STYLES.get(stage, dict(ls="-", marker="o"))
        handles.append(Line2D([], [], color=color, lw=1.8, ms=5, label=stage, **sty))
        lim = df[df["stage"] == stage]["cv_limit"].dropna()
        if len(lim):
            handles.append(Line2D([], [], color=color, lw=1.0, ls=(0, (2, 2)),
                                  label=f"{stage}限值 {float(lim.iloc[-1]):.2f}"))
    handles.append(Line2D([], [], ls="none", marker=FAIL_MARKER, ms=9, color=FAIL_COLOR, label="超过限值"))
    return handles


def cv_trend_chart(county_indicators_multi_year: pd.DataFrame) -> Figure:
    """CV of each indicator over the years (one panel per indicator, one line per stage), with
    each stage's limit; years over the limit marked with a red cross. One county. Fixed layout
    (panels 3.1 × 2.5 in, margins in inches)."""
    _ensure_style()
    df = county_indicators_multi_year.copy()
    _require(df, ["year", "stage", "indicator", "cv"], "cv_trend_chart")
    _one_county(df, "cv_trend_chart")
    county = _county_label(df)
    df["year"] = pd.to_numeric(df["year"]).astype(int)
    df["cv"] = pd.to_numeric(df["cv"], errors="coerce").astype("float64")
    if "cv_limit" not in df.columns:
        df["cv_limit"] = np.nan
    df["cv_limit"] = pd.to_numeric(df["cv_limit"], errors="coerce").astype("float64")
    if "cv_passed" not in df.columns:
        df["cv_passed"] = pd.NA
    years = sorted(df["year"].unique())
    order = _indicator_order(df["indicator"])
    stages = _ordered(df["stage"], STAGES)
    n = len(order)
    ncols = 4 if n > 6 else min(3, n)
    nrows = math.ceil(n / ncols)
    legend_below = n >= nrows * ncols
    rotate = len(years) > 5
    bottom = (0.62 if rotate else 0.45) + (0.4 if legend_below else 0.0)
    fig = _fixed_figure(3.1 * ncols + 0.4, 2.5 * nrows + 1.2 + (0.4 if legend_below else 0.0))
    axes = _fixed_axes(fig, nrows, ncols, left=0.78, right=0.15, top=0.85, bottom=bottom, wspace=0.5,
                       hspace=0.62, sharex=True).ravel()
    ymax = float(np.nanmax(np.concatenate([df["cv"].to_numpy(), df["cv_limit"].to_numpy(), [0.1]]))) * 1.18
    alt_parts = []
    for ax, name in zip(axes, order):
        for stage in stages:
            sub = df[(df["indicator"] == name) & (df["stage"] == stage)].sort_values("year")
            part = _trend_line(ax, sub, name, stage) if len(sub) else None
            alt_parts += [part] if part else []
        ax.set_title(_wrap(name, 12), fontsize=9.5, loc="left", y=1.0)
        ax.set_ylim(0, ymax)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], rotation=45 if rotate else 0)
        ax.grid(axis="x", visible=False)
    for i, ax in enumerate(axes):
        if i >= n:
            ax.set_axis_off()
        elif i % ncols == 0:
            ax.set_ylabel("差异系数")
    handles = _trend_handles(df, stages)
    if legend_below:
        _fixed_legend(fig, handles, ncol=len(handles))
    else:
        axes[-1].legend(handles=handles, loc="center", fontsize=9.5, title="图例")
    span = year_span(years)
    _fixed_title(fig, f"{county} {span}差异系数变化".strip())
    caption = (f"{span}各项指标校际差异系数的变化，实线为小学、虚线为初中；同色点线为该学段限值，"
               "红色叉号为超过限值的年份。差异系数越小，学校之间越均衡。")
    latest = df[df["year"] == years[-1]]
    n_fail = int((latest["cv_passed"].map(_status) == "fail").sum())
    alt = (f"{county}{span}差异系数：{years[-1]} 年共 {n_fail} 项超过限值。" + "；".join(alt_parts) + "。")
    return _finish(fig, caption, alt)


def pass_share_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Normalise the input of :func:`pass_share_trend` to year, stage, [county_name], share,
    sections, sections_passed (the last two NA when unknown).

    Accepts: section rows with ``school_passed`` (school results, long or wide); a summary with
    ``sections`` and ``sections_passed``; or a frame with ``share`` (0–1).
    """
    _require(df, ["year", "stage"], "pass_share_trend")
    keys = ["year", "stage"] + (["county_name"] if "county_name" in df.columns else [])
    if "school_passed" in df.columns and "school_code" in df.columns:
        sec = df.drop_duplicates(keys + ["school_code"]).copy()
        sec = sec[sec["school_passed"].notna()]
        sec["ok"] = sec["school_passed"].astype(bool).astype(int)
        out = sec.groupby(keys, sort=True).agg(sections=("ok", "size"), sections_passed=("ok", "sum")).reset_index()
        out["share"] = out["sections_passed"] / out["sections"]
    elif {"sections", "sections_passed"} <= set(df.columns):
        out = df[keys + ["sections", "sections_passed"]].copy()
        out["share"] = pd.to_numeric(out["sections_passed"]) / pd.to_numeric(out["sections"])
    else:
        col = next((c for c in ("share", "pass_share", "passed_share") if c in df.columns), None)
        if col is None:
            raise ValueError("pass_share_trend: 需要 school_passed、sections/sections_passed 或 share 列 / "
                             "needs school_passed, sections/sections_passed or share")
        out = df[keys].copy()
        out["share"] = pd.to_numeric(df[col], errors="coerce").astype("float64")
        if out["share"].max() > 1.0 + 1e-9:  # given in percent
            out["share"] = out["share"] / 100.0
        out["sections"] = df["sections"] if "sections" in df.columns else pd.NA
        out["sections_passed"] = df["sections_passed"] if "sections_passed" in df.columns else pd.NA
    out["year"] = pd.to_numeric(out["year"]).astype(int)
    return out.sort_values(keys).reset_index(drop=True)


def pass_share_trend(df: pd.DataFrame, *, rule_text: str = "至少 6 项指标达到标准、其余 1 项不低于 85%") -> Figure:
    """Share of sections that pass the school rule, per year and stage (one county: one panel with
    a line per stage; several counties: one panel per stage with a line per county). Fixed layout:
    margins in inches (:func:`_fixed_axes`), drawn once."""
    _ensure_style()
    data = pass_share_frame(df)
    multi = "county_name" in data.columns and data["county_name"].nunique() > 1
    county = _county_label(data)
    years = sorted(data["year"].unique())
    stages = _ordered(data["stage"], STAGES)
    npanels = len(stages) if multi else 1
    legend_h = 0.0 if multi else 0.35  # one county: the stages' legend below the panel
    fig = _fixed_figure(max(6.5, 0.9 * len(years) + 3.5) * (1 if npanels == 1 else 0.8) * npanels, 4.4 + legend_h)
    axes = _fixed_axes(fig, 1, npanels, left=0.85, right=0.2, top=0.75 if multi else 0.55, bottom=0.62 + legend_h,
                       wspace=0.3, sharey=True)[0]
    alt_parts = []

    def _label(r) -> str:
        s = f"{_pct_int(r.share)}%"
        if not _isna(r.sections):
            s += f"（{int(r.sections_passed)}/{int(r.sections)}）"
        return s

    if not multi:
        ax = axes[0]
        # per year, the higher point is labelled above and the lower one below: no collisions
        rank = data.groupby("year")["share"].rank(method="first", ascending=False)
        for k, stage in enumerate(stages):
            sub = data[data["stage"] == stage]
            color = STAGE_COLORS.get(stage, "#555555")
            sty = STAGE_STYLES.get(stage, dict(ls="-", marker="o"))
            ax.plot(sub["year"], sub["share"], color=color, lw=2, ms=6, label=stage, **sty)
            for idx, r in zip(sub.index, sub.itertuples()):
                above = rank[idx] == 1 or len(stages) == 1
                ax.annotate(_label(r), (r.year, r.share), xytext=(0, 8 if above else -9), textcoords="offset points",
                            ha="center", va="bottom" if above else "top", fontsize=8, color=color,
                            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8))
            last = sub.iloc[-1]
            part = f"{stage} {int(last['year'])} 年 {last['share'] * 100:.0f}% 的学校达标"
            if not _isna(last["sections"]):
                part += f"（{int(last['sections_passed'])}/{int(last['sections'])}）"
            if len(sub) > 1:
                part += f"，{int(sub.iloc[0]['year'])} 年为 {sub.iloc[0]['share'] * 100:.0f}%"
            alt_parts.append(part)
        _fixed_legend(fig, ax.get_legend_handles_labels()[0], ncol=len(stages))
    else:
        palette = ["#1f4e79", "#e08214", "#3a9e8f", "#8c564b", "#9467bd", "#d1495b", "#7f7f7f", "#bcbd22",
                   "#17becf", "#2ca02c"]
        markers = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">"]
        for ax, stage in zip(axes, stages):
            sub = data[data["stage"] == stage]
            for k, (c, g) in enumerate(sub.groupby("county_name", sort=True)):
                ax.plot(g["year"], g["share"], color=palette[k % 10], marker=markers[k % 10], lw=1.6, ms=5, label=c)
            ax.set_title(stage, loc="left", y=1.0)
            last = sub[sub["year"] == sub["year"].max()]
            alt_parts.append(f"{stage} {int(last['year'].max())} 年各县区学校达标比例 "
                             + "、".join(f"{r.county_name} {r.share * 100:.0f}%" for r in last.itertuples()))
        axes[-1].legend(loc="lower left", fontsize=8, ncol=2)
    for ax in axes:
        ax.axhline(1.0, color=STANDARD_COLOR, lw=1.2, ls=(0, (4, 2)))
        ax.annotate("全部学校达标（县域要求）", xy=(0.0, 1.0), xycoords=("axes fraction", "data"), xytext=(2, 3),
                    textcoords="offset points", ha="left", va="bottom", fontsize=8, color=STANDARD_COLOR)
        ax.set_ylim(-0.12 if not multi else 0, 1.12)
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years])
        pad = 0.35 if len(years) > 1 else 0.6
        ax.set_xlim(years[0] - pad, years[-1] + pad)
        ax.set_xlabel("年份")
        ax.grid(axis="x", visible=False)
    axes[0].set_ylabel("达标学校比例")
    span = year_span(years)
    _fixed_title(fig, f"{county} {span}达标学校比例".strip())
    caption = (f"达到学校达标要求（{rule_text}）的学校（学段单位）所占比例；"
               "县域通过要求所有学校达标（虚线 100%）。" + ("点旁数字为达标学校数/参评学校数。" if data["sections"].notna().any() else ""))
    alt = f"{county}{span}达标学校比例：" + "；".join(alt_parts) + "。"
    return _finish(fig, caption, alt)


def equity_trend_chart(equity: pd.DataFrame) -> Figure:
    """Urban/rural share of inequality (Theil T between-group share) and the McLoone index over
    the years, one line per indicator, one row per stage. One county.

    ``equity`` is :func:`balance.analysis.equity.equity_table` output (columns year, county_name, stage,
    indicator, theil_t_between_share, mcloone). McLoone = 1 means the pupils below the median get
    the median level; the reference line marks it. Fixed layout: margins in inches
    (:func:`_fixed_axes`), the legend below in rows of four, drawn once.
    """
    _ensure_style()
    df = equity.copy()
    _require(df, ["year", "stage", "indicator", "theil_t_between_share", "mcloone"], "equity_trend_chart")
    _one_county(df, "equity_trend_chart")
    county = _county_label(df)
    df["year"] = pd.to_numeric(df["year"]).astype(int)
    years = sorted(df["year"].unique())
    stages = _ordered(df["stage"], STAGES)
    order = _indicator_order(df["indicator"])
    legend_h = 0.1 + 0.25 * math.ceil(len(order) / 4)  # the legend below: 4 indicators a row
    fig = _fixed_figure(11.5, 3.2 * len(stages) + 1.0 + legend_h)
    axes = _fixed_axes(fig, len(stages), 2, left=0.7, right=0.2, top=0.8, bottom=0.42 + legend_h, wspace=0.85,
                       hspace=0.7)
    colors = dict(zip(order, [
        "#1f4e79", "#3a9e8f", "#e0a526", "#b2182b", "#6a3d9a", "#8c564b", "#4d4d4d", "#2b8cbe"]))
    markers = dict(zip(order, ["o", "s", "^", "D", "v", "P", "X", "*"]))
    alt_parts = []
    for row, stage in enumerate(stages):
        sub = df[df["stage"] == stage]
        for col, (measure, label) in enumerate([("theil_t_between_share", "城乡间差异占泰尔T的比例"),
                                                ("mcloone", "McLoone 指数")]):
            ax = axes[row][col]
            for name in order:
                s = sub[sub["indicator"] == name].sort_values("year")
                if s.empty:
                    continue
                ax.plot(s["year"], s[measure].astype(float), color=colors.get(name, "#555"),
                        marker=markers.get(name, "o"), ms=4.5, lw=1.5, label=indicator_short(name))
            if measure == "mcloone":
                ax.axhline(1.0, color=STANDARD_COLOR, lw=1.0)
                _ref_label(ax, 1.0, "1 = 低于中位数的学生达到中位水平", STANDARD_COLOR, below=True)
            else:
                ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
            ax.set_title(f"{stage}：{label}", loc="left", fontsize=10, y=1.0)
            ax.set_xticks(years)
            ax.grid(axis="x", visible=False)
        last = sub[sub["year"] == years[-1]]
        if len(last):
            top = last.sort_values("theil_t_between_share", ascending=False).iloc[0]
            alt_parts.append(f"{stage}{years[-1]}年城乡间差异占比最高的是{indicator_short(top['indicator'])}"
                             f"（{top['theil_t_between_share']:.0%}）")
    handles, labels = axes[0][0].get_legend_handles_labels()
    _fixed_legend(fig, handles, ncol=min(4, max(1, len(labels))))
    _fixed_title(fig, f"{county} 公平性指标变化")
    caption = ("左：泰尔T指数中城区、镇区、乡村之间差异所占比例（其余为同类学校内部差异）；"
               "右：McLoone 指数（中位数以下学生获得的资源 ÷ 中位数水平，越接近 1 越好）。按学生数加权。")
    alt = f"{county} {year_span(years)}公平性指标：".lstrip() + "；".join(alt_parts) + "。"
    return _finish(fig, caption, alt)


def oversize_trend_chart(counts: pd.DataFrame) -> Figure:
    """Oversized schools (left) and classes over the class-size limit per stage (right) over the
    years, for one county (the rows of :func:`balance.analysis.oversize.oversize_counts`). Fixed
    layout: margins in inches (:func:`_fixed_axes`), drawn once."""
    _ensure_style()
    _require(counts, ["year", "oversized_schools", "primary_oversized_classes", "junior_oversized_classes"],
             "oversize_trend_chart")
    _one_county(counts, "oversize_trend_chart")
    df = counts.sort_values("year")
    county = _county_label(df)
    years = [int(y) for y in df["year"]]
    fig = _fixed_figure(max(7.0, 1.2 * len(years) + 4.5), 3.6)
    ax1, ax2 = _fixed_axes(fig, 1, 2, left=0.6, right=0.2, top=0.78, bottom=0.62, wspace=0.75)[0]
    ax1.bar(years, df["oversized_schools"], color=FAIL_COLOR, width=0.6)
    for y, v in zip(years, df["oversized_schools"]):
        ax1.annotate(f"{int(v)}", (y, v), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=8)
    ax1.set_title("超规模学校数（所）", loc="left", y=1.0)
    for stage, col in (("小学", "primary_oversized_classes"), ("初中", "junior_oversized_classes")):
        sty = STAGE_STYLES.get(stage, dict(ls="-", marker="o"))
        ax2.plot(years, df[col], color=STAGE_COLORS.get(stage, "#555555"), lw=2, ms=6, label=stage, **sty)
        for y, v in zip(years, df[col]):
            ax2.annotate(f"{int(v)}", (y, v), xytext=(0, 5), textcoords="offset points", ha="center", va="bottom",
                         fontsize=8, color=STAGE_COLORS.get(stage, "#555555"))
    ax2.set_title("超标班额班数（个）", loc="left", y=1.0)
    ax2.legend(loc="upper right", fontsize=8)
    for ax in (ax1, ax2):
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years])
        ax.set_xlabel("年份")
        ax.set_ylim(bottom=0, top=max(1.0, ax.get_ylim()[1] * 1.15))
        ax.grid(axis="x", visible=False)
    span = year_span(years)
    _fixed_title(fig, f"{county} {span}大校额、大班额".strip())
    last = df.iloc[-1]
    alt = (f"{county}{span}超规模学校数：" + "、".join(f"{y} 年 {int(v)} 所" for y, v in zip(years, df["oversized_schools"]))
           + f"；{years[-1]} 年超标班额班数小学 {int(last['primary_oversized_classes'])} 个、初中 "
           f"{int(last['junior_oversized_classes'])} 个。")
    caption = (f"超规模学校：义务教育阶段在校生超过 {int(last['school_size_cap'])} 人（一贯制学校 "
               f"{int(last['school_size_cap_combined'])} 人）；超标班额：小学班额超过 {int(last['primary_class_limit'])} 人、"
               f"初中超过 {int(last['junior_class_limit'])} 人的班级。")
    return _finish(fig, caption, alt)
