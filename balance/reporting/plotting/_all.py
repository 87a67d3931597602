"""Figures for the briefings: one house style, Chinese labels, standards drawn as reference lines.

Every figure function takes the tidy frames of the core library and returns a
:class:`matplotlib.figure.Figure` (never calls ``plt.show``). The figure carries two attributes
used by :func:`balance.reporting.display.show_figure`:

``fig.balance_caption``
    a caption for the ``<figcaption>`` (what is drawn and how to read it);
``fig.balance_alt``
    an alt text written from the data ("初中 7 项差异系数中 2 项超过 0.45 限值：…"), for screen
    readers and for readers of a text-only copy.

Figures are made with :class:`matplotlib.figure.Figure` directly, not through pyplot, so the
notebook's inline backend does not display them a second time.

Input frames (contract with the core library)
---------------------------------------------
county_indicators
    year, county_code, county_name, stage ('小学'/'初中'), indicator, value, cv, cv_limit,
    cv_passed (bool, NA when not decisive), standard (NA when none).
section_values (school results, long form)
    year, county_code, county_name, school_code, school_name, stage, urban_rural
    ('城区'/'镇区'/'乡村'), students, indicator, value, standard, ratio, met, school_passed.

Accessibility: pass/fail is shown by colour *and* by marker or hatch; the three 城乡 colours
also differ in lightness, so figures stay readable in grey print.
"""
from __future__ import annotations

import functools
import math
import textwrap
from typing import Iterable, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap, TwoSlopeNorm, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from balance.reporting import fonts

# ---------------------------------------------------------------------------------------------
# house style

STAGES: tuple[str, ...] = ("小学", "初中")
URBAN_RURAL: tuple[str, ...] = ("城区", "镇区", "乡村")

#: 城乡 colours: dark blue / mid teal / light sand (CIE L* ≈ 32 / 59 / 81, distinct in grey).
URBAN_RURAL_COLORS = {"城区": "#1f4e79", "镇区": "#3a9e8f", "乡村": "#e9c46a"}
#: Stage colours (L* ≈ 46 / 63) — lines also differ by style and marker.
STAGE_COLORS = {"小学": "#2c6fbb", "初中": "#e08214"}
STAGE_STYLES = {"小学": dict(ls="-", marker="o"), "初中": dict(ls="--", marker="s")}

PASS_COLOR = "#1a7f4b"
FAIL_COLOR = "#d1495b"
NA_COLOR = "#9e9e9e"
PASS_MARKER = "o"
FAIL_MARKER = "X"
NA_MARKER = "D"
FAIL_HATCH = "////"

STANDARD_COLOR = "#222222"   # the standard (100 %): solid line
FLOOR_COLOR = "#666666"      # 85 % of the standard: dashed line
LIMIT_COLOR = "#b2182b"      # CV limit: dashed line
FLOOR_SHARE = 0.85           # school rule: the one missed indicator must reach 85 % of its standard

PALETTE = [URBAN_RURAL_COLORS[k] for k in URBAN_RURAL] + ["#8c564b", "#7f7f7f", "#9467bd"]

_style_applied = False


def house_rc() -> dict:
    """rcParams of the house style (fonts included)."""
    rc = dict(fonts.rc_params())
    rc.update({
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        "axes.titlesize": 11,
        "axes.titleweight": fonts.bold_weight(),
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "legend.title_fontsize": 9,
        "figure.titlesize": 13,
        "figure.titleweight": fonts.bold_weight(),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#888888",
        "grid.color": "#e3e3e3",
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "hatch.linewidth": 0.8,
        "hatch.color": "#ffffff",
        # names from the data are drawn as written: "$x$" in a school name is not mathtext (and
        # "$\\frac$" would otherwise abort the figure with a parse error)
        "text.parse_math": False,
    })
    return rc


def use_house_style() -> fonts.CJKFont:
    """Apply the house style globally (seaborn theme + Chinese font). Returns the CJK font.

    ``sns.set_theme`` resets ``font.family``; the same font list is passed as its ``font=``.
    """
    global _style_applied
    import seaborn as sns

    font = fonts.configure_matplotlib()
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font=font.font_family(),
                  rc=house_rc())
    _style_applied = True
    return font


def _bold() -> str:
    """Bold when the Chinese font has a bold face, else normal (see :func:`fonts.bold_weight`)."""
    return fonts.bold_weight()


def _ensure_style() -> None:
    font = fonts.find_cjk_font()
    if not _style_applied or list(mpl.rcParams["font.family"]) != font.font_family():
        use_house_style()


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _finish(fig: Figure, caption: str, alt: str) -> Figure:
    fig.balance_caption = caption
    fig.balance_alt = alt
    return fig


# ---------------------------------------------------------------------------------------------
# labels and numbers

@functools.lru_cache(maxsize=1)
def _indicator_meta() -> dict[str, tuple[str, str]]:
    """indicator name → (short label, unit), read from the bundled standard files."""
    meta: dict[str, tuple[str, str]] = {}
    try:
        from importlib.resources import files

        import yaml

        folder = files("balance").joinpath("data", "standards")
        for f in sorted(folder.iterdir(), key=lambda p: p.name):
            if f.name.endswith((".yaml", ".yml")):
                doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
                for ind in doc.get("indicators", []) or []:
                    name = ind.get("name")
                    if name and name not in meta:
                        meta[name] = (ind.get("short") or name, ind.get("unit") or "")
    except Exception:  # noqa: BLE001 - labels are cosmetic: fall back to full names
        pass
    return meta


