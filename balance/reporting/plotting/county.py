"""Figures of one county: CVs against the limit, indicators per school, 城乡 (the attainment grid: .attainment)."""
from __future__ import annotations

import math
from typing import Iterable

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from balance.reporting.plotting.grid import (  # noqa: F401 - county.ATTAINMENT_CMAP … as before
    ATTAINMENT_CMAP,
    CV_RATIO_CMAP,
    _grid_mesh,
    _split_cmap,
    _text_color,
)
from balance.reporting.plotting.labels import (
    _county_label,
    _isna,
    _one_county,
    _ordered,
    _pct,
    _pct_int,
    _pick_year,
    _ref_label,
    _require,
    _section_frame,
    _status,
    _wrap,
    fmt_num,
    indicator_short,
    indicator_unit,
)
from balance.reporting.plotting.style import (
    FAIL_COLOR,
    FAIL_HATCH,
    FAIL_MARKER,
    FLOOR_COLOR,
    FLOOR_SHARE,
    LIMIT_COLOR,
    NA_COLOR,
    NA_MARKER,
    PASS_COLOR,
    PASS_MARKER,
    STAGES,
    STANDARD_COLOR,
    URBAN_RURAL,
    URBAN_RURAL_COLORS,
    _bold,
    _ensure_style,
    _finish,
    _fixed_axes,
    _fixed_figure,
    _fixed_legend,
    _fixed_title,
)


def _cv_frame(county_indicators: pd.DataFrame, year: int | None, *, judge_missing: bool):
    """One year of ``county_indicators`` with float ``cv``/``cv_limit`` and a ``cv_passed`` column
    (when absent: NA, or ``cv <= cv_limit`` when ``judge_missing``)."""
    df, year = _pick_year(county_indicators, year)
    df = df.copy()
    df["cv"] = pd.to_numeric(df["cv"], errors="coerce").astype("float64")
    if "cv_limit" not in df.columns:
        df["cv_limit"] = np.nan
    df["cv_limit"] = pd.to_numeric(df["cv_limit"], errors="coerce").astype("float64")
    if "cv_passed" not in df.columns:
        df["cv_passed"] = df["cv"] <= df["cv_limit"] if judge_missing else pd.NA
    return df, year


def _cv_row(ax, y: float, row, xmax: float) -> str | None:
    """One indicator's lollipop at height ``y``: line and marker coloured by pass/fail/NA, the value
    (with "超限" when over), the limit as a short dashed tick. Returns "pass", "fail", "na" or None (no CV)."""
    cv = row["cv"]
    st = _status(row["cv_passed"])
    color = {"pass": PASS_COLOR, "fail": FAIL_COLOR, "na": NA_COLOR}[st]
    marker = {"pass": PASS_MARKER, "fail": FAIL_MARKER, "na": NA_MARKER}[st]
    if _isna(cv):
        ax.text(0.003 * xmax, y, "无法计算（均值为 0 或无数据）", va="center", fontsize=8, color=NA_COLOR)
        return None
    ax.plot([0, cv], [y, y], color=color, lw=2.2, solid_capstyle="butt", zorder=2)
    ax.plot([cv], [y], marker=marker, ms=9 if st == "fail" else 8, color=color, mec="white",
            mew=0.8, ls="none", zorder=3)
    ax.annotate(f"{cv:.3f}" + ("  超限" if st == "fail" else ""), (cv, y), xytext=(7, 0), textcoords="offset points",
                va="center", fontsize=8.5, color=FAIL_COLOR if st == "fail" else "#333333", zorder=4,
                bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none"),
                fontweight=_bold() if st == "fail" else "normal")
    lim = row["cv_limit"]
    if not _isna(lim):
        ax.plot([lim, lim], [y - 0.42, y + 0.42], color=LIMIT_COLOR, lw=1.4, ls=(0, (3, 2)), zorder=1)
    return st


