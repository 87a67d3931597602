"""Figures: every figure renders with Chinese text and no missing glyph, and says what it shows.

Synthetic frames follow the contract of the core library (county_indicators, section_values).
Set BALANCE_FIG_DIR=/some/dir to keep the rendered PNGs for a look.
"""
from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from balance.reporting import fonts, plotting

# quality-2017 indicators and standards (method.md §3)
INDICATORS = {
    "每百名学生拥有高于规定学历教师数": (4.2, 5.3),
    "每百名学生拥有县级及以上骨干教师数": (1.0, 1.0),
    "每百名学生拥有体育、艺术专任教师数": (0.9, 0.9),
    "生均教学及辅助用房面积": (4.5, 5.8),
    "生均体育运动场馆面积": (7.5, 10.2),
    "生均教学仪器设备值": (2000.0, 2500.0),
    "每百名学生拥有网络多媒体教室数": (2.3, 2.4),
}
LIMITS = {"小学": 0.50, "初中": 0.45}
TYPES = ["城区", "镇区", "乡村"]


def make_sections(n: int = 12, year: int = 2025, seed: int = 1, county=("990101", "测试县")) -> pd.DataFrame:
    """Long-form school results: ``n`` primary and ``n`` junior sections, a few below standard."""
    rng = np.random.default_rng(seed)
    rows = []
    for stage_i, stage in enumerate(["小学", "初中"]):
        for k in range(n):
            code = f"{county[0]}{stage_i}{k:03d}"
            ur = TYPES[k % 3]
            name = f"{['城关', '河西', '东坪', '石门', '青山', '柳林'][k % 6]}{'第' + str(k + 1) if k >= 6 else ''}{'小学' if stage == '小学' else '中学'}"
            students = int(rng.integers(80, 2400))
            vals = {}
            for ind, stds in INDICATORS.items():
                std = stds[stage_i]
                factor = rng.normal(1.25, 0.25) if ur != "乡村" else rng.normal(1.05, 0.3)
                vals[ind] = (std, max(0.05, factor) * std)
            if k == 0:  # one school far above everything (clipped bars)
                vals["生均教学仪器设备值"] = (vals["生均教学仪器设备值"][0], vals["生均教学仪器设备值"][0] * 3.5)
            met = {i: v >= s for i, (s, v) in vals.items()}
            ratios = [v / s for s, v in vals.values()]
            passed = sum(met.values()) >= 6 and min(ratios) >= 0.85
            for ind, (std, v) in vals.items():
                rows.append(dict(year=year, county_code=county[0], county_name=county[1], school_code=code,
                                 school_name=name, stage=stage, urban_rural=ur, students=students, indicator=ind,
                                 value=v, standard=std, ratio=v / std, met=met[ind], school_passed=passed))
    df = pd.DataFrame(rows)
    df["met"] = df["met"].astype("boolean")
    df["school_passed"] = df["school_passed"].astype("boolean")
    return df


def county_from_sections(sec: pd.DataFrame) -> pd.DataFrame:
    """Pupil-weighted mean and population CV per county, year, stage, indicator (method.md §4)."""
    rows = []
    for (y, cc, cn, st, ind), g in sec.groupby(["year", "county_code", "county_name", "stage", "indicator"], sort=False):
        w = g["students"] / g["students"].sum()
        mean = float((w * g["value"]).sum())
        sd = float(np.sqrt((w * (g["value"] - mean) ** 2).sum()))
        cv = sd / mean
        rows.append(dict(year=y, county_code=cc, county_name=cn, stage=st, indicator=ind, value=mean, cv=cv,
                         cv_limit=LIMITS[st], cv_passed=cv <= LIMITS[st], standard=g["standard"].iloc[0]))
    df = pd.DataFrame(rows)
    df["cv_passed"] = df["cv_passed"].astype("boolean")
    return df


def make_county_indicators(years=(2025,), counties=(("990101", "测试县"),), n: int = 12) -> pd.DataFrame:
    parts = []
    for i, c in enumerate(counties):
        for j, y in enumerate(years):
            parts.append(county_from_sections(make_sections(n, y, seed=10 * i + j + 1, county=c)))
    return pd.concat(parts, ignore_index=True)