def indicator_short(name: str) -> str:
    """Short label of an indicator (e.g. 仪器设备), or the name itself."""
    return _indicator_meta().get(name, (name, ""))[0]


def indicator_unit(name: str) -> str:
    """Unit of an indicator (e.g. 元/生), or ''."""
    return _indicator_meta().get(name, (name, ""))[1]


def _wrap(text: str, width: int = 10) -> str:
    """Wrap Chinese text (no spaces) every ``width`` characters."""
    if len(text) <= width:
        return text
    lines = math.ceil(len(text) / width)
    per = math.ceil(len(text) / lines)
    parts = textwrap.wrap(text, width=per, break_long_words=True, break_on_hyphens=False)
    for i in range(1, len(parts)):  # no line starts with closing punctuation (、，。）)
        while parts[i] and parts[i][0] in _NO_LINE_START:
            parts[i - 1] += parts[i][0]
            parts[i] = parts[i][1:]
    return "\n".join(p for p in parts if p)


_NO_LINE_START = "、，。；：？！）」』】%％"


def fmt_num(x, decimals: int | None = None) -> str:
    """Readable number: thousands separators, no needless trailing zeros (2000 → '2,000')."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return "—"
    x = float(x)
    if decimals is None:
        if abs(x - round(x)) < 1e-9:
            decimals = 0
        elif abs(x) >= 100:
            decimals = 1
        elif abs(x) >= 0.1:
            decimals = 2
        else:
            decimals = 4
        s = f"{x:,.{decimals}f}"
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return s
    return f"{x:,.{decimals}f}"


def _pct(x: float, decimals: int = 0) -> str:
    return "—" if pd.isna(x) else f"{x * 100:.{decimals}f}%"


def _pct_int(v: float) -> str:
    """Whole percent, never rounded up onto a threshold: 0.996 → "99" (not a pass-looking "100"),
    0.849 → "84"."""
    r = round(v * 100)
    for limit in (1.0, FLOOR_SHARE):  # 0.849 → "84", not "85"
        if v < limit and r >= round(limit * 100):
            r = round(limit * 100) - 1
    return f"{r:.0f}"


def _isna(x) -> bool:
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _status(v) -> str:
    """'pass', 'fail' or 'na' from a nullable boolean."""
    if _isna(v):
        return "na"
    return "pass" if bool(v) else "fail"


def _ordered(values: Iterable, order: Sequence[str]) -> list:
    vals = list(dict.fromkeys(v for v in values if not _isna(v)))
    return [o for o in order if o in vals] + [v for v in vals if v not in order]


def _require(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: 缺少列 / missing columns {missing}")


def _pick_year(df: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    if "year" not in df.columns or df.empty:
        return df, year
    if year is None:
        year = int(pd.to_numeric(df["year"]).max())
    out = df[pd.to_numeric(df["year"]) == year]
    if out.empty:
        raise ValueError(f"没有 {year} 年的数据 / no rows for year {year}")
    return out, year


def _county_label(df: pd.DataFrame) -> str:
    if "county_name" not in df.columns:
        return ""
    names = list(dict.fromkeys(df["county_name"].dropna().astype(str)))
    if len(names) == 1:
        return names[0]
    if len(names) <= 3:
        return "、".join(names)
    return f"{len(names)} 个县区"


def _one_county(df: pd.DataFrame, what: str) -> None:
    key = "county_code" if "county_code" in df.columns else "county_name" if "county_name" in df.columns else None
    if key and df[key].nunique(dropna=True) > 1:
        raise ValueError(f"{what} 只画一个县区；多个县区请用 region_cv_heatmap / {what} draws one county; "
                         f"for several counties use region_cv_heatmap")


def _ref_label(ax, y: float, text: str, color: str, below: bool = False, side: str = "left") -> None:
    """A label at one end of a horizontal reference line (axes x, data y), above or below it."""
    x, dx, ha = (0.0, 3, "left") if side == "left" else (1.0, -2, "right")
    ax.annotate(text, xy=(x, y), xycoords=("axes fraction", "data"), xytext=(dx, -2 if below else 2),
                textcoords="offset points", ha=ha, va="top" if below else "bottom", fontsize=8,
                color=color, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))


def _section_frame(section_values: pd.DataFrame, what: str) -> pd.DataFrame:
    _require(section_values, ["school_code", "stage", "indicator", "value", "standard"], what)
    df = section_values.copy()
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
    df["standard"] = pd.to_numeric(df["standard"], errors="coerce").astype("float64")
    if "ratio" not in df.columns:
        df["ratio"] = df["value"] / df["standard"]
    else:
        df["ratio"] = pd.to_numeric(df["ratio"], errors="coerce").astype("float64")
        fill = df["ratio"].isna() & df["standard"].gt(0)
        df.loc[fill, "ratio"] = df.loc[fill, "value"] / df.loc[fill, "standard"]
    if "school_name" not in df.columns:
        df["school_name"] = df["school_code"].astype(str)
    if "urban_rural" not in df.columns:
        df["urban_rural"] = "未分类"
    return df


# ---------------------------------------------------------------------------------------------
# 1. CV per indicator vs limit

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


def cv_chart(county_indicators: pd.DataFrame, *, year: int | None = None) -> Figure:
    """Lollipop chart of the CV of each indicator, one panel per stage, limit as a dashed line.

    Passing CVs: green circle; over the limit: red cross and the value marked "超限"; CVs that
    decide nothing (``cv_passed`` NA): grey diamond. One county; the latest year unless ``year``.
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

    fig = _figure(5.2 * len(stages) + 1.6, 0.46 * n_max + 1.9)
    axes = fig.subplots(1, len(stages), sharey=same, squeeze=False)[0]
    alt_parts = []
    for k, (ax, stage) in enumerate(zip(axes, stages)):
        sub = per_stage[stage].set_index("indicator")
        order = orders[stage]
        ys = np.arange(len(order))[::-1]
        n_fail = 0
        fails = []
        for y, name in zip(ys, order):
            row = sub.loc[name]
            if isinstance(row, pd.DataFrame):
                row = row.iloc[0]
            cv = row["cv"]
            st = _status(row["cv_passed"])
            color = {"pass": PASS_COLOR, "fail": FAIL_COLOR, "na": NA_COLOR}[st]
            marker = {"pass": PASS_MARKER, "fail": FAIL_MARKER, "na": NA_MARKER}[st]
            if _isna(cv):
                ax.text(0.003 * xmax, y, "无法计算（均值为 0 或无数据）", va="center", fontsize=8, color=NA_COLOR)
                continue
            ax.plot([0, cv], [y, y], color=color, lw=2.2, solid_capstyle="butt", zorder=2)
            ax.plot([cv], [y], marker=marker, ms=9 if st == "fail" else 8, color=color, mec="white",
                    mew=0.8, ls="none", zorder=3)
            label = f"{cv:.3f}" + ("  超限" if st == "fail" else "")
            ax.annotate(label, (cv, y), xytext=(7, 0), textcoords="offset points", va="center", fontsize=8.5,
                        color=FAIL_COLOR if st == "fail" else "#333333", zorder=4,
                        bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none"),
                        fontweight=_bold() if st == "fail" else "normal")
            if st == "fail":
                n_fail += 1
                fails.append(f"{name}（{cv:.3f}）")
            lim = row["cv_limit"]
            if not _isna(lim):
                ax.plot([lim, lim], [y - 0.42, y + 0.42], color=LIMIT_COLOR, lw=1.4, ls=(0, (3, 2)), zorder=1)
        limits = sorted(set(sub["cv_limit"].dropna().round(6)))
        if len(limits) == 1:
            ax.annotate(f"限值 {limits[0]:.2f}", xy=(limits[0], 1.0), xycoords=("data", "axes fraction"),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=8.5,
                        color=LIMIT_COLOR)
        ax.set_yticks(ys)
        ax.set_yticklabels([_wrap(n, 10) for n in order])
        if same and k > 0:
            ax.tick_params(axis="y", labelleft=False)
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.set_xlim(0, xmax)
        ax.set_xlabel("差异系数（按学生数加权）")
        ax.grid(axis="y", visible=False)
        decisive = sub["cv_passed"].notna().sum()
        lim_txt = f"，限值 {limits[0]:.2f}" if len(limits) == 1 else ""
        ax.set_title(f"{stage}（{len(order)} 项{lim_txt}）", loc="left", pad=14)
        if decisive:
            part = f"{stage} {len(order)} 项差异系数中 {n_fail} 项超过" + (f" {limits[0]:.2f} 限值" if len(limits) == 1 else "限值")
            part += "：" + "、".join(fails) if fails else "，全部达标"
        else:
            vals = "、".join(f"{n}（{_first(sub, n, 'cv'):.3f}）" for n in order if not _isna(_first(sub, n, "cv")))
            part = f"{stage} {len(order)} 项差异系数（不单独判定）：{vals}"
        alt_parts.append(part)

    handles = [
        Line2D([], [], color=PASS_COLOR, marker=PASS_MARKER, ls="-", lw=2, ms=8, label="不超过限值（达标）"),
        Line2D([], [], color=FAIL_COLOR, marker=FAIL_MARKER, ls="-", lw=2, ms=9, label="超过限值（未达标）"),
    ]
    if df["cv_limit"].notna().any():
        handles.append(Line2D([], [], color=LIMIT_COLOR, ls=(0, (3, 2)), lw=1.4, label="限值"))
    if df["cv_passed"].isna().any() and df["cv"].notna().any():
        handles.append(Line2D([], [], color=NA_COLOR, marker=NA_MARKER, ls="-", lw=2, ms=7,
                                 label="不单独判定"))
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))
    title_year = f"{year}年" if year is not None else ""
    fig.suptitle(f"{county} {title_year}资源配置指标校际差异系数".strip())
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


