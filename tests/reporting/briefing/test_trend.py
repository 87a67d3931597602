"""The rendered trend briefing (issues 11 and 14): four areas per year, oversize series, movers by
name (escaped), and the target-year verdict — read back from the HTML."""
import html as htmllib
import re

import pandas as pd
import pytest

from balance.analysis.trend import movers
from balance.reporting import briefing as bf
from tests.hostile import IMG, active_markup, make_hostile
from tests.reporting.briefing.test_region import read_table

DEMO = "data/demo/schools.csv"
SHEET = "data/demo/county_sheet.xlsx"


def _text(s: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", s)).strip()


@pytest.fixture(scope="module")
def trend():
    bf.setup()
    # 东湖区: many sections newly pass 2024 → 2025; vetoes in 2021-2022 (data/demo/README.md)
    return bf.county_trend(DEMO, "990103", county_sheet=SHEET, target_year=2027)


def test_four_areas_per_year_equal_the_evaluation(trend):
    heads, rows = read_table(bf.trend_areas(trend).data, "四个方面逐年结论")
    ev = trend.evaluation.verdicts.sort_values("year")
    assert [t for _, t in (r[0] for r in rows)] == [str(y) for y in ev["year"]]
    col = {h: i for i, h in enumerate(heads)}
    for r, v in zip(rows, ev.itertuples(index=False)):
        assert r[col["政府保障程度"]][1] == v.government_status and r[col["一票否决"]][1] == v.veto_status
        assert r[col["四个方面综合结论"]][1] == v.verdict
    assert "存在否决事项" in {r[col["一票否决"]][1] for r in rows}


def test_movers_are_named_and_match_the_school_results(trend):
    markup = bf.trend_movers(trend).data
    heads, rows = read_table(markup, "进步与退步的学段单位")
    m = movers(trend.assessment.school_results, 2024, 2025)
    assert len(rows) == len(m) > 0
    i = heads.index("学校")
    assert [r[i][1] for r in rows] == list(m["school_name"])
    _, counts = read_table(markup, "逐年变化")
    last = counts[-1]
    assert last[0][1] == "2024→2025"
    assert int(last[1][1]) == int((m["change"] == "improved").sum())
    assert int(last[2][1]) == int((m["change"] == "fell_back").sum())


def test_oversize_series_equals_the_counts(trend):
    heads, rows = read_table(bf.trend_oversize(trend).data, "大校额、大班额逐年变化")
    o = trend.oversize.sort_values("year")
    i = heads.index("超规模学校数")
    assert [int(r[i][1]) for r in rows] == list(o["oversized_schools"])
    assert "data:image/png;base64," in bf.trend_oversize(trend).data


def test_target_year_verdict_in_headline_and_section(trend):
    from balance.analysis.trend import ON_COURSE_RULE, on_course

    status = on_course(trend.assessment, 2027)["status"].iloc[0]
    head = _text(bf.trend_headline(trend).data)
    assert f"目标年份 2027 年（资源配置）：{status}" in head
    sec = _text(bf.trend_on_course(trend).data)
    assert status in sec and ON_COURSE_RULE in sec


def test_without_sheet_or_target_every_section_still_renders(tmp_path):
    df = pd.read_csv(DEMO, dtype=str, encoding="utf-8-sig")
    df = df[(df["县区代码"] == "990103") & df["年份"].isin(["2024", "2025"])]
    m = movers(bf.county_trend(DEMO, "990103").assessment.school_results, 2024, 2025)
    code = df.loc[df["学校名称"] == m["school_name"].iloc[0], "学校标识码"].iloc[0]
    df = make_hostile(df, {}, schools={code: IMG})
    p = tmp_path / "hostile.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    t = bf.county_trend(str(p), "990103")
    for f in (bf.trend_headline, bf.trend_areas, bf.trend_movers, bf.trend_oversize, bf.trend_on_course):
        markup = f(t).data
        assert markup.strip() and active_markup(markup) == [], f.__name__
    assert htmllib.escape(IMG, quote=True) in bf.trend_movers(t).data  # the hostile name is shown, as text


def test_trend_results_json_carries_the_headline_verdict_lines(trend, tmp_path):
    """index.html quotes a trend briefing's verdict from results.json: the same lines, word for
    word, as open its headline (latest four-area verdict, latest resource verdict, on course)."""
    import json

    bf.save_results(trend, str(tmp_path))
    got = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["verdict_lines"]
    head = re.findall(r'<li class="(\w+) no-mark"><span[^>]*>.</span> (.*?)</li>', bf.trend_headline(trend).data)
    assert [(x["kind"], x["text"]) for x in got] == [(k, htmllib.unescape(t)) for k, t in head[:len(got)]]
    last = int(trend.evaluation.verdicts["year"].max())
    assert len(got) == 3 and got[0]["text"].startswith(f"{trend.county_name}督导评估四个方面综合结论：{last} 年")
    assert "目标年份 2027 年" in got[2]["text"] and "资源配置标准（四个方面之一）" in got[1]["text"]


def test_trend_cover_names_the_county_sheet_and_target_year(trend):
    text = _text(bf.cover(trend).data)
    assert "县级填报表county_sheet.xlsx" in text and "目标年份2027 年" in text
    assert f"年份{trend.years[0]}—{trend.years[-1]} 年" in text


def test_trend_texts_have_no_stray_space_and_write_year_ranges_one_way(trend):
    """No space between two Chinese characters ("南川县 督导评估…" was written), and a range of
    years is "2021—2025 年" in the headline, the captions and the figure titles alike."""
    import re

    from balance.reporting import wording
    from balance.reporting.briefing.trend import trend_verdict_lines

    span = wording.year_span(trend.years)
    assert span == f"{min(trend.years)}—{max(trend.years)} 年"
    texts = [t for t, _ in trend_verdict_lines(trend)] + [f(trend).data for f in (
        bf.trend_headline, bf.trend_areas, bf.trend_oversize, bf.trend_cv_figure)]
    assert span in texts[-1]  # the CV figure's caption
    for t in texts:
        assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", t), t
        assert not re.search(r"\d{4}–\d{4}|\d{4}—\d{4}年", t), t
    assert texts[0].startswith(f"{trend.county_name}督导评估")
    no_sheet = bf.county_trend(DEMO, "990103")
    assert any(t.startswith(f"{no_sheet.county_name}在 {span}") or "达到的年份" in t
               for t, _ in trend_verdict_lines(no_sheet))


def test_year_span():
    from balance.reporting.wording import year_span

    assert year_span([2025, 2021, 2023]) == "2021—2025 年"
    assert year_span([2024, 2024]) == "2024 年"
    assert year_span([]) == ""
