"""The region overview (区域总览): all counties of one year, for a city leader.

Every number is computed once, in :func:`region_overview` (the assessment of every year up to the
chosen one, the four-area evaluation when a county sheet is given, one least-cost plan run for all
counties of the year, the oversized schools and classes) and joined into one ranked table by
:mod:`balance.analysis.region`; the sections below only show that table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pandas as pd
from IPython.display import HTML

from balance.analysis.region import RANK_RULE, city_total, county_rows, rank_counties
from balance.method.assessment import Assessment
from balance.reporting import display, narrative, plotting, wording
from balance.reporting.briefing._common import _html, _now
from balance.reporting.briefing.county import NO_SHEET, CountyBriefing, recognition_lines

__all__ = ["RegionBriefing", "region_overview", "region_cover", "region_headline", "region_verdict_lines", "region_table", "region_failing",
           "region_change", "region_oversize", "region_on_course", "region_heatmap", "county_verdict", "RANK_RULE"]


@dataclass
class RegionBriefing:
    assessment: Assessment          # every county, every year up to ``year``
    year: int
    title: str
    data_path: str
    sha256: str | None
    standard_id: str
    generated: str = field(default_factory=_now)
    county_code: str = "全部"
    county_name: str = "全部县区"
    county_sheet: str | None = None
    target_year: int | None = None
    evaluation: object = None       # four areas (with a county sheet)
    plan: object = None             # least-cost plan of ``year``, all counties (one run)
    oversize: pd.DataFrame | None = None
    county_briefings: list[str] | None = None  # counties whose briefings the batch writes (None: all)
    bachelor: pd.DataFrame | None = None  # bachelor-degree ratio of every county (briefing.degrees.region_bachelor_ratio)

    @property
    def rows(self) -> pd.DataFrame:
        """The ranked county table (:mod:`balance.analysis.region`), joined from the results above."""
        return rank_counties(county_rows(self.assessment, self.year, evaluation=self.evaluation, plan=self.plan,
                                         oversize=self.oversize))

    @property
    def verdicts(self) -> pd.DataFrame:
        v = self.assessment.verdicts
        return v[v["year"] == self.year].reset_index(drop=True)


def region_overview(data: str, year: int, standard: str = "quality-2017", title: str | None = None,
                    county_sheet: str | None = None, target_year: int | None = None,
                    sheet: str | None = None, county_briefings: list[str] | None = None) -> RegionBriefing:
    """Every county in the data for one year (earlier years for the change and the trend; ``sheet``:
    the workbook's sheet holding the table; ``county_briefings``: the counties whose briefings are
    written beside this one — the others are named, not linked; ``None``: every county)."""
    from balance.analysis.oversize import oversize_counts
    from balance.method import cache
    from balance.method.assessment import assess

    year = int(year)
    table = cache.school_table(data, sheet)
    a = assess(table, standard)
    keep = a.verdicts["year"] <= year
    years = sorted(int(y) for y in a.verdicts.loc[keep, "year"].unique())
    a_years = _years(a, years)
    r = RegionBriefing(a_years, year, title or f"{year} 年各县区义务教育{wording.programme(a.standard)}监测总览",
                       table.path, table.sha256, a.standard.id, county_sheet=county_sheet,
                       target_year=None if target_year is None else int(target_year),
                       county_briefings=None if county_briefings is None else [str(c) for c in county_briefings])
    if county_sheet:
        from balance.method.evaluation import evaluate

        r.evaluation = evaluate(table, county_sheet, a.standard, year=year, other_counties="ignore")
    std = a.standard
    if std.school_rule is not None and std.cv_limit:
        from balance.analysis.planner import plan

        r.plan = plan(table, std, year=year)
    r.oversize = oversize_counts(table, a_years)
    r.bachelor = _bachelor(table, year)
    return r


def _bachelor(table, year: int) -> pd.DataFrame:
    """Every county's row of :func:`balance.analysis.degrees.bachelor_ratio` in ``year`` (per county × year,
    so the same numbers as each county briefing's)."""
    from balance.analysis.degrees import bachelor_ratio

    return bachelor_ratio(table.data[table.data["year"] == year])