# ---------------------------------------------------------------------------------------------
# 2. small multiples of section values

def _stage_sections(section_values: pd.DataFrame, stage: str, year: int | None, what: str):
    """One stage's section rows of one year: (rows, year, county label, indicator order)."""
    _ensure_style()
    df = _section_frame(section_values, what)
    df = df[df["stage"] == stage]
    if df.empty:
        raise ValueError(f"没有{stage}的数据 / no rows for stage {stage}")
    df, year = _pick_year(df, year)
    return df, year, _county_label(df), _indicator_order(df["indicator"])


def indicator_small_multiples(section_values: pd.DataFrame, stage: str, *, year: int | None = None) -> Figure:
    """One panel per indicator: every section's value as a bar (sorted, coloured by 城乡),
    with the standard (solid line) and 85 % of it (dashed line)."""
    df, year, county, order = _stage_sections(section_values, stage, year, "indicator_small_multiples")
    n = len(order)
    ncols = 2 if n <= 8 else 3
    nrows = math.ceil((n + 1) / ncols) if n % ncols == 0 else math.ceil(n / ncols)
    fig = _figure(5.6 * ncols, 2.55 * nrows + 0.9)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    types = _ordered(df["urban_rural"], URBAN_RURAL)
    colors = {t: URBAN_RURAL_COLORS.get(t, "#7f7f7f") for t in types}
    n_sections = df["school_code"].nunique()
    alt_parts = []
    all_ok = []
    for ax, name in zip(axes, order):
        sub = df[df["indicator"] == name].dropna(subset=["value"]).sort_values("value", kind="stable")
        vals = sub["value"].to_numpy(dtype=float)
        m = len(vals)
        x = np.arange(m)
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
        ax.bar(x, np.minimum(vals, top), width=0.86, linewidth=0,
               color=[colors.get(t, "#7f7f7f") for t in sub["urban_rural"]])
        if clipped.any():
            ax.plot(x[clipped], np.full(clipped.sum(), top), ls="none", marker="^", ms=5, color="#333333",
                    clip_on=False, zorder=4)
        if not math.isnan(std):
            ax.axhline(std, color=STANDARD_COLOR, lw=1.3, zorder=3)
            ax.axhline(std * FLOOR_SHARE, color=FLOOR_COLOR, lw=1.1, ls=(0, (4, 2)), zorder=3)
            _ref_label(ax, std, f"标准 {fmt_num(std)}", STANDARD_COLOR)
            _ref_label(ax, std * FLOOR_SHARE, f"85% {fmt_num(std * FLOOR_SHARE)}", FLOOR_COLOR, below=True)
        ax.set_ylim(0, top)
        ax.set_xlim(-0.7, m - 0.3)
        ax.set_xticks([])
        ax.grid(axis="x", visible=False)
        ax.set_title(f"{name}" + (f"（{unit}）" if unit else ""), loc="left", fontsize=10)
        if not math.isnan(std):
            below = int((vals < std - 1e-12).sum())
            below85 = int((vals < std * FLOOR_SHARE - 1e-12).sum())
            if below:
                summary = f"✗ 低于标准 {below} 所" + (f"（低于85%：{below85} 所）" if below85 else "")
                color = FAIL_COLOR
                worst = sub.iloc[0]
                alt_parts.append(f"{name}有 {below} 所低于标准 {fmt_num(std)}{unit}"
                                 + (f"（其中 {below85} 所低于 85%）" if below85 else "")
                                 + f"，最低为{worst['school_name']}（{fmt_num(worst['value'])}）")
            else:
                summary = "✓ 全部达到标准"
                color = PASS_COLOR
                all_ok.append(name)
            ax.text(0.01, 0.97, summary, transform=ax.transAxes, ha="left", va="top", fontsize=8.5, color=color,
                    fontweight=_bold(), bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))
        if clipped.any():
            ax.annotate(f"▲ {int(clipped.sum())} 所超出纵轴（最高 {fmt_num(vmax)}）", xy=(0.01, 0.97),
                        xycoords="axes fraction", xytext=(0, -14), textcoords="offset points",
                        ha="left", va="top", fontsize=7.5, color="#333333",
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
    for i, ax in enumerate(axes):
        if i >= n:
            ax.set_axis_off()
        elif i >= n - ncols:
            ax.set_xlabel(f"学校（按数值从低到高排列，共 {n_sections} 所）", fontsize=9)
    handles = [Patch(facecolor=colors[t], label=t) for t in types]
    handles += [Line2D([], [], color=STANDARD_COLOR, lw=1.3, label="标准"),
                Line2D([], [], color=FLOOR_COLOR, lw=1.1, ls=(0, (4, 2)), label="标准的85%")]
    if n < len(axes):
        axes[-1].legend(handles=handles, loc="center", ncol=1, fontsize=10, title="图例")
    else:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))
    title_year = f"{year}年" if year is not None else ""
    fig.suptitle(f"{county} {title_year}{stage}各校资源配置指标".strip())
    caption = (f"{stage}各学校（学段单位）的各项指标值，每根柱为一所学校，按数值从低到高排列，颜色表示城区、镇区、乡村。"
               "实线为国家标准，虚线为标准的 85%（学校达标要求：至少 6 项达到标准，其余 1 项不低于 85%）。")
    alt = f"{county}{title_year}{stage} {n_sections} 所学校 {n} 项指标的分布：" + (
        "；".join(alt_parts) if alt_parts else "所有指标全部学校达到标准")
    if alt_parts and all_ok:
        alt += f"；{len(all_ok)} 项指标全部学校达标（" + "、".join(all_ok) + "）"
    return _finish(fig, caption, alt + "。")