def _cv_panel(ax, stage: str, sub: pd.DataFrame, order: list[str], xmax: float, labels: bool) -> str:
    """One stage's panel of :func:`cv_chart`; returns its part of the alt text."""
    ys = np.arange(len(order))[::-1]
    fails = []
    for y, name in zip(ys, order):
        row = sub.loc[name]
        row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
        if _cv_row(ax, y, row, xmax) == "fail":
            fails.append(f"{name}（{row['cv']:.3f}）")
    limits = sorted(set(sub["cv_limit"].dropna().round(6)))
    if len(limits) == 1:
        ax.annotate(f"限值 {limits[0]:.2f}", xy=(limits[0], 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=8.5,
                    color=LIMIT_COLOR)
    ax.set_yticks(ys)
    ax.set_yticklabels([_wrap(n, 10) for n in order])
    ax.tick_params(axis="y", labelleft=labels)
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.set_xlim(0, xmax)
    ax.set_xlabel("差异系数（按学生数加权）")
    ax.grid(axis="y", visible=False)
    lim_txt = f"，限值 {limits[0]:.2f}" if len(limits) == 1 else ""
    ax.set_title(f"{stage}（{len(order)} 项{lim_txt}）", loc="left", pad=14, y=1.0)
    if sub["cv_passed"].notna().sum():
        part = f"{stage} {len(order)} 项差异系数中 {len(fails)} 项超过" + (f" {limits[0]:.2f} 限值" if len(limits) == 1 else "限值")
        return part + ("：" + "、".join(fails) if fails else "，全部达标")
    vals = "、".join(f"{n}（{_first(sub, n, 'cv'):.3f}）" for n in order if not _isna(_first(sub, n, "cv")))
    return f"{stage} {len(order)} 项差异系数（不单独判定）：{vals}"


def _cv_handles(df: pd.DataFrame) -> list:
    handles = [
        Line2D([], [], color=PASS_COLOR, marker=PASS_MARKER, ls="-", lw=2, ms=8, label="不超过限值（达标）"),
        Line2D([], [], color=FAIL_COLOR, marker=FAIL_MARKER, ls="-", lw=2, ms=9, label="超过限值（未达标）"),
    ]
    if df["cv_limit"].notna().any():
        handles.append(Line2D([], [], color=LIMIT_COLOR, ls=(0, (3, 2)), lw=1.4, label="限值"))
    if df["cv_passed"].isna().any() and df["cv"].notna().any():
        handles.append(Line2D([], [], color=NA_COLOR, marker=NA_MARKER, ls="-", lw=2, ms=7, label="不单独判定"))
    return handles


def _label_width(labels: Iterable[str], fontsize: float) -> float:
    """Inches a column of tick labels takes: the longest line at one em per character (CJK width),
    plus the tick and its padding."""
    longest = max((len(line) for s in labels for line in str(s).split("\n")), default=1)
    return longest * fontsize / 72 + 0.25


def cv_chart(county_indicators: pd.DataFrame, *, year: int | None = None) -> Figure:
    """Lollipop chart of the CV of each indicator, one panel per stage, limit as a dashed line.

    Passing CVs: green circle; over the limit: red cross and the value marked "超限"; CVs that
    decide nothing (``cv_passed`` NA): grey diamond. One county; the latest year unless ``year``.
    Fixed layout: the label column is as wide as its longest line (:func:`_label_width`).
    """
    _ensure_style()
    _require(county_indicators, ["stage", "indicator", "cv"], "cv_chart")
    _one_county(county_indicators, "cv_chart")
    df, year = _cv_frame(county_indicators, year, judge_missing=False)
    stages = _ordered(df["stage"], STAGES)
    county = _county_label(df)
    per_stage = {s: df[df["stage"] == s] for s in stages}
    orders = {s: _indicator_order(per_stage[s]["indicator"]) for s in stages}
    same = len({tuple(o) for o in orders.values()}) == 1
    n_max = max(len(o) for o in orders.values()) if orders else 1
    xmax = np.nanmax(np.concatenate([df["cv"].to_numpy(), df["cv_limit"].to_numpy(), [0.1]]))
    xmax = float(xmax) * 1.28
    label_w = _label_width([_wrap(n, 10) for o in orders.values() for n in o], 9)
    fig = _fixed_figure(5.2 * len(stages) + 1.6, 0.46 * n_max + 1.9)
    axes = _fixed_axes(fig, 1, len(stages), left=label_w, right=0.2, top=0.82, bottom=0.86,
                       wspace=0.3 if same else label_w + 0.2, sharey=same)[0]
    alt_parts = [_cv_panel(ax, stage, per_stage[stage].set_index("indicator"), orders[stage], xmax,
                           labels=not (same and k > 0))
                 for k, (ax, stage) in enumerate(zip(axes, stages))]
    handles = _cv_handles(df)
    _fixed_legend(fig, handles, ncol=len(handles))
    title_year = f"{year}年" if year is not None else ""
    _fixed_title(fig, f"{county} {title_year}资源配置指标校际差异系数".strip())
    limits_all = {s: sorted(set(per_stage[s]["cv_limit"].dropna().round(6))) for s in stages}
    lim_txt = "、".join(f"{s} {v[0]:.2f}" for s, v in limits_all.items() if len(v) == 1)
    caption = ("各项资源配置指标的校际差异系数（按学生数加权，越小越均衡）。虚线为限值"
               + (f"（{lim_txt}）" if lim_txt else "") + "，不超过限值为达标；圆点表示达标，叉号表示超过限值。")
    alt = f"{county}{title_year}差异系数：" + "；".join(alt_parts) + "。"
    return _finish(fig, caption, alt)


def _first(sub: pd.DataFrame, name: str, col: str):
    v = sub.loc[name]
    return v.iloc[0][col] if isinstance(v, pd.DataFrame) else v[col]


def _indicator_order(names: Iterable) -> list[str]:
    """Indicators in order of appearance, composite (综合…) rows last."""
    names = list(dict.fromkeys(n for n in names if not _isna(n)))
    return [n for n in names if "综合" not in str(n)] + [n for n in names if "综合" in str(n)]


def _stage_sections(section_values: pd.DataFrame, stage: str, year: int | None, what: str):
    """One stage's section rows of one year: (rows, year, county label, indicator order)."""
    _ensure_style()
    df = _section_frame(section_values, what)
    df = df[df["stage"] == stage]
    if df.empty:
        raise ValueError(f"没有{stage}的数据 / no rows for stage {stage}")
    df, year = _pick_year(df, year)
    return df, year, _county_label(df), _indicator_order(df["indicator"])


def rule_caption(n: int, min_met: int | None, floor: float) -> str:
    """The school rule in words, from the standard in use: "至少 6 项达到标准，其余 1 项不低于 85%"."""
    if min_met is None:
        return f"各项不低于标准的 {_pct(floor)}"
    return f"{n} 项中至少 {min_met} 项达到标准，其余 {n - min_met} 项不低于标准的 {_pct(floor)}"


def _panel_grid(n: int) -> tuple[int, int]:
    """Rows and columns of the small multiples: 2 columns up to 8 panels, else 3; a free slot
    for the legend when the panels fill every row."""
    ncols = 2 if n <= 8 else 3
    nrows = math.ceil((n + 1) / ncols) if n % ncols == 0 else math.ceil(n / ncols)
    return nrows, ncols


def _bars(ax, heights: np.ndarray, colors: list[str], width: float = 0.86) -> None:
    """Bars at x = 0, 1, … as one collection of rectangles (one artist, not one patch per school)."""
    from matplotlib.collections import PolyCollection

    x = np.arange(len(heights), dtype=float)
    x0, x1, h = x - width / 2, x + width / 2, np.asarray(heights, dtype=float)
    verts = np.stack([np.column_stack([x0, np.zeros_like(h)]), np.column_stack([x0, h]),
                      np.column_stack([x1, h]), np.column_stack([x1, np.zeros_like(h)])], axis=1)
    ax.add_collection(PolyCollection(verts, facecolors=colors, linewidths=0, antialiaseds=True, zorder=2))


def _value_panel(ax, sub: pd.DataFrame, name: str, colors: dict, floor: float) -> tuple[str | None, bool]:
    """One indicator's panel: sorted bars coloured by 城乡, the standard (solid) and ``floor`` of it
    (dashed), the count below the standard. Returns (alt-text part or None, all at the standard)."""
    fl = _pct(floor)
    vals = sub["value"].to_numpy(dtype=float)
    m = len(vals)
    std = sub["standard"].dropna()
    std = float(std.iloc[0]) if len(std) else float("nan")
    unit = indicator_unit(name)
    vmax = float(np.nanmax(vals)) if m else 1.0
    top_data = max(vmax, std * 1.1 if not math.isnan(std) else 0.0)
    q = float(np.nanquantile(vals, 0.9)) if m else 1.0
    top = max(std * 1.45 if not math.isnan(std) else 0.0, q * 1.3, 1e-9)
    clipped = vals > top
    if not clipped.any():
        top = top_data * 1.28
    _bars(ax, np.minimum(vals, top), [colors.get(t, "#7f7f7f") for t in sub["urban_rural"]])
    x = np.arange(m)
    if clipped.any():
        ax.plot(x[clipped], np.full(clipped.sum(), top), ls="none", marker="^", ms=5, color="#333333",
                clip_on=False, zorder=4)
        ax.annotate(f"▲ {int(clipped.sum())} 所超出纵轴（最高 {fmt_num(vmax)}）", xy=(0.01, 0.97),
                    xycoords="axes fraction", xytext=(0, -14), textcoords="offset points",
                    ha="left", va="top", fontsize=7.5, color="#333333",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
    ax.set_ylim(0, top)
    ax.set_xlim(-0.7, m - 0.3)
    ax.set_xticks([])
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=4))
    # no x ticks, so no vertical grid lines: no ax.grid(axis="x", …) call (it visits every tick of the axis)
    ax.set_title(f"{name}" + (f"（{unit}）" if unit else ""), loc="left", fontsize=10, y=1.0)
    if math.isnan(std):
        return None, False
    ax.axhline(std, color=STANDARD_COLOR, lw=1.3, zorder=3)
    ax.axhline(std * floor, color=FLOOR_COLOR, lw=1.1, ls=(0, (4, 2)), zorder=3)
    _ref_label(ax, std, f"标准 {fmt_num(std)}", STANDARD_COLOR)
    _ref_label(ax, std * floor, f"{fl} {fmt_num(std * floor)}", FLOOR_COLOR, below=True)
    below = int((vals < std - 1e-12).sum())
    below85 = int((vals < std * floor - 1e-12).sum())
    part = None
    if below:
        summary, color = f"✗ 低于标准 {below} 所" + (f"（低于{fl}：{below85} 所）" if below85 else ""), FAIL_COLOR
        worst = sub.iloc[0]
        part = (f"{name}有 {below} 所低于标准 {fmt_num(std)}{unit}" + (f"（其中 {below85} 所低于 {fl}）" if below85 else "")
                + f"，最低为{worst['school_name']}（{fmt_num(worst['value'])}）")
    else:
        summary, color = "✓ 全部达到标准", PASS_COLOR
    ax.text(0.01, 0.97, summary, transform=ax.transAxes, ha="left", va="top", fontsize=8.5, color=color,
            fontweight=_bold(), bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))
    return part, not below


