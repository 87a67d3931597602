"""「与上年相比」 as a small table (issue 11): shares of passing sections and CVs, last year and
this year, and the schools that newly pass or fail, by name — the numbers of the headline."""
import html
import re

import pandas as pd
import pytest

from balance.reporting import briefing as bf

DEMO = "data/demo/schools.csv"
ODD = "<i>东湖区</i>启明小学 & 分校"


def _tables(h: str) -> list[list[list[str]]]:
    out = []
    for t in re.findall(r"<table.*?</table>", h, flags=re.S):
        out.append([[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                     for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)]
                    for tr in re.findall(r"<tr>(.*?)</tr>", t, flags=re.S)])
    return out


@pytest.fixture(scope="module")
def dongh(tmp_path_factory):
    # 东湖区 (990103) 2024–2025; one school that newly passes gets a name with markup
    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    df = df[(df["县区代码"] == "990103") & df["年份"].isin(["2024", "2025"])]
    df.loc[df["学校名称"] == "东湖区启明小学", "学校名称"] = ODD
    p = tmp_path_factory.mktemp("changes") / "dongh.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    return bf.county_briefing(str(p), "990103", 2025)


def test_shares_in_the_table_are_those_of_the_headline(dongh):
    b = dongh
    head = re.sub(r"<[^>]+>", "", bf.headline(b).data)
    m = re.search(r"学段单位达标率由 (\d+%) \S+至 (\d+%)", head)
    assert m, head
    header, *rows = _tables(bf.since_last_year(b).data)[0]
    share = next(r for r in rows if r[0] == "学段单位达标率")
    assert header[-2:] == ["全县 2024 年", "全县 2025 年"]
    assert share[-2:] == [m.group(1), m.group(2)]
    v = b.assessment.verdicts.set_index("year")
    for y, cell in ((2024, share[-2]), (2025, share[-1])):
        assert cell == f"{v.loc[y, 'sections_passed'] / v.loc[y, 'sections']:.0%}"


def test_every_cv_of_both_years_is_shown_with_three_decimals(dongh):
    b = dongh
    header, *rows = _tables(bf.since_last_year(b).data)[0]
    ci = b.assessment.county_indicators.set_index(["year", "stage", "indicator"])
    by_name = {r[0].replace("（差异系数）", ""): r for r in rows}
    for (y, st, ind), r in ci.iterrows():
        col = header.index(f"{st} {y} 年")
        assert by_name[ind][col].startswith(f"{r.cv:.3f}")


def test_schools_that_newly_pass_or_fail_are_named_and_escaped(dongh):
    b = dongh
    sr = b.assessment.school_results
    a = sr[sr.year == 2024].set_index(["stage", "school_code"])["school_passed"].astype(bool)
    c = sr[sr.year == 2025].set_index(["stage", "school_code"])
    both = c.index.intersection(a.index)
    changed = {(c.loc[k, "school_name"], "新达标" if c.loc[k, "school_passed"] else "新未达标")
               for k in both if bool(c.loc[k, "school_passed"]) != bool(a.loc[k])}
    assert (ODD, "新达标") in changed
    h = bf.since_last_year(b).data
    shown = {(r[2], r[0]) for r in _tables(h)[1][1:]}
    assert shown == changed
    assert "<i>东湖区</i>" not in h and "&lt;i&gt;东湖区&lt;/i&gt;" in h


def test_without_a_previous_year_there_is_no_table():
    b = bf.county_briefing(DEMO, "990103", 2025, previous_year=None)
    b.previous_year = None
    assert "<table" not in bf.since_last_year(b).data


def test_county_columns_of_the_cv_rows_say_why_they_are_empty(dongh):
    """The CVs are computed per stage (method.md), so 全县 has no CV: its cells read "—" (they
    were blank) and a note under the table says why; the share row keeps its county value."""
    b = dongh
    h = bf.since_last_year(b).data
    header, *rows = _tables(h)[0]
    county = [header.index("全县 2024 年"), header.index("全县 2025 年")]
    cvs = [r for r in rows if r[0] != "学段单位达标率"]
    assert cvs and all(r[i] == "—" for r in cvs for i in county)
    share = next(r for r in rows if r[0] == "学段单位达标率")
    assert all(share[i].endswith("%") for i in county)
    assert "没有全县合计值" in re.sub(r"<[^>]+>", "", h.split("</table>", 1)[1])