# ---------------------------------------------------------------------------------------------
# 3. attainment heatmap (section × indicator)

def _split_cmap(low: Sequence[str], high: Sequence[str], n: int = 128) -> ListedColormap:
    """A colormap with a visible step in the middle: ``low`` colours below, ``high`` above."""
    def ramp(cols):
        cols = np.array([to_rgb(c) for c in cols])
        t = np.linspace(0, 1, n)
        pos = np.linspace(0, 1, len(cols))
        return np.column_stack([np.interp(t, pos, cols[:, i]) for i in range(3)])
    return ListedColormap(np.vstack([ramp(low), ramp(high)])).with_extremes(bad="#eeeeee")


#: Below the standard: reds (dark = far below); at or above: blues. The step at 1.0 is visible.
ATTAINMENT_CMAP = _split_cmap(["#8b1a1a", "#d6604d", "#f4a582", "#fbe0d0"], ["#deebf7", "#9ecae1", "#4292c6", "#08519c"])
#: CV ÷ limit: at or under the limit blues-to-white-ish greens; over the limit reds.
CV_RATIO_CMAP = _split_cmap(["#e8f1e4", "#c7e0bd", "#8cc084", "#3f8f4f"][::-1], ["#fbd5c5", "#f4a582", "#d6604d", "#8b1a1a"])