def _years(a: Assessment, years: list[int]) -> Assessment:
    """The assessment restricted to ``years`` (same standard and source)."""
    from dataclasses import replace

    def sel(df):
        return df[df["year"].isin(years)].reset_index(drop=True) if "year" in df else df

    return replace(a, sections=sel(a.sections), school_results=sel(a.school_results), excluded=sel(a.excluded),
                   county_indicators=sel(a.county_indicators), shortfalls=sel(a.shortfalls),
                   county_shortfalls=sel(a.county_shortfalls), verdicts=sel(a.verdicts))


def county_verdict(r: RegionBriefing, county_code: str) -> tuple[str, str]:
    """The first line of the county's own headline (sentence, mark): the four-area verdict with a
    county sheet, else resource allocation labelled as one area of four — the same functions as
    :func:`balance.reporting.briefing.county.headline` (``recognition_lines`` and
    :func:`balance.reporting.narrative.verdict_sentence`)."""
    v = r.verdicts.set_index("county_code").loc[county_code]
    if r.evaluation is not None:
        from dataclasses import replace

        ev = r.evaluation.verdicts
        ev = replace(r.evaluation, verdicts=ev[(ev["county_code"] == county_code) & (ev["year"] == r.year)])
        b = CountyBriefing(r.assessment, county_code, v["county_name"], r.year, r.title, r.data_path, r.sha256,
                           r.standard_id, county_sheet=r.county_sheet, _evaluation=ev)
        lines = recognition_lines(b)
        if lines:
            return lines[0]
    row = SimpleNamespace(county_name=v["county_name"], year=r.year, passed=bool(v["passed"]))
    std = r.assessment.standard
    return (narrative.verdict_sentence(row, std.short_title, std, four_areas=False),
            "pass" if bool(v["passed"]) else "fail")


def region_cover(r: RegionBriefing) -> HTML:
    std = r.assessment.standard
    # the same items in the same order as the county and trend covers (briefing.county.cover)
    items = {"年份": f"{r.year} 年", "县区数": f"{len(r.verdicts)} 个", "评估标准": std.title,
             "县级填报表": Path(r.county_sheet).name if r.county_sheet else NO_SHEET}
    if r.target_year:
        items["目标年份"] = f"{r.target_year} 年"
    items.update({"数据文件": Path(r.data_path).name, "生成时间": r.generated})
    demo = "/demo/" in str(r.data_path).replace("\\", "/")
    note = display.callout_html("本简报使用演示用模拟数据（示例市），不代表任何真实学校。", "warn") if demo else ""
    sub = "各县区督导评估四个方面与资源配置达标情况总览" if r.county_sheet else \
        "各县区资源配置达标情况总览（仅资源配置一项，四个方面综合结论未评估）"
    return _html(display.cover_html(r.title, sub, items), note)


def region_verdict_lines(r: RegionBriefing) -> list[tuple[str, str]]:
    """The verdict lines that open the headline, as ``(text, kind)``: the counties recognised in all
    four areas (with a county sheet), then those passing resource allocation, labelled as one area
    of four. ``results.json`` carries them so ``index.html`` quotes them word for word."""
    v, rows = r.verdicts, r.rows
    n = len(v)
    lines = []
    if r.evaluation is not None:
        ok = rows.loc[rows["four_passed"].fillna(False).astype(bool), "county_name"]
        lines.append((f"{r.year} 年 {n} 个县区中 {len(ok)} 个督导评估四个方面综合结论为达到：{'、'.join(ok) or '无'}。",
                      "pass" if len(ok) == n else "fail"))
    k = int(v["passed"].sum())
    ok = rows.loc[rows["passed"].fillna(False).astype(bool), "county_name"]  # in rank order, as the table lists them
    lines.append((f"{r.year} 年 {n} 个县区中 {k} 个达到资源配置标准（四个方面之一）：{'、'.join(ok) or '无'}。",
                  "pass" if k == n else "warn"))
    return lines


