"""The rendered region overview (issues 11 and 14): read back from its HTML.

* the city total (headline and 全市合计 row) is the sum of the counties' plan costs in the table;
* each county's verdict in the region table is the first line of that county's own headline;
* a county whose sections all pass with one CV at 0.505 ranks above one where a quarter fail;
* county names that would be markup stay text.
"""
import html as htmllib
import re

import pandas as pd
import pytest

from balance.reporting import briefing as bf
from tests.hostile import SCRIPT, active_markup, make_hostile

DEMO = "data/demo/schools.csv"
SHEET = "data/demo/county_sheet.xlsx"


def _text(s: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", s)).strip()


def read_table(markup: str, caption: str) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """(headers, rows of (cell class, cell text)) of the first table whose caption contains ``caption``."""
    for t in re.findall(r"<table.*?</table>", markup, flags=re.S):
        cap = re.search(r"<caption>(.*?)</caption>", t, flags=re.S)
        if cap and caption in _text(cap.group(1)):
            heads = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", t, flags=re.S)]
            rows = [[(c, _text(x)) for c, x in re.findall(r'<td class="([^"]*)">(.*?)</td>', tr, flags=re.S)]
                    for tr in re.findall(r"<tr>(.*?)</tr>", t.split("<tbody>", 1)[1], flags=re.S)]
            return heads, rows
    raise AssertionError(f"no table with caption {caption!r}")


def _headline_items(markup: str) -> list[tuple[str, str]]:
    return [(k, _text(t)) for k, t in re.findall(r'<li class="(\w+) no-mark">(.*?)</li>', markup, flags=re.S)]


@pytest.fixture(scope="module")
def region():
    # the demo county sheet lists every demo county, so it goes with the whole demo table
    bf.setup()
    return bf.region_overview(DEMO, 2025, county_sheet=SHEET, target_year=2027)


@pytest.fixture(scope="module")
def region_html(region):
    return bf.region_table(region).data


def _column(heads, rows, head_start: str) -> list[tuple[str, str]]:
    i = next(k for k, h in enumerate(heads) if h.startswith(head_start))
    return [r[i] for r in rows]


def test_city_total_equals_the_sum_of_the_table(region, region_html):
    heads, rows = read_table(region_html, "各县区达标情况与排名")
    names = [t for _, t in _column(heads, rows, "县区")]
    costs = [t for _, t in _column(heads, rows, "最低成本达标方案")]
    assert names[-1] == "全市合计"
    county = [float(c.replace(",", "")) for c in costs[:-1]]
    total_row = float(costs[-1].replace(",", ""))
    assert len(county) == len(region.verdicts) and sum(county) > 0
    # each cell is rounded to 0.1 万元: the shown sum may differ from the shown total by rounding only
    assert abs(sum(county) - total_row) <= 0.05 * len(county) + 1e-9
    # the headline quotes the same total as the table's 全市合计 row
    lines = _headline_items(bf.region_headline(region).data)
    quoted = [re.search(r"合计约 ([\d,.]+) 万元", t) for _, t in lines]
    quoted = [float(m.group(1).replace(",", "")) for m in quoted if m]
    assert quoted == [total_row]
    # and the unrounded total is the sum of the plan's county costs (computed once, in one run)
    assert sum(c["total_cost"] for c in region.plan.counties) / 1e4 == pytest.approx(total_row, abs=0.05)


def test_verdict_per_county_equals_the_county_headline(region, region_html):
    heads, rows = read_table(region_html, "各县区达标情况与排名")
    names = [t for _, t in _column(heads, rows, "县区")][:-1]
    verdicts = _column(heads, rows, "四个方面综合结论")[:-1]
    code_of = dict(zip(region.verdicts["county_name"], region.verdicts["county_code"]))
    seen = set()
    for name, (cls, text) in zip(names, verdicts):
        b = bf.county_briefing(DEMO, code_of[name], 2025, county_sheet=SHEET)
        kind, first = _headline_items(bf.headline(b).data)[0]
        assert "四个方面综合结论" in first
        assert cls.split()[0] == kind, (name, cls, kind)
        assert f"综合结论：{text}" in first, (name, text, first)
        seen.add(text)
    assert seen == {"达到", "未达到"}  # the demo has both (青山县 is recognised)


def test_resource_only_verdict_equals_the_county_headline(tmp_path):
    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    df = df[df["县区代码"].isin(["990101", "990105"]) & df["年份"].isin(["2024", "2025"])]
    p = tmp_path / "subset.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    r = bf.region_overview(str(p), 2025)
    heads, rows = read_table(bf.region_table(r).data, "各县区达标情况与排名")
    assert not any(h.startswith("四个方面综合结论") for h in heads)
    names = [t for _, t in _column(heads, rows, "县区")]
    assert names[-1] == "全市合计"
    for name, (cls, text) in zip(names[:-1], _column(heads, rows, "资源配置")[:-1]):
        code = r.verdicts.set_index("county_name").at[name, "county_code"]
        kind, first = _headline_items(bf.headline(bf.county_briefing(str(p), code, 2025)).data)[0]
        assert cls.split()[0] == kind and "仅资源配置一项" in first
        assert (text == "达到") == ("未达到" not in first)


def test_one_cv_at_0505_ranks_above_a_quarter_of_sections_failing(region, region_html):
    rows = region.rows.set_index("county_name")
    # the demo story (data/demo/README.md): 南川县 passes every section, one junior CV 0.505 > 0.45;
    # 东湖区 2025: a quarter of its sections fail the school rule, no CV over its limit
    nc, dh = rows.loc["南川县"], rows.loc["东湖区"]
    ci = region.assessment.county_indicators
    bad = ci[(ci.year == 2025) & (ci.county_name == "南川县") & ci.decisive & ~ci.cv_passed.astype(bool)]
    assert nc.share == 1.0 and nc.fail_cvs == 1 and len(bad) == 1 and f"{bad.cv.iloc[0]:.3f}" == "0.505"
    assert dh.share <= 0.75 and dh.fail_cvs == 0
    heads, trs = read_table(region_html, "各县区达标情况与排名")
    order = [t for _, t in _column(heads, trs, "县区")]
    assert order.index("南川县") < order.index("东湖区")
    ranks = [t for _, t in _column(heads, trs, "排名")][:-1]
    assert ranks == [str(i) for i in range(1, len(ranks) + 1)]
    from balance.reporting.briefing.region import RANK_RULE

    assert RANK_RULE in _text(region_html)


def test_every_section_renders_and_names_stay_text(tmp_path):
    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    df = df[df["县区代码"].isin(["990103", "990105"]) & df["年份"].isin(["2024", "2025"])]
    df = make_hostile(df, {"990103": SCRIPT})
    p = tmp_path / "hostile.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    r = bf.region_overview(str(p), 2025, target_year=2027)
    for f in (bf.region_cover, bf.region_headline, bf.region_table, bf.region_failing, bf.region_change,
              bf.region_oversize, bf.region_on_course):
        markup = f(r).data
        assert markup.strip(), f.__name__
        assert active_markup(markup) == [], f.__name__


def test_oversize_totals_per_county_match_the_counts(region):
    from balance.analysis.oversize import oversize_counts
    from balance.io.reading import load_school_table
    from balance.method.assessment import assess

    heads, rows = read_table(bf.region_oversize(region).data, "大校额、大班额")
    table = load_school_table(DEMO)
    o = oversize_counts(table, assess(table, year=2025)).set_index("county_name")
    shown = dict(zip([t for _, t in _column(heads, rows, "县区")],
                     [int(t.replace(",", "")) for _, t in _column(heads, rows, "超规模学校数")]))
    assert shown.pop("全市合计") == int(o["oversized_schools"].sum())
    assert shown == {n: int(v) for n, v in o["oversized_schools"].items()}


def test_plan_cost_per_county_is_the_one_its_own_briefing_shows(region, region_html):
    # 南川县 fails on one CV only: its own planning section quotes the cost of its least-cost plan
    heads, rows = read_table(region_html, "各县区达标情况与排名")
    shown = dict(zip([t for _, t in _column(heads, rows, "县区")],
                     [t for _, t in _column(heads, rows, "最低成本达标方案")]))
    b = bf.county_briefing(DEMO, "990105", 2025, county_sheet=SHEET)
    first = re.search(r"([\d,]+\.\d) 万元", _text(bf.planning(b).data))  # the plan's cost comes first
    assert first and first.group(1) == shown["南川县"]


def test_since_last_year_counts_the_sections_that_moved(region):
    from balance.analysis.trend import movers

    heads, rows = read_table(bf.region_change(region).data, "与上年相比")
    m = movers(region.assessment.school_results, 2024, 2025)
    names = [t for _, t in _column(heads, rows, "县区")]
    new = [int(t) for _, t in _column(heads, rows, "新达标学段单位")]
    lost = [int(t) for _, t in _column(heads, rows, "新未达标学段单位")]
    code = dict(zip(region.verdicts["county_name"], region.verdicts["county_code"]))
    for n, a, b in zip(names, new, lost):
        mine = m[m["county_code"] == code[n]]
        assert (a, b) == (int((mine["change"] == "improved").sum()), int((mine["change"] == "fell_back").sum()))
    assert sum(new) > 0


def test_index_quotes_the_region_verdict_lines_of_its_headline(region, tmp_path):
    """results.json carries the headline's opening verdict lines, and index.html shows them word
    for word (it showed no verdict for a region overview)."""
    import json

    from balance.reporting.briefing.results import save_results
    from balance.running.index_page import _verdict_cell

    head = [(k, t.lstrip("✓✗!• ")) for k, t in _headline_items(bf.region_headline(region).data)]
    save_results(region, str(tmp_path))
    lines = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["verdict_lines"]
    assert [(d["kind"], d["text"]) for d in lines] == head[: len(lines)]
    assert len(lines) == 2 and "四个方面" in lines[0]["text"] and "资源配置" in lines[1]["text"]
    cell = _verdict_cell({"verdict_lines": lines})
    assert all(d["text"] in _text(cell) for d in lines)


def test_links_only_to_the_county_briefings_written(region):
    """``balance brief --county`` subsets the counties: the overview links only the briefings
    written beside it and names the others as 未生成 in plain text (issue 11)."""
    from dataclasses import replace

    codes = list(region.rows["county_code"])
    names = dict(zip(region.rows["county_code"], region.rows["county_name"]))
    sub = replace(region, county_briefings=codes[:2])
    markup = bf.region_table(sub).data
    hrefs = re.findall(r'<a href="([^"]+)"', markup)
    assert hrefs == [f"{c}_2025.html" for c in codes[:2]]
    rest = re.search(r"未生成 2025 年简报的县区[^<]*", markup).group(0)
    assert all(f"{htmllib.escape(names[c])}（{c}）" in rest for c in codes[2:])
    assert len(re.findall(r'<a href="', bf.region_table(region).data)) == len(codes)  # default: every county


def test_results_json_lists_the_briefings_the_overview_links(region, tmp_path):
    """``linked`` in results.json is exactly the overview's links (the batch index checks them)."""
    import json
    from dataclasses import replace

    from balance.reporting.briefing.results import save_results

    sub = replace(region, county_briefings=list(region.rows["county_code"])[1:3])
    save_results(sub, str(tmp_path))
    linked = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["linked"]
    assert [d["file"] for d in linked] == re.findall(r'<a href="([^"]+)"', bf.region_table(sub).data)
    assert len(linked) == 2


def test_region_cover_lists_the_items_of_the_county_and_trend_covers_in_their_order(region):
    """One cover, one order: the items the region cover shares with the county and trend covers
    (standard, county sheet, target year, data file, time) come in the same order."""
    trend = bf.county_trend(DEMO, "990103", county_sheet=SHEET, target_year=2027)

    def keys(markup):
        return [_text(k) for k in re.findall(r"<dt>(.*?)</dt>", markup)]

    r, t = keys(bf.region_cover(region).data), keys(bf.cover(trend).data)
    shared = [k for k in t if k in r]
    assert shared == [k for k in r if k in t] and {"县级填报表", "目标年份", "数据文件"} <= set(shared)
    plain = bf.region_overview(DEMO, 2025)
    assert "县级填报表未提供" in _text(bf.region_cover(plain).data)


def test_the_headline_quotes_a_failing_cv_with_its_limit_as_the_county_headline_does(region):
    # 南川县 初中 生均体育运动场馆面积 0.505 over the limit 0.45 (demo data; quality-2017 初中 limit)
    lines = [t for _, t in _headline_items(bf.region_headline(region).data) if t.lstrip("✓✗!• ").startswith("差异系数超限")]
    assert len(lines) == 1 and "南川县初中“生均体育运动场馆面积”0.505（限值 0.45）" in lines[0]


def test_an_undefined_cv_is_said_to_be_not_computable_never_nan():
    from types import SimpleNamespace

    from balance.reporting.narrative import cv_item

    row = SimpleNamespace(stage="初中", indicator="生均教学仪器设备值", cv=float("nan"), cv_limit=0.45)
    assert cv_item(row) == "初中“生均教学仪器设备值”无法计算"