def _grid_mesh(ax, data: np.ndarray, cmap, norm):
    """Cells as vector quads (row 0 at the top, white gaps): faster than imshow for tall grids."""
    nrows, ncols = data.shape
    mesh = ax.pcolormesh(np.arange(ncols + 1) - 0.5, np.arange(nrows + 1) - 0.5, np.ma.masked_invalid(data),
                         cmap=cmap, norm=norm, edgecolors="white", linewidth=1.0)
    ax.set_xlim(-0.5, ncols - 0.5)
    ax.set_ylim(nrows - 0.5, -0.5)
    return mesh


def _text_color(rgba) -> str:
    """Black or white text, whichever reads better on the cell colour."""
    r, g, b = rgba[:3]
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.45 else "#1a1a1a"


def attainment_heatmap(section_values: pd.DataFrame, stage: str, *, year: int | None = None,
                       annotate: bool = True) -> Figure:
    """Section × indicator grid of value ÷ standard (red below 100 %, blue above), 85 % marked on the
    colour bar. Failing sections come first and are marked ✗. Height grows with the number of
    sections so 120 sections stay legible."""
    df, year, county, order = _stage_sections(section_values, stage, year, "attainment_heatmap")
    grid = df.pivot_table(index="school_code", columns="indicator", values="ratio", aggfunc="first")
    grid = grid.reindex(columns=order)
    info = df.groupby("school_code", sort=False).agg(school_name=("school_name", "first"))
    if "school_passed" in df.columns:
        info["passed"] = df.groupby("school_code", sort=False)["school_passed"].first()
    else:
        met = grid.ge(1.0).sum(axis=1)
        info["passed"] = (met >= len(order) - 1) & grid.min(axis=1).ge(FLOOR_SHARE)
    info = info.reindex(grid.index)
    info["n_met"] = grid.ge(1.0 - 1e-12).sum(axis=1)
    info["min_ratio"] = grid.min(axis=1)
    info["fail_key"] = info["passed"].map(lambda v: 0 if _status(v) == "fail" else 1)
    info = info.sort_values(["fail_key", "n_met", "min_ratio"], kind="stable")
    grid = grid.loc[info.index]
    nrows, ncols = grid.shape
    names = info["school_name"].astype(str)
    dup = names.duplicated(keep=False)
    names = names.where(~dup, names + "（" + info.index.astype(str) + "）")
    labels = [("✗ " if _status(p) == "fail" else "") + nm for nm, p in zip(names, info["passed"])]

    row_h = 0.24
    label_w = min(3.2, 0.6 + 0.13 * max(len(s) for s in labels))
    width = label_w + 0.95 * ncols + 0.6
    cbar_h, head_h = 0.18, 1.0
    height = head_h + cbar_h + row_h * nrows + 0.4
    fig = _figure(max(width, 7.0), height)
    gs = fig.add_gridspec(2, 1, height_ratios=[cbar_h, row_h * nrows + 0.6])
    cax = fig.add_subplot(gs[0])
    ax = fig.add_subplot(gs[1])
    norm = TwoSlopeNorm(vmin=0.4, vcenter=1.0, vmax=2.0)
    data = grid.to_numpy(dtype=float)
    im = _grid_mesh(ax, data, ATTAINMENT_CMAP, norm)
    ax.set_xticks(np.arange(ncols))
    stds = [df.loc[df["indicator"] == c, "standard"].dropna() for c in order]
    col_labels = [f"{indicator_short(c)}\n标准 {fmt_num(s.iloc[0]) if len(s) else '—'}" for c, s in zip(order, stds)]
    ax.set_xticklabels(col_labels, fontsize=8.5)
    ax.tick_params(axis="x", top=True, labeltop=True, bottom=nrows > 30, labelbottom=nrows > 30, length=0)
    ax.set_yticks(np.arange(nrows))
    ax.set_yticklabels(labels, fontsize=8)
    for tick, p in zip(ax.get_yticklabels(), info["passed"]):
        if _status(p) == "fail":
            tick.set_color(FAIL_COLOR)
            tick.set_fontweight(_bold())
    ax.tick_params(axis="y", length=0)
    ax.grid(False)
    for s in ax.spines.values():
        s.set_visible(False)
    n_fail_sections = int((info["fail_key"] == 0).sum())
    if n_fail_sections and n_fail_sections < nrows:
        ax.axhline(n_fail_sections - 0.5, color="#333333", lw=1.4)
    if annotate:
        fs = 7.5 if nrows <= 60 else 7
        for i in range(nrows):
            for j in range(ncols):
                v = data[i, j]
                if math.isnan(v):
                    txt, color, weight = "—", "#666666", "normal"
                else:
                    txt = ("▼" if v < FLOOR_SHARE else "") + f"{_pct_int(v)}%"
                    color = _text_color(ATTAINMENT_CMAP(norm(v)))
                    weight = _bold() if v < FLOOR_SHARE else "normal"
                ax.text(j, i, txt, ha="center", va="center", fontsize=fs, color=color, fontweight=weight,
                        in_layout=False)
    cb = fig.colorbar(im, cax=cax, orientation="horizontal", extend="both")
    ticks = [0.4, 0.6, 0.85, 1.0, 1.5, 2.0]
    cb.set_ticks(ticks)
    cb.set_ticklabels(["≤40%", "60%", "85%", "100%", "150%", "≥200%"], fontsize=8)
    cb.ax.axvline(FLOOR_SHARE, color="black", lw=1.6, ls=(0, (2, 1)))
    cb.ax.axvline(1.0, color="black", lw=1.6)
    cb.ax.set_title("达成率 = 学校指标值 ÷ 标准（红：低于标准，蓝：达到标准；虚线 85%，▼ 低于 85%）", fontsize=8.5, loc="left")
    cb.outline.set_visible(False)
    cax.set_box_aspect(None)
    title_year = f"{year}年" if year is not None else ""
    fig.suptitle(f"{county} {title_year}{stage}各校指标达成率".strip())
    n_cells_low = int(np.nansum(data < FLOOR_SHARE))
    caption = (f"{stage}每所学校（行）各项指标（列）的达成率：指标值除以国家标准。红色低于标准，蓝色达到标准，"
               "▼ 表示低于标准的 85%；标 ✗ 的学校未达到学校达标要求（6 项达标且其余 1 项不低于 85%），排在最前。")
    worst = info[info["fail_key"] == 0].head(5)
    alt = (f"{county}{title_year}{stage} {nrows} 所学校中 {n_fail_sections} 所未达标"
           + ("：" + "、".join(f"{names[c]}（{int(r.n_met)} 项达标，最低 {_pct(r.min_ratio)}）" for c, r in worst.iterrows())
              + ("等" if n_fail_sections > 5 else "") if n_fail_sections else "")
           + f"；共有 {n_cells_low} 个指标值低于标准的 85%。")
    return _finish(fig, caption, alt)


