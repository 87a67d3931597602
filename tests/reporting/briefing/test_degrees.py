"""The briefing's urban–rural section shows the bachelor-degree ratio with the target (issue 14 §5);
the trend briefing and the region overview show the same rows in a table (same numbers, same cells)."""
import html as htmllib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from balance.analysis.degrees import bachelor_ratio, ratio_settings
from balance.reporting import briefing

DEMO = Path(__file__).resolve().parents[3] / "data" / "demo" / "schools.csv"
COUNTY = "990101"


@pytest.fixture(scope="module")
def with_column(tmp_path_factory) -> Path:
    """The demo table of one county with 小学本科及以上学历专任教师数 filled (a share per 城乡类型)."""
    d = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    d = d[d["县区代码"] == COUNTY].copy()
    share = d["城乡类型"].map({"城区": 0.8, "镇区": 0.7, "乡村": 0.6}).astype(float)
    d["小学本科及以上学历专任教师数"] = np.floor(d["小学专科及以上学历专任教师数"].astype(float) * share).astype(int).astype(str)
    p = tmp_path_factory.mktemp("br") / "schools.csv"
    d.to_csv(p, index=False, encoding="utf-8-sig")
    return p


def test_section_quotes_the_ratio_and_the_target_of_the_yaml(with_column):
    """A table with the column filled by the test itself (independent of the demo's own values)."""
    b = briefing.county_briefing(str(with_column), COUNTY, 2025)
    html = briefing.bachelor_ratio_section(b).data
    r = bachelor_ratio(b._table.data)
    x = r[r["year"] == 2025].iloc[0]
    target = ratio_settings()["target"]
    assert f"比为 {x['ratio']:.3f}" in html and f"≤ {target:g}" in html
    assert ("未达到目标" if x["ratio"] > target else "达到目标") in html
    assert f"{x['urban_share']:.1%}" in html and html.count(f"{x['urban_share'] * 100:.1f}%") >= 2  # sentence and table
    assert "<img" in html and "城区、镇区 ÷ 乡村" in html


def test_without_the_column_the_section_says_so(tmp_path):
    d = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    d = d[d["县区代码"] == COUNTY].drop(columns=["小学本科及以上学历专任教师数"])
    d.to_csv(tmp_path / "t.csv", index=False, encoding="utf-8-sig")
    b = briefing.county_briefing(str(tmp_path / "t.csv"), COUNTY, 2025)
    html = briefing.bachelor_ratio_section(b).data
    assert "小学本科及以上学历专任教师数" in html and "<img" not in html


def _rows(markup: str, caption: str) -> list[list[str]]:
    """The body rows (cell texts) of the table whose caption contains ``caption``."""
    for t in re.findall(r"<table.*?</table>", markup, flags=re.S):
        cap = re.search(r"<caption>(.*?)</caption>", t, flags=re.S)
        if cap and caption in htmllib.unescape(re.sub(r"<[^>]+>", "", cap.group(1))):
            body = t.split("<tbody>", 1)[1]
            return [[htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                     for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
                    for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]
    raise AssertionError(f"no table with caption {caption!r}")


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory) -> Path:
    """Two demo counties with 小学本科及以上学历专任教师数 filled by the test (shares differ by county,
    so a mix-up of counties shows), years 2024–2025."""
    d = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    d = d[d["县区代码"].isin([COUNTY, "990102"]) & d["年份"].isin(["2024", "2025"])].copy()
    base = d["城乡类型"].map({"城区": 0.8, "镇区": 0.7, "乡村": 0.6}).astype(float)
    share = np.where(d["县区代码"] == COUNTY, base, base - 0.25)
    d["小学本科及以上学历专任教师数"] = np.floor(d["小学专科及以上学历专任教师数"].astype(float) * share).astype(int).astype(str)
    p = tmp_path_factory.mktemp("br2") / "schools.csv"
    d.to_csv(p, index=False, encoding="utf-8-sig")
    return p


def test_trend_and_region_tables_equal_the_county_briefing(two_counties):
    data = str(two_counties)
    b = briefing.county_briefing(data, COUNTY, 2025)
    county_rows = _rows(briefing.bachelor_ratio_section(b).data, "城乡教师本科及以上学历比例")
    t = briefing.county_trend(data, COUNTY)
    trend_html = briefing.trend_bachelor_ratio(t).data
    trend_rows = _rows(trend_html, "城乡教师本科及以上学历比例逐年变化")
    assert trend_rows == county_rows and [r[0] for r in trend_rows] == ["2024", "2025"]
    assert "<img" not in trend_html  # a table, not a new figure
    r = briefing.region_overview(data, 2025)
    region_html = briefing.region_bachelor_ratio(r).data
    region_rows = {row[0]: row[1:] for row in _rows(region_html, "2025 年各县区城乡教师本科及以上学历比例")}
    assert "<img" not in region_html
    names = r.verdicts.set_index("county_code")["county_name"]
    assert set(region_rows) == set(names)
    assert region_rows[names[COUNTY]] == county_rows[-1][1:]  # the county briefing's 2025 row, cell for cell
    # and against the one function, independently of the rendering
    from balance.io.reading import load_school_table

    ref = bachelor_ratio(load_school_table(data))
    x = ref[(ref["county_code"] == "990102") & (ref["year"] == 2025)].iloc[0]
    assert region_rows[names["990102"]][2] == f"{x['ratio']:.3f}"
    assert region_rows[names["990102"]][0] == f"{x['urban_share'] * 100:.1f}%"


def test_trend_and_region_without_the_column_say_so(tmp_path):
    d = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    d = d[d["县区代码"].isin([COUNTY, "990102"]) & d["年份"].isin(["2024", "2025"])]
    d.drop(columns=["小学本科及以上学历专任教师数"]).to_csv(tmp_path / "t.csv", index=False, encoding="utf-8-sig")
    t = briefing.county_trend(str(tmp_path / "t.csv"), COUNTY)
    assert "小学本科及以上学历专任教师数" in briefing.trend_bachelor_ratio(t).data
    r = briefing.region_overview(str(tmp_path / "t.csv"), 2025)
    assert "小学本科及以上学历专任教师数" in briefing.region_bachelor_ratio(r).data