def indicator_small_multiples(section_values: pd.DataFrame, stage: str, *, year: int | None = None,
                              floor: float = FLOOR_SHARE, min_met: int | None = None) -> Figure:
    """One panel per indicator: every section's value as a bar (sorted, coloured by 城乡),
    with the standard (solid line) and ``floor`` of it (dashed line; the school rule's floor ratio
    of the standard in use, ``min_met`` its count of indicators that must reach the standard).

    Fixed layout (issue 16): panels 5.6 × 2.55 in, margins in inches (:func:`_fixed_axes`), so
    drawing measures no text; the bars of a panel are one collection."""
    fl = _pct(floor)
    df, year, county, order = _stage_sections(section_values, stage, year, "indicator_small_multiples")
    n = len(order)
    nrows, ncols = _panel_grid(n)
    types = _ordered(df["urban_rural"], URBAN_RURAL)
    colors = {t: URBAN_RURAL_COLORS.get(t, "#7f7f7f") for t in types}
    has_std = bool(df["standard"].notna().any())
    handles = [Patch(facecolor=colors[t], label=t) for t in types]
    if has_std:
        handles += [Line2D([], [], color=STANDARD_COLOR, lw=1.3, label="标准"),
                    Line2D([], [], color=FLOOR_COLOR, lw=1.1, ls=(0, (4, 2)), label=f"标准的{fl}")]
    legend_below = n >= nrows * ncols
    fig = _fixed_figure(5.6 * ncols, 2.55 * nrows + 0.9 + (0.35 if legend_below else 0.0))
    axes = _fixed_axes(fig, nrows, ncols, left=0.62, right=0.15, top=0.78, bottom=0.42 + (0.4 if legend_below else 0.0),
                       wspace=0.72, hspace=0.66).ravel()
    n_sections = df["school_code"].nunique()
    alt_parts, all_ok = [], []
    values = df.dropna(subset=["value"]).sort_values("value", kind="stable")
    by_name = dict(tuple(values.groupby("indicator", sort=False)))
    for ax, name in zip(axes, order):
        sub = by_name.get(name, values.iloc[0:0])
        part, ok = _value_panel(ax, sub, name, colors, floor)
        alt_parts += [part] if part else []
        all_ok += [name] if ok else []
    for i, ax in enumerate(axes):
        if i >= n:
            ax.set_axis_off()
        elif i >= n - ncols:
            ax.set_xlabel(f"学校（按数值从低到高排列，共 {n_sections} 所）", fontsize=9)
    if legend_below:
        _fixed_legend(fig, handles, ncol=len(handles))
    else:
        axes[-1].legend(handles=handles, loc="center", ncol=1, fontsize=10, title="图例")
    title_year = f"{year}年" if year is not None else ""
    _fixed_title(fig, f"{county} {title_year}{stage}各校资源配置指标".strip())
    caption = (f"{stage}各学校（学段单位）的各项指标值，每根柱为一所学校，按数值从低到高排列，颜色表示城区、镇区、乡村。"
               + (f"实线为标准值，虚线为标准值的 {fl}（学校达标要求：{rule_caption(n, min_met, floor)}）。"
                  if has_std else "本评估标准未设学校标准值，图中不画标准线。"))
    alt = f"{county}{title_year}{stage} {n_sections} 所学校 {n} 项指标的分布：" + (
        "；".join(alt_parts) if alt_parts else ("所有指标全部学校达到标准" if has_std else "未设标准值"))
    if alt_parts and all_ok:
        alt += f"；{len(all_ok)} 项指标全部学校达标（" + "、".join(all_ok) + "）"
    return _finish(fig, caption, alt + "。")