# ---------------------------------------------------------------------------------------------
# 4. urban / rural comparison

def urban_rural_chart(section_values: pd.DataFrame, *, year: int | None = None) -> Figure:
    """Pupil-weighted mean of each indicator per 城区/镇区/乡村, as a share of the standard
    (one panel per stage), with lines at 100 % and 85 %."""
    _ensure_style()
    df = _section_frame(section_values, "urban_rural_chart")
    _require(df, ["students"], "urban_rural_chart")
    df, year = _pick_year(df, year)
    county = _county_label(df)
    df["students"] = pd.to_numeric(df["students"], errors="coerce").astype("float64")
    df = df.dropna(subset=["value", "students"])
    df["wx"] = df["value"] * df["students"]
    g = df.groupby(["stage", "indicator", "urban_rural"], sort=False).agg(
        wx=("wx", "sum"), p=("students", "sum"), standard=("standard", "first"), n=("school_code", "nunique"))
    g["mean"] = g["wx"] / g["p"]
    g["share"] = g["mean"] / g["standard"]
    g = g.reset_index()
    stages = _ordered(g["stage"], STAGES)
    types = _ordered(g["urban_rural"], URBAN_RURAL)
    n_ind = max(g[g["stage"] == s]["indicator"].nunique() for s in stages)
    fig = _figure(max(8.0, 1.25 * n_ind + 2.0), 3.3 * len(stages) + 1.0)
    axes = fig.subplots(len(stages), 1, squeeze=False)[:, 0]
    alt_parts = []
    cap = 2.5
    for ax, stage in zip(axes, stages):
        sub = g[g["stage"] == stage]
        order = _indicator_order(sub["indicator"])
        width = 0.8 / max(1, len(types))
        ymax = 1.2
        for k, t in enumerate(types):
            st = sub[sub["urban_rural"] == t].set_index("indicator").reindex(order)
            xs = np.arange(len(order)) + (k - (len(types) - 1) / 2) * width
            shares = st["share"].to_numpy(dtype=float)
            shown = np.minimum(shares, cap)
            bars = ax.bar(xs, np.nan_to_num(shown), width=width * 0.94, color=URBAN_RURAL_COLORS.get(t, "#7f7f7f"),
                          linewidth=0.8, edgecolor=URBAN_RURAL_COLORS.get(t, "#7f7f7f"), zorder=2)
            for b, s in zip(bars, shares):
                if math.isnan(s):
                    continue
                if s < 1.0:
                    b.set_hatch(FAIL_HATCH)
                lab = _pct_int(s)
                ax.annotate(lab, (b.get_x() + b.get_width() / 2, min(s, cap)), xytext=(0, 1.5),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7,
                            color=FAIL_COLOR if s < 1 else "#333333", fontweight=_bold() if s < 1 else "normal")
            ymax = max(ymax, float(np.nanmax(shown)) if np.isfinite(shown).any() else 0)
        ax.axhline(1.0, color=STANDARD_COLOR, lw=1.3, zorder=3)
        ax.axhline(FLOOR_SHARE, color=FLOOR_COLOR, lw=1.1, ls=(0, (4, 2)), zorder=3)
        ax.set_ylim(0, ymax * 1.15)
        ax.set_xticks(np.arange(len(order)))
        ax.set_xticklabels([_wrap(indicator_short(o), 6) for o in order])
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.set_ylabel("平均值 ÷ 标准")
        ax.grid(axis="x", visible=False)
        ax.set_title(f"{stage}", loc="left")
        ax.annotate("标准 100%", xy=(1.0, 1.0), xycoords=("axes fraction", "data"), xytext=(2, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=8, color=STANDARD_COLOR)
        ax.annotate("85%", xy=(1.0, FLOOR_SHARE), xycoords=("axes fraction", "data"), xytext=(2, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=8, color=FLOOR_COLOR)
        low = sub[sub["share"] < 1.0]
        if len(low):
            items = "、".join(f"{r.urban_rural}{indicator_short(r.indicator)}（{_pct(r.share)}）" for r in low.itertuples())
            alt_parts.append(f"{stage}有 {len(low)} 个城乡组别的平均值低于标准：{items}")
        else:
            alt_parts.append(f"{stage}城区、镇区、乡村各项指标的平均值均达到标准")
        # biggest gap between types
        piv = sub.pivot_table(index="indicator", columns="urban_rural", values="share")
        if piv.shape[1] >= 2:
            gap = (piv.max(axis=1) - piv.min(axis=1)).dropna()
            if len(gap):
                ind = gap.idxmax()
                hi, lo = piv.loc[ind].idxmax(), piv.loc[ind].idxmin()
                alt_parts[-1] += (f"；差距最大的是{ind}，{hi} {_pct(piv.loc[ind, hi])}、{lo} {_pct(piv.loc[ind, lo])}")
    counts = df.groupby("urban_rural")["school_code"].nunique()
    pupils = df.drop_duplicates(["school_code", "stage"]).groupby("urban_rural")["students"].sum()
    handles = [Patch(facecolor=URBAN_RURAL_COLORS.get(t, "#7f7f7f"),
                     label=f"{t}（{int(counts.get(t, 0))} 所，{fmt_num(pupils.get(t, 0))} 人）") for t in types]
    handles += [Patch(facecolor="#bbbbbb", hatch=FAIL_HATCH, edgecolor="#bbbbbb", label="低于标准"),
                Line2D([], [], color=STANDARD_COLOR, lw=1.3, label="标准"),
                Line2D([], [], color=FLOOR_COLOR, lw=1.1, ls=(0, (4, 2)), label="标准的85%")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3 if len(handles) > 5 else len(handles))
    title_year = f"{year}年" if year is not None else ""
    fig.suptitle(f"{county} {title_year}城乡学校资源配置对比".strip())
    caption = ("城区、镇区、乡村学校各项指标的平均值（按学生数加权）占国家标准的百分比；柱上数字为百分比，"
               "斜线柱低于标准。实线为标准（100%），虚线为 85%。" + (f"超过 {cap * 100:.0f}% 的柱截断显示。"))
    alt = f"{county}{title_year}城乡对比：" + "。".join(alt_parts) + "。"
    return _finish(fig, caption, alt)


# ---------------------------------------------------------------------------------------------
# 5. CV trend over years

def cv_trend_chart(county_indicators_multi_year: pd.DataFrame) -> Figure:
    """CV of each indicator over the years (one panel per indicator, one line per stage), with
    each stage's limit; years over the limit marked with a red cross. One county."""
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
    fig = _figure(3.1 * ncols + 0.4, 2.5 * nrows + 1.2)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
    ymax = float(np.nanmax(np.concatenate([df["cv"].to_numpy(), df["cv_limit"].to_numpy(), [0.1]]))) * 1.18
    alt_parts = []
    for ax, name in zip(axes, order):
        for stage in stages:
            sub = df[(df["indicator"] == name) & (df["stage"] == stage)].sort_values("year")
            if sub.empty:
                continue
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
                alt_parts.append(f"{name}（{stage}）由 {a['year']} 年 {a['cv']:.3f} {verb} {b['year']} 年 {b['cv']:.3f}"
                                 + ("，超过限值" if _status(b["cv_passed"]) == "fail" else ""))
            elif len(valid) == 1:
                b = valid.iloc[0]
                alt_parts.append(f"{name}（{stage}）{b['year']} 年 {b['cv']:.3f}")
        ax.set_title(_wrap(name, 12), fontsize=9.5, loc="left")
        ax.set_ylim(0, ymax)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], rotation=0 if len(years) <= 5 else 45)
        ax.grid(axis="x", visible=False)
    for i, ax in enumerate(axes):
        if i >= n:
            ax.set_axis_off()
        elif i % ncols == 0:
            ax.set_ylabel("差异系数")
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
    if n < len(axes):
        axes[-1].legend(handles=handles, loc="center", fontsize=9.5, title="图例")
    else:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))
    span = f"{years[0]}–{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
    fig.suptitle(f"{county} {span}差异系数变化".strip())
    caption = (f"{span}各项指标校际差异系数的变化，实线为小学、虚线为初中；同色点线为该学段限值，"
               "红色叉号为超过限值的年份。差异系数越小，学校之间越均衡。")
    latest = df[df["year"] == years[-1]]
    n_fail = int((latest["cv_passed"].map(_status) == "fail").sum())
    alt = (f"{county}{span}差异系数：{years[-1]} 年共 {n_fail} 项超过限值。" + "；".join(alt_parts) + "。")
    return _finish(fig, caption, alt)