def region_headline(r: RegionBriefing) -> HTML:
    """The answer first: counties recognised (four areas) or passing resource allocation, the city
    total of the least-cost plans, the failing CVs and sections, and the on-course count."""
    v, rows = r.verdicts, r.rows
    lines = region_verdict_lines(r)
    if r.plan is not None:
        lines.append((f"全市{narrative.terms()['plan']['name']}投入合计约 {_wan(city_total(rows))} 万元"
                      f"（各县区之和，见表“各县区达标情况与排名”）。", "info"))
    ci = r.assessment.county_indicators
    bad = ci[(ci["year"] == r.year) & ci["decisive"] & ~ci["cv_passed"].fillna(False).astype(bool)]
    if len(bad):
        lines.append((f"差异系数超限 {len(bad)} 项，涉及 {bad['county_code'].nunique()} 个县区："
                      + "；".join(f"{r_.county_name}{narrative.cv_item(r_)}" for r_ in bad.head(6).itertuples())
                      + ("等" if len(bad) > 6 else ""),
                      "fail"))
    else:
        lines.append(("所有县区的差异系数均在限值以内。", "pass"))
    if r.assessment.standard.school_rule is not None and v["sections_passed"].notna().all():
        fail_secs = v["sections"].sum() - v["sections_passed"].sum()
        lines.append((f"全市共有 {int(fail_secs)} 个学段单位未达到学校资源配置标准。", "info"))
    if r.target_year:
        oc = _on_course(r)
        good = oc["on_course"].fillna(False).astype(bool)
        lines.append((f"按当前趋势，{int(good.sum())} 个县区可在 {r.target_year} 年前达到资源配置标准（含已达标），"
                      f"{int((~good).sum())} 个难以按期达标或无法判断。", "info"))
    return display.headline(lines, title="")


def _wan(yuan: float) -> str:
    """元 → 万元 with one decimal, as :func:`balance.reporting.narrative.fmt_amount` shows it."""
    return f"{yuan / 10_000:,.1f}"


#: the file name of a county's briefing in the batch folder, as the region overview links it
LINK_PATTERN = "{county_code}_{year}.html"


def linked_briefings(r: RegionBriefing, link_pattern: str = LINK_PATTERN) -> list[tuple[str, str]]:
    """(file, text) of every county briefing the overview links: all counties, or only those in
    ``county_briefings``; the batch index checks that each file exists (results.json ``linked``)."""
    written = None if r.county_briefings is None else set(r.county_briefings)
    return [(link_pattern.format(county_code=quote(str(c), safe=""), year=r.year), f"{n}（{c}）{r.year} 年简报")
            for c, n in zip(r.rows["county_code"], r.rows["county_name"]) if written is None or str(c) in written]