def render_png(fig: Figure, name: str | None = None, dpi: int = 150) -> bytes:
    """Render with every warning an error: a missing glyph fails the test."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(buf, format="png", dpi=dpi)
    data = buf.getvalue()
    out = os.environ.get("BALANCE_FIG_DIR")
    if out and name:
        Path(out).mkdir(parents=True, exist_ok=True)
        Path(out, f"{name}.png").write_bytes(data)
    return data


@pytest.fixture(autouse=True)
def _no_font_log_warnings(caplog):
    """matplotlib logs (not warns) "findfont: Failed to find font weight bold …": that text would
    end up in the HTML briefing, so it fails the test too."""
    yield
    bad = [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib") and r.levelno >= 30]
    assert not bad, bad


def build(func, *args, **kw) -> Figure:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return func(*args, **kw)


@pytest.fixture(scope="module")
def sections() -> pd.DataFrame:
    return make_sections(12)


@pytest.fixture(scope="module")
def county(sections) -> pd.DataFrame:
    return county_from_sections(sections)


def _check(fig: Figure, name: str) -> bytes:
    assert isinstance(fig, Figure)
    data = render_png(fig, name)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert isinstance(fig.balance_caption, str) and len(fig.balance_caption) > 10
    assert isinstance(fig.balance_alt, str) and len(fig.balance_alt) > 10
    return data


def test_house_style_sets_cjk_font_list():
    import matplotlib as mpl

    font = plotting.use_house_style()
    assert list(mpl.rcParams["font.family"]) == ["DejaVu Sans", font.family]
    assert mpl.rcParams["axes.unicode_minus"] is False
    assert mpl.rcParams["svg.fonttype"] == "path"


def test_urban_rural_colours_differ_in_lightness():
    from matplotlib.colors import to_rgb

    def lum(c):
        r, g, b = to_rgb(c)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    ls = sorted(lum(plotting.URBAN_RURAL_COLORS[t]) for t in TYPES)
    assert min(b - a for a, b in zip(ls, ls[1:])) > 0.15


def test_cv_chart(county):
    # make two junior CVs fail
    df = county.copy()
    df["cv"] = 0.2 + 0.015 * np.arange(len(df))
    jr = df.index[df["stage"] == "初中"][:2]
    df.loc[jr, "cv"] = [0.52, 0.61]
    df["cv_passed"] = (df["cv"] <= df["cv_limit"]).astype("boolean")
    fig = build(plotting.cv_chart, df)
    _check(fig, "cv_chart")
    assert "初中 7 项差异系数中 2 项超过 0.45 限值" in fig.balance_alt
    assert "0.610" in fig.balance_alt


def test_cv_chart_not_decisive_and_undefined(county):
    df = county.copy()
    df["cv_passed"] = pd.array([pd.NA] * len(df), dtype="boolean")
    df["cv_limit"] = np.nan
    df.loc[df.index[0], "cv"] = np.nan
    fig = build(plotting.cv_chart, df)
    _check(fig, "cv_chart_na")
    assert "不单独判定" in fig.balance_alt


def test_cv_chart_refuses_several_counties():
    df = make_county_indicators(counties=(("990101", "甲县"), ("990102", "乙县")))
    with pytest.raises(ValueError, match="region_cv_heatmap"):
        plotting.cv_chart(df)


def test_indicator_small_multiples(sections):
    fig = build(plotting.indicator_small_multiples, sections, "初中")
    _check(fig, "indicator_small_multiples")
    assert "初中 12 所学校 7 项指标" in fig.balance_alt
    assert len([a for a in fig.axes if a.axison]) == 7


def test_attainment_heatmap(sections):
    fig = build(plotting.attainment_heatmap, sections, "小学")
    _check(fig, "attainment_heatmap")
    n_fail = sections[(sections["stage"] == "小学") & ~sections["school_passed"]]["school_code"].nunique()
    assert f"12 所学校中 {n_fail} 所未达标" in fig.balance_alt


def test_attainment_heatmap_120_sections_grows_with_rows():
    big = make_sections(120, seed=7)
    fig = build(plotting.attainment_heatmap, big, "小学")
    small = build(plotting.attainment_heatmap, make_sections(12), "小学")
    h_big, h_small = fig.get_size_inches()[1], small.get_size_inches()[1]
    assert h_big > h_small + 20  # about 0.24 inch per row: labels stay 8 pt
    data = _check(fig, "attainment_heatmap_120")
    assert len(data) < 1_500_000


def test_urban_rural_chart(sections):
    fig = build(plotting.urban_rural_chart, sections)
    _check(fig, "urban_rural_chart")
    assert "小学" in fig.balance_alt and "初中" in fig.balance_alt


def test_urban_rural_means_are_pupil_weighted():
    sec = make_sections(6)
    sub = sec[(sec["stage"] == "小学") & (sec["urban_rural"] == "城区") & (sec["indicator"] == "生均教学仪器设备值")]
    expected = (sub["value"] * sub["students"]).sum() / sub["students"].sum() / 2000.0
    fig = build(plotting.urban_rural_chart, sec)
    ax = fig.axes[0]
    heights = sorted(round(p.get_height(), 9) for p in ax.patches)
    assert round(min(expected, 2.5), 9) in heights


def test_cv_trend_chart():
    df = make_county_indicators(years=(2022, 2023, 2024, 2025))
    fig = build(plotting.cv_trend_chart, df)
    _check(fig, "cv_trend_chart")
    assert "2022" in fig.balance_alt and "2025" in fig.balance_alt


def test_region_cv_heatmap():
    counties = tuple((f"9901{i:02d}", n) for i, n in enumerate(["甲县", "乙县", "丙区", "丁县", "戊县", "己市"], 1))
    df = make_county_indicators(counties=counties, n=9)
    df.loc[df.index[3], ["cv", "cv_passed"]] = [0.7, False]
    fig = build(plotting.region_cv_heatmap, df)
    _check(fig, "region_cv_heatmap")
    assert "6 个县区中" in fig.balance_alt


def test_pass_share_trend_from_sections_and_summary():
    sec = pd.concat([make_sections(12, y, seed=y) for y in (2023, 2024, 2025)], ignore_index=True)
    fig = build(plotting.pass_share_trend, sec)
    _check(fig, "pass_share_trend")
    share = plotting.pass_share_frame(sec)
    assert set(share.columns) >= {"year", "stage", "share", "sections", "sections_passed"}
    assert (share["sections"] == 12).all()
    summary = pd.DataFrame({"year": [2024, 2025, 2024, 2025], "stage": ["小学", "小学", "初中", "初中"],
                            "share": [0.75, 0.9, 0.5, 0.8]})
    fig2 = build(plotting.pass_share_trend, summary)
    _check(fig2, "pass_share_trend_summary")
    assert "90%" in fig2.balance_alt


def test_svg_has_no_text_elements(county):
    """svg.fonttype='path': glyphs as outlines, so the SVG does not depend on readers' fonts."""
    fig = build(plotting.cv_chart, county)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(buf, format="svg")
    svg = buf.getvalue().decode()
    assert "<text" not in svg


def test_figures_survive_a_later_seaborn_reset(sections):
    """A notebook calling sns.set_theme() again must not bring tofu back."""
    import seaborn as sns

    sns.set_theme()
    fig = build(plotting.indicator_small_multiples, sections, "小学")
    render_png(fig)


def test_wrap_keeps_punctuation_off_line_starts():
    assert plotting._wrap("每百名学生拥有体育、艺术专任教师数", 10) == "每百名学生拥有体育、\n艺术专任教师数"
    assert plotting._wrap("生均教学及辅助用房面积", 10) == "生均教学及辅\n助用房面积"


def test_fmt_num():
    assert plotting.fmt_num(2000.0) == "2,000"
    assert plotting.fmt_num(4.2) == "4.2"
    assert plotting.fmt_num(12345.6) == "12,345.6"
    assert plotting.fmt_num(float("nan")) == "—"


def test_labels_have_no_missing_glyphs():
    text = "".join(["✓✗▲≤≥÷（）：、—％㎡", plotting.fonts.CJK_SAMPLE, *INDICATORS, "元/生 人/百生 间/百生"])
    assert fonts.missing_glyphs(text) == []