# ---------------------------------------------------------------------------------------------
# 6. region: county × indicator CV ÷ limit

def region_cv_heatmap(county_indicators: pd.DataFrame, *, year: int | None = None) -> Figure:
    """County × (stage, indicator) grid of CV ÷ limit (green within the limit, red above), the CV
    written in each cell; counties with any CV over the limit are marked ✗."""
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
    label_w = min(2.6, 0.6 + 0.14 * max(len(s) for s in labels))
    fig = _figure(max(7.5, label_w + 0.7 * ncols + 0.8), 2.6 + 0.32 * nrows)
    gs = fig.add_gridspec(2, 1, height_ratios=[0.18, 0.32 * nrows + 1.2])
    cax = fig.add_subplot(gs[0])
    ax = fig.add_subplot(gs[1])
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
    ax.set_xticklabels([_wrap(indicator_short(i), 4) for _, i in cols], fontsize=8.5)
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
    fig.suptitle(f"{year}年各县区差异系数" if year is not None else "各县区差异系数")
    caption = ("各县区（行）各学段各项指标（列）的校际差异系数，颜色为差异系数与限值之比：绿色不超过限值，红色超过限值；"
               "✗ 表示该项超过限值，标 ✗ 的县区至少有一项超过限值。")
    n_c = len(counties)
    failing = [f"{nm}（{int(fails.get(c, 0))} 项）" for c, nm in zip(counties[key], counties["county_name"]) if fails.get(c, 0)]
    alt = (f"{year}年 {n_c} 个县区中 {len(failing)} 个县区有差异系数超过限值"
           + ("：" + "、".join(failing) if failing else "") + "。")
    return _finish(fig, caption, alt)