def region_table(r: RegionBriefing, link_pattern: str = LINK_PATTERN) -> HTML:
    """The ranked county table (rule stated in the caption), a 合计 row for the plan cost, links."""
    t = r.rows
    written = None if r.county_briefings is None else set(r.county_briefings)
    links = linked_briefings(r, link_pattern)
    missing = [f"{n}（{c}）" for c, n in zip(t["county_code"], t["county_name"]) if written is not None and str(c) not in written]
    verdicts = [county_verdict(r, c) for c in t["county_code"]]
    t["verdict"] = [k == "pass" for _, k in verdicts]
    t["cost_wan"] = t["plan_cost"] / 10_000
    t["change"] = [f"{(b - a) * 100:+.0f}" if pd.notna(a) and pd.notna(b) else "—"
                   for a, b in zip(t["prev_share"], t["share"])]
    cols = {"rank": "排名", "county_name": "县区"}
    if r.evaluation is not None:
        cols["verdict"] = "四个方面综合结论"
    cols.update({"passed": "资源配置（四个方面之一）", "share": "学段单位达标率", "fail_cvs": "超限差异系数",
                 "cost_wan": f"{narrative.terms()['plan']['name']}（万元）", "change": "达标率比上年（百分点）"})
    if r.plan is None:
        cols.pop("cost_wan")
    else:
        total = {"rank": pd.NA, "county_name": "全市合计", "verdict": pd.NA, "passed": pd.NA, "share": pd.NA,
                 "fail_cvs": pd.NA, "cost_wan": city_total(t) / 10_000, "change": ""}
        t = pd.concat([t, pd.DataFrame([total])], ignore_index=True)
    basis = ("“四个方面综合结论”即各县区简报第一句结论；资源配置是四个方面之一。" if r.evaluation is not None
             else "仅资源配置一项，不是四个方面综合结论（未提供县级填报表）。")
    prev = t["prev_year"].dropna()
    since = f"达标率比上年：{r.year} 年减 {int(prev.iloc[0])} 年（详见“与上年相比”）。" if len(prev) else ""
    table = display.table_html(t, columns=cols, formats={"share": "pct", "cost_wan": 1, "rank": 0, "fail_cvs": 0},
                               pass_columns=[c for c in ("verdict", "passed") if c in cols],
                               pass_labels=("达到", "未达到"),
                               caption=f"各县区达标情况与排名（{basis}）排名规则：{RANK_RULE}{since}")
    from balance.reporting.county_links import NOT_BRIEFED_REASON, county_links_html, not_written_html

    # the block the batch renders again when a briefing linked here was not written (running.region_links)
    nav = county_links_html(links, r.year)
    return _html(table, nav, not_written_html(r.year, missing, NOT_BRIEFED_REASON))


def _short(item: str, most: int = 110) -> str:
    """A failing item for the city table: the item and how many schools fail, not the rule and the
    school list (those are in the county briefing)."""
    head = item.split("，要求", 1)[0]
    return head if len(head) <= most else head[:most - 1] + "…"


def region_failing(r: RegionBriefing) -> HTML:
    """The failing items of each county, in rank order: resource allocation, then the other areas."""
    from balance.io.county_sheet import area_names

    areas = [area_names()[k] for k in ("resource", "government", "quality", "recognition", "veto")]
    recs = []
    for row in r.rows.itertuples(index=False):
        for s in row.failing_items:
            recs.append({"county_name": row.county_name, "area": "资源配置", "item": s})
        for s in getattr(row, "four_failing_items", None) or []:
            area = next((a for a in areas if s.startswith(a)), "其他")
            if area != areas[0]:  # resource allocation: listed above, item by item
                recs.append({"county_name": row.county_name, "area": area, "item": _short(s)})
    if not recs:
        return display.callout("各县区均无未达标事项。", "pass")
    return display.show_table(pd.DataFrame(recs), columns={"county_name": "县区", "area": "方面", "item": "未达标事项"},
                              caption="各县区未达标事项（按排名顺序）")