def _urban_rural_means(df: pd.DataFrame) -> pd.DataFrame:
    """Per stage, indicator and 城乡 type: pupil-weighted mean ``Σ value·students / Σ students``,
    its ``share`` of the standard, and the number of sections ``n``."""
    df = df.assign(wx=df["value"] * df["students"])
    g = df.groupby(["stage", "indicator", "urban_rural"], sort=False).agg(
        wx=("wx", "sum"), p=("students", "sum"), standard=("standard", "first"), n=("school_code", "nunique"))
    g["mean"] = g["wx"] / g["p"]
    g["share"] = g["mean"] / g["standard"]
    return g.reset_index()


def _ur_panel(ax, stage: str, sub: pd.DataFrame, types: list[str], floor: float, cap: float) -> str:
    """One stage's grouped bars (share of the standard per 城乡 type, hatched below 100 %, capped
    at ``cap``) with lines at 100 % and ``floor``; returns its part of the alt text."""
    order = _indicator_order(sub["indicator"])
    width = 0.8 / max(1, len(types))
    ymax = 1.2
    for k, t in enumerate(types):
        st = sub[sub["urban_rural"] == t].set_index("indicator").reindex(order)
        xs = np.arange(len(order)) + (k - (len(types) - 1) / 2) * width
        shares = st["share"].to_numpy(dtype=float)
        shown = np.minimum(shares, cap)
        color = URBAN_RURAL_COLORS.get(t, "#7f7f7f")
        bars = ax.bar(xs, np.nan_to_num(shown), width=width * 0.94, color=color, linewidth=0.8, edgecolor=color, zorder=2)
        for b, s in zip(bars, shares):
            if math.isnan(s):
                continue
            if s < 1.0:
                b.set_hatch(FAIL_HATCH)
            ax.annotate(_pct_int(s), (b.get_x() + b.get_width() / 2, min(s, cap)), xytext=(0, 1.5),
                        textcoords="offset points", ha="center", va="bottom", fontsize=7,
                        color=FAIL_COLOR if s < 1 else "#333333", fontweight=_bold() if s < 1 else "normal")
        ymax = max(ymax, float(np.nanmax(shown)) if np.isfinite(shown).any() else 0)
    ax.axhline(1.0, color=STANDARD_COLOR, lw=1.3, zorder=3)
    ax.axhline(floor, color=FLOOR_COLOR, lw=1.1, ls=(0, (4, 2)), zorder=3)
    ax.set_ylim(0, ymax * 1.15)
    ax.set_xticks(np.arange(len(order)))
    ax.set_xticklabels([_wrap(indicator_short(o), 6) for o in order])
    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.set_ylabel("平均值 ÷ 标准")
    ax.grid(axis="x", visible=False)
    ax.set_title(f"{stage}", loc="left", y=1.0)
    for y, text, color in ((1.0, "标准 100%", STANDARD_COLOR), (floor, _pct(floor), FLOOR_COLOR)):
        ax.annotate(text, xy=(1.0, y), xycoords=("axes fraction", "data"), xytext=(2, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=8, color=color)
    low = sub[sub["share"] < 1.0]
    if len(low):
        items = "、".join(f"{r.urban_rural}{indicator_short(r.indicator)}（{_pct(r.share)}）" for r in low.itertuples())
        part = f"{stage}有 {len(low)} 个城乡组别的平均值低于标准：{items}"
    else:
        part = f"{stage}城区、镇区、乡村各项指标的平均值均达到标准"
    piv = sub.pivot_table(index="indicator", columns="urban_rural", values="share")
    gap = (piv.max(axis=1) - piv.min(axis=1)).dropna() if piv.shape[1] >= 2 else pd.Series(dtype=float)
    if len(gap):  # the biggest gap between types
        ind = gap.idxmax()
        hi, lo = piv.loc[ind].idxmax(), piv.loc[ind].idxmin()
        part += f"；差距最大的是{ind}，{hi} {_pct(piv.loc[ind, hi])}、{lo} {_pct(piv.loc[ind, lo])}"
    return part


def urban_rural_chart(section_values: pd.DataFrame, *, year: int | None = None, floor: float = FLOOR_SHARE) -> Figure:
    """Pupil-weighted mean of each indicator per 城区/镇区/乡村, as a share of the standard
    (one panel per stage), with lines at 100 % and ``floor`` (the standard's floor ratio).
    Fixed layout: margins in inches, the legend below the panels."""
    fl = _pct(floor)
    _ensure_style()
    df = _section_frame(section_values, "urban_rural_chart")
    _require(df, ["students"], "urban_rural_chart")
    df, year = _pick_year(df, year)
    county = _county_label(df)
    df["students"] = pd.to_numeric(df["students"], errors="coerce").astype("float64")
    df = df.dropna(subset=["value", "students"])
    g = _urban_rural_means(df)
    stages = _ordered(g["stage"], STAGES)
    types = _ordered(g["urban_rural"], URBAN_RURAL)
    n_ind = max(g[g["stage"] == s]["indicator"].nunique() for s in stages)
    counts = df.groupby("urban_rural")["school_code"].nunique()
    pupils = df.drop_duplicates(["school_code", "stage"]).groupby("urban_rural")["students"].sum()
    handles = [Patch(facecolor=URBAN_RURAL_COLORS.get(t, "#7f7f7f"),
                     label=f"{t}（{int(counts.get(t, 0))} 所，{fmt_num(pupils.get(t, 0))} 人）") for t in types]
    handles += [Patch(facecolor="#bbbbbb", hatch=FAIL_HATCH, edgecolor="#bbbbbb", label="低于标准"),
                Line2D([], [], color=STANDARD_COLOR, lw=1.3, label="标准"),
                Line2D([], [], color=FLOOR_COLOR, lw=1.1, ls=(0, (4, 2)), label=f"标准的{fl}")]
    ncol = 3 if len(handles) > 5 else len(handles)
    legend_h = 0.3 * math.ceil(len(handles) / ncol)
    fig = _fixed_figure(max(8.0, 1.25 * n_ind + 2.0), 3.3 * len(stages) + 1.0 + legend_h)
    axes = _fixed_axes(fig, len(stages), 1, left=0.85, right=0.8, top=0.66, bottom=0.52 + legend_h,
                       wspace=0.0, hspace=0.75)[:, 0]
    cap = 2.5
    alt_parts = [_ur_panel(ax, stage, g[g["stage"] == stage], types, floor, cap) for ax, stage in zip(axes, stages)]
    _fixed_legend(fig, handles, ncol=ncol)
    title_year = f"{year}年" if year is not None else ""
    _fixed_title(fig, f"{county} {title_year}城乡学校资源配置对比".strip())
    caption = ("城区、镇区、乡村学校各项指标的平均值（按学生数加权）占标准值的百分比；柱上数字为百分比，"
               f"斜线柱低于标准。实线为标准（100%），虚线为 {fl}。" + (f"超过 {cap * 100:.0f}% 的柱截断显示。"))
    alt = f"{county}{title_year}城乡对比：" + "。".join(alt_parts) + "。"
    return _finish(fig, caption, alt)