# ---------------------------------------------------------------------------------------------
# 7. share of passing sections over years

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


def pass_share_trend(df: pd.DataFrame) -> Figure:
    """Share of sections that pass the school rule, per year and stage (one county: one panel with
    a line per stage; several counties: one panel per stage with a line per county)."""
    _ensure_style()
    data = pass_share_frame(df)
    multi = "county_name" in data.columns and data["county_name"].nunique() > 1
    county = _county_label(data)
    years = sorted(data["year"].unique())
    stages = _ordered(data["stage"], STAGES)
    npanels = len(stages) if multi else 1
    fig = _figure(max(6.5, 0.9 * len(years) + 3.5) * (1 if npanels == 1 else 0.8) * npanels, 4.4)
    axes = fig.subplots(1, npanels, squeeze=False, sharey=True)[0]
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
        fig.legend(loc="outside lower center", ncol=len(stages))
    else:
        palette = ["#1f4e79", "#e08214", "#3a9e8f", "#8c564b", "#9467bd", "#d1495b", "#7f7f7f", "#bcbd22",
                   "#17becf", "#2ca02c"]
        markers = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">"]
        for ax, stage in zip(axes, stages):
            sub = data[data["stage"] == stage]
            for k, (c, g) in enumerate(sub.groupby("county_name", sort=True)):
                ax.plot(g["year"], g["share"], color=palette[k % 10], marker=markers[k % 10], lw=1.6, ms=5, label=c)
            ax.set_title(stage, loc="left")
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
    span = f"{years[0]}–{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
    fig.suptitle(f"{county} {span}达标学校比例".strip())
    caption = ("达到学校达标要求（至少 6 项指标达到标准、其余 1 项不低于 85%）的学校（学段单位）所占比例；"
               "县域通过要求所有学校达标（虚线 100%）。" + ("点旁数字为达标学校数/参评学校数。" if data["sections"].notna().any() else ""))
    alt = f"{county}{span}达标学校比例：" + "；".join(alt_parts) + "。"
    return _finish(fig, caption, alt)


__all__ = [
    "ATTAINMENT_CMAP",
    "CV_RATIO_CMAP",
    "FAIL_COLOR",
    "FAIL_HATCH",
    "FAIL_MARKER",
    "NA_COLOR",
    "PASS_COLOR",
    "PASS_MARKER",
    "STAGE_COLORS",
    "URBAN_RURAL_COLORS",
    "attainment_heatmap",
    "cv_chart",
    "cv_trend_chart",
    "fmt_num",
    "house_rc",
    "indicator_short",
    "indicator_small_multiples",
    "indicator_unit",
    "pass_share_frame",
    "pass_share_trend",
    "region_cv_heatmap",
    "urban_rural_chart",
    "use_house_style",
]


# ---------------------------------------------------------------------------------------------
# 8. equity measures over years

def equity_trend_chart(equity: pd.DataFrame) -> Figure:
    """Urban/rural share of inequality (Theil T between-group share) and the McLoone index over
    the years, one line per indicator, one row per stage. One county.

    ``equity`` is :func:`balance.analysis.equity.equity_table` output (columns year, county_name, stage,
    indicator, theil_t_between_share, mcloone). McLoone = 1 means the pupils below the median get
    the median level; the reference line marks it.
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
    fig = _figure(11.5, 3.2 * len(stages) + 1.3)
    axes = fig.subplots(len(stages), 2, squeeze=False)
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
            ax.set_title(f"{stage}：{label}", loc="left", fontsize=10)
            ax.set_xticks(years)
            ax.grid(axis="x", visible=False)
        last = sub[sub["year"] == years[-1]]
        if len(last):
            top = last.sort_values("theil_t_between_share", ascending=False).iloc[0]
            alt_parts.append(f"{stage}{years[-1]}年城乡间差异占比最高的是{indicator_short(top['indicator'])}"
                             f"（{top['theil_t_between_share']:.0%}）")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(4, max(1, len(labels))))
    fig.suptitle(f"{county} 公平性指标变化")
    caption = ("左：泰尔T指数中城区、镇区、乡村之间差异所占比例（其余为同类学校内部差异）；"
               "右：McLoone 指数（中位数以下学生获得的资源 ÷ 中位数水平，越接近 1 越好）。按学生数加权。")
    alt = f"{county}{years[0]}—{years[-1]}年公平性指标：" + "；".join(alt_parts) + "。"
    return _finish(fig, caption, alt)