def region_change(r: RegionBriefing) -> HTML:
    """Since last year: verdict, passing share and failing CVs, last year and this year."""
    t = r.rows
    if t["prev_year"].isna().all():
        return display.callout("数据中没有上一年，无法比较。", "info")
    from balance.analysis.trend import movers

    py = int(t["prev_year"].dropna().iloc[0])
    m = movers(r.assessment.school_results, py, r.year)
    n = m.groupby(["county_code", "change"]).size()
    t = t.assign(improved=[int(n.get((c, "improved"), 0)) for c in t["county_code"]],
                 fell_back=[int(n.get((c, "fell_back"), 0)) for c in t["county_code"]])
    cols = {"county_name": "县区", "prev_passed": f"{py} 年资源配置", "passed": f"{r.year} 年资源配置",
            "prev_share": f"{py} 年学段单位达标率", "share": f"{r.year} 年学段单位达标率",
            "prev_fail_cvs": f"{py} 年超限差异系数", "fail_cvs": f"{r.year} 年超限差异系数",
            "improved": "新达标学段单位", "fell_back": "新未达标学段单位"}
    if r.assessment.standard.school_rule is None:
        cols = {k: v for k, v in cols.items() if k not in ("prev_share", "share", "improved", "fell_back")}
    return display.show_table(t, columns=cols, formats={"prev_share": "pct", "share": "pct", "prev_fail_cvs": 0,
                                                        "fail_cvs": 0, "improved": 0, "fell_back": 0},
                              pass_columns=["prev_passed", "passed"], pass_labels=("达到", "未达到"),
                              caption=f"与上年相比：各县区资源配置（{py} 年 → {r.year} 年；新达标、新未达标的学校名单见各县区简报）")


def region_oversize(r: RegionBriefing) -> HTML:
    """Oversized schools and classes per county (issue 14 §2), caps from the standard in use."""
    o = r.oversize
    if o is None or o.empty:
        return display.callout("没有可统计的学校。", "info")
    o = o[o["year"] == r.year].copy()
    o["oversized_classes"] = o["primary_oversized_classes"] + o["junior_oversized_classes"]
    o["classes_needed"] = o["primary_classes_needed"] + o["junior_classes_needed"]
    o["unknown"] = o["primary_sections_unknown"] + o["junior_sections_unknown"]
    order = {c: i for i, c in enumerate(r.rows["county_code"])}
    o = o.assign(_o=o["county_code"].map(order)).sort_values("_o")
    cap = o.iloc[0]
    total = {"county_name": "全市合计", **{c: o[c].sum() for c in ("oversized_schools", "seats_needed",
                                                                 "primary_oversized_classes", "junior_oversized_classes",
                                                                 "classes_needed", "unknown")}}
    o = pd.concat([o, pd.DataFrame([total])], ignore_index=True)
    cols = {"county_name": "县区", "oversized_schools": "超规模学校数", "seats_needed": "超出规模上限的学生数",
            "primary_oversized_classes": "小学超标班额班数", "junior_oversized_classes": "初中超标班额班数",
            "classes_needed": "需增加班数", "unknown": "缺少班额数据的学段单位"}
    return display.show_table(o, columns=cols, formats={c: 0 for c in cols if c != "county_name"},
                              caption=f"{r.year} 年各县区大校额、大班额（学校规模上限 {int(cap.school_size_cap)} 人，"
                                      f"一贯制 {int(cap.school_size_cap_combined)} 人；班额上限小学 "
                                      f"{int(cap.primary_class_limit)} 人、初中 {int(cap.junior_class_limit)} 人）")


def _on_course(r: RegionBriefing) -> pd.DataFrame:
    from balance.analysis.trend import on_course

    return on_course(r.assessment, r.target_year)


def region_on_course(r: RegionBriefing) -> HTML:
    """Whether each county is on course to pass resource allocation by the target year (rule stated)."""
    from balance.analysis.trend import ON_COURSE_RULE

    if not r.target_year:
        return display.callout("未设定目标年份（target_year），不判断是否按期达标。", "info")
    oc = _on_course(r)
    order = {c: i for i, c in enumerate(r.rows["county_code"])}
    oc = oc.assign(_o=oc["county_code"].map(order)).sort_values("_o")
    oc["why"] = ["；".join(x) or "—" for x in oc["reasons"]]
    return display.show_table(oc, columns={"county_name": "县区", "status": f"{r.target_year} 年前达标趋势",
                                           "why": "依据（直线外推）"},
                              caption=f"按当前趋势能否在 {r.target_year} 年前达到资源配置标准。{ON_COURSE_RULE}")


def region_heatmap(r: RegionBriefing) -> HTML:
    return display.show_figure(plotting.region_cv_heatmap(r.assessment.county_indicators, year=r.year))

