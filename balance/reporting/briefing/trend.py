"""The county trend briefing (县区趋势): several years of one county."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from IPython.display import HTML

from balance.method.assessment import Assessment
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
    county_sheet: str | None = None
    target_year: int | None = None
    evaluation: object = None        # four areas per year (with a county sheet)
    oversize: pd.DataFrame | None = None
    bachelor: pd.DataFrame | None = None  # bachelor-degree ratio per year (briefing.degrees.trend_bachelor_ratio)


def county_trend(data: str, county_code: str, standard: str = "quality-2017", title: str | None = None,
                 county_sheet: str | None = None, target_year: int | None = None,
                 sheet: str | None = None) -> TrendBriefing:
    """One county over every year in the data (four areas per year when a county sheet is given;
    ``sheet``: the workbook's sheet holding the table)."""
    from balance.analysis.oversize import oversize_counts
    from balance.method import cache

    table = cache.school_table(data, sheet)
    a = cache.county_assessment(table, standard, str(county_code))
    _check_present(a, str(county_code), None, table.path)
    name = a.verdicts["county_name"].iloc[0]
    years = sorted(int(y) for y in a.verdicts["year"].unique())
    t = TrendBriefing(a, str(county_code), name, years, title or f"{name} {wording.year_span(years)}义务教育均衡发展趋势",
                      table.path, table.sha256, a.standard.id, county_sheet=county_sheet,
                      target_year=None if target_year is None else int(target_year))
    if county_sheet:
        from balance.method.evaluation import evaluate

        t.evaluation = evaluate(table, county_sheet, a.standard, county=str(county_code), other_counties="ignore")
    t.oversize = oversize_counts(table, a)
    t.bachelor = _bachelor(table, str(county_code))
    return t


def _bachelor(table, county_code: str) -> pd.DataFrame:
    """The county's rows of :func:`balance.analysis.degrees.bachelor_ratio`, as the county briefing computes them."""
    from balance.analysis.degrees import bachelor_ratio

    return bachelor_ratio(table.data[table.data["county_code"] == county_code])


def trend_verdict_lines(t: TrendBriefing) -> list[tuple[str, str]]:
    """The verdict lines that open the trend headline, as ``(text, kind)``: the latest year's
    four-area verdict (with a county sheet), the latest year's resource-allocation verdict
    (labelled as one area of four) and, with a target year, whether the county is on course.
    ``results.json`` carries them so ``index.html`` quotes them word for word."""
    v = t.assessment.verdicts.sort_values("year")
    last = v.iloc[-1]
    lines = []
    if t.evaluation is not None:
        ev = t.evaluation.verdicts.sort_values("year")
        ok = [int(y) for y in ev.loc[ev["passed"].astype(bool), "year"]]
        lv = ev.iloc[-1]
        lines.append((f"{t.county_name}督导评估四个方面综合结论：{int(lv.year)} 年{lv.verdict}"
                      + (f"；达到的年份：{'、'.join(map(str, ok))}。" if ok else f"；{wording.year_span(t.years)}均未达到。"),
                      "pass" if bool(lv.passed) else "fail"))
    passed_years = [int(y) for y in v.loc[v["passed"].astype(bool), "year"]]
    if passed_years:
        word = "达到" if bool(last.passed) else "未达到"
        lines.append((f"{t.county_name} {int(last.year)} 年{word}资源配置标准（四个方面之一）；"
                      f"达到的年份：{'、'.join(map(str, passed_years))}。", "pass" if bool(last.passed) else "warn"))
    else:
        lines.append((f"{t.county_name}在 {wording.year_span(t.years)}均未达到资源配置标准（四个方面之一）。", "fail"))
    if t.target_year:
        oc = next(_on_course(t).itertuples(index=False))
        lines.append((f"目标年份 {t.target_year} 年（资源配置）：{oc.status}。", "info" if _yes(oc.on_course) else "warn"))
    return lines


def trend_headline(t: TrendBriefing) -> HTML:
    """The answer first (:func:`trend_verdict_lines`), then the passing share, the failing CVs and
    the oversized schools and classes, first year against last."""
    v = t.assessment.verdicts.sort_values("year")
    first, last = v.iloc[0], v.iloc[-1]
    lines = trend_verdict_lines(t)
    if t.assessment.standard.school_rule is not None and pd.notna(first.sections_passed):
        lines.append((f"学段单位达标率由 {first.sections_passed / max(first.sections, 1):.0%}（{first.year} 年）变为 "
                      f"{last.sections_passed / max(last.sections, 1):.0%}（{last.year} 年）。", "info"))
    lines.append((f"超限差异系数：{first.year} 年 {first.cvs_decisive - first.cvs_passed} 项，"
                  f"{last.year} 年 {last.cvs_decisive - last.cvs_passed} 项。", "info"))
    if t.oversize is not None and len(t.oversize):
        o = t.oversize.sort_values("year")
        o0, o1 = o.iloc[0], o.iloc[-1]
        lines.append((f"超规模学校由 {int(o0.oversized_schools)} 所（{int(o0.year)} 年）变为 {int(o1.oversized_schools)} 所，"
                      f"超标班额班数由 {int(o0.primary_oversized_classes + o0.junior_oversized_classes):,} 个变为 "
                      f"{int(o1.primary_oversized_classes + o1.junior_oversized_classes):,} 个（{int(o1.year)} 年）。", "info"))
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
    """Sections that improved (failed → passed) or fell back (passed → failed): counts per pair of
    years, and by name for the last pair (names are escaped by the table writer)."""
    from balance.analysis.trend import movers

    sr = t.assessment.school_results
    if t.assessment.standard.school_rule is None or len(t.years) < 2:
        return display.callout("无法比较相邻年份的学校达标情况。", "info")
    rows = []
    for y0, y1 in zip(t.years[:-1], t.years[1:]):
        m = movers(sr, y0, y1)
        rows.append({"period": f"{y0}→{y1}", "improved": int((m["change"] == "improved").sum()),
                     "fell_back": int((m["change"] == "fell_back").sum())})
    df = pd.DataFrame(rows)
    parts = [display.table_html(df, columns={"period": "年度", "improved": "由未达标转为达标", "fell_back": "由达标转为未达标"},
                                caption="学段单位达标状态的逐年变化（个）")]
    y0, y1 = t.years[-2], t.years[-1]
    m = movers(sr, y0, y1)
    m["change_zh"] = m["change"].map({"improved": "进步：新达标", "fell_back": "退步：不再达标"})
    if len(m):
        parts.append(display.table_html(m, columns={"change_zh": "变化", "stage": "学段", "school_name": "学校",
                                                    "urban_rural": "城乡", "indicators_met_before": f"{y0} 年达标指标数",
                                                    "indicators_met": f"{y1} 年达标指标数"},
                                        formats={"indicators_met_before": 0, "indicators_met": 0},
                                        caption=f"{y0}→{y1} 年进步与退步的学段单位（按学校达标规则：{wording.school_rule(t.assessment.standard)}）"))
    else:
        parts.append(display.callout_html(f"{y0}→{y1} 年没有学段单位改变达标状态。", "info"))
    return _html(*parts)


def trend_areas(t: TrendBriefing) -> HTML:
    """The four areas (and the vetoes) per year, from the county sheet of each year."""
    if t.evaluation is None:
        return display.callout("未提供县级填报表（生成简报时用 --county-sheet 指定），只显示资源配置一项的趋势；"
                               "政府保障程度、教育质量、社会认可度需另行填报后评估。", "info")
    ev = t.evaluation
    v = ev.verdicts.sort_values("year").copy()
    v["sheet"] = [ev.sheet is not None and ev.sheet.row(y, c) is not None for y, c in zip(v["year"], v["county_code"])]
    v["sheet"] = v["sheet"].map({True: "有", False: "无（各项缺失）"})
    cols = {"year": "年份", "resource_status": "资源配置", "government_status": "政府保障程度", "quality_status": "教育质量",
            "recognition_status": "社会认可度", "veto_status": "一票否决", "passed": "四个方面综合结论", "sheet": "县级填报表"}
    return display.show_table(v, columns=cols, pass_columns=["passed"], pass_labels=("达到", "未达到"),
                              caption=f"{t.county_name}督导评估四个方面逐年结论（缺失的事项不视为达标）")


def trend_oversize(t: TrendBriefing) -> HTML:
    """Oversized schools and classes per year (issue 14 §2): figure and table."""
    o = t.oversize
    if o is None or o.empty:
        return display.callout("没有可统计的学校。", "info")
    o = o.sort_values("year").copy()
    o["classes_needed"] = o["primary_classes_needed"] + o["junior_classes_needed"]
    tab = display.table_html(o, columns={"year": "年份", "oversized_schools": "超规模学校数", "seats_needed": "超出规模上限的学生数",
                                         "primary_oversized_classes": "小学超标班额班数",
                                         "junior_oversized_classes": "初中超标班额班数", "classes_needed": "需增加班数"},
                             formats={c: 0 for c in ("oversized_schools", "seats_needed", "primary_oversized_classes",
                                                     "junior_oversized_classes", "classes_needed")},
                             caption=f"{t.county_name}大校额、大班额逐年变化")
    return _html(display.figure_html(plotting.oversize_trend_chart(o)), tab)


def _yes(x) -> bool:
    return bool(pd.notna(x) and bool(x))


def _on_course(t: TrendBriefing) -> pd.DataFrame:
    from balance.analysis.trend import on_course

    return on_course(t.assessment, t.target_year)


def trend_on_course(t: TrendBriefing) -> HTML:
    """Whether the county is on course to pass resource allocation by the target year (rule stated)."""
    from balance.analysis.trend import ON_COURSE_RULE

    if not t.target_year:
        return display.callout("未设定目标年份（target_year），不判断是否按期达标。", "info")
    oc = next(_on_course(t).itertuples(index=False))
    kind = "info" if _yes(oc.on_course) else "warn"
    text = f"{t.county_name}：{oc.status}（目标 {t.target_year} 年）。" + "".join(f"\n{x}。" for x in oc.reasons)
    return _html(display.callout_html(text, kind, title=f"{t.target_year} 年前能否达到资源配置标准"),
                 f'<p class="section-intro">{display.escape(ON_COURSE_RULE)}</p>')


def trend_equity(t: TrendBriefing) -> HTML:
    """Theil T between-group (城乡) share and McLoone index per indicator over the years."""
    from balance.analysis.equity import equity_table

    eq = equity_table(t.assessment, by="urban_rural")
    if eq.empty:
        return display.callout("没有可计算的学段单位。", "info")
    return display.show_figure(plotting.equity_trend_chart(eq))
