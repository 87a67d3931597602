"""One voice (issue 11): headline, scorecard and tables tell the same story under every standard."""
import re

import pandas as pd
import pytest

from balance.reporting import briefing as bf

DEMO = "data/demo/schools.csv"
SHEET = "data/demo/county_sheet.xlsx"
STANDARDS = ("quality-2017", "basic-2012", "province-example")


@pytest.fixture(scope="module")
def subset(tmp_path_factory):
    # 南川县 (990105: every section passes, one CV 0.505 over 0.45) and 青山县 (990101, passes), 2024-2025
    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    df = df[df["县区代码"].isin(["990101", "990105"]) & df["年份"].isin(["2024", "2025"])]
    p = tmp_path_factory.mktemp("voice") / "subset.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    return str(p)


def _text(h) -> str:
    return re.sub(r"<[^>]+>", "", h.data if hasattr(h, "data") else h)


def _items(h) -> list[tuple[str, str]]:
    """(mark class, text) of each headline line."""
    return [(k, re.sub(r"<[^>]+>", "", t).strip())
            for k, t in re.findall(r'<li class="(\w+) no-mark">(.*?)</li>', h.data, flags=re.S)]


@pytest.mark.parametrize("standard", STANDARDS)
def test_headline_renders_under_every_standard(subset, standard):
    # issue 11 item 7: basic-2012 has no school rule, so no passing-section count (NA)
    b = bf.county_briefing(subset, "990105", 2025, standard=standard)
    items = _items(bf.headline(b))
    assert items, "empty headline"
    v = b.verdict
    assert items[0][0] == ("pass" if v.passed else "fail")
    assert ("未达到" in items[0][1]) == (not v.passed)


@pytest.fixture(scope="module")
def with_sheet():
    # the demo county sheet lists every demo county, so it goes with the whole demo table
    return bf.county_briefing(DEMO, "990105", 2025, county_sheet=SHEET)


def test_headline_leads_with_the_four_area_verdict(with_sheet):
    # issue 11 item 1: 南川县 fails the four-area evaluation; the headline must say so first
    b = with_sheet
    ev = next(b.evaluation.verdicts.itertuples(index=False))
    items = _items(bf.headline(b))
    assert "四个方面综合结论" in items[0][1] and f"综合结论：{ev.verdict}" in items[0][1]
    assert items[0][0] == ("pass" if ev.passed else "fail")
    # every area verdict follows, with the statuses of the scorecard
    for zh, key in (("资源配置", "resource_status"), ("政府保障程度", "government_status"),
                    ("教育质量", "quality_status"), ("社会认可度", "recognition_status")):
        assert f"{zh}{getattr(ev, key)}" in items[1][1]
    # the scorecard agrees with the headline
    assert f"四个方面综合结论：{ev.verdict}" in _text(bf.scorecard(b))
    # no ✓ line claims the county passes while the overall verdict fails
    if not ev.passed:
        assert not any(k == "pass" and "达到" in t and "标准" in t and "学段单位" not in t for k, t in items)


def test_resource_allocation_alone_is_labelled_as_such(subset):
    b = bf.county_briefing(subset, "990101", 2025)
    first = _items(bf.headline(b))[0][1]
    assert "仅资源配置一项" in first and "四个方面综合结论未评估" in first
