"""The county trend briefing (县区趋势): several years of one county."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from IPython.display import HTML

from balance.io.reading import load_school_table
from balance.method.assessment import Assessment, assess
from balance.reporting import display, plotting, wording
from balance.reporting.briefing._common import _check_present, _html, _now


@dataclass
class TrendBriefing:
    assessment: Assessment
    county_code: str
    county_name: str
    years: list
    title: str
    data_path: str
    sha256: str | None
    standard_id: str
    generated: str = field(default_factory=_now)
    year: int | None = None


def county_trend(data: str, county_code: str, standard: str = "quality-2017", title: str | None = None,
                 sheet: str | None = None) -> TrendBriefing:
    """One county over every year in the data (``sheet``: the workbook's sheet holding the table)."""
    table = load_school_table(data, sheet=sheet)
    a = assess(table, standard, county=str(county_code))
    _check_present(a, str(county_code), None, table.path)
    name = a.verdicts["county_name"].iloc[0]
    years = sorted(int(y) for y in a.verdicts["year"].unique())
    return TrendBriefing(a, str(county_code), name, years, title or f"{name} {years[0]}—{years[-1]} 年义务教育均衡发展趋势",
                         table.path, table.sha256, a.standard.id)


def trend_headline(t: TrendBriefing) -> HTML:
    v = t.assessment.verdicts.sort_values("year")
    first, last = v.iloc[0], v.iloc[-1]
    lines = []
    passed_years = [int(y) for y in v.loc[v["passed"], "year"]]
    if passed_years:
        lines.append((f"{t.county_name} 在 {', '.join(map(str, passed_years))} 年达到资源配置标准。", "pass"))
    else:
        lines.append((f"{t.county_name} 在 {t.years[0]}—{t.years[-1]} 年均未达到资源配置标准。", "fail"))
    if t.assessment.standard.school_rule is not None:
        lines.append((f"学段单位达标率由 {first.sections_passed / max(first.sections, 1):.0%}（{first.year} 年）变为 "
                      f"{last.sections_passed / max(last.sections, 1):.0%}（{last.year} 年）。", "info"))
    lines.append((f"超限差异系数：{first.year} 年 {first.cvs_decisive - first.cvs_passed} 项，"
                  f"{last.year} 年 {last.cvs_decisive - last.cvs_passed} 项。", "info"))
    return display.headline(lines, title="")


def trend_cv_figure(t: TrendBriefing) -> HTML:
    return display.show_figure(plotting.cv_trend_chart(t.assessment.county_indicators))


def trend_pass_share(t: TrendBriefing) -> HTML:
    if t.assessment.standard.school_rule is None:
        return display.callout("本评估标准未规定学校达标规则，不显示达标学段单位比例。", "info")
    rule = wording.school_rule(t.assessment.standard)
    return display.show_figure(plotting.pass_share_trend(t.assessment.school_results, rule_text=rule))


def trend_means(t: TrendBriefing) -> HTML:
    """County means of every indicator per year (stage × indicator rows, year columns)."""
    ci = t.assessment.county_indicators
    ci = ci[ci["indicator"] != "综合差异系数"]
    wide = ci.pivot_table(index=["stage", "indicator"], columns="year", values="value", sort=False).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    fm = {str(y): 2 for y in t.years}
    return display.show_table(wide, columns={"stage": "学段", "indicator": "指标", **{str(y): f"{y}年" for y in t.years}},
                              formats=fm, caption="各项指标县域均值（按学生数加权）逐年变化")


def trend_movers(t: TrendBriefing) -> HTML:
    """Sections that improved (failed → passed) or fell back (passed → failed) year on year."""
    sr = t.assessment.school_results
    if t.assessment.standard.school_rule is None or len(t.years) < 2:
        return display.callout("无法比较相邻年份的学校达标情况。", "info")
    rows = []
    for y0, y1 in zip(t.years[:-1], t.years[1:]):
        a = sr[sr.year == y0].set_index(["school_code", "stage"])["school_passed"]
        b = sr[sr.year == y1].set_index(["school_code", "stage"])["school_passed"]
        both = pd.concat([a.rename("before"), b.rename("after")], axis=1, join="inner")
        rows.append({"period": f"{y0}→{y1}", "improved": int((~both.before.astype(bool) & both.after.astype(bool)).sum()),
                     "fell_back": int((both.before.astype(bool) & ~both.after.astype(bool)).sum()),
                     "still_failing": int((~both.before.astype(bool) & ~both.after.astype(bool)).sum())})
    df = pd.DataFrame(rows)
    last0, last1 = t.years[-2], t.years[-1]
    a = sr[sr.year == last0].set_index(["school_code", "stage"])
    b = sr[sr.year == last1].set_index(["school_code", "stage"])
    j = b.join(a[["school_passed"]].rename(columns={"school_passed": "before"}), how="inner")
    fell = j[j["before"].astype(bool) & ~j["school_passed"].astype(bool)].reset_index()
    parts = [display.table_html(df, columns={"period": "年度", "improved": "由未达标转为达标", "fell_back": "由达标转为未达标",
                                             "still_failing": "连续未达标"}, caption="学段单位达标状态的逐年变化（个）")]
    if len(fell):
        parts.append(display.table_html(fell, columns={"stage": "学段", "school_name": "学校", "urban_rural": "城乡",
                                                       "indicators_met": "达标指标数"},
                                        caption=f"{last1} 年由达标退回未达标的学段单位"))
    return _html(*parts)


def trend_equity(t: TrendBriefing) -> HTML:
    """Theil T between-group (城乡) share and McLoone index per indicator over the years."""
    from balance.analysis.equity import equity_table

    eq = equity_table(t.assessment, by="urban_rural")
    if eq.empty:
        return display.callout("没有可计算的学段单位。", "info")
    return display.show_figure(plotting.equity_trend_chart(eq))
