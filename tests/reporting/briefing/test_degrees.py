"""The briefing's urban–rural section shows the bachelor-degree ratio with the target (issue 14 §5)."""
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
